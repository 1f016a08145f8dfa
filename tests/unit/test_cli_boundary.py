"""The command line's typed-error boundary (docs/design.md §5): bad input is one line and exit 2, never a
traceback; a bug is INTERNAL (exit 4) with its type and place, never its text; the JSON contract holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from medshare import cli
from medshare.cli import app

runner = CliRunner()


def _refused(args: list[str], tmp_path: Path, code: str, status: int = 2) -> dict[str, object]:
    """Run ``args`` with ``--json``; check the status, the single stderr line and the JSON object."""
    out = tmp_path / "out.json"
    result = runner.invoke(app, [*args, "--json", str(out)])
    assert result.exit_code == status, (args, result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert f": {code} " in lines[0]
    summary = json.loads(out.read_text())
    assert summary["ok"] is False and summary["error"] == code and summary["message"]
    return summary


@pytest.mark.parametrize("args", [
    ["demo", "--seed", str(10 ** 22)],
    ["demo", "--seed", "-1"],
    ["demo", "--seed", "ten"],
    ["check", "--workers", "0"],
    ["bench", "--only", "nope"],
    ["verify", "--stage", "nope"],
    ["conform", "--timeout", "soon"],
])
def test_bad_arguments_are_one_line_and_exit_2(args: list[str], tmp_path: Path) -> None:
    summary = _refused(args, tmp_path, "INVALID_ARGUMENT")
    assert summary["command"] == args[0]


def test_bad_files_are_typed(tmp_path: Path) -> None:
    a_file = tmp_path / "plain"
    a_file.write_text("x")
    _refused(["vectors", "generate", "--out", str(a_file / "sub")], tmp_path, "INVALID_ARGUMENT")
    _refused(["conform", "--suite", str(tmp_path / "missing")], tmp_path, "INVALID_ARGUMENT")
    summary = _refused(["trace", "replay", str(tmp_path)], tmp_path, "TRACE_MALFORMED")
    assert summary["command"] == "trace replay"


def test_paths_with_markup_are_printed_as_text(tmp_path: Path) -> None:
    out = tmp_path / "[/red]out"
    result = runner.invoke(app, ["trace", "mbt", "[/x]", "--traces", "1"])
    assert result.exit_code == 2 and "MODEL_UNKNOWN" in result.stderr, result.output
    result = runner.invoke(app, ["node", "check", str(out)])
    assert result.exit_code == 2 and "[/red]out" in result.stderr, result.output


def test_unknown_command_and_option(tmp_path: Path) -> None:
    for args in (["nope"], ["demo", "--no-such-option"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.output
        assert "INVALID_ARGUMENT" in result.stderr


def test_no_arguments_shows_the_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 2 and "Commands" in result.output


def test_json_to_an_unwritable_path_is_typed(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "--only", "nope", "--json", str(tmp_path / "no" / "dir.json")])
    assert result.exit_code == 2 and "INVALID_ARGUMENT" in result.stderr and "Traceback" not in result.output


@pytest.fixture
def buggy_command() -> Iterator[str]:
    """A subcommand added after the boundary was written, whose body has a bug quoting its input."""

    def boom(value: str = typer.Option("0x00112233445566778899", help="a secret"),
             json_path: str | None = cli.JsonOpt) -> None:
        cli._run("boom", json_path, lambda: {"ok": True, "x": int(value)})

    def naked(value: str = typer.Option("0x00112233445566778899"), json_path: str | None = cli.JsonOpt) -> None:
        raise ValueError(f"cannot use {value}")  # outside _run: only the group boundary stands

    app.command("boom")(boom)
    app.command("naked")(naked)
    yield "boom"
    app.registered_commands[:] = [c for c in app.registered_commands if c.name not in ("boom", "naked")]


@pytest.mark.usefixtures("buggy_command")
@pytest.mark.parametrize("name", ["boom", "naked"])
def test_a_bug_is_internal_without_its_text(name: str, tmp_path: Path) -> None:
    summary = _refused([name], tmp_path, "INTERNAL", status=cli.EXIT_INTERNAL)
    message = str(summary["message"])
    assert message.startswith("ValueError at unit/test_cli_boundary.py:"), message
    assert "0011223344" not in message and "0011223344" not in runner.invoke(app, [name]).output


@pytest.mark.usefixtures("buggy_command")
def test_traceback_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDSHARE_TRACEBACK", "1")
    result = runner.invoke(app, ["naked"])
    assert isinstance(result.exception, ValueError)


def test_messages_are_one_printable_line() -> None:
    assert cli.one_line("a\nb\x1b[31m\tc") == "a b\\x1b[31m\\tc"
    assert len(cli.one_line("x" * 5000)) == cli.MAX_MESSAGE_CHARS
