"""The runner against a deliberately broken adapter: garbage output, a crash mid-run, a hang, unsupported ops.

The run must finish, record each misbehaviour against the test that caused it, restart the adapter and carry on.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from medshare.conformance import adapter
from medshare.conformance.builder import VectorFileBuilder
from medshare.conformance.runner import html_report, judge, load_suite, markdown_report, run_suite, summarize
from medshare.conformance.vectorfile import canonical_json
from medshare.spec.errors import fail
from typer.testing import CliRunner

from medshare.cli import app

BROKEN = r'''
import json, os, sys, time
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "hello":
        out = {"id": req["id"], "ok": True, "output": {"ops": ["test.broken.echo"]}}
    else:
        do = req["input"].get("do")
        if do == "garbage":
            print("this is not a protocol reply", flush=True)
            continue
        if do == "crash":
            os._exit(3)
        if do == "hang":
            time.sleep(3600)
        if do == "wrong":
            out = {"id": req["id"], "ok": True, "output": {"v": "something else"}}
        elif "fail" in req["input"]:
            out = {"id": req["id"], "ok": False, "error": req["input"]["fail"]}
        else:
            out = {"id": req["id"], "ok": True, "output": {"v": req["input"]["v"]}}
    print(json.dumps(out), flush=True)
'''

NOTES = {"Broken": {"bugType": "EDGE_CASE", "description": "adapter misbehaviour", "specRef": "spec/errors.md"}}


def _echo(inp: dict[str, Any]) -> dict[str, Any]:
    """test.broken.echo as a correct adapter answers it: the input's ``v``, or BAD_JSON when told to fail."""
    if "fail" in inp:
        fail("BAD_JSON", "told to fail")
    return {"v": inp["v"]}


@pytest.fixture
def broken(tmp_path: Path) -> tuple[list[str], Path]:
    script = tmp_path / "broken_adapter.py"
    script.write_text(BROKEN)
    suite = tmp_path / "suite"
    echo = VectorFileBuilder("test.broken.echo", NOTES, _echo)
    for inp in ({"v": 1}, {"v": 2}, {"v": 3, "do": "crash"}, {"v": 4}, {"v": 5, "do": "garbage"}, {"v": 6},
                {"v": 7, "do": "hang"}, {"v": 8}, {"v": 9, "do": "wrong"}):
        echo.valid(json.dumps(inp), inp)
    for inp in ({"v": 10, "fail": "BAD_JSON"}, {"v": 11, "fail": "BAD_HEX"}):  # the adapter answers v 11 with BAD_HEX
        echo.invalid(json.dumps(inp), inp, "BAD_JSON", ["Broken"])
    other = VectorFileBuilder("test.other.missing", NOTES, _echo)
    other.valid(json.dumps({"v": 0}), {"v": 0})
    for doc in (echo.build(), other.build()):
        (suite / doc["component"]).mkdir(parents=True)
        (suite / doc["component"] / f"{doc['operation']}.json").write_bytes(canonical_json(doc))
    return [sys.executable, str(script)], suite


def test_broken_adapter_is_recorded_restarted_and_the_run_goes_on(broken: tuple[list[str], Path]) -> None:
    command, suite = broken
    cases = load_suite(suite)
    t0 = time.monotonic()
    run = run_suite(cases, command, timeout=1.5, window=4)
    assert time.monotonic() - t0 < 30
    by_v = {o.case.request.get("v"): o for o in run.outcomes}
    assert by_v[3].status == "failed" and by_v[3].error == "ADAPTER_CRASHED"
    assert by_v[5].status == "failed" and by_v[5].error == "ADAPTER_PROTOCOL"
    assert by_v[7].status == "failed" and by_v[7].error == "ADAPTER_TIMEOUT"
    assert by_v[9].status == "failed" and "output differs" in by_v[9].reason
    assert by_v[11].status == "failed" and by_v[11].error == "BAD_HEX"
    for v in (1, 2, 4, 6, 8, 10):  # the tests around each misbehaviour still ran and passed
        assert by_v[v].status == "passed", (v, by_v[v].reason)
    assert by_v[0].status == "skipped"  # an op the adapter does not list: skipped, not passed
    assert run.restarts == 3
    summary = summarize(run, None)
    assert (summary["total"], summary["passed"], summary["failed"], summary["skipped"]) == (12, 6, 5, 1)
    assert summary["adapterErrors"]["ADAPTER_CRASHED"] == 1
    assert summary["adapterErrors"]["ADAPTER_TIMEOUT"] == 1
    assert summary["adapterErrors"]["ADAPTER_PROTOCOL"] == 1
    assert not summary["ok"]
    assert "ADAPTER_TIMEOUT" in json.dumps(summary["failures"])
    assert "test.broken/echo.json#7" in markdown_report(summary)
    assert "<table>" in html_report(summary)


def test_adapter_that_never_answers_hello(tmp_path: Path, broken: tuple[list[str], Path]) -> None:
    _, suite = broken
    script = tmp_path / "silent.py"
    script.write_text("import sys\nprint('garbage', flush=True)\nsys.exit(0)\n")
    run = run_suite(load_suite(suite), [sys.executable, str(script)], timeout=1.0)
    assert run.count("passed") == 0
    assert run.count("failed") == 12  # every test fails (crashed adapter), none silently passes
    assert {o.error for o in run.failed} == {"ADAPTER_PROTOCOL"}  # each restart answers garbage first
    assert run.adapter_events[0]["event"] == "hello-failed"


def test_cli_conform_reports_and_exits_non_zero(tmp_path: Path, broken: tuple[list[str], Path]) -> None:
    command, suite = broken
    report, summary = tmp_path / "report.md", tmp_path / "summary.json"
    result = CliRunner().invoke(app, ["conform", "--impl", " ".join(command), "--suite", str(suite), "--timeout",
                                      "1.5", "--report", str(report), "--json", str(summary)])
    assert result.exit_code == 1
    data = json.loads(summary.read_text())
    assert data["ok"] is False and data["failed"] == 5 and data["passed"] == 6
    assert data["mutants"] == {"total": 0, "killed": 0, "score": None, "results": []}
    assert "ADAPTER_CRASHED" in report.read_text()


def test_judge_requires_exact_error_and_output() -> None:
    from medshare.conformance.runner import Case

    def case(expect: dict[str, Any]) -> Case:
        return Case("f", "c.d", "c.d.e", 1, "", "vector", {}, expect, [], [], expect["result"] == "invalid")

    assert judge(case({"result": "valid", "output": {"a": 1}}), {"ok": True, "output": {"a": 1}})[0]
    assert not judge(case({"result": "valid", "output": {"a": 1}}), {"ok": True, "output": {"a": 2}})[0]
    assert not judge(case({"result": "valid", "output": {"a": 1}}), {"ok": False, "error": "X"})[0]
    assert judge(case({"result": "invalid", "error": "BAD_HEX"}), {"ok": False, "error": "BAD_HEX"})[0]
    assert not judge(case({"result": "invalid", "error": "BAD_HEX"}), {"ok": False, "error": "BAD_JSON"})[0]
    assert not judge(case({"result": "invalid", "error": "BAD_HEX"}), {"ok": True, "output": {}})[0]
    assert judge(case({"result": "acceptable"}), {"ok": False, "error": "ANY"})[0]


def test_trace_judging() -> None:
    from medshare.conformance.runner import Case

    steps = [{"result": "valid", "stateRoot": "0xaa"}, {"result": "invalid", "error": "TX_DUPLICATE"}]
    c = Case("f", "chain.x", "chain.x.apply", 1, "", "trace", {}, {"steps": steps}, ["F"], ["B"], True)
    good = {"ok": True, "output": {"steps": [{"result": "valid", "stateRoot": "0xaa"},
                                             {"result": "invalid", "error": "TX_DUPLICATE"}]}}
    assert judge(c, good)[0]
    bad_root = json.loads(json.dumps(good))
    bad_root["output"]["steps"][0]["stateRoot"] = "0xab"
    assert not judge(c, bad_root)[0]
    bad_code = json.loads(json.dumps(good))
    bad_code["output"]["steps"][1]["error"] = "TX_MALFORMED"
    assert not judge(c, bad_code)[0]
    assert not judge(c, {"ok": True, "output": {"steps": good["output"]["steps"][:1]}})[0]


def test_reference_adapter_maps_exceptions() -> None:
    def typed(_: dict[str, Any]) -> dict[str, Any]:
        fail("BAD_HEX")

    def buggy(_: dict[str, Any]) -> dict[str, Any]:
        raise ZeroDivisionError("boom")

    ops = {"a.b.typed": typed, "a.b.buggy": buggy}
    assert adapter.answer(ops, {"id": 1, "op": "a.b.typed", "input": {}}, "t") == {"id": 1, "ok": False,
                                                                                  "error": "BAD_HEX"}
    assert adapter.answer(ops, {"id": 2, "op": "a.b.buggy", "input": {}}, "t")["error"] == "INTERNAL"
    assert adapter.answer(ops, {"id": 3, "op": "a.b.none", "input": {}}, "t")["error"] == "UNSUPPORTED_OP"
    assert adapter.answer(ops, {"id": 4, "op": "hello"}, "t")["output"]["ops"] == ["a.b.buggy", "a.b.typed"]
    assert adapter.answer(ops, [1, 2], "t")["error"] == "ADAPTER_PROTOCOL"


def test_stop_after_first_failure(broken: tuple[list[str], Path]) -> None:
    command, suite = broken
    run = run_suite(load_suite(suite), command, timeout=1.5, window=2, stop_after=1)
    assert run.count("failed") == 1 and run.failed[0].error == "ADAPTER_CRASHED"
    assert run.count("passed") >= 2 and run.count("passed") + run.count("skipped") == 11


LEDGER = r'''
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "hello":
        print(json.dumps({"id": req["id"], "ok": True, "output": {"ops": ["test.ledger.apply"]}}), flush=True)
        continue
    seen, steps = set(req["input"]["initial"]["keys"]), []
    for s in req["input"]["steps"]:
        key = s["args"]["key"]
        if key in seen:
            steps.append({"result": "invalid", "error": "TX_DUPLICATE"})
        else:
            seen.add(key)
            steps.append({"result": "valid", "stateRoot": "0x%02x" % len(seen)})
    print(json.dumps({"id": req["id"], "ok": True, "output": {"steps": steps}}), flush=True)
'''


def _ledger(inp: dict[str, Any]) -> dict[str, Any]:
    """test.ledger.apply as LEDGER answers it: a key already put is a duplicate; the root counts the keys."""
    keys: set[str] = set(inp["initial"]["keys"])
    out = []
    for step in inp["steps"]:
        if step["args"]["key"] in keys:
            out.append({"result": "invalid", "error": "TX_DUPLICATE"})
            continue
        keys.add(step["args"]["key"])
        out.append({"result": "valid", "stateRoot": f"0x{len(keys):02x}"})
    return {"steps": out}


def test_trace_files_run_step_by_step(tmp_path: Path) -> None:
    script = tmp_path / "ledger.py"
    script.write_text(LEDGER)

    def put(key: str, error: str | None = None) -> tuple[str, dict[str, Any], str | None, str]:
        return "put", {"key": key}, error, "Broken"

    b = VectorFileBuilder("test.ledger.apply", NOTES, _ledger)
    b.trace("a, b, a again", {"keys": []}, [put("a"), put("b"), put("a", "TX_DUPLICATE")])
    b.trace("a key already in the initial state", {"keys": ["k"]}, [put("k", "TX_DUPLICATE")], origin="hypothesis")
    b.trace("a wrong expectation: the trace must fail", {"keys": []}, [put("a"), put("a", "TX_DUPLICATE")],
            origin="tlc")
    doc = b.build()
    doc["testGroups"][0]["tests"][2]["steps"][1]["expect"] = {"result": "valid"}  # the wrong expectation
    (tmp_path / "suite" / "test.ledger").mkdir(parents=True)
    (tmp_path / "suite" / "test.ledger" / "apply.json").write_bytes(canonical_json(doc))
    cases = load_suite(tmp_path / "suite")
    assert [c.kind for c in cases] == ["trace"] * 3 and [c.invalid for c in cases] == [True, True, False]
    run = run_suite(cases, [sys.executable, str(script)], timeout=5)
    assert [o.status for o in run.outcomes] == ["passed", "passed", "failed"]
    assert "step 1" in run.outcomes[2].reason


def test_adapter_that_cannot_start_is_a_typed_error(broken: tuple[list[str], Path], tmp_path: Path) -> None:
    _, suite = broken
    path = tmp_path / "s.json"
    result = CliRunner().invoke(app, ["conform", "--impl", str(tmp_path / "no-such-adapter"), "--suite", str(suite),
                                      "--json", str(path)])
    assert result.exit_code == 2
    assert json.loads(path.read_text())["error"] == "INVALID_ARGUMENT"


def test_only_selects_ops_and_their_mutants(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    result = CliRunner().invoke(app, ["conform", "--only", "group.zr", "--json", str(path)])
    data = json.loads(path.read_text())
    assert result.exit_code == 0 and data["ok"] and data["total"] == data["passed"] > 0
    assert list(data["components"]) == ["group.zr"]
    assert {r["name"] for r in data["mutants"]["results"]} == {"group_scalar_mod_r", "group_zr_little_endian"}
    bad = CliRunner().invoke(app, ["conform", "--only", "nothing.here", "--no-mutants"])
    assert bad.exit_code == 2
