"""Standard ITF in: traces as Quint and Apalache write them (sum types, #bigint, #tup, maps for sequences),
TLC's own printout, constants from #meta or the command line, and every bad trace a typed error."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from medshare.models import tlc
from medshare.models.replay import TRACES_DIR, WITNESS_TRACES, load_trace, replay, replay_file, with_model
from medshare.models.tlavalues import Function, Record, Variant, canonical, from_itf, to_itf
from medshare.spec.errors import MedshareError
from typer.testing import CliRunner

from medshare.cli import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def _trace(name: str) -> dict[str, Any]:
    return copy.deepcopy(load_trace(TRACES_DIR / name))


def _quint(v: Any, key: str = "") -> Any:
    """A value of a medshare ITF trace as Quint writes it: integers as #bigint, a sequence of maps (receipts) as a
    map from 1..n, the action as a sum type."""
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"#bigint": str(v)}
    if isinstance(v, list):
        if key == "receipts":
            return {"#map": [[{"#bigint": str(i)}, _quint(x)] for i, x in enumerate(v, 1)]}
        return [_quint(x) for x in v]
    if isinstance(v, dict):
        if key == "act":
            args = {k: _quint(x) for k, x in v.items() if k != "name"}
            return {"tag": v["name"], "value": args or {"#tup": []}}
        if set(v) == {"#set"}:
            return {"#set": [_quint(x) for x in v["#set"]]}
        if set(v) == {"#map"}:
            return {"#map": [[_quint(a), _quint(b)] for a, b in v["#map"]]}
        return {k: _quint(x) for k, x in v.items()}
    raise AssertionError(v)


def quint_style(trace: dict[str, Any]) -> dict[str, Any]:
    """``trace`` as the Quint simulator writes it: no model, no constants, Quint's encodings."""
    states = [{"#meta": {"index": k}, **{n: _quint(s[n], n) for n in trace["vars"]}}
              for k, s in enumerate(trace["states"])]
    return {"#meta": {"format": "ITF", "source": "sharing.qnt", "status": "ok"}, "vars": trace["vars"],
            "states": states}


# ---- values ----

def test_quint_values_decode() -> None:
    assert from_itf({"tag": "Grant", "value": {"i": {"#bigint": "1"}}}) == Variant("Grant", Record({"i": 1}))
    assert from_itf({"tag": "Init", "value": {"#tup": []}}) == Variant("Init", ())
    assert from_itf({"#bigint": "-123456789012345678901234567890"}) == -123456789012345678901234567890
    big = 2**80
    assert from_itf(to_itf(big)) == big and to_itf(big) == {"#bigint": str(big)}
    # a function on 1..n and the sequence of its values are one TLA+ value
    assert canonical(Function({1: "a", 2: "b"})) == canonical(("a", "b"))
    assert canonical(Function({})) == canonical(())
    assert canonical(Function({"c1": 0})) != canonical((0,))


@pytest.mark.parametrize("bad, code", [
    ({"#bigint": "1" * 65}, "TRACE_TOO_LARGE"),
    (10**70, "TRACE_TOO_LARGE"),
    ({"#bigint": "12a"}, "TRACE_MALFORMED"),
    ({"#set": 3}, "TRACE_MALFORMED"),
    ({"#map": [[1, 2, 3]]}, "TRACE_MALFORMED"),
    ({"#what": []}, "TRACE_MALFORMED"),
    (1.5, "TRACE_MALFORMED"),
    (None, "TRACE_MALFORMED"),
])
def test_bad_values_are_typed_errors(bad: Any, code: str) -> None:
    with pytest.raises(MedshareError) as e:
        from_itf(bad)
    assert e.value.code == code


def test_nesting_is_bounded() -> None:
    deep: Any = 1
    for _ in range(200):
        deep = [deep]
    with pytest.raises(MedshareError) as e:
        from_itf(deep)
    assert e.value.code == "TRACE_TOO_LARGE"


# ---- Quint-style traces ----

def test_quint_style_trace_replays_with_constants_from_a_configuration() -> None:
    trace = quint_style(_trace(WITNESS_TRACES["MCSharing_witness_decrypt"]))
    with pytest.raises(MedshareError) as e:  # Quint writes no model and no constants
        replay(trace)
    assert e.value.code == "TRACE_MALFORMED"
    completed = with_model(trace, "MCSharing_witness_decrypt")
    for against in ("mirror", "spec"):
        report = replay(completed, against)
        assert report.ok and report.steps == 9, report.summary()


def test_constants_from_the_command_line_override(tmp_path: Path) -> None:
    trace = quint_style(_trace(WITNESS_TRACES["MCPBFT_witness"]))
    path = tmp_path / "pbft.itf.json"
    path.write_text(json.dumps(trace))
    out = tmp_path / "out.json"
    res = runner.invoke(app, ["trace", "replay", str(path), "--json", str(out)])
    assert res.exit_code == 2 and json.loads(out.read_text())["error"] == "TRACE_MALFORMED"
    consts = ["--const", "Replica={r1, r2, r3, r4}", "--const", "Byz={r4}", "--const", "Value={v1, v2}",
              "--const", "Nil=Nil", "--const", "Order<-MCOrder4", "--const", "MaxView=1", "--const", "MaxSeq=1",
              "--const", "Quorum=3", "--const", "CheckViewChange=TRUE", "--const", "CheckClientSig=TRUE",
              "--const", "PersistLog=TRUE"]
    res = runner.invoke(app, ["trace", "replay", str(path), "--model", "PBFT", *consts, "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["steps"] == 8
    # a missing one is named
    res = runner.invoke(app, ["trace", "replay", str(path), "--model", "PBFT", *consts[:-2], "--json", str(out)])
    assert res.exit_code == 2 and "PersistLog" in json.loads(out.read_text())["message"]
    # the configuration's constants, one overridden: with a quorum of 4, the two view changes (and the Byzantine
    # replica's) do not justify the new primary's proposal
    res = runner.invoke(app, ["trace", "replay", str(path), "--model", "MCPBFT_witness", "--const", "Quorum=4",
                              "--against", "mirror", "--json", str(out)])
    diverged = json.loads(out.read_text())["diverged"]
    assert res.exit_code == 1 and diverged["action"] == "PrePrepare" and "justified" in diverged["reason"]
    res = runner.invoke(app, ["trace", "replay", str(path), "--model", "Raft", "--json", str(out)])
    assert res.exit_code == 2 and json.loads(out.read_text())["error"] == "MODEL_UNKNOWN"
    res = runner.invoke(app, ["trace", "replay", str(path), "--const", "Quorum=", "--json", str(out)])
    assert res.exit_code == 2 and json.loads(out.read_text())["error"] == "INVALID_ARGUMENT"


# ---- metadata and constants: missing, ill-typed, beyond the bounds ----

def _pbft() -> dict[str, Any]:
    return _trace(WITNESS_TRACES["MCPBFT_witness"])


@pytest.mark.parametrize("mutate, code, needle", [
    (lambda t: t["#meta"].pop("constants"), "TRACE_MALFORMED", "Replica"),
    (lambda t: t["#meta"]["constants"].pop("MaxSeq"), "TRACE_MALFORMED", "MaxSeq"),
    (lambda t: t["#meta"]["constants"].__setitem__("MaxSeq", "one"), "TRACE_MALFORMED", "integer"),
    (lambda t: t["#meta"]["constants"].__setitem__("MaxSeq", {"#bigint": str(10**15)}), "TRACE_TOO_LARGE", "bound"),
    (lambda t: t["#meta"]["constants"].__setitem__("MaxView", -1), "TRACE_MALFORMED", "below"),
    (lambda t: t["#meta"]["constants"].__setitem__("PersistLog", 1), "TRACE_MALFORMED", "TRUE or FALSE"),
    (lambda t: t["#meta"]["constants"].__setitem__("Byz", {"#set": ["r9"]}), "TRACE_MALFORMED", "subset"),
    (lambda t: t["#meta"]["constants"].__setitem__("Value", {"#set": [f"v{i}" for i in range(40)]}),
     "TRACE_TOO_LARGE", "members"),
    (lambda t: t["#meta"]["substitutions"].clear(), "TRACE_MALFORMED", "Order"),
    (lambda t: t["#meta"].__setitem__("constants", [1]), "TRACE_MALFORMED", "constants"),
    (lambda t: t["#meta"].__setitem__("violated", 3), "TRACE_MALFORMED", "violated"),
    (lambda t: t["states"][2]["act"].__setitem__("r", "r9"), "TRACE_MALFORMED", "domain"),
    (lambda t: t["states"][2]["act"].__setitem__("extra", 1), "TRACE_MALFORMED", "takes"),
    (lambda t: t["states"][2].__setitem__("act", {"tag": "ViewChange", "value": 3}), "TRACE_MALFORMED", "record"),
    (lambda t: t["states"][2].__setitem__("act", 7), "TRACE_MALFORMED", "sum type"),
    (lambda t: t["states"][3].__setitem__("pp", {"#bigint": "9" * 100}), "TRACE_TOO_LARGE", "digits"),
])
@pytest.mark.parametrize("against", ["mirror", "spec"])
def test_bad_metadata_is_a_typed_error(mutate: Any, code: str, needle: str, against: str) -> None:
    trace = _pbft()
    mutate(trace)
    with pytest.raises(MedshareError) as e:
        replay(trace, against)
    assert e.value.code == code and needle in e.value.message, e.value.message


def test_bad_files_are_typed_errors(tmp_path: Path) -> None:
    cases = {"deep.json": "[" * 100_000 + "]" * 100_000, "digits.json": '{"a": ' + "9" * 5000 + "}",
             "binary.json": b"\xff\xfe{".decode("latin-1"), "empty.json": "", "junk.txt": "not a trace"}
    out = tmp_path / "out.json"
    for name, text in cases.items():
        path = tmp_path / name
        path.write_bytes(text.encode("latin-1") if name == "binary.json" else text.encode())
        res = runner.invoke(app, ["trace", "replay", str(path), "--json", str(out)])
        assert res.exit_code == 2, (name, res.output)
        assert json.loads(out.read_text())["error"] in ("TRACE_MALFORMED", "TRACE_TOO_LARGE"), name


JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=5)
                    | st.floats(allow_nan=False),
                    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
                        st.sampled_from(["#set", "#map", "#tup", "#bigint", "tag", "value", "name", "r", "s", "i"]),
                        kids, max_size=3), max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.integers(0, 10**6), junk=JSON, key=st.sampled_from(["act", "pp", "view", "decided", "#meta", None]))
def test_any_corruption_is_a_report_or_a_typed_error(where: int, junk: Any, key: str | None) -> None:
    """Whatever part of a trace is replaced by whatever JSON, replay reports a divergence or raises a
    MedshareError: never another exception."""
    trace = _pbft()
    k = where % len(trace["states"])
    if key is None:
        trace["#meta"]["constants"]["MaxSeq"] = junk
    else:
        trace["states"][k][key] = junk
    try:
        report = replay(trace, "mirror")
    except MedshareError as e:
        assert e.code in ("TRACE_MALFORMED", "TRACE_TOO_LARGE"), e
    else:
        assert report.ok or (report.step is not None and report.reason)


# ---- TLC's own output, and counterexamples named ----

def test_tlc_output_replays_with_the_configuration(tmp_path: Path) -> None:
    """The recorded -tool output of MCSharing_bug_nosig, and the same counterexample as TLC prints it without
    -tool, replay once the configuration is named; its invariant and the step the spec refuses are named."""
    result = tlc.read_output((DATA / "tlc_violation.txt").read_text())
    plain = tmp_path / "cx.out"
    plain.write_text(tlc.format_counterexample(result))
    again = tlc.read_output(plain.read_text())
    assert again.violated == result.violated == "Authenticity"
    assert [s.values for s in again.trace] == [s.values for s in result.trace]
    for path in (DATA / "tlc_violation.txt", plain):
        with pytest.raises(MedshareError) as e:
            replay_file(path)
        assert e.value.code == "TRACE_MALFORMED" and "--model" in e.value.message
        assert replay_file(path, "mirror", model="MCSharing_bug_nosig").ok
        report = replay_file(path, model="MCSharing_bug_nosig")
        assert not report.ok and report.code == "TX_SIGNATURE_INVALID" and report.violated == "Authenticity"
        assert f"counterexample to Authenticity: the spec refuses step {report.step} (Forge)" in report.describe()


def test_counterexample_replay_names_the_invariant(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    res = runner.invoke(app, ["trace", "replay", str(TRACES_DIR / WITNESS_TRACES["MCPBFT_byz2"]), "--json", str(out)])
    summary = json.loads(out.read_text())
    assert res.exit_code == 0 and summary["violated"] == "Agreement"
    assert "violates Agreement" in " ".join(res.output.split())
    res = runner.invoke(app, ["trace", "replay", str(TRACES_DIR / WITNESS_TRACES["MCSharing_bug_norevocation"])])
    text = " ".join(res.output.split())
    assert res.exit_code == 1 and "counterexample to AccessSoundness: the spec refuses step 6 (Grant)" in text


@pytest.mark.parametrize("against", ["mirror", "spec"])
def test_a_second_decide_of_one_slot_is_refused(against: str) -> None:
    """The model decides a slot once (decided[r][s] = Nil); a trace that decides it again does not replay."""
    trace = _pbft()
    last = copy.deepcopy(trace["states"][-1])
    last["#meta"]["index"] = len(trace["states"])
    trace["states"].append(last)
    report = replay(trace, against)
    assert not report.ok and report.step == len(trace["states"]) - 1 and report.action == "Decide"
    assert "already decided" in (report.reason or ""), report.summary()


def test_the_spec_replay_checks_the_models_guard_where_the_spec_is_silent() -> None:
    """A second Prepare of one slot: the spec's replica ignores the duplicate pre-prepare and its state does not
    change, so only the model's guard (its log) refuses the step."""
    trace = _pbft()
    acts = [s["act"]["name"] for s in trace["states"]]
    k = acts.index("Prepare")
    dup = copy.deepcopy(trace["states"][k])
    trace["states"] = trace["states"][:k + 1] + [dup]
    dup["#meta"]["index"] = k + 1
    report = replay(trace)
    assert not report.ok and report.step == k + 1 and "not enabled in the model" in (report.reason or "")


# ---- itf-py, Informal Systems' reader, reads what medshare writes and the other way round ----

def _from_itf_py(v: Any) -> Any:
    """An itf-py value as medshare's: records are namedtuples, maps ImmutableDicts, sequences ImmutableLists."""
    if isinstance(v, tuple) and hasattr(v, "_fields"):
        if getattr(type(v), "_itf_variant", False):
            fields = v._asdict()
            inner = fields["value"] if list(fields) == ["value"] else Record({k: _from_itf_py(x) for k, x in
                                                                              fields.items()})
            return Variant(type(v).__name__, _from_itf_py(inner))
        return Record({k: _from_itf_py(x) for k, x in v._asdict().items()})
    if isinstance(v, dict):
        return Function({_from_itf_py(k): _from_itf_py(x) for k, x in v.items()})
    if isinstance(v, frozenset):
        return frozenset(_from_itf_py(x) for x in v)
    if isinstance(v, (list, tuple)):
        return tuple(_from_itf_py(x) for x in v)
    return v


@pytest.mark.parametrize("name", sorted(WITNESS_TRACES.values()))
@pytest.mark.parametrize("style", ["medshare", "quint"])
def test_itf_py_reads_the_same_values(name: str, style: str) -> None:
    itf = pytest.importorskip("itf_py")
    trace = _trace(name)
    if style == "quint":
        trace = quint_style(trace)
    for mine in trace["states"]:
        for var in trace["vars"]:
            if mine[var] == {"tag": "Init", "value": {"#tup": []}}:
                continue  # itf-py 0.5 cannot read Quint's unit variants (a namedtuple field '#tup'): models/bridge.md
            assert canonical(from_itf(mine[var])) == canonical(_from_itf_py(itf.value_from_json(mine[var]))), var
    # and what medshare writes is ITF for itf-py: its values read back equal
    for st_ in trace["states"]:
        for var in trace["vars"]:
            ours = from_itf(st_[var])
            assert canonical(_from_itf_py(itf.value_from_json(to_itf(ours)))) == canonical(ours)
