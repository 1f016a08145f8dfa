"""A Python mirror of models/Sharing.tla: the same state, one method per action, the same guards.

Replay (models/replay.py) drives it with the actions a TLC trace records and compares the projected state
with the trace after every step. The guard flags (CheckProof, …) come from the trace's constants, so the
counterexamples of the buggy configurations replay too.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..spec.errors import fail
from .replay_base import Diverged, const_bool, const_int, const_name, const_set, const_subset, require, substitution
from .tlavalues import Function, Record

#: the definitions the MC wrapper substitutes for ``Sat``: ri1 satisfies the policy, nobody else
SATS = {"MCSat": lambda ri: ri == "ri1"}
FLAGS = ("CheckProof", "CheckGrant", "CheckRevocation", "CheckRequestEpoch", "RecordNonce", "DedupReceipts",
         "CheckAnchorCert", "CheckSig", "RecheckPeriod", "KfragToRI", "HideAttributes")


@attrs.frozen
class SharingConstants:
    ri: frozenset[str]
    sat: dict[str, bool]
    adversary: str
    records: frozenset[str]
    nonces: frozenset[str]
    cpc: frozenset[str]
    byz_cpc: frozenset[str]
    t: int
    max_req: int
    max_epoch: int
    flags: dict[str, bool]

    @property
    def honest_cpc(self) -> frozenset[str]:
        return self.cpc - self.byz_cpc


@attrs.frozen
class SharingState:
    k: SharingConstants
    vars: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.vars[name]

    def but(self, **changes: Any) -> SharingState:
        return SharingState(self.k, {**self.vars, **changes})


def sharing_constants(c: dict[str, Any], substitutions: dict[str, str]) -> SharingConstants:
    """The constants of a Sharing trace (its ``#meta``), typed and bounded; shared by the mirror and the
    spec-backed adapter."""
    sat = SATS[substitution(substitutions, "Sat", SATS)]
    ris = const_set(c, "RI")
    adversary = const_name(c, "Adversary")
    if adversary not in ris:
        fail("TRACE_MALFORMED", f"the Adversary {adversary} is not one of RI")
    cpc = const_set(c, "CPC")
    t = const_int(c, "T", 1)
    if t > len(cpc):
        fail("TRACE_MALFORMED", f"the threshold T = {t} exceeds the {len(cpc)} CPC nodes")
    return SharingConstants(ri=ris, sat={r: sat(r) for r in ris}, adversary=adversary,
                            records=const_set(c, "Record"), nonces=const_set(c, "Nonce"), cpc=cpc,
                            byz_cpc=const_subset(c, "ByzCPC", cpc, "CPC"), t=t, max_req=const_int(c, "MaxReq", 0),
                            max_epoch=const_int(c, "MaxEpoch", 0),
                            flags={f: const_bool(c, f) for f in FLAGS})


def sharing_actions(k: SharingConstants) -> dict[str, dict[str, Any]]:
    """Each action's arguments and their domains (Sharing.tla's Next), to check a trace's ``act``."""
    ids = range(1, k.max_req + 1)
    rec, req, grant = {"rec": k.records}, {"ri": k.ri, "rec": k.records, "nonce": k.nonces}, {"i": ids}
    node = {"g": ids, "c": k.cpc}
    return {"Init": {}, **dict.fromkeys(("Publish", "CommitRecord", "DropRecord", "Anchor", "RevokeRecord"), rec),
            "Request": req, "Forge": req,
            **dict.fromkeys(("Replay", "Grant", "CommitGrant", "DropGrant", "RevokeGrant"), grant),
            **dict.fromkeys(("RevokeCert", "RevokeAttributes", "RecommitAttributes", "ExpireCert"), {"ri": k.ri}),
            "CacheVerdict": req,
            **dict.fromkeys(("Reencrypt", "Refuse", "ByzReencrypt", "ByzOpen"), node),
            "Decrypt": {"ri": k.ri, "g": ids}}


class MirrorSharingAdapter:
    """Initial state, actions and projection of Sharing.tla."""

    def initial(self, constants: dict[str, Any], substitutions: dict[str, str]) -> SharingState:
        k = sharing_constants(constants, substitutions)
        return SharingState(k, {
            "mdc": Function({r: "absent" for r in k.records}),
            "recRevoked": frozenset(), "anchored": frozenset(), "certRevoked": frozenset(),
            "attrRevoked": frozenset(), "attrEpoch": Function({r: 1 for r in k.ri}), "certExpired": frozenset(),
            "sigCache": frozenset(), "reqs": (), "usedNonces": frozenset(), "pending": frozenset(),
            "grants": frozenset(), "grantRevoked": frozenset(), "kfrags": frozenset(), "cfrags": frozenset(),
            "receipts": tuple(Function({c: 0 for c in k.cpc}) for _ in range(k.max_req)),
            "refused": frozenset(), "knows": frozenset(), "cpcLearned": frozenset(),
        })

    def project(self, state: SharingState) -> dict[str, Any]:
        return dict(state.vars)

    # ---- helpers (Sharing.tla's operators) ----

    @staticmethod
    def proof_exists(st: SharingState, ri: str) -> bool:
        return st.k.sat[ri] and ri not in st["attrRevoked"]

    @staticmethod
    def epoch_live(st: SharingState, g: int) -> bool:
        req = st["reqs"][g - 1]
        return req["epoch"] == st["attrEpoch"][req["ri"]] and req["ri"] not in st["attrRevoked"]

    @classmethod
    def revoked(cls, st: SharingState, g: int) -> bool:
        req = st["reqs"][g - 1]
        return (g in st["grantRevoked"] or req["rec"] in st["recRevoked"] or req["ri"] in st["certRevoked"]
                or not cls.epoch_live(st, g))

    @classmethod
    def refused(cls, st: SharingState, g: int) -> bool:
        """Sharing.tla's Refused: Revoked, or without CheckRequestEpoch the requester's current epoch only."""
        if st.k.flags["CheckRequestEpoch"]:
            return cls.revoked(st, g)
        req = st["reqs"][g - 1]
        return (g in st["grantRevoked"] or req["rec"] in st["recRevoked"] or req["ri"] in st["certRevoked"]
                or req["ri"] in st["attrRevoked"])

    @staticmethod
    def sig_accepted(st: SharingState, ri: str, rec: str, n: str) -> bool:
        return ri not in st["certRevoked"] and (
            ri not in st["certExpired"] or (not st.k.flags["RecheckPeriod"] and (ri, rec, n) in st["sigCache"]))

    @staticmethod
    def holders(st: SharingState, g: int) -> set[str]:
        return {cf["c"] for cf in st["cfrags"] if cf["g"] == g}

    def _request_id(self, st: SharingState, i: int) -> None:
        require(1 <= i <= len(st["reqs"]), f"there is no request {i}")

    def _accept(self, st: SharingState, ri: str, rec: str, n: str, signed: bool) -> SharingState:
        f = st.k.flags
        proof = self.proof_exists(st, ri)
        auth = signed and ri not in st["certRevoked"] and ri not in st["certExpired"]
        require(ri in st.k.ri and rec in st.k.records and n in st.k.nonces, "unknown RI, record or nonce")
        require(len(st["reqs"]) < st.k.max_req, "the request bound is reached")
        require(rec in st["anchored"], f"{rec} is not anchored on SHC")
        require(rec not in st["recRevoked"], f"{rec} is revoked")
        require((ri, n) not in st["usedNonces"], f"{ri} already used nonce {n}")
        require(proof or not f["CheckProof"], f"{ri} has no proof that its attributes satisfy the policy")
        require((signed and self.sig_accepted(st, ri, rec, n)) or not f["CheckSig"],
                f"the request in {ri}'s name is not signed under a valid certificate")
        fields: dict[str, Any] = {"ri": ri, "rec": rec, "nonce": n, "proof": proof, "auth": auth,
                                  "epoch": st["attrEpoch"][ri]}
        if not f["HideAttributes"]:
            fields["attrs"] = st.k.sat[ri]
        used = st["usedNonces"] | {(ri, n)} if f["RecordNonce"] else st["usedNonces"]
        return st.but(reqs=st["reqs"] + (Record(fields),), usedNonces=used)

    # ---- actions ----

    def step(self, st: SharingState, act: Record) -> SharingState:
        name = act["name"]
        handler = getattr(self, f"do_{name}", None)
        if handler is None:
            raise Diverged(f"Sharing has no action {name}")
        return handler(st, act)  # type: ignore[no-any-return]

    def do_Publish(self, st: SharingState, a: Record) -> SharingState:
        rec = a["rec"]
        require(st["mdc"][rec] == "absent", f"{rec} is already on MDC")
        return st.but(mdc=st["mdc"].set(rec, "pending"))

    def do_CommitRecord(self, st: SharingState, a: Record) -> SharingState:
        rec = a["rec"]
        require(st["mdc"][rec] == "pending", f"{rec} is not pending on MDC")
        return st.but(mdc=st["mdc"].set(rec, "committed"))

    def do_DropRecord(self, st: SharingState, a: Record) -> SharingState:
        rec = a["rec"]
        require(st["mdc"][rec] == "pending", f"{rec} is not pending on MDC")
        return st.but(mdc=st["mdc"].set(rec, "absent"))

    def do_Anchor(self, st: SharingState, a: Record) -> SharingState:
        rec = a["rec"]
        require(rec not in st["anchored"], f"{rec} is already anchored")
        if st.k.flags["CheckAnchorCert"]:
            require(st["mdc"][rec] == "committed", f"the MDC block of {rec} has no commit certificate")
        else:
            require(st["mdc"][rec] != "absent", f"{rec} is not on MDC")
        return st.but(anchored=st["anchored"] | {rec})

    def do_RevokeRecord(self, st: SharingState, a: Record) -> SharingState:
        rec = a["rec"]
        require(st["mdc"][rec] == "committed" and rec not in st["recRevoked"], f"{rec} cannot be revoked")
        return st.but(recRevoked=st["recRevoked"] | {rec})

    def do_Request(self, st: SharingState, a: Record) -> SharingState:
        return self._accept(st, a["ri"], a["rec"], a["nonce"], True)

    def do_Forge(self, st: SharingState, a: Record) -> SharingState:
        require(a["ri"] != st.k.adversary, "the adversary does not forge in its own name")
        return self._accept(st, a["ri"], a["rec"], a["nonce"], False)

    def do_Replay(self, st: SharingState, a: Record) -> SharingState:
        i = a["i"]
        self._request_id(st, i)
        req = st["reqs"][i - 1]
        require(len(st["reqs"]) < st.k.max_req, "the request bound is reached")
        require(req["rec"] not in st["recRevoked"], f"{req['rec']} is revoked")
        require((req["ri"], req["nonce"]) not in st["usedNonces"], f"nonce {req['nonce']} was already used")
        require(self.sig_accepted(st, req["ri"], req["rec"], req["nonce"]) or not st.k.flags["CheckSig"],
                f"{req['ri']}'s certificate is revoked or over")
        return st.but(reqs=st["reqs"] + (req,))

    def do_Grant(self, st: SharingState, a: Record) -> SharingState:
        i = a["i"]
        self._request_id(st, i)
        require(i not in st["pending"] | st["grants"], f"request {i} already has a grant")
        require(st["reqs"][i - 1]["proof"] or not st.k.flags["CheckProof"], f"request {i} has no valid proof")
        require(not self.refused(st, i) or not st.k.flags["CheckRevocation"], f"request {i} is revoked")
        return st.but(pending=st["pending"] | {i}, kfrags=st["kfrags"] | {(i, c) for c in st.k.cpc})

    def do_CommitGrant(self, st: SharingState, a: Record) -> SharingState:
        i = a["i"]
        require(i in st["pending"], f"no pending grant {i}")
        require(not self.refused(st, i) or not st.k.flags["CheckRevocation"], f"grant {i} is revoked")
        return st.but(pending=st["pending"] - {i}, grants=st["grants"] | {i})

    def do_DropGrant(self, st: SharingState, a: Record) -> SharingState:
        i = a["i"]
        require(i in st["pending"], f"no pending grant {i}")
        return st.but(pending=st["pending"] - {i})

    def do_RevokeGrant(self, st: SharingState, a: Record) -> SharingState:
        i = a["i"]
        require(i in st["grants"] and i not in st["grantRevoked"], f"grant {i} is not committed or already revoked")
        return st.but(grantRevoked=st["grantRevoked"] | {i})

    def do_RevokeCert(self, st: SharingState, a: Record) -> SharingState:
        ri = a["ri"]
        require(ri not in st["certRevoked"], f"{ri}'s certificate is already revoked")
        return st.but(certRevoked=st["certRevoked"] | {ri})

    def do_RevokeAttributes(self, st: SharingState, a: Record) -> SharingState:
        ri = a["ri"]
        require(ri not in st["attrRevoked"], f"{ri}'s attributes are already revoked")
        return st.but(attrRevoked=st["attrRevoked"] | {ri})

    def do_RecommitAttributes(self, st: SharingState, a: Record) -> SharingState:
        ri = a["ri"]
        require(ri in st["attrRevoked"], f"{ri}'s current attribute epoch is not revoked")
        require(st["attrEpoch"][ri] < st.k.max_epoch, "the epoch bound is reached")
        return st.but(attrEpoch=st["attrEpoch"].set(ri, st["attrEpoch"][ri] + 1),
                      attrRevoked=st["attrRevoked"] - {ri})

    def do_ExpireCert(self, st: SharingState, a: Record) -> SharingState:
        ri = a["ri"]
        require(ri not in st["certExpired"], f"{ri}'s certificate period is already over")
        return st.but(certExpired=st["certExpired"] | {ri})

    def do_CacheVerdict(self, st: SharingState, a: Record) -> SharingState:
        ri, rec, n = a["ri"], a["rec"], a["nonce"]
        require(ri in st.k.ri and rec in st.k.records and n in st.k.nonces, "unknown RI, record or nonce")
        require(rec in st["anchored"], f"{rec} is not anchored on SHC")
        require(ri not in st["certRevoked"] and ri not in st["certExpired"], f"{ri}'s certificate is not valid now")
        require((ri, rec, n) not in st["sigCache"], "the verdict is already cached")
        return st.but(sigCache=st["sigCache"] | {(ri, rec, n)})

    def _cfrag(self, st: SharingState, g: int, c: str) -> Record:
        return Record({"g": g, "c": c, "valid": g in st["grants"] and not self.revoked(st, g)})

    def do_Reencrypt(self, st: SharingState, a: Record) -> SharingState:
        g, c = a["g"], a["c"]
        f = st.k.flags
        require(c in st.k.honest_cpc, f"{c} is not an honest CPC node")
        require((g, c) in st["kfrags"], f"{c} holds no kfrag for grant {g}")
        require(g in st["grants"] or not f["CheckGrant"], f"grant {g} is not committed on SHC")
        require(not self.refused(st, g) or not f["CheckRevocation"], f"grant {g} is revoked")
        count = st["receipts"][g - 1][c]
        require(count == 0 or not f["DedupReceipts"], f"{c} already posted a receipt for grant {g}")
        require(count < 2, "the receipt bound is reached")
        receipts = tuple(r.set(c, r[c] + 1) if i == g - 1 else r for i, r in enumerate(st["receipts"]))
        return st.but(cfrags=st["cfrags"] | {self._cfrag(st, g, c)}, receipts=receipts)

    def do_Refuse(self, st: SharingState, a: Record) -> SharingState:
        g, c = a["g"], a["c"]
        require(c in st.k.honest_cpc, f"{c} is not an honest CPC node")
        require((g, c) in st["kfrags"], f"{c} holds no kfrag for grant {g}")
        require(g in st["grants"], f"grant {g} is not committed")
        require(self.refused(st, g), f"grant {g} is not revoked: an honest node does not refuse it")
        require((g, c) not in st["refused"], f"{c} already refused grant {g}")
        return st.but(refused=st["refused"] | {(g, c)})

    def do_ByzReencrypt(self, st: SharingState, a: Record) -> SharingState:
        g, c = a["g"], a["c"]
        require(c in st.k.byz_cpc, f"{c} is not a Byzantine CPC node")
        require((g, c) in st["kfrags"], f"{c} holds no kfrag for grant {g}")
        return st.but(cfrags=st["cfrags"] | {self._cfrag(st, g, c)})

    def do_ByzOpen(self, st: SharingState, a: Record) -> SharingState:
        g, c = a["g"], a["c"]
        require(c in st.k.byz_cpc, f"{c} is not a Byzantine CPC node")
        require(not st.k.flags["KfragToRI"], "the cfrags re-encrypt to the requester's key, which no CPC holds")
        require(len(self.holders(st, g)) >= st.k.t, f"fewer than {st.k.t} cfrags for grant {g}")
        require((c, "k_pre") not in st["cpcLearned"], f"{c} already holds k_pre")
        return st.but(cpcLearned=st["cpcLearned"] | {(c, "k_pre")})

    def do_Decrypt(self, st: SharingState, a: Record) -> SharingState:
        ri, g = a["ri"], a["g"]
        self._request_id(st, g)
        req = st["reqs"][g - 1]
        require(req["ri"] == ri, f"request {g} is not {ri}'s: its cfrags are for another key")
        require((ri, req["rec"]) not in st["knows"], f"{ri} already knows the key of {req['rec']}")
        require(len(self.holders(st, g)) >= st.k.t, f"fewer than {st.k.t} cfrags for grant {g}")
        require(st.k.sat[ri], f"{ri}'s attributes do not satisfy the policy (CP-ABE decryption fails)")
        require(ri not in st["attrRevoked"], f"{ri}'s attribute key is from a revoked epoch")
        return st.but(knows=st["knows"] | {(ri, req["rec"])})
