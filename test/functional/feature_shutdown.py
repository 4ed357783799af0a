#!/usr/bin/python3
"""Clean shutdown and process management: the stop RPC's reply arrives
before the node exits 0; the pid file (-pid) and the RPC cookie exist while
the node runs and are removed at shutdown; -daemon returns to the shell at
once and the node runs on in the background; -daemonwait returns only when
the node is ready (0) or failed (1). -startupnotify, -shutdownnotify,
-blocknotify run their commands; -stopatheight shuts the node down."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.authproxy import AuthServiceProxy  # noqa: E402
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import assert_equal, assert_true, wait_until  # noqa: E402


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie of ours would still answer; daemons are reparented, so this is final
    try:
        with open(f"/proc/{pid}/stat", encoding="utf8") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


class ShutdownTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        pid_file = os.path.join(node.chain_path, "bitcoind.pid")

        self.log.info("the pid file holds the process id while the node runs")
        with open(pid_file, encoding="utf8") as f:
            assert_equal(int(f.read()), node.process.pid)
        assert_true(os.path.exists(node.cookie_path), "cookie while running")

        self.log.info("the stop RPC answers, then the node exits 0, removing pid file and cookie")
        with node.assert_debug_log(["Shutdown: In progress", "Shutdown: done"], timeout=30):
            reply = node.stop()
            assert_true(isinstance(reply, str) and "stopping" in reply, f"stop reply {reply!r}")
            node.wait_until_stopped()
        assert_true(not os.path.exists(pid_file), "pid file removed")
        assert_true(not os.path.exists(node.cookie_path), "cookie removed")

        self.log.info("-pid=<absolute path>")
        custom_pid = os.path.join(self.options.tmpdir, "custom.pid")
        self.start_node(0, [f"-pid={custom_pid}"])
        with open(custom_pid, encoding="utf8") as f:
            assert_equal(int(f.read()), node.process.pid)
        assert_true(not os.path.exists(pid_file), "default pid file not written")
        self.stop_node(0)
        assert_true(not os.path.exists(custom_pid), "custom pid file removed")

        self.test_daemon(pid_file)
        self.test_daemonwait(pid_file)
        self.test_notify_commands()
        self.test_stopatheight()
        self.start_node(0)

    def test_notify_commands(self):
        node = self.nodes[0]
        self.log.info("-startupnotify and -shutdownnotify run their commands")
        started = os.path.join(self.options.tmpdir, "started")
        stopped = os.path.join(self.options.tmpdir, "stopped")
        blocks = os.path.join(self.options.tmpdir, "blocks")
        os.mkdir(blocks)
        self.start_node(0, [f"-startupnotify=touch {started}", f"-shutdownnotify=touch {stopped}",
                            f"-blocknotify=touch {blocks}/%s"])
        self.wait_until(lambda: os.path.exists(started), timeout=10)
        assert_true(not os.path.exists(stopped), "-shutdownnotify waits for the shutdown")
        self.log.info("-blocknotify runs once per new tip, %s replaced by the block hash")
        hashes = self.generate(node, 3)
        self.wait_until(lambda: sorted(os.listdir(blocks)) == sorted(hashes), timeout=10)
        self.stop_node(0)
        assert_true(os.path.exists(stopped), "-shutdownnotify ran before the node exited")

    def test_stopatheight(self):
        node = self.nodes[0]
        self.log.info("-stopatheight: the node shuts down cleanly once the tip reaches the height")
        self.start_node(0)
        node_height = node.getblockcount()
        self.stop_node(0)
        height = node_height + 2
        self.start_node(0, [f"-stopatheight={height}"])
        with node.assert_debug_log(["Shutdown: done"], timeout=30):
            try:
                self.generate(node, 5)
            except Exception as e:  # the node may go away in the middle of the call
                self.log.debug(f"generate during -stopatheight: {e}")
            node.wait_until_stopped()
        self.start_node(0)
        # generatetoaddress may finish its loop before the shutdown lands
        assert_true(node.getblockcount() >= height, "reached -stopatheight")
        self.stop_node(0)
        self.log.info("-stopatheight at or below the tip at start: the node stops right after starting")
        node.start([f"-stopatheight={height}"])
        node.wait_until_stopped()

    def daemon_rpc(self):
        node = self.nodes[0]
        with open(node.cookie_path, encoding="utf8") as f:
            user, password = f.read().strip().split(":", 1)
        return AuthServiceProxy(f"http://{user}:{password}@127.0.0.1:{node.rpc_port}", timeout=30)

    def run_daemon(self, *args):
        node = self.nodes[0]
        start = time.monotonic()
        proc = subprocess.run(node.args(list(args)), capture_output=True, text=True, timeout=120)
        return proc, time.monotonic() - start

    def stop_daemon(self, pid):
        self.daemon_rpc().stop()
        wait_until(lambda: not process_alive(pid), 60, what="the daemon to exit")

    def read_pid(self, pid_file):
        with open(pid_file, encoding="utf8") as f:
            return int(f.read())

    def test_daemon(self, pid_file):
        node = self.nodes[0]
        self.log.info("-daemon: the command returns 0 at once, the node runs on in the background")
        proc, _ = self.run_daemon("-daemon")
        assert_equal(proc.returncode, 0, f"-daemon exit code (stderr {proc.stderr!r})")
        assert_equal(proc.stderr, "", "-daemon stderr")
        wait_until(lambda: os.path.exists(pid_file) and os.path.getsize(pid_file) > 0, 60, what="the pid file")
        pid = self.read_pid(pid_file)
        assert_true(process_alive(pid), "the daemon runs")
        with open(f"/proc/{pid}/stat", encoding="utf8") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        assert_equal(int(fields[3]), pid, "the daemon leads its own session")  # session id

        def rpc_ready():
            try:
                return self.daemon_rpc().getblockcount() == 0
            except Exception:
                return False
        wait_until(rpc_ready, 60, what="the daemon's RPC")
        self.log.info("-daemon does not log to the console: stdout carries only the start message")
        assert_true("Done loading" not in proc.stdout, f"stdout {proc.stdout!r}")
        self.stop_daemon(pid)
        assert_true(not os.path.exists(pid_file), "the daemon's pid file removed")
        with open(node.debug_log_path, encoding="utf8") as f:
            assert_true("Shutdown: done" in f.read(), "the daemon shut down cleanly")

    def test_daemonwait(self, pid_file):
        node = self.nodes[0]
        self.log.info("-daemonwait: returns 0 only when the node is ready")
        proc, _ = self.run_daemon("-daemonwait")
        assert_equal(proc.returncode, 0, f"-daemonwait exit code (stderr {proc.stderr!r})")
        pid = self.read_pid(pid_file)
        # Ready: no warm-up error, no waiting.
        assert_equal(self.daemon_rpc().getblockcount(), 0)
        self.stop_daemon(pid)

        self.log.info("-daemonwait: a failure after the fork is reported by the waiting parent, exit 1")
        bad_log = os.path.join(self.options.tmpdir, "no", "such", "dir", "debug.log")
        proc, _ = self.run_daemon("-daemonwait", f"-debuglogfile={bad_log}")
        assert_equal(proc.returncode, 1, "-daemonwait exit code on failure")
        assert_equal(proc.stderr.strip(), "Error during initialization - check debug.log for details")
        assert_true(not os.path.exists(os.path.join(node.chain_path, ".cookie")), "no cookie left behind")

        self.log.info("-daemonwait: errors found before the fork go straight to stderr")
        proc, _ = self.run_daemon("-daemonwait", "-prune=-1")
        assert_equal(proc.returncode, 1)
        assert_equal(proc.stderr.strip(), "Error: Prune cannot be configured with a negative value.")


if __name__ == "__main__":
    ShutdownTest().main()
