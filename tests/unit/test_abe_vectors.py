"""The crypto.policy and crypto.fame vectors: well-formed, passed by the reference ops, and each ABE mutant is
caught by at least one vector."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from medshare.conformance.generators import fame as fame_gen
from medshare.conformance.generators import policy as policy_gen
from medshare.conformance.registry import load_mutants, load_ops
from medshare.spec.errors import MedshareError

from medshare import SPEC_VERSION

ABE_MUTANTS = ("fame_ignores_missing_rows", "fame_no_subgroup_check", "fame_epoch_ignored", "policy_threshold_as_or")


@cache
def files() -> list[dict[str, Any]]:
    return policy_gen.generate() + fame_gen.generate()


def outcome(handler: Any, inp: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "valid", handler(json.loads(json.dumps(inp)))
    except MedshareError as e:
        return "invalid", e.code
    except Exception as e:  # a mutant may crash: that is a detected failure, not a test error
        return "crash", type(e).__name__


def failures(overrides: dict[str, Any]) -> list[str]:
    ops = {**load_ops(), **overrides}
    bad = []
    for f in files():
        op = f"{f['component']}.{f['operation']}"
        for group in f["testGroups"]:
            for t in group["tests"]:
                got = outcome(ops[op], t["input"])
                want = ("valid", t["output"]) if t["result"] == "valid" else ("invalid", t["error"])
                if got != want:
                    bad.append(f"{op} #{t['tcId']} {t['comment']}")
    return bad


def test_files_are_well_formed() -> None:
    names = set()
    for f in files():
        assert f["schema"] == "medshare/v1/vectors" and f["specVersion"] == SPEC_VERSION
        names.add((f["component"], f["operation"]))
        tests = [t for g in f["testGroups"] for t in g["tests"]]
        assert f["numberOfTests"] == len(tests) == len({t["tcId"] for t in tests})
        invalid = [t for t in tests if t["result"] == "invalid"]
        assert len(invalid) >= 0.4 * len(tests), (f["operation"], len(invalid), len(tests))
        for t in tests:
            assert t["flags"] and all(flag in f["notes"] for flag in t["flags"])
            assert ("error" in t) == (t["result"] == "invalid") and ("output" in t) == (t["result"] == "valid")
        for note in f["notes"].values():
            assert set(note) == {"bugType", "description", "specRef"}
        json.dumps(f)
    assert ("crypto.fame", "decrypt") in names and ("crypto.policy", "lsss") in names


def test_generation_is_deterministic() -> None:
    assert json.dumps(policy_gen.generate() + fame_gen.generate()) == json.dumps(files())


def test_reference_passes_every_vector() -> None:
    assert failures({}) == []


@pytest.mark.parametrize("name", ABE_MUTANTS)
def test_mutant_is_killed(name: str) -> None:
    mutant = load_mutants()[name]
    assert set(mutant) == {"name", "description", "bugType", "overrides"}
    assert failures(mutant["overrides"]), f"mutant {name} survives every vector"
