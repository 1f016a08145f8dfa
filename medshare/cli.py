"""The ``medshare`` command line (docs/design.md §5), in the package face: it imports every room.

Every subcommand exits 0 only on success and takes ``--json FILE`` (``-`` for stdout) to write one object with
at least ``"ok": bool``. Subcommands whose parts are not built yet say so and exit 3.

**The boundary.** Every subcommand runs inside one typed-error boundary, :class:`Boundary` (the click group of
the whole command line, so subcommands and options added later are inside it too). Whatever escapes a command —
a ``MedshareError``, a bad argument, a file that cannot be read or written — becomes one line on stderr,
``medshare COMMAND: CODE message``, the JSON object ``{"ok": false, "command", "error", "message"}`` when
``--json`` was given, and exit status 2 (3 for ``NOT_IMPLEMENTED``); never a traceback. Any other exception is
a bug in medshare: ``INTERNAL`` with the exception's type and place (never its text, which may quote the input)
and exit status 4. ``MEDSHARE_TRACEBACK=1`` shows the traceback instead, for debugging.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from typer.core import TyperGroup

try:  # typer vendors click as typer._click in recent releases and depends on click before
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer
    from click.exceptions import ClickException

from .spec.codec import U64_MAX
from .spec.errors import MedshareError, internal

console = Console(stderr=True)

EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_NOT_BUILT = 3
EXIT_INTERNAL = 4
#: the longest message line the boundary prints (longer ones are cut, with an ellipsis)
MAX_MESSAGE_CHARS = 1000


# The typed-error boundary ------------------------------------------------------------------------------------
def refusal(exc: BaseException) -> tuple[str, str, int]:
    """(code, message, exit status) for an exception that reached the boundary."""
    if isinstance(exc, MedshareError):
        status = {"NOT_IMPLEMENTED": EXIT_NOT_BUILT, "INTERNAL": EXIT_INTERNAL}.get(exc.code, EXIT_ERROR)
        return exc.code, exc.message, status
    if isinstance(exc, ClickException):  # a bad argument or option
        return "INVALID_ARGUMENT", exc.format_message(), EXIT_ERROR
    if isinstance(exc, OSError):  # a file named on the command line: missing, a directory, unreadable, ...
        where = f"{exc.filename}: " if exc.filename is not None else ""
        return "INVALID_ARGUMENT", f"{where}{exc.strerror or type(exc).__name__}", EXIT_ERROR
    err = internal(exc)
    return err.code, err.message, EXIT_INTERNAL


def one_line(message: str) -> str:
    """``message`` on one line of printable characters (control characters escaped), cut to a bounded length."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(message.split("\n")))
    return out if len(out) <= MAX_MESSAGE_CHARS else out[:MAX_MESSAGE_CHARS - 1] + "…"


def refuse(command: str, json_path: str | None, exc: BaseException) -> int:
    """Report ``exc`` as the boundary does (one line, the JSON object) and return the exit status."""
    if os.environ.get("MEDSHARE_TRACEBACK"):
        raise exc
    code, message, status = refusal(exc)
    message = one_line(message)
    who = f"medshare {command}" if command != "medshare" else "medshare"
    console.print(Text.assemble((f"{who}: {code}", "bold red"), " ", message), soft_wrap=True)
    try:
        _emit({"ok": False, "command": command, "error": code, "message": message}, json_path)
    except OSError:
        pass  # the line above is the report; a --json path that cannot be written is named by its own error
    return status


def _command_of(group: typer.core.TyperGroup, argv: Sequence[str]) -> tuple[str, list[str]]:
    """The subcommand path named in ``argv`` (``"vectors generate"``) and the arguments after it."""
    path: list[str] = []
    cmd: Any = group
    rest = list(argv)
    while rest and isinstance(cmd, TyperGroup):
        if rest[0] in cmd.commands:
            cmd = cmd.commands[rest[0]]
            path.append(rest.pop(0))
        elif rest[0].startswith("-"):
            rest.pop(0)
        else:
            break
    return " ".join(path) or "medshare", rest


def _json_of(args: Sequence[str]) -> str | None:
    """The ``--json`` value among ``args``, if any (best effort: the arguments may not have parsed)."""
    for i, a in enumerate(args):
        if a == "--json" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--json="):
            return a[len("--json="):]
    return None


class Boundary(TyperGroup):
    """The click group of the command line, and its one typed-error boundary (see the module docstring)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            status = result if isinstance(result, int) else 0
        except typer.Abort:
            console.print("medshare: aborted", soft_wrap=True)
            status = EXIT_FAILED
        except ClickException as e:
            if type(e).__name__ == "NoArgsIsHelpError":  # the help has been shown: nothing else to say
                status = e.exit_code
            else:
                status = self._refuse(argv, e)
        except Exception as e:  # noqa: BLE001 - the boundary: every exception is typed or reported as INTERNAL
            status = self._refuse(argv, e)
        if standalone_mode:
            sys.exit(status)
        return status

    def _refuse(self, argv: list[str], e: Exception) -> int:
        command, rest = _command_of(self, argv)
        ctx = getattr(e, "ctx", None)
        if ctx is not None and ctx.command_path:
            command = ctx.command_path.removeprefix(ctx.find_root().info_name or "").strip() or command
        return refuse(command, _json_of(rest), e)


app = typer.Typer(add_completion=False, no_args_is_help=True, cls=Boundary,
                  help="medshare: dual-blockchain sharing of Medical-IoT data.")
vectors_app = typer.Typer(no_args_is_help=True, help="Conformance vectors.")
trace_app = typer.Typer(no_args_is_help=True, help="Traces from TLC and ITF.")
node_app = typer.Typer(no_args_is_help=True, help="Validator nodes and their ledgers.")
app.add_typer(vectors_app, name="vectors")
app.add_typer(trace_app, name="trace")
app.add_typer(node_app, name="node")

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
    """Run ``body``; map its summary to the JSON contract and the exit code, and anything it raises through
    the boundary's :func:`refuse`."""
    try:
        summary = body()
        summary.setdefault("command", command)
        _emit(summary, json_path)
    except Exception as e:  # noqa: BLE001 - the boundary's mapping, with this command's name and --json
        raise typer.Exit(refuse(command, json_path, e)) from None
    if not summary.get("ok"):
        raise typer.Exit(EXIT_FAILED)


def _not_built(what: str, issue: int) -> Callable[[], dict[str, Any]]:
    def body() -> dict[str, Any]:
        raise MedshareError("NOT_IMPLEMENTED", f"{what} is not built yet (issue #{issue}); nothing was run")

    return body


@app.command()
def demo(
    seed: int = typer.Option(1, min=0, max=U64_MAX,
                             help="scenario seed, 0 to 2^64 - 1: every key of the demo derives from it (not for "
                                  "production)"),
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
                      f"{summary['invalidShare']:.1%} invalid, into {escape(str(summary['out']))} "
                      f"in {summary['seconds']:.1f} s")
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
            task = progress.add_task(f"setting up the {escape(against)} (Groth16 keys: made once, then cached)",
                                     total=None)

            def on_step(k: int, n: int) -> None:
                progress.update(task, description=f"replaying {escape(file.name)} against the {escape(against)}",
                                completed=k, total=n)

            report = replay_file(file, against, model=model, constants=values, substitutions=subst,
                                 on_step=on_step)
        summary = {**report.summary(), "file": str(file)}
        if report.ok:
            console.print(f"[green]replayed[/] {escape(str(file))} against the {escape(against)}: "
                          f"{escape(report.describe())}")
        else:
            console.print(f"[bold red]TRACE_DIVERGED[/] {escape(str(file))}: {escape(report.describe())}")
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
        if not db.is_file():  # before the deployment's keys are derived, which takes seconds
            fail("INVALID_ARGUMENT", f"no ledger file at {db}")
        report = check_ledger(db, demo_chain_config(get_group("native"), seed, MDC if chain == "mdc" else SHC),
                              index)
        summary = {**report.to_json(), "file": str(db), "chain": chain}
        if report.ok:
            console.print(f"[green]{escape(report.message())}[/]")
        else:
            console.print(f"[bold red]LEDGER_CORRUPT[/] {escape(str(db))}: {escape(report.message())}")
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
                task = progress.add_task(f"{escape(name)}: TLC draws {traces} behaviours", total=None)

                def on_trace(k: int, n: int, task: Any = task, name: str = name) -> None:
                    progress.update(task, description=f"{escape(name)}: replaying against the {escape(against)}",
                                    completed=k, total=n)

                r = mbt.run(name, traces=traces, depth=depth, seed=seed, against=against, on_trace=on_trace)
            mark = "[green]agree[/]" if r["ok"] else f"[red]{len(r['diverged'])} diverge[/]"
            console.print(f"{escape(name)}: {r['traces']} traces, {r['steps']} steps, "
                          f"{r['distinct_states']} distinct states, longest {r['longest']} "
                          f"({r['full_depth']} of depth {depth}); TLC {r['tlc_seconds']} s, "
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
    app()  # Boundary.main: exits with the status, never with a traceback


if __name__ == "__main__":
    main()
