#!/usr/bin/python3
"""Runs contrib/tracing/log_addrman.bt against a live bitcoind (bpftrace -p
PID, from a folder where ./build is this build) and checks its lines against
getrawaddrman:

- ATTEMPT_ADD for addpeeraddress: inserted=yes, the address with port, AS 0,
  the source (the address itself) and the new-table bucket/position where
  getrawaddrman shows it.
- ATTEMPT_ADD inserted=no for the first address of one /16 whose position
  in the group's bucket is taken (addpeeraddress: failed-adding-to-new).
- MOVE_TO_GOOD for addpeeraddress with tried=true, with its tried-table
  bucket/position.
- the counts bpftrace prints when stopped."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.tracing import Bpftrace, tracer_lock  # noqa: E402
from test_framework.util import assert_equal, assert_true, repo_root  # noqa: E402

SCRIPT = os.path.join(repo_root(), "contrib", "tracing", "log_addrman.bt")
ADD = re.compile(r"^ATTEMPT_ADD inserted=(yes|no) addr=(\S+) as=(\d+) source=(\S+) new\[(\d+)\]\[(\d+)\]$")
GOOD = re.compile(r"^MOVE_TO_GOOD addr=(\S+) as=(\d+) source=(\S+) source_as=(\d+) tried\[(\d+)\]\[(\d+)\]$")


def where(raw, table, addr, port):
    for key, e in raw[table].items():
        if e["address"] == addr and e["port"] == port:
            return tuple(int(x) for x in key.split("/"))
    return None


class LogAddrmanTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def skip_test_if_missing_module(self):
        self.skip_if_no_tracing(("bpftrace",))

    def run_test(self):
        node = self.nodes[0]
        with tempfile.TemporaryDirectory() as cwd, tracer_lock("bpftrace"):
            os.symlink(self.config["environment"]["BUILDDIR"], os.path.join(cwd, "build"))
            tracer = Bpftrace(script=SCRIPT, args=["-p", str(node.process.pid)], cwd=cwd)
            try:
                self.log.info("addpeeraddress: one ATTEMPT_ADD line")
                assert_equal(node.addpeeraddress("1.2.3.4", 8333), {"success": True})
                tracer.wait_for(lambda lines: len(self.adds(lines)) >= 1)

                self.log.info("one /16 until a position is taken: inserted=no")
                collided = None
                for i in range(1, 200):
                    ip = f"1.2.{i // 250}.{i % 250 + 1}"
                    if not node.addpeeraddress(ip, 8333)["success"]:
                        collided = ip
                        break
                assert_true(collided is not None, "a collision in one bucket")
                tracer.wait_for(lambda lines: any(a[1] == f"{collided}:8333" for a in self.adds(lines)))

                self.log.info("addpeeraddress tried=true: MOVE_TO_GOOD")
                assert_equal(node.addpeeraddress("5.6.7.8", 8333, True), {"success": True})
                tracer.wait_for(lambda lines: len(self.goods(lines)) >= 1)
                raw = node.getrawaddrman()
            finally:
                lines = tracer.stop()
        self.log.info("output:\n" + "\n".join(lines))
        assert_true(any(line.startswith("Logging addrman attempt_add and move_to_good events") for line in lines),
                    "the header")
        adds = {a[1]: a for a in self.adds(lines)}
        first = adds["1.2.3.4:8333"]
        assert_equal(first, ("yes", "1.2.3.4:8333", 0, "1.2.3.4") + where(raw, "new", "1.2.3.4", 8333))
        bad = adds[f"{collided}:8333"]
        assert_equal(bad[:4], ("no", f"{collided}:8333", 0, collided))
        occupant = raw["new"][f"{bad[4]}/{bad[5]}"]
        assert_true(occupant["address"] != collided, "the position belongs to another address")
        assert_equal(bad[4], first[4])  # one /16, one source group: one bucket
        inserted = [a for a in self.adds(lines) if a[0] == "yes"]
        assert_equal(len(self.adds(lines)), len(inserted) + 1)
        goods = self.goods(lines)
        assert_equal(goods, [("5.6.7.8:8333", 0, "5.6.7.8", 0) + where(raw, "tried", "5.6.7.8", 8333)])
        # The counts printed at exit.
        text = "\n".join(lines)
        assert_true(re.search(rf"^@inserted: {len(inserted)}$", text, re.M), "@inserted count")
        assert_true(re.search(r"^@not_inserted: 1$", text, re.M), "@not_inserted count")
        assert_true(re.search(r"^@moved_to_tried: 1$", text, re.M), "@moved_to_tried count")

    @staticmethod
    def adds(lines):
        out = []
        for line in lines:
            m = ADD.match(line)
            if m:
                ins, addr, asn, src, b, p = m.groups()
                out.append((ins, addr, int(asn), src, int(b), int(p)))
        return out

    @staticmethod
    def goods(lines):
        out = []
        for line in lines:
            m = GOOD.match(line)
            if m:
                addr, asn, src, src_as, b, p = m.groups()
                out.append((addr, int(asn), src, int(src_as), int(b), int(p)))
        return out


if __name__ == "__main__":
    LogAddrmanTest().main()
