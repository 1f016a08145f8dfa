"""Vectors of ``crypto.ibe`` (spec/crypto/ibe.md): decapsulate, decrypt_reading, verify_identity_key.

Adversarial cases: keys of another identity or epoch (labelled honestly, or relabelled to claim the right one),
tampered ciphertext bodies, tags, encapsulations and associated data (device id, sequence number), keys from
another authority, and malformed encodings.
"""

from __future__ import annotations

from typing import Any

import attrs

from ...reference.testbed import adversarial, get_group
from ...spec.crypto import ibe
from ...spec.crypto._codec import to_hex
from ...spec.params import G1_BYTES, G2_BYTES
from ...spec.rng import DeterministicRNG
from ..builder import VectorFileBuilder

SEED = b"medshare/conformance/ibe"


def _note(bug: str, text: str, anchor: str) -> dict[str, str]:
    return {"bugType": bug, "description": text, "specRef": f"spec/crypto/ibe.md#{anchor}"}


NOTES = {
    "Valid": _note("KNOWN_ANSWER", "Made by the reference; the output is the known answer.", "algorithms"),
    "WrongIdentityKey": _note("KEY_MISMATCH", "An identity key for another identity, labelled as such: "
                              "KEY_MISMATCH before any pairing.", "errors"),
    "WrongEpochKey": _note("KEY_MISMATCH", "An identity key for another epoch of the same identity (a revoked "
                           "or future key): KEY_MISMATCH.", "errors"),
    "RelabelledKey": _note("KEY_MISMATCH", "A key for another identity or epoch relabelled to claim this one: "
                           "the import check e(d, g2) = e(H(id), P_pub) fails (KEY_MISMATCH); decryption "
                           "with it fails the AEAD (DECRYPTION_FAILED).", "errors"),
    "OtherAuthority": _note("KEY_MISMATCH", "An identity key extracted by another master key.", "errors"),
    "TamperedCiphertext": _note("CIPHERTEXT_MALLEABILITY", "A flipped bit in the AEAD body or tag, or another "
                                "encapsulation U: DECRYPTION_FAILED.", "device-readings"),
    "TamperedAssociatedData": _note("AUTH_BYPASS", "The device id or sequence number changed: the AEAD "
                                    "authenticates them, so DECRYPTION_FAILED (an implementation that skips "
                                    "the tag or the associated data accepts replayed or re-attributed readings).",
                                    "device-readings"),
    "IdentityPoint": _note("EDGE_CASE", "The identity point as U or as an identity key.", "encodings"),
    "NotInSubgroup": _note("MISSING_SUBGROUP_CHECK", "U outside the order-r subgroup of G2.", "encodings"),
    "MalformedStructure": _note("MALFORMED_INPUT", "Missing or extra fields, bad hex, a body shorter than the "
                                "tag, an epoch out of range.", "encodings"),
}


def generate() -> list[dict[str, Any]]:
    G = get_group("native")
    rng = DeterministicRNG(SEED)
    master = ibe.setup(G, rng.fork("kgc"))
    foreign = ibe.setup(G, rng.fork("foreign kgc"))
    key = ibe.extract(G, master, "mi-0001", 7)
    other_id = ibe.extract(G, master, "mi-0002", 7)
    other_epoch = ibe.extract(G, master, "mi-0001", 6)
    relabelled_id = attrs.evolve(other_id, identity="mi-0001")
    relabelled_epoch = attrs.evolve(other_epoch, epoch=7)
    foreign_key = ibe.extract(G, foreign, "mi-0001", 7)
    p_pub = to_hex(master.p_pub.to_bytes())
    readings = [b"", b"hr=72;spo2=97", bytes(range(256)) * 4]
    cts = [ibe.encrypt_reading(G, master.p_pub, "mi-0001", 7, "ecg-3", seq, r, rng.fork(f"reading {seq}"))
           for seq, r in enumerate(readings)]
    ct = cts[1]
    identity_g2 = to_hex(adversarial.identity(G2_BYTES))
    off_subgroup = to_hex(adversarial.g2_off_subgroup(x1=0))
    files = []

    d = VectorFileBuilder("crypto.ibe.decrypt_reading", NOTES)
    d.group({"identityKey": key.to_json()})
    for c in cts:
        d.valid(f"reading of {len(c.body) - 16} bytes, sequence {c.sequence}", {"ciphertext": c.to_json()},
                flags=["Valid"])
    d.invalid("key of another identity", {"ciphertext": ct.to_json(), "identityKey": other_id.to_json()},
              "KEY_MISMATCH", ["WrongIdentityKey"])
    d.invalid("key of an earlier epoch", {"ciphertext": ct.to_json(), "identityKey": other_epoch.to_json()},
              "KEY_MISMATCH", ["WrongEpochKey"])
    d.invalid("ciphertext claiming another epoch", {"ciphertext": {**ct.to_json(), "epoch": 8}}, "KEY_MISMATCH",
              ["WrongEpochKey"])
    d.invalid("another identity's key relabelled", {"ciphertext": ct.to_json(),
              "identityKey": relabelled_id.to_json()}, "DECRYPTION_FAILED", ["RelabelledKey"])
    d.invalid("another epoch's key relabelled", {"ciphertext": ct.to_json(),
              "identityKey": relabelled_epoch.to_json()}, "DECRYPTION_FAILED", ["RelabelledKey"])
    d.invalid("key from another authority", {"ciphertext": ct.to_json(), "identityKey": foreign_key.to_json()},
              "DECRYPTION_FAILED", ["OtherAuthority"])
    body = bytearray(ct.body)
    body[0] ^= 1
    d.invalid("flipped bit in the body", {"ciphertext": {**ct.to_json(), "body": to_hex(bytes(body))}},
              "DECRYPTION_FAILED", ["TamperedCiphertext"])
    d.invalid("flipped bit in the tag", {"ciphertext": {**ct.to_json(), "body": to_hex(ct.body[:-1]
              + bytes([ct.body[-1] ^ 0x80]))}}, "DECRYPTION_FAILED", ["TamperedCiphertext"])
    d.invalid("body truncated by one byte", {"ciphertext": {**ct.to_json(), "body": to_hex(ct.body[:-1])}},
              "DECRYPTION_FAILED", ["TamperedCiphertext"])
    d.invalid("another reading's encapsulation", {"ciphertext": {**ct.to_json(),
              "u": to_hex(cts[0].encapsulation.to_bytes())}}, "DECRYPTION_FAILED", ["TamperedCiphertext"])
    d.invalid("device id changed", {"ciphertext": {**ct.to_json(), "deviceId": "ecg-4"}}, "DECRYPTION_FAILED",
              ["TamperedAssociatedData"])
    d.invalid("sequence number changed (replay as a new reading)", {"ciphertext": {**ct.to_json(), "sequence": 2}},
              "DECRYPTION_FAILED", ["TamperedAssociatedData"])
    d.invalid("reading moved under another sequence and device", {"ciphertext": {**cts[2].to_json(),
              "deviceId": "ecg-9", "sequence": 0}}, "DECRYPTION_FAILED", ["TamperedAssociatedData"])
    d.invalid("U is the identity", {"ciphertext": {**ct.to_json(), "u": identity_g2}}, "IDENTITY_NOT_ALLOWED",
              ["IdentityPoint"])
    d.invalid("U off the subgroup", {"ciphertext": {**ct.to_json(), "u": off_subgroup}},
              "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    d.invalid("body shorter than the tag", {"ciphertext": {**ct.to_json(), "body": to_hex(ct.body[:15])}},
              "MALFORMED_ENCODING", ["MalformedStructure"])
    d.invalid("ciphertext without a sequence number", {"ciphertext": {k: v for k, v in ct.to_json().items()
              if k != "sequence"}}, "BAD_JSON", ["MalformedStructure"])
    d.invalid("body hex in upper case", {"ciphertext": {**ct.to_json(), "body": "0x" + ct.body.hex().upper()}},
              "BAD_HEX", ["MalformedStructure"])
    files.append(d.build())

    k, enc = ibe.encapsulate(G, master.p_pub, "mi-0001", 7, rng.fork("kem"))
    c = VectorFileBuilder("crypto.ibe.decapsulate", NOTES)
    c.group({"identityKey": key.to_json(), "identity": "mi-0001", "epoch": 7})
    c.valid("decapsulation", {"u": to_hex(enc.to_bytes())}, flags=["Valid"])
    c.valid("a second encapsulation", {"u": to_hex(cts[0].encapsulation.to_bytes())}, flags=["Valid"])
    c.invalid("key for another identity", {"u": to_hex(enc.to_bytes()), "identityKey": other_id.to_json()},
              "KEY_MISMATCH", ["WrongIdentityKey"])
    c.invalid("asked for another epoch", {"u": to_hex(enc.to_bytes()), "epoch": 8}, "KEY_MISMATCH",
              ["WrongEpochKey"])
    c.invalid("U is the identity", {"u": identity_g2}, "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    c.invalid("U off the subgroup", {"u": off_subgroup}, "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    c.invalid("U of 95 bytes", {"u": to_hex(enc.to_bytes()[:-1])}, "BAD_LENGTH", ["MalformedStructure"])
    c.invalid("epoch >= 2^64", {"u": to_hex(enc.to_bytes()), "epoch": 2**64}, "BAD_JSON", ["MalformedStructure"])
    files.append(c.build())

    v = VectorFileBuilder("crypto.ibe.verify_identity_key", NOTES)
    v.group({"pPub": p_pub})
    v.valid("genuine key", {"identityKey": key.to_json()}, flags=["Valid"])
    v.valid("genuine key, expected identity and epoch", {"identityKey": key.to_json(), "identity": "mi-0001",
            "epoch": 7}, flags=["Valid"])
    v.valid("genuine key of another epoch", {"identityKey": other_epoch.to_json()}, flags=["Valid"])
    v.invalid("another identity's key relabelled", {"identityKey": relabelled_id.to_json()}, "KEY_MISMATCH",
              ["RelabelledKey"])
    v.invalid("another epoch's key relabelled", {"identityKey": relabelled_epoch.to_json()}, "KEY_MISMATCH",
              ["RelabelledKey"])
    v.invalid("key from another authority", {"identityKey": foreign_key.to_json()}, "KEY_MISMATCH",
              ["OtherAuthority"])
    v.invalid("genuine key, but another epoch expected", {"identityKey": other_epoch.to_json(), "epoch": 7},
              "KEY_MISMATCH", ["WrongEpochKey"])
    v.invalid("genuine key, but another identity expected", {"identityKey": key.to_json(), "identity": "mi-0002"},
              "KEY_MISMATCH", ["WrongIdentityKey"])
    v.invalid("d is the identity", {"identityKey": {**key.to_json(), "d": to_hex(adversarial.identity(G1_BYTES))}},
              "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    v.invalid("P_pub is the identity", {"identityKey": key.to_json(), "pPub": identity_g2},
              "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    v.invalid("key without its epoch", {"identityKey": {"identity": "mi-0001", "d": key.to_json()["d"]}},
              "BAD_JSON", ["MalformedStructure"])
    files.append(v.build())
    return files
