"""Model-based testing at scale: TLC's simulation mode draws random behaviours of a model, and every one is
replayed against the executable spec (models/bridge.md, "Model-based testing").

``simulate`` runs ``tlc2.TLC -simulate file=…,num=N -depth D -seed S`` on a correct configuration of the
manifest (with the overrides of :data:`PLANS`: a second request for Sharing; for PBFT the action constraint
``MBTStep`` of MCPBFT.tla, which leaves out the documented steps where the spec's replicas take another path)
and reads the behaviours TLC writes, one TLA+ module per trace (``STATE_1 == /\\ var = value …``), into ITF
traces with the configuration's constants. TLC checks the configuration's invariants on every state it draws.

``run`` replays each trace with :func:`replay.replay` (the spec's real cryptography, and the model's guards at
every step) and reports traces, steps, distinct states (of the model's variables without ``act``) and the
traces that diverged, with their step and reason.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from ..spec.errors import fail
from . import tlc
from .replay import replay
from .tlavalues import parse_state, parse_value, to_itf


@attrs.frozen
class Plan:
    """How one model is drawn: a configuration of the manifest, constants overridden, an action constraint."""

    model: str
    module: str
    config: str
    overrides: dict[str, str] = attrs.field(factory=dict)
    next: str = "MBTNext"


PLANS = {
    "PBFT": Plan("PBFT", "MBTPBFT.tla", "MCPBFT_small"),
    "Sharing": Plan("Sharing", "MBTSharing.tla", "MCSharing_small", overrides={"MaxReq": "2"}),
}
#: traces and depth per profile (docs/design.md §8): CI, and the long run
PROFILES = {"ci": (200, 30), "thorough": (10_000, 30)}
#: behaviours per TLC run
BATCH = 1000

_STATE_DEF = re.compile(r"^STATE_(\d+) ==\s*$", re.MULTILINE)


def plan_config(plan: Plan, out: Path) -> Path:
    """The plan's configuration file: the manifest configuration with the overrides and the action
    constraint."""
    entry = next((e for e in tlc.load_manifest() if e.name == plan.config), None)
    if entry is None:
        fail("MODEL_UNKNOWN", f"no configuration {plan.config} in the manifest")
    text = (tlc.MODELS_DIR / entry.config).read_text()
    for name, value in plan.overrides.items():
        text, n = re.subn(rf"(^\s*{name}\s*=\s*)\S+", rf"\g<1>{value}", text, count=1, flags=re.MULTILINE)
        if n != 1:
            fail("TLC_FAILED", f"{entry.config} binds no constant {name}")
    text, n = re.subn(r"^(\s*NEXT\s+)\S+", rf"\g<1>{plan.next}", text, count=1, flags=re.MULTILINE)
    if n != 1:
        fail("TLC_FAILED", f"{entry.config} names no NEXT")
    path = out / f"{plan.config}_mbt.cfg"
    path.write_text(text)
    return path


def read_behaviour(text: str, cache: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The states of one behaviour TLC's simulation wrote (``STATE_k ==`` definitions, in order), each as ITF
    (``cache`` maps a state's text to its ITF form: behaviours share many states)."""
    cache = {} if cache is None else cache
    heads = list(_STATE_DEF.finditer(text))
    states = []
    for k, m in enumerate(heads):
        if int(m.group(1)) != k + 1:
            fail("TLC_FAILED", f"TLC's simulation trace numbers state {m.group(1)} as state {k + 1}")
        end = heads[k + 1].start() if k + 1 < len(heads) else text.rfind("\n====")
        body = text[m.end():end if end > m.end() else len(text)].strip()
        if body not in cache:
            cache[body] = {name: to_itf(v) for name, v in sorted(parse_state(body).items())}
        states.append(cache[body])
    return states


def simulate(plan: Plan, *, traces: int, depth: int, seed: int, timeout: float = 600.0) -> list[dict[str, Any]]:
    """``traces`` random behaviours of at most ``depth`` steps, from TLC's simulation mode, as ITF traces."""
    java, jar = tlc.find_java(), tlc.find_jar()
    entry = next(e for e in tlc.load_manifest() if e.name == plan.config)
    with tempfile.TemporaryDirectory(prefix="medshare-mbt-") as tmp:
        cfg = plan_config(plan, Path(tmp))
        # C1 only and the serial collector: three times faster here than the default for these short runs
        cmd = [java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp, "-cp", str(jar),
               "tlc2.TLC", "-tool", "-metadir", str(Path(tmp) / "meta"), "-config", str(cfg), "-deadlock", "-simulate",
               f"file={Path(tmp) / 'trace'},num={traces}", "-depth", str(depth + 1), "-seed", str(seed),
               "-workers", "1", plan.module]
        try:
            proc = subprocess.run(cmd, cwd=tlc.MODELS_DIR, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            fail("TLC_FAILED", f"TLC's simulation did not finish within {timeout:.0f} s")
        collector = tlc._Collector(None)
        for msg in tlc.parse_messages(proc.stdout.splitlines()):
            collector.feed(msg)
        if collector.errors or collector.result not in (None, "pass"):
            detail = "; ".join(collector.errors) or f"{collector.result} of {collector.violated}"
            fail("TLC_FAILED", f"TLC's simulation of {plan.config}: {detail}"[:2000])
        files = sorted(Path(tmp).glob("trace_*"), key=lambda p: tuple(int(x) for x in p.name.split("_")[1:]))
        cache: dict[str, dict[str, Any]] = {}
        behaviours = [read_behaviour(p.read_text(), cache) for p in files]
    if len(behaviours) < traces:
        fail("TLC_FAILED", f"TLC's simulation wrote {len(behaviours)} traces, not {traces}")
    constants, subst = tlc.parse_cfg_constants(tlc.MODELS_DIR / entry.config)
    constants.update({name: parse_value(value) for name, value in plan.overrides.items()})
    meta = {"format": "ITF", "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
            "model": plan.model, "source": f"{plan.module} with {entry.config}, TLC -simulate -seed {seed}",
            "description": f"TLC simulation of {plan.config} (seed {seed})", "violated": None,
            "constants": {k: to_itf(v) for k, v in sorted(constants.items())}, "substitutions": subst}
    out = []
    for states in behaviours:
        if not states or any(list(st) != list(states[0]) for st in states):
            fail("TLC_FAILED", "TLC's simulation wrote a trace with no states or with differing variables")
        out.append({"#meta": meta, "vars": list(states[0]),
                    "states": [{"#meta": {"index": i}, **st} for i, st in enumerate(states)]})
    return out


def run(model: str, *, traces: int, depth: int, seed: int = 1, against: str = "spec",
        on_trace: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Draw ``traces`` behaviours of ``model`` with TLC and replay each against ``against``; the figures."""
    if model not in PLANS:
        fail("MODEL_UNKNOWN", f"no MBT plan for {model!r} (known: {', '.join(PLANS)})")
    steps = 0
    lengths: list[int] = []
    seen: set[str] = set()
    diverged: list[dict[str, Any]] = []
    tlc_s = replay_s = 0.0
    for b, start in enumerate(range(0, traces, BATCH)):  # TLC draws BATCH behaviours at a time, seeds seed + b
        t0 = time.perf_counter()
        drawn = simulate(PLANS[model], traces=min(BATCH, traces - start), depth=depth, seed=seed + b)
        t1 = time.perf_counter()
        for i, trace in enumerate(drawn, start):
            names = [n for n in trace["vars"] if n != "act"]
            for st in trace["states"]:
                seen.add(json.dumps({n: st[n] for n in names}, sort_keys=True))
            lengths.append(len(trace["states"]) - 1)
            steps += lengths[-1]
            report = replay(trace, against)
            if not report.ok:
                diverged.append({"trace": i, **report.summary()["diverged"]})
            if on_trace:
                on_trace(i + 1, traces)
        tlc_s, replay_s = tlc_s + t1 - t0, replay_s + time.perf_counter() - t1
    return {"ok": not diverged, "model": model, "config": PLANS[model].config, "against": against, "seed": seed,
            "traces": len(lengths), "depth": depth, "steps": steps, "longest": max(lengths, default=0),
            "full_depth": sum(n == depth for n in lengths), "distinct_states": len(seen), "diverged": diverged,
            "tlc_seconds": round(tlc_s, 2), "replay_seconds": round(replay_s, 2)}
