"""The snarkjs ``.zkey`` (formats.zkey_to_snarkjs, zkey_from_snarkjs) without node: layout, Montgomery encodings,
the coset H points against the quotient at tau, and a strict, bounded import checked against the circuit. The
peer tests in tests/peers/test_snarkjs.py run snarkjs on the exported file and import snarkjs's."""

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
    pk = groth16.setup_for_tests(group, r1cs, DeterministicRNG(b"zkey-unit"))
    return r1cs, cs.witness(), pk, td, sections(formats.zkey_to_snarkjs(group, pk))


def test_setup_is_setup_with_the_derived_trapdoor(native: PairingGroup) -> None:
    r1cs = small_circuit().to_r1cs()
    td = groth16.derive_trapdoor(native, r1cs, DeterministicRNG(b"same"))
    a = groth16.setup_for_tests(native, r1cs, DeterministicRNG(b"same"))
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


def test_coset_h_points_give_the_quotient_term(native: PairingGroup, keyed) -> None:  # type: ignore[no-untyped-def]
    """The prover's H term sum_j (a b - c)(w_2n^(2j+1)) H_j, with c = a b on the domain as snarkjs computes it
    from section 4, is [(a b - c)(tau) / delta]_1 = [h(tau) Z(tau) / delta]_1 for the QAP polynomials at tau."""
    r1cs, z, pk, td, sec = keyed
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
    assert odd == groth16.odd_root_values(r1cs, z, pk.log_n)
    _, u, v, wv = groth16.qap_at(r1cs, td.tau)
    at_tau = (sum(zi * ui for zi, ui in zip(z, u)) * sum(zi * vi for zi, vi in zip(z, v))
              - sum(zi * wi for zi, wi in zip(z, wv))) % R
    expected = native.g1() * (at_tau * field.inv(td.delta) % R)
    assert native.msm_g1(g1_list(native, sec[9]), odd) == expected == native.msm_g1(list(pk.h_g1), odd)
    assert at_tau and pow(td.tau, n, R) != 1


def test_import_is_the_inverse_of_export(native: PairingGroup, keyed) -> None:  # type: ignore[no-untyped-def]
    r1cs, z, pk, _, _ = keyed
    data = formats.zkey_to_snarkjs(native, pk)
    key = formats.zkey_from_snarkjs(native, data, r1cs)
    assert key.pk == pk and key.contributions == () and formats.zkey_to_snarkjs(native, key) == data
    proof = groth16.prove(native, key.pk, z, DeterministicRNG(b"imported"))
    groth16.verify(native, pk.vk, r1cs.public_inputs(z), proof)


def _resection(data: bytes, kind: int, body: bytes | None) -> bytes:
    """The file with section ``kind`` replaced by ``body`` (or dropped for None), the count fixed."""
    sec = sections(data)
    if body is None:
        del sec[kind]
    else:
        sec[kind] = body
    out = b"zkey" + (1).to_bytes(4, "little") + len(sec).to_bytes(4, "little")
    return out + b"".join(k.to_bytes(4, "little") + len(b).to_bytes(8, "little") + b for k, b in sec.items())


def test_import_is_strict(native: PairingGroup, keyed) -> None:  # type: ignore[no-untyped-def]
    r1cs, _, pk, _, sec = keyed
    data = formats.zkey_to_snarkjs(native, pk)
    other = small_circuit()
    other.mul(other.private(2), other.private(3))
    p_bytes = P.to_bytes(48, "little")
    header_off = 100  # alpha_1 in section 2
    cases = {
        "truncated": (data[:-1], "CIRCUIT_FORMAT"),
        "trailing byte": (data + b"\x00", "CIRCUIT_FORMAT"),
        "not a zkey": (b"r1cs" + data[4:], "CIRCUIT_FORMAT"),
        "section 10 missing": (_resection(data, 10, None), "CIRCUIT_FORMAT"),
        "plonk": (_resection(data, 1, (2).to_bytes(4, "little")), "CIRCUIT_FORMAT"),
        "H one point short": (_resection(data, 9, sec[9][:-96]), "CIRCUIT_FORMAT"),
        "coefficient out of range": (_resection(data, 4, sec[4][:4] + (2).to_bytes(4, "little") + sec[4][8:]),
                                     "CIRCUIT_FORMAT"),
        "another coefficient": (_resection(data, 4, sec[4][:-32] + ((int.from_bytes(sec[4][-32:], "little") + 1)
                                                                    % R).to_bytes(32, "little")), "KEY_MISMATCH"),
        "alpha x = q": (_resection(data, 2, sec[2][:header_off] + p_bytes + sec[2][header_off + 48:]),
                        "COORDINATE_NOT_CANONICAL"),
        "alpha the identity": (_resection(data, 2, sec[2][:header_off] + bytes(96) + sec[2][header_off + 96:]),
                               "IDENTITY_NOT_ALLOWED"),
        "alpha off the curve": (_resection(data, 2, sec[2][:header_off + 48] + sec[2][header_off:header_off + 48]
                                           + sec[2][header_off + 96:]), "POINT_NOT_ON_CURVE"),
        "delta_2 of another key": (_resection(data, 2, sec[2][:-192] + formats.g2_to_lem(native, pk.vk.beta_g2)),
                                   "KEY_MISMATCH"),
    }
    for name, (bad, code) in cases.items():
        with pytest.raises(MedshareError) as e:
            formats.zkey_from_snarkjs(native, bad, r1cs)
        assert e.value.code == code, name
    with pytest.raises(MedshareError) as e:
        formats.zkey_from_snarkjs(native, data, other.to_r1cs())
    assert e.value.code == "KEY_MISMATCH"



def test_import_reads_a_bounded_file(native: PairingGroup, keyed, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    r1cs, _, pk, _, _ = keyed
    data = formats.zkey_to_snarkjs(native, pk)
    monkeypatch.setattr(formats, "MAX_ZKEY_BYTES", len(data) - 1)
    with pytest.raises(MedshareError) as e:
        formats.zkey_from_snarkjs(native, data, r1cs)
    assert e.value.code == "CIRCUIT_FORMAT"


def test_backend_affine_coordinates_match_decompression(group: PairingGroup, rng: DeterministicRNG) -> None:
    for _ in range(3):
        k = group.random_zr(rng)
        p, q = group.g1() * k, group.g2() * k
        assert group.g1_affine(p) == group_api.g1_affine(p)
        assert group.g2_affine(q) == group_api.g2_affine(q)
        assert formats.g1_from_affine(group, *group.g1_affine(p), allow_identity=False) == p  # type: ignore[misc]
    assert group.g1_affine(group.identity_g1()) is None and group.g2_affine(group.identity_g2()) is None
