#!/usr/bin/env bash
# The README's main command: builds bitcoind with USDT tracepoints, starts a
# regtest node on a fresh datadir, attaches bpftrace to it, then mines,
# spends (generateblock with a transaction spending an anyone-can-spend
# coin: no wallet needed), reorganizes (invalidateblock/reconsiderblock) and
# stops the node, so the validation:* and utxocache:* tracepoints are seen
# firing live. Everything stops cleanly at the end.
#
# Run as root from anywhere. BUILDDIR=<dir> uses an existing configured build
# directory instead of the release preset's build/; RPCPORT=<port> (default
# 28443, P2P on the next port) moves the node off busy ports.
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
printf 'regtest=1\n[regtest]\nrpcport=%s\nport=%s\nlisten=0\nprinttoconsole=0\n' "$rpcport" "$((rpcport + 1))" \
    >"$datadir/bitcoin.conf"
cli=("$build/bin/bitcoin-cli" "-datadir=$datadir")

node=
tracer=
cleanup() {
    [ -n "$node" ] && kill -0 "$node" 2>/dev/null && { "${cli[@]}" stop >/dev/null 2>&1 || kill "$node"; wait "$node" || true; }
    [ -n "$tracer" ] && kill -0 "$tracer" 2>/dev/null && { kill -INT "$tracer"; wait "$tracer" || true; }
    rm -rf "$datadir"
}
trap cleanup EXIT

echo "== tracepoints in $bitcoind (bpftrace -l):"
bpftrace -l "usdt:$bitcoind:*"

"$bitcoind" -datadir="$datadir" &
node=$!
"${cli[@]}" -rpcwait getblockcount >/dev/null
echo "== bitcoind -regtest running as pid $node (datadir $datadir)"
echo "== mining 101 blocks (not traced) so the first coinbase matures"
"${cli[@]}" generatetoaddress 101 "$ACS_ADDRESS" >/dev/null

echo "== attaching bpftrace to pid $node"
bpftrace -p "$node" -e '
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
for _ in $(seq 600); do  # bpftrace prints "Attaching" just before the probes are live
    grep -q '^Attaching' "$datadir/trace.log" 2>/dev/null && break
    kill -0 "$tracer" 2>/dev/null || { echo "bpftrace failed"; exit 1; }
    sleep 0.1
done
sleep 0.5

echo "== mining 1 block"
echo "   (the miner first checks its block on a temporary coins cache, then connects it:"
echo "    each utxocache event shows twice, as with Bitcoin Core)"
"${cli[@]}" generatetoaddress 1 "$ACS_ADDRESS" >/dev/null
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
sleep 0.5
tip=$("${cli[@]}" getbestblockhash)
echo "== invalidateblock of the tip, then reconsiderblock"
"${cli[@]}" invalidateblock "$tip"
sleep 0.5
"${cli[@]}" reconsiderblock "$tip"
sleep 0.5
echo "== stopping bitcoind (the chainstate is flushed)"
"${cli[@]}" stop >/dev/null
wait "$node" || true
node=
sleep 1
kill -INT "$tracer" 2>/dev/null || true
wait "$tracer" 2>/dev/null || true
tracer=
echo "== stopped bitcoind and bpftrace"
