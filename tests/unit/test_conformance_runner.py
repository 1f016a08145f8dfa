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
from medshare.conformance.runner import html_report, judge, load_suite, markdown_report, run_suite, summarize
from medshare.conformance.vectorfile import canonical_json
from typer.testing import CliRunner

from medshare import SPEC_VERSION
from medshare.cli import app

BROKEN = r'''
import json, os, sys, time
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "hello":
        out = {"id": req["id"], "ok": True, "output": {"ops": ["test.broken.echo"], "specVersion": "medshare-spec-0.1"}}
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


def _test(tc: int, inp: dict[str, Any], *, error: str | None = None) -> dict[str, Any]:
    t: dict[str, Any] = {"tcId": tc, "comment": json.dumps(inp), "input": inp, "flags": ["Broken"] if error else []}
    if error:
        t.update(result="invalid", error=error)
    else:
        t.update(result="valid", output={"v": inp.get("v")})
    return t


def _file(component: str, operation: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schema": "medshare/v1/vectors", "specVersion": SPEC_VERSION, "component": component,
            "operation": operation, "numberOfTests": len(tests), "notes": NOTES,
            "testGroups": [{"params": {}, "tests": tests}]}


@pytest.fixture
def broken(tmp_path: Path) -> tuple[list[str], Path]:
    script = tmp_path / "broken_adapter.py"
    script.write_text(BROKEN)
    suite = tmp_path / "suite"
    inputs = [{"v": 1}, {"v": 2}, {"v": 3, "do": "crash"}, {"v": 4}, {"v": 5, "do": "garbage"}, {"v": 6},
              {"v": 7, "do": "hang"}, {"v": 8}, {"v": 9, "do": "wrong"}]
    tests = [_test(i + 1, inp) for i, inp in enumerate(inputs)]
    tests.append(_test(len(tests) + 1, {"v": 10, "fail": "BAD_JSON"}, error="BAD_JSON"))
    tests.append(_test(len(tests) + 1, {"v": 11, "fail": "BAD_HEX"}, error="BAD_JSON"))
    for component, op, ts in (("test.broken", "echo", tests), ("test.other", "missing", [_test(1, {"v": 0})])):
        (suite / component).mkdir(parents=True)
        (suite / component / f"{op}.json").write_bytes(canonical_json(_file(component, op, ts)))
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
    from medshare.spec.errors import MedshareError

    _, suite = broken
    script = tmp_path / "silent.py"
    script.write_text("import sys\nprint('garbage', flush=True)\nsys.exit(0)\n")
    t0 = time.monotonic()
    with pytest.raises(MedshareError) as err:  # the run stops at once: no test is sent
        run_suite(load_suite(suite), [sys.executable, str(script)], timeout=1.0)
    assert err.value.code == "ADAPTER_PROTOCOL" and "hello reply is not JSON: 'garbage'" in err.value.message
    assert time.monotonic() - t0 < 5


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
    from medshare.spec.errors import fail

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
        print(json.dumps({"id": req["id"], "ok": True, "output": {"ops": ["test.ledger.apply"],
                                                                  "specVersion": "medshare-spec-0.1"}}), flush=True)
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


def test_trace_files_run_step_by_step(tmp_path: Path) -> None:
    script = tmp_path / "ledger.py"
    script.write_text(LEDGER)

    def step(key: str, result: str, *, root: str | None = None, error: str | None = None) -> dict[str, Any]:
        expect: dict[str, Any] = {"result": result}
        if root:
            expect["stateRoot"] = root
        if error:
            expect["error"] = error
        return {"action": "put", "args": {"key": key}, "expect": expect}

    traces = [
        {"tcId": 1, "comment": "a, b, a again", "origin": "hand-written", "initial": {"keys": []},
         "flags": ["Broken"], "steps": [step("a", "valid", root="0x01"), step("b", "valid", root="0x02"),
                                        step("a", "invalid", error="TX_DUPLICATE")]},
        {"tcId": 2, "comment": "a key already in the initial state", "origin": "hypothesis",
         "initial": {"keys": ["k"]}, "flags": ["Broken"], "steps": [step("k", "invalid", error="TX_DUPLICATE")]},
        {"tcId": 3, "comment": "a wrong expectation: the trace must fail", "origin": "tlc", "initial": {"keys": []},
         "flags": [], "steps": [step("a", "valid", root="0x01"), step("a", "valid")]},
    ]
    doc = {"schema": "medshare/v1/traces", "specVersion": SPEC_VERSION, "component": "test.ledger",
           "operation": "apply", "numberOfTests": 3, "notes": NOTES, "testGroups": [{"params": {}, "tests": traces}]}
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
