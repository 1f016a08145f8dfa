"""Phase-2 contributions (spec/zk/ceremony.py) without node: snarkjs's hashToG2 known answers, a contribution keeps
the key consistent and moves only delta, L and H, the chain verifies and every tampering is CONTRIBUTION_INVALID.
tests/peers/test_snarkjs.py checks the same against snarkjs's own contribute and verify."""

from __future__ import annotations

import hashlib

import attrs
import pytest
from medshare.reference.testbed import get_group
from medshare.spec.errors import MedshareError
from medshare.spec.group import PairingGroup
from medshare.spec.rng import DeterministicRNG, SystemRNG
from medshare.spec.zk import ceremony, formats, groth16
from medshare.spec.zk.r1cs import Circuit

#: ``hashToG2`` of snarkjs 0.7.6 (node_modules/snarkjs/src/keypair.js) on 64 zero bytes and on bytes 0..63, as
#: ``curve.G2.toRprUncompressed`` writes the point
HASH_TO_G2 = {
    bytes(64): "01db4a3b72b7e09ae15918061d2e02110926be25716c1b1614f3ef88be59c57ce58308bf3606159e33d845144350d924"
               "13f6c72ded114c2f55c291abdf68b032c7adb95c91dd3411606b7870703fd9d08c0e5c711d850611860c07522ec6cb00"
               "05633798cffebe08ca83b1ac89851a96acdb4e34cd1ebc902d5a62fbcca8abfafd3581a17a6dd9f3026578eef578cc1c"
               "12cca5c9e7e975092de2ceab7b7c82c0ab3c8875ac9f667525393a3786b282de9b7d84fb51ea0e235a4bb30367ccffe7",
    bytes(range(64)): "161619e314602b565dabfe1a1729c229bf45bf29977f99ab88403e1ccf27793bc64d0d852853e7d5d4be7f0cd32dc95e"
                      "037ff5781e576ab4707b78997770b29a433b65f13f2976bd29dea388175d4f602d048fd5e3802d309047278bfd6499d6"
                      "0466c63eee161adff05a6ef277f95a9dd3377d505756632eb4310be7f05a043ed2fdb5462abca9cb5db9dbcb7fc88e58"
                      "166db2c612d1b033e16cdd2b90e37eccc463908b623ee8da47907a6c1ebcddad50b1c807265fa76d52139f5296feb9a5",
}


def circuit() -> Circuit:
    cs = Circuit()
    x = cs.public(4)
    t = cs.mul(x, x)
    cs.mul(cs.private(9), t + 1)
    return cs


@pytest.fixture(scope="module")
def G() -> PairingGroup:
    return get_group("native")


@pytest.fixture(scope="module")
def base(G: PairingGroup) -> formats.Zkey:
    return formats.as_zkey(G, groth16.setup_for_tests(G, circuit().to_r1cs(), DeterministicRNG(b"ceremony")))


def test_hash_to_g2_is_snarkjs(G: PairingGroup) -> None:
    for transcript, expected in HASH_TO_G2.items():
        assert ceremony.hash_g2(G, ceremony.hash_to_g2(G, transcript)).hex() == expected


def test_a_contribution_moves_delta_l_and_h_only(G: PairingGroup, base: formats.Zkey) -> None:
    cs = circuit()
    z = cs.witness()
    key, digest = ceremony.contribute(G, base, DeterministicRNG(b"contributor 1"), name="hospital A")
    pk, old = key.pk, base.pk
    assert (pk.vk.alpha_g1, pk.vk.beta_g2, pk.vk.gamma_g2, pk.vk.ic) == (old.vk.alpha_g1, old.vk.beta_g2,
                                                                         old.vk.gamma_g2, old.vk.ic)
    assert (pk.a_g1, pk.b_g1, pk.b_g2, pk.beta_g1) == (old.a_g1, old.b_g1, old.b_g2, old.beta_g1)
    assert pk.vk.delta_g2 != old.vk.delta_g2 and pk.h_g1 != old.h_g1 and pk.l_g1 != old.l_g1
    (c,) = key.contributions
    assert c.name == "hospital A" and c.delta_after == pk.delta_g1 and len(c.transcript) == 64
    assert digest == hashlib.blake2b(ceremony.public_key_bytes(G, c), digest_size=64).digest()
    proof = groth16.prove(G, pk, z, DeterministicRNG(b"prove"))
    public = cs.to_r1cs().public_inputs(z)
    groth16.verify(G, pk.vk, public, proof)
    assert not groth16.is_valid(G, old.vk, public, proof)
    assert ceremony.verify_contributions(G, key, initial_delta=old.delta_g1) == [digest]


def test_chain_of_contributions_survives_export_and_import(G: PairingGroup, base: formats.Zkey) -> None:
    one, h1 = ceremony.contribute(G, base, DeterministicRNG(b"contributor 1"))
    two, h2 = ceremony.contribute(G, one, DeterministicRNG(b"contributor 2"), name="hospital B")
    data = formats.zkey_to_snarkjs(G, two)
    back = formats.zkey_from_snarkjs(G, data, base.pk.r1cs)
    assert back == two and back.contributions[0].name == "" and back.contributions[1].name == "hospital B"
    assert ceremony.verify_contributions(G, back, initial_delta=base.pk.delta_g1) == [h1, h2]
    assert two.contributions[1].transcript == ceremony.transcript(G, base.cs_hash, two.contributions[:1],
                                                                  two.contributions[1].g1_s,
                                                                  two.contributions[1].g1_sx)


def test_tampered_contributions_are_refused(G: PairingGroup, base: formats.Zkey) -> None:
    key, _ = ceremony.contribute(G, base, DeterministicRNG(b"contributor 1"))
    (c,) = key.contributions
    other = G.g1() * 5
    bad = {
        "transcript": attrs.evolve(key, contributions=(attrs.evolve(c, transcript=bytes(64)),)),
        "G2 half of the public key": attrs.evolve(key, contributions=(attrs.evolve(c, g2_spx=c.g2_spx * 2),)),
        "delta after": attrs.evolve(key, contributions=(attrs.evolve(c, delta_after=other),)),
        "the key's delta": attrs.evolve(key, pk=attrs.evolve(key.pk, delta_g1=other)),
    }
    for name, k in bad.items():
        with pytest.raises(MedshareError) as e:
            ceremony.verify_contributions(G, k, initial_delta=base.pk.delta_g1)
        assert e.value.code == "CONTRIBUTION_INVALID", name
    with pytest.raises(MedshareError) as e:  # from delta = 1 (a snarkjs setup) the chain does not start here
        ceremony.verify_contributions(G, key)
    assert e.value.code == "CONTRIBUTION_INVALID"
    with pytest.raises(MedshareError) as e:
        ceremony.contribute(G, base, DeterministicRNG(b"x"), name="n" * 65)
    assert e.value.code == "INVALID_ARGUMENT"


def snarkjs_setup_key(G: PairingGroup, cs: Circuit, seed: bytes) -> formats.Zkey:
    """A key shaped like ``snarkjs groth16 setup``'s: gamma = delta = 1 (no contribution yet)."""
    r1cs = cs.to_r1cs()
    td = groth16.derive_trapdoor(G, r1cs, DeterministicRNG(seed))
    return formats.as_zkey(G, groth16.setup_with_trapdoor(G, r1cs, groth16.Trapdoor(td.tau, td.alpha, td.beta, 1,
                                                                                     1)))


def test_a_ceremony_key_needs_a_contribution(G: PairingGroup) -> None:
    """``import_key``: a setup key (delta = 1) is refused — with gamma = delta anyone moves public-input terms into
    C —, the same key after a contribution is taken, and a chain that does not start at delta = 1 is refused."""
    cs = circuit()
    r1cs = cs.to_r1cs()
    setup = snarkjs_setup_key(G, cs, b"ceremony setup")
    with pytest.raises(MedshareError) as e:
        ceremony.import_key(G, formats.zkey_to_snarkjs(G, setup), r1cs)
    assert e.value.code == "CONTRIBUTION_INVALID"
    contributed, digest = ceremony.contribute(G, setup, SystemRNG(), name="deployment")
    key = ceremony.import_key(G, formats.zkey_to_snarkjs(G, contributed), r1cs)
    assert key.pk.vk == contributed.pk.vk and ceremony.verify_contributions(G, key) == [digest]
    seeded, _ = ceremony.contribute(G, formats.as_zkey(G, groth16.setup_for_tests(G, r1cs, DeterministicRNG(b"s"))),
                                    SystemRNG())
    with pytest.raises(MedshareError) as e:
        ceremony.import_key(G, formats.zkey_to_snarkjs(G, seeded), r1cs)
    assert e.value.code == "CONTRIBUTION_INVALID"


@pytest.mark.slow
def test_policy_key_import(G: PairingGroup) -> None:
    """``protocol.import_policy_key`` reads a ceremony key of the policy circuit (about half a minute: every point
    is decoded with its subgroup check) and its proofs verify under the imported key."""
    from medshare.spec.protocol import protocol

    r1cs = protocol.policy_r1cs()
    td = groth16.derive_trapdoor(G, r1cs, DeterministicRNG(b"policy ceremony"))
    setup = formats.as_zkey(G, groth16.setup_with_trapdoor(G, r1cs, groth16.Trapdoor(td.tau, td.alpha, td.beta, 1,
                                                                                     1)))
    contributed, _ = ceremony.contribute(G, setup, SystemRNG())
    key = protocol.import_policy_key(G, formats.zkey_to_snarkjs(G, contributed))
    assert key.pk.vk == contributed.pk.vk and len(key.contributions) == 1
