"""XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) and HKDF-SHA-256 (RFC 5869): Umbral's DEM.

XChaCha20-Poly1305 with key K and 24-byte nonce n is ChaCha20-Poly1305 (RFC 8439) with the subkey
HChaCha20(K, n[0:16]) and the 12-byte nonce 0x00000000 ‖ n[16:24]. HChaCha20 is written out here; the inner
AEAD is the ``cryptography`` package's.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from ..errors import fail

KEY_BYTES = 32
NONCE_BYTES = 24
TAG_BYTES = 16
_SIGMA = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)  # "expand 32-byte k"
_M32 = 0xFFFFFFFF


def hkdf_sha256(ikm: bytes, length: int, salt: bytes = b"", info: bytes = b"") -> bytes:
    """RFC 5869 HKDF-Extract then -Expand with SHA-256 (an empty salt means 32 zero bytes)."""
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def hchacha20(key: bytes, nonce16: bytes) -> bytes:
    """HChaCha20: 20 ChaCha rounds over (constants, key, nonce), output words 0..3 and 12..15 (no feed-forward)."""
    x = list(_SIGMA) + list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))

    def qr(a: int, b: int, c: int, d: int) -> None:
        x[a] = (x[a] + x[b]) & _M32
        t = x[d] ^ x[a]
        x[d] = ((t << 16) | (t >> 16)) & _M32
        x[c] = (x[c] + x[d]) & _M32
        t = x[b] ^ x[c]
        x[b] = ((t << 12) | (t >> 20)) & _M32
        x[a] = (x[a] + x[b]) & _M32
        t = x[d] ^ x[a]
        x[d] = ((t << 8) | (t >> 24)) & _M32
        x[c] = (x[c] + x[d]) & _M32
        t = x[b] ^ x[c]
        x[b] = ((t << 7) | (t >> 25)) & _M32

    for _ in range(10):  # a column round then a diagonal round
        for a, b, c, d in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                           (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
            qr(a, b, c, d)
    return struct.pack("<8I", *(x[0:4] + x[12:16]))


def _inner(key: bytes, nonce: bytes) -> tuple[ChaCha20Poly1305, bytes]:
    if len(key) != KEY_BYTES or len(nonce) != NONCE_BYTES:
        fail("BAD_LENGTH", "XChaCha20-Poly1305 needs a 32-byte key and a 24-byte nonce")
    return ChaCha20Poly1305(hchacha20(key, nonce[:16])), bytes(4) + nonce[16:]


def seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Ciphertext ‖ 16-byte tag."""
    aead, inner_nonce = _inner(key, nonce)
    return aead.encrypt(inner_nonce, plaintext, aad)


def open_(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """The plaintext, or DECRYPTION_FAILED."""
    aead, inner_nonce = _inner(key, nonce)
    try:
        return aead.decrypt(inner_nonce, ciphertext, aad)
    except InvalidTag:
        fail("DECRYPTION_FAILED", "XChaCha20-Poly1305 authentication failed")
