"""Groth16 over BLS12-381 (Groth, "On the Size of Pairing-based Non-interactive Arguments", Eurocrypt 2016),
in the form snarkjs uses (spec/zk/zk.md, "Groth16").

* ``setup_for_tests`` is a single-party setup from an explicit rng: whoever holds the rng's output (tau, alpha,
  beta, gamma, delta) can forge proofs. UNSAFE: for tests, vectors and the demo only. A deployment imports its
  proving key from a multi-party ceremony (a snarkjs ``.zkey``: ``formats.zkey_from_snarkjs``; phase-2
  contributions: ``ceremony.contribute``) and its chain commits to the verifying key's hash (``vk_hash``).
* The H points are snarkjs's: [L'_{2j+1}(tau) / delta]_1, j < n, the Lagrange basis of the size-2n domain at
  its odd points, so a ceremony's ``.zkey`` is a proving key as it stands (spec/zk/zk.md, "snarkjs proving
  key").
* The QAP is built as snarkjs does: the constraints, then one row per public input i (including z_0 = 1) with
  A = z_i, B = C = 0, over the smallest radix-2 domain that holds them (spec/zk/field.py).
* ``prove`` evaluates A B - C on the odd 2n-th roots of unity (the coset w_2n H) by FFTs and takes the MSMs
  through ``group.msm_g1`` / ``group.msm_g2``.
* ``verify`` checks e(A, B) = e(alpha, beta) e(L, gamma) e(C, delta) with L = IC_0 + sum x_i IC_i, as one
  pairing check e(-A, B) e(alpha, beta) e(L, gamma) e(C, delta) = 1 (the snarkjs equation).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import attrs

from ..codec import from_hex, to_hex
from ..errors import fail
from ..group import G1Element, G2Element, PairingGroup, Zr
from ..params import G1_BYTES, G2_BYTES, R
from ..rng import RNG
from . import field
from .r1cs import R1CS, evaluate

PROOF_BYTES = 2 * G1_BYTES + G2_BYTES


@attrs.frozen
class VerifyingKey:
    """alpha in G1; beta, gamma, delta in G2; IC_0 .. IC_l in G1 (l = number of public inputs)."""

    alpha_g1: G1Element
    beta_g2: G2Element
    gamma_g2: G2Element
    delta_g2: G2Element
    ic: tuple[G1Element, ...]

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1

    def to_bytes(self) -> bytes:
        """alpha || beta || gamma || delta || u32(len(ic)) || ic_0 || ... (compressed points): the canonical
        encoding, whose SHA-256 (:func:`vk_hash`) a chain's genesis commits to."""
        return (self.alpha_g1.to_bytes() + self.beta_g2.to_bytes() + self.gamma_g2.to_bytes()
                + self.delta_g2.to_bytes() + len(self.ic).to_bytes(4, "big")
                + b"".join(p.to_bytes() for p in self.ic))

    @staticmethod
    def from_bytes(group: PairingGroup, data: bytes) -> VerifyingKey:
        """Strict decoding; points must be in their subgroups and not the identity (``VK_INVALID`` on a bad
        layout)."""
        head = G1_BYTES + 3 * G2_BYTES + 4
        if len(data) < head:
            fail("VK_INVALID", "verification key too short")
        n = int.from_bytes(data[head - 4:head], "big")
        if n < 1 or len(data) != head + n * G1_BYTES:
            fail("VK_INVALID", "verification key length does not match its IC count")
        alpha = group.g1_from_bytes(data[:G1_BYTES], allow_identity=False)
        off = G1_BYTES
        g2s = [group.g2_from_bytes(data[off + i * G2_BYTES:off + (i + 1) * G2_BYTES], allow_identity=False)
               for i in range(3)]
        ic = tuple(group.g1_from_bytes(data[head + i * G1_BYTES:head + (i + 1) * G1_BYTES]) for i in range(n))
        return VerifyingKey(alpha, g2s[0], g2s[1], g2s[2], ic)

    def to_json(self) -> dict[str, object]:
        return {"alpha_g1": _hex(self.alpha_g1), "beta_g2": _hex(self.beta_g2), "gamma_g2": _hex(self.gamma_g2),
                "delta_g2": _hex(self.delta_g2), "ic": [_hex(p) for p in self.ic]}

    @staticmethod
    def from_json(group: PairingGroup, obj: object) -> VerifyingKey:
        if not isinstance(obj, dict) or set(obj) != {"alpha_g1", "beta_g2", "gamma_g2", "delta_g2", "ic"} \
                or not isinstance(obj["ic"], list):
            fail("BAD_JSON", "verification key needs alpha_g1, beta_g2, gamma_g2, delta_g2, ic")
        data = b"".join(from_hex(obj[k]) for k in ("alpha_g1", "beta_g2", "gamma_g2", "delta_g2"))
        data += len(obj["ic"]).to_bytes(4, "big") + b"".join(from_hex(p) for p in obj["ic"])
        return VerifyingKey.from_bytes(group, data)


def vk_hash(vk: VerifyingKey) -> bytes:
    """SHA-256 of the verifying key's canonical encoding (``VerifyingKey.to_bytes``): what a chain's genesis
    commits to for each circuit (spec/chain/chain.md, "Genesis")."""
    return hashlib.sha256(vk.to_bytes()).digest()


@attrs.frozen
class ProvingKey:
    """The prover's key (in memory only): the verifying key, the QAP shape, and the query points."""

    vk: VerifyingKey
    r1cs: R1CS
    log_n: int
    beta_g1: G1Element
    delta_g1: G1Element
    a_g1: tuple[G1Element, ...]  # [u_i(tau)]_1
    b_g1: tuple[G1Element, ...]  # [v_i(tau)]_1
    b_g2: tuple[G2Element, ...]  # [v_i(tau)]_2
    l_g1: tuple[G1Element, ...]  # private i: [(beta u_i + alpha v_i + w_i)(tau) / delta]_1
    h_g1: tuple[G1Element, ...]  # [L'_{2j+1}(tau) / delta]_1, j = 0 .. n - 1 (snarkjs's H, see h_scalars)

    def __repr__(self) -> str:
        return f"ProvingKey(vars={self.r1cs.n_vars}, public={self.r1cs.n_public}, domain=2^{self.log_n})"


@attrs.frozen
class Proof:
    """(A, B, C) in G1 x G2 x G1."""

    a: G1Element
    b: G2Element
    c: G1Element

    def to_bytes(self) -> bytes:
        """A (48) || B (96) || C (48), compressed."""
        return self.a.to_bytes() + self.b.to_bytes() + self.c.to_bytes()

    @staticmethod
    def from_bytes(group: PairingGroup, data: bytes) -> Proof:
        """Strict: exactly 192 bytes; each point on its curve, in its subgroup, not the identity."""
        if len(data) != PROOF_BYTES:
            fail("BAD_LENGTH", f"a Groth16 proof has {PROOF_BYTES} bytes, got {len(data)}")
        a = group.g1_from_bytes(data[:G1_BYTES], allow_identity=False)
        b = group.g2_from_bytes(data[G1_BYTES:G1_BYTES + G2_BYTES], allow_identity=False)
        c = group.g1_from_bytes(data[G1_BYTES + G2_BYTES:], allow_identity=False)
        return Proof(a, b, c)

    def to_json(self) -> dict[str, str]:
        return {"a": _hex(self.a), "b": _hex(self.b), "c": _hex(self.c)}

    @staticmethod
    def from_json(group: PairingGroup, obj: object) -> Proof:
        if not isinstance(obj, dict) or set(obj) != {"a", "b", "c"}:
            fail("BAD_JSON", "a proof is {a, b, c}")
        return Proof.from_bytes(group, from_hex(obj["a"]) + from_hex(obj["b"]) + from_hex(obj["c"]))


def _hex(p: G1Element | G2Element) -> str:
    return to_hex(p.to_bytes())


# QAP -------------------------------------------------------------------------------------------------------
def qap_rows(r1cs: R1CS) -> int:
    """Rows of the QAP: the constraints, then one per public input and z_0."""
    return len(r1cs.constraints) + r1cs.n_public + 1


def qap_at(r1cs: R1CS, tau: int) -> tuple[int, list[int], list[int], list[int]]:
    """(log n, u_i(tau), v_i(tau), w_i(tau)) for every variable i."""
    log_n = field.domain_log_size(qap_rows(r1cs))
    lag = field.lagrange_at(log_n, tau)
    m = r1cs.n_vars
    u, v, w = [0] * m, [0] * m, [0] * m
    for j, con in enumerate(r1cs.constraints):
        lj = lag[j]
        for i, c in con.a.items():
            u[i] = (u[i] + c * lj) % R
        for i, c in con.b.items():
            v[i] = (v[i] + c * lj) % R
        for i, c in con.c.items():
            w[i] = (w[i] + c * lj) % R
    base = len(r1cs.constraints)
    for i in range(r1cs.n_public + 1):
        u[i] = (u[i] + lag[base + i]) % R
    return log_n, u, v, w


@attrs.frozen(repr=False)
class Trapdoor:
    """The setup's secrets (tau, alpha, beta, gamma, delta): the toxic waste. Whoever holds them can forge
    proofs; only :func:`setup_for_tests` makes them."""

    tau: int
    alpha: int
    beta: int
    gamma: int
    delta: int

    def __repr__(self) -> str:
        digest = hashlib.sha256(b"".join(x.to_bytes(32, "big") for x in attrs.astuple(self))).hexdigest()
        return f"Trapdoor(fingerprint={digest[:12]})"


def derive_trapdoor(group: PairingGroup, r1cs: R1CS, rng: RNG) -> Trapdoor:
    """UNSAFE: for tests, vectors and the demo only. tau, then alpha, beta, gamma, delta, each
    ``group.random_zr(rng)``; tau is redrawn while tau^(2n) = 1 (n the QAP domain size), so tau lies neither on
    the domain nor on the odd 2n-th roots the prover evaluates on. The same rng gives the same trapdoor, hence the
    same keys: with a seeded rng, anyone who knows the seed can forge proofs."""
    log_n = field.domain_log_size(qap_rows(r1cs))
    if log_n >= field.TWO_ADICITY:
        fail("CIRCUIT_TOO_LARGE", "the QAP and its coset exceed the largest radix-2 domain of F_r")
    while True:
        tau = int(group.random_zr(rng))
        if pow(tau, 2 << log_n, R) != 1:
            break
    alpha, beta, gamma, delta = (int(group.random_zr(rng)) for _ in range(4))
    return Trapdoor(tau, alpha, beta, gamma, delta)


def setup_for_tests(group: PairingGroup, r1cs: R1CS, rng: RNG) -> ProvingKey:
    """Single-party setup from ``rng``: UNSAFE, for tests, vectors and the demo only. Whoever knows the rng's
    seed recomputes the trapdoor and forges proofs for any statement; a deployment imports a ceremony's key
    instead (``formats.zkey_from_snarkjs``) and its genesis commits to that key's :func:`vk_hash`."""
    return setup_with_trapdoor(group, r1cs, derive_trapdoor(group, r1cs, rng))


def h_scalars(log_n: int, tau: int, delta: int) -> list[int]:
    """The discrete logs of the H points: L'_{2j+1}(tau) / delta for j < n, where L'_k is the Lagrange polynomial
    of the size-2n domain at w_2n^k. For a satisfying witness, sum_j p_j H_j = [(A B - C)(tau) / delta]_1 =
    [h(tau) Z(tau) / delta]_1 with p_j = (A B - C)(w_2n^(2j+1)) (spec/zk/zk.md, "snarkjs proving key")."""
    lag = field.lagrange_at(log_n + 1, tau)
    delta_inv = field.inv(delta)
    return [lag[2 * j + 1] * delta_inv % R for j in range(1 << log_n)]


def setup_with_trapdoor(group: PairingGroup, r1cs: R1CS, td: Trapdoor) -> ProvingKey:
    """The keys for a given trapdoor; UNSAFE like :func:`setup_for_tests` (``KEY_MISMATCH`` for values outside
    (0, r) or tau^(2n) = 1)."""
    tau, alpha, beta, gamma, delta = td.tau, td.alpha, td.beta, td.gamma, td.delta
    log_n = field.domain_log_size(qap_rows(r1cs))
    n = 1 << log_n
    if not all(isinstance(x, int) and not isinstance(x, bool) and 0 < x < R for x in attrs.astuple(td)):
        fail("KEY_MISMATCH", "the trapdoor's values are integers in (0, r)")
    if log_n >= field.TWO_ADICITY or pow(tau, 2 * n, R) == 1:
        fail("KEY_MISMATCH", "the trapdoor does not fit this constraint system")
    log_n, u, v, w = qap_at(r1cs, tau)
    g1, g2 = group.g1(), group.g2()
    gamma_inv, delta_inv = field.inv(gamma), field.inv(delta)

    def g1_mul(k: int) -> G1Element:
        return g1 * k if k else group.identity_g1()

    def g2_mul(k: int) -> G2Element:
        return g2 * k if k else group.identity_g2()

    k_values = [(beta * u[i] + alpha * v[i] + w[i]) % R for i in range(r1cs.n_vars)]
    ic = tuple(g1_mul(k_values[i] * gamma_inv % R) for i in range(r1cs.n_public + 1))
    vk = VerifyingKey(g1 * alpha, g2 * beta, g2 * gamma, g2 * delta, ic)
    return ProvingKey(
        vk=vk, r1cs=r1cs, log_n=log_n, beta_g1=g1 * beta, delta_g1=g1 * delta,
        a_g1=tuple(g1_mul(x) for x in u), b_g1=tuple(g1_mul(x) for x in v), b_g2=tuple(g2_mul(x) for x in v),
        l_g1=tuple(g1_mul(k_values[i] * delta_inv % R) for i in range(r1cs.n_public + 1, r1cs.n_vars)),
        h_g1=tuple(g1_mul(x) for x in h_scalars(log_n, tau, delta)))


def odd_root_values(r1cs: R1CS, z: Sequence[int], log_n: int) -> list[int]:
    """p_j = (A B - C)(w_2n^(2j+1)), j < n: the QAP polynomials at the witness z, evaluated on the odd 2n-th roots
    of unity (the coset w_2n H), where snarkjs's prover evaluates them too."""
    n = 1 << log_n
    a_ev, b_ev, c_ev = [0] * n, [0] * n, [0] * n
    for j, con in enumerate(r1cs.constraints):
        a_ev[j] = evaluate(con.a, z)
        b_ev[j] = evaluate(con.b, z)
        c_ev[j] = evaluate(con.c, z)
    base = len(r1cs.constraints)
    for i in range(r1cs.n_public + 1):
        a_ev[base + i] = z[i] % R
    omega = field.root_of_unity(log_n)
    shift = field.root_of_unity(log_n + 1)
    a_co = field.coset_fft(field.ifft(a_ev, omega), omega, shift)
    b_co = field.coset_fft(field.ifft(b_ev, omega), omega, shift)
    c_co = field.coset_fft(field.ifft(c_ev, omega), omega, shift)
    return [(x * y - w) % R for x, y, w in zip(a_co, b_co, c_co, strict=True)]


def prove(group: PairingGroup, pk: ProvingKey, z: Sequence[int], rng: RNG) -> Proof:
    """A proof for the full witness z (z_0 = 1, public inputs, private variables); r, s drawn from rng.
    ``WITNESS_UNSATISFIED`` unless z satisfies every constraint (then A B - C vanishes on the domain and
    sum_j p_j H_j is the quotient term)."""
    r1cs = pk.r1cs
    r1cs.check_witness(z)
    p = odd_root_values(r1cs, z, pk.log_n)
    r, s = int(group.random_zr(rng)), int(group.random_zr(rng))
    vk = pk.vk
    a = vk.alpha_g1 + group.msm_g1(list(pk.a_g1), list(z)) + pk.delta_g1 * r
    b2 = vk.beta_g2 + group.msm_g2(list(pk.b_g2), list(z)) + vk.delta_g2 * s
    b1 = pk.beta_g1 + group.msm_g1(list(pk.b_g1), list(z)) + pk.delta_g1 * s
    priv = list(z[r1cs.n_public + 1:])
    c = (group.msm_g1(list(pk.l_g1), priv) + group.msm_g1(list(pk.h_g1), p)
         + a * s + b1 * r - pk.delta_g1 * (r * s % R))
    return Proof(a, b2, c)


def check_public_inputs(vk: VerifyingKey, public: Sequence[object]) -> list[int]:
    """``PUBLIC_INPUT_INVALID`` unless there are exactly l inputs, each an integer in [0, r)."""
    if len(public) != vk.n_public:
        fail("PUBLIC_INPUT_INVALID", f"expected {vk.n_public} public inputs, got {len(public)}")
    out = []
    for x in public:
        v = x.value if isinstance(x, Zr) else x
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < R:
            fail("PUBLIC_INPUT_INVALID", "a public input is not an integer in [0, r)")
        out.append(v)
    return out


def verify(group: PairingGroup, vk: VerifyingKey, public: Sequence[object], proof: Proof) -> None:
    """Fail ``PUBLIC_INPUT_INVALID`` on bad inputs, ``IDENTITY_NOT_ALLOWED`` on an identity proof point,
    ``PROOF_INVALID`` unless e(A, B) = e(alpha, beta) e(L, gamma) e(C, delta)."""
    xs = check_public_inputs(vk, public)
    if proof.a.is_identity() or proof.b.is_identity() or proof.c.is_identity():
        fail("IDENTITY_NOT_ALLOWED", "a proof point is the identity")
    lin = vk.ic[0] + group.msm_g1(list(vk.ic[1:]), xs)
    ok = group.pairing_check([(-proof.a, proof.b), (vk.alpha_g1, vk.beta_g2),
                              (lin, vk.gamma_g2), (proof.c, vk.delta_g2)])
    if not ok:
        fail("PROOF_INVALID", "the Groth16 pairing equation does not hold")


def is_valid(group: PairingGroup, vk: VerifyingKey, public: Sequence[object], proof: Proof) -> bool:
    """``verify`` as a predicate."""
    try:
        verify(group, vk, public, proof)
    except Exception:  # noqa: BLE001
        return False
    return True
