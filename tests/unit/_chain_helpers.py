"""Helpers shared by the chain and protocol revocation tests (pytest puts this folder on sys.path)."""

from __future__ import annotations

from typing import Any

from medshare.reference.testbed import Ledger
from medshare.spec.chain.block import Block
from medshare.spec.chain.tx import Transaction
from medshare.spec.errors import MedshareError


def seal(ledger: Ledger, txs: list[Transaction]) -> Block:
    """Seal a block of ``txs``, every one of them accepted."""
    block, rejected = ledger.seal(txs)
    assert not rejected, [tx.kind for tx in rejected]
    return block


def code_of(fn: Any, *a: Any, **kw: Any) -> str:
    """The code ``fn`` fails with, or "ok"."""
    try:
        fn(*a, **kw)
    except MedshareError as e:
        return e.code
    return "ok"
