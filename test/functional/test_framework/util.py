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


# --- assertions and helpers for node tests (BitcoinTestFramework) ------------

import inspect  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from decimal import Decimal, ROUND_DOWN  # noqa: E402,F401

from .authproxy import JSONRPCException  # noqa: E402


def assert_not_equal(a, b, what=""):
    if a == b:
        raise AssertionError(f"{what + ': ' if what else ''}{a!r} == {b!r}")


def assert_greater_than(a, b):
    if not a > b:
        raise AssertionError(f"{a!r} <= {b!r}")


def assert_greater_than_or_equal(a, b):
    if not a >= b:
        raise AssertionError(f"{a!r} < {b!r}")


def assert_less_than(a, b):
    assert_greater_than(b, a)


def assert_approx(v, vexp, vspan=Decimal("0.00001")):
    if v < vexp - vspan or v > vexp + vspan:
        raise AssertionError(f"{v} not within {vexp} +/- {vspan}")


def assert_is_hex_string(s):
    try:
        int(s, 16)
    except (TypeError, ValueError):
        raise AssertionError(f"{s!r} is not a hex string")


def assert_is_hash_string(s, length=64):
    if not isinstance(s, str) or len(s) != length or not re.fullmatch(r"[0-9a-f]*", s):
        raise AssertionError(f"{s!r} is not a {length}-digit lowercase hex string")


def assert_raises(exc, fun, *args, **kwds):
    assert_raises_message(exc, None, fun, *args, **kwds)


def assert_raises_message(exc, message, fun, *args, **kwds):
    try:
        fun(*args, **kwds)
    except JSONRPCException as e:
        if exc is JSONRPCException or (isinstance(exc, tuple) and JSONRPCException in exc):
            if message is not None and message not in e.error["message"]:
                raise AssertionError(f"expected message {message!r} in {e.error['message']!r}")
            return
        raise AssertionError(f"JSONRPCException raised: {e.error}")
    except exc as e:
        if message is not None and message not in str(e):
            raise AssertionError(f"expected message {message!r} in {str(e)!r}")
        return
    except Exception as e:
        raise AssertionError(f"unexpected exception raised: {type(e).__name__}: {e}")
    raise AssertionError("no exception raised")


def assert_raises_rpc_error(code, message, fun, *args, **kwds):
    """fun(*args, **kwds) must raise JSONRPCException with this code (None: any)
    and a message containing `message` (None: any)."""
    try:
        fun(*args, **kwds)
    except JSONRPCException as e:
        if code is not None and e.error.get("code") != code:
            raise AssertionError(f"expected RPC error code {code}, got {e.error}")
        if message is not None and message not in e.error.get("message", ""):
            raise AssertionError(f"expected RPC error message containing {message!r}, got {e.error}")
        return e.error
    except Exception as e:
        raise AssertionError(f"unexpected exception raised: {type(e).__name__}: {e}")
    raise AssertionError(f"no exception raised (expected RPC error {code} {message!r})")


def assert_raises_process_error(returncode, output, fun, *args, **kwds):
    """fun must raise subprocess.CalledProcessError with this returncode (None:
    any non-zero) whose output (stderr for bitcoin-cli) contains `output`."""
    try:
        fun(*args, **kwds)
    except subprocess.CalledProcessError as e:
        if returncode is not None and e.returncode != returncode:
            raise AssertionError(f"expected exit code {returncode}, got {e.returncode}: {e.output!r}")
        if output is not None and output not in (e.output or ""):
            raise AssertionError(f"expected {output!r} in the output {e.output!r}")
        return e
    raise AssertionError("no exception raised")


def wait_until(predicate, timeout=60, check_interval=0.05, what=None, lock=None):
    """Calls predicate until it returns a true value (returned); raises after timeout s."""
    deadline = time.time() + timeout
    while True:
        if lock:
            with lock:
                value = predicate()
        else:
            value = predicate()
        if value:
            return value
        if time.time() > deadline:
            try:
                source = inspect.getsource(predicate).strip()
            except (OSError, TypeError):
                source = repr(predicate)
            raise AssertionError(f"wait_until timed out after {timeout} s: {what or source}")
        time.sleep(check_interval)


wait_until_helper = wait_until


def satoshi_round(amount):
    """Rounds down to whole satoshis, as a Decimal."""
    return Decimal(amount).quantize(Decimal("0.00000001"), rounding=ROUND_DOWN)


def to_satoshis(amount):
    """BTC (Decimal, str or int) -> int satoshis."""
    sats = Decimal(str(amount)) * 100_000_000
    if sats != sats.to_integral_value():
        raise ValueError(f"{amount} has more than 8 decimals")
    return int(sats)


def to_btc(satoshis):
    """int satoshis -> Decimal BTC with 8 decimals."""
    return (Decimal(satoshis) / 100_000_000).quantize(Decimal("0.00000001"))


def count_bytes(hex_string):
    return len(bytes.fromhex(hex_string))


def str_to_b64str(string):
    import base64
    return base64.b64encode(string.encode("utf-8")).decode("ascii")


def hex_str_to_bytes(hex_str):
    return bytes.fromhex(hex_str)


# --- ports -------------------------------------------------------------------
# Each test process owns a block of PORTS_PER_PROCESS ports derived from its
# pid, below Linux's ephemeral range, so tests run in parallel (and by several
# people at once) do not collide. Nodes i use base + 2i (P2P) and base + 2i + 1
# (RPC); extra_port(k) hands out the rest (ZMQ endpoints, ...).
PORT_MIN = 11000
PORTS_PER_PROCESS = 30
MAX_NODES = 10
_PORT_SLOTS = (32000 - PORT_MIN) // PORTS_PER_PROCESS
_port_base = None


def _port_free(port):
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def port_base():
    """First port of this process's block: from the pid, moved on past busy blocks."""
    global _port_base
    if _port_base is None:
        slot = os.getpid() % _PORT_SLOTS
        for step in range(_PORT_SLOTS):
            base = PORT_MIN + ((slot + step * 7) % _PORT_SLOTS) * PORTS_PER_PROCESS
            if all(_port_free(base + k) for k in range(PORTS_PER_PROCESS)):
                _port_base = base
                break
        else:
            _port_base = PORT_MIN + slot * PORTS_PER_PROCESS
    return _port_base


def p2p_port(n):
    assert n < MAX_NODES
    return port_base() + 2 * n


def rpc_port(n):
    assert n < MAX_NODES
    return port_base() + 2 * n + 1


def extra_port(k):
    """The k-th spare port of this process (k < 10)."""
    assert 0 <= k < PORTS_PER_PROCESS - 2 * MAX_NODES
    return port_base() + 2 * MAX_NODES + k
