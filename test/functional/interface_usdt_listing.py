#!/usr/bin/python3
"""Checks that readelf, gdb, tplist and bpftrace all list trace_example's
probes; that each probe's note names its semaphore, shared by both call sites
of example:counter; that the notes state each argument's sign and width; and
that each probe site is the configured nop instruction."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.util import assert_equal, assert_true, binary, load_config, run_test  # noqa: E402
from test_framework.tracing import require_tracing  # noqa: E402

PROBES = {"example:twelve": 1, "example:counter": 2, "example:message": 1}  # name: call sites
# bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, string, pointer, uint64
TWELVE_SIZES = ["1", "-1", "1", "-2", "2", "-4", "4", "-8", "8", "8", "8", "8"]
NOP1 = bytes([0x90])
NOP5 = bytes([0x0f, 0x1f, 0x44, 0x00, 0x00])
LEA_DOWN = bytes([0x48, 0x8d, 0x64, 0x24, 0x80])               # lea -0x80(%rsp),%rsp
LEA_UP = bytes([0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00])  # lea 0x80(%rsp),%rsp


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def readelf_notes(path):
    """[(provider:name, location, semaphore, [argument specs])] from readelf -n."""
    notes = []
    for block in run("readelf", "-n", path).split("NT_STAPSDT")[1:]:
        provider = re.search(r"Provider: (\S+)", block).group(1)
        name = re.search(r"Name: (\S+)", block).group(1)
        location = int(re.search(r"Location: (0x[0-9a-f]+)", block).group(1), 16)
        semaphore = int(re.search(r"Semaphore: (0x[0-9a-f]+)", block).group(1), 16)
        arguments = re.search(r"Arguments: ?(.*)", block).group(1).split()
        notes.append((f"{provider}:{name}", location, semaphore, arguments))
    return notes


def file_bytes_at(path, address, length):
    """Bytes of the loaded image at a virtual address (via the section headers)."""
    for line in run("readelf", "-S", "-W", path).splitlines():
        fields = re.match(r"\s*\[\s*\d+\]\s+\.text\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if fields:
            addr, offset, size = (int(f, 16) for f in fields.groups())
            assert_true(addr <= address < addr + size, f"probe at {address:#x} is outside .text")
            with open(path, "rb") as f:
                f.seek(offset + address - addr)
                return f.read(length)
    raise AssertionError("no .text section")


def check_notes(path, nop5):
    notes = readelf_notes(path)
    for probe, sites in PROBES.items():
        mine = [n for n in notes if n[0] == probe]
        assert_equal(len(mine), sites, f"call sites of {probe} in readelf -n")
        semaphores = {n[2] for n in mine}
        assert_equal(len(semaphores), 1, f"{probe}: one semaphore shared by its call sites")
        assert_true(0 not in semaphores, f"{probe}: the note names a semaphore")
        for _, location, _, _ in mine:
            if nop5:
                window = file_bytes_at(path, location - len(LEA_DOWN), len(LEA_DOWN) + len(NOP5) + len(LEA_UP))
                assert_equal(window, LEA_DOWN + NOP5 + LEA_UP, f"{probe} at {location:#x}: 5-byte nop between lea pair")
            else:
                assert_equal(file_bytes_at(path, location, 1), NOP1, f"{probe} at {location:#x}: 1-byte nop")
    twelve = next(n for n in notes if n[0] == "example:twelve")
    assert_equal([spec.split("@")[0] for spec in twelve[3]], TWELVE_SIZES, "example:twelve argument sizes and signs")
    # The semaphore symbols carry the systemtap names.
    symbols = run("nm", path)
    for probe in PROBES:
        name = probe.replace(":", "_") + "_semaphore"
        match = re.search(rf"^([0-9a-f]+) \w {name}$", symbols, re.M)
        assert_true(match, f"symbol {name} in nm output")
        semaphore = next(n[2] for n in notes if n[0] == probe)
        assert_equal(int(match.group(1), 16), semaphore, f"{name} is the address the note gives")
    return notes


def main():
    config = load_config()
    require_tracing(config, tools=("bcc", "bpftrace"))
    path = binary(config, "trace_example")
    nop5 = config["components"]["USDT_NOP5"].upper() in ("ON", "TRUE", "1")
    check_notes(path, nop5)

    gdb = run("gdb", "-batch", "-ex", "info probes", path)
    for probe, sites in PROBES.items():
        provider, name = probe.split(":")
        rows = [line for line in gdb.splitlines() if re.match(rf"\s*stap\s+{provider}\s+{name}\s", line)]
        assert_equal(len(rows), sites, f"gdb info probes rows for {probe}")

    tplist = run("tplist-bpfcc", "-l", path)
    for probe in PROBES:
        assert_true(re.search(rf"\b{probe}\b", tplist), f"tplist-bpfcc lists {probe}")

    listed = set(run("bpftrace", "-l", f"usdt:{path}:*").split())
    for probe in PROBES:
        assert_true(f"usdt:{path}:{probe}" in listed, f"bpftrace -l lists {probe}")
    print("listed by readelf, gdb, tplist-bpfcc and bpftrace:", ", ".join(PROBES))


if __name__ == "__main__":
    run_test(main)
