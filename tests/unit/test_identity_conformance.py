"""The crypto.cbs and crypto.ibe conformance plug-ins: vector files in the docs/design.md §6 shape, every test agreeing
with the reference ops, at least 40 % invalid, deterministic, and every identity mutant killed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from medshare.conformance.generators import cbs as cbs_gen
from medshare.conformance.generators import ibe as ibe_gen
from medshare.conformance.registry import load_mutants, load_ops
from medshare.spec.errors import CODES, MedshareError

from medshare import SPEC_VERSION

MUTANTS = ["cbs_accepts_expired", "cbs_ignores_revocation", "cbs_skips_certificate_term", "cbs_message_hash_omits_period",
           "ibe_unauthenticated_decrypt"]


@pytest.fixture(scope="module")
def files() -> list[dict[str, Any]]:
    return cbs_gen.generate() + ibe_gen.generate()


def outcome(handler: Any, params: dict[str, Any], test: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "valid", handler({**params, **test["input"]})
    except MedshareError as e:
        return "invalid", e.code


def agrees(handler: Any, params: dict[str, Any], test: dict[str, Any]) -> bool:
    result, got = outcome(handler, params, test)
    return result == test["result"] and got == (test["output"] if result == "valid" else test["error"])


def test_file_shape(files: list[dict[str, Any]]) -> None:
    ops = {(f["component"], f["operation"]) for f in files}
    assert ops == {("crypto.cbs", o) for o in ("verify", "verify_certificate", "batch_verify", "decode")} | \
        {("crypto.ibe", o) for o in ("decapsulate", "decrypt_reading", "verify_identity_key")}
    for f in files:
        assert f["schema"] == "medshare/v1/vectors" and f["specVersion"] == SPEC_VERSION
        tests = [t for g in f["testGroups"] for t in g["tests"]]
        assert f["numberOfTests"] == len(tests) and [t["tcId"] for t in tests] == list(range(1, len(tests) + 1))
        invalid = [t for t in tests if t["result"] == "invalid"]
        assert len(invalid) >= 0.4 * len(tests), f["operation"]
        for t in invalid:
            assert t["error"] in CODES and t["flags"] and all(fl in f["notes"] for fl in t["flags"])
        for note in f["notes"].values():
            assert set(note) == {"bugType", "description", "specRef"}
        json.dumps(f)


def test_vectors_pass_on_the_reference(files: list[dict[str, Any]]) -> None:
    ops = load_ops()
    for f in files:
        handler = ops[f"{f['component']}.{f['operation']}"]
        for g in f["testGroups"]:
            for t in g["tests"]:
                assert agrees(handler, g["params"], t), (f["operation"], t["tcId"], t["comment"])


def test_generation_is_deterministic(files: list[dict[str, Any]]) -> None:
    assert json.dumps(ibe_gen.generate(), sort_keys=True) == json.dumps(files[-3:], sort_keys=True)


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_is_killed(files: list[dict[str, Any]], name: str) -> None:
    mutant = load_mutants()[name]
    assert set(mutant) == {"name", "description", "bugType", "overrides"}
    ops = {**load_ops(), **mutant["overrides"]}
    killed_by = []
    for f in files:
        op = f"{f['component']}.{f['operation']}"
        if op not in mutant["overrides"]:
            continue
        for g in f["testGroups"]:
            killed_by += [t["comment"] for t in g["tests"] if not agrees(ops[op], g["params"], t)]
    assert killed_by, name
    # a mutant is wrong only on the adversarial cases: every valid vector still passes it
    for f in files:
        op = f"{f['component']}.{f['operation']}"
        for g in f["testGroups"]:
            for t in g["tests"]:
                if t["result"] == "valid":
                    assert agrees(ops[op], g["params"], t), (name, t["comment"])


def test_ops_reject_malformed_input_with_codes() -> None:
    ops = load_ops()
    for op in [o for o in ops if o.startswith(("crypto.cbs.", "crypto.ibe."))]:
        for bad in ({}, {"unexpected": 1}, {"kind": ["x"], "bytes": "0x"}):
            with pytest.raises(MedshareError) as e:
                ops[op](bad)
            assert e.value.code == "BAD_JSON", op
