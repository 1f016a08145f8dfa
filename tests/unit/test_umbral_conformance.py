"""The ``crypto.umbral`` conformance plug-in: its vectors pass the reference and every mutant fails some."""

from __future__ import annotations

import json
from typing import Any

import pytest
from medshare.conformance.generators import umbral as gen
from medshare.conformance.ops.umbral import OPS
from medshare.conformance.registry import load_generators, load_mutants, load_ops
from medshare.spec.errors import CODES, MedshareError

from medshare import SPEC_VERSION

MUTANTS = [m for m in load_mutants().values() if m["name"].startswith("umbral_")]


@pytest.fixture(scope="module")
def files() -> list[dict[str, Any]]:
    return gen.generate()


def outcome(handler: Any, test: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "valid", handler(test["input"])
    except MedshareError as e:
        return "invalid", e.code


def expected(test: dict[str, Any]) -> tuple[str, Any]:
    return (test["result"], test["output"] if test["result"] == "valid" else test["error"])


def test_registry_finds_the_plugin() -> None:
    assert set(OPS) <= set(load_ops())
    assert "umbral" in load_generators()
    assert {m["name"] for m in MUTANTS} == {"umbral_skip_cfrag_proof", "umbral_skip_kfrag_signature",
                                             "umbral_accept_short_cfrags", "umbral_capsule_unchecked"}


def test_files_are_well_formed(files: list[dict[str, Any]]) -> None:
    assert {f["operation"] for f in files} == {op.rsplit(".", 1)[1] for op in OPS}
    for f in files:
        assert f["schema"] == "medshare/v1/vectors" and f["specVersion"] == SPEC_VERSION
        assert f["component"] == "crypto.umbral"
        tests = [t for g in f["testGroups"] for t in g["tests"]]
        assert f["numberOfTests"] == len(tests) and [t["tcId"] for t in tests] == list(range(1, len(tests) + 1))
        invalid = [t for t in tests if t["result"] == "invalid"]
        assert len(invalid) >= 0.4 * len(tests)
        for t in tests:
            assert t["flags"] and all(flag in f["notes"] for flag in t["flags"])
            if t["result"] == "invalid":
                assert t["error"] in CODES
        for note in f["notes"].values():
            assert set(note) == {"bugType", "description", "specRef"}
        json.dumps(f)  # pure JSON


def test_generation_is_deterministic(files: list[dict[str, Any]]) -> None:
    assert json.dumps(gen.generate(), sort_keys=True) == json.dumps(files, sort_keys=True)


def test_reference_passes_every_vector(files: list[dict[str, Any]]) -> None:
    for f in files:
        handler = OPS[f"crypto.umbral.{f['operation']}"]
        for g in f["testGroups"]:
            for t in g["tests"]:
                assert outcome(handler, json.loads(json.dumps(t))) == expected(t), (f["operation"], t["tcId"])


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m["name"])
def test_every_mutant_is_killed(files: list[dict[str, Any]], mutant: dict[str, Any]) -> None:
    killed = []
    for f in files:
        op = f"crypto.umbral.{f['operation']}"
        handler = mutant["overrides"].get(op)
        if handler is None:
            continue
        for g in f["testGroups"]:
            killed += [(op, t["tcId"]) for t in g["tests"] if outcome(handler, t) != expected(t)]
    assert killed, f"{mutant['name']} survives every vector"
