"""The conformance runner: drives an adapter process over the vectors and scores the mutants (docs/design.md §6).

The adapter is any command speaking the protocol of ``adapter.py`` (JSON lines on stdin/stdout). The runner
pipelines requests (a window of in-flight requests, so a fast adapter is not slowed by round trips) and allows
``timeout`` seconds for each reply. An adapter that exits, stops answering or answers with something that is not
a protocol reply is recorded against the request it was working on (``ADAPTER_CRASHED``, ``ADAPTER_TIMEOUT``,
``ADAPTER_PROTOCOL``), killed and restarted, and the run goes on with the next request.

A vector test passes iff ``valid`` => ``ok`` and ``output`` equal to the expected output; ``invalid`` => not
``ok`` with exactly the expected error code; ``acceptable`` => either (an output, if one is given, must match).
A trace passes iff every step's result, error and state root (when given) match. Ops the adapter does not list in
its ``hello`` reply are skipped, not passed; an op it lists and then answers ``UNSUPPORTED_OP`` fails.

Everything an adapter sends is bounded and checked before it is used: a reply line is read at most
``max_reply`` bytes (then the adapter is killed, ``ADAPTER_PROTOCOL``), parsed without ``NaN``/``Infinity`` and
at most ``MAX_DEPTH`` levels deep; its ``id`` must be a request id in flight, and its ``output`` or ``error``
must follow the op's contract (contract.py) — a malformed reply fails its test with the reason. The ``hello``
reply must name a spec version this runner knows and list its ops as strings; if it does not, the run stops at
once with a typed error (``ADAPTER_CRASHED``, ``ADAPTER_TIMEOUT`` or ``ADAPTER_PROTOCOL``).

The verdict (:func:`summarize`) states coverage: tests answered of those selected, per component. By default a
run passes only if every selected test was answered and passed; with ``allow_partial`` only the answered tests
are judged, and at least one must have been answered.
"""

from __future__ import annotations

import json
import math
import os
import queue
import shlex
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..spec import jsonio
from ..spec.errors import MedshareError, fail
from . import contract, registry
from .generate import DEFAULT_DIR
from .vectorfile import TRACES, is_invalid, iter_tests, op_name, validate

ADAPTER_ERRORS = ("ADAPTER_CRASHED", "ADAPTER_TIMEOUT", "ADAPTER_PROTOCOL")
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 3600.0
DEFAULT_WINDOW = 32
MAX_RESTARTS = 25
MAX_REPLY_BYTES = 1 << 20  # one reply line; the largest expected output of the suite is 16 kB
MAX_DEPTH = 64  # nesting of a reply; the deepest output of the suite is a policy tree well within it
MAX_FILE_DEPTH = 256  # nesting of a vector file
MAX_HELLO_OPS = 10_000
MAX_OP_NAME = 200


def reference_command(mutant: str | None = None) -> list[str]:
    """The reference adapter (optionally a mutant of it) as a command line."""
    cmd = [sys.executable, "-m", "medshare.conformance.adapter"]
    return cmd + ["--mutant", mutant] if mutant else cmd


# The suite --------------------------------------------------------------------------------------------------
@dataclass
class Case:
    """One test of the suite: what to send and what to expect."""

    file: str
    component: str
    op: str
    tc_id: int
    comment: str
    kind: str  # "vector" or "trace"
    request: dict[str, Any]
    expect: dict[str, Any]  # vector: result/output/error; trace: {"steps": [expect, ...]}
    flags: list[str]
    bug_types: list[str]
    invalid: bool

    @property
    def name(self) -> str:
        return f"{self.file}#{self.tc_id}"


def load_suite(suite: Path | None = None) -> list[Case]:
    """Every test of every vector and trace file under ``suite``, each file validated against its schema and every
    test against its op's contract (contract.py); ``VECTOR_SCHEMA_INVALID`` names the first file that is not."""
    root = Path(suite) if suite is not None else DEFAULT_DIR
    if not root.is_dir():
        fail("INVALID_ARGUMENT", f"--suite {root}: not a directory")
    paths = sorted(root.glob("*/*.json"))
    if not paths:
        fail("INVALID_ARGUMENT", f"no vector files under {root}")
    cases: list[Case] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            with path.open("rb") as f:  # one byte over the bound at most: jsonio refuses the file unread beyond
                doc = jsonio.loads(f.read(jsonio.MAX_JSON_BYTES + 1), max_depth=MAX_FILE_DEPTH,
                                   code="VECTOR_SCHEMA_INVALID", what=f"{rel}: not a JSON file")
        except OSError as e:
            fail("VECTOR_SCHEMA_INVALID", f"{rel}: not a JSON file: {e.strerror}")
        cases += _file_cases(doc, rel)
    return cases


def _file_cases(doc: Any, rel: str) -> list[Case]:
    validate(doc, rel)
    found = contract.vector_problems(doc, rel)
    if found:
        fail("VECTOR_SCHEMA_INVALID", "breaks the operation contract: " + "; ".join(found[:5]))
    op = op_name(doc)
    cases = []
    for params, test in iter_tests(doc):
        bug_types = sorted({doc["notes"][f]["bugType"] for f in test["flags"]})
        if doc["schema"] == TRACES:
            request = contract.trace_request(params, test)
            expect = {"steps": [s["expect"] for s in test["steps"]]}
            kind = "trace"
        else:
            request = contract.vector_request(params, test)
            expect = {k: test[k] for k in ("result", "output", "error") if k in test}
            kind = "vector"
        cases.append(Case(rel, doc["component"], op, test["tcId"], test["comment"], kind, request, expect,
                          list(test["flags"]), bug_types, is_invalid(test)))
    return cases


# Judging a reply ------------------------------------------------------------------------------------------------
def judge(case: Case, reply: dict[str, Any]) -> tuple[bool, str]:
    """(passed, reason) for an adapter reply to ``case``."""
    ok = reply.get("ok")
    got_error = reply.get("error")
    if case.kind == "trace":
        if ok is not True:
            return False, f"trace rejected as a whole: {got_error}"
        steps = (reply.get("output") or {}).get("steps")
        if not isinstance(steps, list) or len(steps) != len(case.expect["steps"]):
            return False, "output.steps missing or of the wrong length"
        for i, (want, got) in enumerate(zip(case.expect["steps"], steps)):
            if not isinstance(got, dict) or got.get("result") != want["result"]:
                seen = got.get("result") if isinstance(got, dict) else got
                return False, f"step {i}: result {seen!r}, expected {want['result']}"
            if want["result"] == "invalid" and got.get("error") != want["error"]:
                return False, f"step {i}: error {got.get('error')}, expected {want['error']}"
            if "stateRoot" in want and got.get("stateRoot") != want["stateRoot"]:
                return False, f"step {i}: stateRoot differs"
        return True, ""
    result = case.expect["result"]
    if result == "valid" or (result == "acceptable" and ok is True):
        if ok is not True:
            return False, f"rejected with {got_error}, expected valid"
        if "output" in case.expect and reply.get("output") != case.expect["output"]:
            return False, "output differs from the expected output"
        return True, ""
    if result == "acceptable":
        return True, ""
    if ok is not False:
        return False, f"accepted, expected {case.expect['error']}"
    if got_error != case.expect["error"]:
        return False, f"error {got_error}, expected {case.expect['error']}"
    return True, ""


# The adapter process ----------------------------------------------------------------------------------------------
class _Oversize:
    """Queued by the reader when a reply line exceeds the bound; reading stops there."""


OVERSIZE = _Oversize()


def loads_bounded(data: bytes, max_depth: int) -> Any:
    """``json.loads`` of UTF-8 ``data`` nesting at most ``max_depth`` lists and objects, within spec/jsonio.py's
    bounds (no NaN or Infinity, no key twice, numbers of at most 100 characters); ``json.JSONDecodeError`` for
    text that is not JSON, ValueError for an exceeded bound. The depth is checked before parsing, in linear time:
    the parser recurses in C, and the process's recursion limit is too high (py_ecc raises it) to stop it before
    the stack ends."""
    try:
        return jsonio.loads(data, max_bytes=len(data), max_depth=max_depth)
    except MedshareError as e:
        if e.code == "BAD_JSON":
            raise json.JSONDecodeError(e.message, "", 0) from None
        raise ValueError(e.message) from None


class AdapterProcess:
    """One running adapter: a writer thread feeds stdin; a reader thread splits stdout into lines of at most
    ``max_reply`` bytes and queues them (``OVERSIZE`` for a longer line, ``None`` at EOF). The queue is bounded,
    so memory stays constant whatever the adapter writes."""

    def __init__(self, command: Sequence[str], env: dict[str, str] | None = None,
                 max_reply: int = MAX_REPLY_BYTES) -> None:
        try:
            self.proc = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, env=env, bufsize=0)
        except (OSError, ValueError) as e:
            fail("INVALID_ARGUMENT", f"cannot start the adapter {' '.join(command)!r}: {e}")
        self.max_reply = max_reply
        self.closed = threading.Event()
        self.lines: queue.Queue[bytes | _Oversize | None] = queue.Queue(maxsize=16)  # at most 16 MiB held
        self.outbox: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._write, daemon=True).start()

    def _put(self, item: bytes | _Oversize | None) -> bool:
        while not self.closed.is_set():
            try:
                self.lines.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        line = bytearray()
        try:
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                parts = chunk.split(b"\n")
                for i, part in enumerate(parts):
                    line += part
                    if len(line) > self.max_reply:
                        self._put(OVERSIZE)
                        return
                    if i < len(parts) - 1:
                        if line.strip() and not self._put(bytes(line)):
                            return
                        line.clear()
        except (OSError, ValueError):
            pass
        if line.strip():
            self._put(bytes(line))
        self._put(None)

    def _write(self) -> None:
        assert self.proc.stdin is not None
        while True:
            data = self.outbox.get()
            if data is None:
                break
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (OSError, ValueError):
                break

    def send(self, message: dict[str, Any]) -> None:
        self.outbox.put(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    def receive(self, timeout: float) -> tuple[str, Any]:
        """("reply", dict) | ("crashed", None) | ("timeout", None) | ("garbage", why)."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return "timeout", None
        if line is None:
            return "crashed", None
        if isinstance(line, _Oversize):
            return "garbage", f"a reply line longer than {self.max_reply} bytes"
        try:
            msg = loads_bounded(line, MAX_DEPTH)
        except json.JSONDecodeError:
            return "garbage", f"not JSON: {_preview(line)}"
        except ValueError as e:
            return "garbage", f"not JSON ({_short(str(e))}): {_preview(line)}"
        if not isinstance(msg, dict) or not isinstance(msg.get("ok"), bool):
            return "garbage", f"not a reply object with a boolean ok: {_preview(line)}"
        return "reply", msg

    def exit_status(self) -> int | None:
        return self.proc.poll()

    def close(self) -> None:
        self.outbox.put(None)
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
        self.closed.set()

    def kill(self) -> None:
        self.closed.set()
        self.outbox.put(None)
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _short(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _preview(line: bytes, n: int = 120) -> str:
    text = line[:n].decode("utf-8", "replace")
    return repr(text + ("…" if len(line) > n else ""))


# The handshake ----------------------------------------------------------------------------------------------------
@dataclass
class Hello:
    """What the adapter's ``hello`` reply claims."""

    ops: frozenset[str]
    spec_version: str
    implementation: str | None


def handshake(proc: AdapterProcess, timeout: float) -> Hello:
    """Send ``hello`` and check the reply; a typed error (the run stops) if the adapter fails it."""
    proc.send({"id": 0, "op": "hello", "input": {}})
    kind, msg = proc.receive(timeout)
    if kind == "crashed":
        status = proc.exit_status()
        fail("ADAPTER_CRASHED", "the adapter exited before answering hello"
             + (f" (exit status {status})" if status is not None else ""))
    if kind == "timeout":
        fail("ADAPTER_TIMEOUT", f"the adapter did not answer hello within {timeout:g} s")
    if kind != "reply":
        fail("ADAPTER_PROTOCOL", f"the adapter's hello reply is {msg}")
    problem = _hello_problem(msg)
    if problem:
        fail("ADAPTER_PROTOCOL", f"the adapter's hello reply {problem}")
    out = msg["output"]
    impl = out.get("implementation")
    return Hello(frozenset(out["ops"]), out["specVersion"], impl[:200] if isinstance(impl, str) else None)


def _hello_problem(msg: dict[str, Any]) -> str | None:
    if type(msg.get("id")) is not int or msg["id"] != 0:
        return f"has id {json.dumps(msg.get('id'))[:40]}, not 0"
    if not msg["ok"]:
        err = msg.get("error")
        return f"is an error: {err if contract.is_error_code(err) else json.dumps(err)[:60]}"
    out = msg.get("output")
    if not isinstance(out, dict):
        return "has no output object"
    ops = out.get("ops")
    if not isinstance(ops, list):
        return "lists no ops (output.ops must be a list of op names)"
    if len(ops) > MAX_HELLO_OPS:
        return f"lists {len(ops)} ops (at most {MAX_HELLO_OPS})"
    for i, name in enumerate(ops):
        if not isinstance(name, str) or not 0 < len(name) <= MAX_OP_NAME:
            return f"has ops[{i}] = {json.dumps(name)[:60]}, not an op name"
    version = out.get("specVersion")
    known = ", ".join(contract.KNOWN_SPEC_VERSIONS)
    if not isinstance(version, str):
        return f"names no specVersion (this runner knows {known})"
    if version not in contract.KNOWN_SPEC_VERSIONS:
        return f"names spec version {json.dumps(version)[:80]}, which this runner does not know (it knows {known})"
    return None


# Running the suite ----------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    case: Case
    status: str  # passed | failed | skipped
    reason: str = ""
    error: str | None = None  # the adapter's error code, or an ADAPTER_* code


@dataclass
class RunResult:
    command: list[str]
    outcomes: list[Outcome]
    supported: list[str] | None
    restarts: int
    seconds: float
    adapter_events: list[dict[str, Any]] = field(default_factory=list)
    spec_version: str | None = None
    implementation: str | None = None

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def check_timeout(timeout: Any) -> float:
    """A per-reply timeout in seconds: a finite number in (0, MAX_TIMEOUT], else INVALID_ARGUMENT."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) \
            or not 0 < timeout <= MAX_TIMEOUT:
        fail("INVALID_ARGUMENT", f"--timeout must be a number of seconds in (0, {MAX_TIMEOUT:g}], not {timeout!r}")
    return float(timeout)


def run_suite(cases: Sequence[Case], command: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT,
              window: int = DEFAULT_WINDOW, env: dict[str, str] | None = None,
              progress: Callable[[int], None] | None = None, stop_after: int | None = None,
              max_reply: int = MAX_REPLY_BYTES) -> RunResult:
    """Run ``cases`` against the adapter ``command``. A failed ``hello`` raises a typed error at once; any other
    misbehaviour of the adapter is recorded against the test it was working on, and the run goes on.

    With ``stop_after`` the run ends after that many failures; the tests not run are reported as skipped."""
    timeout = check_timeout(timeout)
    if window < 1 or max_reply < 1:
        fail("INVALID_ARGUMENT", "window and max_reply must be positive")
    t0 = time.perf_counter()
    outcomes: dict[int, Outcome] = {}
    events: list[dict[str, Any]] = []
    restarts = 0

    def record(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        if progress:
            progress(1)

    proc = AdapterProcess(command, env, max_reply)
    try:
        hello = handshake(proc, timeout)
    except MedshareError:
        proc.kill()
        raise
    supported = hello.ops

    todo: deque[int] = deque()
    for i, case in enumerate(cases):
        if case.op not in supported:
            record(i, Outcome(case, "skipped", "op not listed by the adapter's hello", "UNSUPPORTED_OP"))
        else:
            todo.append(i)

    inflight: dict[int, int] = {}  # request id -> case index, in send order
    next_id = 1
    gave_up = False

    def stop() -> bool:
        return stop_after is not None and sum(o.status == "failed" for o in outcomes.values()) >= stop_after

    while todo or inflight:
        if stop():
            for i in list(inflight.values()) + list(todo):
                record(i, Outcome(cases[i], "skipped", f"not run: stopped after {stop_after} failures"))
            todo.clear()
            inflight.clear()
            break
        while todo and len(inflight) < window:
            i = todo.popleft()
            proc.send({"id": next_id, "op": cases[i].op, "input": cases[i].request})
            inflight[next_id] = i
            next_id += 1
        kind, msg = proc.receive(timeout)
        rid = msg.get("id") if kind == "reply" else None
        if kind == "reply" and type(rid) is int and rid in inflight:
            i = inflight.pop(rid)
            record(i, _outcome(cases[i], msg))
            continue
        # the adapter misbehaved: blame the oldest request in flight, restart, resend the others
        code = {"crashed": "ADAPTER_CRASHED", "timeout": "ADAPTER_TIMEOUT"}.get(kind, "ADAPTER_PROTOCOL")
        detail = {"crashed": "the adapter exited", "timeout": f"no reply within {timeout:g} s",
                  "garbage": f"not a protocol reply: {msg}"}.get(kind, "")
        if kind == "reply":
            detail = (f"a reply with id {json.dumps(rid)[:40]}, which is no request in flight" if "id" in msg
                      else "a reply without an id")
        oldest = next(iter(inflight))
        i = inflight.pop(oldest)
        record(i, Outcome(cases[i], "failed", detail, code))
        events.append({"event": code, "test": cases[i].name, "detail": detail})
        todo.extendleft(reversed(list(inflight.values())))
        inflight.clear()
        proc.kill()
        if restarts >= MAX_RESTARTS:
            gave_up = True
            break
        proc = AdapterProcess(command, env, max_reply)
        restarts += 1
    if gave_up:
        events.append({"event": "gave-up", "detail": f"more than {MAX_RESTARTS} restarts"})
        for i in todo:
            record(i, Outcome(cases[i], "failed", "not run: the adapter was restarted too often", "ADAPTER_CRASHED"))
    else:
        proc.close()
    ordered = [outcomes[i] for i in range(len(cases))]
    return RunResult(list(command), ordered, sorted(supported), restarts, round(time.perf_counter() - t0, 3), events,
                     hello.spec_version, hello.implementation)


def _outcome(case: Case, reply: dict[str, Any]) -> Outcome:
    """The outcome of a test from the adapter's reply to it (the reply's id was checked)."""
    problem = contract.reply_problem(case.op, reply)
    if problem:
        return Outcome(case, "failed", f"malformed reply: {problem}", "ADAPTER_PROTOCOL")
    error = None if reply["ok"] else str(reply["error"])
    if error == "UNSUPPORTED_OP":
        return Outcome(case, "failed", "the adapter lists this op in its hello but answered UNSUPPORTED_OP", error)
    passed, reason = judge(case, reply)
    return Outcome(case, "passed" if passed else "failed", reason, error)


# Mutants ---------------------------------------------------------------------------------------------------------------
@dataclass
class MutantResult:
    name: str
    description: str
    bug_type: str
    ops: list[str]
    tests: int
    failed: int
    seconds: float
    killed_by: list[str]

    @property
    def killed(self) -> bool:
        return self.failed > 0


def run_mutants(cases: Sequence[Case], *, names: Iterable[str] | None = None, timeout: float = DEFAULT_TIMEOUT,
                window: int = DEFAULT_WINDOW, jobs: int = 2, quick: bool = False,
                progress: Callable[[str], None] | None = None) -> list[MutantResult]:
    """Run each mutant of the reference adapter over the tests of the ops it overrides; killed iff one fails.

    ``jobs`` mutant adapters run at a time (each is its own process); ``quick`` stops each at its first failing
    test (enough to decide killed or not; the count of failing tests is then at most 1)."""
    mutants = registry.load_mutants()
    wanted = sorted(mutants) if names is None else list(names)

    def one(name: str) -> MutantResult:
        m = mutants[name]
        subset = [c for c in cases if c.op in m["overrides"]]
        t0 = time.perf_counter()
        run = run_suite(subset, reference_command(name), timeout=timeout, window=window,
                        stop_after=1 if quick else None) if subset else None
        failed = run.failed if run else []
        result = MutantResult(name, m["description"], m["bugType"], sorted(m["overrides"]), len(subset), len(failed),
                              round(time.perf_counter() - t0, 3), [o.case.name for o in failed[:5]])
        if progress:
            progress(name)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, wanted))


# Summaries and reports --------------------------------------------------------------------------------------------------
def _tally(outcomes: Iterable[Outcome], keys: Callable[[Outcome], Iterable[str]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for o in outcomes:
        for k in keys(o):
            row = table.setdefault(k, {"total": 0, "passed": 0, "failed": 0, "skipped": 0})
            row["total"] += 1
            row[o.status] += 1
    return dict(sorted(table.items()))


def _coverage(row: dict[str, Any]) -> dict[str, Any]:
    """A tally row with ``answered`` (passed + failed), ``coverage`` (answered / total) and its ``status``:
    ``complete`` (every test answered), ``partial`` or ``missing`` (none answered)."""
    answered = row["passed"] + row["failed"]
    status = "complete" if answered == row["total"] else "missing" if answered == 0 else "partial"
    return {**row, "answered": answered, "coverage": round(answered / row["total"], 4) if row["total"] else 0.0,
            "status": status}


def verdict_of(failed: int, answered: int, total: int, mutants_ok: bool, allow_partial: bool) -> str:
    """``fail`` (a test failed or a mutant survived), ``none`` (no test answered), ``pass`` (every test answered
    and passed), ``partial`` (only some answered, all passed, and partial runs allowed) or ``incomplete``."""
    if failed or not mutants_ok:
        return "fail"
    if answered == 0:
        return "none"
    if answered == total:
        return "pass"
    return "partial" if allow_partial else "incomplete"


def summarize(run: RunResult, mutants: list[MutantResult] | None, *, allow_partial: bool = False) -> dict[str, Any]:
    """The JSON summary (docs/design.md §5: total, passed, failed, mutants {total, killed}), with the verdict and
    the coverage (tests answered of those selected, per component)."""
    outcomes = run.outcomes
    total = len(outcomes)
    invalid = sum(o.case.invalid for o in outcomes)
    adapter_errors = {code: sum(o.error == code for o in outcomes) for code in ADAPTER_ERRORS + ("INTERNAL",)}
    m_total = len(mutants or [])
    m_killed = sum(m.killed for m in mutants or [])
    failed = run.count("failed")
    answered = run.count("passed") + failed
    components = {k: _coverage(v) for k, v in _tally(outcomes, lambda o: [o.case.component]).items()}
    verdict = verdict_of(failed, answered, total, m_killed == m_total, allow_partial)
    summary: dict[str, Any] = {
        "ok": verdict in ("pass", "partial"),
        "verdict": verdict,
        "allowPartial": allow_partial,
        "adapter": " ".join(shlex.quote(c) for c in run.command),
        "specVersion": run.spec_version,
        "implementation": run.implementation,
        "adapterOps": run.supported,
        "total": total,
        "passed": run.count("passed"),
        "failed": failed,
        "skipped": run.count("skipped"),
        "coverage": {
            "answered": answered, "total": total, "ratio": round(answered / total, 4) if total else 0.0,
            "complete": sorted(k for k, v in components.items() if v["status"] == "complete"),
            "partial": sorted(k for k, v in components.items() if v["status"] == "partial"),
            "missing": sorted(k for k, v in components.items() if v["status"] == "missing"),
        },
        "invalid": invalid,
        "invalidShare": round(invalid / total, 4) if total else 0.0,
        "restarts": run.restarts,
        "adapterErrors": adapter_errors,
        "adapterEvents": run.adapter_events,
        "seconds": run.seconds,
        "components": components,
        "flags": _tally(outcomes, lambda o: o.case.flags),
        "bugTypes": _tally(outcomes, lambda o: o.case.bug_types or ["(none)"]),
        "failures": [{"test": o.case.name, "op": o.case.op, "comment": o.case.comment, "reason": o.reason,
                      "error": o.error} for o in outcomes if o.status == "failed"][:500],
        "mutants": {
            "total": m_total,
            "killed": m_killed,
            "score": round(m_killed / m_total, 4) if m_total else None,
            "results": [{"name": m.name, "bugType": m.bug_type, "description": m.description, "ops": m.ops,
                         "tests": m.tests, "failedTests": m.failed, "killed": m.killed, "killedBy": m.killed_by,
                         "seconds": m.seconds} for m in mutants or []],
        },
    }
    return summary


def verdict_line(summary: dict[str, Any]) -> str:
    """One line: the verdict, the coverage and what to do about a partial run."""
    c, m = summary["coverage"], summary["mutants"]
    head = {"pass": "PASS", "partial": "PASS (partial)", "fail": "FAIL", "incomplete": "INCOMPLETE",
            "none": "NOTHING ANSWERED"}[summary["verdict"]]
    line = (f"conformance: {head} — {c['answered']}/{c['total']} tests answered ({c['ratio']:.1%}), "
            f"{summary['passed']} passed, {summary['failed']} failed; components: {len(c['complete'])} complete, "
            f"{len(c['partial'])} partial, {len(c['missing'])} not implemented")
    if m["total"]:
        line += f"; mutants {m['killed']}/{m['total']} killed"
    if summary["verdict"] == "incomplete":
        line += (". Not every selected test was answered: pass --allow-partial to judge only the answered tests, "
                 "or --only to select what the adapter implements")
    elif summary["verdict"] == "none":
        line += ". The adapter answered no selected test"
    return line


def _rows(summary: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every report table."""
    def tally_rows(table: dict[str, dict[str, int]]) -> list[list[str]]:
        return [[k, str(v["total"]), str(v["passed"]), str(v["failed"]), str(v["skipped"])] for k, v in table.items()]

    head = ["", "tests", "passed", "failed", "skipped"]
    out = [
        ("Totals", ["tests", "invalid", "answered", "passed", "failed", "skipped", "adapter restarts", "seconds"],
         [[str(summary["total"]), f"{summary['invalid']} ({summary['invalidShare']:.1%})",
           f"{summary['coverage']['answered']} ({summary['coverage']['ratio']:.1%})", str(summary["passed"]),
           str(summary["failed"]), str(summary["skipped"]), str(summary["restarts"]), f"{summary['seconds']:.1f}"]]),
        ("By component", ["component"] + head[1:] + ["coverage"],
         [r + [f"{summary['components'][r[0]]['coverage']:.0%}"] for r in tally_rows(summary["components"])]),
        ("By bug type", ["bug type"] + head[1:], tally_rows(summary["bugTypes"])),
        ("By flag", ["flag"] + head[1:], tally_rows(summary["flags"])),
    ]
    if summary["failures"]:
        out.append(("Failures", ["test", "comment", "error", "reason"],
                    [[f["test"], f["comment"], f["error"] or "(accepted)", f["reason"]]
                     for f in summary["failures"][:100]]))
    events = summary["adapterErrors"]
    if any(events.values()):
        out.append(("Adapter errors", list(events), [[str(v) for v in events.values()]]))
    m = summary["mutants"]
    if m["total"]:
        out.append((f"Mutants: {m['killed']}/{m['total']} killed (score {m['score']:.0%})",
                    ["mutant", "bug type", "tests", "failing tests", "killed"],
                    [[r["name"], r["bugType"], str(r["tests"]), str(r["failedTests"]), "yes" if r["killed"] else "NO"]
                     for r in m["results"]]))
    return out


def _bad(row: list[str]) -> bool:
    """A table row to highlight: a tally row with failures, or a surviving mutant."""
    return (len(row) in (5, 6) and row[3] not in ("0", "")) or row[-1] == "NO"


def print_report(summary: dict[str, Any], console: Any) -> None:
    """Rich tables on the terminal, then the verdict line (cells are escaped: they may hold adapter text)."""
    from rich.markup import escape
    from rich.table import Table

    for title, header, rows in _rows(summary):
        if title == "By flag" and len(rows) > 40:
            rows = [r for r in rows if r[3] != "0"] or rows[:0]
            title += " (flags with failures)"
            if not rows:
                continue
        table = Table(title=escape(title), title_justify="left")
        for h in header:
            table.add_column(escape(h), overflow="fold")
        for r in rows:
            table.add_row(*(escape(c) for c in r), style="red" if _bad(r) else None)
        console.print(table)
    colour = "green" if summary["ok"] else "red"
    console.print(f"[{colour}]{escape(verdict_line(summary))}[/]")


def _result_text(summary: dict[str, Any]) -> str:
    return verdict_line(summary).removeprefix("conformance: ")


def markdown_report(summary: dict[str, Any]) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    lines = ["# medshare conformance report", "", f"Adapter: `{summary['adapter']}`  ",
             f"Spec version: `{summary['specVersion']}`  ", f"Result: **{esc(_result_text(summary))}**", ""]
    for title, header, rows in _rows(summary):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
        lines.append("")
    return "\n".join(lines)


def html_report(summary: dict[str, Any]) -> str:
    from html import escape

    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>medshare conformance</title>",
             ("<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1.5em}"
              "td,th{border:1px solid #ccc;padding:2px 8px}tr.bad{background:#fdd}</style></head><body>"),
             "<h1>medshare conformance report</h1>",
             (f"<p>Adapter: <code>{escape(summary['adapter'])}</code><br>Spec version: "
              f"<code>{escape(str(summary['specVersion']))}</code><br>Result: "
              f"<b>{escape(_result_text(summary))}</b></p>")]
    for title, header, rows in _rows(summary):
        parts.append(f"<h2>{escape(title)}</h2><table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header)
                     + "</tr>")
        for r in rows:
            parts.append(f"<tr{' class=bad' if _bad(r) else ''}>" + "".join(f"<td>{escape(c)}</td>" for c in r)
                         + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


REPORT_SUFFIXES = (".md", ".html", ".htm", ".json")


def check_output_path(path: Path | str, option: str, suffixes: Sequence[str] | None = None) -> Path:
    """A file the run will write: its directory exists and is writable, it is not a directory, and (for a report)
    its extension names a format; else INVALID_ARGUMENT, before anything runs."""
    p = Path(path)
    if suffixes is not None and p.suffix.lower() not in suffixes:
        fail("INVALID_ARGUMENT", f"{option} {p}: use a {', '.join(suffixes)} file")
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        fail("INVALID_ARGUMENT", f"{option} {p}: is a directory")
    if not parent.is_dir():
        fail("INVALID_ARGUMENT", f"{option} {p}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        fail("INVALID_ARGUMENT", f"{option} {p}: not writable")
    return p


def write_report(summary: dict[str, Any], path: Path) -> None:
    """Markdown (.md), HTML (.html/.htm) or JSON (.json), chosen by the extension."""
    check_output_path(path, "--report", REPORT_SUFFIXES)
    suffix = path.suffix.lower()
    if suffix == ".md":
        text = markdown_report(summary)
    elif suffix in (".html", ".htm"):
        text = html_report(summary)
    else:
        text = json.dumps(summary, indent=2, sort_keys=True) + "\n"
    try:
        path.write_text(text)
    except OSError as e:
        fail("INVALID_ARGUMENT", f"--report {path}: {e.strerror or e}")


def select(cases: list[Case], only: str | None) -> list[Case]:
    """The cases whose op starts with one of the comma-separated prefixes in ``only`` (all if None)."""
    if only is None:
        return cases
    prefixes = tuple(p.strip() for p in only.split(",") if p.strip())
    if not prefixes:
        fail("INVALID_ARGUMENT", "--only names no op prefix")
    chosen = [c for c in cases if c.op.startswith(prefixes)]
    if not chosen:
        fail("INVALID_ARGUMENT", f"no test has an op starting with {only!r}")
    return chosen


def adapter_command(impl: str | None) -> list[str]:
    """The adapter's command line: ``impl`` split as a shell would (no shell runs it), or the reference adapter."""
    if impl is None:
        return reference_command()
    try:
        command = shlex.split(impl)
    except ValueError as e:
        fail("INVALID_ARGUMENT", f"--impl {impl!r}: cannot split the command line: {e}")
    if not command:
        fail("INVALID_ARGUMENT", "--impl is empty")
    return command


def conform(impl: str | None = None, suite: Path | None = None, *, mutants: bool | None = None,
            timeout: float = DEFAULT_TIMEOUT, console: Any = None, quick_mutants: bool = False,
            only: str | None = None, jobs: int = 2, allow_partial: bool = False,
            report: Path | None = None) -> dict[str, Any]:
    """Run the suite against ``impl`` (default: the reference adapter) and, by default for the reference, every
    mutant; return the summary. Every option is checked before anything runs (INVALID_ARGUMENT)."""
    timeout = check_timeout(timeout)
    command = adapter_command(impl)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        fail("INVALID_ARGUMENT", f"--jobs must be a positive integer, not {jobs!r}")
    if report is not None:
        check_output_path(report, "--report", REPORT_SUFFIXES)
    cases = select(load_suite(suite), only)
    ops = {c.op for c in cases}
    # with --only, the mutants that touch a selected op; otherwise all (one without tests survives)
    names = sorted(n for n, m in registry.load_mutants().items() if not only or ops & set(m["overrides"]))
    if mutants is None:
        mutants = impl is None
    env = dict(os.environ)
    if console is not None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("conformance tests", total=len(cases))
            run = run_suite(cases, command, timeout=timeout, env=env, progress=lambda n: bar.advance(task, n))
            mres = None
            if mutants:
                mtask = bar.add_task("mutants", total=len(names))
                mres = run_mutants(cases, names=names, timeout=timeout, quick=quick_mutants, jobs=jobs,
                                   progress=lambda _: bar.advance(mtask, 1))
    else:
        run = run_suite(cases, command, timeout=timeout, env=env)
        mres = run_mutants(cases, names=names, timeout=timeout, quick=quick_mutants, jobs=jobs) if mutants else None
    return summarize(run, mres, allow_partial=allow_partial)
