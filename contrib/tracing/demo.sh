#!/usr/bin/env bash
# The README's main command: builds with USDT tracepoints, starts
# trace_example and shows its probes firing live under bpftrace, then stops
# both. Run as root from anywhere; SECONDS_TO_RUN (default 8) sets how long.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --preset release >/dev/null
cmake --build --preset release --target trace_example -j "$(nproc)"

echo "== probes in build/bin/trace_example (bpftrace -l):"
bpftrace -l 'usdt:./build/bin/trace_example:*'

build/bin/trace_example >/tmp/trace_example.out 2>&1 &
example=$!
trap 'kill $example 2>/dev/null || true' EXIT
echo "== trace_example running as pid $example; bpftrace attached for ${SECONDS_TO_RUN:-8} s:"
timeout --signal=INT "${SECONDS_TO_RUN:-8}" bpftrace contrib/tracing/trace_example.bt || true
kill "$example" 2>/dev/null || true
wait "$example" 2>/dev/null || true
echo "== stopped trace_example and bpftrace"
