"""``medshare check``: the TLA+ models through the TLC bridge, with a progress display (docs/design.md §5, §7)."""

from __future__ import annotations

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


def run_check(console: Console, model: str | None, *, workers: int = 1, distributed: bool = False,
              show_table: bool = True) -> dict[str, Any]:
    """Check the configurations named by ``model`` against models/manifest.json."""
    entries = tlc.select(tlc.load_manifest(), model)
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

        summary = tlc.check(entries, workers=workers, distributed=distributed, on_start=on_start,
                            on_progress=on_progress, on_done=on_done)
    if show_table:
        table = Table(title="medshare check" + (" (distributed)" if distributed else ""))
        for col in ("configuration", "kind", "expected", "result", "distinct", "depth", "seconds", "ok"):
            table.add_column(col)
        for r in summary["models"]:
            table.add_row(r["config"], r["kind"], r["expected"], r["result"], f"{r['distinct_states']:,}",
                          str(r["depth"]), f"{r['seconds']:.1f}", "[green]yes[/]" if r["ok"] else "[red]no[/]")
        console.print(table)
    return summary
