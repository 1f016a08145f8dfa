"""The error registry matches spec/errors.md; the seeded RNG is the stream spec/rng.md defines."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from medshare.spec import errors
from medshare.spec.rng import RNG_DST, DeterministicRNG, SystemRNG, random_below

ROOT = Path(__file__).resolve().parents[2]


def test_errors_md_lists_every_code() -> None:
    text = (ROOT / "spec" / "errors.md").read_text()
    table = text.split("## Codes\n\n", 1)[1]
    assert table == errors.markdown_table(), "regenerate the table in spec/errors.md from markdown_table()"


def test_fail_raises_the_registered_class() -> None:
    with pytest.raises(errors.DecodeError) as e:
        errors.fail("POINT_NOT_IN_SUBGROUP", "x")
    assert e.value.code == "POINT_NOT_IN_SUBGROUP" and errors.category_of(e.value.code) == "decode"
    with pytest.raises(ValueError):
        errors.MedshareError("NO_SUCH_CODE")


def test_codes_are_upper_snake_case() -> None:
    for code in errors.CODES:
        assert code.replace("_", "").isalnum() and code.upper() == code


def test_deterministic_rng_is_sha256_counter_mode() -> None:
    seed = b"medshare"
    prefix = RNG_DST + len(seed).to_bytes(2, "big") + seed
    want = b"".join(hashlib.sha256(prefix + i.to_bytes(8, "big")).digest() for i in range(3))
    rng = DeterministicRNG(seed)
    got = rng.read(10) + rng.read(0) + rng.read(50) + rng.read(36)
    assert got == want
    assert DeterministicRNG(7).read(16) == DeterministicRNG((7).to_bytes(8, "big")).read(16)


def test_fork_is_independent_and_reproducible() -> None:
    a, b = DeterministicRNG(1).fork("x"), DeterministicRNG(1).fork("x")
    assert a.read(32) == b.read(32)
    assert DeterministicRNG(1).fork("y").read(32) != DeterministicRNG(1).fork("x").read(32)
    assert "fingerprint" in repr(a)


def test_random_below_is_in_range_and_uniformish() -> None:
    rng = DeterministicRNG(2)
    draws = [random_below(rng, 6) for _ in range(6000)]
    assert set(draws) == set(range(6))
    assert all(800 < draws.count(v) < 1200 for v in range(6))
    with pytest.raises(ValueError):
        random_below(rng, 0)


def test_system_rng_reads() -> None:
    r = SystemRNG()
    assert len(r.read(32)) == 32 and r.read(32) != r.read(32)
