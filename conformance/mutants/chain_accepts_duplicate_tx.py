"""Mutant: apply records transaction ids but never looks them up, so a transaction can be included twice
when its rule alone would accept it again (a replayed certificate issue, a replayed block)."""

from __future__ import annotations

from ...spec.chain import state as chain_state
from ..ops.chain import OPS
from ._patch import contains_except, patched

MUTANT = {
    "name": "chain_accepts_duplicate_tx",
    "description": "the duplicate-transaction check is skipped (transaction ids are stored but never consulted)",
    "bugType": "REPLAY",
    "overrides": {op: patched(OPS[op], chain_state._Overlay, "__contains__", contains_except(b"tx/"))
                  for op in ("chain.mdc.apply", "chain.shc.apply")},
}
