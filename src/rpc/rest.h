#pragma once

// The REST interface (-rest): unauthenticated, read-only GET requests on
// the RPC port, as Bitcoin Core serves them:
//   /rest/block/<hash>.<bin|hex|json>                     (json: transactions with prevouts, as getblock 3)
//   /rest/block/notxdetails/<hash>.<bin|hex|json>
//   /rest/headers/<hash>.<bin|hex|json>?count=<1..2000>   (and the older /rest/headers/<count>/<hash>.<ext>)
//   /rest/blockhashbyheight/<height>.<bin|hex|json>
//   /rest/tx/<txid>.<bin|hex|json>                         (needs -txindex)
//   /rest/getutxos[/checkmempool]/<txid>-<n>/....<bin|hex|json>  (up to 15; bin/hex also by POST body)
//   /rest/chaininfo.json
// Errors are plain text with Core's status codes and messages (400 for a
// malformed hash or count, 404 for unknown blocks or formats, 503 while the
// chainstate is not loaded).

namespace node { struct NodeContext; }

// Registers the handlers on the HTTP server (rpc/httpserver.h). bitcoind
// calls it when -rest is set, after StartRpcServer; `node` must outlive
// StopREST().
void StartREST(node::NodeContext& node);
// Unregisters them (before the HTTP server stops).
void StopREST();
