#pragma once

// New coins created by a block.

#include <consensus/amount.h>

// 50 BTC, halved every halving_interval blocks (210000 on mainnet), zero
// from the 64th halving on (a shift by 64 bits would be undefined).
Amount GetBlockSubsidy(int height, int halving_interval);
