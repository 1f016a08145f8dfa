"""Randomness, passed explicitly to every randomized algorithm (spec/rng.md).

``DeterministicRNG`` is the seeded generator for tests and vectors: SHA-256 in counter mode over a seed and a
label, so every vector is a byte-exact known answer. ``SystemRNG`` reads the OS CSPRNG for real use.
"""

from __future__ import annotations

import hashlib
import os
from typing import Protocol

RNG_DST = b"MEDSHARE-V1-RNG"


class RNG(Protocol):
    """A source of uniformly random bytes."""

    def read(self, n: int) -> bytes: ...

    def fork(self, label: str) -> RNG: ...


class DeterministicRNG:
    """block_i = SHA-256(RNG_DST || u16(len(seed)) || seed || u64(i)); the stream is block_0 || block_1 || ..."""

    def __init__(self, seed: bytes | int | str) -> None:
        if isinstance(seed, int):
            seed = seed.to_bytes(8, "big", signed=False)
        elif isinstance(seed, str):
            seed = seed.encode()
        if len(seed) > 0xFFFF:
            raise ValueError("seed longer than 65535 bytes")
        self._prefix = RNG_DST + len(seed).to_bytes(2, "big") + seed
        self._seed = seed
        self._counter = 0
        self._buffer = b""

    def read(self, n: int) -> bytes:
        if n < 0:
            raise ValueError("negative length")
        while len(self._buffer) < n:
            block = hashlib.sha256(self._prefix + self._counter.to_bytes(8, "big")).digest()
            self._buffer += block
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def fork(self, label: str) -> DeterministicRNG:
        """An independent stream: seed' = SHA-256(RNG_DST || "/fork/" || seed || 0x00 || label)."""
        return DeterministicRNG(hashlib.sha256(RNG_DST + b"/fork/" + self._seed + b"\x00" + label.encode()).digest())

    def __repr__(self) -> str:
        return f"DeterministicRNG(fingerprint={hashlib.sha256(self._seed).hexdigest()[:12]})"


class SystemRNG:
    """The operating system's CSPRNG (``os.urandom``)."""

    def read(self, n: int) -> bytes:
        return os.urandom(n)

    def fork(self, label: str) -> SystemRNG:
        return self

    def __repr__(self) -> str:
        return "SystemRNG()"


def random_below(rng: RNG, bound: int) -> int:
    """A uniform integer in [0, bound) by rejection sampling on ceil(bits/8) bytes, top bits masked."""
    if bound <= 0:
        raise ValueError("bound must be positive")
    bits = (bound - 1).bit_length()
    nbytes = max(1, (bits + 7) // 8)
    mask = (1 << bits) - 1 if bits else 0
    while True:
        x = int.from_bytes(rng.read(nbytes), "big") & mask
        if x < bound:
            return x
