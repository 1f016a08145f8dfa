"""The runner against hostile adapters and hostile options: every case ends in a typed error (exit 2) or a clear
verdict on the test concerned, never a traceback, and the run goes on where it can.

The hostile adapter is the reference adapter with one misbehaviour, done once per run (a marker file), on the
first test it is sent; the suite is the committed ``group.zr/decode.json`` (25 tests, with a contract).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from medshare.conformance.generate import DEFAULT_DIR
from medshare.conformance.runner import Outcome, load_suite, run_suite, summarize
from medshare.spec.errors import MedshareError
from typer.testing import CliRunner

from medshare.cli import app

HOSTILE = r'''
import json, os, sys
from medshare.conformance import adapter

mode, marker = sys.argv[1], sys.argv[2]
ops = adapter.load_handlers()
out = sys.stdout


def say(obj):
    out.write(json.dumps(obj) + "\n")
    out.flush()


def once():
    if os.path.exists(marker):
        return False
    open(marker, "w").close()
    return True


for line in sys.stdin:
    req = json.loads(line)
    reply = adapter.answer(ops, req, "hostile")
    if req["op"] == "hello":
        hello = reply["output"]
        if mode == "hello-ops-object":
            hello["ops"] = ["group.zr.decode", {"op": "group.gt.decode"}]
        elif mode == "hello-version":
            hello["specVersion"] = "medshare-spec-9.9"
        elif mode == "hello-no-version":
            del hello["specVersion"]
        elif mode == "hello-error":
            reply = {"id": 0, "ok": False, "error": "NOT_READY"}
        elif mode == "hello-silent":
            continue
        elif mode == "hello-banner":
            out.write("listening on stdin\n")
        elif mode == "partial":
            hello["ops"] = ["group.zr.decode", "group.gt.decode"]
        elif mode == "none":
            hello["ops"] = ["group.nothing.here"]
        say(reply)
        continue
    if mode == "unsupported" or not once():
        if mode == "unsupported":
            reply = {"id": req["id"], "ok": False, "error": "UNSUPPORTED_OP"}
        say(reply)
        continue
    if mode == "id-list":
        reply["id"] = [reply["id"]]
    elif mode == "id-bool":
        reply["id"] = True
    elif mode == "output-string":
        reply = {"id": req["id"], "ok": True, "output": "0x00"}
    elif mode == "output-schema":
        reply = {"id": req["id"], "ok": True, "output": {"scalar": 5}}
    elif mode == "error-list":
        reply = {"id": req["id"], "ok": False, "error": ["BAD_HEX"]}
    elif mode == "huge":
        chunk = b"x" * (1 << 20)
        try:
            for _ in range(1024):  # 1 GiB on one line
                out.buffer.write(chunk)
            out.buffer.flush()
        except BrokenPipeError:
            pass
        sys.exit(0)
    elif mode == "deep":
        out.write("[" * 200000 + "]" * 200000 + "\n")
        out.flush()
        continue
    elif mode == "inf":
        out.write('{"id": %d, "ok": true, "output": {"scalar": 1e400}}\n' % req["id"])
        out.flush()
        continue
    elif mode == "nan":
        out.write('{"id": %d, "ok": true, "output": {"scalar": NaN}}\n' % req["id"])
        out.flush()
        continue
    elif mode == "not-an-object":
        out.write("[1, 2, 3]\n")
        out.flush()
        continue
    elif mode == "markup":
        out.write("[/] [bold red]not a reply[/bold red]\n")
        out.flush()
        continue
    say(reply)
'''


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("suite")
    for rel in ("group.zr/decode.json", "group.gt/decode.json"):
        (root / rel).parent.mkdir(parents=True)
        shutil.copy(DEFAULT_DIR / rel, root / rel)
    return root


@pytest.fixture
def hostile(tmp_path: Path) -> Any:
    script = tmp_path / "hostile.py"
    script.write_text(HOSTILE)

    def command(mode: str) -> list[str]:
        return [sys.executable, str(script), mode, str(tmp_path / "marker")]

    return command


def _zr(suite: Path) -> list[Any]:
    return [c for c in load_suite(suite) if c.op == "group.zr.decode"]


def _run(suite: Path, command: list[str], **kw: Any) -> tuple[list[Outcome], Any]:
    run = run_suite(_zr(suite), command, timeout=20, window=4, **kw)
    return run.outcomes, run


# Replies ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode, restarts, needle", [
    ("id-list", 1, "a reply with id [1], which is no request in flight"),
    ("id-bool", 1, "a reply with id true, which is no request in flight"),
    ("output-string", 0, "malformed reply: output is a string, not an object"),
    ("output-schema", 0, "malformed reply: output breaks the contract of group.zr.decode: scalar"),
    ("error-list", 0, "malformed reply: error is not an error code"),
    ("deep", 1, "nested 200000 deep, more than 64"),
    ("inf", 1, "not a protocol reply: not JSON"),
    ("nan", 1, "not a protocol reply: not JSON"),
    ("not-an-object", 1, "not a reply object with a boolean ok"),
])
def test_a_malformed_reply_fails_its_test_and_the_run_goes_on(suite: Path, hostile: Any, mode: str, restarts: int,
                                                                 needle: str) -> None:
    outcomes, run = _run(suite, hostile(mode))
    failed = [o for o in outcomes if o.status == "failed"]
    assert len(failed) == 1 and failed[0].error == "ADAPTER_PROTOCOL", [(o.reason, o.error) for o in failed]
    assert needle in failed[0].reason
    assert run.restarts == restarts
    assert sum(o.status == "passed" for o in outcomes) == len(outcomes) - 1


def test_a_one_gigabyte_reply_line_is_cut_off_in_constant_memory(suite: Path, hostile: Any) -> None:
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        outcomes, run = _run(suite, hostile("huge"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - t0 < 60
    failed = [o for o in outcomes if o.status == "failed"]
    assert len(failed) == 1 and "a reply line longer than 1048576 bytes" in failed[0].reason
    assert run.restarts == 1 and sum(o.status == "passed" for o in outcomes) == len(outcomes) - 1
    assert peak < 32 << 20, f"peak {peak / 2**20:.0f} MiB while reading the reply"


def test_a_listed_op_answered_unsupported_fails(suite: Path, hostile: Any) -> None:
    outcomes, _ = _run(suite, hostile("unsupported"))
    assert {o.status for o in outcomes} == {"failed"}
    assert "lists this op in its hello but answered UNSUPPORTED_OP" in outcomes[0].reason


# The handshake ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode, code, needle", [
    ("hello-ops-object", "ADAPTER_PROTOCOL", 'has ops[1] = {"op": "group.gt.decode"}, not an op name'),
    ("hello-version", "ADAPTER_PROTOCOL", 'names spec version "medshare-spec-9.9", which this runner does not know'),
    ("hello-no-version", "ADAPTER_PROTOCOL", "names no specVersion"),
    ("hello-error", "ADAPTER_PROTOCOL", "is an error: NOT_READY"),
    ("hello-banner", "ADAPTER_PROTOCOL", "is not JSON: 'listening on stdin'"),
    ("hello-silent", "ADAPTER_TIMEOUT", "did not answer hello within 2 s"),
])
def test_a_failed_hello_stops_the_run_at_once(suite: Path, hostile: Any, mode: str, code: str, needle: str) -> None:
    with pytest.raises(MedshareError) as err:
        # a generous timeout where the adapter does answer, so a loaded machine cannot turn it into a timeout
        run_suite(_zr(suite), hostile(mode), timeout=2 if mode == "hello-silent" else 60)
    assert err.value.code == code and needle in err.value.message, err.value.message


def _cli(args: list[str], tmp_path: Path) -> tuple[Any, dict[str, Any] | None]:
    out = tmp_path / "summary.json"
    result = CliRunner().invoke(app, ["conform", *args, "--json", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result, json.loads(out.read_text()) if out.exists() else None


def test_an_adapter_that_exits_at_once_stops_the_run_with_one_message(suite: Path, tmp_path: Path) -> None:
    result, data = _cli(["--impl", "true", "--suite", str(suite)], tmp_path)
    assert result.exit_code == 2 and data is not None
    assert data["error"] == "ADAPTER_CRASHED" and "exited before answering hello" in data["message"]
    assert "conformance:" not in result.output and len(result.output.splitlines()) <= 3


# Options ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, needle", [
    (["--timeout", "nan"], "--timeout must be a number of seconds"),
    (["--timeout", "-1"], "--timeout must be a number of seconds"),
    (["--timeout", "inf"], "--timeout must be a number of seconds"),
    (["--timeout", "0"], "--timeout must be a number of seconds"),
    (["--impl", 'node "adapter.js'], "cannot split the command line: No closing quotation"),
    (["--impl", ""], "--impl is empty"),
    (["--report", "missing-dir/r.md"], "the directory missing-dir does not exist"),
    (["--report", "r.txt"], "use a .md, .html, .htm, .json file"),
    (["--only", " , "], "--only names no op prefix"),
    (["--suite", "no-such-suite"], "not a directory"),
])
def test_bad_options_are_refused_before_anything_runs(args: list[str], needle: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    t0 = time.monotonic()
    result, data = _cli([*args, "--no-mutants"], tmp_path)
    assert result.exit_code == 2 and data is not None
    assert data["error"] == "INVALID_ARGUMENT" and needle in data["message"], data["message"]
    assert time.monotonic() - t0 < 20


def test_json_into_a_missing_directory_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["conform", "--no-mutants", "--json", str(tmp_path / "no" / "s.json")])
    assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())  # rich may wrap the message in a box
    assert "does not exist" in words and not (tmp_path / "no").exists()


def test_hostile_vector_files_are_typed_errors(tmp_path: Path) -> None:
    for name, text in (("deep", "[" * 100000 + "]" * 100000), ("binary", "\udcff"), ("empty", "")):
        root = tmp_path / name / "suite"
        (root / "x.y").mkdir(parents=True)
        (root / "x.y" / "z.json").write_bytes(text.encode("utf-8", "surrogateescape"))
        with pytest.raises(MedshareError) as err:
            load_suite(root)
        assert err.value.code == "VECTOR_SCHEMA_INVALID"


def test_adapter_text_in_the_terminal_report_is_not_markup(suite: Path, hostile: Any, tmp_path: Path) -> None:
    command = " ".join(hostile("markup"))
    result, data = _cli(["--impl", command, "--suite", str(suite), "--only", "group.zr", "--report",
                         str(tmp_path / "r.html")], tmp_path)
    assert result.exit_code == 1 and data is not None and data["failed"] == 1
    assert "[/] [bold red]not a reply" in data["failures"][0]["reason"]
    assert "&lt;" not in data["failures"][0]["reason"] and (tmp_path / "r.html").exists()


# Verdicts -----------------------------------------------------------------------------------------------------------
def test_partial_adapter_fails_by_default_and_passes_with_allow_partial(suite: Path, hostile: Any,
                                                                       tmp_path: Path) -> None:
    impl = " ".join(hostile("partial"))
    result, data = _cli(["--impl", impl, "--suite", str(suite), "--only", "group.zr"], tmp_path)
    assert result.exit_code == 0 and data and data["verdict"] == "pass"  # the selection is fully answered
    (suite / "group.g1").mkdir(exist_ok=True)
    shutil.copy(DEFAULT_DIR / "group.g1/add.json", suite / "group.g1/add.json")
    try:
        result, data = _cli(["--impl", impl, "--suite", str(suite)], tmp_path)
        assert result.exit_code == 1 and data and data["verdict"] == "incomplete" and not data["ok"]
        assert "--allow-partial" in result.output
        cov = data["coverage"]
        assert cov["answered"] == 25 + 28 and cov["total"] == 25 + 28 + 18
        assert cov["complete"] == ["group.gt", "group.zr"] and cov["missing"] == ["group.g1"]
        assert data["components"]["group.g1"]["status"] == "missing"
        assert data["components"]["group.zr"]["coverage"] == 1.0
        result, data = _cli(["--impl", impl, "--suite", str(suite), "--allow-partial"], tmp_path)
        assert result.exit_code == 0 and data and data["verdict"] == "partial" and data["ok"]
        assert data["coverage"]["ratio"] == round(53 / 71, 4) and data["specVersion"] == "medshare-spec-0.1"
    finally:
        shutil.rmtree(suite / "group.g1")


def test_an_adapter_that_answers_nothing_is_never_ok(suite: Path, hostile: Any, tmp_path: Path) -> None:
    impl = " ".join(hostile("none"))
    for extra in ([], ["--allow-partial"]):
        result, data = _cli(["--impl", impl, "--suite", str(suite), *extra], tmp_path)
        assert result.exit_code == 1 and data and data["verdict"] == "none" and not data["ok"]
        assert data["coverage"]["answered"] == 0 and data["skipped"] == data["total"]


def test_verdict_is_fail_when_an_answered_test_fails_even_if_partial(suite: Path, hostile: Any) -> None:
    run = run_suite(load_suite(suite), hostile("output-string"), timeout=20)
    summary = summarize(run, None, allow_partial=True)
    assert summary["verdict"] == "fail" and not summary["ok"]
