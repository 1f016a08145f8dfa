"""``medshare check``: the TLA+ models through the TLC bridge, with a progress display (docs/design.md §5, §7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .models import tlc


def list_models(console: Console) -> dict[str, Any]:
    """``medshare check --list``: every model and configuration of models/manifest.json with its expected
    result."""
    entries = tlc.load_manifest()
    table = Table(title="models/manifest.json")
    for col in ("model", "configuration", "tier", "kind", "expected", "distinct"):
        table.add_column(col)
    rows = []
    for e in entries:
        expected = e.expected if e.expected == "pass" else f"violation:{e.invariant}"
        rows.append({"name": e.model, "config": e.name, "tier": e.tier, "kind": e.kind, "expected": expected,
                     "distinct_states": e.distinct_states, "description": e.description})
        table.add_row(e.model, e.name, e.tier, e.kind, expected, f"{e.distinct_states:,}")
    console.print(table)
    return {"ok": True, "models": sorted({e.model for e in entries}), "configurations": rows}


def run_check(console: Console, model: str | None, *, workers: int = 1, distributed: bool = False,
              show_table: bool = True, trace_out: Path | None = None, show_trace: bool | None = None
              ) -> dict[str, Any]:
    """Check the configurations named by ``model`` against models/manifest.json. A counterexample is printed as
    TLC shows it (``show_trace``; by default when one configuration is checked or ``trace_out`` is given) and,
    with ``trace_out``, written there as ITF, TLA+ and TLC text (``tlc.write_counterexample``)."""
    entries = tlc.select(tlc.load_manifest(), model)
    if show_trace is None:
        show_trace = len(entries) == 1 or trace_out is not None
    tlc.find_java()
    tlc.find_jar()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[states]}"), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        overall = progress.add_task("TLC", total=len(entries), states="")
        current: dict[str, Any] = {}

        def on_start(entry: tlc.Entry) -> None:
            current["task"] = progress.add_task(f"  {entry.name}", total=None, states="")

        def on_progress(entry: tlc.Entry, stats: tlc.Stats) -> None:
            progress.update(current["task"], states=f"{stats.distinct:,} distinct, {stats.queue:,} queued")

        def on_done(entry: tlc.Entry, row: dict[str, Any]) -> None:
            progress.remove_task(current["task"])
            progress.advance(overall)
            mark = "[green]ok[/]" if row["ok"] else f"[red]MISMATCH[/] {row['problem']}"
            console.print(f"  {entry.name}: {row['result']} ({row['distinct_states']:,} distinct states, "
                          f"{row['seconds']:.1f} s) {mark}")

        def on_result(entry: tlc.Entry, result: tlc.TLCResult, row: dict[str, Any]) -> None:
            if not result.trace:
                return
            if show_trace:
                progress.console.print(f"[bold]{entry.name}[/]: counterexample ({len(result.trace)} states)")
                progress.console.print(tlc.format_counterexample(result), markup=False, highlight=False)
            if trace_out is not None:
                row["files"] = tlc.write_counterexample(entry, result, trace_out)

        summary = tlc.check(entries, workers=workers, distributed=distributed, on_start=on_start,
                            on_progress=on_progress, on_done=on_done, on_result=on_result)
    if show_table:
        table = Table(title="medshare check" + (" (distributed)" if distributed else ""))
        for col in ("configuration", "kind", "expected", "result", "distinct", "depth", "seconds", "ok"):
            table.add_column(col)
        for r in summary["models"]:
            table.add_row(r["config"], r["kind"], r["expected"], r["result"], f"{r['distinct_states']:,}",
                          str(r["depth"]), f"{r['seconds']:.1f}", "[green]yes[/]" if r["ok"] else "[red]no[/]")
        console.print(table)
    return summary
