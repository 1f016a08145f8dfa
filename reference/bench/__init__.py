"""``medshare bench``: benchmarks reported as ratios measured in one run (docs/design.md §9).

Each group module has ``run(quick) -> list[result]``; :data:`GROUPS` lists them.
"""

from __future__ import annotations

import importlib
import platform
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ...spec.errors import fail

#: group name -> module (relative to this package)
GROUPS: dict[str, str] = {
    "group": ".group",
    "pbft": ".pbft",
    "umbral": ".umbral",
    "fame": ".fame",
    "identity": ".identity",
    "protocol": ".protocol",
    "zk": ".zk",
}


def run_bench(console: Console, *, quick: bool, plot: Path | None, only: str | None) -> dict[str, Any]:
    names = list(GROUPS) if not only else [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        fail("INVALID_ARGUMENT", f"unknown benchmark group(s) {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    results: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    for name in names:
        console.print(f"[bold]bench {name}[/] …")
        module = importlib.import_module(GROUPS[name], __name__)
        results.extend(module.run(quick))
        if plot is not None and hasattr(module, "plot"):
            plot.mkdir(parents=True, exist_ok=True)
            extra.setdefault("plots", []).extend(module.plot(results, plot))
    table = Table(title="medshare bench" + (" (quick)" if quick else ""))
    for col in ("benchmark", "backend", "median", "ratios"):
        table.add_column(col)
    for r in results:
        ratios = ", ".join(f"{k}={v:g}" for k, v in r["ratios"].items())
        table.add_row(r["name"], r["backend"], _fmt(r["median_s"]), ratios)
    console.print(table)
    return {"ok": True, "quick": quick, "machine": platform.platform(), "results": results, **extra}


def _fmt(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} µs"
