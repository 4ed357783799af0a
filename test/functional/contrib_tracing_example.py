#!/usr/bin/python3
"""Runs contrib/tracing/trace_example.bt, as its header says, against a
running trace_example and checks what it prints."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.util import assert_equal, assert_true, binary, load_config, repo_root, run_test  # noqa: E402
from test_framework.tracing import Bpftrace, CommandProcess, require_tracing, tracer_lock  # noqa: E402

FIRED = 2


def main():
    config = load_config()
    require_tracing(config, tools=("bpftrace",))
    path = binary(config, "trace_example")
    script = os.path.join(repo_root(), "contrib", "tracing", "trace_example.bt")
    # The script names ./build/bin/trace_example: run it from a folder where
    # ./build is this test's build directory.
    with tempfile.TemporaryDirectory() as cwd, tracer_lock("bpftrace"):
        os.symlink(config["environment"]["BUILDDIR"], os.path.join(cwd, "build"))
        example = CommandProcess([path, "--commands"])
        tracer = None
        try:
            tracer = Bpftrace(script=script, cwd=cwd)
            assert_equal(example.command(f"fire {FIRED}"), f"fired {FIRED}")
            tracer.wait_for(lambda lines: sum("example:message" in line for line in lines) >= FIRED)
        finally:
            lines = tracer.stop() if tracer else []
            example.close()
    print("\n".join(lines))
    assert_equal([line for line in lines if line.startswith("example:twelve")],
                 ["example:twelve  bool=1 int8=-100 uint8=200 int16=-30000 uint16=60000 int32=-2000000000"] * FIRED,
                 "example:twelve lines")
    all_bytes = "".join(f"\\x{i:02x}" for i in range(32))
    assert_equal([line for line in lines if line.startswith("example:message")],
                 [f'example:message text="hello, tracer" bytes[32]={all_bytes}'] * FIRED, "example:message lines")
    sites = [line for line in lines if "fire_all" in line or "fire_counter_elsewhere" in line]
    assert_equal(len(sites), 2, "example:counter call sites in the summary")
    assert_true(lines.count(f"]: {FIRED}") == 2, "each call site counted once per firing")


if __name__ == "__main__":
    run_test(main)
