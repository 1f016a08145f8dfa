"""Z3: every transaction kind of ``spec/chain`` keeps the chain invariants (spec/chain/chain.md, "Guards and
invariants (Z3)").

A symbolic chain state, bounded and restricted to what the rules read and write: ``N_ID`` identities (slot 0
is the authority), ``N_DEV`` devices, ``N_REC`` records, ``N_REQ`` requests, ``N_GRANT`` grants, ``N_NONCE``
nonces, ``N_H`` relayed MDC heights; roles, revocation bits, certificate periods, attribute epochs and the
chain time are integers and booleans. Each kind's guard is the ordered list of checks of
``spec.chain.state._apply_into`` and of the kind's rule (one entry per ``fail``), and its effect the writes the
rule makes. Each rule of ``spec.chain.state.RULES`` has its mirror here, one function of the same name giving
both (:data:`MIRRORS`), written line by line from the spec; :func:`check_mirrors` refuses a kind of the spec
without its mirror, and :func:`check_guards` runs it first. Cryptographic checks are abstract inputs of the
transaction (``sig_ok``, ``sigma_ok``, ``relay_ok``, ``ref_ok``) with the environment assumptions they stand for
(:func:`environment`).

For every kind, ``Inv(s) ∧ Env ∧ Guard(s, tx) ⇒ P(s, apply(s, tx))`` is proven valid (its negation unsat) for
every state invariant and every step property ``P`` of :data:`PROPERTIES`. Then each guard check in
:data:`WEAKENINGS` is dropped in turn and Z3 must find a counterexample (a state and transaction that break
the named property), returned as concrete values; and each guard of :data:`LAX_GUARDS` (a plausible guard that
is too lax: a requester's current attribute epoch in place of its request's, a cached outcome in place of the
certificate period at chain time) must be refuted the same way.

Ghost fields (names ending in ``_n``, and ``req_nonce``) count included transactions per key, so "at most one
X per Y" is a property of the chain's history and not only of its key-value map.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import z3

from ...spec.chain import state as chain_state

N_ID, N_DEV, N_REC, N_REQ, N_GRANT, N_NONCE, N_H = 4, 2, 3, 3, 3, 3, 4
ROLES = ("AUTHORITY", "MI", "RI", "CPC")
AUTHORITY, MI, RI, CPC = range(4)
UNKNOWN_ROLE = -1
MDC_KINDS = ("DEVICE_REGISTER", "RECORD_PUBLISH", "RECORD_REVOKE", "DEVICE_REVOKE")
SHC_KINDS = ("ATTRIBUTE_COMMIT", "ATTRIBUTE_EPOCH_REVOKE", "MDC_HEADER_RELAY", "ACCESS_REQUEST", "GRANT",
             "REENCRYPTION_RECEIPT", "GRANT_REVOKE", "RECORD_REVOKE_NOTICE")
BOTH_KINDS = ("ENTITY_REGISTER", "CERT_ISSUE", "CERT_REVOKE")
KINDS = BOTH_KINDS + MDC_KINDS + SHC_KINDS

Expr = Any  # a z3 expression (z3's own stubs are untyped)
SymState = dict[str, tuple[Expr, ...]]
SymTx = dict[str, Expr]

#: state field -> (sort, size, ghost); arrays are indexed by slot (receipts by grant * N_ID + CPC identity, used
#: nonces by requester * N_NONCE + nonce)
FIELDS: dict[str, tuple[str, int, bool]] = {
    "height": ("int", 1, False),
    # entity/<id>, cert/<id>
    "ent": ("bool", N_ID, False), "role": ("int", N_ID, False), "ent_n": ("int", N_ID, True),
    "cert": ("bool", N_ID, False), "cstart": ("int", N_ID, False), "cend": ("int", N_ID, False),
    "crev": ("bool", N_ID, False),
    # MDC: device/<dev>, record/<id>
    "dev": ("bool", N_DEV, False), "dev_owner": ("int", N_DEV, False), "dev_rev": ("bool", N_DEV, False),
    "dev_n": ("int", N_DEV, True),
    "rec": ("bool", N_REC, False), "rec_owner": ("int", N_REC, False), "rec_rev": ("bool", N_REC, False),
    "rec_n": ("int", N_REC, True),
    # SHC: attr/<id>, mdc/<height>, nonce/, request/, granted/, grant/, receipt/, shc-revoked/
    "attr": ("bool", N_ID, False), "attr_epoch": ("int", N_ID, False), "attr_below": ("int", N_ID, False),
    "anc": ("bool", N_H, False), "anc_hash": ("int", N_H, False), "anc_n": ("int", N_H, True),
    "nonce": ("bool", N_ID * N_NONCE, False), "nonce_n": ("int", N_ID * N_NONCE, True),
    "req": ("bool", N_REQ, False), "req_requester": ("int", N_REQ, False), "req_owner": ("int", N_REQ, False),
    "req_record": ("int", N_REQ, False), "req_epoch": ("int", N_REQ, False), "req_nonce": ("int", N_REQ, True),
    "req_n": ("int", N_REQ, True),
    "granted": ("bool", N_REQ, False), "grants_of_n": ("int", N_REQ, True),
    "grant": ("bool", N_GRANT, False), "grant_grantor": ("int", N_GRANT, False),
    "grant_req": ("int", N_GRANT, False), "grant_record": ("int", N_GRANT, False),
    "grant_rev": ("bool", N_GRANT, False), "grant_n": ("int", N_GRANT, True),
    "receipt": ("bool", N_GRANT * N_ID, False), "receipt_n": ("int", N_GRANT * N_ID, True),
    "shc_rev": ("bool", N_REC, False), "notice_n": ("int", N_REC, True),
}

#: transaction field -> (sort, upper bound of an index field or None)
TX_FIELDS: dict[str, tuple[str, int | None]] = {
    "sender": ("int", N_ID), "ident": ("int", N_ID), "role": ("int", None), "dev": ("int", N_DEV),
    "rec": ("int", N_REC), "req": ("int", N_REQ), "grant": ("int", N_GRANT), "nonce": ("int", N_NONCE),
    "mdc_height": ("int", N_H), "epoch": ("int", None), "pstart": ("int", None), "pend": ("int", None),
    "included": ("bool", None),   # tx/<id> is in the state
    "sig_ok": ("bool", None),     # the CBS signature verifies under the sender's certificate (auth.verify_tx)
    "sigma_ok": ("bool", None),   # CERT_ISSUE: sigma is the authority's certificate (auth.verify_certificate)
    "relay_ok": ("bool", None),   # MDC_HEADER_RELAY: header and commit certificate verify (anchor.verify_relay)
    "hdr_hash": ("int", None), "hdr_parent": ("int", None),
    "ref_ok": ("bool", None),     # the Merkle proof shows the entry under the anchored root (verify_record_ref)
    "ref_owner": ("int", N_ID), "ref_revoked": ("bool", None),
    # only in LAX_GUARDS: the validator holds a cached verification outcome for this signature, computed at
    # chain time cached_at (auth's cache holds the pairing verdict alone, which is sig_ok, cached or not)
    "cached": ("bool", None), "cached_at": ("int", None),
}

# The MDC as SHC's environment: its committed block hash per height and each record's owner and revocation
MDC_HASH = z3.Function("MdcHash", z3.IntSort(), z3.IntSort())
MDC_OWNER = z3.Function("MdcOwner", z3.IntSort(), z3.IntSort())
MDC_REVOKED = z3.Function("MdcRevoked", z3.IntSort(), z3.BoolSort())


def symbolic_state(prefix: str) -> SymState:
    mk = {"int": z3.Int, "bool": z3.Bool}
    return {f: tuple(mk[sort](f"{prefix}.{f}[{i}]") for i in range(n)) for f, (sort, n, _) in FIELDS.items()}


def symbolic_tx(prefix: str = "tx") -> SymTx:
    mk = {"int": z3.Int, "bool": z3.Bool}
    return {f: mk[sort](f"{prefix}.{f}") for f, (sort, _) in TX_FIELDS.items()}


def sel(arr: Sequence[Expr], i: Expr) -> Expr:
    """arr[i] for a symbolic index (in range by the domain constraints); a constant index selects directly."""
    if z3.is_int_value(i):
        v = i.as_long()
        return arr[v] if 0 <= v < len(arr) else arr[-1]
    out = arr[-1]
    for j in range(len(arr) - 2, -1, -1):
        out = z3.If(i == j, arr[j], out)
    return out


def upd(arr: Sequence[Expr], i: Expr, v: Expr) -> tuple[Expr, ...]:
    """arr with arr[i] = v (unchanged for an index out of range)."""
    if z3.is_int_value(i):
        return tuple(v if j == i.as_long() else arr[j] for j in range(len(arr)))
    return tuple(z3.If(i == j, v, arr[j]) for j in range(len(arr)))


def rkey(g: Expr, c: Expr) -> Expr:
    """The receipt slot of (grant, CPC identity)."""
    if z3.is_int_value(g) and z3.is_int_value(c):
        return z3.IntVal(g.as_long() * N_ID + c.as_long())
    return g * N_ID + c


def nkey(who: Expr, n: Expr) -> Expr:
    """The used-nonce slot of (requester, nonce): nonces are scoped per requester."""
    if z3.is_int_value(who) and z3.is_int_value(n):
        return z3.IntVal(who.as_long() * N_NONCE + n.as_long())
    return who * N_NONCE + n


def _in(x: Expr, n: int) -> Expr:
    return z3.And(0 <= x, x < n)


# ---- guards and effects, mirroring spec/chain/state.py -----------------------------------------------------
# One function per transaction kind, named after the rule of ``spec.chain.state.RULES`` it mirrors: the rule's
# checks in order (one per ``fail``) and the state after its writes. Helpers carry the names of the spec's.

Check = tuple[str, str, Expr]  # (name, error code, condition that must hold)
Write = tuple[str, Expr, Expr]  # (field, slot, value)
TRUE, FALSE = z3.BoolVal(True), z3.BoolVal(False)


@attrs.frozen
class Mirror:
    """A rule read symbolically: its guard checks in order, and the state after its writes."""

    checks: tuple[Check, ...]
    after: SymState


def _written(s: SymState, *writes: Write) -> SymState:
    """``s`` with each field's slot set to its value."""
    after = dict(s)
    for field, slot, value in writes:
        after[field] = upd(after[field], slot, value)
    return after


def _count(s: SymState, field: str, slot: Expr) -> Write:
    """One more included transaction in a ghost counter."""
    return field, slot, sel(s[field], slot) + 1


def _role_is(s: SymState, who: Expr, role: int) -> Expr:
    """state._role(s, who) == role (an absent entity has no role)."""
    return z3.And(sel(s["ent"], who), sel(s["role"], who) == role)


def _apply_into(s: SymState, t: SymTx) -> list[Check]:
    """state._apply_into, before the kind's rule (TX_TYPE_NOT_ALLOWED and sizes are fixed by the kind and the
    encoding). The period is checked at chain time on every call; the signature check is the pairing verdict,
    ``sig_ok``, whether or not auth's cache holds it (the verdict is a function of the signer, its period, the
    digest, the signature and the authority key, not of chain time)."""
    snd, at = t["sender"], s["height"][0]
    return [("tx-new", "TX_DUPLICATE", z3.Not(t["included"])),
            ("sender-known", "TX_SENDER_UNKNOWN", z3.And(sel(s["cert"], snd), sel(s["ent"], snd))),
            # auth.verify_tx: revoked, then cbs period (start <= at < end), then the signature
            ("sender-cert-unrevoked", "CERT_REVOKED", z3.Not(sel(s["crev"], snd))),
            ("sender-cert-started", "CERT_NOT_YET_VALID", sel(s["cstart"], snd) <= at),
            ("sender-cert-not-ended", "CERT_EXPIRED", at < sel(s["cend"], snd)),
            ("signature", "TX_SIGNATURE_INVALID", t["sig_ok"])]


def _require_authority(t: SymTx) -> list[Check]:
    """state._require_authority."""
    return [("sender-is-authority", "NOT_AUTHORISED", t["sender"] == AUTHORITY)]


def _require_role(s: SymState, who: Expr, role: int) -> list[Check]:
    """state._require_role (of the sender)."""
    return [(f"sender-is-{ROLES[role]}", "NOT_AUTHORISED", _role_is(s, who, role))]


def _attr_epoch_ok(s: SymState, who: Expr) -> list[Check]:
    """state._attr_epoch_ok."""
    return [("attr-exists", "ENTITY_UNKNOWN", sel(s["attr"], who)),
            ("attr-unrevoked", "ATTRIBUTE_REVOKED", sel(s["attr_epoch"], who) >= sel(s["attr_below"], who))]


def _request_epoch_ok(s: SymState, q: Expr) -> list[Check]:
    """state._request_epoch_ok of request ``q``: the epoch it was proven under is unrevoked and current."""
    who, epoch = sel(s["req_requester"], q), sel(s["req_epoch"], q)
    return [("attr-exists", "ENTITY_UNKNOWN", sel(s["attr"], who)),
            ("request-epoch-unrevoked", "ATTRIBUTE_REVOKED", epoch >= sel(s["attr_below"], who)),
            ("request-epoch-current", "ATTRIBUTE_REVOKED", epoch == sel(s["attr_epoch"], who))]


def _requester_ok(s: SymState, q: Expr) -> list[Check]:
    """state._requester_ok of request ``q``."""
    requester = sel(s["req_requester"], q)
    return [("requester-cert-unrevoked", "CERT_REVOKED",
             z3.And(sel(s["cert"], requester), z3.Not(sel(s["crev"], requester)))),
            *_request_epoch_ok(s, q)]


def _grant_live(s: SymState, q: Expr, record: Expr) -> list[Check]:
    """state._grant_live of request ``q`` and ``record``."""
    return [("record-unrevoked", "RECORD_REVOKED", z3.Not(sel(s["shc_rev"], record))),
            ("grant-request-exists", "REQUEST_UNKNOWN", sel(s["req"], q)),
            *_requester_ok(s, q)]


def _unrevoked_grant(s: SymState, g: Expr) -> list[Check]:
    """state._unrevoked_grant."""
    return [("grant-exists", "GRANT_UNKNOWN", sel(s["grant"], g)),
            ("grant-unrevoked", "GRANT_REVOKED", z3.Not(sel(s["grant_rev"], g)))]


def _record_reference(s: SymState, t: SymTx) -> list[Check]:
    """state._record_reference (anchor.verify_record_ref): the header is relayed, the proof verifies."""
    return [("anchor-known", "ANCHOR_UNKNOWN_BLOCK", sel(s["anc"], t["mdc_height"])),
            ("proof-valid", "MERKLE_PROOF_INVALID", t["ref_ok"])]


def apply_entity_register(s: SymState, t: SymTx) -> Mirror:
    """entity/<id> = EntityEntry(role)."""
    i = t["ident"]
    checks = [*_require_authority(t),
              ("role-known", "TX_MALFORMED", _in(t["role"], len(ROLES))),
              ("identity-new", "ENTITY_EXISTS", z3.Not(sel(s["ent"], i)))]
    return Mirror(tuple(checks), _written(s, ("ent", i, TRUE), ("role", i, t["role"]), _count(s, "ent_n", i)))


def apply_cert_issue(s: SymState, t: SymTx) -> Mirror:
    """cert/<id> = CertEntry(public_key, start, end, sigma, revoked=False)."""
    i, at = t["ident"], s["height"][0]
    checks = [*_require_authority(t),
              ("entity-exists", "ENTITY_UNKNOWN", sel(s["ent"], i)),
              ("period-nonempty", "TX_MALFORMED", t["pstart"] < t["pend"]),
              ("period-not-over", "CERT_EXPIRED", at < t["pend"]),
              ("sigma-valid", "CERT_INVALID", t["sigma_ok"])]
    return Mirror(tuple(checks), _written(s, ("cert", i, TRUE), ("crev", i, FALSE), ("cstart", i, t["pstart"]),
                                          ("cend", i, t["pend"])))


def apply_cert_revoke(s: SymState, t: SymTx) -> Mirror:
    """cert/<id> = the certificate, revoked."""
    i = t["ident"]
    checks = [*_require_authority(t),
              ("cert-exists", "ENTITY_UNKNOWN", sel(s["cert"], i)),
              ("cert-unrevoked", "CERT_REVOKED", z3.Not(sel(s["crev"], i)))]
    return Mirror(tuple(checks), _written(s, ("cert", i, TRUE), ("crev", i, TRUE)))


def apply_device_register(s: SymState, t: SymTx) -> Mirror:
    """device/<dev> = DeviceEntry(sender, ibe identity, revoked=False)."""
    d = t["dev"]
    checks = [*_require_role(s, t["sender"], MI),
              ("device-new", "ENTITY_EXISTS", z3.Not(sel(s["dev"], d)))]
    return Mirror(tuple(checks), _written(s, ("dev", d, TRUE), ("dev_owner", d, t["sender"]),
                                          ("dev_rev", d, FALSE), _count(s, "dev_n", d)))


def apply_device_revoke(s: SymState, t: SymTx) -> Mirror:
    """device/<dev> = the device, revoked."""
    d = t["dev"]
    checks = [*_require_role(s, t["sender"], MI),
              ("device-exists", "DEVICE_UNKNOWN", sel(s["dev"], d)),
              ("sender-is-institution", "NOT_AUTHORISED", sel(s["dev_owner"], d) == t["sender"]),
              ("device-unrevoked", "DEVICE_REVOKED", z3.Not(sel(s["dev_rev"], d)))]
    return Mirror(tuple(checks), _written(s, ("dev_rev", d, TRUE)))


def apply_record_publish(s: SymState, t: SymTx) -> Mirror:
    """record/<id> = RecordEntry(owner=sender, ..., revoked=False)."""
    r = t["rec"]
    checks = [*_require_role(s, t["sender"], MI),
              ("record-new", "RECORD_EXISTS", z3.Not(sel(s["rec"], r)))]
    return Mirror(tuple(checks), _written(s, ("rec", r, TRUE), ("rec_owner", r, t["sender"]),
                                          ("rec_rev", r, FALSE), _count(s, "rec_n", r)))


def apply_record_revoke(s: SymState, t: SymTx) -> Mirror:
    """record/<id> = the record, revoked."""
    r = t["rec"]
    checks = [("record-exists", "RECORD_UNKNOWN", sel(s["rec"], r)),
              ("sender-is-owner", "NOT_AUTHORISED", sel(s["rec_owner"], r) == t["sender"]),
              ("record-unrevoked", "RECORD_REVOKED", z3.Not(sel(s["rec_rev"], r)))]
    return Mirror(tuple(checks), _written(s, ("rec_rev", r, TRUE)))


def apply_attribute_commit(s: SymState, t: SymTx) -> Mirror:
    """attr/<id> = AttributeEntry(epoch, commitment, revoked_below kept, 0 for a first commitment)."""
    i = t["ident"]
    has = sel(s["attr"], i)
    below = z3.If(has, sel(s["attr_below"], i), 0)
    checks = [*_require_authority(t),
              ("identity-is-RI", "ENTITY_UNKNOWN", _role_is(s, i, RI)),
              ("epoch-increases", "ATTRIBUTE_INVALID", z3.Or(z3.Not(has), t["epoch"] > sel(s["attr_epoch"], i))),
              ("epoch-unrevoked", "ATTRIBUTE_REVOKED", t["epoch"] >= below)]
    return Mirror(tuple(checks), _written(s, ("attr", i, TRUE), ("attr_epoch", i, t["epoch"]),
                                          ("attr_below", i, below)))


def apply_attribute_epoch_revoke(s: SymState, t: SymTx) -> Mirror:
    """attr/<id> = the commitment with revoked_below = epoch + 1."""
    i = t["ident"]
    checks = [*_require_authority(t),
              ("attr-exists", "ENTITY_UNKNOWN", sel(s["attr"], i)),
              ("epoch-not-revoked", "ATTRIBUTE_REVOKED", t["epoch"] >= sel(s["attr_below"], i))]
    return Mirror(tuple(checks), _written(s, ("attr_below", i, t["epoch"] + 1)))


def apply_mdc_header_relay(s: SymState, t: SymTx) -> Mirror:
    """mdc/<height> = AnchorEntry(block hash, state root): the checks of anchor.verify_relay."""
    h = t["mdc_height"]
    known, stored = sel(s["anc"], h), sel(s["anc_hash"], h)
    prev_known = z3.And(h > 0, sel(s["anc"], h - 1))
    checks = [("certificate-valid", "ANCHOR_FORGED", t["relay_ok"]),
              ("not-relayed", "TX_DUPLICATE", z3.Not(z3.And(known, stored == t["hdr_hash"]))),
              ("height-free", "ANCHOR_FORGED", z3.Not(known)),
              ("extends-parent", "ANCHOR_FORGED",
               z3.Or(z3.Not(prev_known), sel(s["anc_hash"], h - 1) == t["hdr_parent"]))]
    return Mirror(tuple(checks), _written(s, ("anc", h, TRUE), ("anc_hash", h, t["hdr_hash"]),
                                          _count(s, "anc_n", h)))


def apply_access_request(s: SymState, t: SymTx) -> Mirror:
    """nonce/<sender>/<nonce> = NonceUsed; request/<id> = RequestEntry(sender, MDC owner, record, the sender's
    current attribute epoch)."""
    snd, q, r, nonce = t["sender"], t["req"], t["rec"], t["nonce"]
    used = nkey(snd, nonce)
    checks = [*_require_role(s, snd, RI), *_record_reference(s, t),
              ("record-unrevoked", "RECORD_REVOKED", z3.And(z3.Not(t["ref_revoked"]), z3.Not(sel(s["shc_rev"], r)))),
              *_attr_epoch_ok(s, snd),
              ("nonce-fresh", "REPLAYED_NONCE", z3.Not(sel(s["nonce"], used))),
              ("request-id-new", "TX_DUPLICATE", z3.Not(sel(s["req"], q)))]
    return Mirror(tuple(checks), _written(s, ("nonce", used, TRUE), _count(s, "nonce_n", used),
                                          ("req", q, TRUE), ("req_requester", q, snd),
                                          ("req_owner", q, t["ref_owner"]), ("req_record", q, r),
                                          ("req_epoch", q, sel(s["attr_epoch"], snd)),
                                          ("req_nonce", q, nonce), _count(s, "req_n", q)))


def apply_grant(s: SymState, t: SymTx) -> Mirror:
    """granted/<request> = RequestGranted; grant/<id> = GrantEntry(sender, request, its record, unrevoked)."""
    q, g = t["req"], t["grant"]
    record = sel(s["req_record"], q)
    checks = [("request-exists", "REQUEST_UNKNOWN", sel(s["req"], q)),
              ("sender-is-owner", "NOT_AUTHORISED", t["sender"] == sel(s["req_owner"], q)),
              ("not-granted", "GRANT_EXISTS", z3.And(z3.Not(sel(s["granted"], q)), z3.Not(sel(s["grant"], g)))),
              ("record-unrevoked", "RECORD_REVOKED", z3.Not(sel(s["shc_rev"], record))),
              *_requester_ok(s, q)]
    return Mirror(tuple(checks), _written(s, ("granted", q, TRUE), _count(s, "grants_of_n", q),
                                          ("grant", g, TRUE), ("grant_grantor", g, t["sender"]),
                                          ("grant_req", g, q), ("grant_record", g, record),
                                          ("grant_rev", g, FALSE), _count(s, "grant_n", g)))


def apply_reencryption_receipt(s: SymState, t: SymTx) -> Mirror:
    """receipt/<grant>/<sender> = Receipt."""
    g, snd = t["grant"], t["sender"]
    key = rkey(g, snd)
    checks = [*_unrevoked_grant(s, g), *_require_role(s, snd, CPC),
              *_grant_live(s, sel(s["grant_req"], g), sel(s["grant_record"], g)),
              ("first-receipt", "RECEIPT_DUPLICATE", z3.Not(sel(s["receipt"], key)))]
    return Mirror(tuple(checks), _written(s, ("receipt", key, TRUE), _count(s, "receipt_n", key)))


def apply_grant_revoke(s: SymState, t: SymTx) -> Mirror:
    """grant/<id> = the grant, revoked."""
    g = t["grant"]
    checks = [*_unrevoked_grant(s, g),
              ("sender-is-grantor", "NOT_AUTHORISED", t["sender"] == sel(s["grant_grantor"], g))]
    return Mirror(tuple(checks), _written(s, ("grant_rev", g, TRUE)))


def apply_record_revoke_notice(s: SymState, t: SymTx) -> Mirror:
    """shc-revoked/<record> = RecordRevokedNotice."""
    r = t["rec"]
    checks = [*_record_reference(s, t),
              ("entry-revoked", "TX_MALFORMED", t["ref_revoked"]),
              ("not-noted", "RECORD_REVOKED", z3.Not(sel(s["shc_rev"], r)))]
    return Mirror(tuple(checks), _written(s, ("shc_rev", r, TRUE), _count(s, "notice_n", r)))


#: kind -> the mirror of its rule in ``spec.chain.state.RULES`` (same function name)
MIRRORS: dict[str, Callable[[SymState, SymTx], Mirror]] = {
    "ENTITY_REGISTER": apply_entity_register,
    "CERT_ISSUE": apply_cert_issue,
    "CERT_REVOKE": apply_cert_revoke,
    "DEVICE_REGISTER": apply_device_register,
    "RECORD_PUBLISH": apply_record_publish,
    "RECORD_REVOKE": apply_record_revoke,
    "ATTRIBUTE_COMMIT": apply_attribute_commit,
    "ATTRIBUTE_EPOCH_REVOKE": apply_attribute_epoch_revoke,
    "MDC_HEADER_RELAY": apply_mdc_header_relay,
    "ACCESS_REQUEST": apply_access_request,
    "GRANT": apply_grant,
    "REENCRYPTION_RECEIPT": apply_reencryption_receipt,
    "GRANT_REVOKE": apply_grant_revoke,
    "RECORD_REVOKE_NOTICE": apply_record_revoke_notice,
    "DEVICE_REVOKE": apply_device_revoke,
}


def unmirrored_rules(rules: Mapping[str, Callable[..., None]]) -> list[str]:
    """The kinds of ``rules`` (kind -> rule function) without a mirror here of the same name, and the mirrors of
    kinds ``rules`` does not have; empty when the encoding covers the spec kind by kind."""
    out = [f"{kind}: no mirror of {rule.__name__}" for kind, rule in rules.items() if kind not in MIRRORS]
    out += [f"{kind}: {MIRRORS[kind].__name__} mirrors {rule.__name__}" for kind, rule in rules.items()
            if kind in MIRRORS and MIRRORS[kind].__name__ != rule.__name__]
    out += [f"{kind}: mirror of a rule the spec does not have" for kind in MIRRORS if kind not in rules]
    if set(KINDS) != set(MIRRORS):
        out.append(f"KINDS and MIRRORS differ: {sorted(set(KINDS) ^ set(MIRRORS))}")
    return out


def check_mirrors(rules: Mapping[str, Callable[..., None]] | None = None) -> None:
    """Every rule of ``spec.chain.state.RULES`` (or of ``rules``) has its mirror, and only those."""
    missing = unmirrored_rules(chain_state.RULES if rules is None else rules)
    if missing:
        raise ValueError("the Z3 encoding does not mirror spec/chain/state.py: " + "; ".join(missing))


def guard(kind: str, s: SymState, t: SymTx) -> list[Check]:
    """The checks of ``state._apply_into`` then of the kind's rule, in order."""
    return [*_apply_into(s, t), *MIRRORS[kind](s, t).checks]


def effect(kind: str, s: SymState, t: SymTx) -> SymState:
    """The writes of the kind's rule (``tx/<id>`` is outside the projection)."""
    return MIRRORS[kind](s, t).after


# ---- domain, environment, invariants ------------------------------------------------------------------------

def domain(s: SymState, t: SymTx) -> Expr:
    """Index fields of the transaction are slots; times, periods, epochs and counters are naturals."""
    c = [_in(t[f], bound) for f, (_, bound) in TX_FIELDS.items() if bound is not None]
    c += [t["epoch"] >= 0, t["pstart"] >= 0, t["pend"] >= 0, s["height"][0] >= 0]
    c += [x >= 0 for f, (sort, _, ghost) in FIELDS.items() if ghost and sort == "int" and f != "req_nonce"
          for x in s[f]]
    c += [x >= 0 for f in ("cstart", "cend", "attr_epoch", "attr_below", "req_epoch") for x in s[f]]
    c += [t["cached_at"] >= 0]
    return z3.And(c)


def environment(s: SymState, t: SymTx) -> Expr:
    """What the abstract crypto checks stand for. A relayed header with a valid commit certificate is MDC's
    committed block at its height, whose parent is the committed block below (PBFT safety on MDC with at most
    f faulty validators). A Merkle proof that verifies under a relayed header's state root shows MDC's record
    entry there (collision resistance): its owner is the record's owner, and it is revoked only if MDC revoked
    the record (MDC owners never change, revocation is permanent: both proven below for MDC)."""
    h, r = t["mdc_height"], t["rec"]
    relay = z3.Implies(t["relay_ok"], z3.And(t["hdr_hash"] == MDC_HASH(h),
                                             z3.Implies(h > 0, t["hdr_parent"] == MDC_HASH(h - 1))))
    ref = z3.Implies(z3.And(t["ref_ok"], sel(s["anc"], h), sel(s["anc_hash"], h) == MDC_HASH(h)),
                     z3.And(t["ref_owner"] == MDC_OWNER(r), z3.Implies(t["ref_revoked"], MDC_REVOKED(r))))
    owners = z3.And([_in(MDC_OWNER(j), N_ID) for j in range(N_REC)])
    return z3.And(relay, ref, owners)


def _forall(n: int, body: Callable[[int], Expr]) -> Expr:
    return z3.And([body(j) for j in range(n)])


def _unique(n: int, present: Sequence[Expr], key: Sequence[Expr]) -> Expr:
    return z3.And([z3.Implies(z3.And(present[a], present[b]), key[a] != key[b])
                   for a in range(n) for b in range(a + 1, n)])


def _unique_pairs(n: int, present: Sequence[Expr], first: Sequence[Expr], second: Sequence[Expr]) -> Expr:
    return z3.And([z3.Implies(z3.And(present[a], present[b]), z3.Or(first[a] != first[b], second[a] != second[b]))
                   for a in range(n) for b in range(a + 1, n)])


def _counted(s: SymState, bit: str, count: str, n: int) -> Expr:
    """Exactly one included transaction wrote each present key and none wrote an absent one."""
    return _forall(n, lambda j: z3.And(s[count][j] <= 1, s[bit][j] == (s[count][j] == 1)))


Invariant = Callable[[SymState], Expr]
Step = Callable[[SymState, SymState, SymTx], Expr]


@attrs.frozen
class Property:
    name: str
    chains: str  # "both", "MDC" or "SHC"
    text: str
    inv: Invariant | None = None
    step: Step | None = None
    exempt: tuple[str, ...] = ()  # kinds for which the property is not claimed (see text)


def _mi(s: SymState, who: Expr) -> Expr:
    return z3.And(_in(who, N_ID), sel(s["ent"], who), sel(s["role"], who) == MI)


def _unchanged(s: SymState, s2: SymState, present: str, fields: Sequence[str], n: int) -> Expr:
    return _forall(n, lambda j: z3.Implies(s[present][j], z3.And(s2[present][j],
                                                                 *[s2[f][j] == s[f][j] for f in fields])))


def _monotone(s: SymState, s2: SymState, bit: str) -> Expr:
    return z3.And([z3.Implies(a, b) for a, b in zip(s[bit], s2[bit])])


def _changed(s: SymState, s2: SymState) -> Expr:
    return z3.Or([a != b for f in FIELDS for a, b in zip(s[f], s2[f])])


def _authenticated(s: SymState, t: SymTx) -> Expr:
    who, at = t["sender"], s["height"][0]
    return z3.And(z3.Not(t["included"]), sel(s["ent"], who), sel(s["cert"], who), z3.Not(sel(s["crev"], who)),
                  sel(s["cstart"], who) <= at, at < sel(s["cend"], who), t["sig_ok"])


def _cert_written(s: SymState, s2: SymState) -> Expr:
    return z3.Or([z3.Or(s["cert"][j] != s2["cert"][j], s["cstart"][j] != s2["cstart"][j],
                        s["cend"][j] != s2["cend"][j], z3.And(s["crev"][j], z3.Not(s2["crev"][j])))
                  for j in range(N_ID)])


PROPERTIES: tuple[Property, ...] = (
    # ---- both chains
    Property("authenticated-once", "both", "the state changes only by a new transaction signed by a registered "
             "sender whose certificate is unrevoked and valid at chain time",
             step=lambda s, s2, t: z3.Implies(_changed(s, s2), _authenticated(s, t))),
    Property("cert-issued-valid", "both", "a certificate is written (or un-revoked) only with the authority's "
             "certificate on it, for a period not over at chain time",
             step=lambda s, s2, t: z3.Implies(_cert_written(s, s2), z3.And(
                 t["sigma_ok"], z3.Or([z3.And(t["ident"] == j, s["height"][0] < s2["cend"][j])
                                       for j in range(N_ID)])))),
    Property("authority-registered", "both", "the authority is registered with role AUTHORITY",
             inv=lambda s: z3.And(s["ent"][AUTHORITY], s["role"][AUTHORITY] == AUTHORITY)),
    Property("roles-known", "both", "every entity's role is one of AUTHORITY, MI, RI, CPC",
             inv=lambda s: _forall(N_ID, lambda j: z3.Implies(s["ent"][j], _in(s["role"][j], len(ROLES))))),
    Property("entity-registered-once", "both", "ENTITY_REGISTER is included at most once per identity",
             inv=lambda s: _forall(N_ID, lambda j: z3.And(s["ent_n"][j] <= 1,
                                                          z3.Implies(s["ent_n"][j] == 1, s["ent"][j])))),
    Property("cert-has-entity", "both", "every certificate belongs to a registered entity",
             inv=lambda s: _forall(N_ID, lambda j: z3.Implies(s["cert"][j], s["ent"][j]))),
    Property("cert-period-nonempty", "both", "every certificate's period has start < end",
             inv=lambda s: _forall(N_ID, lambda j: z3.Implies(s["cert"][j], s["cstart"][j] < s["cend"][j]))),
    Property("entities-permanent", "both", "an entity is never removed and its role never changes",
             step=lambda s, s2, t: _unchanged(s, s2, "ent", ("role",), N_ID)),
    Property("authority-only-changes-identities", "both",
             "entity, certificate and attribute entries change only by the authority's transactions",
             step=lambda s, s2, t: z3.Implies(
                 z3.Or([s[f][j] != s2[f][j] for f in ("ent", "role", "cert", "cstart", "cend", "crev", "attr",
                                                        "attr_epoch", "attr_below") for j in range(N_ID)]),
                 t["sender"] == AUTHORITY)),
    Property("cert-revocation-permanent", "both",
             "a revoked certificate stays revoked (CERT_ISSUE replaces a certificate by design: exempt)",
             step=lambda s, s2, t: _monotone(s, s2, "crev"), exempt=("CERT_ISSUE",)),
    # ---- MDC
    Property("record-owner-is-MI", "MDC", "every record's owner is a registered medical institution",
             inv=lambda s: _forall(N_REC, lambda j: z3.Implies(s["rec"][j], _mi(s, s["rec_owner"][j])))),
    Property("device-owner-is-MI", "MDC", "every device belongs to a registered medical institution",
             inv=lambda s: _forall(N_DEV, lambda j: z3.Implies(s["dev"][j], _mi(s, s["dev_owner"][j])))),
    Property("record-published-once", "MDC", "RECORD_PUBLISH is included at most once per record id",
             inv=lambda s: _counted(s, "rec", "rec_n", N_REC)),
    Property("device-registered-once", "MDC", "DEVICE_REGISTER is included at most once per device",
             inv=lambda s: _counted(s, "dev", "dev_n", N_DEV)),
    Property("revoked-device-exists", "MDC", "only registered devices are revoked",
             inv=lambda s: _forall(N_DEV, lambda j: z3.Implies(s["dev_rev"][j], s["dev"][j]))),
    Property("devices-permanent", "MDC", "a device is never removed, its institution never changes, revocation is "
             "permanent", step=lambda s, s2, t: z3.And(_unchanged(s, s2, "dev", ("dev_owner",), N_DEV),
                                                       _monotone(s, s2, "dev_rev"))),
    Property("institution-revokes-device", "MDC", "only the device's institution revokes it",
             step=lambda s, s2, t: _forall(N_DEV, lambda j: z3.Implies(
                 z3.And(z3.Not(s["dev_rev"][j]), s2["dev_rev"][j]), t["sender"] == s["dev_owner"][j]))),
    Property("revoked-record-exists", "MDC", "only published records are revoked",
             inv=lambda s: _forall(N_REC, lambda j: z3.Implies(s["rec_rev"][j], s["rec"][j]))),
    Property("records-permanent", "MDC", "a record is never removed, its owner never changes, revocation is "
             "permanent", step=lambda s, s2, t: z3.And(_unchanged(s, s2, "rec", ("rec_owner",), N_REC),
                                                       _monotone(s, s2, "rec_rev"))),
    Property("owner-revokes-record", "MDC", "only the owner revokes a record",
             step=lambda s, s2, t: _forall(N_REC, lambda j: z3.Implies(
                 z3.And(z3.Not(s["rec_rev"][j]), s2["rec_rev"][j]), t["sender"] == s["rec_owner"][j]))),
    # ---- SHC
    Property("attr-holder-is-RI", "SHC", "attribute commitments exist only for registered RIs",
             inv=lambda s: _forall(N_ID, lambda j: z3.Implies(s["attr"][j], z3.And(s["ent"][j],
                                                                                   s["role"][j] == RI)))),
    Property("attr-epochs-monotone", "SHC", "attribute epochs increase and revoked epochs stay revoked",
             step=lambda s, s2, t: _forall(N_ID, lambda j: z3.Implies(s["attr"][j], z3.And(
                 s2["attr"][j], s2["attr_epoch"][j] >= s["attr_epoch"][j],
                 s2["attr_below"][j] >= s["attr_below"][j])))),
    Property("anchor-is-committed", "SHC", "every relayed header is MDC's committed block at its height",
             inv=lambda s: _forall(N_H, lambda j: z3.Implies(s["anc"][j], s["anc_hash"][j] == MDC_HASH(j)))),
    Property("anchor-relayed-once", "SHC", "each MDC height is relayed at most once, and never overwritten",
             inv=lambda s: _counted(s, "anc", "anc_n", N_H)),
    Property("requester-is-RI", "SHC", "every request's requester is a registered RI",
             inv=lambda s: _forall(N_REQ, lambda j: z3.Implies(s["req"][j], z3.And(
                 _in(s["req_requester"][j], N_ID), sel(s["ent"], s["req_requester"][j]),
                 sel(s["role"], s["req_requester"][j]) == RI)))),
    Property("request-owner-from-MDC", "SHC", "every request names the record's MDC owner",
             inv=lambda s: _forall(N_REQ, lambda j: z3.Implies(s["req"][j], z3.And(
                 _in(s["req_record"][j], N_REC), _in(s["req_owner"][j], N_ID),
                 s["req_owner"][j] == MDC_OWNER(s["req_record"][j]))))),
    Property("request-nonces-unique", "SHC", "no two requests of one requester share a nonce; each (requester, "
             "nonce) used is recorded once",
             inv=lambda s: z3.And(_counted(s, "nonce", "nonce_n", N_ID * N_NONCE),
                                  _forall(N_REQ, lambda j: z3.Implies(s["req"][j], z3.And(
                                      _in(s["req_nonce"][j], N_NONCE),
                                      sel(s["nonce"], nkey(s["req_requester"][j], s["req_nonce"][j]))))),
                                  _unique_pairs(N_REQ, s["req"], s["req_requester"], s["req_nonce"]))),
    Property("request-id-once", "SHC", "ACCESS_REQUEST is included at most once per request id",
             inv=lambda s: _counted(s, "req", "req_n", N_REQ)),
    Property("request-for-unrevoked-record", "SHC", "a new request's record is not revoked as far as SHC knows, "
             "and the request records its requester's current attribute epoch, unrevoked",
             step=lambda s, s2, t: _forall(N_REQ, lambda j: z3.Implies(z3.And(z3.Not(s["req"][j]), s2["req"][j]), z3.And(
                 z3.Not(sel(s["shc_rev"], s2["req_record"][j])), sel(s["attr"], s2["req_requester"][j]),
                 s2["req_epoch"][j] == sel(s["attr_epoch"], s2["req_requester"][j]),
                 sel(s["attr_epoch"], s2["req_requester"][j]) >= sel(s["attr_below"], s2["req_requester"][j]))))),
    Property("grant-has-request", "SHC", "every grant refers to an existing, granted request, for its record, "
             "by the record's owner",
             inv=lambda s: _forall(N_GRANT, lambda g: z3.Implies(s["grant"][g], z3.And(
                 _in(s["grant_req"][g], N_REQ), sel(s["req"], s["grant_req"][g]),
                 sel(s["granted"], s["grant_req"][g]),
                 s["grant_record"][g] == sel(s["req_record"], s["grant_req"][g]),
                 s["grant_grantor"][g] == sel(s["req_owner"], s["grant_req"][g]))))),
    Property("revoked-grant-exists", "SHC", "only existing grants are revoked",
             inv=lambda s: _forall(N_GRANT, lambda g: z3.Implies(s["grant_rev"][g], s["grant"][g]))),
    Property("granted-has-request", "SHC", "only existing requests are marked granted",
             inv=lambda s: _forall(N_REQ, lambda q: z3.Implies(s["granted"][q], s["req"][q]))),
    Property("one-grant-per-request", "SHC", "at most one grant per request, and one GRANT per grant id",
             inv=lambda s: z3.And(_counted(s, "granted", "grants_of_n", N_REQ), _counted(s, "grant", "grant_n", N_GRANT),
                                  _unique(N_GRANT, s["grant"], s["grant_req"]))),
    Property("grant-at-unrevoked-time", "SHC", "a new grant's record and requester certificate are unrevoked when "
             "it is granted, and the attribute epoch its request was proven under is unrevoked and current",
             step=lambda s, s2, t: _forall(N_GRANT, lambda g: z3.Implies(z3.And(z3.Not(s["grant"][g]), s2["grant"][g]),
                                                                          _grant_ok(s, s2["grant_req"][g])))),
    Property("receipt-has-grant", "SHC", "every receipt is for an existing grant, from a registered CPC node",
             inv=lambda s: _forall(N_GRANT * N_ID, lambda j: z3.Implies(s["receipt"][j], z3.And(
                 s["grant"][j // N_ID], s["ent"][j % N_ID], s["role"][j % N_ID] == CPC)))),
    Property("receipt-once", "SHC", "at most one REENCRYPTION_RECEIPT per (grant, CPC node)",
             inv=lambda s: _counted(s, "receipt", "receipt_n", N_GRANT * N_ID)),
    Property("receipt-for-live-grant", "SHC", "a new receipt's grant is unrevoked, its record and its requester's "
             "certificate are unrevoked, and the attribute epoch its request was proven under is unrevoked and "
             "current",
             step=lambda s, s2, t: _forall(N_GRANT * N_ID, lambda j: z3.Implies(
                 z3.And(z3.Not(s["receipt"][j]), s2["receipt"][j]),
                 z3.And(z3.Not(s["grant_rev"][j // N_ID]), z3.Not(sel(s["shc_rev"], s["grant_record"][j // N_ID])),
                        _grant_ok(s, s["grant_req"][j // N_ID]))))),
    Property("grants-permanent", "SHC", "requests and grants are never removed or rewritten; grant revocation, "
             "record revocation notices and used nonces are permanent",
             step=lambda s, s2, t: z3.And(
                 _unchanged(s, s2, "req", ("req_requester", "req_owner", "req_record", "req_epoch"), N_REQ),
                 _unchanged(s, s2, "grant", ("grant_grantor", "grant_req", "grant_record"), N_GRANT),
                 _monotone(s, s2, "grant_rev"), _monotone(s, s2, "shc_rev"), _monotone(s, s2, "nonce"),
                 _monotone(s, s2, "granted"))),
    Property("grantor-revokes-grant", "SHC", "only the grantor revokes a grant",
             step=lambda s, s2, t: _forall(N_GRANT, lambda g: z3.Implies(
                 z3.And(z3.Not(s["grant_rev"][g]), s2["grant_rev"][g]), t["sender"] == s["grant_grantor"][g]))),
    Property("notice-from-MDC", "SHC", "SHC marks a record revoked only if MDC revoked it, once",
             inv=lambda s: z3.And(_forall(N_REC, lambda r: z3.Implies(s["shc_rev"][r], MDC_REVOKED(r))),
                                  _counted(s, "shc_rev", "notice_n", N_REC))),
)


def _grant_ok(s: SymState, q: Expr) -> Expr:
    """Request ``q`` may be granted or re-encrypted for: its record and its requester's certificate unrevoked, and
    the attribute epoch it was proven under unrevoked and still the requester's current one."""
    who, epoch = sel(s["req_requester"], q), sel(s["req_epoch"], q)
    return z3.And(z3.Not(sel(s["shc_rev"], sel(s["req_record"], q))), sel(s["cert"], who),
                  z3.Not(sel(s["crev"], who)), sel(s["attr"], who),
                  epoch >= sel(s["attr_below"], who), epoch == sel(s["attr_epoch"], who))


def _chain_of(kind: str) -> str:
    return "MDC" if kind in MDC_KINDS else "SHC" if kind in SHC_KINDS else "both"


def properties_for(kind: str) -> list[Property]:
    """The properties claimed for ``kind``: its chain's and both chains' (a kind of both chains: all)."""
    c = _chain_of(kind)
    return [p for p in PROPERTIES if kind not in p.exempt and (c == "both" or p.chains in ("both", c))]


def state_invariant(s: SymState) -> Expr:
    """The conjunction of every state invariant (both chains' states are one symbolic state here)."""
    return z3.And([p.inv(s) for p in PROPERTIES if p.inv is not None])


def _holds(p: Property, s: SymState, s2: SymState, t: SymTx) -> Expr:
    if p.inv is not None:
        return p.inv(s2)
    assert p.step is not None
    return p.step(s, s2, t)


# ---- the checks -----------------------------------------------------------------------------------------------

@attrs.frozen
class Obligation:
    kind: str
    prop: str
    result: str  # "proved", "counterexample", "unknown"
    seconds: float


@attrs.frozen
class Refutation:
    kind: str
    dropped: tuple[str, ...]  # the names of the guard checks left out
    prop: str
    caught: bool
    counterexample: dict[str, Any]  # pre-state and transaction values that break ``prop``
    seconds: float


def _solver(kind: str, s: SymState, t: SymTx, checks: list[Check], timeout_ms: int) -> Any:
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(domain(s, t), environment(s, t), state_invariant(s), *[c for _, _, c in checks])
    return solver


def _verdict(r: Any) -> str:
    return "proved" if r == z3.unsat else "counterexample" if r == z3.sat else "unknown"


def prove_kind(kind: str, timeout_ms: int = 10_000) -> list[Obligation]:
    """Prove every property claimed for ``kind`` under its full guard."""
    s, t = symbolic_state("s"), symbolic_tx()
    s2 = effect(kind, s, t)
    solver = _solver(kind, s, t, guard(kind, s, t), timeout_ms)
    out = []
    for p in properties_for(kind):
        t0 = time.perf_counter()
        solver.push()
        solver.add(z3.Not(_holds(p, s, s2, t)))
        r = solver.check()
        solver.pop()
        out.append(Obligation(kind, p.name, _verdict(r),
                              time.perf_counter() - t0))
    return out


#: (kind, guard check(s) dropped, the property that must then fail). Two entries drop a pair: the stored-height
#: test of verify_relay (one ``if`` with two codes), and ACCESS_REQUEST's RI test, which the attribute check
#: alone also enforces (attribute commitments exist only for RIs), so dropping either one alone is not a bug.
WEAKENINGS: tuple[tuple[str, str | tuple[str, ...], str], ...] = (
    ("GRANT", "tx-new", "authenticated-once"),
    ("GRANT", "sender-known", "authenticated-once"),
    ("GRANT", "sender-cert-unrevoked", "authenticated-once"),
    ("GRANT", "sender-cert-started", "authenticated-once"),
    ("GRANT", "sender-cert-not-ended", "authenticated-once"),
    ("GRANT", "signature", "authenticated-once"),
    ("RECORD_PUBLISH", "signature", "authenticated-once"),
    ("CERT_ISSUE", "sigma-valid", "cert-issued-valid"),
    ("CERT_ISSUE", "period-not-over", "cert-issued-valid"),
    ("ENTITY_REGISTER", "identity-new", "entity-registered-once"),
    ("ENTITY_REGISTER", "role-known", "roles-known"),
    ("CERT_ISSUE", "entity-exists", "cert-has-entity"),
    ("CERT_ISSUE", "period-nonempty", "cert-period-nonempty"),
    ("CERT_REVOKE", "cert-exists", "cert-has-entity"),
    ("CERT_REVOKE", "sender-is-authority", "authority-only-changes-identities"),
    ("DEVICE_REGISTER", "sender-is-MI", "device-owner-is-MI"),
    ("DEVICE_REGISTER", "device-new", "device-registered-once"),
    ("RECORD_PUBLISH", "sender-is-MI", "record-owner-is-MI"),
    ("RECORD_PUBLISH", "record-new", "record-published-once"),
    ("RECORD_REVOKE", "record-exists", "revoked-record-exists"),
    ("RECORD_REVOKE", "sender-is-owner", "owner-revokes-record"),
    ("ATTRIBUTE_COMMIT", "identity-is-RI", "attr-holder-is-RI"),
    ("ATTRIBUTE_COMMIT", "epoch-increases", "attr-epochs-monotone"),
    ("ATTRIBUTE_EPOCH_REVOKE", "epoch-not-revoked", "attr-epochs-monotone"),
    ("MDC_HEADER_RELAY", "certificate-valid", "anchor-is-committed"),
    ("MDC_HEADER_RELAY", ("not-relayed", "height-free"), "anchor-relayed-once"),
    ("ACCESS_REQUEST", ("sender-is-RI", "attr-exists"), "requester-is-RI"),
    ("ACCESS_REQUEST", "anchor-known", "request-owner-from-MDC"),
    ("ACCESS_REQUEST", "proof-valid", "request-owner-from-MDC"),
    ("ACCESS_REQUEST", "record-unrevoked", "request-for-unrevoked-record"),
    ("ACCESS_REQUEST", "attr-unrevoked", "request-for-unrevoked-record"),
    ("ACCESS_REQUEST", "nonce-fresh", "request-nonces-unique"),
    ("ACCESS_REQUEST", "request-id-new", "request-id-once"),
    ("GRANT", "request-exists", "grant-has-request"),
    ("GRANT", "sender-is-owner", "grant-has-request"),
    ("GRANT", "not-granted", "one-grant-per-request"),
    ("GRANT", "record-unrevoked", "grant-at-unrevoked-time"),
    ("GRANT", "requester-cert-unrevoked", "grant-at-unrevoked-time"),
    ("GRANT", "request-epoch-unrevoked", "grant-at-unrevoked-time"),
    ("GRANT", "request-epoch-current", "grant-at-unrevoked-time"),
    ("REENCRYPTION_RECEIPT", "grant-exists", "receipt-has-grant"),
    ("REENCRYPTION_RECEIPT", "sender-is-CPC", "receipt-has-grant"),
    ("REENCRYPTION_RECEIPT", "first-receipt", "receipt-once"),
    ("REENCRYPTION_RECEIPT", "grant-unrevoked", "receipt-for-live-grant"),
    ("REENCRYPTION_RECEIPT", "record-unrevoked", "receipt-for-live-grant"),
    ("REENCRYPTION_RECEIPT", "requester-cert-unrevoked", "receipt-for-live-grant"),
    ("REENCRYPTION_RECEIPT", "request-epoch-unrevoked", "receipt-for-live-grant"),
    ("REENCRYPTION_RECEIPT", "request-epoch-current", "receipt-for-live-grant"),
    ("GRANT_REVOKE", "sender-is-grantor", "grantor-revokes-grant"),
    ("RECORD_REVOKE_NOTICE", "entry-revoked", "notice-from-MDC"),
    ("RECORD_REVOKE_NOTICE", "not-noted", "notice-from-MDC"),
    ("DEVICE_REVOKE", "device-exists", "revoked-device-exists"),
    ("DEVICE_REVOKE", "sender-is-institution", "institution-revokes-device"),
)


def _value(model: Any, e: Expr) -> Any:
    v = model.eval(e, model_completion=True)
    return z3.is_true(v) if z3.is_bool(v) else v.as_long()


def refute(kind: str, dropped: str | tuple[str, ...], prop: str, timeout_ms: int = 10_000) -> Refutation:
    """Drop the guard check(s) ``dropped`` of ``kind``; Z3 must find a state and transaction breaking ``prop``."""
    s, t = symbolic_state("s"), symbolic_tx()
    checks = guard(kind, s, t)
    names = [n for n, _, _ in checks]
    dropped = (dropped,) if isinstance(dropped, str) else dropped
    if not set(dropped) <= set(names):
        raise ValueError(f"{kind} has no check {dropped!r} (checks: {names})")
    p = next(p for p in PROPERTIES if p.name == prop)
    t0 = time.perf_counter()
    solver = _solver(kind, s, t, [c for c in checks if c[0] not in dropped], timeout_ms)
    solver.add(z3.Not(_holds(p, s, effect(kind, s, t), t)))
    r = solver.check()
    cex: dict[str, Any] = {}
    if r == z3.sat:
        m = solver.model()
        cex = {"state": {f: [_value(m, x) for x in xs] for f, xs in s.items()},
               "tx": {f: _value(m, x) for f, x in t.items()}}
    return Refutation(kind, dropped, prop, r == z3.sat, cex, time.perf_counter() - t0)


def _requester_current_epoch_only(kind: str) -> Callable[[SymState, SymTx], list[Check]]:
    """``kind``'s guard checking the requester's current attribute epoch (unrevoked) in place of the epoch its
    request was proven under (unrevoked and current): a new commitment would revive older requests."""

    def checks(s: SymState, t: SymTx) -> list[Check]:
        q = t["req"] if kind == "GRANT" else sel(s["grant_req"], t["grant"])
        who = sel(s["req_requester"], q)
        out = [c for c in guard(kind, s, t) if not c[0].startswith("request-epoch-")]
        return out + [("attr-unrevoked", "ATTRIBUTE_REVOKED", sel(s["attr_epoch"], who) >= sel(s["attr_below"], who))]
    return checks


def _cached_outcome(kind: str) -> Callable[[SymState, SymTx], list[Check]]:
    """``kind``'s guard with a verification cache that keeps whole outcomes, period included, computed at an
    earlier chain time ``cached_at``: on a hit the period is not checked at the current chain time."""

    def checks(s: SymState, t: SymTx) -> list[Check]:
        snd = t["sender"]
        then_ok = z3.And(t["sig_ok"], sel(s["cstart"], snd) <= t["cached_at"], t["cached_at"] < sel(s["cend"], snd))
        out = []
        for name, code, cond in guard(kind, s, t):
            if name in ("sender-cert-started", "sender-cert-not-ended"):
                cond = z3.Or(t["cached"], cond)
            elif name == "signature":
                cond = z3.If(t["cached"], then_ok, cond)
            out.append((name, code, cond))
        return out
    return checks


#: (kind, name, a guard that is too lax, the property Z3 must then break): the plausible guards the chain rules
#: must not be, each refuted like a dropped check
LAX_GUARDS: tuple[tuple[str, str, Callable[[SymState, SymTx], list[Check]], str], ...] = (
    ("GRANT", "requester-current-epoch-only", _requester_current_epoch_only("GRANT"), "grant-at-unrevoked-time"),
    ("REENCRYPTION_RECEIPT", "requester-current-epoch-only", _requester_current_epoch_only("REENCRYPTION_RECEIPT"),
     "receipt-for-live-grant"),
    ("ACCESS_REQUEST", "cached-outcome", _cached_outcome("ACCESS_REQUEST"), "authenticated-once"),
    ("RECORD_PUBLISH", "cached-outcome", _cached_outcome("RECORD_PUBLISH"), "authenticated-once"),
)


def refute_lax(kind: str, name: str, lax: Callable[[SymState, SymTx], list[Check]], prop: str,
               timeout_ms: int = 10_000) -> Refutation:
    """Z3 must find a state and transaction that the lax guard ``lax`` of ``kind`` accepts and that break
    ``prop``."""
    s, t = symbolic_state("s"), symbolic_tx()
    p = next(p for p in PROPERTIES if p.name == prop)
    t0 = time.perf_counter()
    solver = _solver(kind, s, t, lax(s, t), timeout_ms)
    solver.add(z3.Not(_holds(p, s, effect(kind, s, t), t)))
    r = solver.check()
    cex: dict[str, Any] = {}
    if r == z3.sat:
        m = solver.model()
        cex = {"state": {f: [_value(m, x) for x in xs] for f, xs in s.items()},
               "tx": {f: _value(m, x) for f, x in t.items()}}
    return Refutation(kind, (name,), prop, r == z3.sat, cex, time.perf_counter() - t0)


def unneeded_checks(kinds: Sequence[str] = KINDS, timeout_ms: int = 10_000) -> list[tuple[str, str, str]]:
    """The guard checks whose removal breaks none of the kind's properties: (kind, check, code). Such a check
    is implied by the others and the invariants, or guards something no property states (it may still decide
    which error code a bad transaction gets)."""
    out = []
    for kind in kinds:
        s, t = symbolic_state("s"), symbolic_tx()
        checks = guard(kind, s, t)
        s2 = effect(kind, s, t)
        claim = z3.And([_holds(p, s, s2, t) for p in properties_for(kind)])
        for name, code, _ in checks:
            solver = _solver(kind, s, t, [c for c in checks if c[0] != name], timeout_ms)
            if solver.check(z3.Not(claim)) == z3.unsat:
                out.append((kind, name, code))
    return out


@attrs.frozen
class GuardReport:
    obligations: tuple[Obligation, ...]
    refutations: tuple[Refutation, ...]
    seconds: float
    lax: tuple[Refutation, ...] = ()

    @property
    def proved(self) -> int:
        return sum(o.result == "proved" for o in self.obligations)

    @property
    def ok(self) -> bool:
        return (self.proved == len(self.obligations) and all(r.caught for r in self.refutations)
                and all(r.caught for r in self.lax))


def check_guards(kinds: Sequence[str] = KINDS, timeout_ms: int = 10_000) -> GuardReport:
    """Every rule of the spec has its mirror (``check_mirrors``); then the proofs, the weakened guards and the
    lax guards."""
    check_mirrors()
    t0 = time.perf_counter()
    obligations = [o for k in kinds for o in prove_kind(k, timeout_ms)]
    refutations = [refute(k, d, p, timeout_ms) for k, d, p in WEAKENINGS if k in kinds]
    lax = [refute_lax(k, n, g, p, timeout_ms) for k, n, g, p in LAX_GUARDS if k in kinds]
    return GuardReport(tuple(obligations), tuple(refutations), time.perf_counter() - t0, tuple(lax))


# ---- concrete evaluation (for the conformance test against spec/chain) --------------------------------------

def concrete_state(values: dict[str, Sequence[int | bool]]) -> SymState:
    """A symbolic state whose every field is a constant (missing fields: 0 / False)."""
    out: SymState = {}
    for f, (sort, n, _) in FIELDS.items():
        vs = list(values.get(f, [0 if sort == "int" else False] * n))
        assert len(vs) == n, f
        out[f] = tuple(z3.IntVal(int(v)) if sort == "int" else z3.BoolVal(bool(v)) for v in vs)
    return out


def concrete_tx(values: dict[str, int | bool]) -> SymTx:
    return {f: (z3.IntVal(int(values.get(f, 0))) if sort == "int" else z3.BoolVal(bool(values.get(f, False))))
            for f, (sort, _) in TX_FIELDS.items()}


def evaluate(kind: str, s: SymState, t: SymTx) -> tuple[str | None, dict[str, list[int | bool]]]:
    """The model's verdict on constants: the first failing check's code (or None) and the state after."""
    for _name, code, cond in guard(kind, s, t):
        v = z3.simplify(cond)
        assert z3.is_true(v) or z3.is_false(v), f"{kind}: {cond} does not evaluate"
        if z3.is_false(v):
            return code, _to_python(s)
    return None, _to_python(effect(kind, s, t))


def _to_python(s: SymState) -> dict[str, list[int | bool]]:
    out: dict[str, list[int | bool]] = {}
    for f, xs in s.items():
        vals: list[int | bool] = []
        for x in xs:
            v = z3.simplify(x)
            vals.append(z3.is_true(v) if z3.is_bool(v) else v.as_long())
        out[f] = vals
    return out


def failing_invariants(values: dict[str, Sequence[int | bool]], mdc_hash: dict[int, int],
                       mdc_owner: dict[int, int], mdc_revoked: dict[int, bool]) -> list[str]:
    """The state invariants that a concrete state (ghost fields included) breaks, given MDC's committed hashes,
    record owners and revocations (the environment of SHC)."""
    s = concrete_state(values)
    solver = z3.Solver()
    solver.add(*[MDC_HASH(h) == v for h, v in mdc_hash.items()], *[MDC_OWNER(r) == v for r, v in mdc_owner.items()],
               *[MDC_REVOKED(r) == v for r, v in mdc_revoked.items()])
    if solver.check(z3.Not(state_invariant(s))) == z3.unsat:
        return []
    out = []
    for p in PROPERTIES:
        if p.inv is not None and solver.check(z3.Not(p.inv(s))) != z3.unsat:
            out.append(p.name)
    return out


def stage() -> str:
    """The ``medshare verify`` line for the guard check."""
    report = check_guards()
    bad = [f"{o.kind}/{o.prop}: {o.result}" for o in report.obligations if o.result != "proved"]
    assert not bad, "guard obligations not proven: " + ", ".join(bad[:4])
    missed = [f"{r.kind} without {'+'.join(r.dropped)}" for r in report.refutations if not r.caught]
    missed += [f"{r.kind} with {r.dropped[0]}" for r in report.lax if not r.caught]
    assert not missed, "weakened guards not caught: " + ", ".join(missed)
    return (f"chain guards: {report.proved}/{len(report.obligations)} (kind, property) obligations proven for "
            f"{len(KINDS)} kinds; weakened guards caught {len(report.refutations)}/{len(WEAKENINGS)}, lax guards "
            f"{len(report.lax)}/{len(LAX_GUARDS)} in {report.seconds:.1f} s")
