"""Interchange with the iden3 toolchain (spec/zk/zk.md, "snarkjs and circom formats").

* snarkjs JSON (``curve: "bls12381"``): points as affine decimal strings, G1 ``[x, y, "1"]``, G2
  ``[[x0, x1], [y0, y1], ["1", "0"]]`` (x = x0 + x1 u), the identity as z = 0 (``["0", "1", "0"]``,
  ``[["0", "0"], ["1", "0"], ["0", "0"]]``); scalars as decimal strings. Import is strict: coordinates < p, the
  point on its curve (``POINT_NOT_ON_CURVE``), in its subgroup (``POINT_NOT_IN_SUBGROUP``, by the group's strict
  decoder), proof points not the identity.
* circom ``.r1cs`` and snarkjs ``.wtns`` (iden3 binfile: 4-byte magic, u32 version, u32 section count, then
  sections ``u32 type, u64 size, body``; integers little-endian; field elements n8 = 32 bytes little-endian,
  standard form). The header's prime must be BLS12-381 r, else ``CIRCUIT_FORMAT``.
* snarkjs Groth16 ``.zkey`` (written only): medshare's proving key in snarkjs's layout, points in ffjavascript's
  Montgomery little-endian affine form; the H points, which snarkjs's prover uses on a coset, come from the
  setup trapdoor (spec/zk/zk.md, "snarkjs proving key").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import attrs

from ..codec import Reader
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
from . import field
from .groth16 import Proof, ProvingKey, Trapdoor, VerifyingKey, qap_rows
from .r1cs import R1CS, Constraint

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
def _dec(s: object) -> int:
    if isinstance(s, str) and s.isdigit() and (s == "0" or not s.startswith("0")):
        return int(s)
    fail("BAD_JSON", f"expected a canonical decimal string, got {s!r}")


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
    ic_obj = obj.get("IC")
    if not isinstance(ic_obj, list) or not isinstance(obj.get("nPublic"), int) or len(ic_obj) != obj["nPublic"] + 1:
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
    """Decimal strings to integers (``PUBLIC_INPUT_INVALID`` if one is not a canonical decimal)."""
    if not isinstance(obj, list):
        fail("PUBLIC_INPUT_INVALID", "public signals must be a list")
    out = []
    for s in obj:
        if not (isinstance(s, str) and s.isdigit()):
            fail("PUBLIC_INPUT_INVALID", f"public signal {s!r} is not a decimal string")
        out.append(int(s))
    return out


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
ZKEY_GROTH16 = 1


def _u32(x: int) -> bytes:
    return x.to_bytes(4, "little")


def _fq_lem(x: int) -> bytes:
    return (x * MONT_Q % P).to_bytes(FQ_BYTES, "little")


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


def zkey_h_scalars(r1cs: R1CS, trapdoor: Trapdoor) -> list[int]:
    """The discrete logs of snarkjs's H points: L'_j(tau) / delta for j < n, where L'_j is the Lagrange
    polynomial of the size-2n domain at its odd point w_2n^(2j+1) (spec/zk/zk.md, "snarkjs proving key")."""
    log_n = field.domain_log_size(qap_rows(r1cs))
    lag = field.lagrange_at(log_n + 1, trapdoor.tau)
    delta_inv = field.inv(trapdoor.delta)
    return [lag[2 * j + 1] * delta_inv % R for j in range(1 << log_n)]


def _check_trapdoor(group: PairingGroup, pk: ProvingKey, td: Trapdoor) -> None:
    """``KEY_MISMATCH`` unless the trapdoor is the one the proving key was made from."""
    if not all(0 < x < R for x in attrs.astuple(td)):
        fail("KEY_MISMATCH", "trapdoor values must lie in (0, r)")
    n = 1 << pk.log_n
    g1, g2 = group.g1(), group.g2()
    vk = pk.vk
    same = (vk.alpha_g1 == g1 * td.alpha and pk.beta_g1 == g1 * td.beta and vk.gamma_g2 == g2 * td.gamma
            and pk.delta_g1 == g1 * td.delta and pow(td.tau, 2 * n, R) != 1)
    if same and pk.h_g1:  # H_0 = Z(tau) / delta pins tau
        same = pk.h_g1[0] == g1 * ((pow(td.tau, n, R) - 1) * field.inv(td.delta) % R)
    if same and not pk.h_g1:  # n = 1: A_0 = L_0(tau) = 1 whatever tau; nothing else depends on it
        same = pk.log_n == 0
    if not same:
        fail("KEY_MISMATCH", "the trapdoor does not belong to this proving key")


def zkey_to_snarkjs(group: PairingGroup, pk: ProvingKey, trapdoor: Trapdoor) -> bytes:
    """A snarkjs Groth16 ``.zkey`` (iden3 binfile "zkey", version 1) holding medshare's key pair, so that
    ``snarkjs groth16 prove`` proves with medshare's key and the proofs verify under ``pk.vk``.

    Every section except H copies medshare's points; H (snarkjs evaluates A B - C on a coset, not the
    coefficients of h) is computed from the trapdoor, which must be the one ``pk`` was made from
    (``KEY_MISMATCH`` otherwise). Sections: 1 protocol (u32 1 = Groth16); 2 header (n8q, q, n8r, r, nVars,
    nPublic, domain size, alpha_1, beta_1, beta_2, gamma_2, delta_1, delta_2); 3 IC; 4 the A and B coefficients
    (u32 count, then u32 matrix, u32 row, u32 wire, coefficient c R^2 mod r), including the public-input rows;
    5 A, 6 B_1, 7 B_2 (every wire); 8 C (private wires: medshare's L); 9 H (n points); 10 the circuit hash
    (BLAKE2b-512 of sections 2-9) and no contributions."""
    _check_trapdoor(group, pk, trapdoor)
    r1cs, vk = pk.r1cs, pk.vk
    n = 1 << pk.log_n

    def g1p(p: G1Element) -> bytes:
        return g1_to_lem(group, p)

    def g2p(p: G2Element) -> bytes:
        return g2_to_lem(group, p)

    header = (_u32(FQ_BYTES) + P.to_bytes(FQ_BYTES, "little") + _u32(FR_BYTES) + R.to_bytes(FR_BYTES, "little")
              + _u32(r1cs.n_vars) + _u32(r1cs.n_public) + _u32(n)
              + g1p(vk.alpha_g1) + g1p(pk.beta_g1) + g2p(vk.beta_g2) + g2p(vk.gamma_g2) + g1p(pk.delta_g1)
              + g2p(vk.delta_g2))
    mont2 = MONT_R * MONT_R % R
    coefs = bytearray()
    count = 0
    for row, con in enumerate(r1cs.constraints):
        for matrix, terms in ((0, con.a), (1, con.b)):
            for wire in sorted(terms):
                coefs += _u32(matrix) + _u32(row) + _u32(wire) + _fr_bytes(terms[wire] * mont2)
                count += 1
    base = len(r1cs.constraints)
    for i in range(r1cs.n_public + 1):
        coefs += _u32(0) + _u32(base + i) + _u32(i) + _fr_bytes(mont2)
        count += 1
    g1 = group.g1()
    h_points = b"".join(g1p(g1 * x) for x in zkey_h_scalars(r1cs, trapdoor))
    bodies = [
        (2, header),
        (3, b"".join(g1p(p) for p in vk.ic)),
        (4, _u32(count) + bytes(coefs)),
        (5, b"".join(g1p(p) for p in pk.a_g1)),
        (6, b"".join(g1p(p) for p in pk.b_g1)),
        (7, b"".join(g2p(p) for p in pk.b_g2)),
        (8, b"".join(g1p(p) for p in pk.l_g1)),
        (9, h_points),
    ]
    cs_hash = hashlib.blake2b(b"".join(body for _, body in bodies), digest_size=64).digest()
    sections = [(1, _u32(ZKEY_GROTH16)), *bodies, (10, cs_hash + _u32(0))]
    return (b"zkey" + _u32(1) + _u32(len(sections))
            + b"".join(_section(kind, body) for kind, body in sections))
