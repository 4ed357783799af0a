#!/usr/bin/env bash
# Measures probe-site cost: nothing attached, then with a counting bpftrace
# program attached to both bench probes (1-byte and 5-byte nop). Run as root
# from the repository root after building with -DBUILD_BENCH=ON:
#   src/bench/probe_cost.sh [build]
set -euo pipefail
build=${1:-build}
bench="$build/bin/bench_bitcoin"
[ -x "$bench" ] || { echo "build $bench first (cmake -B $build -DBUILD_BENCH=ON)" >&2; exit 1; }
filter='^Probe'
args=(--benchmark_filter="$filter" --benchmark_min_time=2 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true)

echo "== not traced"
"$bench" "${args[@]}"

echo "== traced: bpftrace counting example:bench_nop1 and example:bench_nop5"
out=$(mktemp)
bpftrace -e "usdt:$bench:example:bench_nop1 { @nop1 = count(); } usdt:$bench:example:bench_nop5 { @nop5 = count(); }" >"$out" 2>&1 &
tracer=$!
for _ in $(seq 100); do grep -q Attaching "$out" && break; sleep 0.1; done
sleep 0.5
"$bench" "${args[@]}" --benchmark_filter='^ProbeSite'
kill -INT "$tracer"; wait "$tracer" || true
grep '^@' "$out"
rm -f "$out"
