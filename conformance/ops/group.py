"""Conformance operations of the group layer (spec/group.py, spec/hashing.py).

Handlers take a test's JSON ``input`` and return its JSON ``output``; binary values are ``0x…`` lowercase hex.
Every input point, scalar and GT element goes through the strict decoders, so a bad encoding in any operation
fails with the decoder's code. The handlers are built by :func:`make_ops` over a :class:`Codec`; mutants
(conformance/mutants/group_*.py) subclass the codec to drop one check and rebuild the affected handlers.

| op | input | output |
|---|---|---|
| ``group.g1.decode`` / ``group.g2.decode`` | ``bytes``, ``allowIdentity`` (default true) | ``point``, ``identity`` |
| ``group.zr.decode`` | ``bytes``, ``allowZero`` (default true) | ``scalar`` |
| ``group.gt.decode`` | ``bytes`` | ``element``, ``isOne`` |
| ``group.g1.add`` / ``group.g2.add`` | ``a``, ``b`` | ``point`` |
| ``group.g1.mul`` / ``group.g2.mul`` | ``point``, ``scalar`` (32 bytes, ``< r``) | ``point`` |
| ``group.g1.msm`` / ``group.g2.msm`` | ``points``, ``scalars`` | ``point`` |
| ``group.hash.expand_message_xmd`` | ``msg``, ``dst``, ``lenInBytes`` | ``uniformBytes`` |
| ``group.hash.hash_to_g1`` / ``hash_to_g2`` / ``hash_to_zr`` | ``msg``, ``dst`` | ``point`` / ``scalar`` |
| ``group.pairing.pair`` | ``p`` (G1), ``q`` (G2) | ``gt`` |
| ``group.pairing.multi_pairing`` / ``pairing_check`` | ``pairs``: [{``p``, ``q``}] | ``gt`` / ``result`` |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ...reference.testbed import get_group
from ...spec.codec import from_hex, to_hex
from ...spec.errors import fail
from ...spec.group import G1Element, G2Element, GTElement, PairingGroup, Zr
from ...spec.hashing import expand_message_xmd
from ..registry import Handler


# JSON helpers ----------------------------------------------------------------------------------------------
def field(inp: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    """``inp[key]`` of the given JSON type, else BAD_JSON."""
    if not isinstance(inp, dict) or key not in inp:
        fail("BAD_JSON", f"missing field {key!r}")
    value = inp[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        fail("BAD_JSON", f"field {key!r} has the wrong type")
    return value


def hex_field(inp: dict[str, Any], key: str) -> bytes:
    return from_hex(field(inp, key, str))


def hex_list(inp: dict[str, Any], key: str) -> list[bytes]:
    return [from_hex(v) for v in field(inp, key, list)]


# The codec: every check a mutant may drop ----------------------------------------------------------------
class Codec:
    """Strict decoding and the hashing/arithmetic entry points the handlers use, over one group backend."""

    def __init__(self, group: PairingGroup | None = None) -> None:
        self._group = group

    @property
    def group(self) -> PairingGroup:
        if self._group is None:
            self._group = get_group()
        return self._group

    def g1(self, data: bytes, allow_identity: bool = True) -> G1Element:
        return self.group.g1_from_bytes(data, allow_identity=allow_identity)

    def g2(self, data: bytes, allow_identity: bool = True) -> G2Element:
        return self.group.g2_from_bytes(data, allow_identity=allow_identity)

    def zr(self, data: bytes, allow_zero: bool = True) -> Zr:
        return Zr.from_bytes(data, allow_zero=allow_zero)

    def gt(self, data: bytes) -> GTElement:
        return self.group.gt_from_bytes(data)

    def expand_message_xmd(self, msg: bytes, dst: bytes, n: int) -> bytes:
        return expand_message_xmd(msg, dst, n)

    def hash_to_g1(self, msg: bytes, dst: bytes) -> G1Element:
        return self.group.hash_to_g1(msg, dst)

    def hash_to_g2(self, msg: bytes, dst: bytes) -> G2Element:
        return self.group.hash_to_g2(msg, dst)

    def hash_to_zr(self, msg: bytes, dst: bytes) -> Zr:
        return self.group.hash_to_zr(msg, dst)

    def msm_g1(self, points: Sequence[G1Element], scalars: Sequence[Zr]) -> G1Element:
        return self.group.msm_g1(points, scalars)

    def msm_g2(self, points: Sequence[G2Element], scalars: Sequence[Zr]) -> G2Element:
        return self.group.msm_g2(points, scalars)

    def pair(self, p: G1Element, q: G2Element) -> GTElement:
        return self.group.pair(p, q)

    def multi_pairing(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> GTElement:
        return self.group.multi_pairing(pairs)

    def pairing_check(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> bool:
        return self.group.pairing_check(pairs)


def _flag(inp: dict[str, Any], key: str) -> bool:
    return bool(field(inp, key, bool)) if key in inp else True


def make_ops(codec: Codec, only: Iterable[str] | None = None) -> dict[str, Handler]:
    """The group handlers over ``codec`` (all of them, or the names in ``only``)."""

    def point_ops(name: str, dec: Callable[..., Any], msm: Callable[..., Any]) -> dict[str, Handler]:
        def decode(inp: dict[str, Any]) -> dict[str, Any]:
            p = dec(hex_field(inp, "bytes"), allow_identity=_flag(inp, "allowIdentity"))
            return {"point": to_hex(p.to_bytes()), "identity": p.is_identity()}

        def add(inp: dict[str, Any]) -> dict[str, Any]:
            a, b = dec(hex_field(inp, "a")), dec(hex_field(inp, "b"))
            return {"point": to_hex((a + b).to_bytes())}

        def mul(inp: dict[str, Any]) -> dict[str, Any]:
            p, k = dec(hex_field(inp, "point")), codec.zr(hex_field(inp, "scalar"))
            return {"point": to_hex((p * k).to_bytes())}

        def msm_(inp: dict[str, Any]) -> dict[str, Any]:
            points = [dec(b) for b in hex_list(inp, "points")]
            scalars = [codec.zr(b) for b in hex_list(inp, "scalars")]
            return {"point": to_hex(msm(points, scalars).to_bytes())}

        return {f"group.{name}.decode": decode, f"group.{name}.add": add, f"group.{name}.mul": mul,
                f"group.{name}.msm": msm_}

    def zr_decode(inp: dict[str, Any]) -> dict[str, Any]:
        return {"scalar": to_hex(codec.zr(hex_field(inp, "bytes"), allow_zero=_flag(inp, "allowZero")).to_bytes())}

    def gt_decode(inp: dict[str, Any]) -> dict[str, Any]:
        e = codec.gt(hex_field(inp, "bytes"))
        return {"element": to_hex(e.to_bytes()), "isOne": e.is_one()}

    def expand(inp: dict[str, Any]) -> dict[str, Any]:
        out = codec.expand_message_xmd(hex_field(inp, "msg"), hex_field(inp, "dst"), field(inp, "lenInBytes", int))
        return {"uniformBytes": to_hex(out)}

    def h2g1(inp: dict[str, Any]) -> dict[str, Any]:
        return {"point": to_hex(codec.hash_to_g1(hex_field(inp, "msg"), hex_field(inp, "dst")).to_bytes())}

    def h2g2(inp: dict[str, Any]) -> dict[str, Any]:
        return {"point": to_hex(codec.hash_to_g2(hex_field(inp, "msg"), hex_field(inp, "dst")).to_bytes())}

    def h2zr(inp: dict[str, Any]) -> dict[str, Any]:
        return {"scalar": to_hex(codec.hash_to_zr(hex_field(inp, "msg"), hex_field(inp, "dst")).to_bytes())}

    def pairs(inp: dict[str, Any]) -> list[tuple[G1Element, G2Element]]:
        out = []
        for item in field(inp, "pairs", list):
            out.append((codec.g1(hex_field(item, "p")), codec.g2(hex_field(item, "q"))))
        return out

    def pair(inp: dict[str, Any]) -> dict[str, Any]:
        return {"gt": to_hex(codec.pair(codec.g1(hex_field(inp, "p")), codec.g2(hex_field(inp, "q"))).to_bytes())}

    def multi(inp: dict[str, Any]) -> dict[str, Any]:
        return {"gt": to_hex(codec.multi_pairing(pairs(inp)).to_bytes())}

    def check(inp: dict[str, Any]) -> dict[str, Any]:
        return {"result": bool(codec.pairing_check(pairs(inp)))}

    ops: dict[str, Handler] = {}
    ops.update(point_ops("g1", codec.g1, codec.msm_g1))
    ops.update(point_ops("g2", codec.g2, codec.msm_g2))
    ops.update({
        "group.zr.decode": zr_decode,
        "group.gt.decode": gt_decode,
        "group.hash.expand_message_xmd": expand,
        "group.hash.hash_to_g1": h2g1,
        "group.hash.hash_to_g2": h2g2,
        "group.hash.hash_to_zr": h2zr,
        "group.pairing.pair": pair,
        "group.pairing.multi_pairing": multi,
        "group.pairing.pairing_check": check,
    })
    if only is not None:
        wanted = set(only)
        unknown = wanted - ops.keys()
        if unknown:
            raise KeyError(f"unknown group ops {sorted(unknown)}")
        ops = {k: v for k, v in ops.items() if k in wanted}
    return ops


OPS: dict[str, Handler] = make_ops(Codec())

#: the ops that decode a G1 (G2) point from their input
G1_OPS = ["group.g1.decode", "group.g1.add", "group.g1.mul", "group.g1.msm", "group.pairing.pair",
          "group.pairing.multi_pairing", "group.pairing.pairing_check"]
G2_OPS = ["group.g2.decode", "group.g2.add", "group.g2.mul", "group.g2.msm", "group.pairing.pair",
          "group.pairing.multi_pairing", "group.pairing.pairing_check"]
