#!/usr/bin/python3
"""Runs the functional tests in parallel and reports each result.

Every test is a script in this folder (not test_runner.py): exit code 0 is a
pass, 77 a skip (its last output line says why), anything else a failure.
The last line is "N passed, N failed, N skipped"; the exit code is non-zero
when a test failed (or none ran).

Usage: test/functional/test_runner.py [--builddir DIR] [--filter GLOB] [-j N]
"""
import argparse
import concurrent.futures
import fnmatch
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_framework.util import SKIP_EXIT_CODE, repo_root  # noqa: E402

# Debian's interpreter has python3-bpfcc and python3-zmq; another python3 may
# come first on PATH.
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def discover():
    return sorted(name for name in os.listdir(HERE)
                  if name.endswith(".py") and name != "test_runner.py")


def run_one(name, builddir, timeout):
    start = time.time()
    env = dict(os.environ, BUILDDIR=builddir)
    try:
        proc = subprocess.run([PYTHON, os.path.join(HERE, name)], env=env, capture_output=True,
                              text=True, timeout=timeout)
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        code = -1
        output = f"{(e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or '')}\ntimed out after {timeout}s"
    return name, code, output, time.time() - start


def clear_chain_cache(builddir):
    """The node tests' cached chain is built once per run: drop the last run's."""
    from test_framework.framework import clear_cache
    from test_framework.util import SkipTest, load_config
    try:
        clear_cache(load_config(builddir))
    except (SkipTest, OSError):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--builddir", default=os.path.join(repo_root(), "build"),
                        help="build directory holding bin/ and test/config.ini (default: build)")
    parser.add_argument("--filter", action="append", default=[],
                        help="run only tests whose file name matches this glob (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per test")
    parser.add_argument("--verbose", action="store_true", help="print every test's output")
    parser.add_argument("--keepcache", action="store_true",
                        help="reuse the cached 200-block chain from an earlier run (default: rebuild it once per run)")
    args = parser.parse_args()
    builddir = os.path.abspath(args.builddir)

    tests = discover()
    if args.filter:
        tests = [t for t in tests if any(fnmatch.fnmatch(t, f) or fnmatch.fnmatch(t, f + ".py") for f in args.filter)]
    if not tests:
        print("no test matched")
        print("0 passed, 0 failed, 0 skipped")
        return 1

    if not args.keepcache:
        clear_chain_cache(builddir)
    print(f"Running {len(tests)} functional tests against {builddir} with {args.jobs} jobs")
    passed, failed, skipped = [], [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, t, builddir, args.timeout) for t in tests]
        for future in concurrent.futures.as_completed(futures):
            name, code, output, seconds = future.result()
            lines = [line for line in output.strip().splitlines() if line.strip()]
            if code == 0:
                passed.append(name)
                print(f"{name:45s} passed  ({seconds:.1f} s)")
            elif code == SKIP_EXIT_CODE:
                reason = lines[-1] if lines else "no reason given"
                skipped.append(name)
                print(f"{name:45s} skipped ({reason})")
            else:
                failed.append(name)
                print(f"{name:45s} FAILED  (exit {code}, {seconds:.1f} s)")
            if args.verbose or code not in (0, SKIP_EXIT_CODE):
                print("\n".join("    " + line for line in output.splitlines()))

    print(f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
