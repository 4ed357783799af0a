#pragma once

// The outcome of a validity check: valid, invalid (with Bitcoin Core's reject
// reason string, which peers and RPC callers see) or an internal error.

#include <string>
#include <utility>

// Why a transaction was rejected. Only CONSENSUS is produced by this layer;
// the others are for policy and for the node's bookkeeping.
enum class TxValidationResult {
    UNSET,
    CONSENSUS,            // invalid under the consensus rules
    INPUTS_NOT_STANDARD,  // spends outputs this node does not relay
    NOT_STANDARD,         // policy rule, not consensus
    MISSING_INPUTS,       // an input is unknown or spent
    PREMATURE_SPEND,      // final / sequence locks or coinbase maturity not met yet
    WITNESS_MUTATED,      // witness data that may have been altered by a peer
    WITNESS_STRIPPED,     // witness data missing
    CONFLICT,             // conflicts with the chain or the mempool
    MEMPOOL_POLICY,       // mempool limits
    NO_MEMPOOL,           // no mempool to add to
    RECONSIDERABLE,       // may be accepted in a package
    UNKNOWN,
};

// Why a block (or header) was rejected.
enum class BlockValidationResult {
    UNSET,
    CONSENSUS,         // invalid under the consensus rules
    CACHED_INVALID,    // already known to be invalid
    INVALID_HEADER,    // bad proof of work or timestamp
    MUTATED,           // the data do not match the header (merkle root, witness commitment)
    MISSING_PREV,      // parent unknown
    INVALID_PREV,      // parent invalid
    TIME_FUTURE,       // timestamp too far ahead
    HEADER_LOW_WORK,   // chain of too little work
};

// One state type serves transactions and blocks; the aliases name the use.
class ValidationState {
public:
    enum class Mode { VALID, INVALID, ERROR };

    // Marks the state invalid and returns false, so checks can
    // `return state.Invalid(...)`.
    bool Invalid(TxValidationResult result, std::string reject_reason, std::string debug = {})
    {
        m_tx_result = result;
        return SetInvalid(std::move(reject_reason), std::move(debug));
    }
    bool Invalid(BlockValidationResult result, std::string reject_reason, std::string debug = {})
    {
        m_block_result = result;
        return SetInvalid(std::move(reject_reason), std::move(debug));
    }
    // Something failed that says nothing about the data (e.g. out of memory).
    bool Error(std::string reject_reason)
    {
        if (m_mode == Mode::VALID) m_reject_reason = std::move(reject_reason);
        m_mode = Mode::ERROR;
        return false;
    }

    bool IsValid() const { return m_mode == Mode::VALID; }
    bool IsInvalid() const { return m_mode == Mode::INVALID; }
    bool IsError() const { return m_mode == Mode::ERROR; }
    TxValidationResult GetTxResult() const { return m_tx_result; }
    BlockValidationResult GetBlockResult() const { return m_block_result; }
    const std::string& GetRejectReason() const { return m_reject_reason; }
    const std::string& GetDebugMessage() const { return m_debug_message; }

    // "reason" or "reason, debug"; "Valid" when valid.
    std::string ToString() const
    {
        if (IsValid()) return "Valid";
        if (m_debug_message.empty()) return m_reject_reason;
        return m_reject_reason + ", " + m_debug_message;
    }

private:
    bool SetInvalid(std::string reject_reason, std::string debug)
    {
        m_mode = Mode::INVALID;
        m_reject_reason = std::move(reject_reason);
        m_debug_message = std::move(debug);
        return false;
    }

    Mode m_mode = Mode::VALID;
    TxValidationResult m_tx_result = TxValidationResult::UNSET;
    BlockValidationResult m_block_result = BlockValidationResult::UNSET;
    std::string m_reject_reason;
    std::string m_debug_message;
};

using TxValidationState = ValidationState;
using BlockValidationState = ValidationState;
