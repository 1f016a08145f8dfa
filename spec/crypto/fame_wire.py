"""FAME keys and ciphertexts and their strict byte and JSON encodings (spec/crypto/fame.md, "Encodings").

Each byte encoding is a one-byte type tag and the fields in order; points are compressed and never the
identity, scalars non-zero, GT elements never 1. A wrong tag, truncation or trailing bytes fail
``MALFORMED_ENCODING``; JSON objects have exactly their fields (``BAD_JSON``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from ..codec import Reader, fingerprint, from_hex, json_list, json_object, json_str, text, to_hex, u16
from ..errors import fail
from ..group import G1Element, G2Element, GTElement, PairingGroup, Zr
from ..policy import Policy, check_attribute

TAG_PUBLIC_KEY, TAG_MASTER_KEY, TAG_ATTRIBUTE_KEY, TAG_CIPHERTEXT = 0xF1, 0xF2, 0xF3, 0xF4

G1Triple = tuple[G1Element, G1Element, G1Element]
G2Triple = tuple[G2Element, G2Element, G2Element]
T = TypeVar("T")


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
        r = Reader(data)
        r.tag(TAG_PUBLIC_KEY)
        pk = PublicKey(r.g2(group), r.g2(group), _not_one(r.gt(group)), _not_one(r.gt(group)))
        r.end()
        return pk

    def to_json(self) -> dict[str, Any]:
        return {"h1": to_hex(self.h1.to_bytes()), "h2": to_hex(self.h2.to_bytes()),
                "t1": to_hex(self.t1.to_bytes()), "t2": to_hex(self.t2.to_bytes())}

    @staticmethod
    def from_json(group: PairingGroup, obj: Any) -> PublicKey:
        o = json_object(obj, ("h1", "h2", "t1", "t2"), what="FAME public key")
        return PublicKey(_g2(group, o["h1"]), _g2(group, o["h2"]), _gt(group, o["t1"]), _gt(group, o["t2"]))


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
        r = Reader(data)
        r.tag(TAG_MASTER_KEY)
        msk = MasterKey(r.zr(), r.zr(), r.zr(), r.zr(), r.g1(group), r.g1(group), r.g1(group))
        r.end()
        return msk

    def to_json(self) -> dict[str, Any]:
        return {"msk": to_hex(self.to_bytes())}

    @staticmethod
    def from_json(group: PairingGroup, obj: Any) -> MasterKey:
        o = json_object(obj, ("msk",), what="FAME master key")
        return MasterKey.from_bytes(group, from_hex(o["msk"]))

    def __repr__(self) -> str:
        return f"MasterKey(fingerprint={fingerprint(self.to_bytes())})"


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
        out += u16(len(self.attributes))
        for name, k in self.attributes:
            out += text(name, 1) + b"".join(x.to_bytes() for x in k)
        return bytes(out)

    @staticmethod
    def from_bytes(group: PairingGroup, data: bytes) -> AttributeKey:
        r = Reader(data)
        r.tag(TAG_ATTRIBUTE_KEY)
        k0 = (r.g2(group), r.g2(group), r.g2(group))
        kp = (r.g1(group), r.g1(group), r.g1(group))
        items = []
        for _ in range(r.u16()):
            name = r.text(1, "ascii")
            items.append((name, (r.g1(group), r.g1(group), r.g1(group))))
        r.end()
        return AttributeKey(k0, _sorted_attributes(items), kp)

    def to_json(self) -> dict[str, Any]:
        return {"k0": [to_hex(x.to_bytes()) for x in self.k0], "kp": [to_hex(x.to_bytes()) for x in self.kp],
                "attributes": [{"name": n, "k": [to_hex(x.to_bytes()) for x in k]} for n, k in self.attributes]}

    @staticmethod
    def from_json(group: PairingGroup, obj: Any) -> AttributeKey:
        o = json_object(obj, ("k0", "kp", "attributes"), what="FAME attribute key")
        k0 = _triple(o["k0"], lambda s: _g2(group, s))
        kp = _triple(o["kp"], lambda s: _g1(group, s))
        items = []
        for item in json_list(o["attributes"], "attributes"):
            i = json_object(item, ("name", "k"), what="key attribute")
            items.append((json_str(i["name"], "attribute name"), _triple(i["k"], lambda s: _g1(group, s))))
        return AttributeKey(k0, _sorted_attributes(items), kp)

    def __repr__(self) -> str:
        return f"AttributeKey(attributes={list(self.names())}, fingerprint={fingerprint(self.to_bytes())})"


@attrs.frozen
class Ciphertext:
    """ct = (policy, ct0 in G2^3, ct_i in G1^3 for each LSSS row i); the policy value carries the canonical
    text the encoding holds and the LSSS the rows follow."""

    policy: Policy
    c0: G2Triple
    rows: tuple[G1Triple, ...]

    def to_bytes(self) -> bytes:
        out = bytearray([TAG_CIPHERTEXT]) + text(self.policy.text, 2)
        out += b"".join(x.to_bytes() for x in self.c0) + u16(len(self.rows))
        for row in self.rows:
            out += b"".join(x.to_bytes() for x in row)
        return bytes(out)

    @staticmethod
    def from_bytes(group: PairingGroup, data: bytes) -> Ciphertext:
        r = Reader(data)
        r.tag(TAG_CIPHERTEXT)
        policy = _canonical_policy(r.text(2, "ascii"))
        c0 = (r.g2(group), r.g2(group), r.g2(group))
        n = r.u16()
        _check_row_count(policy, n)
        rows = tuple((r.g1(group), r.g1(group), r.g1(group)) for _ in range(n))
        r.end()
        return Ciphertext(policy, c0, rows)

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy.text, "c0": [to_hex(x.to_bytes()) for x in self.c0],
                "rows": [[to_hex(x.to_bytes()) for x in row] for row in self.rows]}

    @staticmethod
    def from_json(group: PairingGroup, obj: Any) -> Ciphertext:
        o = json_object(obj, ("policy", "c0", "rows"), what="FAME ciphertext")
        if not isinstance(o["policy"], str) or not isinstance(o["rows"], list):
            fail("BAD_JSON", "policy must be a string and rows a list")
        policy = _canonical_policy(o["policy"])
        _check_row_count(policy, len(o["rows"]))
        c0 = _triple(o["c0"], lambda s: _g2(group, s))
        rows = tuple(_triple(row, lambda s: _g1(group, s)) for row in o["rows"])
        return Ciphertext(policy, c0, rows)


# Field checks --------------------------------------------------------------------------------------------------
def _not_one(x: GTElement) -> GTElement:
    if x.is_one():
        fail("IDENTITY_NOT_ALLOWED", "GT element of a public key is 1")
    return x


def _triple(obj: Any, decode: Callable[[Any], T]) -> tuple[T, T, T]:
    a, b, c = json_list(obj, "a triple of hex strings", 3)
    return decode(a), decode(b), decode(c)


def _g1(group: PairingGroup, s: Any) -> G1Element:
    return group.g1_from_bytes(from_hex(s), allow_identity=False)


def _g2(group: PairingGroup, s: Any) -> G2Element:
    return group.g2_from_bytes(from_hex(s), allow_identity=False)


def _gt(group: PairingGroup, s: Any) -> GTElement:
    return _not_one(group.gt_from_bytes(from_hex(s)))


def _canonical_policy(policy_text: str) -> Policy:
    policy = Policy.of(policy_text)
    if policy.text != policy_text:
        fail("MALFORMED_ENCODING", "the ciphertext's policy text is not canonical")
    return policy


def _check_row_count(policy: Policy, n: int) -> None:
    if n != len(policy.lsss.rows):
        fail("MALFORMED_ENCODING", f"{n} ciphertext rows for a policy with {len(policy.lsss.rows)} leaves")


def _sorted_attributes(items: list[tuple[str, G1Triple]]) -> tuple[tuple[str, G1Triple], ...]:
    for name, _ in items:
        check_attribute(name)
    names = [n for n, _ in items]
    if any(a >= b for a, b in itertools.pairwise(names)):
        fail("MALFORMED_ENCODING", "key attributes must be distinct and in ascending order")
    return tuple(items)

