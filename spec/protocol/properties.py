"""The properties of docs/design.md §2 as predicates over a global state (spec/protocol/protocol.md, "Properties").

The global state is both chains' committed histories (transactions with their block heights, final states, MDC
block hashes) and what each party knows and holds. Each predicate returns the list of violations it finds
(empty = the property holds), so a failing check says what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from ..chain import anchor, auth
from ..chain.entries import AnchorEntry, CertEntry, k
from ..chain.state import State
from ..chain.tx import Transaction
from ..errors import MedshareError
from ..group import PairingGroup
from ..policy import satisfies
from ..zk import circuits
from .protocol import RecordPolicy

#: knowledge symbols of a record r: (what, record id); ``what`` in SECRETS
SECRETS = ("k", "k_abe", "k_pre", "plaintext")


@attrs.frozen
class RecordSecrets:
    """The secrets of one record, known to the model (not to the parties)."""

    owner: str
    policy: RecordPolicy
    content_key: bytes = attrs.field(repr=False)
    k_pre: bytes = attrs.field(repr=False)
    plaintext: bytes = attrs.field(repr=False)


@attrs.frozen
class World:
    """Everything the properties read."""

    group: PairingGroup = attrs.field(repr=False)
    authority_pk: bytes
    mdc_txs: tuple[tuple[int, Transaction], ...]  # committed, in order, with block height
    shc_txs: tuple[tuple[int, Transaction], ...]
    mdc_state: State = attrs.field(repr=False)
    shc_state: State = attrs.field(repr=False)
    mdc_hashes: Mapping[int, bytes]  # committed MDC block hash per height
    records: Mapping[bytes, RecordSecrets] = attrs.field(repr=False)
    knowledge: Mapping[str, frozenset[tuple[str, bytes]]]  # party -> symbols it knows
    holdings: Mapping[str, tuple[bytes, ...]] = attrs.field(repr=False)  # CPC node -> bytes it stores or saw
    attributes: Mapping[str, tuple[str, ...]]  # RI -> its attribute names
    cpc_nodes: tuple[str, ...]
    genesis_certs: Mapping[str, Mapping[str, CertEntry]] = attrs.field(factory=dict)  # chain -> identity -> cert
    cache: auth.VerifyCache | None = attrs.field(default=None, eq=False, repr=False)


def _revocation_points(w: World) -> tuple[dict[bytes, int], dict[bytes, int], Callable[[str, int], bool],
                                         Callable[[str, int], tuple[int, int]]]:
    """First SHC position at which each record and each grant is revoked; whether a principal's certificate is
    revoked just before a given SHC position (a later CERT_ISSUE reinstates it, as the chain's rules do); and a
    principal's attribute commitment just before a given position, as (current epoch, revoked below), (0, 0)
    before any."""
    rec: dict[bytes, int] = {}
    grant: dict[bytes, int] = {}
    certs: dict[str, list[tuple[int, bool]]] = {}
    commitments: dict[str, list[tuple[int, tuple[int, int]]]] = {}
    for pos, (_, tx) in enumerate(w.shc_txs):
        if tx.kind == "RECORD_REVOKE_NOTICE":
            rec.setdefault(tx.arg("record_id"), pos)
        elif tx.kind == "GRANT_REVOKE":
            grant.setdefault(tx.arg("grant_id"), pos)
        elif tx.kind in ("CERT_ISSUE", "CERT_REVOKE"):
            certs.setdefault(tx.arg("identity"), []).append((pos, tx.kind == "CERT_REVOKE"))
        elif tx.kind in ("ATTRIBUTE_COMMIT", "ATTRIBUTE_EPOCH_REVOKE"):
            who = tx.arg("identity")
            history = commitments.setdefault(who, [])
            epoch, below = history[-1][1] if history else (0, 0)
            if tx.kind == "ATTRIBUTE_COMMIT":
                epoch = tx.arg("epoch")
            else:
                below = tx.arg("epoch") + 1
            history.append((pos, (epoch, below)))

    def cert_revoked(who: str, pos: int) -> bool:
        return next((r for p, r in reversed(certs.get(who, [])) if p < pos), False)

    def commitment(who: str, pos: int) -> tuple[int, int]:
        return next((c for p, c in reversed(commitments.get(who, [])) if p < pos), (0, 0))

    return rec, grant, cert_revoked, commitment


def access_soundness(w: World) -> list[str]:
    """No re-encryption receipt for a grant follows a revocation of its record, of the grant or of its requester
    (its certificate, or the attribute epoch its request was proven under: revoked, or superseded by a new
    commitment); and if a principal knows k_r, it owns r, or its attributes satisfy P_r and a receipt for a
    grant of its request on r was committed before any such revocation (Sharing.tla's AccessSoundness: a valid
    cfrag of an honest node). cfrags delivered before a revocation stay with the principal: revocation stops
    new re-encryptions, it does not take back what was delivered."""
    out: list[str] = []
    rec_rev, grant_rev, cert_revoked, commitment = _revocation_points(w)
    requests: dict[bytes, tuple[str, bytes, int]] = {}
    grants: dict[bytes, tuple[str, bytes, int]] = {}
    granted: set[tuple[str, bytes]] = set()
    live: set[tuple[str, bytes]] = set()  # (principal, record) with a receipt made while nothing was revoked
    for pos, (_, tx) in enumerate(w.shc_txs):
        if tx.kind == "ACCESS_REQUEST":
            requests[tx.arg("request_id")] = (tx.sender, tx.arg("record_id"), commitment(tx.sender, pos)[0])
        elif tx.kind == "GRANT" and tx.arg("request_id") in requests:
            grants[tx.arg("grant_id")] = requests[tx.arg("request_id")]
            granted.add(requests[tx.arg("request_id")][:2])
        elif tx.kind == "REENCRYPTION_RECEIPT" and tx.arg("grant_id") in grants:
            gid = tx.arg("grant_id")
            who, rid, epoch = grants[gid]
            current, below = commitment(who, pos)
            epoch_live = current == epoch and epoch >= below
            if rec_rev.get(rid, pos) < pos or grant_rev.get(gid, pos) < pos or cert_revoked(who, pos) \
                    or not epoch_live:
                out.append(f"receipt from {tx.sender} for grant {gid.hex()[:8]} after a revocation")
            else:
                live.add((who, rid))
    for party, known in w.knowledge.items():
        for what, rid in known:
            if what != "k" or rid not in w.records:
                continue
            r = w.records[rid]
            if party == r.owner:
                continue
            if (party, rid) not in granted:
                out.append(f"{party} knows k of {rid.hex()[:8]} without a grant")
                continue
            if not satisfies(r.policy.tree, w.attributes.get(party, ())):
                out.append(f"{party} knows k of {rid.hex()[:8]} but does not satisfy its policy")
            if (party, rid) not in live:
                out.append(f"{party} knows k of {rid.hex()[:8]} without a receipt made before a revocation")
    return out


def cpc_blindness(w: World) -> list[str]:
    """No CPC node knows k, k_abe, k_pre or a plaintext; none of those byte strings occurs in what it holds."""
    out: list[str] = []
    for node in w.cpc_nodes:
        for what, rid in w.knowledge.get(node, frozenset()):
            if what in SECRETS:
                out.append(f"CPC node {node} knows {what} of {rid.hex()[:8]}")
        held = w.holdings.get(node, ())
        for rid, r in w.records.items():
            for name, secret in (("k", r.content_key), ("k_pre", r.k_pre), ("plaintext", r.plaintext)):
                if any(secret in h for h in held):
                    out.append(f"CPC node {node} holds the bytes of {name} of {rid.hex()[:8]}")
    return out


def anchor_consistency(w: World) -> list[str]:
    """Every SHC record reference resolves, through a relayed header equal to the committed MDC block at its
    height, to a record in that block's state."""
    out: list[str] = []
    for _, tx in w.shc_txs:
        if tx.kind not in ("ACCESS_REQUEST", "RECORD_REVOKE_NOTICE"):
            continue
        h = tx.arg("mdc_height")
        raw = w.shc_state.get(anchor.anchor_key(h))
        if raw is None or AnchorEntry.from_bytes(raw).block_hash != w.mdc_hashes.get(h):
            out.append(f"{tx.kind} names MDC height {h}, not a relayed committed block")
            continue
        try:
            anchor.verify_record_ref(w.shc_state, h, tx.arg("record_id"), tx.arg("record_entry"), tx.arg("proof"))
        except MedshareError as e:
            out.append(f"{tx.kind} reference does not resolve ({e.code})")
    return out


def authenticity(w: World) -> list[str]:
    """Every committed transaction carries a valid CBS signature under a certificate valid for its block and not
    revoked before its inclusion."""
    out: list[str] = []
    for chain, txs, state in (("MDC", w.mdc_txs, w.mdc_state), ("SHC", w.shc_txs, w.shc_state)):
        revoked: set[str] = set()
        certs: dict[str, CertEntry] = dict(w.genesis_certs.get(chain, {}))
        for height, tx in txs:
            cert = certs.get(tx.sender)
            if cert is None:
                raw = state.get(k("cert", tx.sender.encode()))
                cert = CertEntry.from_bytes(raw) if raw is not None else None
            if cert is None:
                out.append(f"{chain} tx from unknown {tx.sender!r}")
                continue
            if tx.sender in revoked:
                out.append(f"{chain} tx from {tx.sender!r} after its certificate was revoked")
            try:
                auth.verify_tx(w.group, w.authority_pk, auth.Identity(tx.sender, cert.public_key, cert.period_start,
                                                                      cert.period_end), tx, at=height, cache=w.cache)
            except MedshareError as e:
                out.append(f"{chain} {tx.kind} from {tx.sender!r}: {e.code}")
            if tx.kind == "CERT_ISSUE":
                certs[tx.arg("identity")] = CertEntry(tx.arg("public_key"), tx.arg("period_start"),
                                                      tx.arg("period_end"), tx.arg("sigma"), False)
            elif tx.kind == "CERT_REVOKE":
                revoked.add(tx.arg("identity"))
    return out


def no_replay(w: World) -> list[str]:
    """A request nonce is accepted once per requester; a receipt once per (grant, CPC node)."""
    out: list[str] = []
    nonces: set[tuple[str, bytes]] = set()
    receipts: set[tuple[bytes, str]] = set()
    for _, tx in w.shc_txs:
        if tx.kind == "ACCESS_REQUEST":
            nonce = (tx.sender, tx.arg("nonce"))
            if nonce in nonces:
                out.append(f"nonce {tx.arg('nonce').hex()[:8]} of {tx.sender} accepted twice")
            nonces.add(nonce)
        elif tx.kind == "REENCRYPTION_RECEIPT":
            key = (tx.arg("grant_id"), tx.sender)
            if key in receipts:
                out.append(f"two receipts from {tx.sender} for grant {tx.arg('grant_id').hex()[:8]}")
            receipts.add(key)
    return out


def attribute_privacy(w: World) -> list[str]:
    """SHC state holds commitments and proofs: no RI attribute name or its field encoding occurs in it."""
    out: list[str] = []
    blobs = [key + b"\x00" + value for key, value in w.shc_state.items()]
    for ri, names in w.attributes.items():
        for name in names:
            needles = (name.encode(), circuits.attribute_field(name).to_bytes(32, "big"))
            if any(n in b for n in needles for b in blobs):
                out.append(f"attribute {name!r} of {ri} occurs in SHC state")
    return out


PROPERTIES: dict[str, Callable[[World], list[str]]] = {
    "access_soundness": access_soundness, "cpc_blindness": cpc_blindness, "anchor_consistency": anchor_consistency,
    "authenticity": authenticity, "no_replay": no_replay, "attribute_privacy": attribute_privacy}


def check_all(w: World, names: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Every property (or those named): name -> violations."""
    return {n: PROPERTIES[n](w) for n in (names or list(PROPERTIES))}
