"""``medshare demo``: the scenario narrated with rich, then every property checked (docs/design.md §5)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..backends import get_group
from .scenario import Step, key_source, run_demo

PHASE_STYLE = {"0": "cyan", "1": "cyan", "2": "green", "3": "green", "4": "yellow", "5": "yellow", "6": "magenta",
               "7": "magenta", "8": "red", "9": "blue"}


def demo(seed: int, console: Console, keep: Path | None = None) -> dict[str, Any]:
    """Run the scenario and return the JSON summary: ok, properties, steps, phase times, wall time."""
    t0 = time.perf_counter()
    last_phase = [""]

    def narrate(s: Step) -> None:
        if s.phase != last_phase[0]:
            last_phase[0] = s.phase
            console.rule(f"[bold {PHASE_STYLE.get(s.phase[0], 'white')}]phase {s.phase}")
        mark = "[green]✓[/]" if s.ok else "[bold red]✗[/]"
        verdict = "ok" if s.outcome == "ok" else f"refused: [bold]{s.outcome}[/]"
        if not s.ok:
            verdict += f" (expected {s.expected})"
        console.print(f"{mark} [bold]{s.actor}[/] {s.action} → {verdict} [dim]{s.seconds:.2f}s[/]")
        if s.holds:
            console.print(f"    [dim]holds: {s.holds}[/]")

    keys = key_source(seed)
    console.print(f"[bold]medshare demo[/] seed {seed}: 2 medical institutions, 3 devices, 2 research institutions "
                  "(ri2 not authorised), 3 CPC nodes (t = 2, cpc3 Byzantine), 4 validators per chain")
    console.print(f"[bold yellow]keys: {keys}[/] — every key, the Groth16 trapdoor included, follows from the seed")
    sc, result = run_demo(get_group("native"), seed, narrate, workdir=keep)
    wall = time.perf_counter() - t0
    props = {name: not problems for name, problems in result.items()}
    table = Table(title="properties")
    table.add_column("property")
    table.add_column("holds")
    table.add_column("violations")
    for name, problems in result.items():
        table.add_row(name, "[green]yes[/]" if not problems else "[red]NO[/]", "; ".join(problems[:3]))
    console.print(table)
    steps_ok = all(s.ok for s in sc.steps)
    ok = steps_ok and all(props.values())
    times = {k: round(v, 3) for k, v in sorted(sc.phase_times.items())}
    console.print("phase times (s): " + ", ".join(f"{k}: {v:.2f}" for k, v in times.items()))
    console.print(f"[bold {'green' if ok else 'red'}]{'all steps as expected, every property holds' if ok else 'FAILED'}"
                  f"[/] in {wall:.1f} s")
    if keep is not None:
        console.print(f"ledgers kept in {keep}/mdc and {keep}/shc (medshare node check FILE --chain mdc|shc "
                      f"--seed {seed})", markup=False)
    return {"ok": ok, "seed": seed, "keys": sc.key_source, "properties": props, "violations": result,
            "steps": [s.to_json() for s in sc.steps], "phaseSeconds": times, "wallSeconds": round(wall, 3)}


def stage() -> str:
    """The verify stage: the scenario with seed 7, quietly."""
    summary = demo(7, Console(quiet=True))
    bad = [s["action"] for s in summary["steps"] if not s["ok"]]
    failed = [n for n, ok in summary["properties"].items() if not ok]
    assert not bad and not failed, f"steps {bad}, properties {failed}"
    return (f"{len(summary['steps'])} steps as expected, {len(summary['properties'])} properties hold "
            f"({summary['wallSeconds']:.0f} s)")
