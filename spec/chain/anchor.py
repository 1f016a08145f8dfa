"""Cross-chain anchoring: MDC headers relayed to SHC, and record references (spec/chain/chain.md, "Anchoring").

SHC stores an MDC header only with a commit certificate of 2f+1 MDC validators; a record reference
(height, record id, record entry, Merkle proof) is accepted only against the state root of a stored header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import MedshareError, fail
from ..group import PairingGroup
from . import auth
from .block import CommitCertificate, Header
from .codec import u64
from .entries import AnchorEntry, RecordEntry, k
from .merkle import MerkleProof, state_leaf, verify_inclusion


def quorum(n: int) -> int:
    """2f + 1 for n = 3f + 1 validators (f = floor((n - 1) / 3))."""
    return 2 * ((n - 1) // 3) + 1


def anchor_key(height: int) -> bytes:
    return k("mdc", u64(height))


def record_key(record_id: bytes) -> bytes:
    return k("record", record_id)


def verify_relay(group: PairingGroup, authority_pk: bytes, mdc_chain_id: str,
                 mdc_validators: Sequence[auth.Identity], state: Mapping[bytes, bytes], header_bytes: bytes,
                 cert_bytes: bytes, cache: auth.VerifyCache | None = None) -> tuple[int, AnchorEntry]:
    """Check a relayed MDC header against its commit certificate and the headers already relayed; return the
    (height, entry) to store. Codes: ANCHOR_UNCOMMITTED (no quorum certificate), ANCHOR_FORGED (certificate
    for another block, bad signatures, or a conflict with a relayed header), TX_DUPLICATE (already relayed)."""
    header = Header.from_bytes(header_bytes)
    try:
        cert = CommitCertificate.from_bytes(cert_bytes)
    except MedshareError:
        fail("ANCHOR_UNCOMMITTED", "no decodable commit certificate")
    digest = header.block_hash()
    if header.chain_id != mdc_chain_id:
        fail("ANCHOR_FORGED", f"header of chain {header.chain_id!r}, expected {mdc_chain_id!r}")
    if (cert.chain_id, cert.height, cert.block_hash) != (header.chain_id, header.height, digest):
        fail("ANCHOR_FORGED", "the commit certificate is for another block")
    signers = {i for i, _ in cert.signatures}
    if len(signers) < quorum(len(mdc_validators)):
        fail("ANCHOR_UNCOMMITTED", f"{len(signers)} commit signatures, quorum is {quorum(len(mdc_validators))}")
    try:
        auth.verify_commit_certificate(group, authority_pk, mdc_validators,
                                       [(i, cert.message(), s) for i, s in cert.signatures],
                                       quorum(len(mdc_validators)), at=cert.height, cache=cache)
    except MedshareError as e:
        fail("ANCHOR_FORGED", f"commit certificate rejected: {e.message}")
    entry = AnchorEntry(digest, header.state_root)
    known = state.get(anchor_key(header.height))
    if known is not None:
        if AnchorEntry.from_bytes(known).block_hash == digest:
            fail("TX_DUPLICATE", f"MDC header {header.height} already relayed")
        fail("ANCHOR_FORGED", f"a different MDC header {header.height} is already relayed")
    if header.height > 0 and (prev := state.get(anchor_key(header.height - 1))) is not None:
        if AnchorEntry.from_bytes(prev).block_hash != header.parent:
            fail("ANCHOR_FORGED", "the header does not extend the relayed parent")
    return header.height, entry


def verify_record_ref(state: Mapping[bytes, bytes], mdc_height: int, record_id: bytes, record_entry: bytes,
                      proof: bytes) -> RecordEntry:
    """The record entry, proven in the state root of the relayed MDC header at ``mdc_height``.
    Codes: ANCHOR_UNKNOWN_BLOCK, MERKLE_PROOF_INVALID."""
    raw = state.get(anchor_key(mdc_height))
    if raw is None:
        fail("ANCHOR_UNKNOWN_BLOCK", f"no relayed MDC header at height {mdc_height}")
    anchor = AnchorEntry.from_bytes(raw)
    try:
        mp = MerkleProof.from_bytes(proof)
    except MedshareError:
        fail("MERKLE_PROOF_INVALID", "the proof does not decode")
    verify_inclusion(anchor.state_root, state_leaf(record_key(record_id), record_entry), mp)
    try:
        return RecordEntry.from_bytes(record_entry)
    except MedshareError:
        fail("MERKLE_PROOF_INVALID", "the proven leaf is not a record entry")
