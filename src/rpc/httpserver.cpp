#include <rpc/httpserver.h>

#include <util/args.h>
#include <util/logging.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <event2/util.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace {

constexpr int DEFAULT_HTTP_THREADS = 16;
constexpr int DEFAULT_HTTP_WORKQUEUE = 64;
constexpr int DEFAULT_HTTP_SERVER_TIMEOUT = 30;
constexpr size_t MAX_HEADERS_SIZE = 8192;

// An address family and up to 16 bytes, plus a prefix length for subnets.
struct NetAddr {
    int family = 0;  // AF_INET or AF_INET6
    std::array<unsigned char, 16> bytes{};
};

struct Subnet {
    NetAddr net;
    int prefix_bits = 0;
    bool Contains(const NetAddr& addr) const
    {
        if (addr.family != net.family) return false;
        int bits = prefix_bits;
        for (size_t i = 0; bits > 0; ++i, bits -= 8) {
            const unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
            if ((addr.bytes[i] & mask) != (net.bytes[i] & mask)) return false;
        }
        return true;
    }
};

std::optional<NetAddr> ParseIp(std::string text)
{
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    NetAddr addr;
    if (inet_pton(AF_INET, text.c_str(), addr.bytes.data()) == 1) {
        addr.family = AF_INET;
        return addr;
    }
    if (inet_pton(AF_INET6, text.c_str(), addr.bytes.data()) == 1) {
        addr.family = AF_INET6;
        // An IPv4-mapped address is the IPv4 address.
        static constexpr unsigned char MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(addr.bytes.data(), MAPPED, 12) == 0) {
            NetAddr v4;
            v4.family = AF_INET;
            std::copy(addr.bytes.begin() + 12, addr.bytes.end(), v4.bytes.begin());
            return v4;
        }
        return addr;
    }
    return std::nullopt;
}

// "1.2.3.4", "1.2.3.4/24", "1.2.3.4/255.255.255.0", "::1", "fe80::/10".
std::optional<Subnet> ParseSubnet(const std::string& text)
{
    const size_t slash = text.find('/');
    const auto addr = ParseIp(text.substr(0, slash));
    if (!addr) return std::nullopt;
    const int max_bits = addr->family == AF_INET ? 32 : 128;
    Subnet subnet{*addr, max_bits};
    if (slash == std::string::npos) return subnet;
    const std::string mask = text.substr(slash + 1);
    if (!mask.empty() && std::all_of(mask.begin(), mask.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (mask.size() > 3) return std::nullopt;
        const int bits = std::stoi(mask);
        if (bits > max_bits) return std::nullopt;
        subnet.prefix_bits = bits;
        return subnet;
    }
    const auto mask_addr = ParseIp(mask);
    if (!mask_addr || mask_addr->family != addr->family) return std::nullopt;
    // A netmask must be contiguous ones then zeros.
    int bits = 0;
    bool seen_zero = false;
    for (int i = 0; i < max_bits; ++i) {
        const bool one = (mask_addr->bytes[i / 8] >> (7 - i % 8)) & 1;
        if (one && seen_zero) return std::nullopt;
        if (one) ++bits; else seen_zero = true;
    }
    subnet.prefix_bits = bits;
    return subnet;
}

struct HandlerEntry {
    std::string prefix;
    bool exact_match;
    HttpHandler handler;
};

struct WorkItem {
    std::unique_ptr<HttpRequest> request;
    std::string path_rest;
    HttpHandler handler;
};

// A bounded queue served by the worker threads.
class WorkQueue {
public:
    explicit WorkQueue(size_t max_depth) : m_max_depth(max_depth) {}
    // Takes the item only when there is room.
    bool Enqueue(std::unique_ptr<WorkItem>& item)
    {
        std::lock_guard lock(m_mutex);
        if (!m_running || m_queue.size() >= m_max_depth) return false;
        m_queue.push_back(std::move(item));
        m_cv.notify_one();
        return true;
    }
    void Run()
    {
        while (true) {
            std::unique_ptr<WorkItem> item;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [&] { return !m_running || !m_queue.empty(); });
                if (!m_running) return;
                item = std::move(m_queue.front());
                m_queue.pop_front();
            }
            try {
                item->handler(*item->request, item->path_rest);
            } catch (const std::exception& e) {
                LogError("HTTP handler threw: {}", e.what());
            }
        }
    }
    void Interrupt()
    {
        std::lock_guard lock(m_mutex);
        m_running = false;
        m_cv.notify_all();
    }
    // Requests that never ran (destroying them answers 500).
    void Clear()
    {
        std::deque<std::unique_ptr<WorkItem>> left;
        {
            std::lock_guard lock(m_mutex);
            left.swap(m_queue);
        }
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::unique_ptr<WorkItem>> m_queue;
    size_t m_max_depth;
    bool m_running = true;
};

// Requests not answered yet per connection, so that stopping waits for
// replies in flight (the stop RPC's own) without waiting for idle
// keep-alive connections. Touched on the event loop thread; waited on by
// the thread that stops the server.
class RequestTracker {
public:
    void Add(evhttp_request* req)
    {
        evhttp_connection* conn = evhttp_request_get_connection(req);
        std::lock_guard lock(m_mutex);
        if (!conn) return;
        if (++m_open[conn] == 1) {
            evhttp_connection_set_closecb(conn, [](evhttp_connection* c, void* self) {
                static_cast<RequestTracker*>(self)->RemoveConnection(c);
            }, this);
        }
        evhttp_request_set_on_complete_cb(req, [](evhttp_request* r, void* self) {
            static_cast<RequestTracker*>(self)->Remove(r);
        }, this);
    }
    void Remove(evhttp_request* req)
    {
        evhttp_connection* conn = evhttp_request_get_connection(req);
        std::lock_guard lock(m_mutex);
        auto it = m_open.find(conn);
        if (it == m_open.end()) return;
        if (--it->second == 0) m_open.erase(it);
        if (m_open.empty()) m_cv.notify_all();
    }
    void RemoveConnection(evhttp_connection* conn)
    {
        std::lock_guard lock(m_mutex);
        m_open.erase(conn);
        if (m_open.empty()) m_cv.notify_all();
    }
    size_t Count()
    {
        std::lock_guard lock(m_mutex);
        return m_open.size();
    }
    void WaitUntilEmpty(std::chrono::seconds timeout)
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, timeout, [&] { return m_open.empty(); });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<evhttp_connection*, int> m_open;
};

event_base* g_base = nullptr;
evhttp* g_http = nullptr;
std::vector<evhttp_bound_socket*> g_bound_sockets;
std::vector<std::string> g_bound_names;
std::vector<Subnet> g_allowed;
std::mutex g_handlers_mutex;
std::vector<HandlerEntry> g_handlers;
std::unique_ptr<WorkQueue> g_work_queue;
std::vector<std::thread> g_workers;
std::thread g_loop_thread;
RequestTracker g_tracker;
std::atomic<bool> g_rejecting{false};
int g_thread_count = DEFAULT_HTTP_THREADS;

bool ClientAllowed(const std::string& host)
{
    const auto addr = ParseIp(host);
    if (!addr) return false;
    return std::any_of(g_allowed.begin(), g_allowed.end(), [&](const Subnet& s) { return s.Contains(*addr); });
}

const char* MethodName(HttpRequest::Method m)
{
    switch (m) {
    case HttpRequest::Method::GET: return "GET";
    case HttpRequest::Method::POST: return "POST";
    case HttpRequest::Method::HEAD: return "HEAD";
    case HttpRequest::Method::PUT: return "PUT";
    case HttpRequest::Method::OPTIONS: return "OPTIONS";
    case HttpRequest::Method::UNKNOWN: break;
    }
    return "unknown";
}

std::string UriPath(const std::string& uri)
{
    return uri.substr(0, uri.find('?'));
}

void OnRequest(evhttp_request* raw, void*)
{
    g_tracker.Add(raw);
    auto request = std::make_unique<HttpRequest>(raw);
    if (g_rejecting) {
        request->WriteReply(HTTP_SERVICE_UNAVAILABLE);
        return;
    }
    const std::string peer = request->GetPeer();
    std::string host = peer.substr(0, peer.rfind(':'));
    if (!ClientAllowed(host)) {
        LogDebug(LogCategory::HTTP, "HTTP request from {} rejected: Client network is not allowed RPC access", peer);
        request->WriteReply(HTTP_FORBIDDEN);
        return;
    }
    if (request->GetMethod() == HttpRequest::Method::UNKNOWN) {
        LogDebug(LogCategory::HTTP, "HTTP request from {} rejected: Unknown HTTP request method", peer);
        request->WriteReply(HTTP_BAD_METHOD);
        return;
    }
    const std::string uri = request->GetUri();
    LogDebug(LogCategory::HTTP, "Received a {} request for {} from {}", MethodName(request->GetMethod()), uri.substr(0, 100), peer);

    const std::string path = UriPath(uri);
    std::optional<HandlerEntry> found;
    {
        std::lock_guard lock(g_handlers_mutex);
        for (auto it = g_handlers.rbegin(); it != g_handlers.rend(); ++it) {
            const bool match = it->exact_match ? path == it->prefix : path.compare(0, it->prefix.size(), it->prefix) == 0;
            if (match) {
                found = *it;
                break;
            }
        }
    }
    if (!found) {
        request->WriteReply(HTTP_NOT_FOUND);
        return;
    }
    auto item = std::make_unique<WorkItem>();
    item->path_rest = path.substr(found->prefix.size());
    item->handler = found->handler;
    item->request = std::move(request);
    if (!g_work_queue || !g_work_queue->Enqueue(item)) {
        LogWarning("Request rejected because http work queue depth exceeded (raise -rpcworkqueue= to queue more)");
        item->request->WriteReply(HTTP_SERVICE_UNAVAILABLE, "Work queue depth exceeded");
    }
}

void OnLibeventLog(int severity, const char* msg)
{
    if (severity >= EVENT_LOG_WARN) {
        LogWarning("libevent: {}", msg);
    } else {
        LogDebug(LogCategory::LIBEVENT, "libevent: {}", msg);
    }
}

// host, host:port, [v6]:port, v6.
std::pair<std::string, uint16_t> SplitHostPort(const std::string& text, uint16_t default_port, bool& ok)
{
    ok = true;
    std::string host = text;
    uint16_t port = default_port;
    std::string port_text;
    if (!text.empty() && text.front() == '[') {
        const size_t close = text.find(']');
        if (close == std::string::npos) {
            ok = false;
            return {text, port};
        }
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') ok = false;
            port_text = text.substr(close + 2);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const size_t colon = text.find(':');
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    if (!port_text.empty()) {
        if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            ok = false;
        } else {
            const int p = std::stoi(port_text);
            if (p <= 0 || p > 65535) ok = false; else port = static_cast<uint16_t>(p);
        }
    }
    return {host, port};
}

} // namespace

// ---- HttpRequest ----

HttpRequest::HttpRequest(evhttp_request* req) : m_req(req)
{
    if (evhttp_connection* conn = evhttp_request_get_connection(req)) {
        char* host = nullptr;
        ev_uint16_t port = 0;
        evhttp_connection_get_peer(conn, &host, &port);
        std::string h = host ? host : "";
        if (h.find(':') != std::string::npos) h = "[" + h + "]";
        m_peer = h + ":" + std::to_string(port);
    }
}

HttpRequest::~HttpRequest()
{
    if (!m_replied) {
        LogDebug(LogCategory::HTTP, "Unhandled HTTP request");
        WriteReply(HTTP_INTERNAL_SERVER_ERROR, "Unhandled request");
    }
}

std::string HttpRequest::GetUri() const
{
    const char* uri = evhttp_request_get_uri(m_req);
    return uri ? uri : "";
}

HttpRequest::Method HttpRequest::GetMethod() const
{
    switch (evhttp_request_get_command(m_req)) {
    case EVHTTP_REQ_GET: return Method::GET;
    case EVHTTP_REQ_POST: return Method::POST;
    case EVHTTP_REQ_HEAD: return Method::HEAD;
    case EVHTTP_REQ_PUT: return Method::PUT;
    case EVHTTP_REQ_OPTIONS: return Method::OPTIONS;
    default: return Method::UNKNOWN;
    }
}

std::optional<std::string> HttpRequest::GetHeader(const std::string& name) const
{
    const char* value = evhttp_find_header(evhttp_request_get_input_headers(m_req), name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
}

std::optional<std::string> HttpRequest::GetQueryParameter(const std::string& key) const
{
    evhttp_uri* uri = evhttp_uri_parse(GetUri().c_str());
    if (!uri) return std::nullopt;
    std::optional<std::string> result;
    if (const char* query = evhttp_uri_get_query(uri)) {
        evkeyvalq params;
        if (evhttp_parse_query_str(query, &params) == 0) {
            if (const char* value = evhttp_find_header(&params, key.c_str())) result = std::string(value);
            evhttp_clear_headers(&params);
        }
    }
    evhttp_uri_free(uri);
    return result;
}

std::string HttpRequest::ReadBody()
{
    evbuffer* buf = evhttp_request_get_input_buffer(m_req);
    if (!buf) return {};
    const size_t size = evbuffer_get_length(buf);
    std::string body(size, '\0');
    if (size) evbuffer_remove(buf, body.data(), size);
    return body;
}

std::string HttpRequest::GetPeer() const { return m_peer; }

namespace {
struct PendingHeaders {
    std::mutex mutex;
    std::map<evhttp_request*, std::vector<std::pair<std::string, std::string>>> headers;
};
PendingHeaders g_pending_headers;

struct PostedReply {
    evhttp_request* req;
    int status;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

void SendPostedReply(evutil_socket_t, short, void* arg)
{
    std::unique_ptr<PostedReply> reply(static_cast<PostedReply*>(arg));
    evkeyvalq* out_headers = evhttp_request_get_output_headers(reply->req);
    for (const auto& [name, value] : reply->headers) evhttp_add_header(out_headers, name.c_str(), value.c_str());
    evbuffer* buf = evhttp_request_get_output_buffer(reply->req);
    if (!reply->body.empty()) evbuffer_add(buf, reply->body.data(), reply->body.size());
    const bool connected = evhttp_request_get_connection(reply->req) != nullptr;
    if (!connected) g_tracker.Remove(reply->req);
    evhttp_send_reply(reply->req, reply->status, nullptr, nullptr);
}
} // namespace

void HttpRequest::WriteHeader(const std::string& name, const std::string& value)
{
    std::lock_guard lock(g_pending_headers.mutex);
    g_pending_headers.headers[m_req].emplace_back(name, value);
}

void HttpRequest::WriteReply(int status, const std::string& body)
{
    if (m_replied) return;
    m_replied = true;
    auto reply = std::make_unique<PostedReply>();
    reply->req = m_req;
    reply->status = status;
    reply->body = body;
    {
        std::lock_guard lock(g_pending_headers.mutex);
        auto it = g_pending_headers.headers.find(m_req);
        if (it != g_pending_headers.headers.end()) {
            reply->headers = std::move(it->second);
            g_pending_headers.headers.erase(it);
        }
    }
    if (g_base && event_base_once(g_base, -1, EV_TIMEOUT, SendPostedReply, reply.get(), nullptr) == 0) {
        reply.release();
    }
}

// ---- server ----

uint16_t DefaultRpcPort(const std::string& chain)
{
    if (chain == "test") return 18332;
    if (chain == "testnet4") return 48332;
    if (chain == "signet") return 38332;
    if (chain == "regtest") return 18443;
    return 8332;
}

void RegisterRpcOptions(ArgsManager& args)
{
    const auto cat = OptionsCategory::RPC;
    args.AddArg("-rest", "Serve the read-only REST interface under /rest/ (default: 0)", ALLOW_ANY, cat);
    args.AddArg("-rpcallowip=<ip>", "Also accept JSON-RPC clients from <ip>: one address (1.2.3.4, ::1), or a subnet as address/prefix-length (1.2.3.0/24) or address/netmask (1.2.3.0/255.255.255.0); 0.0.0.0/0 and ::/0 allow everyone. Loopback is always allowed. May be given more than once", ALLOW_ANY, cat);
    args.AddArg("-rpcauth=<userpw>", "A JSON-RPC login as <user>:<salt>$<hash>, where <hash> is the hex HMAC-SHA256 of the password with <salt> as the key (the format of Core's share/rpcauth/rpcauth.py). Clients log in with the plain user and password. May be given more than once", ALLOW_ANY | SENSITIVE, cat);
    args.AddArg("-rpcbind=<addr>[:port]", "Listen for JSON-RPC on <addr> (IPv6 as [addr]:port); the port overrides -rpcport. Used only together with -rpcallowip, and never meant for an untrusted network. May be given more than once (default: localhost, that is 127.0.0.1 and ::1)", ALLOW_ANY | NETWORK_ONLY, cat);
    args.AddArg("-rpccookiefile=<loc>", "Where to write the authentication cookie; a relative path is taken inside the network's data directory; -norpccookiefile writes none (default: data dir)", ALLOW_ANY, cat);
    args.AddArg("-rpccookieperms=<readable-by>", "Who may read the cookie file: owner, group or all (default: owner, through umask 0077)", ALLOW_ANY, cat);
    args.AddArg("-rpcpassword=<pw>", "Password of the -rpcuser login (stored in plain text: prefer -rpcauth or the cookie)", ALLOW_ANY | SENSITIVE, cat);
    args.AddArg("-rpcport=<port>", "TCP port of the JSON-RPC server (default: 8332, testnet3: 18332, testnet4: 48332, signet: 38332, regtest: 18443)", ALLOW_ANY | NETWORK_ONLY, cat);
    args.AddArg("-rpcservertimeout=<n>", "Seconds an HTTP connection may stay idle or take to send its request (default: 30)", ALLOW_ANY | DEBUG_ONLY, cat);
    args.AddArg("-rpcthreads=<n>", "Number of threads that execute RPC calls (default: 16)", ALLOW_ANY, cat);
    args.AddArg("-rpcuser=<user>", "User name of a plain JSON-RPC login (with -rpcpassword)", ALLOW_ANY | SENSITIVE, cat);
    args.AddArg("-rpcwhitelist=<whitelist>", "Restrict a user to some methods: <user>:<method>,<method>,... Given several times for one user, only the methods in every list remain. See -rpcwhitelistdefault for users without a list", ALLOW_ANY, cat);
    args.AddArg("-rpcwhitelistdefault", "Whether users without a -rpcwhitelist are refused every method (default: 1 when any -rpcwhitelist is given, else 0)", ALLOW_ANY, cat);
    args.AddArg("-rpcworkqueue=<n>", "How many RPC requests may wait for a thread; more get HTTP 503 (default: 64)", ALLOW_ANY | DEBUG_ONLY, cat);
    args.AddArg("-server", "Run the JSON-RPC server (default: 1)", ALLOW_ANY, cat);
}

void RegisterHttpHandler(const std::string& prefix, bool exact_match, HttpHandler handler)
{
    LogDebug(LogCategory::HTTP, "Registering HTTP handler for {} (exactmatch {})", prefix, exact_match ? 1 : 0);
    std::lock_guard lock(g_handlers_mutex);
    g_handlers.push_back({prefix, exact_match, std::move(handler)});
}

void UnregisterHttpHandler(const std::string& prefix, bool exact_match)
{
    std::lock_guard lock(g_handlers_mutex);
    g_handlers.erase(std::remove_if(g_handlers.begin(), g_handlers.end(), [&](const HandlerEntry& h) {
        return h.prefix == prefix && h.exact_match == exact_match;
    }), g_handlers.end());
}

bool InitHttpServer(const ArgsManager& args, const std::string& chain, std::string& error)
{
    // Who may connect.
    g_allowed.clear();
    g_allowed.push_back(*ParseSubnet("127.0.0.0/8"));
    g_allowed.push_back(*ParseSubnet("::1"));
    for (const std::string& text : args.GetArgs("-rpcallowip")) {
        const auto subnet = ParseSubnet(text);
        if (!subnet) {
            error = "Invalid -rpcallowip subnet specification: " + text + ". Give an address (1.2.3.4), address/prefix-length (1.2.3.0/24) or address/netmask (1.2.3.0/255.255.255.0).";
            return false;
        }
        g_allowed.push_back(*subnet);
    }

    const int64_t port_arg = args.GetIntArg("-rpcport", DefaultRpcPort(chain));
    if (port_arg <= 0 || port_arg > 65535) {
        error = "Invalid port specified in -rpcport: '" + args.GetArg("-rpcport", "") + "'";
        return false;
    }
    const auto port = static_cast<uint16_t>(port_arg);

    // Where to listen.
    std::vector<std::pair<std::string, uint16_t>> endpoints;
    if (!args.IsArgSet("-rpcallowip")) {
        endpoints.emplace_back("::1", port);
        endpoints.emplace_back("127.0.0.1", port);
        if (args.IsArgSet("-rpcbind")) {
            LogWarning("-rpcbind ignored: without -rpcallowip the RPC server listens on localhost only");
        }
    } else if (args.IsArgSet("-rpcbind")) {
        for (const std::string& text : args.GetArgs("-rpcbind")) {
            bool ok;
            auto endpoint = SplitHostPort(text, port, ok);
            if (!ok) {
                error = "Invalid port specified in -rpcbind: '" + text + "'";
                return false;
            }
            endpoints.push_back(endpoint);
        }
    } else {
        endpoints.emplace_back("::", port);
        endpoints.emplace_back("0.0.0.0", port);
    }

    event_set_log_callback(OnLibeventLog);
    evthread_use_pthreads();
    g_base = event_base_new();
    if (!g_base) {
        error = "Couldn't create an event_base";
        return false;
    }
    g_http = evhttp_new(g_base);
    if (!g_http) {
        error = "Couldn't create evhttp";
        event_base_free(g_base);
        g_base = nullptr;
        return false;
    }
    evhttp_set_timeout(g_http, static_cast<int>(args.GetIntArg("-rpcservertimeout", DEFAULT_HTTP_SERVER_TIMEOUT)));
    evhttp_set_max_headers_size(g_http, MAX_HEADERS_SIZE);
    evhttp_set_max_body_size(g_http, MAX_HTTP_BODY_SIZE);
    evhttp_set_gencb(g_http, OnRequest, nullptr);

    g_bound_sockets.clear();
    g_bound_names.clear();
    for (const auto& [host, p] : endpoints) {
        LogDebug(LogCategory::HTTP, "Binding RPC on address {} port {}", host, p);
        evhttp_bound_socket* socket = evhttp_bind_socket_with_handle(g_http, host.c_str(), p);
        if (socket) {
            g_bound_sockets.push_back(socket);
            g_bound_names.push_back((host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(p));
        } else {
            LogWarning("Binding RPC on address {} port {} failed.", host, p);
        }
    }
    if (g_bound_sockets.empty()) {
        error = "Unable to bind any endpoint for RPC server";
        evhttp_free(g_http);
        g_http = nullptr;
        event_base_free(g_base);
        g_base = nullptr;
        return false;
    }

    g_thread_count = std::max<int>(1, static_cast<int>(args.GetIntArg("-rpcthreads", DEFAULT_HTTP_THREADS)));
    const int depth = std::max<int>(1, static_cast<int>(args.GetIntArg("-rpcworkqueue", DEFAULT_HTTP_WORKQUEUE)));
    LogDebug(LogCategory::HTTP, "creating work queue of depth {}", depth);
    g_work_queue = std::make_unique<WorkQueue>(depth);
    g_rejecting = false;
    return true;
}

void StartHttpServer()
{
    LogDebug(LogCategory::HTTP, "Starting HTTP server");
    LogInfo("HTTP: starting {} worker threads", g_thread_count);
    g_loop_thread = std::thread([] {
        SetThreadName("http");
        event_base_dispatch(g_base);
        LogDebug(LogCategory::HTTP, "Exited http event loop");
    });
    for (int i = 0; i < g_thread_count; ++i) {
        g_workers.emplace_back([i] {
            SetThreadName("httpworker." + std::to_string(i));
            g_work_queue->Run();
        });
    }
}

void InterruptHttpServer()
{
    LogDebug(LogCategory::HTTP, "Interrupting HTTP server");
    g_rejecting = true;
    if (g_work_queue) g_work_queue->Interrupt();
}

void StopHttpServer()
{
    LogDebug(LogCategory::HTTP, "Stopping HTTP server");
    if (g_work_queue) {
        g_work_queue->Interrupt();
        LogDebug(LogCategory::HTTP, "Waiting for HTTP worker threads to exit");
        for (std::thread& t : g_workers) t.join();
        g_workers.clear();
        g_work_queue->Clear();  // unprocessed requests are answered 500
    }
    if (g_base) {
        // No new connections; then wait for the replies in flight.
        event_base_once(g_base, -1, EV_TIMEOUT, [](evutil_socket_t, short, void*) {
            for (evhttp_bound_socket* socket : g_bound_sockets) evhttp_del_accept_socket(g_http, socket);
            g_bound_sockets.clear();
        }, nullptr, nullptr);
        if (g_loop_thread.joinable()) {
            if (const size_t n = g_tracker.Count()) LogDebug(LogCategory::HTTP, "Waiting for {} connections to stop HTTP server", n);
            g_tracker.WaitUntilEmpty(std::chrono::seconds{30});
            event_base_once(g_base, -1, EV_TIMEOUT, [](evutil_socket_t, short, void*) {
                evhttp_free(g_http);
                g_http = nullptr;
                event_base_loopexit(g_base, nullptr);
            }, nullptr, nullptr);
            LogDebug(LogCategory::HTTP, "Waiting for HTTP event thread to exit");
            g_loop_thread.join();
        } else if (g_http) {
            evhttp_free(g_http);
            g_http = nullptr;
        }
        event_base_free(g_base);
        g_base = nullptr;
    }
    g_work_queue.reset();
    g_bound_names.clear();
    LogDebug(LogCategory::HTTP, "Stopped HTTP server");
}

std::vector<std::string> GetBoundHttpAddresses() { return g_bound_names; }
