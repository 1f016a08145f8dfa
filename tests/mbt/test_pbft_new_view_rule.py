"""The new-view rule of PBFT.tla (``Justified``, via its Python mirror) agrees with spec/chain/pbft.py.

``compute_new_view`` picks, for each sequence number above the stable checkpoint up to the first gap, the
prepared proof with the highest view. The model allows exactly that value for such a sequence number, and any
value where no view-change message carries a certificate.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from medshare.models.replay_mirror_pbft import MirrorPBFTAdapter, PBFTConstants, PBFTState
from medshare.models.tlavalues import Function, Record
from medshare.spec.chain.messages import PreparedProof, ViewChange
from medshare.spec.chain.pbft import compute_new_view

VALUES = ("v1", "v2", "v3")
REPLICAS = ("r1", "r2", "r3", "r4")
NEW_VIEW = 3
SEQS = (1, 2, 3)


@st.composite
def view_changes(draw: Any) -> tuple[dict[tuple[int, int], str], list[dict[int, int]]]:
    """Which value was prepared at each (view, seq) (one value per slot, as PBFT's safety gives), and for each
    of three senders, the highest view it holds a certificate for at each seq (or none)."""
    slots = {(v, s): draw(st.sampled_from(VALUES)) for v in range(NEW_VIEW) for s in SEQS}
    senders = [draw(st.dictionaries(st.sampled_from(SEQS), st.integers(0, NEW_VIEW - 1), max_size=3))
               for _ in range(3)]
    return slots, senders


def _spec_vcs(slots: dict[tuple[int, int], str], senders: list[dict[int, int]]) -> list[ViewChange]:
    return [ViewChange(NEW_VIEW, 0, b"", (), tuple(PreparedProof("PREPARE", v, s, slots[(v, s)], ())  # type: ignore[arg-type]
                                                    for s, v in sorted(held.items())), i, b"")
            for i, held in enumerate(senders)]


def _model_state(slots: dict[tuple[int, int], str], senders: list[dict[int, int]]) -> PBFTState:
    k = PBFTConstants(replicas=frozenset(REPLICAS), byz=frozenset(), values=frozenset(VALUES), nil="Nil",
                      order=REPLICAS, max_view=NEW_VIEW, max_seq=len(SEQS), quorum=3, check_view_change=True,
                      check_client_sig=True, persist_log=True)
    vc = frozenset(Record({"r": REPLICAS[i], "v": NEW_VIEW,
                           "cert": frozenset(Record({"v": v, "s": s, "val": slots[(v, s)]}) for s, v in held.items())})
                   for i, held in enumerate(senders))
    return PBFTState(k, {"vc": vc, "view": Function({}), "requested": frozenset(VALUES), "pp": frozenset(),
                         "prep": frozenset(), "cmt": frozenset(), "decided": Function({}), "log": Function({})})


@given(view_changes())
def test_new_view_choice_is_justified_in_the_model(data: Any) -> None:
    slots, senders = data
    min_s, chosen = compute_new_view(_spec_vcs(slots, senders))
    assert min_s == 0
    model = MirrorPBFTAdapter()
    state = _model_state(slots, senders)
    by_seq = {p.seq: p for p in chosen}
    for s in SEQS:
        allowed = {val for val in VALUES if model.justified(state, NEW_VIEW, s, val)}
        if s in by_seq:  # the spec re-proposes this value: the model allows it, and only it
            assert allowed == {by_seq[s].block}
        elif not any(s in held for held in senders):  # no certificate anywhere: any value
            assert allowed == set(VALUES)
        else:  # above a gap the spec proposes nothing; the model still pins the certified value
            best = max(v for held in senders for q, v in held.items() if q == s)
            assert allowed == {slots[(best, s)]}


def test_a_lower_view_certificate_is_overridden() -> None:
    slots = {(v, s): "v1" for v in range(NEW_VIEW) for s in SEQS} | {(2, 1): "v2"}
    senders = [{1: 0}, {1: 2}, {}]
    _, chosen = compute_new_view(_spec_vcs(slots, senders))
    assert [(p.seq, p.block) for p in chosen] == [(1, "v2")]
    state = _model_state(slots, senders)
    assert MirrorPBFTAdapter().justified(state, NEW_VIEW, 1, "v2")
    assert not MirrorPBFTAdapter().justified(state, NEW_VIEW, 1, "v1")
