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

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from ..spec import jsonio
from ..spec.errors import MedshareError, fail
from . import tlc
from .replay_base import ADAPTERS, AGAINST, Adapter, Diverged
from .tlavalues import Function, Record, Variant, canonical, from_itf, to_itf
from .tlc import WITNESS_TRACES

TRACES_DIR = Path(__file__).resolve().parent / "traces"
__all__ = ["TRACES_DIR", "WITNESS_TRACES", "ReplayReport", "load_trace", "replay", "replay_file", "with_model"]

def _adapters(against: str) -> dict[str, Adapter]:
    if against not in ADAPTERS:
        fail("MODEL_UNKNOWN", f"replay is against one of {', '.join(AGAINST)}, not {against!r}")
    if against == "mirror" and not {"PBFT", "Sharing"} <= set(ADAPTERS["mirror"]):
        from . import replay_mirror_pbft, replay_mirror_sharing

        ADAPTERS["mirror"].setdefault("PBFT", replay_mirror_pbft.MirrorPBFTAdapter())
        ADAPTERS["mirror"].setdefault("Sharing", replay_mirror_sharing.MirrorSharingAdapter())
    if against == "spec" and not {"PBFT", "Sharing"} <= set(ADAPTERS["spec"]):
        from . import replay_spec_pbft, replay_spec_sharing

        ADAPTERS["spec"].setdefault("PBFT", replay_spec_pbft.SpecPBFTAdapter())
        ADAPTERS["spec"].setdefault("Sharing", replay_spec_sharing.SpecSharingAdapter())
    return ADAPTERS[against]


#: what a trace file may be: its size in bytes and its number of states
MAX_TRACE_BYTES = 64 * 2**20
#: JSON nesting of a trace file: ITF wraps every TLA+ value level (at most tlavalues.MAX_DEPTH) in at most two
MAX_JSON_DEPTH = 256
MAX_STATES = 100_000


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
    violated: str | None = None  # the invariant a counterexample violates (#meta.violated), if it is one

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "model": self.model, "against": self.against, "steps": self.steps,
                               "violated": self.violated}
        if not self.ok:
            out["diverged"] = {"step": self.step, "action": self.action, "reason": self.reason, "code": self.code}
        return out

    def describe(self) -> str:
        """One line: what happened, naming the counterexample's invariant and the step."""
        cx = f"counterexample to {self.violated}: " if self.violated else ""
        if self.ok:
            tail = (f"; its last state (state {self.steps}) violates {self.violated}, and the {self.against} reaches "
                    "it too") if self.violated else ""
            return f"{cx}{self.model}, {self.steps} steps, every state agrees{tail}"
        verb = f"refuses step {self.step} ({self.action}) with {self.code}" if self.code else \
            f"diverges at step {self.step} ({self.action})"
        return f"{cx}the {self.against} {verb}: {self.reason}"


def load_trace(path: Path) -> dict[str, Any]:
    """An ITF trace from ``path``: ITF JSON as TLC's bridge, Apalache or Quint write it, or TLC's own output of a
    counterexample (``-tool`` mode or plain), which carries no model or constants (see :func:`with_model`)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_TRACE_BYTES:
            fail("TRACE_TOO_LARGE", f"{path} has {size} bytes, beyond {MAX_TRACE_BYTES}")
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        fail("TRACE_MALFORMED", f"no trace file {path}")
    except OSError as e:
        fail("TRACE_MALFORMED", f"cannot read {path}: {e.strerror}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("TRACE_MALFORMED", f"{path} is not UTF-8 text: {e.reason}")
    if text.lstrip().startswith("{"):
        try:  # nesting is counted before parsing: with py_ecc loaded the recursion limit no longer stops the parser
            trace: dict[str, Any] = jsonio.loads(text, max_bytes=MAX_TRACE_BYTES, max_depth=MAX_JSON_DEPTH,
                                                 what=str(path))
            return trace
        except MedshareError as e:
            fail("TRACE_TOO_LARGE" if e.code == "INPUT_TOO_LARGE" else "TRACE_MALFORMED", e.message[:300])
    return from_tlc_output(text)


def from_tlc_output(text: str) -> dict[str, Any]:
    """TLC's printout of a counterexample as an ITF trace without model or constants."""
    try:
        result = tlc.read_output(text)
    except MedshareError as e:
        if e.code == "TRACE_TOO_LARGE":
            raise
        fail("TRACE_MALFORMED", f"neither ITF JSON nor a TLC counterexample: {e.message}"[:300])
    return tlc.to_itf_trace(result, "")


def with_model(trace: dict[str, Any], model: str | None = None, constants: dict[str, Any] | None = None,
               substitutions: dict[str, str] | None = None) -> dict[str, Any]:
    """``trace`` with its model and constants completed: ``model`` is a model (``Sharing``) or a configuration of
    the manifest (``MCSharing_small``), whose constants and substitutions then fill in what ``#meta`` lacks;
    ``constants`` (Python TLA+ values) and ``substitutions`` override both."""
    if not isinstance(trace, dict):
        fail("TRACE_MALFORMED", "an ITF trace is a JSON object")
    meta = trace.get("#meta")
    meta = dict(meta) if isinstance(meta, dict) else {}
    consts = meta.get("constants", {})
    subst = meta.get("substitutions", {})
    if not isinstance(consts, dict) or not isinstance(subst, dict):
        fail("TRACE_MALFORMED", "#meta.constants and #meta.substitutions must be objects")
    consts, subst = dict(consts), dict(subst)
    if model is not None:
        entries = [e for e in tlc.load_manifest() if model in (e.name, e.config)]
        if entries:
            values, defs = tlc.parse_cfg_constants(tlc.MODELS_DIR / entries[0].config)
            consts = {**{k: to_itf(v) for k, v in values.items()}, **consts}
            subst = {**defs, **subst}
            meta["model"] = entries[0].model
            meta.setdefault("source", f"{entries[0].module} with {entries[0].config}")
        elif model in {e.model for e in tlc.load_manifest()} or model in ADAPTERS["spec"]:
            meta["model"] = model
        else:
            known = sorted({e.model for e in tlc.load_manifest()} | {e.name for e in tlc.load_manifest()})
            fail("MODEL_UNKNOWN", f"no model or configuration {model!r} (known: {', '.join(known)})")
    consts.update({k: to_itf(v) for k, v in (constants or {}).items()})
    subst.update(substitutions or {})
    meta["constants"], meta["substitutions"] = consts, subst
    return {**trace, "#meta": meta}


def _validate(trace: Any) -> tuple[str, list[str], list[dict[str, Any]]]:
    if not isinstance(trace, dict):
        fail("TRACE_MALFORMED", "an ITF trace is a JSON object")
    meta, names, states = trace.get("#meta"), trace.get("vars"), trace.get("states")
    if not isinstance(meta, dict) or not isinstance(meta.get("model"), str) or not meta["model"]:
        fail("TRACE_MALFORMED", "#meta.model (the model name) is missing: give --model NAME or CONFIGURATION")
    for key in ("constants", "substitutions"):
        if not isinstance(meta.get(key, {}), dict):
            fail("TRACE_MALFORMED", f"#meta.{key} must be an object")
    if not isinstance(meta.get("violated"), (str, type(None))):
        fail("TRACE_MALFORMED", "#meta.violated must be the name of an invariant")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        fail("TRACE_MALFORMED", "vars must be a list of variable names")
    if "act" not in names:
        fail("TRACE_MALFORMED", "the trace has no 'act' variable (the action of each step)")
    if not isinstance(states, list) or not states:
        fail("TRACE_MALFORMED", "states must be a non-empty list")
    if len(states) > MAX_STATES:
        fail("TRACE_TOO_LARGE", f"the trace has {len(states)} states, beyond {MAX_STATES}")
    for k, st in enumerate(states):
        if not isinstance(st, dict):
            fail("TRACE_MALFORMED", f"state {k} is not an object")
        idx = st.get("#meta", {}).get("index", k) if isinstance(st.get("#meta", {}), dict) else None
        if idx != k:
            fail("TRACE_MALFORMED", f"state {k} has #meta.index {idx!r}"[:200])
        missing = [n for n in names if n not in st]
        if missing:
            fail("TRACE_MALFORMED", f"state {k} lacks {', '.join(missing)}"[:200])
    return meta["model"], [n for n in names if not n.startswith("mbt::")], states


def _compare(expected: dict[str, Any], got: dict[str, Any], names: list[str]) -> str | None:
    for name in names:
        if name == "act":
            continue
        if name not in got:
            return f"the replay has no variable {name}"
        if expected[name] == got[name]:  # the common case; else compare modulo TLA+'s equalities (normal)
            continue
        a, b = canonical(expected[name]), canonical(got[name])
        if a != b:
            return f"{name}: trace has {_short(a)}, replay has {_short(b)}"
    return None


def _short(text: str, n: int = 240) -> str:
    return text if len(text) <= n else text[:n] + "…"


def action_record(value: Any, k: int) -> Record:
    """The ``act`` of state ``k`` as a record ``[name |-> …, arg |-> …]``: TLA+ models write that record, Quint
    models a sum type ``Name({arg: …})`` (or ``Name`` with no argument)."""
    if isinstance(value, Variant):
        if isinstance(value.value, Record):
            if "name" in value.value:
                fail("TRACE_MALFORMED", f"state {k}: the action {value.tag}'s record has a field 'name'")
            return Record({"name": value.tag, **dict(value.value)})
        if value.value == ():
            return Record({"name": value.tag})
        fail("TRACE_MALFORMED", f"state {k}: the action {value.tag}'s argument is not a record")
    if not isinstance(value, Record) or not isinstance(value.get("name"), str):
        fail("TRACE_MALFORMED", f"state {k}: act is neither a record with a name nor a sum type")
    return value


def _check_action(act: Record, signatures: dict[str, dict[str, Any]] | None, k: int) -> None:
    """A known action's arguments are exactly its parameters, each in its domain (the model's constants)."""
    if signatures is None or act["name"] not in signatures:
        return
    params = signatures[act["name"]]
    args = {f for f in act if f != "name"}
    if args != set(params):
        fail("TRACE_MALFORMED", f"state {k}: {act['name']} takes {', '.join(sorted(params)) or 'no arguments'}, "
                                f"the trace gives {', '.join(sorted(args)) or 'none'}")
    for f, domain in params.items():
        v = act[f]
        if isinstance(v, bool) or not isinstance(v, (int, str)) or v not in domain:
            fail("TRACE_MALFORMED", f"state {k}: {act['name']}'s {f} = {v!r} is not in its domain"[:200])


#: record fields a model's Quint version must spell otherwise (Quint reserves ``val``), read as the TLA+ names
FIELD_ALIASES = {"PBFT": {"value": "val"}}


def _renamed(v: Any, aliases: dict[str, str]) -> Any:
    if isinstance(v, Record):
        return Record((aliases.get(k, k), _renamed(x, aliases)) for k, x in v.items())
    if isinstance(v, Function):
        return Function((_renamed(k, aliases), _renamed(x, aliases)) for k, x in v.items())
    if isinstance(v, (tuple, frozenset)):
        return type(v)(_renamed(x, aliases) for x in v)
    if isinstance(v, Variant):
        return Variant(v.tag, _renamed(v.value, aliases))
    return v


def _signatures(model: str, constants: dict[str, Any], subst: dict[str, str]) -> dict[str, dict[str, Any]] | None:
    from .replay_mirror_pbft import pbft_actions, pbft_constants
    from .replay_mirror_sharing import sharing_actions, sharing_constants

    if model == "PBFT":
        return pbft_actions(pbft_constants(constants, subst))
    if model == "Sharing":
        return sharing_actions(sharing_constants(constants, subst))
    return None


def replay(trace: dict[str, Any], against: str = "spec", *, on_step: Callable[[int, int], None] | None = None
           ) -> ReplayReport:
    """Replay an ITF trace against the spec (or the Python mirror of the model); a divergence is reported (not
    raised) with its step, action, reason and, when the spec refused the action, its error code.

    Against the spec, the model's own guards (its Python mirror, under the trace's constants) are checked at
    every step the spec takes: an action the model does not enable there is a divergence even where the spec
    would let it pass unchanged (a second ``Decide`` of one slot). A trace whose metadata, constants or actions are missing
    or ill-typed is ``TRACE_MALFORMED``; one beyond replay's bounds ``TRACE_TOO_LARGE``."""
    model, names, states = _validate(trace)
    adapters = _adapters(against)
    if model not in adapters:
        fail("MODEL_UNKNOWN", f"no replay adapter for model {model!r} (known: {', '.join(sorted(adapters))})")
    adapter = adapters[model]
    meta = trace["#meta"]
    violated = meta.get("violated")
    constants = {k: from_itf(v) for k, v in (meta.get("constants") or {}).items()}
    subst = {str(k): str(v) for k, v in (meta.get("substitutions") or {}).items()}
    signatures = _signatures(model, constants, subst)
    decoded = [{n: from_itf(st[n]) for n in names} for st in states]
    aliases = FIELD_ALIASES.get(model)
    if aliases and isinstance(decoded[0]["act"], Variant):  # written by Quint
        decoded = [{n: _renamed(v, aliases) for n, v in d.items()} for d in decoded]
    acts = [action_record(d["act"], k) for k, d in enumerate(decoded)]
    for k, act in enumerate(acts[1:], 1):
        _check_action(act, signatures, k)
    guard: Adapter | None = _adapters("mirror").get(model) if against == "spec" else None

    def report(steps: int, ok: bool, *rest: Any) -> ReplayReport:
        return ReplayReport(model, steps, ok, *rest, against=against, violated=violated)

    try:
        state = adapter.initial(constants, subst)
        gstate = guard.initial(constants, subst) if guard else None
    except Diverged as e:
        return report(0, False, 0, "Init", f"cannot build the initial state: {e}")
    why = _compare(decoded[0], adapter.project(state), names)
    if why:
        return report(0, False, 0, "Init", why)
    for k in range(1, len(decoded)):
        action = acts[k]
        name = action["name"]
        if on_step:
            on_step(k, len(decoded) - 1)
        try:
            state = adapter.step(state, action)
        except Diverged as e:
            return report(k - 1, False, k, name, f"not enabled: {e}")
        except MedshareError as e:
            return report(k - 1, False, k, name, f"refused: {e.code}: {e.message}", e.code)
        try:
            if guard:  # the spec took the step; the model must enable it too
                gstate = guard.step(gstate, action)
        except Diverged as e:
            return report(k - 1, False, k, name, f"not enabled in the model: {e}")
        why = _compare(decoded[k], adapter.project(state), names)
        if why:
            return report(k - 1, False, k, name, why)
    return report(len(decoded) - 1, True)


def replay_file(path: Path, against: str = "spec", *, model: str | None = None,
                constants: dict[str, Any] | None = None, substitutions: dict[str, str] | None = None,
                on_step: Callable[[int, int], None] | None = None) -> ReplayReport:
    trace = load_trace(path)
    if model is not None or constants or substitutions:
        trace = with_model(trace, model, constants, substitutions)
    return replay(trace, against, on_step=on_step)
