"""Known-answer checks of the group layer, shared by ``medshare verify`` and the tests.

Each function raises ``AssertionError`` naming the first disagreement, or returns the number of checks made.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ..spec.group import PairingGroup, fp2_sign, fp_sign
from ..spec.hashing import expand_message_xmd

G1_SUITE = "BLS12381G1_XMD:SHA-256_SSWU_RO_"
G2_SUITE = "BLS12381G2_XMD:SHA-256_SSWU_RO_"


def rfc9380_vectors() -> dict[str, Any]:
    """RFC 9380 Appendix J.9.1, J.10.1 and K.1 known answers (reference/data/rfc9380.json)."""
    return json.loads(resources.files("medshare.reference.data").joinpath("rfc9380.json").read_text())


def g1_encoding(x: int, y: int) -> bytes:
    """The compressed encoding (spec/group.md) of the G1 point with affine coordinates (x, y)."""
    out = bytearray(x.to_bytes(48, "big"))
    out[0] |= 0x80 | (0x20 if fp_sign(y) else 0)
    return bytes(out)


def g2_encoding(x: tuple[int, int], y: tuple[int, int]) -> bytes:
    """The compressed encoding (spec/group.md) of the G2 point with affine coordinates x, y in Fp2 (c0, c1)."""
    out = bytearray(x[1].to_bytes(48, "big") + x[0].to_bytes(48, "big"))
    out[0] |= 0x80 | (0x20 if fp2_sign(*y) else 0)
    return bytes(out)


def check_expand_message_xmd() -> int:
    suite = rfc9380_vectors()["expand_message_xmd_sha256"]
    for t in suite["tests"]:
        got = expand_message_xmd(t["msg"].encode(), suite["dst"].encode(), t["len_in_bytes"])
        assert got.hex() == t["uniform_bytes"], f"expand_message_xmd({t['msg'][:8]!r}, {t['len_in_bytes']})"
    return len(suite["tests"])


def check_hash_to_curve(group: PairingGroup) -> int:
    data = rfc9380_vectors()
    n = 0
    for t in data[G1_SUITE]["tests"]:
        want = g1_encoding(int(t["x"], 16), int(t["y"], 16))
        got = group.hash_to_g1(t["msg"].encode(), data[G1_SUITE]["dst"].encode()).to_bytes()
        assert got == want, f"{group.name}: hash_to_g1({t['msg'][:8]!r})"
        n += 1
    for t in data[G2_SUITE]["tests"]:
        x = (int(t["x"][0], 16), int(t["x"][1], 16))
        y = (int(t["y"][0], 16), int(t["y"][1], 16))
        got = group.hash_to_g2(t["msg"].encode(), data[G2_SUITE]["dst"].encode()).to_bytes()
        assert got == g2_encoding(x, y), f"{group.name}: hash_to_g2({t['msg'][:8]!r})"
        n += 1
    return n


#: SHA-256 of the canonical encoding of e(g1, g2) (spec/group.md, "The canonical pairing").
GT_GENERATOR_SHA256 = "06fa588b89fdfb034dbc1c163ecb3dfac228f552b643c7294cc5f2c4dc170b84"


def check_pairing_known_answer(group: PairingGroup) -> int:
    import hashlib

    got = hashlib.sha256(group.gt_generator().to_bytes()).hexdigest()
    assert got == GT_GENERATOR_SHA256, f"{group.name}: e(g1, g2) encodes to sha256 {got}"
    return 1
