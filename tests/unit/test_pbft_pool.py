"""The PBFT transaction pool (spec/chain/pbft.py, ``TxPool``) behaves as a dict in arrival order, and copies
are independent, under random sequences of adds, removals and copies."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from medshare.spec.chain.pbft import TxPool
from medshare.spec.chain.tx import MDC, Transaction

TXS = [Transaction.make(MDC, "DEVICE_REGISTER", "mdc-v0", i, device=f"d{i}", ibe_identity=f"d{i}@x")
       for i in range(40)]

ops = st.lists(st.tuples(st.sampled_from(["add", "pop", "copy", "switch"]), st.integers(0, len(TXS) - 1)),
               max_size=300)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_pool_is_an_ordered_dict_with_independent_copies(seq: list[tuple[str, int]]) -> None:
    versions: list[tuple[TxPool, dict[bytes, Any]]] = [(TxPool(), {})]
    cur = 0
    for op, i in seq:
        pool, model = versions[cur]
        tx = TXS[i]
        h = tx.tx_hash()
        if op == "add":  # adding an id already present changes nothing
            pool.add(h, tx)
            model.setdefault(h, tx)
        elif op == "pop":
            pool.pop(h)
            model.pop(h, None)
        elif op == "copy":
            versions.append((pool.copy(), dict(model)))
        elif op == "switch":
            cur = i % len(versions)
        for p, m in versions:  # every version, including the ones not touched, still matches its model
            assert list(p.values()) == list(m.values())
            assert len(p) == len(m) and bool(p) == bool(m)
            assert all((t.tx_hash() in p) == (t.tx_hash() in m) for t in TXS)
            assert p.first(5) == tuple(m.values())[:5]


def test_pool_folds_its_changes() -> None:
    pool = TxPool()
    for tx in TXS:
        pool.add(tx.tx_hash(), tx)
    copy = pool.copy()
    for tx in TXS[::2]:
        copy.pop(tx.tx_hash())
    assert list(copy.values()) == TXS[1::2] and list(pool.values()) == TXS
    assert len(copy._added) + len(copy._removed) <= 32  # folded into a new base, the shared one untouched
