"""Where a deployment's keys come from: the operating system's randomness unless a seed is given, and a seeded
deployment (vectors, tests, the demo) says that it is not for production."""

from __future__ import annotations

from medshare.reference.protocol.scenario import key_source
from medshare.reference.testbed import Workload, get_group, make_deployment
from medshare.spec.chain.tx import SHC


def test_keys_come_from_the_operating_system_by_default() -> None:
    g = get_group("native")
    a, b = make_deployment(g, n_mdc=1, n_shc=1), make_deployment(g, n_mdc=1, n_shc=1)
    assert a.authority_keys.pk != b.authority_keys.pk
    assert a.signer("mdc-v0").public_key() != b.signer("mdc-v0").public_key()
    assert a.key_source == b.key_source == "operating system randomness"
    w1, w2 = Workload(a), Workload(a)
    assert w1.key_source == "operating system randomness"
    k1 = w1.register(SHC, "ri-x", "RI")[1].arg("public_key")
    k2 = w2.register(SHC, "ri-x", "RI")[1].arg("public_key")
    assert k1 != k2


def test_a_seeded_deployment_is_reproducible_and_says_so() -> None:
    g = get_group("native")
    a, b = make_deployment(g, "demo/3", n_mdc=1, n_shc=1), make_deployment(g, "demo/3", n_mdc=1, n_shc=1)
    assert a.authority_keys.pk == b.authority_keys.pk
    assert a.key_source == "deterministic seed demo/3 (not for production)"
    assert Workload(a, "w").key_source == "deterministic seed w (not for production)"
    assert key_source(3) == "deterministic seed 3 (not for production)"
