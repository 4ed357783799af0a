#!/usr/bin/env bash
# The README's main command: builds bitcoind with USDT tracepoints, starts
# two regtest nodes on fresh datadirs, the second connected to the first,
# attaches bpftrace to the first, then mines, spends (generateblock with a
# transaction spending an anyone-can-spend coin: no wallet needed),
# reorganizes (invalidateblock/reconsiderblock), pings and stops the nodes,
# so the validation:* and utxocache:* tracepoints and, through
# contrib/tracing/log_p2p_traffic.bt, every P2P message between the two
# nodes (net:inbound_message, net:outbound_message: handshake, block
# announcements and downloads, pings) are seen firing live; then, through
# contrib/tracing/log_mempool.bt, the mempool:* tracepoints: a transaction
# accepted (and relayed to the second node), replaced by a higher-fee one,
# a zero-fee transaction rejected, and the replacement mined. Everything
# stops cleanly at the end.
#
# Run as root from anywhere. BUILDDIR=<dir> uses an existing configured build
# directory instead of the release preset's build/; RPCPORT=<port> (default
# 28443) moves the nodes off busy ports: the first node's RPC and P2P ports
# are RPCPORT and RPCPORT+1, the second's RPCPORT+2 and RPCPORT+3.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

if [ -n "${BUILDDIR:-}" ]; then
    build=$(cd "$BUILDDIR" && pwd)
else
    cmake --preset release >/dev/null
    build=$repo/build
fi
cmake --build "$build" --target bitcoind bitcoin-cli -j "$(nproc)"
bitcoind=$build/bin/bitcoind

# The framework's anyone-can-spend address: P2WSH(OP_TRUE) on regtest.
ACS_ADDRESS=bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85
rpcport=${RPCPORT:-28443}
datadir=$(mktemp -d /tmp/bitcoin-observed-demo.XXXXXX)
datadir2=$(mktemp -d /tmp/bitcoin-observed-demo2.XXXXXX)
printf 'regtest=1\n[regtest]\nrpcport=%s\nport=%s\nlisten=1\nbind=127.0.0.1\nprinttoconsole=0\n' "$rpcport" "$((rpcport + 1))" \
    >"$datadir/bitcoin.conf"
printf 'regtest=1\n[regtest]\nrpcport=%s\nport=%s\nlisten=0\nconnect=127.0.0.1:%s\nprinttoconsole=0\n' \
    "$((rpcport + 2))" "$((rpcport + 3))" "$((rpcport + 1))" >"$datadir2/bitcoin.conf"
cli=("$build/bin/bitcoin-cli" "-datadir=$datadir")
cli2=("$build/bin/bitcoin-cli" "-datadir=$datadir2")

node=
node2=
tracer=
traffic=
mempool=
cleanup() {
    [ -n "$node2" ] && kill -0 "$node2" 2>/dev/null && { "${cli2[@]}" stop >/dev/null 2>&1 || kill "$node2"; wait "$node2" || true; }
    [ -n "$node" ] && kill -0 "$node" 2>/dev/null && { "${cli[@]}" stop >/dev/null 2>&1 || kill "$node"; wait "$node" || true; }
    [ -n "$tracer" ] && kill -0 "$tracer" 2>/dev/null && { kill -INT "$tracer"; wait "$tracer" || true; }
    [ -n "$traffic" ] && kill -0 "$traffic" 2>/dev/null && { kill -INT "$traffic"; wait "$traffic" || true; }
    [ -n "$mempool" ] && kill -0 "$mempool" 2>/dev/null && { kill -INT "$mempool"; wait "$mempool" || true; }
    rm -rf "$datadir" "$datadir2"
}
trap cleanup EXIT

echo "== tracepoints in $bitcoind (bpftrace -l):"
bpftrace -l "usdt:$bitcoind:*"

"$bitcoind" -datadir="$datadir" &
node=$!
"${cli[@]}" -rpcwait getblockcount >/dev/null
echo "== bitcoind -regtest running as pid $node (datadir $datadir, P2P port $((rpcport + 1)))"
# Waits until the second node has the first node's tip.
sync2() {
    local tip
    tip=$("${cli[@]}" getbestblockhash)
    for _ in $(seq 600); do
        [ "$("${cli2[@]}" getbestblockhash)" = "$tip" ] && return 0
        sleep 0.1
    done
    echo "   the second node did not sync to $tip"
    return 1
}
# Waits until the tracer (pid $1) has printed the line its BEGIN block
# prints ($3, in its log $2): bpftrace runs BEGIN once every probe is attached.
wait_attached() {
    for _ in $(seq 600); do
        grep -q "$3" "$2" 2>/dev/null && { sleep 0.2; return 0; }
        kill -0 "$1" 2>/dev/null || { echo "$4 failed"; exit 1; }
        sleep 0.1
    done
    echo "$4 did not attach within 60 s"
    exit 1
}
echo "== mining 101 blocks (not traced) so the first coinbase matures"
echo "   (before the second node starts: a node at genesis is in initial block download and, as"
echo "    Bitcoin Core, does not answer getheaders, so the second node would wait 2 minutes to ask again)"
"${cli[@]}" generatetoaddress 101 "$ACS_ADDRESS" >/dev/null

echo "== attaching bpftrace to pid $node"
bpftrace -p "$node" -e '
BEGIN { printf("Tracing validation:* and utxocache:* (every probe attached)\n"); }
usdt:'"$bitcoind"':validation:block_connected {
  printf("validation:block_connected     height %d, %lu tx, %d inputs, %lu sigops, %lu us, hash ", (int32) arg1, (uint64) arg2, (int32) arg3, (uint64) arg4, (uint64) arg5 / 1000);
  $p = arg0 + 31; unroll(32) { printf("%02x", *(uint8 *) $p); $p = $p - 1; } printf("\n");
}
usdt:'"$bitcoind"':validation:block_disconnected {
  printf("validation:block_disconnected  height %d, %lu tx, %lu us, hash ", (int32) arg1, (uint64) arg2, (uint64) arg3 / 1000);
  $p = arg0 + 31; unroll(32) { printf("%02x", *(uint8 *) $p); $p = $p - 1; } printf("\n");
}
usdt:'"$bitcoind"':utxocache:add { printf("utxocache:add      "); $p = arg0 + 31; unroll(32) { printf("%02x", *(uint8 *) $p); $p = $p - 1; }
  printf(":%u height %u value %ld coinbase %u\n", (uint32) arg1, (uint32) arg2, (int64) arg3, (uint8) arg4); }
usdt:'"$bitcoind"':utxocache:spent { printf("utxocache:spent    "); $p = arg0 + 31; unroll(32) { printf("%02x", *(uint8 *) $p); $p = $p - 1; }
  printf(":%u height %u value %ld coinbase %u\n", (uint32) arg1, (uint32) arg2, (int64) arg3, (uint8) arg4); }
usdt:'"$bitcoind"':utxocache:uncache { printf("utxocache:uncache  "); $p = arg0 + 31; unroll(32) { printf("%02x", *(uint8 *) $p); $p = $p - 1; }
  printf(":%u height %u value %ld coinbase %u\n", (uint32) arg1, (uint32) arg2, (int64) arg3, (uint8) arg4); }
usdt:'"$bitcoind"':utxocache:flush {
  printf("utxocache:flush    mode %u (3 = FORCE_FLUSH), %lu coins, %lu bytes, prune %u, %ld us\n", (uint32) arg1, (uint64) arg2, (uint64) arg3, (uint8) arg4, (int64) arg0);
}' > >(grep --line-buffered -v RLIMIT_MEMLOCK | tee "$datadir/trace.log") 2>&1 &
tracer=$!
wait_attached "$tracer" "$datadir/trace.log" '^Tracing validation' "bpftrace"
echo "== attaching contrib/tracing/log_p2p_traffic.bt to pid $node: every P2P message, lines 'p2p: in|out TYPE peer ...'"
sed "s|\./build/bin/bitcoind|$bitcoind|g" contrib/tracing/log_p2p_traffic.bt >"$datadir/log_p2p_traffic.bt"
bpftrace -p "$node" "$datadir/log_p2p_traffic.bt" > >(grep --line-buffered -v RLIMIT_MEMLOCK | sed -u 's/^/p2p: /' | tee "$datadir/traffic.log") 2>&1 &
traffic=$!
wait_attached "$traffic" "$datadir/traffic.log" 'Logging P2P traffic' "bpftrace (log_p2p_traffic.bt)"
echo "== starting the second node: handshake, then it downloads the 101 blocks (headers, getdata, block)"
"$bitcoind" -datadir="$datadir2" &
node2=$!
"${cli2[@]}" -rpcwait getblockcount >/dev/null
echo "== second bitcoind -regtest running as pid $node2 (datadir $datadir2), -connect to the first"
for _ in $(seq 300); do
    [ "$("${cli2[@]}" getconnectioncount)" -ge 1 ] && [ "$("${cli[@]}" getconnectioncount)" -ge 1 ] && break
    sleep 0.1
done
"${cli[@]}" getpeerinfo | grep -E '"(id|addr|connection_type)"' | sed 's/^ */   first node\x27s peer: /'
sync2
sleep 0.5

echo "== mining 1 block"
echo "   (the miner first checks its block on a temporary coins cache, then connects it:"
echo "    each utxocache event shows twice, as with Bitcoin Core)"
"${cli[@]}" generatetoaddress 1 "$ACS_ADDRESS" >/dev/null
sync2
sleep 0.5
echo "== spending the first coinbase: generateblock with a self transfer (witness: the OP_TRUE script)"
/usr/bin/python3 - "$datadir" "$rpcport" <<'EOF'
import sys
sys.path.insert(0, "test/functional")
from test_framework.authproxy import AuthServiceProxy
from test_framework.tx import AnyoneCanSpend

datadir, port = sys.argv[1:]
user, password = open(f"{datadir}/regtest/.cookie").read().strip().split(":", 1)
acs = AnyoneCanSpend(AuthServiceProxy(f"http://{user}:{password}@127.0.0.1:{port}"))
tx = acs.create_self_transfer()
print(f"   transaction {tx['txid']} mined in block {acs.mine([tx])}", flush=True)
EOF
sync2
sleep 0.5
tip=$("${cli[@]}" getbestblockhash)
echo "== invalidateblock of the tip, then reconsiderblock"
"${cli[@]}" invalidateblock "$tip"
sleep 0.5
"${cli[@]}" reconsiderblock "$tip"
sync2
sleep 0.5
echo "== attaching contrib/tracing/log_mempool.bt to pid $node: lines 'mempool: ADDED|REPLACED|REMOVED|REJECTED ...'"
sed "s|\./build/bin/bitcoind|$bitcoind|g" contrib/tracing/log_mempool.bt >"$datadir/log_mempool.bt"
bpftrace -p "$node" "$datadir/log_mempool.bt" > >(grep --line-buffered -v RLIMIT_MEMLOCK | sed -u 's/^/mempool: /' | tee "$datadir/mempool.log") 2>&1 &
mempool=$!
wait_attached "$mempool" "$datadir/mempool.log" 'Logging mempool' "bpftrace (log_mempool.bt)"
echo "== mempool: send a transaction (relayed to the second node), replace it, send a zero-fee one, mine"
/usr/bin/python3 - "$datadir" "$rpcport" "$datadir2" "$((rpcport + 2))" <<'EOF'
import sys
import time
from decimal import Decimal
sys.path.insert(0, "test/functional")
from test_framework.authproxy import AuthServiceProxy, JSONRPCException
from test_framework.tx import AnyoneCanSpend


def rpc(datadir, port):
    user, password = open(f"{datadir}/regtest/.cookie").read().strip().split(":", 1)
    return AuthServiceProxy(f"http://{user}:{password}@127.0.0.1:{port}")


node, node2 = rpc(*sys.argv[1:3]), rpc(*sys.argv[3:5])
acs = AnyoneCanSpend(node)
utxo = acs.get_utxo()
first = acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0001"))
print(f"   sendrawtransaction {first['txid']} (fee 0.0001)", flush=True)
node.sendrawtransaction(first["hex"])
for _ in range(300):  # inv (after a random delay of some seconds), getdata, tx
    if first["txid"] in node2.getrawmempool():
        print("   the second node has it in its mempool too", flush=True)
        break
    time.sleep(0.1)
else:
    print("   the second node did not get it within 30 s", flush=True)
time.sleep(0.5)
second = acs.create_self_transfer(utxo=utxo, fee=Decimal("0.0002"))
print(f"   sendrawtransaction {second['txid']} (fee 0.0002): replaces the first", flush=True)
node.sendrawtransaction(second["hex"])
time.sleep(0.5)
free = acs.create_self_transfer(fee=Decimal("0"))
try:
    node.sendrawtransaction(free["hex"])
except JSONRPCException as e:
    print(f"   sendrawtransaction {free['txid']} (fee 0): {e.error['message']}", flush=True)
time.sleep(0.5)
print(f"   mined in block {node.generatetoaddress(1, acs.address)[0]}", flush=True)
EOF
sync2
sleep 0.5
echo "== ping (RPC) on the first node: a ping to the second node and its pong"
"${cli[@]}" ping
sleep 1
echo "== stopping the second node, then the first (the chainstate is flushed)"
"${cli2[@]}" stop >/dev/null
wait "$node2" || true
node2=
"${cli[@]}" stop >/dev/null
wait "$node" || true
node=
sleep 1
kill -INT "$traffic" 2>/dev/null || true
wait "$traffic" 2>/dev/null || true
traffic=
kill -INT "$mempool" 2>/dev/null || true
wait "$mempool" 2>/dev/null || true
mempool=
kill -INT "$tracer" 2>/dev/null || true
wait "$tracer" 2>/dev/null || true
tracer=
echo "== stopped both nodes and bpftrace"
