"""The ``medshare`` command line (DESIGN §5), in the package face: it imports every room.

Every subcommand exits 0 only on success and takes ``--json FILE`` (``-`` for stdout) to write one object with
at least ``"ok": bool``. Subcommands whose parts are not built yet say so and exit 3.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from .spec.errors import MedshareError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="medshare: dual-blockchain sharing of Medical-IoT data.")
vectors_app = typer.Typer(no_args_is_help=True, help="Conformance vectors.")
trace_app = typer.Typer(no_args_is_help=True, help="Traces from TLC and ITF.")
app.add_typer(vectors_app, name="vectors")
app.add_typer(trace_app, name="trace")

console = Console(stderr=True)

EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_NOT_BUILT = 3

JsonOpt = typer.Option(None, "--json", help="write a JSON summary to FILE ('-' for stdout)")


def _emit(summary: dict[str, Any], json_path: str | None) -> None:
    if json_path is None:
        return
    text = json.dumps(summary, indent=2, sort_keys=True, default=str)
    if json_path == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(json_path).write_text(text + "\n")


def _run(command: str, json_path: str | None, body: Callable[[], dict[str, Any]]) -> None:
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
    seed: int = typer.Option(1, help="scenario seed: every key of the demo derives from it (not for production)"),
    json_path: str | None = JsonOpt,
) -> None:
    """Run the end-to-end sharing scenario, narrated, and check every property."""
    from .reference.protocol.demo import demo as run_demo

    _run("demo", json_path, lambda: run_demo(seed, console))


@app.command()
def verify(
    stage: list[str] | None = typer.Option(None, help="run only these stages (repeatable)"),
    json_path: str | None = JsonOpt,
) -> None:
    """The main job: scenario, conformance, Z3 checks and the small TLC models, with one summary table."""
    from .verify import run_verify

    _run("verify", json_path, lambda: run_verify(console, only=stage))


@app.command()
def conform(
    impl: str | None = typer.Option(None, help="adapter command (default: the reference adapter)"),
    suite: Path | None = typer.Option(None, help="vector directory"),
    report: Path | None = typer.Option(None, help="report file (.md, .html or .json)"),
    mutants: bool | None = typer.Option(None, "--mutants/--no-mutants",
                                        help="also score the mutants (default: only for the reference adapter)"),
    timeout: float = typer.Option(10.0, help="seconds allowed for each adapter reply"),
    only: str | None = typer.Option(None, help="comma-separated op prefixes, e.g. group.g1,crypto.umbral"),
    jobs: int = typer.Option(2, min=1, help="mutant adapters run at a time"),
    json_path: str | None = JsonOpt,
) -> None:
    """Run the conformance vectors against an implementation."""

    def body() -> dict[str, Any]:
        from .conformance.runner import conform as run_conform
        from .conformance.runner import print_report, write_report

        summary = run_conform(impl, suite, mutants=mutants, timeout=timeout, console=console, only=only,
                              jobs=jobs)
        print_report(summary, console)
        if report is not None:
            write_report(summary, report)
        return summary

    _run("conform", json_path, body)


@vectors_app.command("generate")
def vectors_generate(
    out: Path | None = typer.Option(None, help="output directory"),
    json_path: str | None = JsonOpt,
) -> None:
    """Regenerate the conformance vectors deterministically."""

    def body() -> dict[str, Any]:
        from .conformance.generate import generate

        summary = generate(out)
        console.print(f"wrote {summary['files']} files ({summary['changed']} changed) with {summary['tests']} tests, "
                      f"{summary['invalidShare']:.1%} invalid, into {summary['out']} in {summary['seconds']:.1f} s")
        return summary

    _run("vectors generate", json_path, body)


@app.command()
def check(
    model: str | None = typer.Argument(None, help="model name (default: the small configurations)"),
    workers: int = typer.Option(1, help="TLC worker threads"),
    distributed: bool = typer.Option(False, help="run TLC's distributed mode on loopback"),
    json_path: str | None = JsonOpt,
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
def trace_replay(file: Path, json_path: str | None = JsonOpt,
                 against: str = typer.Option("spec", "--against",
                                             help="spec (the executable spec, real cryptography) or mirror "
                                                  "(the Python mirror of the TLA+ actions)")) -> None:
    """Replay a TLC/ITF trace against the executable spec (or the models' Python mirrors)."""

    def body() -> dict[str, Any]:
        from .models.replay import replay_file

        report = replay_file(file, against)
        summary = {**report.summary(), "file": str(file)}
        if report.ok:
            console.print(f"[green]replayed[/] {file} against the {against}: {report.model}, {report.steps} steps, "
                          "every state agrees")
        else:
            console.print(f"[bold red]TRACE_DIVERGED[/] {file}: step {report.step} ({report.action}): "
                          f"{report.reason}")
            summary["error"] = "TRACE_DIVERGED"
        return summary

    _run("trace replay", json_path, body)


@app.command()
def bench(
    quick: bool = typer.Option(False, help="small sizes and few repetitions"),
    plot: Path | None = typer.Option(None, help="directory for plots"),
    only: str | None = typer.Option(None, help="comma-separated benchmark groups"),
    json_path: str | None = JsonOpt,
) -> None:
    """Benchmarks, as ratios measured in one run."""
    from .reference.bench import run_bench

    _run("bench", json_path, lambda: run_bench(console, quick=quick, plot=plot, only=only))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
