"""Secrets never reach an error message (docs/design.md §4, spec/errors.md "Messages").

Every key type — FAME master and attribute keys, CBS authority and user key pairs, IBE master key pairs and
identity keys, Umbral secret keys, the Groth16 setup trapdoor — is fed malformed in many ways, as bytes, as its
hex form and as its JSON form: hex with a newline, a space, upper case, a bad character at several places,
truncated, extended, without ``0x``, as a number; bytes truncated, extended, with flipped bits and tags. Each
malformed input must be refused with a ``MedshareError`` (or, where the bytes still encode a key, accepted), and
no run of four or more hex digits of the input may appear in the message. The reference adapter's replies to
malformed keys carry a code and nothing from the input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from medshare.conformance import adapter
from medshare.spec.crypto import cbs, fame, ibe, umbral
from medshare.spec.errors import MedshareError
from medshare.spec.group import PairingGroup
from medshare.spec.params import R
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import field, groth16
from medshare.spec.zk.r1cs import Circuit

_HEX_RUN = re.compile(r"[0-9a-fA-F]{4,}")


def leaked(secret: str, text: str) -> list[str]:
    """The 4-digit windows of ``text``'s hex-digit runs that occur in ``secret`` (lower-case hex)."""
    windows = {run[i:i + 4].lower() for run in _HEX_RUN.findall(text) for i in range(len(run) - 3)}
    return sorted(w for w in windows if w in secret)


def bad_hex(s: str) -> Iterator[object]:
    """Malformed variants of the hex string ``s`` ("0x" + digits)."""
    digits = s[2:]
    n = len(digits)
    yield s + "\n"
    yield s + " "
    yield " " + s
    yield "0x " + digits
    yield "0X" + digits
    yield digits
    yield s.upper()
    yield s[:-1]
    yield s + "0"
    yield "0x" + digits[:n // 2] + " " + digits[n // 2:]
    for pos in sorted({0, 1, n // 3, n // 2, n - 2, n - 1}):
        for c in ("g", "G", "A", " ", "\n", "\x00", "é", "\u0663", "\uff10", "-"):
            yield "0x" + digits[:pos] + c + digits[pos + 1:]
    yield int(digits[:32] or "0", 16)
    yield list(digits[:16])
    yield {"hex": s}
    yield None


def bad_bytes(data: bytes) -> Iterator[bytes]:
    """Malformed variants of the encoding ``data``: truncated, extended, flipped."""
    n = len(data)
    for k in (1, 2, 16, n // 2, n - 1):
        if 0 < k <= n:
            yield data[:n - k]
    for extra in (b"\x00", b"\xff" * 3, data[:8]):
        yield data + extra
    yield data[1:]
    yield bytes(48) + data
    for pos in sorted({0, 1, 2, n // 4, n // 2, n - 33, n - 1} & set(range(n))):
        for mask in (0x01, 0x80, 0xFF, 0x20, 0x40):
            yield data[:pos] + bytes([data[pos] ^ mask]) + data[pos + 1:]


@attrs.frozen
class KeyType:
    name: str
    data: bytes                                     # the canonical encoding of a real key
    from_bytes: Callable[[bytes], object]
    json_form: Any                                  # its JSON form
    from_json: Callable[[Any], object]


def _key_types(group: PairingGroup) -> list[KeyType]:
    rng = DeterministicRNG(b"secrets-not-echoed")
    _, msk = fame.setup(group, rng)
    ak = fame.keygen(group, msk, ["cardiology", "researcher@2"], rng)
    authority, user = cbs.setup(group, rng), cbs.keygen(group, rng)
    master = ibe.setup(group, rng)
    ik = ibe.extract(group, master, "device-7", 3)
    usk = umbral.SecretKey.random(rng)
    G = group
    return [
        KeyType("FAME master key", msk.to_bytes(), lambda b: fame.MasterKey.from_bytes(G, b), msk.to_json(),
                lambda o: fame.MasterKey.from_json(G, o)),
        KeyType("FAME attribute key", ak.to_bytes(), lambda b: fame.AttributeKey.from_bytes(G, b), ak.to_json(),
                lambda o: fame.AttributeKey.from_json(G, o)),
        KeyType("CBS authority key", authority.to_bytes(), lambda b: cbs.AuthorityKeyPair.from_bytes(G, b),
                authority.to_json(), lambda o: cbs.AuthorityKeyPair.from_json(G, o)),
        KeyType("CBS user key", user.to_bytes(), lambda b: cbs.UserKeyPair.from_bytes(G, b), user.to_json(),
                lambda o: cbs.UserKeyPair.from_json(G, o)),
        KeyType("IBE master key", master.to_bytes(), lambda b: ibe.MasterKeyPair.from_bytes(G, b),
                master.to_json(), lambda o: ibe.MasterKeyPair.from_json(G, o)),
        KeyType("IBE identity key", ik.to_bytes(), lambda b: ibe.IdentityKey.from_bytes(G, b), ik.to_json(),
                lambda o: ibe.IdentityKey.from_json(G, o)),
        KeyType("Umbral secret key", usk.to_bytes(), umbral.SecretKey.from_bytes, usk.to_json(),
                umbral.SecretKey.from_json),
    ]


def _hex_leaves(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(obj, str) and obj.startswith("0x"):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _hex_leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _hex_leaves(v, (*path, i))


def _replace(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = json.loads(json.dumps(obj))
    node = out
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return out


def _malformed(kt: KeyType) -> Iterator[tuple[str, Callable[[], object]]]:
    for data in bad_bytes(kt.data):
        yield data.hex(), lambda d=data: kt.from_bytes(d)
    for path, value in _hex_leaves(kt.json_form):
        for bad in bad_hex(value):
            yield str(bad), lambda b=bad: kt.from_json(_replace(kt.json_form, path, b))
        for data in list(bad_bytes(bytes.fromhex(value[2:])))[:24]:
            yield data.hex(), lambda d=data: kt.from_json(_replace(kt.json_form, path, "0x" + d.hex()))


def _check(kt: KeyType) -> tuple[int, int]:
    """Feed every malformation of ``kt``; return (refused, accepted)."""
    secret = kt.data.hex()
    refused = accepted = 0
    for shown, call in _malformed(kt):
        try:
            call()
        except MedshareError as e:
            refused += 1
            text = f"{e} {e.args!r}"
            found = leaked(secret, text) + leaked(re.sub(r"[^0-9a-f]", "", shown.lower()), text)
            assert not found, f"{kt.name}: {e.code} message {e.message!r} echoes {found}"
        else:
            accepted += 1
    return refused, accepted


@pytest.mark.parametrize("index", range(7))
def test_no_key_material_in_messages_native(native: PairingGroup, index: int) -> None:
    kt = _key_types(native)[index]
    refused, accepted = _check(kt)
    assert refused >= 80, (kt.name, refused, accepted)  # bit flips of a bare scalar can be another valid key


def test_no_key_material_in_messages_pure(pure: PairingGroup) -> None:
    for kt in _key_types(pure)[2:5]:  # the key pairs: scalar and G2 decoding through the other backend
        refused, _ = _check(kt)
        assert refused > 100


def test_no_toxic_waste_in_messages(native: PairingGroup) -> None:
    """The setup trapdoor, malformed value by value (out of range, of another type, swapped), is refused by
    ``setup_with_trapdoor`` without quoting any of its values, in hex or in decimal."""
    c = Circuit()
    x = c.public(3)
    c.constrain(x, c.private(5), c.mul(x, 5))
    r1cs = c.to_r1cs()
    td = groth16.derive_trapdoor(native, r1cs, DeterministicRNG(b"toxic"))
    values = attrs.astuple(td)
    secret = "".join(f"{v:064x}" + str(v) for v in values)
    variants: list[groth16.Trapdoor] = []
    for i, name in enumerate(attrs.fields_dict(groth16.Trapdoor)):
        for bad in (0, R, R + values[i], -values[i], values[i] + R * 2, hex(values[i]), str(values[i]), float(7),
                    None, True, [values[i]]):
            variants.append(attrs.evolve(td, **{name: bad}))
    n = 1 << field.domain_log_size(groth16.qap_rows(r1cs))
    variants.append(attrs.evolve(td, tau=field.root_of_unity(field.domain_log_size(2 * n))))  # tau^(2n) = 1
    for bad_td in variants:
        with pytest.raises(MedshareError) as e:
            groth16.setup_with_trapdoor(native, r1cs, bad_td)
        assert e.value.code == "KEY_MISMATCH"
        assert not leaked(secret, f"{e.value} {e.value.args!r}")
    assert str(values[0]) not in repr(td) and f"{values[0]:x}"[:8] not in repr(td)


def test_adapter_replies_carry_no_key_material(native: PairingGroup) -> None:
    """Malformed secret keys sent to the reference adapter: a code, nothing else from the input."""
    ops = adapter.load_handlers()
    kts = {kt.name: kt for kt in _key_types(native)}
    msk, ik = kts["FAME master key"], kts["IBE identity key"]
    requests = []
    for bad in bad_hex(msk.json_form["msk"]):
        requests.append(({"id": 1, "op": "crypto.fame.keygen",
                          "input": {"masterKey": bad, "attributes": ["cardiology"], "seed": "0x00"}}, msk.data.hex()))
    for bad in bad_hex(ik.json_form["d"]):
        requests.append(({"id": 2, "op": "crypto.ibe.decapsulate",
                          "input": {"identityKey": {**ik.json_form, "d": bad}, "identity": "device-7", "epoch": 3,
                                    "u": "0x" + "00" * 96}}, ik.data.hex()))
    for request, secret in requests:
        line = json.dumps(request).encode() + b"\n"
        reply = adapter.reply_to(ops, line, "test")
        assert reply["ok"] is False and reply["error"] != "INTERNAL", reply
        assert set(reply) == {"id", "ok", "error"} and not leaked(secret, json.dumps(reply)), reply
