"""The ``medshare`` command line (docs/design.md §5), in the package face: it imports every room.

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
node_app = typer.Typer(no_args_is_help=True, help="Validator nodes and their ledgers.")
app.add_typer(vectors_app, name="vectors")
app.add_typer(trace_app, name="trace")
app.add_typer(node_app, name="node")

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
    keep: Path | None = typer.Option(None, help="keep the ledgers and CPC stores in this directory"),
    json_path: str | None = JsonOpt,
) -> None:
    """Run the end-to-end sharing scenario, narrated, and check every property."""
    from .reference.protocol.demo import demo as run_demo

    _run("demo", json_path, lambda: run_demo(seed, console, keep))


@app.command()
def verify(
    stage: list[str] | None = typer.Option(None, help="run only these stages (repeatable)"),
    json_path: str | None = JsonOpt,
) -> None:
    """The main job: scenario, conformance, Z3 checks and the small TLC models, with one summary table."""
    from .verify import run_verify

    _run("verify", json_path, lambda: run_verify(console, only=stage))


def _conform_json_path(value: str | None) -> str | None:
    """``--json`` of ``conform``: checked before anything runs (the summary could not be written otherwise)."""
    if value is None or value == "-":
        return value
    from .conformance.runner import check_output_path

    try:
        check_output_path(value, "--json")
    except MedshareError as e:
        raise typer.BadParameter(e.message.removeprefix("--json ")) from None
    return value


@app.command()
def conform(
    impl: str | None = typer.Option(None, help="adapter command (default: the reference adapter)"),
    suite: Path | None = typer.Option(None, help="vector directory"),
    report: Path | None = typer.Option(None, help="report file (.md, .html or .json)"),
    mutants: bool | None = typer.Option(None, "--mutants/--no-mutants",
                                        help="also score the mutants (default: only for the reference adapter)"),
    timeout: float = typer.Option(10.0, help="seconds allowed for each adapter reply (finite, in (0, 3600])"),
    only: str | None = typer.Option(None, help="comma-separated op prefixes, e.g. group.g1,crypto.umbral"),
    allow_partial: bool = typer.Option(False, "--allow-partial",
                                       help="judge only the tests the adapter answers (at least one); by default "
                                            "every selected test must be answered"),
    jobs: int = typer.Option(2, min=1, help="mutant adapters run at a time"),
    json_path: str | None = typer.Option(None, "--json", callback=_conform_json_path,
                                         help="write a JSON summary to FILE ('-' for stdout)"),
) -> None:
    """Run the conformance vectors against an implementation."""

    def body() -> dict[str, Any]:
        from .conformance.runner import conform as run_conform
        from .conformance.runner import print_report, write_report

        summary = run_conform(impl, suite, mutants=mutants, timeout=timeout, console=console, only=only,
                              jobs=jobs, allow_partial=allow_partial, report=report)
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
    trace_out: Path | None = typer.Option(None, "--trace-out",
                                          help="write each counterexample into DIR as <config>.itf.json (ITF), "
                                               "<config>_trace.tla (TLA+) and <config>.out (TLC's printout)"),
    show_trace: bool | None = typer.Option(None, "--show-trace/--no-show-trace",
                                           help="print counterexamples as TLC shows them (default: when one "
                                                "configuration is checked or with --trace-out)"),
    list_: bool = typer.Option(False, "--list", help="list every model and configuration with its expected result"),
    json_path: str | None = JsonOpt,
) -> None:
    """Model-check the TLA+ models with TLC.

    MODEL: a model (PBFT, Sharing, optionally with ':small' or ':large'), a configuration (MCPBFT_small) or
    'all'; by default every small configuration of models/manifest.json.
    """
    from .modelcheck import list_models, run_check

    if list_:
        _run("check", json_path, lambda: list_models(console))
        return
    if workers < 1:
        raise typer.BadParameter("--workers must be at least 1")
    _run("check", json_path, lambda: run_check(console, model, workers=workers, distributed=distributed,
                                               trace_out=trace_out, show_trace=show_trace))


def _constants(items: list[str] | None) -> tuple[dict[str, Any], dict[str, str]]:
    """``--const NAME=VALUE`` (a TLA+ value: ``3``, ``{r1, r2}``, ``TRUE``) and ``--const NAME<-DEFINITION``."""
    import re

    from .models.tlavalues import parse_value

    values: dict[str, Any] = {}
    subst: dict[str, str] = {}
    for item in items or []:
        m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=|<-)\s*(.+?)\s*", item)
        if not m:
            raise MedshareError("INVALID_ARGUMENT", f"--const {item!r}: expected NAME=VALUE or NAME<-DEFINITION")
        name, op, raw = m.groups()
        if op == "<-":
            subst[name] = raw
            continue
        try:
            values[name] = parse_value(raw)
        except MedshareError as e:
            raise MedshareError("INVALID_ARGUMENT", f"--const {name}: {e.message}") from None
    return values, subst


@trace_app.command("replay")
def trace_replay(file: Path, json_path: str | None = JsonOpt,
                 against: str = typer.Option("spec", "--against",
                                             help="spec (the executable spec, real cryptography) or mirror "
                                                  "(the Python mirror of the TLA+ actions)"),
                 model: str | None = typer.Option(None, "--model",
                                                  help="the trace's model (PBFT, Sharing) or a configuration "
                                                       "(MCSharing_small) whose constants fill in what #meta lacks"),
                 const: list[str] | None = typer.Option(None, "--const",
                                                        help="a constant NAME=VALUE (TLA+ syntax) or a substitution "
                                                             "NAME<-DEFINITION; repeatable; overrides #meta")) -> None:
    """Replay a trace against the executable spec (or the models' Python mirrors): ITF as medshare, Apalache or
    Quint write it, or TLC's printout of a counterexample (with --model)."""

    def body() -> dict[str, Any]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from .models.replay import replay_file

        values, subst = _constants(const)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task(f"setting up the {against} (Groth16 keys: made once, then cached)", total=None)

            def on_step(k: int, n: int) -> None:
                progress.update(task, description=f"replaying {file.name} against the {against}", completed=k,
                                total=n)

            report = replay_file(file, against, model=model, constants=values, substitutions=subst,
                                 on_step=on_step)
        summary = {**report.summary(), "file": str(file)}
        if report.ok:
            console.print(f"[green]replayed[/] {file} against the {against}: {report.describe()}")
        else:
            console.print(f"[bold red]TRACE_DIVERGED[/] {file}: {report.describe()}")
            summary["error"] = "TRACE_DIVERGED"
        return summary

    _run("trace replay", json_path, body)


@node_app.command("check")
def node_check(
    db: Path = typer.Argument(..., help="a validator's ledger (SQLite), e.g. kept by `medshare demo --keep DIR`"),
    chain: str = typer.Option("mdc", help="the chain the ledger belongs to: mdc or shc"),
    seed: int = typer.Option(1, help="the demo seed whose deployment the ledger's chain was made with"),
    index: int | None = typer.Option(None, help="the validator index (checks that the snapshot is this node's)"),
    json_path: str | None = JsonOpt,
) -> None:
    """Verify a ledger without opening a node: contiguous heights, parent hashes, every commit certificate,
    the state replayed from genesis, the consensus snapshot. Exit 1 with LEDGER_CORRUPT and the first bad height."""

    def body() -> dict[str, Any]:
        from .reference.chain.ledger import check_ledger
        from .reference.protocol.scenario import demo_chain_config
        from .reference.testbed import get_group
        from .spec.chain.tx import MDC, SHC
        from .spec.errors import fail

        if chain not in ("mdc", "shc"):
            fail("INVALID_ARGUMENT", "--chain is mdc or shc")
        report = check_ledger(db, demo_chain_config(get_group("native"), seed, MDC if chain == "mdc" else SHC),
                              index)
        summary = {**report.to_json(), "file": str(db), "chain": chain}
        if report.ok:
            console.print(f"[green]{report.message()}[/]")
        else:
            console.print(f"[bold red]LEDGER_CORRUPT[/] {db}: {report.message()}")
            summary["error"] = "LEDGER_CORRUPT"
        return summary

    _run("node check", json_path, body)


@trace_app.command("mbt")
def trace_mbt(model: list[str] | None = typer.Argument(None, help="PBFT, Sharing (default: both)"),
              traces: int = typer.Option(200, min=1, help="random behaviours drawn per model"),
              depth: int = typer.Option(30, min=1, help="steps per behaviour at most (TLC's -depth)"),
              seed: int = typer.Option(1, help="TLC's simulation seed"),
              against: str = typer.Option("spec", "--against", help="spec or mirror"),
              json_path: str | None = JsonOpt) -> None:
    """Model-based testing: draw random behaviours with TLC's simulation mode and replay each against the spec."""

    def body() -> dict[str, Any]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from .models import mbt

        results = []
        for name in model or list(mbt.PLANS):
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console, transient=True) as progress:
                task = progress.add_task(f"{name}: TLC draws {traces} behaviours", total=None)

                def on_trace(k: int, n: int, task: Any = task, name: str = name) -> None:
                    progress.update(task, description=f"{name}: replaying against the {against}", completed=k,
                                    total=n)

                r = mbt.run(name, traces=traces, depth=depth, seed=seed, against=against, on_trace=on_trace)
            mark = "[green]agree[/]" if r["ok"] else f"[red]{len(r['diverged'])} diverge[/]"
            console.print(f"{name}: {r['traces']} traces, {r['steps']} steps, {r['distinct_states']} distinct states,"
                          f" longest {r['longest']} ({r['full_depth']} of depth {depth}); TLC {r['tlc_seconds']} s, "
                          f"replay {r['replay_seconds']} s: {mark}")
            for d in r["diverged"][:5]:
                console.print(f"  trace {d['trace']}: step {d['step']} ({d['action']}): {d['reason']}",
                              markup=False, highlight=False)
            results.append(r)
        return {"ok": all(r["ok"] for r in results), "models": results}

    _run("trace mbt", json_path, body)


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
