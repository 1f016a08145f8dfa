"""The FAME benchmark's operation counts (no timing): the counting proxy sees exactly the group operations the
spec's algorithms describe."""

from __future__ import annotations

from medshare.reference.bench.counting import CountingGroup
from medshare.reference.bench.fame import count_ops
from medshare.reference.testbed import get_group
from medshare.spec.crypto import fame
from medshare.spec.policy import Policy
from medshare.spec.rng import DeterministicRNG


def test_counts_follow_the_algorithms() -> None:
    n = 3
    counts = count_ops(n)
    # keygen: sk0 (3 G2 muls); per attribute and for sk': 6 hashes, 2 MSMs of 4; sk_{y,3} and sk'_3 one mul each
    assert counts["keygen"] == {"g2_mul": 3, "hash_to_g1": 6 * (n + 1), "msm_g1_4": 2 * (n + 1),
                                "g1_mul": n + 1, "g1_add": 3}
    # encrypt (and of n: n columns, Lewko-Waters chain): ct0, distinct hashes once, one MSM per cell, the mask
    assert counts["encrypt"]["g2_mul"] == 3 and counts["encrypt"]["gt_exp"] == 2
    assert counts["encrypt"]["hash_to_g1"] == 6 * n + 6 * n
    assert sum(v for k, v in counts["encrypt"].items() if k.startswith("msm_g1_")) == 3 * n
    # decrypt: 6 MSMs with coefficients 1 and one 6-pair multi-pairing
    assert counts["decrypt"] == {f"msm_g1_{n + 1}_ones": 3, f"msm_g1_{n}_ones": 3, "g1_neg": 3,
                                 "multi_pairing_6": 1}


def test_counting_group_is_transparent() -> None:
    C = CountingGroup(get_group("native"))
    rng = DeterministicRNG(b"counting")
    pk, msk = fame.setup(C, rng)
    sk = fame.keygen(C, msk, ["a", "b"], rng)
    key, ct = fame.encrypt(C, pk, Policy.of("a or b"), rng)
    assert fame.decrypt(C, sk, ct) == key
    native = get_group("native")
    rng = DeterministicRNG(b"counting")
    pk2, msk2 = fame.setup(native, rng)
    sk2 = fame.keygen(native, msk2, ["a", "b"], rng)
    assert sk2.to_bytes() == fame.AttributeKey(sk.k0, sk.attributes, sk.kp).to_bytes()
