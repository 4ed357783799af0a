#!/usr/bin/python3
"""Stress test of 5-byte nop probe sites in leaf functions whose locals live
in the red zone, with bpftrace attached and counting every hit.

util/trace.h's probe (example:redzone_safe) must leave every local intact on
every hit. For comparison, the same leaf with a bare 5-byte nop
(example:redzone_raw) is run too: on a kernel that optimizes uprobes on
5-byte nops, its locals get overwritten by the trampoline call's return
address, which is what the header's lea pair prevents. That result is
reported, and asserted only where the kernel is known to optimize."""
import os
import platform
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.util import assert_equal, binary, load_config, run_test, SkipTest  # noqa: E402
from test_framework.tracing import Bpftrace, CommandProcess, require_tracing, tracer_lock  # noqa: E402

ITERATIONS = 200000
PROGRAM = r"""
usdt:BINARY:example:redzone_safe { @safe = count(); }
usdt:BINARY:example:redzone_raw { @raw = count(); }
"""


def kernel_optimizes_nop5_uprobes():
    """Optimized uprobes (nop5 -> call) arrived in Linux 6.18 for x86_64."""
    match = re.match(r"(\d+)\.(\d+)", platform.release())
    return platform.machine() == "x86_64" and match and (int(match[1]), int(match[2])) >= (6, 18)


def main():
    config = load_config()
    require_tracing(config, tools=("bpftrace",))
    if platform.machine() != "x86_64":
        raise SkipTest("the red zone and 5-byte nop probes are x86_64 matters")
    path = binary(config, "trace_redzone_check")
    with tracer_lock("bpftrace"):
        program = CommandProcess([path, str(ITERATIONS)])
        tracer = None
        try:
            assert_equal(program.readline(), "ready", "trace_redzone_check started")
            tracer = Bpftrace(PROGRAM.replace("BINARY", path), args=["-p", str(program.pid)])
            result = program.command("go", timeout=300)
        finally:
            lines = tracer.stop() if tracer else []
            program.close()
    print(result)
    print("\n".join(lines))
    counts = dict(re.findall(r"@(\w+): (\d+)", "\n".join(lines)))
    assert_equal(int(counts.get("safe", 0)), ITERATIONS, "hits of example:redzone_safe")
    assert_equal(int(counts.get("raw", 0)), ITERATIONS, "hits of example:redzone_raw")
    damaged = dict(re.findall(r"(\w+)_damaged=(\d+)", result))
    assert_equal(int(damaged["safe"]), 0, "iterations whose red-zone locals changed across util/trace.h's probe")
    if kernel_optimizes_nop5_uprobes():
        # Proves the stress test can see damage: the bare nop is corrupted.
        assert_equal(int(damaged["raw"]) > 0, True, "a bare 5-byte nop in a red-zone leaf is damaged on this kernel")
    print(f"bare 5-byte nop: {damaged['raw']} of {ITERATIONS} iterations damaged")


if __name__ == "__main__":
    run_test(main)
