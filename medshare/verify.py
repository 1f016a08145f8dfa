"""``medshare verify``: the main job (docs/design.md §5), in the package face: it runs every room.

Runs each stage that is built, with a progress display, and ends with one summary table. A stage without a body
is listed as "not built" and does not count as a failure; every built stage must pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .reference import selfcheck
from .reference.backends import get_group
from .spec.errors import fail

StageFn = Callable[[], str]


def _stage_group() -> str:
    native = get_group("native")
    n = selfcheck.check_expand_message_xmd()
    n += selfcheck.check_hash_to_curve(native)
    n += selfcheck.check_pairing_known_answer(native)
    n += selfcheck.check_pairing_known_answer(get_group("pure"))
    return f"{n} known answers (RFC 9380 K.1, J.9.1, J.10.1; canonical pairing on both backends)"


def _stage_conformance() -> str:
    from .conformance.runner import conform

    s = conform(None, None, mutants=True, quick_mutants=True)
    m = s["mutants"]
    assert s["failed"] == 0, f"{s['failed']} of {s['total']} conformance tests fail: " + \
        ", ".join(f["test"] for f in s["failures"][:3])
    assert s["skipped"] == 0, f"the reference adapter skips {s['skipped']} tests"
    survivors = [r["name"] for r in m["results"] if not r["killed"]]
    assert not survivors, f"mutants not caught: {', '.join(survivors)}"
    return (f"{s['passed']}/{s['total']} tests pass ({s['invalidShare']:.0%} invalid) in {len(s['components'])} "
            f"components; {m['killed']}/{m['total']} mutants killed")


def _stage_z3() -> str:
    from .reference.z3checks import chain_guards, lsss

    return f"{lsss.stage()}; {chain_guards.stage()}"


def _stage_tlc() -> str:
    from .models import tlc

    summary = tlc.check(tlc.select(tlc.load_manifest(), None))
    bad = [f"{r['config']}: {r['problem']}" for r in summary["models"] if not r["ok"]]
    assert not bad, "; ".join(bad)
    rows = summary["models"]
    passed = sum(r["kind"] == "correct" for r in rows)
    refuted = sum(r["kind"] == "buggy" for r in rows)
    witnessed = sum(r["kind"] == "witness" for r in rows)
    return (f"{len(rows)} small configurations match models/manifest.json: {passed} pass, {refuted} buggy refuted, "
            f"{witnessed} witnesses reached")


def _stage_scenario() -> str:
    from .reference.protocol import demo

    return demo.stage()


#: (name, the stage or None while not built)
STAGES: list[tuple[str, StageFn | None]] = [
    ("group layer", _stage_group),
    ("scenario", _stage_scenario),
    ("conformance", _stage_conformance),
    ("z3 checks", _stage_z3),
    ("tlc models", _stage_tlc),
]


def run_verify(console: Console, only: list[str] | None = None) -> dict[str, Any]:
    names = [name for name, _ in STAGES]
    unknown = sorted(set(only or []) - set(names))
    if unknown:
        fail("INVALID_ARGUMENT", f"unknown stage(s) {', '.join(unknown)}; stages: {', '.join(names)}")
    results: list[dict[str, Any]] = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        for name, fn in STAGES:
            if only and name not in only:
                continue
            if fn is None:
                results.append({"stage": name, "ok": None, "built": False, "detail": "not built",
                                "seconds": 0.0})
                continue
            task = progress.add_task(f"verify: {name}", total=None)
            t0 = time.perf_counter()
            try:
                detail, ok = fn(), True
            except AssertionError as e:
                detail, ok = f"FAILED: {e}", False
            except Exception as e:  # a stage that crashes is a failure, reported, not a traceback
                detail, ok = f"FAILED: {type(e).__name__}: {e}", False
            results.append({"stage": name, "ok": ok, "built": True, "detail": detail,
                            "seconds": round(time.perf_counter() - t0, 3)})
            progress.remove_task(task)

    table = Table(title="medshare verify")
    for col in ("stage", "result", "seconds", "detail"):
        table.add_column(col)
    for r in results:
        status = "[dim]not built[/]" if not r["built"] else ("[green]pass[/]" if r["ok"] else "[red]FAIL[/]")
        table.add_row(r["stage"], status, f"{r['seconds']:.2f}", r["detail"])
    console.print(table)
    ok = all(r["ok"] for r in results if r["built"])
    return {"ok": ok, "stages": {r["stage"]: r for r in results}}
