#!/usr/bin/python3
"""Checks in the optimized disassembly of bench_bitcoin that a probe site
with nothing attached adds exactly two instructions to its function's hot
path, a compare of the semaphore in memory with zero and a not-taken branch,
for both the 1-byte and the 5-byte nop probe forms."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.util import SkipTest, assert_equal, assert_true, binary, load_config, run_test, usdt_enabled  # noqa: E402


def disassemble(path, function):
    """[(address, mnemonic, operands)] of one function, from objdump."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", f"--disassemble={function}", path],
                         capture_output=True, text=True, check=True).stdout
    instructions = []
    for line in out.splitlines():
        match = re.match(r"\s*([0-9a-f]+):\s+(\S+)\s*(.*)", line)
        if match:
            instructions.append((int(match[1], 16), match[2], match[3].split("#")[0].strip()))
    assert_true(instructions, f"{function} not found in {path}")
    return instructions


def hot_path(instructions):
    """The instructions executed from the entry to the first ret when every
    conditional branch falls through (the path with no tracer attached)."""
    by_address = {address: i for i, (address, _, _) in enumerate(instructions)}
    path, i = [], 0
    while True:
        address, mnemonic, operands = instructions[i]
        path.append((mnemonic, operands))
        if mnemonic.startswith("ret"):
            return path
        if mnemonic == "jmp":
            i = by_address[int(operands.split()[0], 16)]
        else:
            i += 1
        assert_true(len(path) < 1000, "hot path does not end")


def main():
    config = load_config()
    if not usdt_enabled(config):
        raise SkipTest("this build has tracepoints compiled out (WITH_USDT=OFF): probe sites cost nothing")
    if config["environment"]["BUILD_TYPE"] == "Debug":
        raise SkipTest("instruction counts are a property of optimized code; this is a Debug build")
    path = binary(config, "bench_bitcoin")  # skips if BUILD_BENCH=OFF
    baseline = hot_path(disassemble(path, "probe_cost_baseline"))
    for site in ("probe_cost_site_nop1", "probe_cost_site_nop5"):
        probed = hot_path(disassemble(path, site))
        print(f"{site}: {probed}")
        assert_equal(len(probed) - len(baseline), 2, f"instructions {site} adds to the hot path")
        extra = [i for i in probed if i not in baseline]
        assert_equal(len(extra), 2, f"{site}: the added instructions")
        (cmp, cmp_operands), (branch, _) = extra
        assert_true(cmp == "cmpw" and re.match(r"\$0x0,0x[0-9a-f]+\(%rip\)$", cmp_operands),
                    f"{site}: first added instruction compares the semaphore with 0: {extra[0]}")
        assert_equal(branch, "jne", f"{site}: second added instruction is the branch to the probe")


if __name__ == "__main__":
    run_test(main)
