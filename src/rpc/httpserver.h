#pragma once

// The HTTP server under JSON-RPC and REST: libevent's evhttp on one event
// loop thread, a bounded work queue (-rpcworkqueue, 503 "Work queue depth
// exceeded" when full) served by -rpcthreads worker threads, -rpcbind /
// -rpcallowip (loopback only by default), -rpcport by network, a body size
// limit and -rpcservertimeout.
//
// Order for bitcoind (rpc/httprpc.h wraps all of it in StartRpcServer etc.):
//   InitHttpServer -> RegisterHttpHandler(...) -> StartHttpServer -> ...
//   -> InterruptHttpServer -> StopHttpServer

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

class ArgsManager;
struct evhttp_request;
struct event_base;

// Registers -rpcbind -rpcallowip -rpcport -rpcthreads -rpcworkqueue
// -rpcservertimeout -rpcuser -rpcpassword -rpcauth -rpccookiefile
// -rpccookieperms -server -rest (and the hidden test knobs) in `args`.
void RegisterRpcOptions(ArgsManager& args);

// Default -rpcport of a network ("main" 8332, "test" 18332, "testnet4" 48332,
// "signet" 38332, "regtest" 18443).
uint16_t DefaultRpcPort(const std::string& chain);

// Largest request body accepted (bigger ones get 413).
inline constexpr size_t MAX_HTTP_BODY_SIZE = 0x02000000;

enum HttpStatus : int {
    HTTP_OK = 200,
    HTTP_NO_CONTENT = 204,
    HTTP_BAD_REQUEST = 400,
    HTTP_UNAUTHORIZED = 401,
    HTTP_FORBIDDEN = 403,
    HTTP_NOT_FOUND = 404,
    HTTP_BAD_METHOD = 405,
    HTTP_INTERNAL_SERVER_ERROR = 500,
    HTTP_SERVICE_UNAVAILABLE = 503,
};

// One request, handed to a handler on a worker thread. Reply exactly once
// with WriteReply; a request dropped without a reply gets 500.
class HttpRequest {
public:
    enum class Method { UNKNOWN, GET, POST, HEAD, PUT, OPTIONS };

    explicit HttpRequest(evhttp_request* req);
    ~HttpRequest();
    HttpRequest(const HttpRequest&) = delete;
    HttpRequest& operator=(const HttpRequest&) = delete;

    std::string GetUri() const;                 // path and query, as sent
    Method GetMethod() const;
    std::optional<std::string> GetHeader(const std::string& name) const;
    // Value of "?key=value" in the URI (percent-decoded), nullopt if absent.
    std::optional<std::string> GetQueryParameter(const std::string& key) const;
    std::string ReadBody();                     // whole body (once)
    std::string GetPeer() const;                // "127.0.0.1:54321" / "[::1]:54321"

    void WriteHeader(const std::string& name, const std::string& value);
    // Sends status and body (posted to the event loop thread).
    void WriteReply(int status, const std::string& body = "");

private:
    evhttp_request* m_req;
    std::string m_peer;  // read on the event loop thread: the connection may go away later
    bool m_replied = false;
};

// A handler gets the request and the part of the path after its prefix.
using HttpHandler = std::function<void(HttpRequest& request, const std::string& path_rest)>;

// exact_match: the path must equal the prefix (query string excluded);
// otherwise it must start with it. Later registrations win.
void RegisterHttpHandler(const std::string& prefix, bool exact_match, HttpHandler handler);
void UnregisterHttpHandler(const std::string& prefix, bool exact_match);

// Reads -rpcbind/-rpcallowip/-rpcport/..., binds. false with `error` when
// an option is invalid or nothing could be bound.
bool InitHttpServer(const ArgsManager& args, const std::string& chain, std::string& error);
void StartHttpServer();       // event loop thread and workers
void InterruptHttpServer();   // stop accepting; new requests get 503
void StopHttpServer();        // let in-flight replies go out, join threads, free

// The addresses actually bound ("127.0.0.1:18443", "[::1]:18443").
std::vector<std::string> GetBoundHttpAddresses();
