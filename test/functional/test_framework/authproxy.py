"""A small JSON-RPC client for tests (http.client, one keep-alive connection).

    proxy = AuthServiceProxy("http://user:pass@127.0.0.1:18443")
    proxy.getblockcount()                  # positional -> JSON array params
    proxy.getblock(blockhash=h, verbosity=2)  # named -> JSON object params
    proxy.getblock(h, verbosity=2)         # both -> object with an "args" array

Numbers with a fraction or exponent come back as Decimal; Decimals are sent
as exact JSON numbers. An error reply raises JSONRPCException whose .error is
the {"code", "message"} dict and .http_status the HTTP status.
"""
import base64
import decimal
import http.client
import itertools
import json
import socket
import time
import urllib.parse

USER_AGENT = "bitcoin-observed-tests/1"
HTTP_TIMEOUT = 30


class JSONRPCException(Exception):
    def __init__(self, rpc_error, http_status=None):
        try:
            errmsg = f"{rpc_error['message']} ({rpc_error['code']})"
        except (KeyError, TypeError):
            errmsg = str(rpc_error)
        super().__init__(errmsg)
        self.error = rpc_error
        self.http_status = http_status


def encode_json(obj):
    """JSON text with Decimals written as exact numbers."""
    if isinstance(obj, decimal.Decimal):
        if not obj.is_finite():
            raise TypeError(f"cannot encode {obj} as JSON")
        return format(obj, "f")
    if isinstance(obj, bool) or obj is None:
        return json.dumps(obj)
    if isinstance(obj, (int, float, str)):
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + encode_json(v) for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(encode_json(v) for v in obj) + "]"
    if isinstance(obj, (bytes, bytearray)):
        return json.dumps(bytes(obj).hex())
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def decode_json(text):
    return json.loads(text, parse_float=decimal.Decimal)


class AuthServiceProxy:
    _ids = itertools.count(1)

    def __init__(self, url, service_name=None, timeout=HTTP_TIMEOUT, jsonrpc_version="1.0", logger=None):
        self._url = url
        self._service_name = service_name
        self._timeout = timeout
        self._jsonrpc_version = jsonrpc_version
        self._logger = logger
        parsed = urllib.parse.urlparse(url)
        self._host = parsed.hostname or "127.0.0.1"
        self._port = parsed.port or 80
        self._path = parsed.path or "/"
        user = urllib.parse.unquote(parsed.username or "")
        password = urllib.parse.unquote(parsed.password or "")
        self._auth = (b"Basic " + base64.b64encode(f"{user}:{password}".encode())) if parsed.username is not None else None
        self._holder = [None]  # the connection, shared with method proxies

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        method = name if self._service_name is None else f"{self._service_name}.{name}"
        child = AuthServiceProxy(self._url, method, self._timeout, self._jsonrpc_version, self._logger)
        child._holder = self._holder
        return child

    def _connection(self):
        holder = self._holder
        if holder[0] is None:
            holder[0] = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return holder[0]

    def _drop_connection(self):
        holder = self._holder
        if holder[0] is not None:
            holder[0].close()
            holder[0] = None

    def close(self):
        self._drop_connection()

    def request(self, method, params):
        """One JSON-RPC request object (without sending it)."""
        req = {"method": method, "params": params, "id": next(self._ids)}
        if self._jsonrpc_version == "2.0":
            req = {"jsonrpc": "2.0", **req}
        else:
            req = {"version": "1.1", **req}
        return req

    def get_request(self, *args, **kwargs):
        if args and kwargs:
            params = dict(kwargs, args=list(args))
        elif kwargs:
            params = kwargs
        else:
            params = list(args)
        return self.request(self._service_name, params)

    def __call__(self, *args, **kwargs):
        if self._service_name is None:
            raise TypeError("call a method: proxy.getblockcount()")
        if self._logger:
            self._logger.debug(f"-> {self._service_name} {encode_json(list(args))} {encode_json(kwargs)}")
        response, status = self._send(encode_json(self.get_request(*args, **kwargs)))
        if isinstance(response, dict) and response.get("error") is not None:
            raise JSONRPCException(response["error"], status)
        if not isinstance(response, dict) or "result" not in response:
            raise JSONRPCException({"code": -343, "message": "missing JSON-RPC result"}, status)
        if self._logger:
            self._logger.debug(f"<- {self._service_name} {encode_json(response['result'])[:1000]}")
        return response["result"]

    def batch(self, requests):
        """Sends a list of request objects (get_request(...)) as one batch; returns the reply list."""
        response, status = self._send(encode_json(list(requests)))
        if not isinstance(response, list):
            raise JSONRPCException(response.get("error", response) if isinstance(response, dict) else response, status)
        return response

    _batch = batch

    def send_raw(self, body, headers=None, method="POST", path=None):
        """Sends any body; returns the http.client response (read it)."""
        conn = self._connection()
        hdrs = {"Host": self._host, "User-Agent": USER_AGENT, "Content-type": "application/json"}
        if self._auth:
            hdrs["Authorization"] = self._auth.decode()
        hdrs.update(headers or {})
        conn.request(method, path or self._path, body.encode() if isinstance(body, str) else body, hdrs)
        return conn.getresponse()

    def _send(self, body):
        for attempt in range(2):
            try:
                response = self.send_raw(body)
                data = response.read()
                break
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                # A kept-alive connection the server closed: retry once on a new one.
                self._drop_connection()
                if attempt:
                    raise
            except (socket.timeout, TimeoutError):
                self._drop_connection()
                raise
        content_type = response.getheader("Content-Type", "")
        if response.getheader("Connection", "").lower() == "close":
            self._drop_connection()
        if content_type != "application/json":
            raise JSONRPCException({"code": -342, "message": f"non-JSON HTTP response with '{response.status} {response.reason}' from server: {data[:200]!r}"},
                                   response.status)
        try:
            return decode_json(data.decode()), response.status
        except ValueError as e:
            raise JSONRPCException({"code": -343, "message": f"invalid JSON from server: {e}"}, response.status)


def wait_for_port(host, port, timeout=10):
    """True once something accepts TCP connections at host:port."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False
