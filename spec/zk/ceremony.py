"""Phase-2 contributions to a Groth16 proving key, as snarkjs 0.7's ``zkey contribute`` makes them and
``zkey verify`` checks them (spec/zk/zk.md, "Keys for a deployment").

A contribution draws a secret x, multiplies delta by x and divides the L and H points by x, so the proving key
stays consistent while nobody who lacks x (nor every other contributor's x) knows delta. It publishes a proof of
knowledge of x: g1_s, g1_sx = x g1_s and g2_spx = x g2_sp, where g2_sp is derived from the transcript hash
(BLAKE2b-512 of the circuit hash, every earlier contribution's public key, g1_s and g1_sx) by snarkjs's
``hashToG2``. Anyone checks the chain: each public key has one ratio x in G1 and G2, and delta moves by that
ratio from one contribution to the next, starting at delta = 1 (``snarkjs groth16 setup``).

What this does not check: that L and H were divided by the same x (that needs the key before the contribution)
and the phase-1 powers of tau; ``snarkjs zkey verify circuit.r1cs ceremony.ptau key.zkey`` checks both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import attrs

from ..errors import fail
from ..group import (
    FLAG_COMPRESSED,
    FLAG_SIGN,
    Fp2,
    G1Element,
    G2Element,
    PairingGroup,
    f2_mul,
    fp2_sign,
    fp2_sqrt,
    g2_rhs,
)
from ..params import FP_BYTES, P
from ..rng import RNG
from .formats import Contribution, Zkey, name_params, zkey_from_snarkjs
from .r1cs import R1CS

TRANSCRIPT_BYTES = 64
#: the cofactor of G2 in the twist E'(Fp2) (ffjavascript's ``cofactorG2`` for bls12381)
G2_COFACTOR = int("5d543a95414e7f1091d50792876a202cd91de4547085abaa68a205b2e5a7ddfa628f1cb4d9e82ef21537e293a6691ae"
                  "1616ec6e786f0c70cf1c38e31c7238e5", 16)
#: ffjavascript draws an Fq element as six 64-bit words masked to 381 bits, read as a Montgomery form (x R)
_MONT_INV = pow(pow(2, 8 * FP_BYTES, P), -1, P)
_MASK_381 = (1 << P.bit_length()) - 1


# Encodings that the transcript hashes ------------------------------------------------------------------------
def hash_g1(group: PairingGroup, p: G1Element) -> bytes:
    """snarkjs's ``hashG1`` input: the uncompressed affine point, x || y big-endian (96 bytes; zeros for the
    identity)."""
    a = group.g1_affine(p)
    return bytes(2 * FP_BYTES) if a is None else a[0].to_bytes(FP_BYTES, "big") + a[1].to_bytes(FP_BYTES, "big")


def hash_g2(group: PairingGroup, p: G2Element) -> bytes:
    """snarkjs's ``hashG2`` input: x1 || x0 || y1 || y0 big-endian (192 bytes; zeros for the identity)."""
    a = group.g2_affine(p)
    if a is None:
        return bytes(4 * FP_BYTES)
    (x0, x1), (y0, y1) = a
    return b"".join(c.to_bytes(FP_BYTES, "big") for c in (x1, x0, y1, y0))


def public_key_bytes(group: PairingGroup, c: Contribution) -> bytes:
    """snarkjs's ``hashPubKey`` input: delta after, g1_s, g1_sx, g2_spx, then the transcript."""
    return (hash_g1(group, c.delta_after) + hash_g1(group, c.g1_s) + hash_g1(group, c.g1_sx)
            + hash_g2(group, c.g2_spx) + c.transcript)


def contribution_hash(group: PairingGroup, c: Contribution) -> bytes:
    """BLAKE2b-512 of the contribution's public key: the hash snarkjs prints as "Contribution Hash"."""
    return hashlib.blake2b(public_key_bytes(group, c), digest_size=64).digest()


def transcript(group: PairingGroup, cs_hash: bytes, previous: Sequence[Contribution], g1_s: G1Element,
               g1_sx: G1Element) -> bytes:
    """BLAKE2b-512(circuit hash || the public keys of the earlier contributions || g1_s || g1_sx)."""
    data = cs_hash + b"".join(public_key_bytes(group, c) for c in previous)
    return hashlib.blake2b(data + hash_g1(group, g1_s) + hash_g1(group, g1_sx), digest_size=64).digest()


# snarkjs's hashToG2 -------------------------------------------------------------------------------------------
def _chacha_words(key: Sequence[int]) -> Iterator[int]:
    """ffjavascript's ChaCha: the ChaCha20 block function (20 rounds) keyed by eight 32-bit words, counter and
    nonce starting at zero; the output words in order."""
    m32 = 0xFFFFFFFF
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, *key, 0, 0, 0, 0]

    def quarter(x: list[int], a: int, b: int, c: int, d: int) -> None:
        for (p, q, r, rot) in ((a, b, d, 16), (c, d, b, 12), (a, b, d, 8), (c, d, b, 7)):
            x[p] = (x[p] + x[q]) & m32
            x[r] ^= x[p]
            x[r] = ((x[r] << rot) | (x[r] >> (32 - rot))) & m32

    while True:
        x = list(state)
        for _ in range(10):
            for a, b, c, d in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                               (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
                quarter(x, a, b, c, d)
        yield from ((x[i] + state[i]) & m32 for i in range(16))
        for i in range(12, 16):  # the 128-bit block counter, little-endian words
            state[i] = (state[i] + 1) & m32
            if state[i]:
                break


def _fq_from_rng(words: Iterator[int]) -> int:
    """ffjavascript's ``F.fromRng`` for Fq: six u64 (high word first) little-endian, masked to 381 bits, redrawn
    while >= q; the result is a Montgomery form, so the element is v / 2^384."""
    while True:
        v = 0
        for i in range(6):
            hi, lo = next(words), next(words)
            v |= ((hi << 32) | lo) << (64 * i)
        v &= _MASK_381
        if v < P:
            return v * _MONT_INV % P


def _f2_add(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P)


def _f2_sub(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] - b[0]) % P, (a[1] - b[1]) % P)


def _f2_small(a: Fp2, k: int) -> Fp2:
    return (a[0] * k % P, a[1] * k % P)


_Jacobian = tuple[Fp2, Fp2, Fp2]  # (X, Y, Z) for the affine point (X / Z^2, Y / Z^3); Z = 0 at infinity


def _twist_double(p: _Jacobian) -> _Jacobian:
    """Doubling on the twist y^2 = x^3 + 4(1 + u) in Jacobian coordinates (a = 0: "dbl-2009-l")."""
    x, y, z = p
    a, b = f2_mul(x, x), f2_mul(y, y)
    c = f2_mul(b, b)
    d = _f2_small(_f2_sub(_f2_sub(f2_mul(_f2_add(x, b), _f2_add(x, b)), a), c), 2)
    e = _f2_small(a, 3)
    x3 = _f2_sub(f2_mul(e, e), _f2_small(d, 2))
    return x3, _f2_sub(f2_mul(e, _f2_sub(d, x3)), _f2_small(c, 8)), _f2_small(f2_mul(y, z), 2)


def _twist_add_affine(p: _Jacobian, q: tuple[Fp2, Fp2]) -> _Jacobian:
    """p + q for q affine and not at infinity ("madd-2007-bl"); doubles when p = q."""
    x1, y1, z1 = p
    if z1 == (0, 0):
        return q[0], q[1], (1, 0)
    zz = f2_mul(z1, z1)
    u2, s2 = f2_mul(q[0], zz), f2_mul(q[1], f2_mul(z1, zz))
    h, r = _f2_sub(u2, x1), _f2_small(_f2_sub(s2, y1), 2)
    if h == (0, 0):
        return _twist_double(p) if r == (0, 0) else ((1, 0), (1, 0), (0, 0))
    hh = f2_mul(h, h)
    i = _f2_small(hh, 4)
    j, v = f2_mul(h, i), f2_mul(x1, i)
    x3 = _f2_sub(_f2_sub(f2_mul(r, r), j), _f2_small(v, 2))
    y3 = _f2_sub(f2_mul(r, _f2_sub(v, x3)), _f2_small(f2_mul(y1, j), 2))
    z3 = _f2_sub(_f2_sub(f2_mul(_f2_add(z1, h), _f2_add(z1, h)), zz), hh)
    return x3, y3, z3


def _twist_mul(p: tuple[Fp2, Fp2], k: int) -> tuple[Fp2, Fp2] | None:
    """k p on the twist (double-and-add), affine; None at infinity."""
    out: _Jacobian = ((1, 0), (1, 0), (0, 0))
    for bit in bin(k)[2:]:
        if out[2] != (0, 0):
            out = _twist_double(out)
        if bit == "1":
            out = _twist_add_affine(out, p)
    x, y, z = out
    if z == (0, 0):
        return None
    n = pow((z[0] * z[0] + z[1] * z[1]) % P, P - 2, P)
    z_inv = (z[0] * n % P, -z[1] * n % P)
    z_inv2 = f2_mul(z_inv, z_inv)
    return f2_mul(x, z_inv2), f2_mul(y, f2_mul(z_inv2, z_inv))


def hash_to_g2(group: PairingGroup, transcript_hash: bytes) -> G2Element:
    """snarkjs's ``hashToG2``: a ChaCha stream keyed by the first 32 bytes of the hash (eight big-endian words);
    ffjavascript's ``G2.fromRng`` draws x in Fp2 (x0, then x1) and a bit ``greatest`` until x^3 + 4(1 + u) is a
    square, takes the root y whose sign (y1's, or y0's if y1 = 0: y > (q - 1)/2) is ``greatest``, and multiplies
    by the G2 cofactor."""
    if len(transcript_hash) != TRANSCRIPT_BYTES:
        fail("INVALID_ARGUMENT", "a transcript hash has 64 bytes")
    words = _chacha_words([int.from_bytes(transcript_hash[4 * i:4 * i + 4], "big") for i in range(8)])
    while True:
        x = (_fq_from_rng(words), _fq_from_rng(words))
        greatest = next(words) & 1 == 1
        y = fp2_sqrt(g2_rhs(x))
        if y is not None:
            break
    if fp2_sign(*y) != greatest:
        y = (-y[0] % P, -y[1] % P)
    point = _twist_mul((x, y), G2_COFACTOR)
    if point is None:
        fail("CONTRIBUTION_INVALID", "the transcript hashes to the identity")
    (x0, x1), (y0, y1) = point
    data = bytearray(x1.to_bytes(FP_BYTES, "big") + x0.to_bytes(FP_BYTES, "big"))
    data[0] |= FLAG_COMPRESSED | (FLAG_SIGN if fp2_sign(y0, y1) else 0)
    return group.g2_from_bytes(bytes(data), allow_identity=False)


# Contributing and checking ---------------------------------------------------------------------------------------
def same_ratio(group: PairingGroup, a1: G1Element, b1: G1Element, a2: G2Element, b2: G2Element) -> bool:
    """b1 / a1 in G1 equals b2 / a2 in G2: e(a1, b2) = e(b1, a2)."""
    return group.pairing_check([(a1, b2), (-b1, a2)])


def contribute(group: PairingGroup, key: Zkey, rng: RNG, name: str = "") -> tuple[Zkey, bytes]:
    """A phase-2 contribution to ``key``, as ``snarkjs zkey contribute`` makes it: x and s from ``rng`` (pass the
    operating system's randomness; x must be forgotten), g1_s = s g1, g1_sx = x g1_s, the transcript, g2_sp =
    hash_to_g2(transcript), g2_spx = x g2_sp; delta_1 and delta_2 times x, every L and H point times 1/x. Returns
    the new key (the contribution appended) and its contribution hash."""
    x = group.random_zr(rng)
    g1_s = group.g1() * group.random_zr(rng)
    g1_sx = g1_s * x
    t = transcript(group, key.cs_hash, key.contributions, g1_s, g1_sx)
    g2_spx = hash_to_g2(group, t) * x
    x_inv = x.inverse()
    pk = key.pk
    new_pk = attrs.evolve(pk, vk=attrs.evolve(pk.vk, delta_g2=pk.vk.delta_g2 * x), delta_g1=pk.delta_g1 * x,
                          l_g1=tuple(p * x_inv for p in pk.l_g1), h_g1=tuple(p * x_inv for p in pk.h_g1))
    c = Contribution(new_pk.delta_g1, g1_s, g1_sx, g2_spx, t, 0, name_params(name))
    return attrs.evolve(key, pk=new_pk, contributions=(*key.contributions, c)), contribution_hash(group, c)


def verify_contributions(group: PairingGroup, key: Zkey, initial_delta: G1Element | None = None) -> list[bytes]:
    """Check the contribution chain as ``snarkjs zkey verify`` does and return the contribution hashes, in
    order. Starting from ``initial_delta`` (default g1: delta = 1, a key from ``snarkjs groth16 setup``), for
    each contribution: its transcript is the hash of what precedes it, its public key has one ratio in G1 and G2
    (same_ratio(g1_s, g1_sx, g2_sp, g2_spx)), and delta moves by that ratio (same_ratio(delta before,
    delta after, g2_sp, g2_spx)); finally the key's delta_1 is the last delta after. ``CONTRIBUTION_INVALID``
    otherwise. A beacon's key is checked like any other, not re-derived from the beacon."""
    delta = group.g1() if initial_delta is None else initial_delta
    hashes = []
    for i, c in enumerate(key.contributions):
        t = transcript(group, key.cs_hash, key.contributions[:i], c.g1_s, c.g1_sx)
        if t != c.transcript:
            fail("CONTRIBUTION_INVALID", f"contribution {i}: the transcript does not hash what precedes it")
        g2_sp = hash_to_g2(group, t)
        if not same_ratio(group, c.g1_s, c.g1_sx, g2_sp, c.g2_spx):
            fail("CONTRIBUTION_INVALID", f"contribution {i}: the public key's G1 and G2 ratios differ")
        if not same_ratio(group, delta, c.delta_after, g2_sp, c.g2_spx):
            fail("CONTRIBUTION_INVALID", f"contribution {i}: delta does not follow the public key")
        hashes.append(contribution_hash(group, c))
        delta = c.delta_after
    if delta != key.pk.delta_g1:
        fail("CONTRIBUTION_INVALID", "the key's delta is not the one its contributions lead to")
    return hashes


def import_key(group: PairingGroup, zkey: bytes, r1cs: R1CS) -> Zkey:
    """A ceremony's proving key for ``r1cs``: the strict import (``formats.zkey_from_snarkjs``), then the
    contribution chain from delta = 1 (a ``snarkjs groth16 setup`` key), which must hold at least one
    contribution: with none, delta = gamma = 1 and anyone forges (``CONTRIBUTION_INVALID``)."""
    key = zkey_from_snarkjs(group, zkey, r1cs)
    if not verify_contributions(group, key):
        fail("CONTRIBUTION_INVALID", "the key has no phase-2 contribution (delta = 1)")
    return key


__all__ = ["G2_COFACTOR", "TRANSCRIPT_BYTES", "contribute", "contribution_hash", "hash_g1", "hash_g2",
           "hash_to_g2", "import_key", "public_key_bytes", "same_ratio", "transcript", "verify_contributions"]
