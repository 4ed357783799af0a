#!/usr/bin/python3
"""The node's log: debug.log in the network datadir, -debuglogfile (relative,
absolute, unusable, -nodebuglogfile), -debug / -debugexclude categories as
the logging RPC reports them, -printtoconsole, -logtimestamps,
-logthreadnames, -shrinkdebugfile, and SIGHUP reopening the file after
log rotation."""
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.test_node import ErrorMatch  # noqa: E402
from test_framework.util import assert_equal, assert_true  # noqa: E402

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ")


class LoggingTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def read_log(self, path=None):
        with open(path or self.nodes[0].debug_log_path, encoding="utf8", errors="replace") as f:
            return f.read()

    def run_test(self):
        node = self.nodes[0]
        self.log.info("debug.log in the network datadir, with timestamps and thread names")
        log = self.read_log()
        assert_true("init message: Done loading" in log, "Done loading logged")
        done = [line for line in log.splitlines() if "init message: Done loading" in line][-1]
        assert_true(TIMESTAMP.match(done), f"timestamped line: {done!r}")
        assert_true(re.search(r"\[main\] ", done), f"thread name (-logthreadnames=1): {done!r}")

        self.test_log_file_options()
        self.test_categories()
        self.test_line_format()
        self.test_shrink()
        self.test_sighup()

    def test_log_file_options(self):
        node = self.nodes[0]
        self.log.info("-debuglogfile relative to the network datadir")
        self.restart_node(0, ["-debuglogfile=relative.log"])
        relative = os.path.join(node.chain_path, "relative.log")
        assert_true("init message: Done loading" in self.read_log(relative), "relative.log used")

        self.log.info("-debuglogfile absolute")
        absolute = os.path.join(self.options.tmpdir, "absolute.log")
        self.restart_node(0, [f"-debuglogfile={absolute}"])
        assert_true("init message: Done loading" in self.read_log(absolute), "absolute.log used")

        self.log.info("a log file that cannot be opened is an init error naming it")
        self.stop_node(0)
        for name, path in (("nodir/foo.log", os.path.join(node.chain_path, "nodir", "foo.log")),
                           (os.path.join(self.options.tmpdir, "nodir", "foo.log"),) * 2):
            node.assert_start_raises_init_error([f"-debuglogfile={name}"],
                                                f"Error: Could not open debug log file {path}")

        self.log.info("-nodebuglogfile: no file at all; -printtoconsole still logs")
        os.remove(node.debug_log_path)
        self.start_node(0, ["-nodebuglogfile", "-printtoconsole"])
        self.wait_until(lambda: "init message: Done loading" in node.read_stdout(), timeout=10)
        assert_true(not os.path.exists(node.debug_log_path), "no debug.log with -nodebuglogfile")
        self.stop_node(0)
        self.start_node(0)

    def categories(self):
        return {name for name, on in self.nodes[0].logging().items() if on}

    def test_categories(self):
        node = self.nodes[0]
        everything = set(node.logging())
        self.log.info("-debug=1 (the framework's) turns every category on")
        assert_equal(self.categories(), everything)
        self.log.info("-debug=none drops the categories given before it")
        self.restart_node(0, ["-debug=none", "-debug=rpc", "-debug=net"])
        assert_equal(self.categories(), {"rpc", "net"})
        self.log.info("-debugexclude removes categories -debug enabled")
        self.restart_node(0, ["-debugexclude=net", "-debugexclude=rpc"])
        assert_equal(self.categories(), everything - {"net", "rpc"})
        self.log.info("-nodebug after -debug=1 turns everything off")
        self.restart_node(0, ["-nodebug"])
        assert_equal(self.categories(), set())
        self.log.info("debug lines carry their category; without it they are not written")
        self.restart_node(0, ["-debug=none", "-debug=rpc"])
        with node.assert_debug_log(["[rpc]"]):
            node.getblockcount()
        self.restart_node(0, ["-debug=none"])
        with node.assert_debug_log([], unexpected_msgs=["[rpc]"]):
            node.getblockcount()
        self.log.info("unknown categories are init errors")
        self.stop_node(0)
        node.assert_start_raises_init_error(["-debug=nosuch"], "Error: Unsupported logging category -debug=nosuch.")
        node.assert_start_raises_init_error(["-debugexclude=nosuch"],
                                            "Error: Unsupported logging category -debugexclude=nosuch.")
        self.start_node(0)

    def test_line_format(self):
        node = self.nodes[0]
        self.log.info("-logtimestamps=0 and -logthreadnames=0: bare messages")
        self.restart_node(0, ["-logtimestamps=0", "-logthreadnames=0"])
        self.stop_node(0)
        lines = self.read_log().splitlines()
        last_start = max(i for i, line in enumerate(lines) if "version v" in line)
        for line in lines[last_start:]:
            assert_true(not TIMESTAMP.match(line), f"no timestamp: {line!r}")
            assert_true(not line.startswith("[main]"), f"no thread name: {line!r}")
        assert_true("Shutdown: done" in lines[-1], f"last line is Shutdown: done: {lines[-1]!r}")
        self.start_node(0)

    def test_shrink(self):
        node = self.nodes[0]
        self.log.info("-shrinkdebugfile trims a large debug.log at start")
        self.stop_node(0)
        with open(node.debug_log_path, "a", encoding="utf8") as f:
            f.write(("x" * 99 + "\n") * 120_000)  # 12 MB
        big = os.path.getsize(node.debug_log_path)
        self.log.info("... not by default while -debug is on")
        self.start_node(0)
        self.stop_node(0)
        assert_true(os.path.getsize(node.debug_log_path) >= big, "kept with -debug=1")
        self.start_node(0, ["-shrinkdebugfile=1"])
        size = os.path.getsize(node.debug_log_path)
        assert_true(size < 11 * 1000 * 1000, f"shrunk to {size} bytes")
        assert_true("init message: Done loading" in self.read_log(), "still logging after the shrink")

    def test_sighup(self):
        node = self.nodes[0]
        self.log.info("SIGHUP reopens debug.log (log rotation)")
        rotated = node.debug_log_path + ".1"
        os.rename(node.debug_log_path, rotated)
        node.getblockcount()
        os.kill(node.process.pid, signal.SIGHUP)
        self.wait_until(lambda: os.path.exists(node.debug_log_path), timeout=10)
        before = os.path.getsize(rotated)
        node.getblockcount()
        with node.assert_debug_log(["Shutdown: done"], timeout=30):
            self.stop_node(0)
        assert_equal(os.path.getsize(rotated), before, "nothing more written to the rotated file")
        self.start_node(0)


if __name__ == "__main__":
    LoggingTest().main()
