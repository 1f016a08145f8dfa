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
app.add_typer(vectors_app, name="vectors")
app.add_typer(trace_app, name="trace")

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
    seed: int = typer.Option(1, min=0, max=U64_MAX, help="scenario seed, 0 to 2^64 - 1"),
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
    app()  # Boundary.main: exits with the status, never with a traceback


if __name__ == "__main__":
    main()
