"""What trace replay (models/replay.py) and its adapters share: the adapter protocol, the registry of adapters,
and the divergence an adapter raises when a trace's action is not enabled.

The adapters import this module and nothing of replay.py, so replay.py can load them without an import cycle.
"""

from __future__ import annotations

from typing import Any, Protocol

from .tlavalues import Record


class Diverged(Exception):
    """Raised by an adapter when the trace's action is not enabled in its state."""


def require(cond: bool, why: str) -> None:
    """An adapter's guard: the trace's action is enabled only if ``cond`` holds."""
    if not cond:
        raise Diverged(why)


class Adapter(Protocol):
    """What replay needs of an executable model: the spec, or a Python mirror of the TLA+ actions."""

    def initial(self, constants: dict[str, Any], substitutions: dict[str, str]) -> Any: ...

    def step(self, state: Any, action: Record) -> Any: ...

    def project(self, state: Any) -> dict[str, Any]: ...


AGAINST = ("spec", "mirror")
#: against ("spec" or "mirror") -> model name -> adapter
ADAPTERS: dict[str, dict[str, Adapter]] = {a: {} for a in AGAINST}


def register(model: str, adapter: Adapter, against: str = "spec") -> None:
    """Replay traces of ``model`` with ``adapter`` (``against`` "spec" or "mirror"), in place of the default."""
    ADAPTERS[against][model] = adapter
