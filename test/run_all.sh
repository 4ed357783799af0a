#!/usr/bin/env bash
# Builds the presets and runs every test: unit tests (CTest) in the Debug and
# -O2 builds and in a build with tracepoints compiled out (so it cannot rot),
# all functional tests against the optimized build, the tracing-library tests
# and the node's tracepoint and contrib/tracing tests against the Debug build
# too (arguments sit in other registers and stack slots there), and a short
# run of every fuzz target under ASan and UBSan (preset fuzz, clang). Run
# from anywhere, as root for the tracing tests.
# Ends with "total: N passed, N failed, N skipped"; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Paths relative to the checkout, so a fresh clone elsewhere hits the cache.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
jobs=$(nproc)

passed=0 failed=0 skipped=0
tally() { # reads "N passed, N failed, N skipped" from a runner's output file
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$1" | tail -n 1)
    [ -n "$line" ] || { failed=$((failed + 1)); return; }
    read -r p _ f _ s _ <<<"${line//,/}"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}
ctest_tally() { # reads CTest's "N% tests passed, N tests failed out of M"
    local line
    line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$1" | tail -n 1)
    [ -n "$line" ] || { failed=$((failed + 1)); return; }
    local f t
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    t=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
    passed=$((passed + t - f)) failed=$((failed + f))
}

status=0
for preset in release dev nousdt; do
    echo "=== configure and build: $preset"
    if ! { cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" -j "$jobs"; }; then
        echo "build $preset FAILED"
        echo "total: $passed passed, $((failed + 1)) failed, $skipped skipped"
        exit 1
    fi
done

log=$(mktemp -d)
for preset in release dev nousdt; do
    echo "=== unit tests: $preset"
    ctest --preset "$preset" -j "$jobs" 2>&1 | tee "$log/ctest-$preset" || status=1
    ctest_tally "$log/ctest-$preset"
done

echo "=== functional tests: build (release)"
/usr/bin/python3 test/functional/test_runner.py --builddir build -j "$jobs" 2>&1 | tee "$log/functional-release" || status=1
tally "$log/functional-release"

echo "=== functional tests of the tracing library and tracepoints: build-dev (Debug)"
/usr/bin/python3 test/functional/test_runner.py --builddir build-dev -j "$jobs" \
    --filter 'interface_usdt_*' --filter 'contrib_tracing_*' \
    2>&1 | tee "$log/functional-dev" || status=1
tally "$log/functional-dev"

echo "=== fuzz smoke run (build-fuzz, clang, ASan+UBSan, ${FUZZ_SMOKE_SECONDS:-10} s per target)"
if cmake --preset fuzz -DFUZZ_SMOKE_SECONDS="${FUZZ_SMOKE_SECONDS:-10}" >/dev/null &&
   cmake --build --preset fuzz --target fuzz_smoke -j "$jobs" >"$log/fuzz" 2>&1; then
    grep -E '^(stat::number_of_executed_runs|Done [0-9]+ runs)' "$log/fuzz" || true
    echo "fuzz smoke: passed"
    passed=$((passed + 1))
else
    tail -n 60 "$log/fuzz"
    echo "fuzz smoke: FAILED"
    failed=$((failed + 1))
    status=1
fi

rm -rf "$log"
echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
