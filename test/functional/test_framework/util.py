"""Shared helpers for functional tests: build configuration, skips, assertions."""
import configparser
import os
import sys

# Exit code a test uses to say it was skipped; the reason is its last line.
SKIP_EXIT_CODE = 77


class SkipTest(Exception):
    """Raised to skip a test; the message says why."""


def repo_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def load_config(builddir=None):
    """Reads <builddir>/test/config.ini, written by CMake."""
    builddir = builddir or os.environ.get("BUILDDIR") or os.path.join(repo_root(), "build")
    path = os.path.join(builddir, "test", "config.ini")
    if not os.path.exists(path):
        raise SkipTest(f"{path} not found: configure and build first (cmake -B {builddir} && cmake --build {builddir})")
    config = configparser.ConfigParser()
    config.read(path)
    return config


def binary(config, name):
    path = os.path.join(config["environment"]["BUILDDIR"], "bin", name)
    if not os.path.exists(path):
        raise SkipTest(f"{path} was not built")
    return path


def usdt_enabled(config):
    return config["components"]["ENABLE_USDT"].upper() in ("ON", "TRUE", "1")


def assert_equal(actual, expected, what=""):
    if actual != expected:
        raise AssertionError(f"{what + ': ' if what else ''}expected {expected!r}, got {actual!r}")


def assert_true(condition, what):
    if not condition:
        raise AssertionError(what)


def run_test(main):
    """Runs main(); a SkipTest exits with SKIP_EXIT_CODE and its reason."""
    try:
        main()
    except SkipTest as e:
        print(f"SKIP: {e}")
        sys.exit(SKIP_EXIT_CODE)
    print("PASS")
