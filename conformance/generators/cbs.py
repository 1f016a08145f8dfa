"""Vectors of ``crypto.cbs`` (spec/crypto/cbs.md): verify, verify_certificate, batch_verify, decode.

The adversarial cases are built on purpose: expired, not-yet-valid and revoked certificates; certificates
relabelled with another key, identity or period; Type I forgeries (a replaced public key the adversary knows the
secret of, with no certificate from msk, or with the target's certificate); Type II forgeries (msk known, the
target's usk not); signatures on other messages; cancelling pairs in a batch; malformed encodings.
"""

from __future__ import annotations

from typing import Any

import attrs

from ...reference.testbed import adversarial, get_group
from ...spec.crypto import cbs
from ...spec.crypto._codec import to_hex
from ...spec.group import G1Element
from ...spec.params import G1_BYTES, G2_BYTES
from ...spec.rng import DeterministicRNG
from ..builder import VectorFileBuilder

SEED = b"medshare/conformance/cbs"


def _note(bug: str, text: str, anchor: str) -> dict[str, str]:
    return {"bugType": bug, "description": text, "specRef": f"spec/crypto/cbs.md#{anchor}"}


NOTES = {
    "Valid": _note("KNOWN_ANSWER", "A signature or certificate made by the reference that must verify.",
                   "algorithms"),
    "PeriodBoundary": _note("EDGE_CASE", "Verification at the first (start) or last (end - 1) valid time unit; "
                            "off-by-one period checks reject it.", "periods-and-revocation"),
    "ExpiredCertificate": _note("EXPIRED_CERTIFICATE", "The verification time is at or after the period's end: "
                                "CERT_EXPIRED.", "periods-and-revocation"),
    "NotYetValid": _note("EXPIRED_CERTIFICATE", "The verification time is before the period's start: "
                         "CERT_NOT_YET_VALID.", "periods-and-revocation"),
    "RevokedCertificate": _note("REVOCATION_IGNORED", "The certificate id is on the revocation list: "
                                "CERT_REVOKED.", "periods-and-revocation"),
    "CertificateForOtherKey": _note("AUTH_BYPASS", "A genuine certificate relabelled with another public key, "
                                    "identity or period: the authority's signature does not cover it.",
                                    "algorithms"),
    "WrongExpectedKey": _note("AUTH_BYPASS", "A valid certificate, but for another identity or key than the "
                              "caller expects: CERT_WRONG_KEY.", "algorithms"),
    "OtherAuthority": _note("AUTH_BYPASS", "Certified by another authority's master key.", "algorithms"),
    "TypeIForgery": _note("SIGNATURE_FORGERY", "Type I: the adversary replaces the signer's public key by one "
                          "whose secret it knows, without a certificate from msk (no certificate term, or the "
                          "target's certificate). Accepting it means the certificate term is not checked.",
                          "security-model"),
    "TypeIIForgery": _note("SIGNATURE_FORGERY", "Type II: the adversary knows msk, hence every certificate, but not "
                           "the signer's usk.", "security-model"),
    "WrongMessage": _note("SIGNATURE_FORGERY", "A valid signature presented for another message.", "algorithms"),
    "WrongPeriod": _note("SIGNATURE_FORGERY", "A valid signature presented with another validity period or "
                         "identity, or with its certificate swapped for another period's: the certificate term "
                         "and H_msg bind both.", "periods-and-revocation"),
    "BatchOneBad": _note("SIGNATURE_FORGERY", "A batch with one or more invalid signatures among valid ones.",
                         "batch-verification"),
    "BatchCancelling": _note("SIGNATURE_FORGERY", "Two invalid signatures whose errors cancel in a plain sum "
                             "(sigma_1 + D, sigma_2 - D): only random coefficients catch them.",
                             "batch-verification"),
    "IdentityPoint": _note("EDGE_CASE", "The identity point as a public key, signature or certificate "
                           "signature: IDENTITY_NOT_ALLOWED.", "encodings"),
    "WrongLength": _note("WRONG_LENGTH", "An encoding with a byte too few or too many.", "encodings"),
    "NotInSubgroup": _note("MISSING_SUBGROUP_CHECK", "A curve point outside the order-r subgroup.", "encodings"),
    "NonCanonical": _note("NON_CANONICAL_ENCODING", "A coordinate >= p, bad flag bits, or hex not in "
                          "lowercase.", "encodings"),
    "MalformedStructure": _note("MALFORMED_INPUT", "A structured encoding that is truncated, has trailing bytes, "
                                "an empty period, an empty identity or an extra JSON field.", "encodings"),
    "KeyPairMismatch": _note("KEY_MISMATCH", "A key pair whose public key is not sk·g2.", "encodings"),
}


def _with(sig: G1Element) -> str:
    return to_hex(sig.to_bytes())


def generate() -> list[dict[str, Any]]:
    G = get_group("native")
    rng = DeterministicRNG(SEED)
    authority = cbs.setup(G, rng.fork("authority"))
    rogue = cbs.setup(G, rng.fork("rogue authority"))
    users = [cbs.keygen(G, rng.fork(f"user {i}")) for i in range(4)]
    names = ["mi-0001", "ri-0042", "cpc-3", "dev/ecg-7·ü"]
    period = cbs.Period(1000, 2000)
    certs = [cbs.certify(G, authority, n, u.pk, period) for n, u in zip(names, users, strict=True)]
    keys = [c.certified_key() for c in certs]
    msg = b"MDC tx: publish record r-17"
    sig = cbs.sign(G, users[0], certs[0], msg)
    mpk = to_hex(authority.pk.to_bytes())
    adversary = cbs.keygen(G, rng.fork("adversary"))
    base = {"signer": keys[0].to_json(), "message": to_hex(msg), "signature": sig.to_json(), "at": 1500}
    identity_g1, identity_g2 = to_hex(adversarial.identity(G1_BYTES)), to_hex(adversarial.identity(G2_BYTES))
    off_subgroup = to_hex(adversarial.g1_off_subgroup())
    files = []

    # verify ---------------------------------------------------------------------------------------------
    v = VectorFileBuilder("crypto.cbs.verify", NOTES)
    v.group({"authorityPk": mpk})
    v.valid("valid signature", base, flags=["Valid"])
    v.valid("at the period start", {**base, "at": 1000}, flags=["PeriodBoundary"])
    v.valid("at the last valid unit (end - 1)", {**base, "at": 1999}, flags=["PeriodBoundary"])
    v.valid("revocation list naming other certificates", {**base, "revoked": [to_hex(k.cert_id()) for k in keys[1:]]},
            flags=["Valid"])
    for i in (1, 3):
        m = b"" if i == 1 else b"\x00" * 300
        v.valid(f"signer {names[i]!r}, message of {len(m)} bytes",
                {**base, "signer": keys[i].to_json(), "message": to_hex(m),
                 "signature": cbs.sign(G, users[i], certs[i], m).to_json()}, flags=["Valid"])
    v.invalid("at the period end", {**base, "at": 2000}, "CERT_EXPIRED", ["ExpiredCertificate"])
    v.invalid("long after the period", {**base, "at": 2**40}, "CERT_EXPIRED", ["ExpiredCertificate"])
    v.invalid("before the period start", {**base, "at": 999}, "CERT_NOT_YET_VALID", ["NotYetValid"])
    v.invalid("certificate revoked", {**base, "revoked": [to_hex(keys[0].cert_id())]}, "CERT_REVOKED",
              ["RevokedCertificate"])
    v.invalid("signature on another message", {**base, "message": to_hex(msg + b"!")}, "SIGNATURE_INVALID",
              ["WrongMessage"])
    v.invalid("another signer's signature", {**base, "signature": cbs.sign(G, users[1], certs[1], msg).to_json()},
              "SIGNATURE_INVALID", ["WrongMessage"])
    renewed = attrs.evolve(keys[0], period=cbs.Period(2000, 3000))
    v.invalid("the signer's key with another period", {**base, "signer": renewed.to_json(), "at": 2500},
              "SIGNATURE_INVALID", ["WrongPeriod"])
    v.invalid("the signer's key under another identity", {**base, "signer": attrs.evolve(keys[0],
              identity="mi-0002").to_json()}, "SIGNATURE_INVALID", ["WrongPeriod"])
    cert_new = cbs.certify(G, authority, names[0], users[0].pk, renewed.period)
    swap = {**base, "signer": renewed.to_json(), "at": 2500}
    v.invalid("certificate swapped for the renewed one: sigma - cert_old + cert_new (both public)",
              {**swap, "signature": _with(sig.sigma - certs[0].sigma + cert_new.sigma)}, "SIGNATURE_INVALID",
              ["WrongPeriod"])
    h_no_period = G.hash_to_g1(keys[0].to_bytes()[:-16] + len(msg).to_bytes(8, "big") + msg, cbs.DST_MSG)
    v.invalid("renewed certificate plus a user half whose H_msg omits the period (what a swap gives if H_msg "
              "does not bind the period)", {**swap, "signature": _with(cert_new.sigma + h_no_period * users[0].sk)},
              "SIGNATURE_INVALID", ["WrongPeriod"])
    replaced = cbs.CertifiedKey(names[0], adversary.pk, period)
    h_adv = cbs.hash_message(G, msg, replaced)
    v.invalid("Type I: replaced public key, no certificate term", {**base, "signer": replaced.to_json(),
              "signature": _with(h_adv * adversary.sk)}, "SIGNATURE_INVALID", ["TypeIForgery"])
    v.invalid("Type I: replaced public key with the target's certificate", {**base, "signer": replaced.to_json(),
              "signature": _with(certs[0].sigma + h_adv * adversary.sk)}, "SIGNATURE_INVALID", ["TypeIForgery"])
    replaced_other = cbs.CertifiedKey(names[1], adversary.pk, period)
    v.invalid("Type I: another identity's key replaced, bare BLS signature",
              {**base, "signer": replaced_other.to_json(),
               "signature": _with(cbs.hash_message(G, msg, replaced_other) * adversary.sk)},
              "SIGNATURE_INVALID", ["TypeIForgery"])
    fake_cert = cbs.certify(G, cbs.AuthorityKeyPair(adversary.sk, adversary.pk), names[0], adversary.pk, period)
    v.invalid("Type I: certificate self-issued under a key the adversary controls",
              {**base, "signer": replaced.to_json(), "signature": cbs.sign(G, adversary, fake_cert, msg).to_json()},
              "SIGNATURE_INVALID", ["TypeIForgery"])
    cert0 = cbs.hash_cert(G, keys[0]) * authority.sk
    v.invalid("Type II: the certificate alone (msk known)", {**base, "signature": _with(cert0)},
              "SIGNATURE_INVALID", ["TypeIIForgery"])
    v.invalid("Type II: the certificate plus a guessed user key",
              {**base, "signature": _with(cert0 + cbs.hash_message(G, msg, keys[0]) * adversary.sk)},
              "SIGNATURE_INVALID", ["TypeIIForgery"])
    v.invalid("Type II: certificate and the user's signature on another message (no aggregation across messages)",
              {**base, "signature": _with(cert0 + cbs.hash_message(G, b"x", keys[0]) * users[0].sk)},
              "SIGNATURE_INVALID", ["TypeIIForgery"])
    rogue_cert = cbs.certify(G, rogue, names[0], users[0].pk, period)
    v.invalid("certified by another authority", {**base, "signature": cbs.sign(G, users[0], rogue_cert,
              msg).to_json()}, "SIGNATURE_INVALID", ["OtherAuthority"])
    v.invalid("signature is the identity point", {**base, "signature": identity_g1},
              "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    v.invalid("public key is the identity point", {**base, "signer": {**keys[0].to_json(),
              "publicKey": identity_g2}}, "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    v.invalid("signature of 47 bytes", {**base, "signature": to_hex(sig.to_bytes()[:-1])}, "BAD_LENGTH",
              ["WrongLength"])
    v.invalid("signature of 49 bytes", {**base, "signature": to_hex(sig.to_bytes() + b"\x00")}, "BAD_LENGTH",
              ["WrongLength"])
    v.invalid("signature off the subgroup", {**base, "signature": off_subgroup},
              "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    v.invalid("signature x coordinate = p", {**base, "signature": to_hex(adversarial.x_not_canonical(G1_BYTES))},
              "COORDINATE_NOT_CANONICAL", ["NonCanonical"])
    v.invalid("signature hex in upper case", {**base, "signature": "0x" + sig.to_bytes().hex().upper()}, "BAD_HEX",
              ["NonCanonical"])
    v.invalid("empty period", {**base, "signer": {**keys[0].to_json(), "period": {"start": 5, "end": 5}}},
              "MALFORMED_ENCODING", ["MalformedStructure"])
    v.invalid("signer with an extra field", {**base, "signer": {**keys[0].to_json(), "role": "MI"}}, "BAD_JSON",
              ["MalformedStructure"])
    files.append(v.build())

    # verify_certificate --------------------------------------------------------------------------------------
    c = VectorFileBuilder("crypto.cbs.verify_certificate", NOTES)
    c.group({"authorityPk": mpk})
    cb = {"certificate": certs[0].to_json(), "at": 1500}
    c.valid("valid certificate", cb, flags=["Valid"])
    c.valid("valid, expected identity and key given", {**cb, "identity": names[0],
            "publicKey": to_hex(users[0].pk.to_bytes())}, flags=["Valid"])
    c.valid("at the period start", {**cb, "at": 1000}, flags=["PeriodBoundary"])
    c.valid("at end - 1", {**cb, "at": 1999}, flags=["PeriodBoundary"])
    c.valid("unicode identity", {**cb, "certificate": certs[3].to_json()}, flags=["Valid"])
    c.invalid("at the period end", {**cb, "at": 2000}, "CERT_EXPIRED", ["ExpiredCertificate"])
    c.invalid("before the period start", {**cb, "at": 0}, "CERT_NOT_YET_VALID", ["NotYetValid"])
    c.invalid("revoked", {**cb, "revoked": [to_hex(keys[0].cert_id())]}, "CERT_REVOKED", ["RevokedCertificate"])
    for label, changed in (("another public key", attrs.evolve(certs[0], public_key=users[1].pk)),
                           ("another identity", attrs.evolve(certs[0], identity=names[1])),
                           ("a longer period", attrs.evolve(certs[0], period=cbs.Period(1000, 9000))),
                           ("a later period", attrs.evolve(certs[0], period=cbs.Period(2000, 3000)))):
        c.invalid(f"certificate relabelled with {label}", {**cb, "certificate": changed.to_json(),
                  "at": changed.period.start}, "CERT_INVALID", ["CertificateForOtherKey"])
    c.invalid("another certificate's signature", {**cb, "certificate": attrs.evolve(certs[0],
              sigma=certs[1].sigma).to_json()}, "CERT_INVALID", ["CertificateForOtherKey"])
    c.invalid("issued by another authority", {**cb, "certificate": rogue_cert.to_json()}, "CERT_INVALID",
              ["OtherAuthority"])
    c.invalid("valid but for another key than expected", {**cb, "publicKey": to_hex(users[1].pk.to_bytes())},
              "CERT_WRONG_KEY", ["WrongExpectedKey"])
    c.invalid("valid but for another identity than expected", {**cb, "identity": names[1]}, "CERT_WRONG_KEY",
              ["WrongExpectedKey"])
    c.invalid("certificate signature is the identity", {**cb, "certificate": {**certs[0].to_json(),
              "sigma": identity_g1}}, "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    c.invalid("certificate signature off the subgroup", {**cb, "certificate": {**certs[0].to_json(),
              "sigma": off_subgroup}}, "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    c.invalid("certificate without sigma", {**cb, "certificate": certs[0].certified_key().to_json()}, "BAD_JSON",
              ["MalformedStructure"])
    c.invalid("empty identity", {**cb, "certificate": {**certs[0].to_json(), "identity": ""}},
              "MALFORMED_ENCODING", ["MalformedStructure"])
    files.append(c.build())

    # batch_verify -------------------------------------------------------------------------------------------
    b = VectorFileBuilder("crypto.cbs.batch_verify", NOTES)
    b.group({"authorityPk": mpk, "seed": to_hex(b"batch coefficients")})
    items = []
    for j in range(12):
        m = b"SHC vote %d" % j
        items.append({"signer": keys[j % 4].to_json(), "message": to_hex(m),
                      "signature": cbs.sign(G, users[j % 4], certs[j % 4], m).to_json()})
    bb = {"items": items, "at": 1500}
    b.valid("12 signatures by 4 signers", bb, flags=["Valid"])
    b.valid("one signature", {**bb, "items": items[:1]}, flags=["Valid"])
    b.valid("empty batch", {**bb, "items": []}, flags=["Valid"])
    b.valid("at end - 1", {**bb, "at": 1999}, flags=["PeriodBoundary"])
    b.invalid("one signature on a tampered message", {**bb, "items": items[:5] + [{**items[5], "message":
              to_hex(b"tampered")}] + items[6:]}, "BATCH_INVALID", ["BatchOneBad"])
    b.invalid("two signatures swapped", {**bb, "items": [{**items[0], "signature": items[1]["signature"]},
              {**items[1], "signature": items[0]["signature"]}] + items[2:]}, "BATCH_INVALID", ["BatchOneBad"])
    d = G.g1() * 0x5EED
    s0 = cbs.Signature.from_json(G, items[0]["signature"]).sigma
    s1 = cbs.Signature.from_json(G, items[1]["signature"]).sigma
    b.invalid("a cancelling pair of invalid signatures", {**bb, "items": [{**items[0], "signature": _with(s0 + d)},
              {**items[1], "signature": _with(s1 - d)}] + items[2:]}, "BATCH_INVALID", ["BatchCancelling"])
    b.invalid("one Type I forgery without certificate term", {**bb, "items": items[:3] + [
              {"signer": replaced.to_json(), "message": to_hex(msg), "signature": _with(h_adv * adversary.sk)}]},
              "BATCH_INVALID", ["TypeIForgery"])
    b.invalid("one Type II forgery (certificate alone)", {**bb, "items": items[:3] + [
              {"signer": keys[0].to_json(), "message": to_hex(msg), "signature": _with(cert0)}]},
              "BATCH_INVALID", ["TypeIIForgery"])
    b.invalid("every signature valid but the batch verified after the period", {**bb, "at": 2000}, "CERT_EXPIRED",
              ["ExpiredCertificate"])
    b.invalid("one revoked signer", {**bb, "revoked": [to_hex(keys[2].cert_id())]}, "CERT_REVOKED",
              ["RevokedCertificate"])
    b.invalid("identity signature in the batch", {**bb, "items": items[:2] + [{**items[2], "signature":
              identity_g1}]}, "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    b.invalid("item with a missing field", {**bb, "items": [{"signer": items[0]["signer"],
              "message": items[0]["message"]}]}, "BAD_JSON", ["MalformedStructure"])
    files.append(b.build())

    # decode ------------------------------------------------------------------------------------------------
    k = VectorFileBuilder("crypto.cbs.decode", NOTES)
    k.group({})
    cert_b, key_b, pk_b = certs[3].to_bytes(), keys[0].to_bytes(), users[0].pk.to_bytes()
    for kind, data in (("signature", sig.to_bytes()), ("certificate", cert_b), ("certifiedKey", key_b),
                       ("publicKey", pk_b), ("userKeyPair", users[2].to_bytes())):
        k.valid(f"canonical {kind}", {"kind": kind, "bytes": to_hex(data)}, flags=["Valid"])
    k.invalid("certificate with a trailing byte", {"kind": "certificate", "bytes": to_hex(cert_b + b"\x00")},
              "MALFORMED_ENCODING", ["MalformedStructure"])
    k.invalid("truncated certificate", {"kind": "certificate", "bytes": to_hex(cert_b[:-1])}, "MALFORMED_ENCODING",
              ["MalformedStructure"])
    k.invalid("certificate identity length longer than the data", {"kind": "certificate",
              "bytes": to_hex(b"\xff\xff" + cert_b[2:])}, "MALFORMED_ENCODING", ["MalformedStructure"])
    k.invalid("identity not UTF-8", {"kind": "certifiedKey", "bytes": to_hex(b"\x00\x02\xc3\x28" + key_b[9:])},
              "MALFORMED_ENCODING", ["MalformedStructure"])
    n = 2 + len(names[0])
    k.invalid("period start > end", {"kind": "certifiedKey", "bytes": to_hex(key_b[:n + 96] + (9).to_bytes(8, "big")
              + (3).to_bytes(8, "big"))}, "MALFORMED_ENCODING", ["MalformedStructure"])
    k.invalid("identity public key inside a certified key", {"kind": "certifiedKey", "bytes": to_hex(
              key_b[:n] + adversarial.identity(G2_BYTES) + key_b[n + 96:])}, "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    k.invalid("identity signature", {"kind": "signature", "bytes": identity_g1},
              "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    k.invalid("identity public key", {"kind": "publicKey", "bytes": identity_g2},
              "IDENTITY_NOT_ALLOWED", ["IdentityPoint"])
    k.invalid("signature without the compression flag", {"kind": "signature", "bytes": to_hex(
              adversarial.uncompressed_flag(sig.to_bytes()))}, "BAD_FLAGS", ["NonCanonical"])
    k.invalid("signature off the subgroup", {"kind": "signature", "bytes": off_subgroup},
              "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    k.invalid("public key of 95 bytes", {"kind": "publicKey", "bytes": to_hex(pk_b[:-1])}, "BAD_LENGTH",
              ["WrongLength"])
    k.invalid("key pair with another public key", {"kind": "userKeyPair", "bytes": to_hex(
              users[2].sk.to_bytes() + users[1].pk.to_bytes())}, "KEY_MISMATCH", ["KeyPairMismatch"])
    k.invalid("key pair with sk = 0", {"kind": "userKeyPair", "bytes": to_hex(bytes(32) + pk_b)},
              "SCALAR_ZERO_NOT_ALLOWED", ["MalformedStructure"])
    files.append(k.build())
    return files
