"""Trace replay: run an ITF trace through a Python model and compare the state after every step (bridge.md).

A trace names its model in ``#meta.model``; :data:`ADAPTERS` maps the name to an :class:`Adapter` that builds
the initial state from the trace's constants, performs one action (the ``act`` variable of each state: the
action's name and arguments, as the TLA+ models record them) and projects its state onto the trace's
variables. Replay reports the first step where the action is not enabled in the Python model or where the
projected state differs from the trace (``TRACE_DIVERGED``).

The adapters here mirror the TLA+ actions one by one (models/replay_pbft.py, models/replay_sharing.py). An
adapter backed by the executable spec (``spec/chain``, ``spec/protocol``) registers under its own name with
:func:`register` and takes the same traces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import attrs

from ..spec.errors import MedshareError, fail
from .tlavalues import Record, canonical, from_itf

TRACES_DIR = Path(__file__).resolve().parent / "traces"

#: witness and counterexample traces committed under models/traces/ (manifest configuration -> file)
WITNESS_TRACES = {
    "MCSharing_witness_decrypt": "sharing_request_grant_reencrypt_decrypt.itf.json",
    "MCSharing_witness_refused": "sharing_revoke_refused.itf.json",
    "MCPBFT_witness": "pbft_decide_in_later_view.itf.json",
    "MCSharing_bug_norevocation": "sharing_bug_norevocation.itf.json",
    "MCPBFT_byz2": "pbft_byz2_disagreement.itf.json",
    "MCPBFT_amnesia": "pbft_amnesia_disagreement.itf.json",
}


class Diverged(Exception):
    """Raised by an adapter when the trace's action is not enabled in its state."""


class Adapter(Protocol):
    """What replay needs of a Python model."""

    def initial(self, constants: dict[str, Any], substitutions: dict[str, str]) -> Any: ...

    def step(self, state: Any, action: Record) -> Any: ...

    def project(self, state: Any) -> dict[str, Any]: ...


ADAPTERS: dict[str, Adapter] = {}


def register(model: str, adapter: Adapter) -> None:
    ADAPTERS[model] = adapter


def _adapters() -> dict[str, Adapter]:
    if not ADAPTERS:
        from . import replay_pbft, replay_sharing

        register("PBFT", replay_pbft.PBFTAdapter())
        register("Sharing", replay_sharing.SharingAdapter())
    return ADAPTERS


@attrs.frozen
class ReplayReport:
    model: str
    steps: int
    ok: bool
    step: int | None = None
    action: str | None = None
    reason: str | None = None

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "model": self.model, "steps": self.steps}
        if not self.ok:
            out["diverged"] = {"step": self.step, "action": self.action, "reason": self.reason}
        return out


def load_trace(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        fail("TRACE_MALFORMED", f"no trace file {path}")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        fail("TRACE_MALFORMED", f"{path} is not JSON: {e}")
    return data  # type: ignore[no-any-return]


def _validate(trace: Any) -> tuple[str, list[str], list[dict[str, Any]]]:
    if not isinstance(trace, dict):
        fail("TRACE_MALFORMED", "an ITF trace is a JSON object")
    meta, names, states = trace.get("#meta"), trace.get("vars"), trace.get("states")
    if not isinstance(meta, dict) or not isinstance(meta.get("model"), str):
        fail("TRACE_MALFORMED", "#meta.model (the model name) is missing")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        fail("TRACE_MALFORMED", "vars must be a list of variable names")
    if "act" not in names:
        fail("TRACE_MALFORMED", "the trace has no 'act' variable (the action of each step)")
    if not isinstance(states, list) or not states:
        fail("TRACE_MALFORMED", "states must be a non-empty list")
    for k, st in enumerate(states):
        if not isinstance(st, dict):
            fail("TRACE_MALFORMED", f"state {k} is not an object")
        idx = st.get("#meta", {}).get("index", k) if isinstance(st.get("#meta", {}), dict) else None
        if idx != k:
            fail("TRACE_MALFORMED", f"state {k} has #meta.index {idx}")
        missing = [n for n in names if n not in st]
        if missing:
            fail("TRACE_MALFORMED", f"state {k} lacks {', '.join(missing)}")
    return meta["model"], names, states


def _compare(expected: dict[str, Any], got: dict[str, Any], names: list[str]) -> str | None:
    for name in names:
        if name == "act":
            continue
        if name not in got:
            return f"the Python model has no variable {name}"
        a, b = canonical(expected[name]), canonical(got[name])
        if a != b:
            return f"{name}: trace has {_short(a)}, the Python model has {_short(b)}"
    return None


def _short(text: str, n: int = 240) -> str:
    return text if len(text) <= n else text[:n] + "…"


def replay(trace: dict[str, Any]) -> ReplayReport:
    """Replay an ITF trace; a divergence is reported (not raised) with its step and reason."""
    model, names, states = _validate(trace)
    adapters = _adapters()
    if model not in adapters:
        fail("MODEL_UNKNOWN", f"no replay adapter for model {model!r} (known: {', '.join(sorted(adapters))})")
    adapter = adapters[model]
    meta = trace["#meta"]
    constants = {k: from_itf(v) for k, v in (meta.get("constants") or {}).items()}
    subst = dict(meta.get("substitutions") or {})
    decoded = [{n: from_itf(st[n]) for n in names} for st in states]
    try:
        state = adapter.initial(constants, subst)
    except (Diverged, KeyError) as e:
        return ReplayReport(model, 0, False, 0, "Init", f"cannot build the initial state: {e}")
    why = _compare(decoded[0], adapter.project(state), names)
    if why:
        return ReplayReport(model, 0, False, 0, "Init", why)
    for k in range(1, len(decoded)):
        action = decoded[k]["act"]
        name = action.get("name", "?") if isinstance(action, Record) else "?"
        if not isinstance(action, Record):
            return ReplayReport(model, k - 1, False, k, name, "act is not a record")
        try:
            state = adapter.step(state, action)
        except Diverged as e:
            return ReplayReport(model, k - 1, False, k, name, f"not enabled: {e}")
        except MedshareError as e:
            return ReplayReport(model, k - 1, False, k, name, f"{e.code}: {e.message}")
        why = _compare(decoded[k], adapter.project(state), names)
        if why:
            return ReplayReport(model, k - 1, False, k, name, why)
    return ReplayReport(model, len(decoded) - 1, True)


def replay_file(path: Path) -> ReplayReport:
    return replay(load_trace(path))
