"""The Groth16 key cache (reference/protocol/keycache.py): keyed by the circuit's hash, kept in the user's cache
directory, never trusted when damaged, and the keys read back prove and verify like the ones made."""

from __future__ import annotations

from pathlib import Path

import pytest
from medshare.reference.protocol import keycache
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import groth16
from medshare.spec.zk.r1cs import Circuit


def _circuit(k: int, squares: int = 0) -> Circuit:
    cs = Circuit()
    pub = cs.public(k * 4)
    cs.assert_equal(cs.mul(cs.private(k), cs.private(4)), pub)
    for _ in range(squares):
        x = cs.private(2)
        cs.mul(x, x)
    return cs


def test_keys_are_made_once_then_read_back(native, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEDSHARE_CACHE", str(tmp_path))
    cs = _circuit(3)
    r1cs = cs.to_r1cs()
    made: list[int] = []

    def make() -> groth16.ProvingKey:
        made.append(1)
        return groth16.setup_for_tests(native, r1cs, DeterministicRNG(b"setup"))

    first = keycache.cached_keys(native, r1cs, "seed", make)
    again = keycache.cached_keys(native, r1cs, "seed", make)
    assert made == [1] and again == first
    (path,) = (tmp_path / "groth16").iterdir()
    assert path.name.startswith(keycache.circuit_hash(r1cs)[:32])
    proof = groth16.prove(native, again, cs.witness(), DeterministicRNG(b"prove"))
    groth16.verify(native, first.vk, [12], proof)

    # another seed or another circuit is another entry
    keycache.cached_keys(native, r1cs, "other", make)
    other = _circuit(3, squares=1).to_r1cs()
    assert keycache.circuit_hash(other) != keycache.circuit_hash(r1cs)
    keycache.cached_keys(native, other, "seed", lambda: groth16.setup_for_tests(native, other, DeterministicRNG(b"s")))
    assert made == [1, 1] and len(list((tmp_path / "groth16").iterdir())) == 3

    # a damaged file is ignored and written anew
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    assert keycache.cached_keys(native, r1cs, "seed", make) == first and len(made) == 3
    assert keycache.decode(native, r1cs, path.read_bytes()) == first
    assert keycache.decode(native, r1cs, path.read_bytes()[:100]) is None


def test_cache_can_be_turned_off(native, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEDSHARE_CACHE", "off")
    assert keycache.cache_dir() is None
    assert keycache.cached_blob("x", b"k", lambda: b"value") == b"value"
    monkeypatch.setenv("MEDSHARE_CACHE", str(tmp_path))
    calls: list[int] = []

    def make() -> bytes:
        calls.append(1)
        return b"proof bytes"

    assert keycache.cached_blob("proof", b"key", make) == keycache.cached_blob("proof", b"key", make) == b"proof bytes"
    assert calls == [1]
    monkeypatch.delenv("MEDSHARE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert keycache.cache_dir() == tmp_path / "xdg" / "medshare"
