"""The policy circuit's Groth16 keys cached on disk, keyed by the circuit's hash (and the set-up seed).

Making the keys (``protocol.setup_policy_circuit``) takes about ten seconds; every process that replays sharing
traces, runs the scenario or benchmarks the protocol needs them. They are written once into the user's cache
directory (``$MEDSHARE_CACHE``, else ``$XDG_CACHE_HOME/medshare``, else ``~/.cache/medshare``; never the package
folder) as ``groth16/<circuit hash>-<seed hash>.bin`` and read back in a fraction of a second.

The file holds the verifying key in its canonical encoding and the proving key's points as affine coordinates,
followed by the SHA-256 of everything before it: a truncated or corrupted file is ignored and rewritten. Points
are read without the curve and subgroup checks of strict decoding (it is this process's own cache, and the
checks would cost seconds); only the native backend is cached on disk, others make the keys in memory.

Set ``MEDSHARE_CACHE=off`` to turn the disk cache off.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import py_arkworks_bls12381 as ark

from ...spec.codec import Reader
from ...spec.errors import MedshareError
from ...spec.group import PairingGroup
from ...spec.zk.formats import r1cs_to_circom
from ...spec.zk.groth16 import ProvingKey, VerifyingKey
from ...spec.zk.r1cs import R1CS
from ..backends.native import NativeG1, NativeG2, NativeGroup

MAGIC = b"medshare/groth16-cache/2\n"  # 2: h_g1 holds snarkjs's H points (spec/zk/groth16.py)
_G1_XY, _G2_XY = 96, 192


def cache_dir() -> Path | None:
    """The medshare cache directory, or None when ``MEDSHARE_CACHE=off``."""
    env = os.environ.get("MEDSHARE_CACHE")
    if env is not None:
        return None if env.strip().lower() in ("off", "0", "") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "medshare"


def circuit_hash(r1cs: R1CS) -> str:
    """SHA-256 (hex) of the circuit's circom ``.r1cs`` encoding."""
    return hashlib.sha256(r1cs_to_circom(r1cs)).hexdigest()


def _points(pts: Sequence[Any]) -> bytes:
    return len(pts).to_bytes(4, "big") + b"".join(bytes(p.p.to_xy_bytes_be()) for p in pts)


def encode(pk: ProvingKey) -> bytes:
    body = bytearray(MAGIC)
    vk = pk.vk.to_bytes()
    body += len(vk).to_bytes(4, "big") + vk + pk.log_n.to_bytes(4, "big")
    for pts in ((pk.beta_g1, pk.delta_g1), pk.a_g1, pk.b_g1, pk.b_g2, pk.l_g1, pk.h_g1):
        body += _points(pts)
    return bytes(body) + hashlib.sha256(body).digest()


def decode(group: PairingGroup, r1cs: R1CS, data: bytes) -> ProvingKey | None:
    """The proving key in ``data``, or None if the file is not a whole, intact cache file."""
    if len(data) < len(MAGIC) + 32 or not data.startswith(MAGIC):
        return None
    body, digest = data[:-32], data[-32:]
    if hashlib.sha256(body).digest() != digest:
        return None
    try:
        r = Reader(body[len(MAGIC):])
        vk = VerifyingKey.from_bytes(group, r.blob())
        log_n = r.u32()

        def points(make: Callable[[bytes], Any], size: int) -> tuple[Any, ...]:
            n = r.u32()
            raw = r.take(n * size)
            return tuple(make(raw[i * size:(i + 1) * size]) for i in range(n))

        def g1(b: bytes) -> NativeG1:
            return NativeG1(ark.G1Point.from_xy_bytes_unchecked_be(b))

        def g2(b: bytes) -> NativeG2:
            return NativeG2(ark.G2Point.from_xy_bytes_unchecked_be(b))

        beta_g1, delta_g1 = points(g1, _G1_XY)
        a_g1, b_g1, b_g2 = points(g1, _G1_XY), points(g1, _G1_XY), points(g2, _G2_XY)
        l_g1, h_g1 = points(g1, _G1_XY), points(g1, _G1_XY)
        r.end()
    except (MedshareError, ValueError):
        return None
    if vk.n_public != r1cs.n_public or len(a_g1) != r1cs.n_vars:
        return None
    return ProvingKey(vk, r1cs, log_n, beta_g1, delta_g1, a_g1, b_g1, b_g2, l_g1, h_g1)


def cached_keys(group: PairingGroup, r1cs: R1CS, seed: str, make: Callable[[], ProvingKey]) -> ProvingKey:
    """The keys of ``r1cs`` for ``seed`` from the disk cache, else ``make()`` them and store them."""
    root = cache_dir()
    if root is None or not isinstance(group, NativeGroup):
        return make()
    path = root / "groth16" / f"{circuit_hash(r1cs)[:32]}-{hashlib.sha256(seed.encode()).hexdigest()[:16]}.bin"
    try:
        pk = decode(group, r1cs, path.read_bytes())
    except OSError:
        pk = None
    if pk is not None:
        return pk
    pk = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as f:
            f.write(encode(pk))
        os.replace(f.name, path)
    except OSError:  # a read-only home: the keys still work, they are just not kept
        pass
    return pk


def cached_blob(kind: str, key: bytes, make: Callable[[], bytes]) -> bytes:
    """A deterministic byte string (a Groth16 proof, …) from the disk cache under ``kind``/SHA-256(``key``),
    else ``make()`` it and store it. The caller keys it on everything the bytes depend on and checks them where
    they are used (a stale or altered proof fails verification), so a wrong entry cannot pass unnoticed."""
    root = cache_dir()
    if root is None:
        return make()
    path = root / kind / (hashlib.sha256(key).hexdigest()[:40] + ".bin")
    try:
        data = path.read_bytes()
        if len(data) >= 32 and hashlib.sha256(data[:-32]).digest() == data[-32:]:
            return data[:-32]
    except OSError:
        pass
    value = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as f:
            f.write(value + hashlib.sha256(value).digest())
        os.replace(f.name, path)
    except OSError:
        pass
    return value
