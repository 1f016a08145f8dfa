"""The zk conformance plug-ins: generated vectors pass on the reference handlers and kill every zk mutant."""

from __future__ import annotations

from typing import Any

import pytest
from medshare.conformance.generators import zk as gen
from medshare.conformance.registry import Handler, load_mutants, load_ops
from medshare.spec.errors import MedshareError

from medshare import SPEC_VERSION


@pytest.fixture(scope="module")
def files() -> list[dict[str, Any]]:
    return gen.generate()


def failures(files: list[dict[str, Any]], ops: dict[str, Handler]) -> list[tuple[str, int]]:
    bad = []
    for f in files:
        op = f"{f['component']}.{f['operation']}"
        for g in f["testGroups"]:
            for tc in g["tests"]:
                try:
                    got: tuple[str, Any] = ("valid", ops[op](tc["input"]))
                except MedshareError as e:
                    got = ("invalid", e.code)
                except Exception as e:  # noqa: BLE001 - a crash is a failure
                    got = ("crash", repr(e))
                want = ("valid", tc["output"]) if tc["result"] == "valid" else ("invalid", tc["error"])
                if got != want:
                    bad.append((op, tc["tcId"]))
    return bad


def test_vector_files_well_formed(files: list[dict[str, Any]]) -> None:
    ops = {f"{f['component']}.{f['operation']}" for f in files}
    assert {"zk.poseidon.hash", "zk.poseidon.permute", "zk.groth16.verify", "zk.circuits.policy_verify",
            "zk.circuits.data_verify"} <= ops
    for f in files:
        tests = [t for g in f["testGroups"] for t in g["tests"]]
        assert f["schema"] == "medshare/v1/vectors" and f["specVersion"] == SPEC_VERSION
        assert f["numberOfTests"] == len(tests) and [t["tcId"] for t in tests] == list(range(1, len(tests) + 1))
        assert sum(t["result"] == "invalid" for t in tests) >= 0.4 * len(tests)
        for t in tests:
            assert t["flags"] and all(fl in f["notes"] for fl in t["flags"])
            assert ("error" in t) == (t["result"] == "invalid")


def test_reference_passes(files: list[dict[str, Any]]) -> None:
    assert failures(files, load_ops()) == []


def test_mutants_killed(files: list[dict[str, Any]]) -> None:
    ops = load_ops()
    mutants = {n: m for n, m in load_mutants().items() if n.startswith("zk_")}
    assert set(mutants) == {"zk_no_subgroup_check", "zk_policy_ignores_nonce", "zk_poseidon_rp56",
                            "zk_public_inputs_mod_r", "zk_gate_threshold_wraps"}
    for name, m in mutants.items():
        assert failures(files, {**ops, **m["overrides"]}), f"mutant {name} survived"


def test_generation_is_deterministic(files: list[dict[str, Any]]) -> None:
    assert gen._poseidon_files() == files[:2]


@pytest.mark.parametrize("text", ["0x" + "00" * 31 + " 05", "0x" + "00" * 32 + "\n", "0x" + "0" * 63, "0x" + "AB" * 32])
def test_zk_handlers_read_scalars_as_strictly_as_the_spec(text: str) -> None:
    """A scalar is spec/codec's strict hex: no whitespace anywhere, even length, lower case."""
    from medshare.conformance.ops.zk import scalar

    assert scalar("0x" + "00" * 31 + "05") == 5
    with pytest.raises(MedshareError) as e:
        scalar(text)
    assert e.value.code == "BAD_HEX"
