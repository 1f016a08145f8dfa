"""The ``medshare`` command line (DESIGN §5).

Every subcommand exits 0 only on success and takes ``--json FILE`` (``-`` for stdout) to write one object with
at least ``"ok": bool``. Subcommands whose parts are not built yet say so and exit 3.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from ..spec.errors import MedshareError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="medshare: dual-blockchain sharing of Medical-IoT data.")
vectors_app = typer.Typer(no_args_is_help=True, help="Conformance vectors.")
trace_app = typer.Typer(no_args_is_help=True, help="Traces from TLC and ITF.")
app.add_typer(vectors_app, name="vectors")
app.add_typer(trace_app, name="trace")

console = Console(stderr=True)

EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_NOT_BUILT = 3

JsonOpt = typer.Option(None, "--json", help="write a JSON summary to FILE ('-' for stdout)")


def _emit(summary: dict[str, Any], json_path: Optional[str]) -> None:
    if json_path is None:
        return
    text = json.dumps(summary, indent=2, sort_keys=True, default=str)
    if json_path == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(json_path).write_text(text + "\n")


def _run(command: str, json_path: Optional[str], body: Callable[[], dict[str, Any]]) -> None:
    """Run ``body``; map its summary and errors to the JSON contract and the exit code."""
    try:
        summary = body()
    except MedshareError as e:
        code = EXIT_NOT_BUILT if e.code == "NOT_IMPLEMENTED" else EXIT_ERROR
        console.print(f"[bold red]medshare {command}: {e.code}[/] {e.message}")
        _emit({"ok": False, "command": command, "error": e.code, "message": e.message}, json_path)
        raise typer.Exit(code) from None
    summary.setdefault("command", command)
    _emit(summary, json_path)
    if not summary.get("ok"):
        raise typer.Exit(EXIT_FAILED)


def _not_built(what: str, issue: int) -> Callable[[], dict[str, Any]]:
    def body() -> dict[str, Any]:
        raise MedshareError("NOT_IMPLEMENTED", f"{what} is not built yet (issue #{issue}); nothing was run")

    return body


@app.command()
def demo(
    seed: int = typer.Option(1, help="scenario seed"),
    json_path: Optional[str] = JsonOpt,
) -> None:
    """Run the end-to-end sharing scenario, narrated, and check every property."""
    _run("demo", json_path, _not_built("the end-to-end scenario", 7))


@app.command()
def verify(json_path: Optional[str] = JsonOpt) -> None:
    """The main job: scenario, conformance, Z3 checks and the small TLC models, with one summary table."""
    from .verify import run_verify

    _run("verify", json_path, lambda: run_verify(console))


@app.command()
def conform(
    impl: Optional[str] = typer.Option(None, help="adapter command (default: the reference adapter)"),
    suite: Optional[Path] = typer.Option(None, help="vector directory"),
    report: Optional[Path] = typer.Option(None, help="report file (.md, .html or .json)"),
    json_path: Optional[str] = JsonOpt,
) -> None:
    """Run the conformance vectors against an implementation."""
    _run("conform", json_path, _not_built("the conformance runner", 9))


@vectors_app.command("generate")
def vectors_generate(
    out: Optional[Path] = typer.Option(None, help="output directory"),
    json_path: Optional[str] = JsonOpt,
) -> None:
    """Regenerate the conformance vectors deterministically."""
    _run("vectors generate", json_path, _not_built("vector generation", 9))


@app.command()
def check(
    model: Optional[str] = typer.Argument(None, help="model name (default: the small configurations)"),
    workers: int = typer.Option(1, help="TLC worker threads"),
    distributed: bool = typer.Option(False, help="run TLC's distributed mode on loopback"),
    json_path: Optional[str] = JsonOpt,
) -> None:
    """Model-check the TLA+ models with TLC.

    MODEL: a model (PBFT, Sharing, optionally with ':small' or ':large'), a configuration (MCPBFT_small) or
    'all'; by default every small configuration of models/manifest.json.
    """
    from .modelcheck import run_check

    if workers < 1:
        raise typer.BadParameter("--workers must be at least 1")
    _run("check", json_path, lambda: run_check(console, model, workers=workers, distributed=distributed))


@trace_app.command("replay")
def trace_replay(file: Path, json_path: Optional[str] = JsonOpt) -> None:
    """Replay a TLC/ITF trace against the executable spec."""

    def body() -> dict[str, Any]:
        from ..models.replay import replay_file

        report = replay_file(file)
        summary = {**report.summary(), "file": str(file)}
        if report.ok:
            console.print(f"[green]replayed[/] {file}: {report.model}, {report.steps} steps, every state agrees")
        else:
            console.print(f"[bold red]TRACE_DIVERGED[/] {file}: step {report.step} ({report.action}): "
                          f"{report.reason}")
            summary["error"] = "TRACE_DIVERGED"
        return summary

    _run("trace replay", json_path, body)


@app.command()
def bench(
    quick: bool = typer.Option(False, help="small sizes and few repetitions"),
    plot: Optional[Path] = typer.Option(None, help="directory for plots"),
    only: Optional[str] = typer.Option(None, help="comma-separated benchmark groups"),
    json_path: Optional[str] = JsonOpt,
) -> None:
    """Benchmarks, as ratios measured in one run."""
    from .bench import run_bench

    _run("bench", json_path, lambda: run_bench(console, quick=quick, plot=plot, only=only))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
