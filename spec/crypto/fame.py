"""FAME: Fast Attribute-based Message Encryption, CP-ABE variant, as a KEM (spec/crypto/fame.md).

Shashank Agrawal and Melissa Chase, "FAME: Fast Attribute-based Message Encryption", ACM CCS 2017, §3 (CP-ABE,
full security under the decisional linear assumption in the random oracle model), with k = 2, on a type-III
pairing e: G1 x G2 -> GT with g in G1 and h in G2. ``encrypt`` encapsulates the GT element T1^s1 * T2^s2 (the
paper's mask of the message); ``decrypt`` recovers it. Attribute names include their key epoch (``irb@2``).
The keys and the ciphertext, with their encodings, are in ``fame_wire.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..codec import json_object as check_fields  # the exact-fields JSON check, by the name record.py uses
from ..errors import fail
from ..group import G1Element, G2Element, GTElement, PairingGroup, Zr
from ..hashing import dst_tag
from ..policy import Policy, check_attribute, reconstruction_coefficients
from ..rng import RNG
from .fame_wire import AttributeKey, Ciphertext, MasterKey, PublicKey

__all__ = ["DST_ATTRIBUTE", "DST_COLUMN", "AttributeKey", "Ciphertext", "MasterKey", "PublicKey", "check_fields",
           "decrypt", "encrypt", "hash_attribute", "hash_column", "keygen", "setup"]

#: H(y, ell, t) for attribute y: hash_to_g1(utf8(y) || u8(ell) || u8(t), DST_ATTRIBUTE)
DST_ATTRIBUTE = dst_tag("FAME-ATTRIBUTE")
#: H(0, j, ell, t) for LSSS column j: hash_to_g1(u32(j) || u8(ell) || u8(t), DST_COLUMN)
DST_COLUMN = dst_tag("FAME-COLUMN")


# Hashes -------------------------------------------------------------------------------------------------------
def hash_attribute(group: PairingGroup, y: str, ell: int, t: int) -> G1Element:
    """The paper's H(y l t)."""
    return group.hash_to_g1(y.encode() + bytes([ell, t]), DST_ATTRIBUTE)


def hash_column(group: PairingGroup, j: int, ell: int, t: int) -> G1Element:
    """The paper's H(0 j l t), for column j >= 1 of the LSSS matrix."""
    return group.hash_to_g1(j.to_bytes(4, "big") + bytes([ell, t]), DST_COLUMN)


# Algorithms ---------------------------------------------------------------------------------------------------
def setup(group: PairingGroup, rng: RNG) -> tuple[PublicKey, MasterKey]:
    """Setup: a1, a2, b1, b2, d1, d2, d3 <- Zp*; pk = (h^a1, h^a2, e(g,h)^(d1 a1 + d3), e(g,h)^(d2 a2 + d3))."""
    a1, a2, b1, b2, d1, d2, d3 = (group.random_zr(rng) for _ in range(7))
    g, h, e_gh = group.g1(), group.g2(), group.gt_generator()
    pk = PublicKey(h * a1, h * a2, e_gh ** (d1 * a1 + d3), e_gh ** (d2 * a2 + d3))
    return pk, MasterKey(a1, a2, b1, b2, g * d1, g * d2, g * d3)


def keygen(group: PairingGroup, msk: MasterKey, attributes: Iterable[str], rng: RNG) -> AttributeKey:
    """KeyGen: r1, r2 <- Zp; sk0 = (h^(b1 r1), h^(b2 r2), h^(r1+r2)); for y in S, t in {1, 2}, sigma_y <- Zp:
    sk_{y,t} = H(y1t)^(b1 r1/a_t) H(y2t)^(b2 r2/a_t) H(y3t)^((r1+r2)/a_t) g^(sigma_y/a_t), sk_{y,3} = g^(-sigma_y);
    sk'_t = g^(d_t) H(011t)^(b1 r1/a_t) H(012t)^(b2 r2/a_t) H(013t)^((r1+r2)/a_t) g^(sigma'/a_t),
    sk'_3 = g^(d3) g^(-sigma')."""
    names = sorted({check_attribute(a) for a in attributes})
    g, h = group.g1(), group.g2()
    r1, r2 = group.random_zr(rng), group.random_zr(rng)
    k0 = (h * (msk.b1 * r1), h * (msk.b2 * r2), h * (r1 + r2))
    a_inv = {1: msk.a1.inverse(), 2: msk.a2.inverse()}
    exps = {t: [msk.b1 * r1 * a_inv[t], msk.b2 * r2 * a_inv[t], (r1 + r2) * a_inv[t]] for t in (1, 2)}

    items = []
    for y in names:
        sigma = group.random_zr(rng)
        k1, k2 = (group.msm_g1([hash_attribute(group, y, ell, t) for ell in (1, 2, 3)] + [g],
                               exps[t] + [sigma * a_inv[t]]) for t in (1, 2))
        items.append((y, (k1, k2, g * (-sigma))))

    sigma_p = group.random_zr(rng)
    kp1, kp2 = (d + group.msm_g1([hash_column(group, 1, ell, t) for ell in (1, 2, 3)] + [g],
                                 exps[t] + [sigma_p * a_inv[t]]) for t, d in ((1, msk.g_d1), (2, msk.g_d2)))
    kp = (kp1, kp2, msk.g_d3 + g * (-sigma_p))
    return AttributeKey(k0, tuple(items), kp)


def encrypt(group: PairingGroup, pk: PublicKey, policy: Policy, rng: RNG) -> tuple[GTElement, Ciphertext]:
    """Encrypt (as a KEM): s1, s2 <- Zp; ct0 = (H1^s1, H2^s2, h^(s1+s2)); for row i of the LSSS (M, pi) of the
    policy's canonical tree and l in {1, 2, 3}:
    ct_{i,l} = H(pi(i) l 1)^s1 H(pi(i) l 2)^s2 prod_j [H(0 j l 1)^s1 H(0 j l 2)^s2]^(M_ij).
    Returns the key T1^s1 T2^s2 and the ciphertext, which keeps ``policy``."""
    lsss = policy.lsss
    s1, s2 = group.random_zr(rng), group.random_zr(rng)
    c0 = (pk.h1 * s1, pk.h2 * s2, group.g2() * (s1 + s2))
    h_attr = {(y, ell, t): hash_attribute(group, y, ell, t) for y in sorted(set(lsss.labels))
              for ell in (1, 2, 3) for t in (1, 2)}
    h_col = {(j, ell, t): hash_column(group, j, ell, t) for j in range(1, lsss.width + 1)
             for ell in (1, 2, 3) for t in (1, 2)}
    rows = []
    for row, y in zip(lsss.rows, lsss.labels, strict=True):
        cells = []
        for ell in (1, 2, 3):
            points = [h_attr[y, ell, 1], h_attr[y, ell, 2]]
            scalars: list[Zr] = [s1, s2]
            for j, m in enumerate(row, start=1):
                if m:
                    points += [h_col[j, ell, 1], h_col[j, ell, 2]]
                    scalars += [s1 * m, s2 * m]
            cells.append(group.msm_g1(points, scalars))
        rows.append((cells[0], cells[1], cells[2]))
    key = pk.t1 ** s1 * pk.t2 ** s2
    return key, Ciphertext(policy, c0, tuple(rows))


def decrypt(group: PairingGroup, sk: AttributeKey, ct: Ciphertext) -> GTElement:
    """Decrypt: gamma with sum_{i in I} gamma_i M_i = (1, 0, …, 0) (else POLICY_UNSATISFIED);
    key = prod_t e(sk'_t prod_i sk_{pi(i),t}^gamma_i, ct0_t) / prod_l e(prod_i ct_{i,l}^gamma_i, sk0_l)."""
    lsss = ct.policy.lsss
    if len(ct.rows) != len(lsss.rows):
        fail("MALFORMED_ENCODING", "ciphertext rows do not match its policy")
    gamma = reconstruction_coefficients(lsss, sk.names())
    used = sorted(gamma)
    coeffs = [Zr(gamma[i]) for i in used]
    components = dict(sk.attributes)
    pairs: list[tuple[G1Element, G2Element]] = []
    for t in range(3):
        d = group.msm_g1([sk.kp[t]] + [components[lsss.labels[i]][t] for i in used], [Zr(1), *coeffs])
        pairs.append((d, ct.c0[t]))
    for ell in range(3):
        c = group.msm_g1([ct.rows[i][ell] for i in used], coeffs)
        pairs.append((-c, sk.k0[ell]))
    return group.multi_pairing(pairs)
