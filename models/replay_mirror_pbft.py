"""A Python mirror of models/PBFT.tla: the same state, one method per action, the same guards.

Replay (models/replay.py) drives it with the actions a TLC trace records and compares the projected state
with the trace after every step.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from typing import Any

import attrs

from ..spec.errors import fail
from .replay_base import Diverged, const_bool, const_int, const_name, const_set, const_subset, require, substitution
from .tlavalues import Function, Record

#: the sequences the MC wrappers substitute for ``Order``
ORDERS = {"MCOrder4": ("r1", "r2", "r3", "r4"), "MCOrder7": ("r1", "r2", "r3", "r4", "r5", "r6", "r7")}


@attrs.frozen
class PBFTConstants:
    replicas: frozenset[str]
    byz: frozenset[str]
    values: frozenset[str]
    nil: str
    order: tuple[str, ...]
    max_view: int
    max_seq: int
    quorum: int
    check_view_change: bool
    check_client_sig: bool
    persist_log: bool

    @property
    def honest(self) -> frozenset[str]:
        return self.replicas - self.byz

    def primary(self, v: int) -> str:
        return self.order[v % len(self.replicas)]


@attrs.frozen
class PBFTState:
    k: PBFTConstants
    vars: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.vars[name]

    def but(self, **changes: Any) -> PBFTState:
        return PBFTState(self.k, {**self.vars, **changes})


def _rec(**fields: Any) -> Record:
    return Record(fields)


def _sent(k: str, v: int, s: int) -> Record:
    return Record({"k": k, "v": v, "s": s})


def _log(st: PBFTState, r: str, *entries: Record) -> Function:
    return st["log"].set(r, st["log"][r] | set(entries))


def pbft_constants(c: dict[str, Any], substitutions: dict[str, str]) -> PBFTConstants:
    """The constants of a PBFT trace (its ``#meta``), typed and bounded; shared by the mirror and the spec-backed
    adapter."""
    replicas = const_set(c, "Replica")
    order = ORDERS[substitution(substitutions, "Order", ORDERS)]
    if set(order) != replicas:
        fail("TRACE_MALFORMED", f"Order lists {', '.join(order)}, Replica is {{{', '.join(sorted(replicas))}}}")
    values = const_set(c, "Value")
    nil = const_name(c, "Nil")
    if nil in values:
        fail("TRACE_MALFORMED", f"Nil ({nil}) is one of the values")
    return PBFTConstants(replicas=replicas, byz=const_subset(c, "Byz", replicas, "Replica"), values=values,
                         nil=nil, order=order, max_view=const_int(c, "MaxView", 0),
                         max_seq=const_int(c, "MaxSeq", 1), quorum=const_int(c, "Quorum", 1),
                         check_view_change=const_bool(c, "CheckViewChange"),
                         check_client_sig=const_bool(c, "CheckClientSig"), persist_log=const_bool(c, "PersistLog"))


def pbft_actions(k: PBFTConstants) -> dict[str, dict[str, Any]]:
    """Each action's arguments and their domains (PBFT.tla's Next), to check a trace's ``act``."""
    slot = {"r": k.replicas, "v": range(k.max_view + 1), "s": range(1, k.max_seq + 1), "val": k.values}
    return {"Init": {}, "Request": {"val": k.values}, "PrePrepare": slot, "Prepare": slot, "Commit": slot,
            "Decide": slot, "ViewChange": {"r": k.replicas, "v": range(1, k.max_view + 1)},
            "CrashRestart": {"r": k.replicas}}


class MirrorPBFTAdapter:
    """Initial state, actions and projection of PBFT.tla."""

    def initial(self, constants: dict[str, Any], substitutions: dict[str, str]) -> PBFTState:
        k = pbft_constants(constants, substitutions)
        return PBFTState(k, {
            "view": Function({r: 0 for r in k.honest}),
            "requested": frozenset(), "pp": frozenset(), "prep": frozenset(), "cmt": frozenset(),
            "vc": frozenset(),
            "decided": Function({r: tuple(k.nil for _ in range(k.max_seq)) for r in k.honest}),
            "log": Function({r: frozenset() for r in k.honest}),
        })

    def project(self, state: PBFTState) -> dict[str, Any]:
        return dict(state.vars)

    # ---- helpers (PBFT.tla's operators) ----

    @staticmethod
    def _votes(st: PBFTState, msgs: Iterable[Record], v: int, s: int, val: str) -> set[str]:
        honest = {m["r"] for m in msgs if (m["v"], m["s"], m["val"]) == (v, s, val)}
        return honest | set(st.k.byz)

    def prepared(self, st: PBFTState, r: str, v: int, s: int, val: str) -> bool:
        return (_rec(r=r, v=v, s=s, val=val) in st["prep"]
                and len(self._votes(st, st["prep"], v, s, val)) >= st.k.quorum)

    def prepared_certs(self, st: PBFTState, r: str) -> frozenset[Record]:
        return frozenset(_rec(v=m["v"], s=m["s"], val=m["val"]) for m in st["prep"]
                         if m["r"] == r and self.prepared(st, r, m["v"], m["s"], m["val"]))

    def justified(self, st: PBFTState, v: int, s: int, val: str) -> bool:
        if v == 0 or not st.k.check_view_change:
            return True
        msgs = [m for m in st["vc"] if m["v"] == v]
        senders = sorted({m["r"] for m in msgs})
        for size in range(len(senders) + 1):
            for q in combinations(senders, size):
                if len(set(q) | st.k.byz) < st.k.quorum:
                    continue
                certs = [c for m in msgs if m["r"] in q for c in m["cert"] if c["s"] == s]
                if not certs or any(c["val"] == val and all(d["v"] <= c["v"] for d in certs) for c in certs):
                    return True
        return False

    def acceptable(self, st: PBFTState, val: str) -> bool:
        return val in st["requested"] or not st.k.check_client_sig

    # ---- actions ----

    def step(self, st: PBFTState, act: Record) -> PBFTState:
        name = act["name"]
        handler = getattr(self, f"do_{name}", None)
        if handler is None:
            raise Diverged(f"PBFT has no action {name}")
        return handler(st, act)  # type: ignore[no-any-return]

    def _honest(self, st: PBFTState, r: str) -> None:
        require(r in st.k.honest, f"{r} is not an honest replica")

    def do_Request(self, st: PBFTState, a: Record) -> PBFTState:
        val = a["val"]
        require(val in st.k.values, f"{val} is not a value")
        require(val not in st["requested"], f"{val} was already requested")
        return st.but(requested=st["requested"] | {val})

    def do_PrePrepare(self, st: PBFTState, a: Record) -> PBFTState:
        p, s, val = a["r"], a["s"], a["val"]
        self._honest(st, p)
        v = st["view"][p]
        require(a["v"] == v, f"{p} is in view {v}, not {a['v']}")
        require(p == st.k.primary(v), f"{p} is not the primary of view {v}")
        require(_sent("pp", v, s) not in st["log"][p], f"{p} already ordered {s} in view {v}")
        require(self.acceptable(st, val), f"{val} was not requested")
        require(self.justified(st, v, s, val), f"{val} at {s} is not justified by view-change messages")
        return st.but(pp=st["pp"] | {_rec(v=v, s=s, val=val)}, prep=st["prep"] | {_rec(r=p, v=v, s=s, val=val)},
                      log=_log(st, p, _sent("pp", v, s), _sent("prep", v, s)))

    def do_Prepare(self, st: PBFTState, a: Record) -> PBFTState:
        r, s, val = a["r"], a["s"], a["val"]
        self._honest(st, r)
        v = st["view"][r]
        require(a["v"] == v, f"{r} is in view {v}, not {a['v']}")
        require(r != st.k.primary(v), f"{r} is the primary of view {v}")
        require(_sent("prep", v, s) not in st["log"][r], f"{r} already prepared at view {v}, sequence {s}")
        require(self.acceptable(st, val), f"{val} was not requested")
        if st.k.primary(v) in st.k.byz:
            require(self.justified(st, v, s, val), f"{val} at {s} is not justified")
        else:
            require(_rec(v=v, s=s, val=val) in st["pp"], f"no pre-prepare of {val} at view {v}, sequence {s}")
        return st.but(prep=st["prep"] | {_rec(r=r, v=v, s=s, val=val)}, log=_log(st, r, _sent("prep", v, s)))

    def do_Commit(self, st: PBFTState, a: Record) -> PBFTState:
        r, s, val = a["r"], a["s"], a["val"]
        self._honest(st, r)
        v = st["view"][r]
        require(a["v"] == v, f"{r} is in view {v}, not {a['v']}")
        require(self.prepared(st, r, v, s, val), f"{r} has not prepared {val} at view {v}, sequence {s}")
        require(_sent("cmt", v, s) not in st["log"][r], f"{r} already committed at view {v}, sequence {s}")
        return st.but(cmt=st["cmt"] | {_rec(r=r, v=v, s=s, val=val)}, log=_log(st, r, _sent("cmt", v, s)))

    def do_Decide(self, st: PBFTState, a: Record) -> PBFTState:
        r, s, val = a["r"], a["s"], a["val"]
        self._honest(st, r)
        v = st["view"][r]
        require(a["v"] == v, f"{r} is in view {v}, not {a['v']}")
        row = st["decided"][r]
        require(row[s - 1] == st.k.nil, f"{r} already decided at {s}")
        require(_rec(r=r, v=v, s=s, val=val) in st["cmt"], f"{r} has not sent its commit")
        require(len(self._votes(st, st["cmt"], v, s, val)) >= st.k.quorum, "no quorum of commits")
        new_row = tuple(val if i == s - 1 else x for i, x in enumerate(row))
        return st.but(decided=st["decided"].set(r, new_row))

    def do_ViewChange(self, st: PBFTState, a: Record) -> PBFTState:
        r = a["r"]
        self._honest(st, r)
        v = st["view"][r]
        require(v < st.k.max_view, f"{r} is already in the last view")
        require(a["v"] == v + 1, f"{r} moves to view {v + 1}, not {a['v']}")
        msg = _rec(r=r, v=v + 1, cert=self.prepared_certs(st, r))
        return st.but(view=st["view"].set(r, v + 1), vc=st["vc"] | {msg})

    def do_CrashRestart(self, st: PBFTState, a: Record) -> PBFTState:
        r = a["r"]
        self._honest(st, r)
        require(not st.k.persist_log, f"{r}'s log is persistent: a restart recovers its state unchanged")
        require(bool(st["log"][r]), f"{r} has nothing to forget")
        return st.but(log=st["log"].set(r, frozenset()),
                      decided=st["decided"].set(r, tuple(st.k.nil for _ in range(st.k.max_seq))))
