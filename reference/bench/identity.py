"""Identity benchmarks: CBS sign / verify / batch verification and IBE reading encryption, with ratios measured in
the same run (docs/design.md §9).

* ``cbs.batch_verify`` per signature against one ``cbs.verify`` (target at most 0.2x), for a chain-like batch
  (many signatures by a few signers, as validators' votes and an institution's transactions) and for a batch in
  which every signature has its own signer (one Miller loop per signer cannot be shared);
* each operation against the native group operations it performs (hashes, multiplications, pairings);
* sign / verify / decrypt on the pure-Python backend against native.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from ...spec.crypto import cbs, ibe
from ...spec.rng import DeterministicRNG
from ..backends import get_group
from .timing import median_time, result

BATCH = 1000
BATCH_QUICK = 100
CHAIN_SIGNERS = 10


def _signed_batch(G: Any, authority: cbs.AuthorityKeyPair, n: int, signers: int,
                  rng: DeterministicRNG) -> list[cbs.BatchItem]:
    users = [cbs.keygen(G, rng) for _ in range(signers)]
    period = cbs.Period(0, 1 << 32)
    certs = [cbs.certify(G, authority, f"entity-{i}", u.pk, period) for i, u in enumerate(users)]
    items: list[cbs.BatchItem] = []
    for j in range(n):
        u, c = users[j % signers], certs[j % signers]
        m = b"tx %d" % j
        items.append((c.certified_key(), m, cbs.sign(G, u, c, m)))
    return items


def interleaved(fns: dict[str, Callable[[], Any]], *, reps: int, warmup: int = 1) -> dict[str, float]:
    """Median time of each function, sampled round-robin so that load changes on a shared machine hit every
    function alike and the ratios between them stay meaningful."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return {name: statistics.median(v) for name, v in samples.items()}


def run(quick: bool) -> list[dict[str, Any]]:
    G = get_group("native")
    rng = DeterministicRNG(b"bench/identity")
    reps = 30 if quick else 100
    out: list[dict[str, Any]] = []

    # set-up ------------------------------------------------------------------------------------------------
    a = G.random_zr(rng)
    p1, p2 = G.g1() * a, G.g2() * a
    authority = cbs.setup(G, rng)
    user = cbs.keygen(G, rng)
    cert = cbs.certify(G, authority, "mi-0001", user.pk, cbs.Period(0, 1000))
    key = cert.certified_key()
    msg = b"publish record r-17"
    sig = cbs.sign(G, user, cert, msg)
    master = ibe.setup(G, rng)
    idkey = ibe.extract(G, master, "mi-0001", 1)
    reading = bytes(64)
    ct = ibe.encrypt_reading(G, master.p_pub, "mi-0001", 1, "ecg-3", 7, reading, rng)
    erng = rng.fork("ibe encrypt")

    # single operations and the group operations they are made of, sampled together ---------------------------
    t = interleaved({
        "hash_to_g1": lambda: G.hash_to_g1(b"bench message", cbs.DST_MSG),
        "g1_mul": lambda: p1 * a,
        "g2_mul": lambda: p2 * a,
        "pairing": lambda: G.pair(p1, p2),
        "pairing_check_2": lambda: G.pairing_check([(p1, p2)] * 2),
        "pairing_check_3": lambda: G.pairing_check([(p1, p2)] * 3),
        "cbs.sign": lambda: cbs.sign(G, user, cert, msg),
        "cbs.verify": lambda: cbs.verify(G, authority.pk, key, msg, sig, at=5),
        "ibe.encrypt_reading": lambda: ibe.encrypt_reading(G, master.p_pub, "mi-0001", 1, "ecg-3", 7, reading,
                                                           erng),
        "ibe.decrypt_reading": lambda: ibe.decrypt_reading(G, idkey, ct),
        "ibe.verify_identity_key": lambda: ibe.verify_identity_key(G, master.p_pub, idkey),
    }, reps=reps)
    h = t["hash_to_g1"]
    out.append(result("cbs.sign", "native", t["cbs.sign"], over_native_ops=t["cbs.sign"] / (h + t["g1_mul"])))
    out.append(result("cbs.verify", "native", t["cbs.verify"],
                      over_native_ops=t["cbs.verify"] / (2 * h + t["pairing_check_3"]),
                      over_pairing=t["cbs.verify"] / t["pairing"]))
    enc_ops = h + t["g1_mul"] + t["g2_mul"] + t["pairing"]
    out.append(result("ibe.encrypt_reading", "native", t["ibe.encrypt_reading"],
                      over_native_ops=t["ibe.encrypt_reading"] / enc_ops,
                      over_pairing=t["ibe.encrypt_reading"] / t["pairing"]))
    out.append(result("ibe.decrypt_reading", "native", t["ibe.decrypt_reading"],
                      over_native_ops=t["ibe.decrypt_reading"] / t["pairing"]))
    out.append(result("ibe.verify_identity_key", "native", t["ibe.verify_identity_key"],
                      over_native_ops=t["ibe.verify_identity_key"] / (h + t["pairing_check_2"])))

    # batch verification against single verification, sampled together ----------------------------------------
    n = BATCH_QUICK if quick else BATCH
    singles = 10
    for label, signers in ((f"{CHAIN_SIGNERS}_signers", CHAIN_SIGNERS), ("distinct_signers", n)):
        items = _signed_batch(G, authority, n, signers, rng.fork(label))
        brng = rng.fork("coefficients " + label)
        bt = interleaved({
            "batch": lambda items=items, brng=brng: cbs.batch_verify(G, authority.pk, items, at=5, rng=brng),
            "singles": lambda items=items: [cbs.verify(G, authority.pk, k, m, s, at=5)
                                            for k, m, s in items[:singles]],
        }, reps=3)
        per_sig = bt["batch"] / n
        out.append(result(f"cbs.batch_verify_{n}_{label}", "native", bt["batch"],
                          per_signature_over_verify=per_sig / (bt["singles"] / singles),
                          per_signature_over_hash_to_g1=per_sig / h))

    # the pure-Python reference backend, one run each -----------------------------------------------------------
    R = get_group("pure")
    r_user = cbs.UserKeyPair.from_bytes(R, user.to_bytes())
    r_cert = cbs.Certificate.from_bytes(R, cert.to_bytes())
    r_mpk = cbs.decode_public_key(R, authority.pk.to_bytes())
    r_sig = cbs.sign(R, r_user, r_cert, msg)
    r_key = ibe.IdentityKey.from_bytes(R, idkey.to_bytes())
    r_ct = ibe.ReadingCiphertext.from_bytes(R, ct.to_bytes())
    pure = {
        "cbs.sign": median_time(lambda: cbs.sign(R, r_user, r_cert, msg), reps=1, warmup=0),
        "cbs.verify": median_time(lambda: cbs.verify(R, r_mpk, r_cert.certified_key(), msg, r_sig, at=5), reps=1,
                                  warmup=0),
        "ibe.decrypt_reading": median_time(lambda: ibe.decrypt_reading(R, r_key, r_ct), reps=1, warmup=0),
    }
    for name, t_pure in pure.items():
        out.append(result(name, "pure", t_pure, reference_over_native=t_pure / t[name]))
    for name in ("hash_to_g1", "g1_mul", "g2_mul", "pairing", "pairing_check_2", "pairing_check_3"):
        out.append(result(f"identity.{name}", "native", t[name]))
    return out
