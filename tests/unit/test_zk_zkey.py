"""The snarkjs ``.zkey`` export (formats.zkey_to_snarkjs) read back without node: layout, Montgomery encodings,
the coset H points against medshare's quotient, and the trapdoor binding. The peer tests in
tests/peers/test_snarkjs.py run snarkjs on the exported file."""

from __future__ import annotations

import pytest
from medshare.spec import group as group_api
from medshare.spec.errors import MedshareError
from medshare.spec.group import G1Element, PairingGroup
from medshare.spec.params import P, R
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import field, formats, groth16
from medshare.spec.zk.r1cs import R1CS, Circuit, evaluate


def small_circuit() -> Circuit:
    """Two public inputs, a few products, one constant-coefficient term: 8 rows, a 2^3 domain (exactly full)."""
    cs = Circuit()
    x = cs.public(3)
    y = cs.public(3 * 3 * 3 + 5)
    t = cs.mul(x, x)
    u = cs.mul(t, x + 0)
    cs.assert_equal(u + 5, y)
    cs.mul(u, t - 7)
    cs.mul(cs.private(11), x * 2 + 1)
    return cs


def sections(data: bytes) -> dict[int, bytes]:
    assert data[:4] == b"zkey" and int.from_bytes(data[4:8], "little") == 1
    count, off, out = int.from_bytes(data[8:12], "little"), 12, {}
    for _ in range(count):
        kind, size = int.from_bytes(data[off:off + 4], "little"), int.from_bytes(data[off + 4:off + 12], "little")
        out[kind] = data[off + 12:off + 12 + size]
        off += 12 + size
    assert off == len(data) and len(out) == count
    return out


def g1_from_lem(group: PairingGroup, raw: bytes) -> G1Element:
    if not any(raw):
        return group.identity_g1()
    mi = pow(formats.MONT_Q, -1, P)
    x, y = (int.from_bytes(raw[i:i + 48], "little") * mi % P for i in (0, 48))
    return formats.g1_from_affine(group, x, y, allow_identity=False)


def g1_list(group: PairingGroup, body: bytes) -> list[G1Element]:
    assert len(body) % 96 == 0
    return [g1_from_lem(group, body[i:i + 96]) for i in range(0, len(body), 96)]


@pytest.fixture(scope="module")
def keyed() -> tuple[R1CS, list[int], groth16.ProvingKey, groth16.Trapdoor, dict[int, bytes]]:
    from medshare.reference.testbed import get_group

    group = get_group("native")
    cs = small_circuit()
    r1cs = cs.to_r1cs()
    td = groth16.derive_trapdoor(group, r1cs, DeterministicRNG(b"zkey-unit"))
    pk = groth16.setup(group, r1cs, DeterministicRNG(b"zkey-unit"))
    return r1cs, cs.witness(), pk, td, sections(formats.zkey_to_snarkjs(group, pk, td))


def test_setup_is_setup_with_the_derived_trapdoor(native: PairingGroup) -> None:
    r1cs = small_circuit().to_r1cs()
    td = groth16.derive_trapdoor(native, r1cs, DeterministicRNG(b"same"))
    a = groth16.setup(native, r1cs, DeterministicRNG(b"same"))
    b = groth16.setup_with_trapdoor(native, r1cs, td)
    assert a.vk.to_bytes() == b.vk.to_bytes() and a.h_g1 == b.h_g1 and a.l_g1 == b.l_g1
    assert a.vk.alpha_g1 == native.g1() * td.alpha and pow(td.tau, 2 << a.log_n, R) != 1
    assert str(td.tau) not in repr(td) and "fingerprint" in repr(td)


def test_header_and_point_sections_hold_medshare_key(native: PairingGroup, keyed) -> None:  # type: ignore[no-untyped-def]
    r1cs, _, pk, _, sec = keyed
    assert set(sec) == set(range(1, 11)) and sec[1] == (1).to_bytes(4, "little")
    h = sec[2]
    assert int.from_bytes(h[0:4], "little") == 48 and int.from_bytes(h[4:52], "little") == P
    assert int.from_bytes(h[52:56], "little") == 32 and int.from_bytes(h[56:88], "little") == R
    n_vars, n_pub, dom = (int.from_bytes(h[88 + 4 * i:92 + 4 * i], "little") for i in range(3))
    assert (n_vars, n_pub, dom) == (r1cs.n_vars, 2, 8) == (r1cs.n_vars, r1cs.n_public, 1 << pk.log_n)
    assert g1_from_lem(native, h[100:196]) == pk.vk.alpha_g1 and g1_from_lem(native, h[196:292]) == pk.beta_g1
    assert g1_from_lem(native, h[292 + 2 * 192:388 + 2 * 192]) == pk.delta_g1
    assert len(h) == 100 + 3 * 96 + 3 * 192
    assert g1_list(native, sec[3]) == list(pk.vk.ic)
    assert g1_list(native, sec[5]) == list(pk.a_g1) and g1_list(native, sec[6]) == list(pk.b_g1)
    assert g1_list(native, sec[8]) == list(pk.l_g1)
    assert len(sec[7]) == 192 * r1cs.n_vars and len(sec[9]) == 96 * dom
    assert len(sec[10]) == 68 and sec[10][64:] == bytes(4)


def test_coefficients_are_a_and_b_with_public_rows_in_montgomery_form(keyed) -> None:  # type: ignore[no-untyped-def]
    r1cs, _, _, _, sec = keyed
    body = sec[4]
    count = int.from_bytes(body[:4], "little")
    assert len(body) == 4 + 44 * count
    inv2 = pow(formats.MONT_R, -2, R)
    got: dict[tuple[int, int, int], int] = {}
    for k in range(count):
        e = body[4 + 44 * k:48 + 44 * k]
        m, row, wire = (int.from_bytes(e[4 * i:4 * i + 4], "little") for i in range(3))
        got[(m, row, wire)] = int.from_bytes(e[12:], "little") * inv2 % R
    want = {(m, j, w): c for j, con in enumerate(r1cs.constraints) for m, t in ((0, con.a), (1, con.b))
            for w, c in t.items()}
    want.update({(0, len(r1cs.constraints) + i, i): 1 for i in range(r1cs.n_public + 1)})
    assert got == want


def test_coset_h_points_give_medshare_h_term(native: PairingGroup, keyed) -> None:  # type: ignore[no-untyped-def]
    """snarkjs's H term: sum_j (a b - c)(w_2n^(2j+1)) H_j with its own a, b and c = a b on the domain; it must
    equal medshare's sum_j h_j [tau^j Z(tau) / delta]_1."""
    r1cs, z, pk, _, sec = keyed
    n = 1 << pk.log_n
    a_ev, b_ev = [0] * n, [0] * n
    for j, con in enumerate(r1cs.constraints):
        a_ev[j], b_ev[j] = evaluate(con.a, z), evaluate(con.b, z)
    for i in range(r1cs.n_public + 1):
        a_ev[len(r1cs.constraints) + i] = z[i]
    c_ev = [x * y % R for x, y in zip(a_ev, b_ev)]
    w, shift = field.root_of_unity(pk.log_n), field.root_of_unity(pk.log_n + 1)
    a_co, b_co, c_co = (field.coset_fft(field.ifft(v, w), w, shift) for v in (a_ev, b_ev, c_ev))
    odd = [(x * y - c) % R for x, y, c in zip(a_co, b_co, c_co)]
    snark = native.msm_g1(g1_list(native, sec[9]), odd)
    ours = native.msm_g1(list(pk.h_g1), groth16.quotient(r1cs, z, pk.log_n))
    assert snark == ours and not ours.is_identity()


def test_another_trapdoor_is_key_mismatch(native: PairingGroup, keyed) -> None:  # type: ignore[no-untyped-def]
    r1cs, _, pk, td, _ = keyed
    other = groth16.derive_trapdoor(native, r1cs, DeterministicRNG(b"another"))
    for bad in (other, groth16.Trapdoor(other.tau, td.alpha, td.beta, td.gamma, td.delta),
                groth16.Trapdoor(td.tau, td.alpha, td.beta, td.gamma, R - 1), groth16.Trapdoor(td.tau, 0, 1, 1, 1)):
        with pytest.raises(MedshareError) as e:
            formats.zkey_to_snarkjs(native, pk, bad)
        assert e.value.code == "KEY_MISMATCH"


def test_backend_affine_coordinates_match_decompression(group: PairingGroup, rng: DeterministicRNG) -> None:
    for _ in range(3):
        k = group.random_zr(rng)
        p, q = group.g1() * k, group.g2() * k
        assert group.g1_affine(p) == group_api.g1_affine(p)
        assert group.g2_affine(q) == group_api.g2_affine(q)
        assert formats.g1_from_affine(group, *group.g1_affine(p), allow_identity=False) == p  # type: ignore[misc]
    assert group.g1_affine(group.identity_g1()) is None and group.g2_affine(group.identity_g2()) is None
