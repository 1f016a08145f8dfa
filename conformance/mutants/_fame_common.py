"""Shared pieces of the FAME mutants: decoding the decrypt op's input and the decryption equation."""

from __future__ import annotations

from typing import Any

from ...reference.testbed import get_group
from ...spec.codec import from_hex
from ...spec.crypto import fame
from ...spec.group import G1Element, G2Element, GTElement, PairingGroup, Zr
from ...spec.policy import LSSS


def decode(inp: dict[str, Any], group: PairingGroup | None = None) -> tuple[PairingGroup, fame.AttributeKey,
                                                                            fame.Ciphertext]:
    G = group or get_group()
    return (G, fame.AttributeKey.from_bytes(G, from_hex(inp["key"])),
            fame.Ciphertext.from_bytes(G, from_hex(inp["ciphertext"])))


def combine(G: PairingGroup, sk: fame.AttributeKey, ct: fame.Ciphertext, lsss: LSSS,
            gamma: dict[int, int]) -> GTElement:
    """FAME's decryption equation for given coefficients; rows without a key component are skipped."""
    names = dict(sk.attributes)
    used = [i for i in sorted(gamma) if lsss.labels[i] in names]
    coeffs = [Zr(gamma[i]) for i in used]
    pairs: list[tuple[G1Element, G2Element]] = []
    for t in range(3):
        pairs.append((G.msm_g1([sk.kp[t]] + [names[lsss.labels[i]][t] for i in used], [Zr(1), *coeffs]),
                      ct.c0[t]))
    for ell in range(3):
        pairs.append((-G.msm_g1([ct.rows[i][ell] for i in used], coeffs), sk.k0[ell]))
    return G.multi_pairing(pairs)
