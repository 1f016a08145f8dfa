"""The committed suite: every file validates, regeneration is byte-identical, the reference passes everything
and every mutant is caught (the CI contract of docs/design.md §6)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from medshare.conformance import registry
from medshare.conformance.generate import DEFAULT_DIR, generate
from medshare.conformance.runner import load_suite, reference_command, run_mutants, run_suite, summarize
from medshare.conformance.vectorfile import is_invalid, iter_tests, problems

COMMITTED = sorted(DEFAULT_DIR.glob("*/*.json"))


def test_vectors_are_committed() -> None:
    assert COMMITTED, "run `medshare vectors generate` and commit conformance/vectors"


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.relative_to(DEFAULT_DIR).as_posix())
def test_committed_file_validates(path: Path) -> None:
    doc = json.loads(path.read_text())
    assert problems(doc) == []
    assert path.relative_to(DEFAULT_DIR).as_posix() == f"{doc['component']}/{doc['operation']}.json"


def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    summary = generate(tmp_path)
    produced = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    committed = sorted(p.relative_to(DEFAULT_DIR).as_posix() for p in DEFAULT_DIR.rglob("*.json"))
    assert produced == committed, "the committed vectors are stale: run `medshare vectors generate`"
    for rel in produced:
        assert (tmp_path / rel).read_bytes() == (DEFAULT_DIR / rel).read_bytes(), f"{rel} differs"
    index = json.loads((DEFAULT_DIR / "index.json").read_text())
    assert summary["tests"] == index["totals"]["tests"]


def test_index_lists_every_file_with_its_hash() -> None:
    index = json.loads((DEFAULT_DIR / "index.json").read_text())
    listed = {e["path"]: e for e in index["files"]}
    assert sorted(listed) == [p.relative_to(DEFAULT_DIR).as_posix() for p in COMMITTED]
    for path in COMMITTED:
        entry = listed[path.relative_to(DEFAULT_DIR).as_posix()]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        doc = json.loads(path.read_text())
        assert entry["numberOfTests"] == doc["numberOfTests"]
    assert index["totals"]["tests"] == sum(e["numberOfTests"] for e in index["files"])


def test_group_layer_coverage() -> None:
    docs = [json.loads(p.read_text()) for p in COMMITTED if p.parent.name.startswith("group.")]
    ops = {f"{d['component']}.{d['operation']}" for d in docs}
    from medshare.conformance.ops.group import OPS

    assert ops == set(OPS), "every group op has a vector file"
    tests = [t for d in docs for _, t in iter_tests(d)]
    invalid = [t for t in tests if is_invalid(t)]
    assert len(tests) >= 300 and len(invalid) / len(tests) >= 0.40
    codes = {t["error"] for t in invalid}
    assert {"POINT_NOT_IN_SUBGROUP", "POINT_NOT_ON_CURVE", "COORDINATE_NOT_CANONICAL", "BAD_FLAGS", "BAD_LENGTH",
            "IDENTITY_NOT_ALLOWED", "SCALAR_OUT_OF_RANGE", "GT_NOT_IN_SUBGROUP", "DST_INVALID"} <= codes


def _base() -> dict[str, Any]:
    return json.loads((DEFAULT_DIR / "group.zr" / "decode.json").read_text())


def _first_invalid(doc: dict[str, Any]) -> dict[str, Any]:
    return next(t for _, t in iter_tests(doc) if t["result"] == "invalid")


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: _first_invalid(d).pop("error"), "error"),
    (lambda d: _first_invalid(d).update(flags=[]), "flags"),
    (lambda d: _first_invalid(d).update(flags=["NoSuchFlag"]), "not defined in notes"),
    (lambda d: _first_invalid(d).update(error="NO_SUCH_CODE"), "not in spec/errors.py"),
    (lambda d: d["testGroups"][0]["tests"][1].update(tcId=1), "not unique"),
    (lambda d: d.update(numberOfTests=1), "numberOfTests"),
    (lambda d: d["testGroups"][0]["tests"][0].update(result="maybe"), "result"),
    (lambda d: d["testGroups"][0]["tests"][0].pop("output"), "output"),
    (lambda d: d.update(component="Group"), "component"),
    (lambda d: next(iter(d["notes"].values())).pop("specRef"), "specRef"),
])
def test_schema_rejects_broken_files(mutate: Any, needle: str) -> None:
    doc = copy.deepcopy(_base())
    mutate(doc)
    found = problems(doc)
    assert found and any(needle in p for p in found), found


def test_trace_schema() -> None:
    trace = {"schema": "medshare/v1/traces", "specVersion": "x", "component": "chain.mdc", "operation": "apply",
             "numberOfTests": 1, "notes": {"Dup": {"bugType": "REPLAY", "description": "d",
                                                   "specRef": "spec/chain.md#apply"}},
             "testGroups": [{"params": {}, "tests": [{
                 "tcId": 1, "comment": "", "origin": "hand-written", "initial": {}, "flags": ["Dup"],
                 "steps": [{"action": "submit", "args": {}, "expect": {"result": "valid", "stateRoot": "0x01"}},
                           {"action": "submit", "args": {}, "expect": {"result": "invalid",
                                                                       "error": "TX_DUPLICATE"}}]}]}]}
    assert problems(trace) == []
    no_flag = copy.deepcopy(trace)
    no_flag["testGroups"][0]["tests"][0]["flags"] = []
    assert problems(no_flag)
    no_error = copy.deepcopy(trace)
    del no_error["testGroups"][0]["tests"][0]["steps"][1]["expect"]["error"]
    assert problems(no_error)
    bad_origin = copy.deepcopy(trace)
    bad_origin["testGroups"][0]["tests"][0]["origin"] = "fuzzer"
    assert problems(bad_origin)


def test_reference_adapter_passes_everything() -> None:
    run = run_suite(load_suite(), reference_command())
    summary = summarize(run, None)
    assert summary["failed"] == 0, summary["failures"][:5]
    assert summary["skipped"] == 0 and summary["passed"] == summary["total"] > 0
    assert run.restarts == 0


def test_every_mutant_is_caught() -> None:
    mutants = registry.load_mutants()
    assert len([m for m in mutants if m.startswith("group_")]) >= 6
    results = run_mutants(load_suite(), quick=True)
    survivors = [m.name for m in results if not m.killed]
    assert not survivors, f"mutants not caught by the suite: {survivors}"


@pytest.mark.parametrize("rel", ["group.g1/decode.json", "group.g2/decode.json", "group.zr/decode.json",
                                 "group.g1/add.json", "group.hash/expand_message_xmd.json"])
def test_pure_backend_agrees_with_the_vectors(rel: str) -> None:
    """The vectors come from the native backend; the pure backend must give the same bytes and codes."""
    from medshare.conformance.ops.group import Codec, make_ops
    from medshare.reference.testbed import get_group
    from medshare.spec.errors import MedshareError

    ops = make_ops(Codec(get_group("pure")))
    doc = json.loads((DEFAULT_DIR / rel).read_text())
    handler = ops[f"{doc['component']}.{doc['operation']}"]
    for params, t in iter_tests(doc):
        try:
            got: Any = handler({**params, **t["input"]})
        except MedshareError as e:
            got = e.code
        assert got == (t["output"] if t["result"] == "valid" else t["error"]), (rel, t["tcId"], t["comment"])


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def test_every_spec_ref_resolves() -> None:
    """Each note's specRef names an existing spec/ file and, for Markdown, one of its headings."""
    root = DEFAULT_DIR.parents[1]
    bad = []
    for path in COMMITTED:
        for flag, note in json.loads(path.read_text())["notes"].items():
            file, _, anchor = note["specRef"].partition("#")
            target = root / file
            if not target.is_file():
                bad.append(f"{path.name}: {flag}: {file} does not exist")
                continue
            if anchor and target.suffix == ".md":
                headings = {_anchor(line.lstrip("#")) for line in target.read_text().splitlines()
                            if line.startswith("#")}
                if _anchor(anchor) not in headings:
                    bad.append(f"{path.parent.name}/{path.name}: {flag}: no heading #{anchor} in {file}")
    assert not bad, "\n".join(sorted(set(bad)))
