"""Trace replay: run an ITF trace through the executable spec and compare the state after every step (bridge.md).

A trace names its model in ``#meta.model``; the registry (``replay_base.ADAPTERS``) maps the name to an
:class:`Adapter` that builds the initial state from the trace's constants, performs one action (the ``act``
variable of each state: the action's name and arguments, as the TLA+ models record them) and projects its
state onto the trace's variables. Replay reports the first step where the action is refused or cannot be
taken, or where the projected state differs from the trace (``TRACE_DIVERGED``).

Two sets of adapters take the same traces: ``spec`` (the default) performs each action with the executable
spec and real cryptography (models/replay_spec_sharing.py over spec/protocol and spec/chain,
models/replay_spec_pbft.py over spec/chain/pbft.py) and reports a refused action with the spec's error code;
``mirror`` re-executes the TLA+ actions one by one in Python (models/replay_mirror_sharing.py,
models/replay_mirror_pbft.py). The adapter protocol and registry are in models/replay_base.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from ..spec.errors import MedshareError, fail
from .replay_base import ADAPTERS, AGAINST, Adapter, Diverged
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


def _adapters(against: str) -> dict[str, Adapter]:
    if against not in ADAPTERS:
        fail("MODEL_UNKNOWN", f"replay is against one of {', '.join(AGAINST)}, not {against!r}")
    if against == "mirror" and not {"PBFT", "Sharing"} <= set(ADAPTERS["mirror"]):
        from . import replay_mirror_pbft, replay_mirror_sharing

        ADAPTERS["mirror"].setdefault("PBFT", replay_mirror_pbft.PBFTAdapter())
        ADAPTERS["mirror"].setdefault("Sharing", replay_mirror_sharing.SharingAdapter())
    if against == "spec" and not {"PBFT", "Sharing"} <= set(ADAPTERS["spec"]):
        from . import replay_spec_pbft, replay_spec_sharing

        ADAPTERS["spec"].setdefault("PBFT", replay_spec_pbft.SpecPBFTAdapter())
        ADAPTERS["spec"].setdefault("Sharing", replay_spec_sharing.SpecSharingAdapter())
    return ADAPTERS[against]


@attrs.frozen
class ReplayReport:
    model: str
    steps: int
    ok: bool
    step: int | None = None
    action: str | None = None
    reason: str | None = None
    code: str | None = None  # the spec's error code when it refused the action
    against: str = "spec"

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "model": self.model, "against": self.against, "steps": self.steps}
        if not self.ok:
            out["diverged"] = {"step": self.step, "action": self.action, "reason": self.reason, "code": self.code}
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
            return f"the replay has no variable {name}"
        a, b = canonical(expected[name]), canonical(got[name])
        if a != b:
            return f"{name}: trace has {_short(a)}, replay has {_short(b)}"
    return None


def _short(text: str, n: int = 240) -> str:
    return text if len(text) <= n else text[:n] + "…"


def replay(trace: dict[str, Any], against: str = "spec") -> ReplayReport:
    """Replay an ITF trace against the spec (or the Python mirror of the model); a divergence is reported (not
    raised) with its step, action, reason and, when the spec refused the action, its error code."""
    model, names, states = _validate(trace)
    adapters = _adapters(against)
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
        return ReplayReport(model, 0, False, 0, "Init", f"cannot build the initial state: {e}", against=against)
    why = _compare(decoded[0], adapter.project(state), names)
    if why:
        return ReplayReport(model, 0, False, 0, "Init", why, against=against)
    for k in range(1, len(decoded)):
        action = decoded[k]["act"]
        name = action.get("name", "?") if isinstance(action, Record) else "?"
        if not isinstance(action, Record):
            return ReplayReport(model, k - 1, False, k, name, "act is not a record", against=against)
        try:
            state = adapter.step(state, action)
        except Diverged as e:
            return ReplayReport(model, k - 1, False, k, name, f"not enabled: {e}", against=against)
        except MedshareError as e:
            return ReplayReport(model, k - 1, False, k, name, f"refused: {e.code}: {e.message}", e.code, against)
        why = _compare(decoded[k], adapter.project(state), names)
        if why:
            return ReplayReport(model, k - 1, False, k, name, why, against=against)
    return ReplayReport(model, len(decoded) - 1, True, against=against)


def replay_file(path: Path, against: str = "spec") -> ReplayReport:
    return replay(load_trace(path), against)
