"""Strict decoding: each malformed encoding fails with its own error code, on both backends."""

from __future__ import annotations

import pytest
from medshare.reference.testbed import adversarial
from medshare.spec.errors import DecodeError, MedshareError
from medshare.spec.group import PairingGroup, Zr
from medshare.spec.params import G1_BYTES, G2_BYTES, P, R


def code_of(fn, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(MedshareError) as e:
        fn(*args, **kwargs)
    assert isinstance(e.value, DecodeError)
    return e.value.code


@pytest.fixture(scope="module")
def bad() -> dict[str, bytes]:
    return {
        "g1_off_curve": adversarial.g1_not_on_curve(),
        "g1_off_subgroup": adversarial.g1_off_subgroup(),
        "g2_off_curve": adversarial.g2_not_on_curve(),
        "g2_off_subgroup": adversarial.g2_off_subgroup(),
    }


def test_adversarial_points_are_what_they_claim(group: PairingGroup, bad: dict[str, bytes]) -> None:
    # on-curve but off-subgroup: the unchecked native decoder accepts the point, so it is a real curve point
    import py_arkworks_bls12381 as ark

    p = ark.G1Point.from_compressed_bytes_unchecked(bad["g1_off_subgroup"])
    assert not p.is_in_subgroup()
    q = ark.G2Point.from_compressed_bytes_unchecked(bad["g2_off_subgroup"])
    assert not q.is_in_subgroup()


@pytest.mark.parametrize("kind,size", [("g1", G1_BYTES), ("g2", G2_BYTES)])
def test_each_check_has_its_code(group: PairingGroup, bad: dict[str, bytes], kind: str, size: int) -> None:
    decode = getattr(group, f"{kind}_from_bytes")
    valid = (getattr(group, kind)() * 12345).to_bytes()
    assert decode(valid).to_bytes() == valid
    assert code_of(decode, valid[:-1]) == "BAD_LENGTH"
    assert code_of(decode, valid + b"\x00") == "BAD_LENGTH"
    assert code_of(decode, b"") == "BAD_LENGTH"
    assert code_of(decode, adversarial.uncompressed_flag(valid)) == "BAD_FLAGS"
    assert code_of(decode, adversarial.infinity_with_payload(size)) == "BAD_FLAGS"
    assert code_of(decode, adversarial.infinity_with_sign(size)) == "BAD_FLAGS"
    assert code_of(decode, adversarial.x_not_canonical(size)) == "COORDINATE_NOT_CANONICAL"
    assert code_of(decode, bad[f"{kind}_off_curve"]) == "POINT_NOT_ON_CURVE"
    assert code_of(decode, bad[f"{kind}_off_subgroup"]) == "POINT_NOT_IN_SUBGROUP"
    assert code_of(decode, adversarial.identity(size), allow_identity=False) == "IDENTITY_NOT_ALLOWED"
    assert decode(adversarial.identity(size)).is_identity()


def test_g2_x0_not_canonical(group: PairingGroup) -> None:
    valid = (group.g2() * 7).to_bytes()
    # the c0 word (second half) set to p
    forged = valid[:G1_BYTES] + P.to_bytes(48, "big")
    assert code_of(group.g2_from_bytes, forged) == "COORDINATE_NOT_CANONICAL"


def test_sign_bit_selects_the_negation(group: PairingGroup) -> None:
    p = group.g1() * 99
    enc = bytearray(p.to_bytes())
    enc[0] ^= 0x20
    assert group.g1_from_bytes(bytes(enc)) == -p


def test_scalar_decoding() -> None:
    assert Zr.from_bytes((R - 1).to_bytes(32, "big")) == Zr(-1)
    assert code_of(Zr.from_bytes, R.to_bytes(32, "big")) == "SCALAR_OUT_OF_RANGE"
    assert code_of(Zr.from_bytes, (2**256 - 1).to_bytes(32, "big")) == "SCALAR_OUT_OF_RANGE"
    assert code_of(Zr.from_bytes, bytes(31)) == "BAD_LENGTH"
    assert code_of(Zr.from_bytes, bytes(32), allow_zero=False) == "SCALAR_ZERO_NOT_ALLOWED"


def test_gt_decoding(group: PairingGroup) -> None:
    e = group.gt_generator() ** 5
    enc = e.to_bytes()
    assert group.gt_from_bytes(enc) == e
    assert code_of(group.gt_from_bytes, enc[:-1]) == "BAD_LENGTH"
    assert code_of(group.gt_from_bytes, adversarial.gt_not_canonical(enc)) == "COORDINATE_NOT_CANONICAL"
    assert code_of(group.gt_from_bytes, adversarial.gt_off_subgroup()) == "GT_NOT_IN_SUBGROUP"
    assert code_of(group.gt_from_bytes, bytes(576)) == "GT_NOT_IN_SUBGROUP"


def test_non_bytes_input_is_typed(group: PairingGroup) -> None:
    assert code_of(group.g1_from_bytes, "not bytes") == "BAD_LENGTH"  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", ["\n", " ", "\t"])
def test_reference_group_ops_read_hex_as_strictly_as_the_spec(native: PairingGroup, suffix: str) -> None:
    """The reference adapter's group handlers decode hex with spec/codec's ``from_hex``: nothing after the
    digits, not even a newline."""
    from medshare.conformance.ops.group import OPS

    valid = "0x" + native.g1().to_bytes().hex()
    assert OPS["group.g1.decode"]({"bytes": valid})["point"] == valid
    assert code_of(OPS["group.g1.decode"], {"bytes": valid + suffix}) == "BAD_HEX"
