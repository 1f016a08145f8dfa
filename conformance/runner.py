"""The conformance runner: drives an adapter process over the vectors and scores the mutants (docs/design.md §6).

The adapter is any command speaking the protocol of ``adapter.py`` (JSON lines on stdin/stdout). The runner
pipelines requests (a window of in-flight requests, so a fast adapter is not slowed by round trips) and allows
``timeout`` seconds for each reply. An adapter that exits, stops answering or answers with something that is not
a protocol reply is recorded against the request it was working on (``ADAPTER_CRASHED``, ``ADAPTER_TIMEOUT``,
``ADAPTER_PROTOCOL``), killed and restarted, and the run goes on with the next request.

A vector test passes iff ``valid`` => ``ok`` and ``output`` equal to the expected output; ``invalid`` => not
``ok`` with exactly the expected error code; ``acceptable`` => either (an output, if one is given, must match).
A trace passes iff every step's result, error and state root (when given) match. Ops the adapter does not list in
its ``hello`` reply (or answers ``UNSUPPORTED_OP``) are skipped, not passed.
"""

from __future__ import annotations

import json
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

from ..spec.errors import fail
from . import registry
from .generate import DEFAULT_DIR
from .vectorfile import TRACES, is_invalid, iter_tests, op_name, validate

ADAPTER_ERRORS = ("ADAPTER_CRASHED", "ADAPTER_TIMEOUT", "ADAPTER_PROTOCOL")
DEFAULT_TIMEOUT = 10.0
DEFAULT_WINDOW = 32
MAX_RESTARTS = 25


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
    """Every test of every vector and trace file under ``suite`` (validated on the way)."""
    root = Path(suite) if suite is not None else DEFAULT_DIR
    paths = sorted(root.glob("*/*.json"))
    if not paths:
        fail("INVALID_ARGUMENT", f"no vector files under {root}")
    cases: list[Case] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            fail("VECTOR_SCHEMA_INVALID", f"{rel}: {e}")
        validate(doc, rel)
        op = op_name(doc)
        for params, test in iter_tests(doc):
            bug_types = sorted({doc["notes"][f]["bugType"] for f in test["flags"]})
            if doc["schema"] == TRACES:
                request = {"initial": test["initial"], **params, "steps": [
                    {"action": s["action"], "args": s["args"]} for s in test["steps"]]}
                expect = {"steps": [s["expect"] for s in test["steps"]]}
                kind = "trace"
            else:
                request = {**params, **test["input"]}
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
class AdapterProcess:
    """One running adapter: a writer thread feeds stdin, a reader thread queues stdout lines (None at EOF)."""

    def __init__(self, command: Sequence[str], env: dict[str, str] | None = None) -> None:
        try:
            self.proc = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, env=env, text=True, encoding="utf-8",
                                         errors="replace", bufsize=1)
        except (OSError, ValueError) as e:
            fail("INVALID_ARGUMENT", f"cannot start the adapter {' '.join(command)!r}: {e}")
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.outbox: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._write, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            for line in self.proc.stdout:
                self.lines.put(line)
        except (OSError, ValueError):
            pass
        self.lines.put(None)

    def _write(self) -> None:
        assert self.proc.stdin is not None
        while True:
            text = self.outbox.get()
            if text is None:
                break
            try:
                self.proc.stdin.write(text)
                self.proc.stdin.flush()
            except (OSError, ValueError):
                break

    def send(self, message: dict[str, Any]) -> None:
        self.outbox.put(json.dumps(message, separators=(",", ":")) + "\n")

    def receive(self, timeout: float) -> tuple[str, Any]:
        """("reply", dict) | ("crashed", None) | ("timeout", None) | ("garbage", text)."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return "timeout", None
            if line is None:
                return "crashed", None
            if not line.strip():
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                return "garbage", line[:200]
            if not isinstance(msg, dict) or not isinstance(msg.get("ok"), bool):
                return "garbage", line[:200]
            return "reply", msg

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

    def kill(self) -> None:
        self.outbox.put(None)
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


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

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def run_suite(cases: Sequence[Case], command: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT,
              window: int = DEFAULT_WINDOW, env: dict[str, str] | None = None,
              progress: Callable[[int], None] | None = None, stop_after: int | None = None) -> RunResult:
    """Run ``cases`` against the adapter ``command``; never raises for adapter misbehaviour.

    With ``stop_after`` the run ends after that many failures; the tests not run are reported as skipped."""
    t0 = time.perf_counter()
    outcomes: dict[int, Outcome] = {}
    events: list[dict[str, Any]] = []
    restarts = 0

    def record(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        if progress:
            progress(1)

    proc = AdapterProcess(command, env)
    proc.send({"id": 0, "op": "hello", "input": {}})
    kind, msg = proc.receive(timeout)
    supported: set[str] | None = None
    if kind == "reply" and msg.get("ok") and isinstance((msg.get("output") or {}).get("ops"), list):
        supported = set(msg["output"]["ops"])
    else:
        events.append({"event": "hello-failed", "detail": kind})
        proc.kill()
        proc = AdapterProcess(command, env)
        restarts += 1

    todo: deque[int] = deque()
    for i, case in enumerate(cases):
        if supported is not None and case.op not in supported:
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
        if kind == "reply" and msg.get("id") in inflight:
            i = inflight.pop(msg["id"])
            if msg.get("ok") is False and msg.get("error") == "UNSUPPORTED_OP":
                record(i, Outcome(cases[i], "skipped", "the adapter answered UNSUPPORTED_OP", "UNSUPPORTED_OP"))
                continue
            passed, reason = judge(cases[i], msg)
            record(i, Outcome(cases[i], "passed" if passed else "failed", reason,
                              None if msg.get("ok") else str(msg.get("error"))))
            continue
        # the adapter misbehaved: blame the oldest request in flight, restart, resend the others
        code = {"crashed": "ADAPTER_CRASHED", "timeout": "ADAPTER_TIMEOUT"}.get(kind, "ADAPTER_PROTOCOL")
        detail = {"crashed": "the adapter exited", "timeout": f"no reply within {timeout:g} s",
                  "garbage": f"not a protocol reply: {msg!r}"}.get(kind, f"reply with an unknown id: {msg!r}")
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
        proc = AdapterProcess(command, env)
        restarts += 1
    if gave_up:
        events.append({"event": "gave-up", "detail": f"more than {MAX_RESTARTS} restarts"})
        for i in todo:
            record(i, Outcome(cases[i], "failed", "not run: the adapter was restarted too often", "ADAPTER_CRASHED"))
    else:
        proc.close()
    ordered = [outcomes[i] for i in range(len(cases))]
    return RunResult(list(command), ordered, sorted(supported) if supported is not None else None, restarts,
                     round(time.perf_counter() - t0, 3), events)


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


def summarize(run: RunResult, mutants: list[MutantResult] | None) -> dict[str, Any]:
    """The JSON summary (docs/design.md §5: total, passed, failed, mutants {total, killed})."""
    outcomes = run.outcomes
    total = len(outcomes)
    invalid = sum(o.case.invalid for o in outcomes)
    adapter_errors = {code: sum(o.error == code for o in outcomes) for code in ADAPTER_ERRORS + ("INTERNAL",)}
    m_total = len(mutants or [])
    m_killed = sum(m.killed for m in mutants or [])
    failed = run.count("failed")
    summary: dict[str, Any] = {
        "ok": failed == 0 and m_killed == m_total,
        "adapter": " ".join(shlex.quote(c) for c in run.command),
        "total": total,
        "passed": run.count("passed"),
        "failed": failed,
        "skipped": run.count("skipped"),
        "invalid": invalid,
        "invalidShare": round(invalid / total, 4) if total else 0.0,
        "restarts": run.restarts,
        "adapterErrors": adapter_errors,
        "adapterEvents": run.adapter_events,
        "seconds": run.seconds,
        "components": _tally(outcomes, lambda o: [o.case.component]),
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


def _rows(summary: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every report table."""
    def tally_rows(table: dict[str, dict[str, int]]) -> list[list[str]]:
        return [[k, str(v["total"]), str(v["passed"]), str(v["failed"]), str(v["skipped"])] for k, v in table.items()]

    head = ["", "tests", "passed", "failed", "skipped"]
    out = [
        ("Totals", ["tests", "invalid", "passed", "failed", "skipped", "adapter restarts", "seconds"],
         [[str(summary["total"]), f"{summary['invalid']} ({summary['invalidShare']:.1%})", str(summary["passed"]),
           str(summary["failed"]), str(summary["skipped"]), str(summary["restarts"]), f"{summary['seconds']:.1f}"]]),
        ("By component", ["component"] + head[1:], tally_rows(summary["components"])),
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


def print_report(summary: dict[str, Any], console: Any) -> None:
    """Rich tables on the terminal."""
    from rich.table import Table

    for title, header, rows in _rows(summary):
        if title == "By flag" and len(rows) > 40:
            rows = [r for r in rows if r[3] != "0"] or rows[:0]
            title += " (flags with failures)"
            if not rows:
                continue
        table = Table(title=title, title_justify="left")
        for h in header:
            table.add_column(h, overflow="fold")
        for r in rows:
            style = "red" if (len(r) == 5 and r[3] not in ("0", "")) or r[-1] == "NO" else None
            table.add_row(*r, style=style)
        console.print(table)
    verdict = "[green]PASS[/]" if summary["ok"] else "[red]FAIL[/]"
    console.print(f"conformance: {verdict} {summary['passed']}/{summary['total']} passed, {summary['failed']} failed, "
                  f"{summary['skipped']} skipped; mutants {summary['mutants']['killed']}/{summary['mutants']['total']}"
                  " killed")


def markdown_report(summary: dict[str, Any]) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    lines = ["# medshare conformance report", "", f"Adapter: `{summary['adapter']}`  ",
             f"Result: **{'PASS' if summary['ok'] else 'FAIL'}**", ""]
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
             (f"<p>Adapter: <code>{escape(summary['adapter'])}</code><br>Result: "
              f"<b>{'PASS' if summary['ok'] else 'FAIL'}</b></p>")]
    for title, header, rows in _rows(summary):
        parts.append(f"<h2>{escape(title)}</h2><table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header)
                     + "</tr>")
        for r in rows:
            bad = (len(r) == 5 and r[3] not in ("0", "")) or r[-1] == "NO"
            parts.append(f"<tr{' class=bad' if bad else ''}>" + "".join(f"<td>{escape(c)}</td>" for c in r)
                         + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(summary: dict[str, Any], path: Path) -> None:
    """Markdown (.md), HTML (.html/.htm) or JSON (.json), chosen by the extension."""
    suffix = path.suffix.lower()
    if suffix == ".md":
        text = markdown_report(summary)
    elif suffix in (".html", ".htm"):
        text = html_report(summary)
    elif suffix == ".json":
        text = json.dumps(summary, indent=2, sort_keys=True) + "\n"
    else:
        fail("INVALID_ARGUMENT", f"report {path}: use a .md, .html or .json file")
    path.write_text(text)


def select(cases: list[Case], only: str | None) -> list[Case]:
    """The cases whose op starts with one of the comma-separated prefixes in ``only`` (all if None)."""
    if not only:
        return cases
    prefixes = tuple(p.strip() for p in only.split(",") if p.strip())
    chosen = [c for c in cases if c.op.startswith(prefixes)]
    if not chosen:
        fail("INVALID_ARGUMENT", f"no test has an op starting with {only!r}")
    return chosen


def conform(impl: str | None = None, suite: Path | None = None, *, mutants: bool | None = None,
            timeout: float = DEFAULT_TIMEOUT, console: Any = None, quick_mutants: bool = False,
            only: str | None = None, jobs: int = 2) -> dict[str, Any]:
    """Run the suite against ``impl`` (default: the reference adapter) and, by default for the reference, every
    mutant; return the summary."""
    cases = select(load_suite(suite), only)
    ops = {c.op for c in cases}
    # with --only, the mutants that touch a selected op; otherwise all (one without tests survives)
    names = sorted(n for n, m in registry.load_mutants().items() if not only or ops & set(m["overrides"]))
    command = shlex.split(impl) if impl else reference_command()
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
    return summarize(run, mres)
