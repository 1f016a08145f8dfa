"""BLS12-381 parameters (IETF pairing-friendly-curves draft), checked at import."""

from __future__ import annotations

#: base field modulus
P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
#: prime order of G1, G2 and GT
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
#: the curve parameter x (negative)
X = -0xD201000000010000
#: G1: y^2 = x^3 + 4; G2: y^2 = x^3 + 4(1 + u)
B = 4

FP_BYTES = 48
G1_BYTES = 48
G2_BYTES = 96
GT_BYTES = 576
ZR_BYTES = 32

assert P % 4 == 3 and P.bit_length() == 381
assert R.bit_length() == 255
assert (P**12 - 1) % R == 0, "r must divide p^12 - 1 (embedding degree 12)"
assert R == X**4 - X**2 + 1 and P == (X - 1) ** 2 * R // 3 + X
assert pow(2, R - 1, R) == 1 and pow(3, P - 1, P) == 1  # Fermat witnesses (primality is from the curve draft)
