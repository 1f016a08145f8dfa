"""What trace replay (models/replay.py) and its adapters share: the adapter protocol, the registry of adapters,
and the divergence an adapter raises when a trace's action is not enabled.

The adapters import this module and nothing of replay.py, so replay.py can load them without an import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..spec.errors import fail
from .tlavalues import Record

#: the largest bound constant (MaxSeq, MaxView, MaxReq, T, Quorum) and the largest constant set replay builds a
#: world for: a trace controls them, and the adapters allocate per sequence number, request and member
MAX_BOUND = 16
MAX_MEMBERS = 16


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


# ---- a trace's constants, typed (a missing or ill-typed one is TRACE_MALFORMED, an oversized one TRACE_TOO_LARGE)

def _need(c: Mapping[str, Any], name: str) -> Any:
    if name not in c:
        fail("TRACE_MALFORMED", f"the constant {name} is missing (give it in #meta.constants, or --const "
                                f"{name}=VALUE, or --model CONFIGURATION)")
    return c[name]


def const_int(c: Mapping[str, Any], name: str, lo: int, hi: int = MAX_BOUND) -> int:
    v = _need(c, name)
    if isinstance(v, bool) or not isinstance(v, int):
        fail("TRACE_MALFORMED", f"the constant {name} must be an integer, not {v!r}"[:200])
    if v < lo:
        fail("TRACE_MALFORMED", f"the constant {name} = {v} is below {lo}")
    if v > hi:
        fail("TRACE_TOO_LARGE", f"the constant {name} = {v} is beyond replay's bound {hi}"[:200])
    return v


def const_bool(c: Mapping[str, Any], name: str) -> bool:
    v = _need(c, name)
    if not isinstance(v, bool):
        fail("TRACE_MALFORMED", f"the constant {name} must be TRUE or FALSE, not {v!r}"[:200])
    return v


def const_name(c: Mapping[str, Any], name: str) -> str:
    v = _need(c, name)
    if not isinstance(v, str) or not v or len(v) > 64:
        fail("TRACE_MALFORMED", f"the constant {name} must be a model value or string, not {v!r}"[:200])
    return str(v)


def const_set(c: Mapping[str, Any], name: str, *, nonempty: bool = True) -> frozenset[str]:
    v = _need(c, name)
    if not isinstance(v, frozenset) or not all(isinstance(x, str) and x and len(x) <= 64 for x in v):
        fail("TRACE_MALFORMED", f"the constant {name} must be a set of model values, not {v!r}"[:200])
    if nonempty and not v:
        fail("TRACE_MALFORMED", f"the constant {name} is empty")
    if len(v) > MAX_MEMBERS:
        fail("TRACE_TOO_LARGE", f"the constant {name} has {len(v)} members, beyond replay's bound {MAX_MEMBERS}")
    return frozenset(str(x) for x in v)


def const_subset(c: Mapping[str, Any], name: str, of: frozenset[str], of_name: str) -> frozenset[str]:
    v = const_set(c, name, nonempty=False)
    if not v <= of:
        fail("TRACE_MALFORMED", f"the constant {name} is not a subset of {of_name}")
    return v


def substitution(subst: Mapping[str, Any], name: str, known: Mapping[str, Any]) -> str:
    v = subst.get(name)
    if v not in known:
        fail("TRACE_MALFORMED", f"the substitution {name} <- {v!r} is not one of {', '.join(sorted(known))} "
                                f"(give it in #meta.substitutions or --const '{name}<-DEFINITION')"[:300])
    return str(v)
