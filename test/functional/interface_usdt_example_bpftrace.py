#!/usr/bin/python3
"""Attaches bpftrace to trace_example: prints the arguments of example:twelve
within bpftrace's reach and every argument of example:message (string and
bytes), counts both call sites of example:counter, and checks the semaphores
rise while bpftrace is attached and fall after it exits. Also pins down the
argument limit of this bpftrace version that doc/tracing.md states."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.util import assert_equal, assert_true, binary, load_config, run_test  # noqa: E402
from test_framework.tracing import Bpftrace, CommandProcess, require_tracing, tracer_lock  # noqa: E402

FIRED = 3
PROGRAM = r"""
usdt:BINARY:example:twelve { printf("twelve %d %d %d %d %d %d\n", arg0, arg1, arg2, arg3, arg4, arg5); }
usdt:BINARY:example:message { printf("message %s %d %r\n", str(arg0), arg2, buf(arg1, arg2)); }
usdt:BINARY:example:counter { @counter[arg0] = count(); }
"""
SEMAPHORES_DOWN = "example:twelve=0 example:counter=0 example:message=0"
# The kernel counts one reference per attached probe location: the two call
# sites of example:counter share a semaphore, which bpftrace raises to 2.
SEMAPHORES_UP = "example:twelve=1 example:counter=2 example:message=1"


def bpftrace_arg_limit(path):
    """The first argument index this bpftrace refuses for a USDT probe."""
    for index in range(6, 12):
        check = subprocess.run(["bpftrace", "-d", "-e",  # -d: analyse and print, attach nothing
                                f"usdt:{path}:example:twelve {{ print(arg{index}); exit(); }}"],
                               capture_output=True, text=True)
        if re.search(rf"ERROR: .*(support arg{index}|Unknown identifier: 'arg{index}')", check.stdout + check.stderr):
            return index
    return None


def main():
    config = load_config()
    require_tracing(config, tools=("bpftrace",))
    path = binary(config, "trace_example")
    with tracer_lock("bpftrace"):
        check_probes(path)
        limit = bpftrace_arg_limit(path)
    version = subprocess.run(["bpftrace", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}: USDT arguments readable: arg0..arg{(limit or 12) - 1}")
    if re.match(r"bpftrace v0\.17\.", version):
        assert_equal(limit, 6, "bpftrace 0.17 reads arg0..arg5 only (doc/tracing.md)")
    else:
        assert_true(limit is None or limit >= 6, "bpftrace reads at least six USDT arguments")


def check_probes(path):
    example = CommandProcess([path, "--commands"])
    tracer = None
    try:
        assert_equal(example.command("status"), SEMAPHORES_DOWN, "semaphores before attaching")
        tracer = Bpftrace(PROGRAM.replace("BINARY", path), args=["-p", str(example.pid)])
        assert_equal(example.command("status"), SEMAPHORES_UP, "semaphores while attached")
        assert_equal(example.command(f"fire {FIRED}"), f"fired {FIRED}")
        tracer.wait_for(lambda lines: sum(line.startswith("message") for line in lines) >= FIRED)
        lines = tracer.stop()
        print("\n".join(lines))

        assert_equal([line for line in lines if line.startswith("twelve ")],
                     ["twelve 1 -100 200 -30000 60000 -2000000000"] * FIRED, "example:twelve lines")
        all_bytes = "".join(f"\\x{i:02x}" for i in range(32))
        assert_equal([line for line in lines if line.startswith("message ")],
                     [f"message hello, tracer 32 {all_bytes}"] * FIRED, "example:message lines")
        counters = sorted(line for line in lines if line.startswith("@counter["))
        assert_equal(counters, [f"@counter[{i}]: 2" for i in range(1, FIRED + 1)], "example:counter, once per call site")
        assert_equal(example.command("status"), SEMAPHORES_DOWN, "semaphores after bpftrace exits")
    finally:
        if tracer:
            tracer.stop()
        example.close()


if __name__ == "__main__":
    run_test(main)
