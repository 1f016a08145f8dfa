"""Replay of the committed TLC traces (models/traces/) against the Python models, and of corrupted ones."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from medshare.models.replay import TRACES_DIR, WITNESS_TRACES, load_trace, register, replay, replay_file
from medshare.reference.cli import app
from medshare.spec.errors import MedshareError
from typer.testing import CliRunner

TRACES = sorted(WITNESS_TRACES.values())


def _actions(trace: dict[str, Any]) -> list[str]:
    return [s["act"]["name"] for s in trace["states"]]


@pytest.mark.parametrize("name", TRACES)
def test_committed_traces_replay(name: str) -> None:
    report = replay_file(TRACES_DIR / name)
    assert report.ok, report.summary()
    assert report.steps == len(load_trace(TRACES_DIR / name)["states"]) - 1


def test_witness_traces_cover_the_protocol_stories() -> None:
    decrypt = load_trace(TRACES_DIR / WITNESS_TRACES["MCSharing_witness_decrypt"])
    acts = _actions(decrypt)
    for a, b in [("Request", "Grant"), ("Grant", "CommitGrant"), ("CommitGrant", "Reencrypt"),
                 ("Reencrypt", "Decrypt")]:
        assert acts.index(a) < acts.index(b)
    refused = load_trace(TRACES_DIR / WITNESS_TRACES["MCSharing_witness_refused"])
    acts = _actions(refused)
    assert acts[-1] == "Refuse" and any(a.startswith("Revoke") for a in acts)
    assert acts.index("CommitGrant") < max(i for i, a in enumerate(acts) if a.startswith("Revoke"))


def _decrypt_trace() -> dict[str, Any]:
    return copy.deepcopy(load_trace(TRACES_DIR / WITNESS_TRACES["MCSharing_witness_decrypt"]))


def test_corrupted_state_is_reported_with_step_and_variable() -> None:
    trace = _decrypt_trace()
    last = len(trace["states"]) - 1
    trace["states"][last]["knows"] = {"#set": []}  # the decryption's effect is missing
    report = replay(trace)
    assert not report.ok
    assert report.step == last and report.action == "Decrypt"
    assert report.reason is not None and report.reason.startswith("knows:")
    assert report.steps == last - 1


def test_action_the_spec_rejects_is_reported_with_reason() -> None:
    trace = _decrypt_trace()
    k = _actions(trace).index("Decrypt")
    trace["states"][k]["act"]["ri"] = "ri2"  # the unauthorised institution tries to use ri1's cfrags
    report = replay(trace)
    assert not report.ok and report.step == k and report.action == "Decrypt"
    assert "not enabled" in (report.reason or "") and "not ri2's" in (report.reason or "")


def test_reencryption_before_commit_is_rejected() -> None:
    trace = _decrypt_trace()
    acts = _actions(trace)
    g, r = acts.index("CommitGrant"), acts.index("Reencrypt")
    states = trace["states"]
    # swap the order: the CPC node re-encrypts while the grant is only posted
    states[g]["act"], states[r]["act"] = states[r]["act"], states[g]["act"]
    report = replay(trace)
    assert not report.ok and report.step == g and "not committed" in (report.reason or "")


def test_pbft_disagreement_needs_the_weak_quorum() -> None:
    trace = copy.deepcopy(load_trace(TRACES_DIR / WITNESS_TRACES["MCPBFT_byz2"]))
    # the same steps with a quorum of 4: one honest prepare and two Byzantine votes do not prepare
    trace["#meta"]["constants"]["Quorum"] = 4
    report = replay(trace)
    k = _actions(trace).index("Commit")
    assert not report.ok and report.step == k and report.action == "Commit"
    assert "has not prepared" in (report.reason or "")


def test_amnesia_needs_a_volatile_log() -> None:
    trace = copy.deepcopy(load_trace(TRACES_DIR / WITNESS_TRACES["MCPBFT_amnesia"]))
    assert replay(trace).ok
    trace["#meta"]["constants"]["PersistLog"] = True
    report = replay(trace)
    assert not report.ok and report.action == "CrashRestart" and "persistent" in (report.reason or "")


@pytest.mark.parametrize("mutate, code", [
    (lambda t: t.pop("vars"), "TRACE_MALFORMED"),
    (lambda t: t["#meta"].pop("model"), "TRACE_MALFORMED"),
    (lambda t: t.__setitem__("states", []), "TRACE_MALFORMED"),
    (lambda t: t["states"][1]["#meta"].__setitem__("index", 7), "TRACE_MALFORMED"),
    (lambda t: t["states"][2].pop("reqs"), "TRACE_MALFORMED"),
    (lambda t: t["states"][2].__setitem__("reqs", {"#set": 3}), "TRACE_MALFORMED"),
    (lambda t: t["#meta"].__setitem__("model", "Raft"), "MODEL_UNKNOWN"),
])
def test_malformed_traces(mutate: Any, code: str) -> None:
    trace = _decrypt_trace()
    mutate(trace)
    with pytest.raises(MedshareError) as e:
        replay(trace)
    assert e.value.code == code


def test_registered_adapter_is_used() -> None:
    class Counter:
        def initial(self, constants: dict[str, Any], substitutions: dict[str, str]) -> int:
            return 0

        def step(self, state: int, action: Any) -> int:
            return state + 1

        def project(self, state: int) -> dict[str, Any]:
            return {"x": state}

    register("Counter", Counter())
    trace = {"#meta": {"model": "Counter"}, "vars": ["act", "x"],
             "states": [{"#meta": {"index": i}, "act": {"name": "Inc"}, "x": i} for i in range(3)]}
    assert replay(trace).ok
    trace["states"][2]["x"] = 5
    report = replay(trace)
    assert not report.ok and report.step == 2 and "x:" in (report.reason or "")


def test_cli_replay(tmp_path: Path) -> None:
    runner = CliRunner()
    good = TRACES_DIR / WITNESS_TRACES["MCSharing_witness_refused"]
    res = runner.invoke(app, ["trace", "replay", str(good), "--json", "-"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout[res.stdout.index("{"):])["ok"] is True

    trace = _decrypt_trace()
    trace["states"][-1]["knows"] = {"#set": []}
    bad = tmp_path / "bad.itf.json"
    bad.write_text(json.dumps(trace))
    out = tmp_path / "out.json"
    res = runner.invoke(app, ["trace", "replay", str(bad), "--json", str(out)])
    assert res.exit_code == 1
    summary = json.loads(out.read_text())
    assert summary["ok"] is False and summary["error"] == "TRACE_DIVERGED"
    assert summary["diverged"]["step"] == len(trace["states"]) - 1

    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    res = runner.invoke(app, ["trace", "replay", str(junk), "--json", str(out)])
    assert res.exit_code == 2 and json.loads(out.read_text())["error"] == "TRACE_MALFORMED"
