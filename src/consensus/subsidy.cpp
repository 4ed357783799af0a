#include <consensus/subsidy.h>

Amount GetBlockSubsidy(int height, int halving_interval)
{
    const int halvings = height / halving_interval;
    if (halvings >= 64) return 0;
    return (50 * COIN) >> halvings;
}
