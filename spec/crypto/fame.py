"""FAME: Fast Attribute-based Message Encryption, CP-ABE variant, as a KEM (spec/crypto/fame.md).

Shashank Agrawal and Melissa Chase, "FAME: Fast Attribute-based Message Encryption", ACM CCS 2017, §3 (CP-ABE,
full security under the decisional linear assumption in the random oracle model), on a type-III pairing
e: G1 x G2 -> GT with g in G1 and h in G2. ``encrypt`` encapsulates the GT element T1^s1 * T2^s2 (the paper's
mask of the message); ``decrypt`` recovers it. Attribute names include their key epoch (``irb@2``).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ..codec import from_hex, to_hex
from ..errors import fail
from ..group import G1Element, G2Element, GTElement, PairingGroup, Zr
from ..hashing import dst_tag
from ..params import G1_BYTES, G2_BYTES, GT_BYTES, ZR_BYTES
from ..policy import (
    Node,
    canonical,
    canonical_text,
    check_attribute,
    parse,
    reconstruction_coefficients,
    to_lsss,
)
from ..rng import RNG

#: H(y, ell, t) for attribute y: hash_to_g1(utf8(y) || u8(ell) || u8(t), DST_ATTRIBUTE)
DST_ATTRIBUTE = dst_tag("FAME-ATTRIBUTE")
#: H(0, j, ell, t) for LSSS column j: hash_to_g1(u32(j) || u8(ell) || u8(t), DST_COLUMN)
DST_COLUMN = dst_tag("FAME-COLUMN")

TAG_PUBLIC_KEY, TAG_MASTER_KEY, TAG_ATTRIBUTE_KEY, TAG_CIPHERTEXT = 0xF1, 0xF2, 0xF3, 0xF4

G1Triple = tuple[G1Element, G1Element, G1Element]
G2Triple = tuple[G2Element, G2Element, G2Element]


def hash_attribute(group: PairingGroup, y: str, ell: int, t: int) -> G1Element:
    """The paper's H(y l t)."""
    return group.hash_to_g1(y.encode() + bytes([ell, t]), DST_ATTRIBUTE)


def hash_column(group: PairingGroup, j: int, ell: int, t: int) -> G1Element:
    """The paper's H(0 j l t), for column j >= 1 of the LSSS matrix."""
    return group.hash_to_g1(j.to_bytes(4, "big") + bytes([ell, t]), DST_COLUMN)


# Keys and ciphertexts -----------------------------------------------------------------------------------------
@attrs.frozen
class PublicKey:
    """pk = (h^a1, h^a2, T1 = e(g, h)^(d1 a1 + d3), T2 = e(g, h)^(d2 a2 + d3)); g and h are the generators."""

    h1: G2Element
    h2: G2Element
    t1: GTElement
    t2: GTElement

    def to_bytes(self) -> bytes:
        return bytes([TAG_PUBLIC_KEY]) + b"".join(x.to_bytes() for x in (self.h1, self.h2, self.t1, self.t2))

    @staticmethod
    def from_bytes(group: PairingGroup, data: bytes) -> PublicKey:
        r = _Reader(data, TAG_PUBLIC_KEY)
        pk = PublicKey(r.g2(group), r.g2(group), r.gt(group), r.gt(group))
        r.end()
        return pk

    def to_json(self) -> dict[str, Any]:
        return {"h1": to_hex(self.h1.to_bytes()), "h2": to_hex(self.h2.to_bytes()),
                "t1": to_hex(self.t1.to_bytes()), "t2": to_hex(self.t2.to_bytes())}

    @staticmethod
    def from_json(group: PairingGroup, obj: Any) -> PublicKey:
        check_fields(obj, ("h1", "h2", "t1", "t2"))
        return PublicKey(_g2(group, obj["h1"]), _g2(group, obj["h2"]), _gt(group, obj["t1"]), _gt(group, obj["t2"]))


@attrs.frozen(repr=False)
class MasterKey:
    """msk = (a1, a2, b1, b2, g^d1, g^d2, g^d3). Secret."""

    a1: Zr
    a2: Zr
    b1: Zr
    b2: Zr
    g_d1: G1Element
    g_d2: G1Element
    g_d3: G1Element

    def to_bytes(self) -> bytes:
        return bytes([TAG_MASTER_KEY]) + b"".join(x.to_bytes() for x in (
            self.a1, self.a2, self.b1, self.b2, self.g_d1, self.g_d2, self.g_d3))

    @staticmethod
    def from_bytes(group: PairingGroup, data: bytes) -> MasterKey:
        r = _Reader(data, TAG_MASTER_KEY)
        msk = MasterKey(r.zr(), r.zr(), r.zr(), r.zr(), r.g1(group), r.g1(group), r.g1(group))
        r.end()
        return msk

    def to_json(self) -> dict[str, Any]:
        return {"msk": to_hex(self.to_bytes())}

    @staticmethod
    def from_json(group: PairingGroup, obj: Any) -> MasterKey:
        check_fields(obj, ("msk",))
        return MasterKey.from_bytes(group, from_hex(obj["msk"]))

    def __repr__(self) -> str:
        return f"MasterKey(fingerprint={_fingerprint(self.to_bytes())})"


@attrs.frozen(repr=False)
class AttributeKey:
    """sk = (sk0 in G2^3, {sk_y in G1^3 for y in S}, sk' in G1^3); attributes sorted, distinct. Secret."""

    k0: G2Triple
    attributes: tuple[tuple[str, G1Triple], ...]
    kp: G1Triple

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.attributes)

    def to_bytes(self) -> bytes:
        out = bytearray([TAG_ATTRIBUTE_KEY])
        out += b"".join(x.to_bytes() for x in self.k0) + b"".join(x.to_bytes() for x in self.kp)
        out += len(self.attributes).to_bytes(2, "big")
        for name, k in self.attributes:
            out += bytes([len(name)]) + name.encode() + b"".join(x.to_bytes() for x in k)
        return bytes(out)

    @staticmethod
    def from_bytes(group: PairingGroup, data: bytes) -> AttributeKey:
        r = _Reader(data, TAG_ATTRIBUTE_KEY)
        k0 = (r.g2(group), r.g2(group), r.g2(group))
        kp = (r.g1(group), r.g1(group), r.g1(group))
        items = []
        for _ in range(r.u16()):
            name = r.text(r.u8())
            items.append((name, (r.g1(group), r.g1(group), r.g1(group))))
        r.end()
        return AttributeKey(k0, _sorted_attributes(items), kp)

    def to_json(self) -> dict[str, Any]:
        return {"k0": [to_hex(x.to_bytes()) for x in self.k0], "kp": [to_hex(x.to_bytes()) for x in self.kp],
                "attributes": [{"name": n, "k": [to_hex(x.to_bytes()) for x in k]} for n, k in self.attributes]}

    @staticmethod
    def from_json(group: PairingGroup, obj: Any) -> AttributeKey:
        check_fields(obj, ("k0", "kp", "attributes"))
        k0 = _triple(obj["k0"], lambda s: _g2(group, s))
        kp = _triple(obj["kp"], lambda s: _g1(group, s))
        if not isinstance(obj["attributes"], list):
            fail("BAD_JSON", "attributes must be a list")
        items = []
        for item in obj["attributes"]:
            check_fields(item, ("name", "k"))
            if not isinstance(item["name"], str):
                fail("BAD_JSON", "attribute name must be a string")
            items.append((item["name"], _triple(item["k"], lambda s: _g1(group, s))))
        return AttributeKey(k0, _sorted_attributes(items), kp)

    def __repr__(self) -> str:
        return f"AttributeKey(attributes={list(self.names())}, fingerprint={_fingerprint(self.to_bytes())})"


@attrs.frozen
class Ciphertext:
    """ct = (policy, ct0 in G2^3, ct_i in G1^3 for each LSSS row i); the policy is canonical."""

    policy: Node
    c0: G2Triple
    rows: tuple[G1Triple, ...]

    def to_bytes(self) -> bytes:
        text = canonical_text(self.policy).encode()
        out = bytearray([TAG_CIPHERTEXT]) + len(text).to_bytes(2, "big") + text
        out += b"".join(x.to_bytes() for x in self.c0) + len(self.rows).to_bytes(2, "big")
        for row in self.rows:
            out += b"".join(x.to_bytes() for x in row)
        return bytes(out)

    @staticmethod
    def from_bytes(group: PairingGroup, data: bytes) -> Ciphertext:
        r = _Reader(data, TAG_CIPHERTEXT)
        policy = _canonical_policy(r.text(r.u16()))
        c0 = (r.g2(group), r.g2(group), r.g2(group))
        n = r.u16()
        _check_row_count(policy, n)
        rows = tuple((r.g1(group), r.g1(group), r.g1(group)) for _ in range(n))
        r.end()
        return Ciphertext(policy, c0, rows)

    def to_json(self) -> dict[str, Any]:
        return {"policy": canonical_text(self.policy), "c0": [to_hex(x.to_bytes()) for x in self.c0],
                "rows": [[to_hex(x.to_bytes()) for x in row] for row in self.rows]}

    @staticmethod
    def from_json(group: PairingGroup, obj: Any) -> Ciphertext:
        check_fields(obj, ("policy", "c0", "rows"))
        if not isinstance(obj["policy"], str) or not isinstance(obj["rows"], list):
            fail("BAD_JSON", "policy must be a string and rows a list")
        policy = _canonical_policy(obj["policy"])
        _check_row_count(policy, len(obj["rows"]))
        c0 = _triple(obj["c0"], lambda s: _g2(group, s))
        rows = tuple(_triple(row, lambda s: _g1(group, s)) for row in obj["rows"])
        return Ciphertext(policy, c0, rows)


# The scheme ---------------------------------------------------------------------------------------------------
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


def encrypt(group: PairingGroup, pk: PublicKey, policy: Node | str, rng: RNG) -> tuple[GTElement, Ciphertext]:
    """Encrypt (as a KEM): s1, s2 <- Zp; ct0 = (H1^s1, H2^s2, h^(s1+s2)); for row i of the LSSS (M, pi) and
    l in {1, 2, 3}: ct_{i,l} = H(pi(i) l 1)^s1 H(pi(i) l 2)^s2 prod_j [H(0 j l 1)^s1 H(0 j l 2)^s2]^(M_ij).
    Returns the key T1^s1 T2^s2 and the ciphertext."""
    tree = canonical(parse(policy) if isinstance(policy, str) else policy)
    lsss = to_lsss(tree)
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
    return key, Ciphertext(tree, c0, tuple(rows))


def decrypt(group: PairingGroup, sk: AttributeKey, ct: Ciphertext) -> GTElement:
    """Decrypt: gamma with sum_{i in I} gamma_i M_i = (1, 0, …, 0) (else POLICY_UNSATISFIED);
    key = prod_t e(sk'_t prod_i sk_{pi(i),t}^gamma_i, ct0_t) / prod_l e(prod_i ct_{i,l}^gamma_i, sk0_l)."""
    lsss = to_lsss(ct.policy)
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


# Encoding helpers ---------------------------------------------------------------------------------------------
def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def check_fields(obj: Any, names: Sequence[str]) -> None:
    if not isinstance(obj, dict) or set(obj) != set(names):
        fail("BAD_JSON", f"expected an object with exactly the fields {', '.join(names)}")


def _triple(obj: Any, decode: Any) -> Any:
    if not isinstance(obj, list) or len(obj) != 3:
        fail("BAD_JSON", "expected a list of three hex strings")
    return tuple(decode(x) for x in obj)


def _g1(group: PairingGroup, s: Any) -> G1Element:
    return group.g1_from_bytes(from_hex(s), allow_identity=False)


def _g2(group: PairingGroup, s: Any) -> G2Element:
    return group.g2_from_bytes(from_hex(s), allow_identity=False)


def _gt(group: PairingGroup, s: Any) -> GTElement:
    x = group.gt_from_bytes(from_hex(s))
    if x.is_one():
        fail("IDENTITY_NOT_ALLOWED", "GT element of a public key is 1")
    return x


def _canonical_policy(text: str) -> Node:
    tree = canonical(parse(text))
    if canonical_text(tree) != text:
        fail("MALFORMED_ENCODING", "the ciphertext's policy text is not canonical")
    return tree


def _check_row_count(policy: Node, n: int) -> None:
    if n != len(to_lsss(policy).rows):
        fail("MALFORMED_ENCODING", f"{n} ciphertext rows for a policy with {len(to_lsss(policy).rows)} leaves")


def _sorted_attributes(items: list[tuple[str, G1Triple]]) -> tuple[tuple[str, G1Triple], ...]:
    for name, _ in items:
        check_attribute(name)
    names = [n for n, _ in items]
    if any(a >= b for a, b in itertools.pairwise(names)):
        fail("MALFORMED_ENCODING", "key attributes must be distinct and in ascending order")
    return tuple(items)


class _Reader:
    """Strict reader of a tagged byte encoding: MALFORMED_ENCODING on a bad tag, truncation or trailing bytes."""

    def __init__(self, data: bytes, tag: int) -> None:
        if not isinstance(data, (bytes, bytearray)) or not data or data[0] != tag:
            fail("MALFORMED_ENCODING", f"expected tag 0x{tag:02x}")
        self.data, self.pos = bytes(data), 1

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            fail("MALFORMED_ENCODING", "truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def text(self, n: int) -> str:
        try:
            return self.take(n).decode("ascii")
        except UnicodeDecodeError:
            fail("MALFORMED_ENCODING", "text is not ASCII")

    def zr(self) -> Zr:
        return Zr.from_bytes(self.take(ZR_BYTES), allow_zero=False)

    def g1(self, group: PairingGroup) -> G1Element:
        return group.g1_from_bytes(self.take(G1_BYTES), allow_identity=False)

    def g2(self, group: PairingGroup) -> G2Element:
        return group.g2_from_bytes(self.take(G2_BYTES), allow_identity=False)

    def gt(self, group: PairingGroup) -> GTElement:
        x = group.gt_from_bytes(self.take(GT_BYTES))
        if x.is_one():
            fail("IDENTITY_NOT_ALLOWED", "GT element of a public key is 1")
        return x

    def end(self) -> None:
        if self.pos != len(self.data):
            fail("MALFORMED_ENCODING", f"{len(self.data) - self.pos} trailing bytes")
