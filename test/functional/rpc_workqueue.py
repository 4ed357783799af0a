#!/usr/bin/python3
"""-rpcworkqueue and -rpcthreads: with one worker and a queue of one, a slow
call (waitfornewblock) busy and another one queued, the next request gets
HTTP 503 "Work queue depth exceeded" at once; the node is fine afterwards
and the stop RPC still works."""
import base64
import http.client
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import BitcoinTestFramework  # noqa: E402
from test_framework.util import assert_equal, assert_less_than, wait_until  # noqa: E402

SLOW_MS = 4000


class WorkQueueTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True
        self.extra_args = [["-rpcworkqueue=1", "-rpcthreads=1"]]

    def post(self, body):
        node = self.nodes[0]
        with open(node.cookie_path, encoding="utf8") as f:
            auth = "Basic " + base64.b64encode(f.read().encode()).decode()
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=60)
        conn.request("POST", "/", body, {"Authorization": auth})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data

    def run_test(self):
        node = self.nodes[0]
        slow = '{"method":"waitfornewblock","params":[%d],"id":1}' % SLOW_MS
        results = []

        def call_slow():
            results.append(self.post(slow))

        self.log.info("one slow call running on the only worker")
        with node.assert_debug_log(["ThreadRPCServer method=waitfornewblock"], timeout=10):
            first = threading.Thread(target=call_slow)
            first.start()
        self.log.info("a second one waiting in the queue of depth 1")
        log_size = os.path.getsize(node.debug_log_path)
        second = threading.Thread(target=call_slow)
        second.start()

        def queued():
            with open(node.debug_log_path, encoding="utf8", errors="replace") as f:
                f.seek(log_size)
                return "Received a POST request for / from" in f.read()
        wait_until(queued, 10)

        self.log.info("the next request is refused with 503 at once")
        with node.assert_debug_log(["Request rejected because http work queue depth exceeded"]):
            start = time.time()
            status, body = self.post('{"method":"getblockcount","params":[],"id":2}')
            elapsed = time.time() - start
        assert_equal(status, 503)
        assert_equal(body, b"Work queue depth exceeded")
        assert_less_than(elapsed, SLOW_MS / 1000 / 2)

        self.log.info("bitcoin-cli shows the server's answer")
        code, out, err = node.cli_raw(["getblockcount"])
        assert_equal(code, 1)
        assert_equal(err.strip(), "error: Server response: Work queue depth exceeded")

        first.join()
        second.join()
        assert_equal([status for status, _ in results], [200, 200])
        self.log.info("afterwards the node answers normally")
        assert_equal(node.getblockcount(), 0)


if __name__ == "__main__":
    WorkQueueTest().main()
