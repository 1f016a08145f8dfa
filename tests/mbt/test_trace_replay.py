"""Replay of the committed TLC traces (models/traces/) against the executable spec (the default) and the Python
mirrors of the models, and of corrupted and adversarial traces."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from medshare.models.replay import TRACES_DIR, WITNESS_TRACES, load_trace, replay, replay_file
from medshare.models.replay_base import register
from medshare.models.replay_mirror_sharing import MirrorSharingAdapter
from medshare.models.replay_spec_pbft import SpecPBFTAdapter
from medshare.models.tlavalues import Record, from_itf, to_itf
from medshare.spec.errors import MedshareError
from typer.testing import CliRunner

from medshare.cli import app

TRACES = sorted(WITNESS_TRACES.values())


def _actions(trace: dict[str, Any]) -> list[str]:
    return [s["act"]["name"] for s in trace["states"]]


SPEC_AGREES = ["sharing_request_grant_reencrypt_decrypt.itf.json", "sharing_revoke_refused.itf.json",
               "pbft_decide_in_later_view.itf.json", "pbft_byz2_disagreement.itf.json",
               "pbft_amnesia_disagreement.itf.json"]


@pytest.mark.parametrize("name", TRACES)
def test_committed_traces_replay_on_the_mirrors(name: str) -> None:
    report = replay_file(TRACES_DIR / name, against="mirror")
    assert report.ok, report.summary()
    assert report.steps == len(load_trace(TRACES_DIR / name)["states"]) - 1


@pytest.mark.parametrize("name", SPEC_AGREES)
def test_witness_traces_replay_against_the_spec(name: str) -> None:
    """Every projected variable of the spec's state equals the trace's after every step."""
    report = replay_file(TRACES_DIR / name)
    assert report.ok, report.summary()
    assert report.against == "spec" and report.steps == len(load_trace(TRACES_DIR / name)["states"]) - 1


def test_spec_refuses_the_norevocation_counterexample() -> None:
    """The buggy model grants a request whose record was revoked after it; the spec's SHC refuses the grant."""
    trace = load_trace(TRACES_DIR / WITNESS_TRACES["MCSharing_bug_norevocation"])
    report = replay(trace)
    acts = _actions(trace)
    assert acts.index("Request") < acts.index("RevokeRecord")  # the model, too, refuses requests on revoked records
    k = acts.index("RevokeRecord") + 1
    assert not report.ok and (report.step, report.action, report.code) == (k, "Grant", "RECORD_REVOKED")
    assert report.steps == k - 1  # every state before it agreed
    assert report.summary()["diverged"]["code"] == "RECORD_REVOKED"


def _final_pbft(trace: dict[str, Any]) -> dict[str, Any]:
    adapter = SpecPBFTAdapter()
    consts = {k: from_itf(v) for k, v in trace["#meta"]["constants"].items()}
    world = adapter.initial(consts, trace["#meta"]["substitutions"])
    for st in trace["states"][1:]:
        world = adapter.step(world, from_itf(st["act"]))
    return adapter.project(world)


@pytest.mark.parametrize("name, replicas", [("pbft_byz2_disagreement.itf.json", ("r3", "r4")),
                                            ("pbft_amnesia_disagreement.itf.json", ("r1", "r2"))])
def test_spec_replicas_disagree_like_the_faulty_models(name: str, replicas: tuple[str, str]) -> None:
    """Beyond f Byzantine replicas (byz2), or with a log that does not survive a restart (amnesia), the spec's
    honest replicas follow the same quorums as the model's and commit different blocks at height 1."""
    decided = _final_pbft(load_trace(TRACES_DIR / name))["decided"]
    a, b = (decided[r][0] for r in replicas)
    assert {a, b} == {"v1", "v2"}


def test_spec_restart_keeps_a_persistent_log() -> None:
    trace = copy.deepcopy(load_trace(TRACES_DIR / WITNESS_TRACES["MCPBFT_amnesia"]))
    trace["#meta"]["constants"]["PersistLog"] = True
    report = replay(trace)
    assert not report.ok and report.action == "CrashRestart" and "persisted" in (report.reason or "")


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


@pytest.mark.parametrize("against, needle", [("mirror", "not ri2's"), ("spec", "NOT_ENOUGH_CFRAGS")])
def test_action_the_spec_rejects_is_reported_with_reason(against: str, needle: str) -> None:
    trace = _decrypt_trace()
    k = _actions(trace).index("Decrypt")
    trace["states"][k]["act"]["ri"] = "ri2"  # the unauthorised institution tries to use ri1's cfrags
    report = replay(trace, against)
    assert not report.ok and report.step == k and report.action == "Decrypt"
    assert needle in (report.reason or "")


@pytest.mark.parametrize("against, needle", [("mirror", "not committed"), ("spec", "GRANT_UNKNOWN")])
def test_reencryption_before_commit_is_rejected(against: str, needle: str) -> None:
    trace = _decrypt_trace()
    acts = _actions(trace)
    g, r = acts.index("CommitGrant"), acts.index("Reencrypt")
    states = trace["states"]
    # swap the order: the CPC node re-encrypts while the grant is only posted
    states[g]["act"], states[r]["act"] = states[r]["act"], states[g]["act"]
    report = replay(trace, against)
    assert not report.ok and report.step == g and needle in (report.reason or "")


def _sharing_trace(overrides: dict[str, Any], actions: list[dict[str, Any]]) -> dict[str, Any]:
    """A trace the model (its Python mirror) takes under ``overrides`` of the witness constants: the shape of a
    TLC counterexample of that buggy configuration."""
    trace = _decrypt_trace()
    trace["#meta"]["constants"].update(overrides)
    mirror = MirrorSharingAdapter()
    st = mirror.initial({k: from_itf(v) for k, v in trace["#meta"]["constants"].items()},
                        trace["#meta"]["substitutions"])
    init = {"name": "Init"}
    states = [{"#meta": {"index": 0}, "act": init, **{n: to_itf(v) for n, v in mirror.project(st).items()}}]
    for i, act in enumerate(actions, 1):
        st = mirror.step(st, Record(act))
        states.append({"#meta": {"index": i}, "act": act, **{n: to_itf(v) for n, v in mirror.project(st).items()}})
    trace["states"] = states
    return trace


SETUP = [{"name": "Publish", "rec": "rec1"}, {"name": "CommitRecord", "rec": "rec1"},
         {"name": "Anchor", "rec": "rec1"}]
REQUEST = {"name": "Request", "ri": "ri1", "rec": "rec1", "nonce": "n1"}
GRANTED = [*SETUP, REQUEST, {"name": "Grant", "i": 1}, {"name": "CommitGrant", "i": 1}]
REENC = {"name": "Reencrypt", "g": 1, "c": "c1"}


@pytest.mark.parametrize("overrides, actions, code", [
    # an unauthorised RI's request without a valid proof (bug_noproof)
    ({"CheckProof": False}, [*SETUP, {"name": "Request", "ri": "ri2", "rec": "rec1", "nonce": "n1"}], "PROOF_INVALID"),
    # the adversary's request in ri1's name, signed with its own key (bug_nosig)
    ({"CheckSig": False}, [*SETUP, {"name": "Forge", "ri": "ri1", "rec": "rec1", "nonce": "n1"}],
     "TX_SIGNATURE_INVALID"),
    # a second receipt from the same node (bug_receipts)
    ({"DedupReceipts": False}, [*GRANTED, REENC, REENC], "RECEIPT_DUPLICATE"),
    # a header relayed without a commit certificate (bug_anchor)
    ({"CheckAnchorCert": False}, [SETUP[0], {"name": "Anchor", "rec": "rec1"}], "ANCHOR_UNCOMMITTED"),
    # re-encryption after the grant, the requester's certificate or its attribute epoch is revoked
    # (bug_norevocation): the honest node's check and SHC's receipt rule refuse it
    ({"CheckRevocation": False}, [*GRANTED, {"name": "RevokeGrant", "i": 1}, REENC], "GRANT_REVOKED"),
    ({"CheckRevocation": False}, [*GRANTED, {"name": "RevokeCert", "ri": "ri1"}, REENC], "CERT_REVOKED"),
    ({"CheckRevocation": False}, [*GRANTED, {"name": "RevokeAttributes", "ri": "ri1"}, REENC], "ATTRIBUTE_REVOKED"),
    # re-encryption, or a grant, for a request proven under an attribute epoch revoked and then followed by a new
    # commitment (bug_recommit): the request's epoch is no longer the requester's current one
    ({"CheckRequestEpoch": False}, [*GRANTED, {"name": "RevokeAttributes", "ri": "ri1"},
                                    {"name": "RecommitAttributes", "ri": "ri1"}, REENC], "ATTRIBUTE_REVOKED"),
    ({"CheckRequestEpoch": False}, [*SETUP, REQUEST, {"name": "RevokeAttributes", "ri": "ri1"},
                                    {"name": "RecommitAttributes", "ri": "ri1"}, {"name": "Grant", "i": 1}],
     "ATTRIBUTE_REVOKED"),
    # a request whose signature a validator verified before the requester's certificate ended (bug_sigcache)
    ({"RecheckPeriod": False}, [*SETUP, {"name": "CacheVerdict", "ri": "ri1", "rec": "rec1", "nonce": "n1"},
                                {"name": "ExpireCert", "ri": "ri1"}, REQUEST], "CERT_EXPIRED"),
    # a grant for a request whose record was revoked after it (bug_norevocation)
    ({"CheckRevocation": False}, [*SETUP, REQUEST, {"name": "RevokeRecord", "rec": "rec1"}, {"name": "Grant", "i": 1}],
     "RECORD_REVOKED"),
    # a Byzantine node opening the cfrags made for ri1's key (bug_kfragtarget)
    ({"KfragToRI": False}, [*GRANTED, REENC, {"name": "ByzReencrypt", "g": 1, "c": "c2"},
                            {"name": "ByzOpen", "g": 1, "c": "c2"}], "KFRAG_SIGNATURE_INVALID"),
])
def test_adversarial_steps_are_refused_by_the_spec(overrides: dict[str, Any], actions: list[dict[str, Any]],
                                                   code: str) -> None:
    """The buggy model takes the adversary's step; the spec performs it with real keys and refuses it with its
    code at that step, every earlier state agreeing."""
    report = replay(_sharing_trace(overrides, actions))
    assert not report.ok and report.step == len(actions), report.summary()
    assert report.action == actions[-1]["name"] and report.code == code, report.summary()
    assert report.steps == len(actions) - 1


def test_refused_forgery_leaves_the_spec_state_unchanged() -> None:
    """The adversary's forged request is refused with its code and every projected variable stays as it was."""
    from medshare.models.replay_spec_sharing import SpecSharingAdapter

    trace = _sharing_trace({"CheckSig": False}, SETUP)
    adapter = SpecSharingAdapter()
    world = adapter.initial({k: from_itf(v) for k, v in trace["#meta"]["constants"].items()},
                            trace["#meta"]["substitutions"])
    for act in SETUP:
        world = adapter.step(world, Record(act))
    before = {n: to_itf(v) for n, v in adapter.project(world).items()}
    with pytest.raises(MedshareError) as e:
        adapter.step(world, Record({"name": "Forge", "ri": "ri1", "rec": "rec1", "nonce": "n1"}))
    assert e.value.code == "TX_SIGNATURE_INVALID"
    assert {n: to_itf(v) for n, v in adapter.project(world).items()} == before


def test_replayed_request_is_refused() -> None:
    """Without nonce recording the model accepts a replayed request. The spec records the nonce (the trace
    diverges at the request), and the adversary's verbatim re-send is refused as a duplicate."""
    actions = [*SETUP, REQUEST, {"name": "Replay", "i": 1}]
    trace = _sharing_trace({"RecordNonce": False, "MaxReq": 2}, actions)
    report = replay(trace)
    assert not report.ok and report.step == 4 and (report.reason or "").startswith("usedNonces:")
    for st in trace["states"][4:]:
        st["usedNonces"] = {"#set": [["ri1", "n1"]]}  # what the spec records
    report = replay(trace)
    assert not report.ok and (report.step, report.action, report.code) == (5, "Replay", "TX_DUPLICATE")


def test_leaked_attributes_show_in_the_projection() -> None:
    """With HideAttributes off the model's SHC stores attribute values; the spec's SHC does not."""
    report = replay(_sharing_trace({"HideAttributes": False}, [*SETUP, REQUEST]))
    assert not report.ok and report.step == 4 and report.code is None and (report.reason or "").startswith("reqs:")


@pytest.mark.parametrize("revoke, code", [({"name": "RevokeCert", "ri": "ri1"}, "CERT_REVOKED"),
                                          ({"name": "RevokeAttributes", "ri": "ri1"}, "ATTRIBUTE_REVOKED")])
def test_requester_revocation_stops_reencryption(revoke: dict[str, Any], code: str) -> None:
    """After the requester's certificate or attribute epoch is revoked, the correct model's honest CPC node
    refuses its committed grant and so does the spec's (with the code), every state agreeing; a receipt a CPC
    node posts anyway is rejected by SHC with the same code and leaves SHC's state unchanged."""
    from medshare.models.replay_spec_sharing import SpecSharingAdapter
    from medshare.spec.protocol import protocol

    actions = [*GRANTED, REENC, revoke, {"name": "Refuse", "g": 1, "c": "c1"}]
    report = replay(_sharing_trace({}, actions))
    assert report.ok, report.summary()

    trace = _sharing_trace({}, actions[:-1])
    adapter = SpecSharingAdapter()
    world = adapter.initial({k: from_itf(v) for k, v in trace["#meta"]["constants"].items()},
                            trace["#meta"]["substitutions"])
    for act in [*GRANTED, revoke]:
        world = adapter.step(world, Record(act))
    assert world.refused == {}
    before = (dict(world.shc.state), {n: to_itf(v) for n, v in adapter.project(world).items()})
    with pytest.raises(MedshareError) as e:  # the honest node's own check
        adapter.step(world, Record(REENC))
    assert e.value.code == code
    receipt = world.receipt_tx("c1", 1, world.make_cfrag(1, "c1"))  # a receipt posted regardless
    with pytest.raises(MedshareError) as e:
        world.commit_shc(receipt)
    assert e.value.code == code
    assert (dict(world.shc.state), {n: to_itf(v) for n, v in adapter.project(world).items()}) == before
    with pytest.raises(MedshareError) as e:
        protocol.check_reencryption(world.shc.state, world.grant_id(1))
    assert e.value.code == code


def test_pbft_disagreement_needs_the_weak_quorum() -> None:
    trace = copy.deepcopy(load_trace(TRACES_DIR / WITNESS_TRACES["MCPBFT_byz2"]))
    # the same steps with a quorum of 4: one honest prepare and two Byzantine votes do not prepare
    trace["#meta"]["constants"]["Quorum"] = 4
    report = replay(trace, "mirror")
    k = _actions(trace).index("Commit")
    assert not report.ok and report.step == k and report.action == "Commit"
    assert "has not prepared" in (report.reason or "")


def test_amnesia_needs_a_volatile_log() -> None:
    trace = copy.deepcopy(load_trace(TRACES_DIR / WITNESS_TRACES["MCPBFT_amnesia"]))
    assert replay(trace, "mirror").ok
    trace["#meta"]["constants"]["PersistLog"] = True
    report = replay(trace, "mirror")
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
    assert summary["ok"] is False and summary["error"] == "TRACE_DIVERGED" and summary["against"] == "spec"
    assert summary["diverged"]["step"] == len(trace["states"]) - 1

    bug = TRACES_DIR / WITNESS_TRACES["MCSharing_bug_norevocation"]
    res = runner.invoke(app, ["trace", "replay", str(bug), "--json", str(out)])
    assert res.exit_code == 1
    diverged = json.loads(out.read_text())["diverged"]
    assert (diverged["step"], diverged["action"], diverged["code"]) == (6, "Grant", "RECORD_REVOKED")
    res = runner.invoke(app, ["trace", "replay", str(bug), "--against", "mirror", "--json", str(out)])
    assert res.exit_code == 0 and json.loads(out.read_text())["against"] == "mirror"

    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    res = runner.invoke(app, ["trace", "replay", str(junk), "--json", str(out)])
    assert res.exit_code == 2 and json.loads(out.read_text())["error"] == "TRACE_MALFORMED"
