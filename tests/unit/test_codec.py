"""The shared strict hex form of every JSON wire object (spec/codec.py)."""

from __future__ import annotations

import pytest
from medshare.spec.codec import from_hex, to_hex
from medshare.spec.errors import MedshareError


def test_round_trip() -> None:
    for data in (b"", b"\x00", bytes(range(256))):
        assert from_hex(to_hex(data)) == data
    assert from_hex("0x0011", 2) == b"\x00\x11"


@pytest.mark.parametrize("bad", ["", "0x0", "0X00", "00", "0xAB", "0x00 11", " 0x00", "0x00\n", "0xgg", None, 5, b"0x00"])
def test_rejects_anything_but_0x_lowercase_even_hex(bad: object) -> None:
    with pytest.raises(MedshareError) as e:
        from_hex(bad)
    assert e.value.code == "BAD_HEX"


def test_length_is_checked_after_the_form() -> None:
    with pytest.raises(MedshareError) as e:
        from_hex("0x00", 2)
    assert e.value.code == "BAD_LENGTH"
