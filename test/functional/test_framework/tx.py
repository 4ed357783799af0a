"""Wallet-free transactions for tests, before the node has a wallet or mempool.

AnyoneCanSpend(node) owns every output paying P2WSH(OP_TRUE) (regtest
address ANYONE_CAN_SPEND_ADDRESS, which the framework's cached chain and
`generate` pay their coinbases to). It finds its coins by reading the chain
(getblock verbosity 2), so nothing else has to be tracked; spending one needs
no signature: the witness is the script [OP_TRUE] itself.

    acs = AnyoneCanSpend(node)
    utxo = acs.get_utxo()                         # oldest mature coin
    tx = acs.create_self_transfer(fee=Decimal("0.0001"))
    block_hash = acs.mine([tx["hex"]])            # generateblock with it
"""
from decimal import Decimal

from .address import witness_script_to_p2wsh_address, witness_script_to_p2wsh_script
from .messages import COIN, OutPoint, Transaction, TxIn, TxInWitness, TxOut, tx_from_hex
from .util import to_btc, to_satoshis

OP_TRUE = b"\x51"
COINBASE_MATURITY = 100


class AnyoneCanSpend:
    def __init__(self, node):
        self.node = node
        self.witness_script = OP_TRUE
        self.script_pubkey = witness_script_to_p2wsh_script(OP_TRUE)
        self.address = witness_script_to_p2wsh_address(OP_TRUE)
        self._utxos = {}          # (txid, vout) -> utxo dict
        self._scanned = []        # block hashes scanned, by height (index 0 = genesis)
        self._spent_pending = set()  # spent by transactions we made that are not mined yet

    # --- mining ----------------------------------------------------------------
    def generate(self, nblocks, **kwargs):
        """Mines nblocks paying this address; returns their hashes."""
        hashes = self.node.generatetoaddress(nblocks, self.address, **kwargs)
        self.rescan()
        return hashes

    def mine(self, txs, **kwargs):
        """Mines one block holding these transactions (hex strings or dicts from
        create_*), coinbase to this address, via generateblock; returns its hash."""
        hexes = [t["hex"] if isinstance(t, dict) else t for t in txs]
        result = self.node.generateblock(self.address, hexes, **kwargs)
        self.rescan()
        return result["hash"]

    # --- coins -------------------------------------------------------------------
    def rescan(self):
        """Brings the coin list up to the node's active chain (handles reorgs)."""
        node = self.node
        tip = node.getblockcount()
        # Find where our scanned chain still matches the node's.
        keep = min(len(self._scanned), tip + 1)
        while keep > 0 and node.getblockhash(keep - 1) != self._scanned[keep - 1]:
            keep -= 1
        if keep < len(self._scanned):
            # Reorg: start over (simple and rare).
            self._utxos.clear()
            self._scanned = []
            keep = 0
        for height in range(keep, tip + 1):
            block = node.getblock(node.getblockhash(height), 2)
            self._scan_block(block)
            self._scanned.append(block["hash"])
        # Pending outputs of ours that a reorg dropped stay out until mined again.

    def _scan_block(self, block):
        height = block["height"]
        for index, tx in enumerate(block["tx"]):
            for vin in tx["vin"]:
                if "txid" in vin:
                    key = (vin["txid"], vin["vout"])
                    self._utxos.pop(key, None)
                    self._spent_pending.discard(key)
            for vout in tx["vout"]:
                if vout["scriptPubKey"]["hex"] == self.script_pubkey.hex():
                    key = (tx["txid"], vout["n"])
                    self._utxos[key] = {"txid": tx["txid"], "vout": vout["n"], "value": Decimal(vout["value"]),
                                        "height": height, "coinbase": index == 0, "blockhash": block["hash"]}

    def utxos(self, include_immature=False, include_pending_spent=False):
        """Our coins on the active chain (after rescan), oldest first."""
        self.rescan()
        tip = len(self._scanned) - 1
        out = []
        for key, utxo in self._utxos.items():
            if key in self._spent_pending and not include_pending_spent:
                continue
            if utxo["height"] is None:
                confirmations = 0
            else:
                confirmations = tip - utxo["height"] + 1
            mature = not utxo["coinbase"] or confirmations >= COINBASE_MATURITY
            if mature or include_immature:
                out.append(dict(utxo, confirmations=confirmations))
        out.sort(key=lambda u: (u["height"] if u["height"] is not None else 1 << 40, u["txid"], u["vout"]))
        return out

    def get_utxo(self, txid=None, vout=None, mark_as_spent=True):
        """The oldest spendable coin (or the one given): dict txid, vout, value
        (Decimal BTC), height, coinbase, confirmations. mark_as_spent keeps
        later calls from handing it out again before it is mined."""
        candidates = self.utxos()
        if txid is not None:
            candidates = [u for u in candidates if u["txid"] == txid and (vout is None or u["vout"] == vout)]
        if not candidates:
            raise AssertionError(f"no spendable anyone-can-spend coin{' ' + txid if txid else ''}")
        utxo = candidates[0]
        if mark_as_spent:
            self._spent_pending.add((utxo["txid"], utxo["vout"]))
        return utxo

    # --- transactions ----------------------------------------------------------------
    def spend_input(self, utxo):
        """A TxIn spending utxo and its witness."""
        return TxIn(OutPoint(utxo["txid"], utxo["vout"]), b"", 0xFFFFFFFD), TxInWitness([self.witness_script])

    def create_self_transfer(self, utxo=None, fee=Decimal("0.0001"), locktime=0, version=2):
        """A transaction spending utxo (default: get_utxo()) back to this
        address minus fee -> dict(hex, txid, wtxid, tx, new_utxo, fee)."""
        return self.create_self_transfer_multi([utxo] if utxo else None, num_outputs=1, fee=fee,
                                               locktime=locktime, version=version)

    def create_self_transfer_multi(self, utxos=None, num_outputs=1, fee=Decimal("0.0001"), locktime=0, version=2,
                                   extra_outputs=()):
        """Spends utxos (default one from get_utxo()) into num_outputs equal
        outputs to this address (plus extra_outputs, TxOut objects, paid first
        from the total) minus fee."""
        utxos = utxos or [self.get_utxo()]
        for u in utxos:
            self._spent_pending.add((u["txid"], u["vout"]))
        tx = Transaction(version=version, locktime=locktime)
        for u in utxos:
            txin, wit = self.spend_input(u)
            tx.vin.append(txin)
            tx.wit.append(wit)
        total = sum(to_satoshis(u["value"]) for u in utxos) - to_satoshis(fee)
        total -= sum(o.value for o in extra_outputs)
        if total <= 0:
            raise AssertionError(f"fee {fee} and extra outputs exceed the inputs")
        share = total // num_outputs
        for k in range(num_outputs):
            value = share + (total - share * num_outputs if k == 0 else 0)
            tx.vout.append(TxOut(value, self.script_pubkey))
        tx.vout.extend(extra_outputs)
        new_utxos = [{"txid": tx.txid, "vout": k, "value": to_btc(tx.vout[k].value), "height": None,
                      "coinbase": False, "blockhash": None} for k in range(num_outputs)]
        for u in new_utxos:
            self._utxos[(u["txid"], u["vout"])] = u
        return {"hex": tx.serialize().hex(), "txid": tx.txid, "wtxid": tx.wtxid, "tx": tx,
                "new_utxo": new_utxos[0], "new_utxos": new_utxos, "fee": fee}

    def send_to(self, script_pubkey, amount, utxo=None, fee=Decimal("0.0001")):
        """Pays amount (BTC) to script_pubkey (bytes), change back to this address."""
        out = TxOut(to_satoshis(amount), script_pubkey)
        return self.create_self_transfer_multi([utxo] if utxo else None, extra_outputs=[out], fee=fee)


def decode(hex_string):
    return tx_from_hex(hex_string)


__all__ = ["AnyoneCanSpend", "COIN", "OP_TRUE", "decode"]
