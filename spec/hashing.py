"""RFC 9380 hashing primitives that are backend-independent (spec/group.md, "Hashing").

``expand_message_xmd`` (RFC 9380 §5.3.1) with SHA-256 and ``hash_to_field`` (§5.2) into Fp, Fp2 and Zr.
Hashing to G1 and G2 (the ``..._XMD:SHA-256_SSWU_RO_`` suites) is a group operation: see ``spec/group.py``.
"""

from __future__ import annotations

import hashlib

from .errors import fail
from .params import P, R

SHA256_B_IN_BYTES = 32
SHA256_R_IN_BYTES = 64
L_FP = 64  # ceil((ceil(log2 p) + k) / 8) with k = 128
L_ZR = 48  # ceil((ceil(log2 r) + k) / 8) with k = 128


def dst_tag(purpose: str) -> bytes:
    """The medshare domain separation tag for a purpose: ``MEDSHARE-V1-<purpose>``."""
    return b"MEDSHARE-V1-" + purpose.encode()


def check_dst(dst: bytes) -> None:
    """DST_INVALID unless 1 <= len(dst) <= 255 (RFC 9380 §3.1; medshare does not hash long tags)."""
    if not 1 <= len(dst) <= 255:
        fail("DST_INVALID", f"DST has {len(dst)} bytes")


def expand_message_xmd(msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 §5.3.1 with H = SHA-256."""
    check_dst(dst)
    ell = -(-len_in_bytes // SHA256_B_IN_BYTES)
    if ell > 255 or len_in_bytes > 65535 or len_in_bytes < 1:
        fail("HASH_LENGTH_INVALID", f"len_in_bytes = {len_in_bytes}")
    dst_prime = dst + bytes([len(dst)])
    z_pad = bytes(SHA256_R_IN_BYTES)
    l_i_b_str = len_in_bytes.to_bytes(2, "big")
    b0 = hashlib.sha256(z_pad + msg + l_i_b_str + b"\x00" + dst_prime).digest()
    b = [hashlib.sha256(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        prev = bytes(x ^ y for x, y in zip(b0, b[-1], strict=False))
        b.append(hashlib.sha256(prev + bytes([i]) + dst_prime).digest())
    return b"".join(b)[:len_in_bytes]


def hash_to_field_fp(msg: bytes, dst: bytes, count: int) -> list[int]:
    """RFC 9380 §5.2 into Fp (m = 1, L = 64)."""
    data = expand_message_xmd(msg, dst, count * L_FP)
    return [int.from_bytes(data[i * L_FP:(i + 1) * L_FP], "big") % P for i in range(count)]


def hash_to_field_fp2(msg: bytes, dst: bytes, count: int) -> list[tuple[int, int]]:
    """RFC 9380 §5.2 into Fp2 (m = 2, L = 64): each element is (c0, c1)."""
    data = expand_message_xmd(msg, dst, count * 2 * L_FP)
    out = []
    for i in range(count):
        c0 = int.from_bytes(data[(2 * i) * L_FP:(2 * i + 1) * L_FP], "big") % P
        c1 = int.from_bytes(data[(2 * i + 1) * L_FP:(2 * i + 2) * L_FP], "big") % P
        out.append((c0, c1))
    return out


def hash_to_zr(msg: bytes, dst: bytes, count: int = 1) -> list[int]:
    """RFC 9380 §5.2 into Zr = F_r (m = 1, L = 48): medshare's ``hash_to_field`` for scalars."""
    data = expand_message_xmd(msg, dst, count * L_ZR)
    return [int.from_bytes(data[i * L_ZR:(i + 1) * L_ZR], "big") % R for i in range(count)]
