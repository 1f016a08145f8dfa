"""Shared pieces of the mutants that run a reference handler with one spec function replaced for the call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from ...spec.chain import state as chain_state
from ..registry import Handler


def patched(handler: Handler, target: Any, attribute: str, new: Any) -> Handler:
    """``handler`` run with ``target.attribute`` replaced by ``new`` (restored when the call returns)."""

    def run(inp: dict[str, Any]) -> dict[str, Any]:
        with mock.patch.object(target, attribute, new):
            return handler(inp)

    return run


def contains_except(prefix: bytes) -> Callable[[Any, object], bool]:
    """A replacement for the chain state's ``__contains__`` that never finds a key starting with ``prefix``: such
    keys are still written, but a rule looking one up sees nothing."""
    original = chain_state._Overlay.__contains__

    def contains(self: Any, key: object) -> bool:
        if isinstance(key, bytes) and key.startswith(prefix):
            return False
        return bool(original(self, key))

    return contains
