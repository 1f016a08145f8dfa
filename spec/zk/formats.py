"""Interchange with the iden3 toolchain (spec/zk/zk.md, "snarkjs and circom formats").

* snarkjs JSON (``curve: "bls12381"``): points as affine decimal strings, G1 ``[x, y, "1"]``, G2
  ``[[x0, x1], [y0, y1], ["1", "0"]]`` (x = x0 + x1 u), the identity as z = 0 (``["0", "1", "0"]``,
  ``[["0", "0"], ["1", "0"], ["0", "0"]]``); scalars as decimal strings. Import is strict: coordinates < p, the
  point on its curve (``POINT_NOT_ON_CURVE``), in its subgroup (``POINT_NOT_IN_SUBGROUP``, by the group's strict
  decoder), proof points not the identity.
* circom ``.r1cs`` and snarkjs ``.wtns`` (iden3 binfile: 4-byte magic, u32 version, u32 section count, then
  sections ``u32 type, u64 size, body``; integers little-endian; field elements n8 = 32 bytes little-endian,
  standard form). The header's prime must be BLS12-381 r, else ``CIRCUIT_FORMAT``.
* snarkjs Groth16 ``.zkey``, written and read: a proving key in snarkjs's layout, points in ffjavascript's
  Montgomery little-endian affine form, with the circuit hash and phase-2 contributions of a ceremony; import
  is strict, bounded and checked against the circuit (spec/zk/zk.md, "snarkjs proving key").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import attrs

from ..codec import Reader, json_decimal
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
    fp_sign,
    fp_sqrt,
    g1_affine,
    g1_rhs,
    g2_affine,
    g2_rhs,
)
from ..params import FP_BYTES, P, R
from ..rng import DeterministicRNG, random_below
from . import field
from .groth16 import Proof, ProvingKey, VerifyingKey, qap_rows
from .r1cs import R1CS, Constraint, check_size

CURVE_NAME = "bls12381"
FR_BYTES = 32


# affine coordinates: the decompression lives in spec/group.py (a backend may answer faster) -------------
_f2_mul, _fp_sqrt, _fp2_sqrt, _g1_rhs, _g2_rhs = f2_mul, fp_sqrt, fp2_sqrt, g1_rhs, g2_rhs


def g1_from_affine(group: PairingGroup, x: int, y: int, *, allow_identity: bool) -> G1Element:
    if not (0 <= x < P and 0 <= y < P):
        fail("COORDINATE_NOT_CANONICAL", "G1 coordinate >= p")
    if y * y % P != _g1_rhs(x):
        fail("POINT_NOT_ON_CURVE", "G1: y^2 != x^3 + 4")
    data = bytearray(x.to_bytes(FP_BYTES, "big"))
    data[0] |= FLAG_COMPRESSED | (FLAG_SIGN if fp_sign(y) else 0)
    return group.g1_from_bytes(bytes(data), allow_identity=allow_identity)


def g2_from_affine(group: PairingGroup, x: Fp2, y: Fp2, *, allow_identity: bool) -> G2Element:
    if not all(0 <= c < P for c in (*x, *y)):
        fail("COORDINATE_NOT_CANONICAL", "G2 coordinate >= p")
    if _f2_mul(y, y) != _g2_rhs(x):
        fail("POINT_NOT_ON_CURVE", "G2: y^2 != x^3 + 4(1 + u)")
    data = bytearray(x[1].to_bytes(FP_BYTES, "big") + x[0].to_bytes(FP_BYTES, "big"))
    data[0] |= FLAG_COMPRESSED | (FLAG_SIGN if fp2_sign(*y) else 0)
    return group.g2_from_bytes(bytes(data), allow_identity=allow_identity)


# snarkjs JSON ----------------------------------------------------------------------------------------------
#: the most digits a coordinate (< p) or a scalar (< r) can have; longer decimals are refused unread
P_DIGITS, R_DIGITS = len(str(P)), len(str(R))


def _dec(s: object) -> int:
    return json_decimal(s, "a coordinate", P_DIGITS)


def g1_to_snarkjs(p: G1Element) -> list[str]:
    a = g1_affine(p)
    return ["0", "1", "0"] if a is None else [str(a[0]), str(a[1]), "1"]


def g2_to_snarkjs(p: G2Element) -> list[list[str]]:
    a = g2_affine(p)
    if a is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = a
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def g1_from_snarkjs(group: PairingGroup, obj: object, *, allow_identity: bool = False) -> G1Element:
    if not isinstance(obj, list) or len(obj) != 3:
        fail("BAD_JSON", "a G1 point is [x, y, z]")
    x, y, z = (_dec(c) for c in obj)
    if z == 0:
        if (x, y) != (0, 1):
            fail("BAD_JSON", "the G1 identity is [0, 1, 0]")
        if not allow_identity:
            fail("IDENTITY_NOT_ALLOWED")
        return group.identity_g1()
    if z != 1:
        fail("BAD_JSON", "G1 points are affine (z = 1)")
    return g1_from_affine(group, x, y, allow_identity=allow_identity)


def g2_from_snarkjs(group: PairingGroup, obj: object, *, allow_identity: bool = False) -> G2Element:
    if not isinstance(obj, list) or len(obj) != 3 or not all(isinstance(c, list) and len(c) == 2 for c in obj):
        fail("BAD_JSON", "a G2 point is [[x0, x1], [y0, y1], [z0, z1]]")
    x, y, z = (tuple(_dec(v) for v in c) for c in obj)
    if z == (0, 0):
        if (x, y) != ((0, 0), (1, 0)):
            fail("BAD_JSON", "the G2 identity is [[0, 0], [1, 0], [0, 0]]")
        if not allow_identity:
            fail("IDENTITY_NOT_ALLOWED")
        return group.identity_g2()
    if z != (1, 0):
        fail("BAD_JSON", "G2 points are affine (z = 1)")
    return g2_from_affine(group, x, y, allow_identity=allow_identity)  # type: ignore[arg-type]


def vk_to_snarkjs(vk: VerifyingKey) -> dict[str, object]:
    """snarkjs ``verification_key.json`` (without ``vk_alphabeta_12``, which ``groth16 verify`` does not read)."""
    return {"protocol": "groth16", "curve": CURVE_NAME, "nPublic": vk.n_public,
            "vk_alpha_1": g1_to_snarkjs(vk.alpha_g1), "vk_beta_2": g2_to_snarkjs(vk.beta_g2),
            "vk_gamma_2": g2_to_snarkjs(vk.gamma_g2), "vk_delta_2": g2_to_snarkjs(vk.delta_g2),
            "IC": [g1_to_snarkjs(p) for p in vk.ic]}


def vk_from_snarkjs(group: PairingGroup, obj: object) -> VerifyingKey:
    """Strict import of a snarkjs Groth16 verification key for bls12381 (``VK_INVALID`` on protocol, curve or
    count mismatches)."""
    if not isinstance(obj, dict):
        fail("BAD_JSON", "verification key must be an object")
    if obj.get("protocol") != "groth16" or obj.get("curve") != CURVE_NAME:
        fail("VK_INVALID", "not a groth16 bls12381 verification key")
    ic_obj, n_public = obj.get("IC"), obj.get("nPublic")
    if not isinstance(n_public, int) or isinstance(n_public, bool) or n_public < 0:
        fail("VK_INVALID", "nPublic must be a non-negative integer")
    if not isinstance(ic_obj, list) or len(ic_obj) != n_public + 1:
        fail("VK_INVALID", "IC must have nPublic + 1 points")
    for k in ("vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2"):
        if k not in obj:
            fail("VK_INVALID", f"missing {k}")
    return VerifyingKey(
        alpha_g1=g1_from_snarkjs(group, obj["vk_alpha_1"]), beta_g2=g2_from_snarkjs(group, obj["vk_beta_2"]),
        gamma_g2=g2_from_snarkjs(group, obj["vk_gamma_2"]), delta_g2=g2_from_snarkjs(group, obj["vk_delta_2"]),
        ic=tuple(g1_from_snarkjs(group, p, allow_identity=True) for p in ic_obj))


def proof_to_snarkjs(proof: Proof) -> dict[str, object]:
    """snarkjs ``proof.json``."""
    return {"pi_a": g1_to_snarkjs(proof.a), "pi_b": g2_to_snarkjs(proof.b), "pi_c": g1_to_snarkjs(proof.c),
            "protocol": "groth16", "curve": CURVE_NAME}


def proof_from_snarkjs(group: PairingGroup, obj: object) -> Proof:
    if not isinstance(obj, dict) or not {"pi_a", "pi_b", "pi_c"} <= set(obj):
        fail("BAD_JSON", "a snarkjs proof has pi_a, pi_b, pi_c")
    if obj.get("protocol", "groth16") != "groth16" or obj.get("curve", CURVE_NAME) != CURVE_NAME:
        fail("BAD_JSON", "not a groth16 bls12381 proof")
    return Proof(g1_from_snarkjs(group, obj["pi_a"]), g2_from_snarkjs(group, obj["pi_b"]),
                 g1_from_snarkjs(group, obj["pi_c"]))


def public_to_snarkjs(public: Sequence[int]) -> list[str]:
    """snarkjs ``public.json``: decimal strings."""
    return [str(x) for x in public]


def public_from_snarkjs(obj: object) -> list[int]:
    """Decimal strings to integers (``PUBLIC_INPUT_INVALID`` if one is not a canonical decimal of at most
    r's digits; whether a value is below r is the verifier's check)."""
    if not isinstance(obj, list):
        fail("PUBLIC_INPUT_INVALID", "public signals must be a list")
    return [json_decimal(s, f"public signal {i}", R_DIGITS, "PUBLIC_INPUT_INVALID") for i, s in enumerate(obj)]


# iden3 binfiles --------------------------------------------------------------------------------------------
def _reader(data: bytes) -> Reader:
    """iden3 binfile fields: little-endian integers; truncation and trailing bytes are ``CIRCUIT_FORMAT``."""
    return Reader(data, code="CIRCUIT_FORMAT", byteorder="little")


def _sections(data: bytes, magic: bytes, versions: Sequence[int]) -> dict[int, bytes]:
    r = _reader(data)
    if r.take(4) != magic:
        fail("CIRCUIT_FORMAT", f"not a {magic.decode()} file")
    version = r.u32()
    if version not in versions:
        fail("CIRCUIT_FORMAT", f"unsupported {magic.decode()} version {version}")
    out = {}
    for _ in range(r.u32()):
        kind = r.u32()
        body = r.take(r.u64())
        if kind in out:
            fail("CIRCUIT_FORMAT", f"duplicate section {kind}")
        out[kind] = body
    r.end()
    return out


def _fr(r: Reader, n8: int) -> int:
    v = int.from_bytes(r.take(n8), "little")
    if v >= R:
        fail("CIRCUIT_FORMAT", "field element >= r")
    return v


def _field_header(rd: Reader) -> int:
    n8 = rd.u32()
    if n8 != FR_BYTES:
        fail("CIRCUIT_FORMAT", f"field size {n8} bytes; BLS12-381 r needs {FR_BYTES}")
    prime = int.from_bytes(rd.take(n8), "little")
    if prime != R:
        fail("CIRCUIT_FORMAT", "the file's prime is not the BLS12-381 scalar field order r")
    return n8


def r1cs_from_circom(data: bytes) -> R1CS:
    """A circom ``.r1cs`` file (version 1): header (section 1) and constraints (section 2); the wire-label map
    (3) is ignored; other sections (custom gates) are rejected. Public inputs = outputs + public inputs."""
    sections = _sections(data, b"r1cs", (1,))
    if 1 not in sections or 2 not in sections:
        fail("CIRCUIT_FORMAT", "an r1cs file needs header and constraint sections")
    if set(sections) - {1, 2, 3}:
        fail("CIRCUIT_FORMAT", "unsupported r1cs sections (custom gates)")
    rd = _reader(sections[1])
    n8 = _field_header(rd)
    n_wires, n_out, n_pub_in, _n_prv_in = rd.u32(), rd.u32(), rd.u32(), rd.u32()
    rd.u64()  # number of labels
    m = rd.u32()
    rd.end()
    check_size(n_wires, m)  # before any allocation: a header may claim 2^32 - 1 wires
    n_public = n_out + n_pub_in
    if n_wires < 1 + n_public:
        fail("CIRCUIT_FORMAT", "fewer wires than public signals")
    rd = _reader(sections[2])
    constraints = []
    for _ in range(m):
        lcs = []
        for _ in range(3):
            terms: dict[int, int] = {}
            for _ in range(rd.u32()):
                wire = rd.u32()
                if wire >= n_wires:
                    fail("CIRCUIT_FORMAT", "constraint refers to a wire out of range")
                if wire in terms:
                    fail("CIRCUIT_FORMAT", "repeated wire in a linear combination")
                coef = _fr(rd, n8)
                if coef:
                    terms[wire] = coef
            lcs.append(terms)
        constraints.append(Constraint(*lcs))
    rd.end()
    return R1CS(n_wires, n_public, tuple(constraints))


def wtns_from_snarkjs(data: bytes) -> list[int]:
    """A ``.wtns`` file (version 2): header (section 1: n8, prime, count) and the values (section 2)."""
    sections = _sections(data, b"wtns", (1, 2))
    if set(sections) != {1, 2}:
        fail("CIRCUIT_FORMAT", "a wtns file has exactly a header and a witness section")
    rd = _reader(sections[1])
    n8 = _field_header(rd)
    count = rd.u32()
    rd.end()
    check_size(count, 0)
    if len(sections[2]) != count * n8:
        fail("CIRCUIT_FORMAT", f"the witness section holds {len(sections[2])} bytes, not {count} values")
    rd = _reader(sections[2])
    values = [_fr(rd, n8) for _ in range(count)]
    rd.end()
    return values


def _section(kind: int, body: bytes) -> bytes:
    return kind.to_bytes(4, "little") + len(body).to_bytes(8, "little") + body


def _fr_bytes(v: int) -> bytes:
    return (v % R).to_bytes(FR_BYTES, "little")


def r1cs_to_circom(r1cs: R1CS) -> bytes:
    """A circom ``.r1cs`` file (version 1) for the system: the public inputs as circom public inputs (no
    outputs), every other wire private, the identity wire-label map."""
    header = (FR_BYTES.to_bytes(4, "little") + R.to_bytes(FR_BYTES, "little")
              + b"".join(x.to_bytes(4, "little") for x in (r1cs.n_vars, 0, r1cs.n_public, 0))
              + r1cs.n_vars.to_bytes(8, "little") + len(r1cs.constraints).to_bytes(4, "little"))
    body = bytearray()
    for con in r1cs.constraints:
        for terms in (con.a, con.b, con.c):
            body += len(terms).to_bytes(4, "little")
            for wire in sorted(terms):
                body += wire.to_bytes(4, "little") + _fr_bytes(terms[wire])
    labels = b"".join(i.to_bytes(8, "little") for i in range(r1cs.n_vars))
    return (b"r1cs" + (1).to_bytes(4, "little") + (3).to_bytes(4, "little")
            + _section(1, header) + _section(2, bytes(body)) + _section(3, labels))


def wtns_to_snarkjs(z: Sequence[int]) -> bytes:
    """A ``.wtns`` file (version 2) holding the full assignment z."""
    header = FR_BYTES.to_bytes(4, "little") + R.to_bytes(FR_BYTES, "little") + len(z).to_bytes(4, "little")
    return (b"wtns" + (2).to_bytes(4, "little") + (2).to_bytes(4, "little")
            + _section(1, header) + _section(2, b"".join(_fr_bytes(v) for v in z)))


# snarkjs proving key (.zkey) ---------------------------------------------------------------------------------
FQ_BYTES = FP_BYTES
#: Montgomery radices of ffjavascript's fields: 2^(8 n8) mod the modulus
MONT_Q = pow(2, 8 * FQ_BYTES, P)
MONT_R = pow(2, 8 * FR_BYTES, R)
MONT_Q_INV = pow(MONT_Q, -1, P)
#: a stored A/B coefficient is c R^2 mod r (snarkjs's prover multiplies it by the standard-form witness once)
MONT_R2 = MONT_R * MONT_R % R
MONT_R2_INV = pow(MONT_R2, -1, R)
ZKEY_GROTH16 = 1
ZKEY_SECTIONS = tuple(range(1, 11))
CS_HASH_BYTES = 64
#: bounds on what a .zkey import reads: the whole file, and the number of phase-2 contributions it lists
MAX_ZKEY_BYTES = 1 << 30
MAX_CONTRIBUTIONS = 1024
#: a contribution's name parameter is at most this many UTF-8 bytes (snarkjs keeps 64 characters)
MAX_NAME_BYTES = 64
G1_LEM_BYTES = 2 * FQ_BYTES
G2_LEM_BYTES = 4 * FQ_BYTES


def _u32(x: int) -> bytes:
    return x.to_bytes(4, "little")


def _fq_lem(x: int) -> bytes:
    return (x * MONT_Q % P).to_bytes(FQ_BYTES, "little")


def _fq_from_lem(data: bytes) -> int:
    v = int.from_bytes(data, "little")
    if v >= P:
        fail("COORDINATE_NOT_CANONICAL", "a Montgomery coordinate is not below q")
    return v * MONT_Q_INV % P


def g1_to_lem(group: PairingGroup, p: G1Element) -> bytes:
    """snarkjs's in-memory affine G1 form: x, y in Montgomery form, 48 bytes little-endian each; the identity is
    all zeros."""
    a = group.g1_affine(p)
    return bytes(2 * FQ_BYTES) if a is None else _fq_lem(a[0]) + _fq_lem(a[1])


def g2_to_lem(group: PairingGroup, p: G2Element) -> bytes:
    """As ``g1_to_lem`` for G2: x0, x1, y0, y1 (x = x0 + x1 u)."""
    a = group.g2_affine(p)
    if a is None:
        return bytes(4 * FQ_BYTES)
    (x0, x1), (y0, y1) = a
    return _fq_lem(x0) + _fq_lem(x1) + _fq_lem(y0) + _fq_lem(y1)


def g1_from_lem(group: PairingGroup, data: bytes, *, allow_identity: bool) -> G1Element:
    """Strict inverse of ``g1_to_lem``: all zeros is the identity; otherwise coordinates below q
    (``COORDINATE_NOT_CANONICAL``), on the curve (``POINT_NOT_ON_CURVE``), in the subgroup."""
    if data == bytes(G1_LEM_BYTES):
        if not allow_identity:
            fail("IDENTITY_NOT_ALLOWED", "a .zkey point that must not be the identity")
        return group.identity_g1()
    return g1_from_affine(group, _fq_from_lem(data[:FQ_BYTES]), _fq_from_lem(data[FQ_BYTES:]),
                          allow_identity=allow_identity)


def g2_from_lem(group: PairingGroup, data: bytes, *, allow_identity: bool) -> G2Element:
    """Strict inverse of ``g2_to_lem``."""
    if data == bytes(G2_LEM_BYTES):
        if not allow_identity:
            fail("IDENTITY_NOT_ALLOWED", "a .zkey point that must not be the identity")
        return group.identity_g2()
    c = [_fq_from_lem(data[i * FQ_BYTES:(i + 1) * FQ_BYTES]) for i in range(4)]
    return g2_from_affine(group, (c[0], c[1]), (c[2], c[3]), allow_identity=allow_identity)


@attrs.frozen
class Contribution:
    """One phase-2 contribution as a ``.zkey`` records it (section 10, snarkjs's ``mpcParams``): delta after it,
    the contributor's public key (g1_s, g1_sx = x g1_s, g2_spx = x g2_sp, g2_sp derived from the transcript),
    the 64-byte transcript hash, its kind (0 a contribution, 1 a beacon) and its raw parameter list."""

    delta_after: G1Element
    g1_s: G1Element
    g1_sx: G1Element
    g2_spx: G2Element
    transcript: bytes
    kind: int
    params: bytes

    @property
    def name(self) -> str:
        """The contributor's name parameter, or the empty string."""
        return _params(self.params, self.kind)


@attrs.frozen
class Zkey:
    """A Groth16 ``.zkey``: the proving key, the circuit hash that opens its contribution transcript, the
    contributions in order, and the A/B coefficient section as stored (its entry order is the writer's own;
    writing the key back keeps it, so ``snarkjs zkey verify`` still compares it byte for byte)."""

    pk: ProvingKey
    cs_hash: bytes
    contributions: tuple[Contribution, ...]
    coefficients: bytes = attrs.field(repr=False)

    def __repr__(self) -> str:
        return f"Zkey({self.pk!r}, contributions={len(self.contributions)})"


def _params(params: bytes, kind: int) -> str:
    """Check a contribution's parameter list as snarkjs reads it — (u8 type, value) pairs, types increasing:
    1 name (u8 length, UTF-8), 2 iteration exponent (u8), 3 beacon hash (u8 length, bytes) — and return the
    name ("" if none). ``CIRCUIT_FORMAT`` otherwise."""
    rd = _reader(params)
    name, last = "", 0
    while rd.pos < len(params):
        kind_of = rd.u8()
        if kind_of <= last or kind_of > 3 or (kind_of > 1 and kind != 1):
            fail("CIRCUIT_FORMAT", "contribution parameters out of order, unknown, or beacon-only")
        last = kind_of
        if kind_of == 2:
            rd.u8()
            continue
        value = rd.take(rd.u8())
        if kind_of == 1:
            try:
                name = value.decode("utf-8", errors="strict")
            except UnicodeDecodeError:
                fail("CIRCUIT_FORMAT", "a contribution name is not UTF-8")
    return name


def name_params(name: str) -> bytes:
    """The parameter list of a contribution named ``name`` (empty for no name); ``INVALID_ARGUMENT`` beyond
    64 UTF-8 bytes."""
    raw = name.encode("utf-8")
    if len(raw) > MAX_NAME_BYTES:
        fail("INVALID_ARGUMENT", f"a contribution name has at most {MAX_NAME_BYTES} UTF-8 bytes")
    return bytes([1, len(raw)]) + raw if raw else b""


def _coefficient_entries(r1cs: R1CS) -> list[tuple[int, int, int, int]]:
    """(matrix 0 = A / 1 = B, row, wire, coefficient) for every A and B entry, then the rows m_c + i with A = z_i
    (i <= l, coefficient 1): snarkjs's section 4, in medshare's order."""
    out = []
    for row, con in enumerate(r1cs.constraints):
        for matrix, terms in ((0, con.a), (1, con.b)):
            out += [(matrix, row, wire, terms[wire]) for wire in sorted(terms)]
    base = len(r1cs.constraints)
    out += [(0, base + i, i, 1) for i in range(r1cs.n_public + 1)]
    return out


def zkey_coefficients(r1cs: R1CS) -> bytes:
    """Section 4 for ``r1cs``: u32 count, then (u32 matrix, u32 row, u32 wire, c R^2 mod r) per entry."""
    entries = _coefficient_entries(r1cs)
    return _u32(len(entries)) + b"".join(_u32(m) + _u32(row) + _u32(w) + _fr_bytes(c * MONT_R2)
                                         for m, row, w, c in entries)


def _point_sections(group: PairingGroup, pk: ProvingKey) -> list[tuple[int, bytes]]:
    """Sections 2, 3 and 5-9 of ``pk`` (section 4 is the coefficients)."""
    r1cs, vk = pk.r1cs, pk.vk
    header = (_u32(FQ_BYTES) + P.to_bytes(FQ_BYTES, "little") + _u32(FR_BYTES) + R.to_bytes(FR_BYTES, "little")
              + _u32(r1cs.n_vars) + _u32(r1cs.n_public) + _u32(1 << pk.log_n)
              + g1_to_lem(group, vk.alpha_g1) + g1_to_lem(group, pk.beta_g1) + g2_to_lem(group, vk.beta_g2)
              + g2_to_lem(group, vk.gamma_g2) + g1_to_lem(group, pk.delta_g1) + g2_to_lem(group, vk.delta_g2))

    def g1s(points: Sequence[G1Element]) -> bytes:
        return b"".join(g1_to_lem(group, p) for p in points)

    return [(2, header), (3, g1s(vk.ic)), (5, g1s(pk.a_g1)), (6, g1s(pk.b_g1)),
            (7, b"".join(g2_to_lem(group, p) for p in pk.b_g2)), (8, g1s(pk.l_g1)), (9, g1s(pk.h_g1))]


def as_zkey(group: PairingGroup, pk: ProvingKey) -> Zkey:
    """A medshare proving key as a ``.zkey`` with no contributions; its circuit hash is BLAKE2b-512 of sections
    2-9 (snarkjs's hashes the ceremony's pre-contribution points, which a key made without a ceremony lacks)."""
    coefficients = zkey_coefficients(pk.r1cs)
    bodies = dict(_point_sections(group, pk))
    bodies[4] = coefficients
    cs_hash = hashlib.blake2b(b"".join(bodies[k] for k in range(2, 10)), digest_size=CS_HASH_BYTES).digest()
    return Zkey(pk, cs_hash, (), coefficients)


def _contribution_bytes(group: PairingGroup, c: Contribution) -> bytes:
    return (g1_to_lem(group, c.delta_after) + g1_to_lem(group, c.g1_s) + g1_to_lem(group, c.g1_sx)
            + g2_to_lem(group, c.g2_spx) + c.transcript + _u32(c.kind) + _u32(len(c.params)) + c.params)


def zkey_to_snarkjs(group: PairingGroup, key: ProvingKey | Zkey) -> bytes:
    """A snarkjs Groth16 ``.zkey`` (iden3 binfile "zkey", version 1) of a proving key or an imported or
    contributed :class:`Zkey`, so that ``snarkjs groth16 prove`` proves with it and its proofs verify under
    ``pk.vk``. Sections: 1 protocol (u32 1 = Groth16); 2 header (n8q, q, n8r, r, nVars, nPublic, domain size,
    alpha_1, beta_1, beta_2, gamma_2, delta_1, delta_2); 3 IC; 4 the A and B coefficients; 5 A, 6 B_1, 7 B_2
    (every wire); 8 C (private wires: L); 9 H (n points); 10 the circuit hash and the contributions."""
    zk = key if isinstance(key, Zkey) else as_zkey(group, key)
    bodies = dict(_point_sections(group, zk.pk))
    bodies[1] = _u32(ZKEY_GROTH16)
    bodies[4] = zk.coefficients
    bodies[10] = (zk.cs_hash + _u32(len(zk.contributions))
                  + b"".join(_contribution_bytes(group, c) for c in zk.contributions))
    return (b"zkey" + _u32(1) + _u32(len(ZKEY_SECTIONS))
            + b"".join(_section(kind, bodies[kind]) for kind in ZKEY_SECTIONS))


def _points(group: PairingGroup, body: bytes, count: int, g2: bool = False) -> list[Any]:
    """``count`` points filling ``body`` exactly (``CIRCUIT_FORMAT`` otherwise), the identity allowed."""
    size = G2_LEM_BYTES if g2 else G1_LEM_BYTES
    if len(body) != count * size:
        fail("CIRCUIT_FORMAT", f"a point section of {len(body)} bytes; {count} points need {count * size}")
    read = g2_from_lem if g2 else g1_from_lem
    return [read(group, body[i * size:(i + 1) * size], allow_identity=True) for i in range(count)]


def _read_coefficients(body: bytes, n_vars: int, domain: int) -> dict[tuple[int, int, int], int]:
    """Section 4 as {(matrix, row, wire): coefficient}, zero coefficients dropped; ``CIRCUIT_FORMAT`` for a
    matrix other than A or B, a row or wire out of range, a repeated entry or a value >= r."""
    rd = _reader(body)
    count = rd.count((len(body) - 4) // (12 + FR_BYTES))
    out: dict[tuple[int, int, int], int] = {}
    for _ in range(count):
        matrix, row, wire = rd.u32(), rd.u32(), rd.u32()
        stored = _fr(rd, FR_BYTES)
        if matrix > 1 or row >= domain or wire >= n_vars or (matrix, row, wire) in out:
            fail("CIRCUIT_FORMAT", f"coefficient entry ({matrix}, {row}, {wire}) out of range or repeated")
        out[(matrix, row, wire)] = stored * MONT_R2_INV % R
    rd.end()
    return {k: c for k, c in out.items() if c}


def _read_contributions(group: PairingGroup, body: bytes) -> tuple[bytes, tuple[Contribution, ...]]:
    rd = _reader(body)
    cs_hash = rd.take(CS_HASH_BYTES)
    out = []
    for _ in range(rd.count(MAX_CONTRIBUTIONS)):
        points = [g1_from_lem(group, rd.take(G1_LEM_BYTES), allow_identity=False) for _ in range(3)]
        g2_spx = g2_from_lem(group, rd.take(G2_LEM_BYTES), allow_identity=False)
        transcript, kind = rd.take(CS_HASH_BYTES), rd.u32()
        if kind > 1:
            fail("CIRCUIT_FORMAT", f"contribution type {kind} (0 contribution, 1 beacon)")
        params = rd.take(rd.u32())
        _params(params, kind)
        out.append(Contribution(points[0], points[1], points[2], g2_spx, transcript, kind, params))
    rd.end()
    return cs_hash, tuple(out)


def _check_consistency(group: PairingGroup, pk: ProvingKey, seed: bytes) -> None:
    """``KEY_MISMATCH`` unless [beta]_1 and [beta]_2, [delta]_1 and [delta]_2, and every [v_i]_1 and [v_i]_2
    have the same discrete log, checked at once: e(X, g2) = e(g1, Y) for X, Y the same random combination
    (coefficients below 2^128 from a hash of the key) of the G1 and G2 sides."""
    rng = DeterministicRNG(hashlib.sha256(b"MEDSHARE-V1-ZKEY-CONSISTENCY" + seed).digest())
    weights = [1 + random_below(rng, (1 << 128) - 1) for _ in range(len(pk.b_g1) + 2)]
    x = group.msm_g1([pk.beta_g1, pk.delta_g1, *pk.b_g1], weights)
    y = group.msm_g2([pk.vk.beta_g2, pk.vk.delta_g2, *pk.b_g2], weights)
    if not group.pairing_check([(x, group.g2()), (-group.g1(), y)]):
        fail("KEY_MISMATCH", "the key's G1 and G2 points (beta, delta, B) do not agree")


def zkey_from_snarkjs(group: PairingGroup, data: bytes, r1cs: R1CS) -> Zkey:
    """Strict import of a snarkjs Groth16 ``.zkey`` (version 1, sections 1-10) for the circuit ``r1cs``.

    ``CIRCUIT_FORMAT``: more than 2^30 bytes, not a zkey binfile, missing, repeated or extra sections, not
    Groth16, another field, a section whose size does not match the header, a malformed coefficient or
    contribution entry. The group's codes for points (``COORDINATE_NOT_CANONICAL``, ``POINT_NOT_ON_CURVE``,
    ``POINT_NOT_IN_SUBGROUP``, ``IDENTITY_NOT_ALLOWED`` for alpha, beta, gamma, delta and contribution points).
    ``KEY_MISMATCH``: a key for another circuit (nVars, nPublic, domain size or the A/B coefficients differ from
    ``r1cs``'s) or whose G1 and G2 halves disagree. The contributions are read, not verified
    (``ceremony.verify_contributions``)."""
    if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_ZKEY_BYTES:
        fail("CIRCUIT_FORMAT", f"a .zkey is bytes, at most {MAX_ZKEY_BYTES}")
    sections = _sections(bytes(data), b"zkey", (1,))
    if tuple(sorted(sections)) != ZKEY_SECTIONS:
        fail("CIRCUIT_FORMAT", "a Groth16 .zkey has exactly sections 1 to 10")
    rd = _reader(sections[1])
    if rd.u32() != ZKEY_GROTH16:
        fail("CIRCUIT_FORMAT", "not a Groth16 key")
    rd.end()
    rd = _reader(sections[2])
    if rd.u32() != FQ_BYTES or int.from_bytes(rd.take(FQ_BYTES), "little") != P:
        fail("CIRCUIT_FORMAT", "the key's base field is not BLS12-381's")
    _field_header(rd)
    n_vars, n_public, domain = rd.u32(), rd.u32(), rd.u32()
    log_n = field.domain_log_size(qap_rows(r1cs))
    if (n_vars, n_public, domain) != (r1cs.n_vars, r1cs.n_public, 1 << log_n):
        fail("KEY_MISMATCH", f"the key is for a circuit of {n_vars} wires, {n_public} public inputs, domain "
                             f"{domain}; this one has {r1cs.n_vars}, {r1cs.n_public}, {1 << log_n}")
    alpha = g1_from_lem(group, rd.take(G1_LEM_BYTES), allow_identity=False)
    beta1 = g1_from_lem(group, rd.take(G1_LEM_BYTES), allow_identity=False)
    beta2 = g2_from_lem(group, rd.take(G2_LEM_BYTES), allow_identity=False)
    gamma2 = g2_from_lem(group, rd.take(G2_LEM_BYTES), allow_identity=False)
    delta1 = g1_from_lem(group, rd.take(G1_LEM_BYTES), allow_identity=False)
    delta2 = g2_from_lem(group, rd.take(G2_LEM_BYTES), allow_identity=False)
    rd.end()
    expected = {(m, row, w): c % R for m, row, w, c in _coefficient_entries(r1cs) if c % R}
    if _read_coefficients(sections[4], n_vars, domain) != expected:
        fail("KEY_MISMATCH", "the key's A and B coefficients are not this circuit's")
    ic = _points(group, sections[3], n_public + 1)
    a = _points(group, sections[5], n_vars)
    b1 = _points(group, sections[6], n_vars)
    b2 = _points(group, sections[7], n_vars, g2=True)
    lq = _points(group, sections[8], n_vars - n_public - 1)
    h = _points(group, sections[9], domain)
    cs_hash, contributions = _read_contributions(group, sections[10])
    pk = ProvingKey(VerifyingKey(alpha, beta2, gamma2, delta2, tuple(ic)), r1cs, log_n, beta1, delta1, tuple(a),
                    tuple(b1), tuple(b2), tuple(lq), tuple(h))
    _check_consistency(group, pk, hashlib.sha256(bytes(data)).digest())
    return Zkey(pk, cs_hash, contributions, sections[4])
