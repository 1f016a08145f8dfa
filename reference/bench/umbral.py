"""Umbral benchmarks: every operation of spec/crypto/umbral.py against the peer ``umbral-pre`` 0.11 doing the same
work in the same run (ratio medshare / umbral-pre; the target is at most 3), and against the cost of one
secp256k1 point multiplication (libsecp256k1 through coincurve)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...spec.crypto import umbral as um
from ...spec.crypto.secp256k1 import Point
from ...spec.rng import DeterministicRNG
from .timing import median_time, result

THRESHOLD, SHARES = 2, 3
PLAINTEXT = b"medshare content key and record header " * 4  # 156 bytes
TARGET = 3.0


def _operations() -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """name -> (medshare, umbral-pre), both on the same keys and equivalent inputs."""
    import umbral_pre as up

    rng = DeterministicRNG(b"bench/umbral")
    a, b, s = (um.SecretKey.random(rng) for _ in range(3))
    A, B, signer = a.public_key(), b.public_key(), um.Signer(s)
    S = signer.verifying_key()
    pa, pb = up.SecretKey.from_be_bytes(a.to_bytes()), up.SecretKey.from_be_bytes(b.to_bytes())
    psigner = up.Signer(up.SecretKey.from_be_bytes(s.to_bytes()))
    pA, pB, pS = pa.public_key(), pb.public_key(), psigner.verifying_key()

    capsule, ciphertext = um.encrypt(A, PLAINTEXT, rng)
    pcapsule = up.Capsule.from_bytes(capsule.to_bytes())
    kfrags = um.generate_kfrags(a, B, signer, THRESHOLD, SHARES, True, True, rng)
    pkfrags = [up.KeyFrag.from_bytes(k.to_bytes()) for k in kfrags]
    pvkfrags = [k.verify(pS, pA, pB) for k in pkfrags]
    cfrags = [um.reencrypt(capsule, k, rng) for k in kfrags[:THRESHOLD]]
    pcfrags = [up.reencrypt(pcapsule, k) for k in pvkfrags[:THRESHOLD]]
    pcfrag0 = pcfrags[0].unverify()
    capsule_bytes, cfrag_bytes = capsule.to_bytes(), cfrags[0].to_bytes()

    return {
        "encrypt": (lambda: um.encrypt(A, PLAINTEXT, rng), lambda: up.encrypt(pA, PLAINTEXT)),
        "decrypt_original": (lambda: um.decrypt_original(a, capsule, ciphertext),
                             lambda: up.decrypt_original(pa, pcapsule, ciphertext)),
        f"generate_kfrags_t{THRESHOLD}_n{SHARES}": (
            lambda: um.generate_kfrags(a, B, signer, THRESHOLD, SHARES, True, True, rng),
            lambda: up.generate_kfrags(pa, pB, psigner, THRESHOLD, SHARES, True, True)),
        "verify_kfrag": (lambda: um.verify_kfrag(kfrags[0].kfrag, S, A, B), lambda: pkfrags[0].verify(pS, pA, pB)),
        "reencrypt": (lambda: um.reencrypt(capsule, kfrags[0], rng), lambda: up.reencrypt(pcapsule, pvkfrags[0])),
        "verify_cfrag": (lambda: um.verify_cfrag(cfrags[0].cfrag, capsule, S, A, B),
                         lambda: pcfrag0.verify(pcapsule, pS, pA, pB)),
        f"decrypt_reencrypted_t{THRESHOLD}": (
            lambda: um.decrypt_reencrypted(b, A, capsule, cfrags, ciphertext),
            lambda: up.decrypt_reencrypted(pb, pA, pcapsule, pcfrags, ciphertext)),
        "capsule_decode": (lambda: um.Capsule.from_bytes(capsule_bytes),
                           lambda: up.Capsule.from_bytes(capsule_bytes)),
        "cfrag_decode": (lambda: um.CapsuleFrag.from_bytes(cfrag_bytes),
                         lambda: up.CapsuleFrag.from_bytes(cfrag_bytes)),
    }


def run(quick: bool) -> list[dict[str, Any]]:
    reps = 30 if quick else 300
    point, k = Point.mul_base(0x1234567), 0xC0FFEE << 200
    point_mul = median_time(lambda: point * k, reps=reps * 3, warmup=5)
    out = [result("umbral.point_mul", "coincurve", point_mul)]
    for name, (ours, theirs) in _operations().items():
        t_ours = median_time(ours, reps=reps, warmup=3)
        t_peer = median_time(theirs, reps=reps, warmup=3)
        ratio = t_ours / t_peer
        out.append(result(f"umbral.{name}", "medshare", t_ours, over_umbral_pre=ratio, point_muls=t_ours / point_mul,
                          within_target=float(ratio <= TARGET)))
        out.append(result(f"umbral.{name}", "umbral-pre", t_peer, point_muls=t_peer / point_mul))
    return out
