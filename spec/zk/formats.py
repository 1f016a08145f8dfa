"""Interchange with the iden3 toolchain (spec/zk/zk.md, "snarkjs and circom formats").

* snarkjs JSON (``curve: "bls12381"``): points as affine decimal strings, G1 ``[x, y, "1"]``, G2
  ``[[x0, x1], [y0, y1], ["1", "0"]]`` (x = x0 + x1 u), the identity as z = 0 (``["0", "1", "0"]``,
  ``[["0", "0"], ["1", "0"], ["0", "0"]]``); scalars as decimal strings. Import is strict: coordinates < p, the
  point on its curve (``POINT_NOT_ON_CURVE``), in its subgroup (``POINT_NOT_IN_SUBGROUP``, by the group's strict
  decoder), proof points not the identity.
* circom ``.r1cs`` and snarkjs ``.wtns`` (iden3 binfile: 4-byte magic, u32 version, u32 section count, then
  sections ``u32 type, u64 size, body``; integers little-endian; field elements n8 = 32 bytes little-endian,
  standard form). The header's prime must be BLS12-381 r, else ``CIRCUIT_FORMAT``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import fail
from ..group import FLAG_COMPRESSED, FLAG_SIGN, G1Element, G2Element, PairingGroup, fp2_sign, fp_sign
from ..params import FP_BYTES, P, R
from .groth16 import Proof, VerifyingKey
from .r1cs import R1CS, Constraint

CURVE_NAME = "bls12381"
FR_BYTES = 32


# Fp and Fp2 arithmetic for affine coordinates -----------------------------------------------------------------
Fp2 = tuple[int, int]


def _f2_mul(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)


def _f2_pow(a: Fp2, e: int) -> Fp2:
    out: Fp2 = (1, 0)
    while e:
        if e & 1:
            out = _f2_mul(out, a)
        a = _f2_mul(a, a)
        e >>= 1
    return out


def _fp_sqrt(a: int) -> int | None:
    y = pow(a, (P + 1) // 4, P)
    return y if y * y % P == a % P else None


def _fp2_sqrt(a: Fp2) -> Fp2 | None:
    """Square root in Fp2 = Fp[u]/(u^2 + 1), p = 3 mod 4 (Adj and Rodriguez-Henriquez, Algorithm 9)."""
    a1 = _f2_pow(a, (P - 3) // 4)
    alpha = _f2_mul(_f2_mul(a1, a1), a)
    x0 = _f2_mul(a1, a)
    if alpha == (P - 1, 0):
        x = (-x0[1] % P, x0[0])  # u * x0
    else:
        x = _f2_mul(_f2_pow(((1 + alpha[0]) % P, alpha[1]), (P - 1) // 2), x0)
    return x if _f2_mul(x, x) == (a[0] % P, a[1] % P) else None


def _g1_rhs(x: int) -> int:
    return (x * x * x + 4) % P


def _g2_rhs(x: Fp2) -> Fp2:
    x3 = _f2_mul(_f2_mul(x, x), x)
    return ((x3[0] + 4) % P, (x3[1] + 4) % P)


def g1_affine(p: G1Element) -> tuple[int, int] | None:
    """(x, y) of a G1 point, None for the identity."""
    data = p.to_bytes()
    if data[0] & 0x40:
        return None
    x = int.from_bytes(bytes([data[0] & 0x1F]) + data[1:], "big")
    y = _fp_sqrt(_g1_rhs(x))
    assert y is not None
    if fp_sign(y) != bool(data[0] & FLAG_SIGN):
        y = P - y
    return x, y


def g2_affine(p: G2Element) -> tuple[Fp2, Fp2] | None:
    """((x0, x1), (y0, y1)) of a G2 point, None for the identity."""
    data = p.to_bytes()
    if data[0] & 0x40:
        return None
    x1 = int.from_bytes(bytes([data[0] & 0x1F]) + data[1:FP_BYTES], "big")
    x0 = int.from_bytes(data[FP_BYTES:], "big")
    y = _fp2_sqrt(_g2_rhs((x0, x1)))
    assert y is not None
    if fp2_sign(*y) != bool(data[0] & FLAG_SIGN):
        y = ((P - y[0]) % P, (P - y[1]) % P)
    return (x0, x1), y


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
def _sections(data: bytes, magic: bytes, versions: Sequence[int]) -> dict[int, bytes]:
    if len(data) < 12 or data[:4] != magic:
        fail("CIRCUIT_FORMAT", f"not a {magic.decode()} file")
    version = int.from_bytes(data[4:8], "little")
    if version not in versions:
        fail("CIRCUIT_FORMAT", f"unsupported {magic.decode()} version {version}")
    count = int.from_bytes(data[8:12], "little")
    off, out = 12, {}
    for _ in range(count):
        if off + 12 > len(data):
            fail("CIRCUIT_FORMAT", "truncated section header")
        kind = int.from_bytes(data[off:off + 4], "little")
        size = int.from_bytes(data[off + 4:off + 12], "little")
        off += 12
        if off + size > len(data):
            fail("CIRCUIT_FORMAT", "truncated section")
        if kind in out:
            fail("CIRCUIT_FORMAT", f"duplicate section {kind}")
        out[kind] = data[off:off + size]
        off += size
    if off != len(data):
        fail("CIRCUIT_FORMAT", "trailing bytes after the last section")
    return out


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.off = data, 0

    def take(self, n: int) -> bytes:
        if self.off + n > len(self.data):
            fail("CIRCUIT_FORMAT", "truncated section body")
        out = self.data[self.off:self.off + n]
        self.off += n
        return out

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def fr(self, n8: int) -> int:
        v = int.from_bytes(self.take(n8), "little")
        if v >= R:
            fail("CIRCUIT_FORMAT", "field element >= r")
        return v

    def done(self) -> None:
        if self.off != len(self.data):
            fail("CIRCUIT_FORMAT", "trailing bytes in a section")


def _field_header(rd: _Reader) -> int:
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
    rd = _Reader(sections[1])
    n8 = _field_header(rd)
    n_wires, n_out, n_pub_in, _n_prv_in = rd.u32(), rd.u32(), rd.u32(), rd.u32()
    rd.u64()  # number of labels
    m = rd.u32()
    rd.done()
    n_public = n_out + n_pub_in
    if n_wires < 1 + n_public:
        fail("CIRCUIT_FORMAT", "fewer wires than public signals")
    rd = _Reader(sections[2])
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
                coef = rd.fr(n8)
                if coef:
                    terms[wire] = coef
            lcs.append(terms)
        constraints.append(Constraint(*lcs))
    rd.done()
    return R1CS(n_wires, n_public, tuple(constraints))


def wtns_from_snarkjs(data: bytes) -> list[int]:
    """A ``.wtns`` file (version 2): header (section 1: n8, prime, count) and the values (section 2)."""
    sections = _sections(data, b"wtns", (1, 2))
    if set(sections) != {1, 2}:
        fail("CIRCUIT_FORMAT", "a wtns file has exactly a header and a witness section")
    rd = _Reader(sections[1])
    n8 = _field_header(rd)
    count = rd.u32()
    rd.done()
    rd = _Reader(sections[2])
    values = [rd.fr(n8) for _ in range(count)]
    rd.done()
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
