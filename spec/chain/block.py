"""Block headers, blocks and commit certificates (spec/chain/chain.md, "Blocks").

A header binds the chain id, the height, the parent's hash, the state root after the block, the Merkle root
of the block's transactions, the proposer (validator index) and the view it was first proposed in. The block
hash is SHA-256 of the header's canonical bytes. A commit certificate holds 2f+1 validators' COMMIT votes on
(chain id, view, height, block hash).
"""

from __future__ import annotations

from typing import Any

import attrs

from ..errors import fail
from .codec import Reader, blob, from_hex, sha256, text, to_hex, u8, u32, u64
from .merkle import merkle_root
from .tx import SIGNATURE_BYTES, Transaction

HEADER_TAG = 0x48  # "H"
BLOCK_TAG = 0x42  # "B"
CERT_TAG = 0x43  # "C"
VOTE_DST = b"MEDSHARE-V1-PBFT-VOTE"
MAX_BLOCK_TXS = 4096
MAX_BLOCK_BYTES = 8 * 1024 * 1024
MAX_VALIDATORS = 256
ZERO_HASH = b"\x00" * 32


@attrs.frozen
class Header:
    chain_id: str
    height: int
    parent: bytes
    state_root: bytes
    tx_root: bytes
    proposer: int
    view: int

    def to_bytes(self) -> bytes:
        return (u8(HEADER_TAG) + text(self.chain_id) + u64(self.height) + self.parent + self.state_root
                + self.tx_root + u32(self.proposer) + u64(self.view))

    @staticmethod
    def read(r: Reader) -> Header:
        r.tag(HEADER_TAG)
        return Header(r.text(), r.u64(), r.fixed(32), r.fixed(32), r.fixed(32), r.u32(), r.u64())

    @staticmethod
    def from_bytes(data: bytes) -> Header:
        try:
            r = Reader(data)
            h = Header.read(r)
            r.end()
        except Exception as e:
            _as_block_error(e)
        return h

    def block_hash(self) -> bytes:
        return sha256(self.to_bytes())

    def to_json(self) -> dict[str, Any]:
        return {"chainId": self.chain_id, "height": self.height, "parent": to_hex(self.parent),
                "stateRoot": to_hex(self.state_root), "txRoot": to_hex(self.tx_root),
                "proposer": self.proposer, "view": self.view}

    @staticmethod
    def from_json(obj: Any) -> Header:
        keys = {"chainId", "height", "parent", "stateRoot", "txRoot", "proposer", "view"}
        if not isinstance(obj, dict) or set(obj) != keys or not isinstance(obj["chainId"], str) or not all(
                isinstance(obj[k], int) and not isinstance(obj[k], bool) and 0 <= obj[k] < 1 << bits
                for k, bits in (("height", 64), ("proposer", 32), ("view", 64))):
            fail("BAD_JSON", "a header has " + ", ".join(sorted(keys)) + " (height and view u64, proposer u32)")
        return Header(obj["chainId"], obj["height"], from_hex(obj["parent"], 32), from_hex(obj["stateRoot"], 32),
                      from_hex(obj["txRoot"], 32), obj["proposer"], obj["view"])


def _as_block_error(e: Exception) -> None:
    if getattr(e, "code", None) in ("MALFORMED_ENCODING", "TX_MALFORMED"):
        fail("BLOCK_MALFORMED", str(e))
    raise e


def tx_root(txs: tuple[Transaction, ...]) -> bytes:
    return merkle_root([tx.to_bytes() for tx in txs])


@attrs.frozen
class Block:
    header: Header
    txs: tuple[Transaction, ...]
    _raw: bytes = attrs.field(init=False, eq=False, repr=False, default=b"")

    def block_hash(self) -> bytes:
        return self.header.block_hash()

    @property
    def height(self) -> int:
        return self.header.height

    def to_bytes(self) -> bytes:
        """The canonical bytes (computed on first use and kept: a block is immutable)."""
        if not self._raw:
            object.__setattr__(self, "_raw", u8(BLOCK_TAG) + self.header.to_bytes() + u32(len(self.txs))
                               + b"".join(blob(tx.to_bytes()) for tx in self.txs))
        return self._raw

    @staticmethod
    def from_bytes(data: bytes) -> Block:
        if len(data) > MAX_BLOCK_BYTES:
            fail("MESSAGE_TOO_LARGE", f"block of {len(data)} bytes")
        try:
            r = Reader(data)
            r.tag(BLOCK_TAG)
            header = Header.read(r)
            n = r.count(MAX_BLOCK_TXS)
            txs = tuple(Transaction.from_bytes(r.blob()) for _ in range(n))
            r.end()
        except Exception as e:
            _as_block_error(e)
        return Block(header, txs)

    def to_json(self) -> dict[str, Any]:
        return {"header": self.header.to_json(), "txs": [tx.to_json() for tx in self.txs]}

    @staticmethod
    def from_json(obj: Any) -> Block:
        if not isinstance(obj, dict) or set(obj) != {"header", "txs"} or not isinstance(obj["txs"], list):
            fail("BAD_JSON", "a block has header and txs")
        return Block(Header.from_json(obj["header"]), tuple(Transaction.from_json(t) for t in obj["txs"]))


def vote_bytes(phase: str, chain_id: str, view: int, seq: int, digest: bytes) -> bytes:
    """What a validator signs for a PREPARE, COMMIT or CHECKPOINT vote (a pre-prepare signs its PREPARE)."""
    return VOTE_DST + text(phase) + text(chain_id) + u64(view) + u64(seq) + digest


@attrs.frozen
class CommitCertificate:
    """2f+1 COMMIT votes on (chain id, view, height, block hash): ``signatures`` = ((validator index, sig), …)."""

    chain_id: str
    view: int
    height: int
    block_hash: bytes
    signatures: tuple[tuple[int, bytes], ...]

    def message(self) -> bytes:
        return vote_bytes("COMMIT", self.chain_id, self.view, self.height, self.block_hash)

    def to_bytes(self) -> bytes:
        sigs = b"".join(u32(i) + s for i, s in self.signatures)
        return (u8(CERT_TAG) + text(self.chain_id) + u64(self.view) + u64(self.height) + self.block_hash
                + u32(len(self.signatures)) + sigs)

    @staticmethod
    def from_bytes(data: bytes) -> CommitCertificate:
        r = Reader(data)
        r.tag(CERT_TAG)
        chain_id, view, height, digest = r.text(), r.u64(), r.u64(), r.fixed(32)
        n = r.count(MAX_VALIDATORS)
        sigs = tuple((r.u32(), r.fixed(SIGNATURE_BYTES)) for _ in range(n))
        r.end()
        return CommitCertificate(chain_id, view, height, digest, sigs)

    def to_json(self) -> dict[str, Any]:
        return {"chainId": self.chain_id, "view": self.view, "height": self.height,
                "blockHash": to_hex(self.block_hash),
                "signatures": [{"validator": i, "signature": to_hex(s)} for i, s in self.signatures]}
