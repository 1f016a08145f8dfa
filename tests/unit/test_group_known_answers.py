"""RFC 9380 known answers and the canonical pairing value, on both backends."""

from __future__ import annotations

import pytest
from medshare.reference import selfcheck
from medshare.spec.errors import GroupError
from medshare.spec.group import PairingGroup
from medshare.spec.hashing import expand_message_xmd, hash_to_zr
from medshare.spec.params import R


def test_expand_message_xmd_rfc9380_k1() -> None:
    assert selfcheck.check_expand_message_xmd() == 10


def test_hash_to_curve_rfc9380_j9_j10(group: PairingGroup) -> None:
    assert selfcheck.check_hash_to_curve(group) == 10


def test_canonical_pairing_known_answer(group: PairingGroup) -> None:
    assert selfcheck.check_pairing_known_answer(group) == 1


def test_hash_outputs_in_subgroup_and_not_identity(group: PairingGroup) -> None:
    p = group.hash_to_g1(b"medshare", b"MEDSHARE-V1-TEST")
    q = group.hash_to_g2(b"medshare", b"MEDSHARE-V1-TEST")
    assert not p.is_identity() and not q.is_identity()
    assert group.g1_from_bytes(p.to_bytes()) == p
    assert group.g2_from_bytes(q.to_bytes()) == q


def test_hash_to_zr_is_rfc9380_hash_to_field() -> None:
    # hash_to_field with m = 1, L = 48: the first 48 bytes of expand_message_xmd, reduced mod r
    msg, dst = b"abc", b"MEDSHARE-V1-TEST"
    expected = int.from_bytes(expand_message_xmd(msg, dst, 48), "big") % R
    assert hash_to_zr(msg, dst, 1) == [expected]
    two = hash_to_zr(msg, dst, 2)
    assert two[0] != expected  # count is part of len_in_bytes, so outputs differ with count


@pytest.mark.parametrize("dst", [b"", b"x" * 256])
def test_bad_dst_is_typed(group: PairingGroup, dst: bytes) -> None:
    for fn in (group.hash_to_g1, group.hash_to_g2, group.hash_to_zr):
        with pytest.raises(GroupError) as e:
            fn(b"m", dst)
        assert e.value.code == "DST_INVALID"


def test_expand_message_length_limits() -> None:
    with pytest.raises(GroupError) as e:
        expand_message_xmd(b"m", b"D", 255 * 32 + 1)
    assert e.value.code == "HASH_LENGTH_INVALID"
    with pytest.raises(GroupError):
        expand_message_xmd(b"m", b"D", 0)
