"""Helpers for tests that attach real tracers (BCC, bpftrace) to programs."""
import contextlib
import fcntl
import os
import platform
import shutil
import subprocess
import threading
import time

from .util import SkipTest, usdt_enabled


def require_tracing(config, tools=("bcc",)):
    """Skips the test only where tracing is impossible, saying why."""
    if platform.system() != "Linux":
        raise SkipTest("USDT tracing needs Linux")
    if not usdt_enabled(config):
        raise SkipTest("this build has tracepoints compiled out (WITH_USDT=OFF)")
    if os.geteuid() != 0:
        raise SkipTest("attaching eBPF programs needs root")
    if "bcc" in tools:
        try:
            import bcc  # noqa: F401
        except ImportError:
            raise SkipTest("python3-bpfcc is not installed for this interpreter (run with /usr/bin/python3; depends/setup.sh installs it)")
        if not os.path.exists(f"/lib/modules/{platform.release()}/build"):
            raise SkipTest("no kernel headers for BCC: run depends/setup.sh")
    if "bpftrace" in tools and not shutil.which("bpftrace"):
        raise SkipTest("bpftrace is not installed: run depends/setup.sh")


@contextlib.contextmanager
def tracer_lock(kind):
    """Keeps BCC and bpftrace from attaching to the same binary at once.

    bpftrace registers uprobes with the kernel's semaphore reference counter
    (ref_ctr_offset); BCC registers them without and raises the semaphore
    through /proc/PID/mem. The kernel refuses a second uprobe at the same
    place with a different reference counter, so tests that use bpftrace
    (kind "bpftrace": exclusive) never overlap tests that use BCC (kind
    "bcc": shared among themselves) when the test runner runs them in
    parallel.
    """
    path = os.path.join("/tmp", f"bitcoin-observed-tracers-{os.getuid()}.lock")
    with open(path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if kind == "bpftrace" else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class CommandProcess:
    """A program driven line by line over stdin/stdout (trace_example --commands)."""

    def __init__(self, args):
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)

    @property
    def pid(self):
        return self.proc.pid

    def command(self, line, timeout=30):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.readline(timeout)

    def readline(self, timeout=30):
        result = []
        reader = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()))
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            raise AssertionError(f"no answer from {self.proc.args[0]} within {timeout}s")
        return result[0].strip()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class Bpftrace:
    """Runs a bpftrace program in the background and collects its output."""

    def __init__(self, program=None, args=(), script=None, cwd=None, ready_timeout=60, script_args=()):
        """Runs the program text (-e), or the script file when script is given.
        args go before the program (bpftrace options), script_args after it
        (the script's positional parameters $1, $2, ...)."""
        source = [script] if script else ["-e", program]
        self.proc = subprocess.Popen(["bpftrace", *args, *source, *map(str, script_args)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1, cwd=cwd)
        self.lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.time() + ready_timeout
        while not any(line.startswith("Attaching") for line in self.lines):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise AssertionError("bpftrace did not attach:\n" + "\n".join(self.lines))
            time.sleep(0.05)
        time.sleep(0.2)  # "Attaching" is printed just before the probes are live

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate(self.lines):
                return
            time.sleep(0.05)
        raise AssertionError("bpftrace output never matched; got:\n" + "\n".join(self.lines))

    def stop(self):
        """Interrupts bpftrace (it prints its maps) and returns all its output."""
        if self.proc.poll() is None:
            self.proc.send_signal(2)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(10)
        return self.lines
