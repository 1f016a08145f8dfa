"""medshare's two circuits (spec/zk/zk.md, "Circuits"): policy satisfaction and data requirement.

Policy satisfaction. Public: policy hash, attribute commitment, record id, nonce. Private: the attribute set
(up to 16 field elements), its salt, and the policy as a gate list. The circuit proves: the gate list hashes to
the policy hash, the attribute set and salt hash to the commitment, and the policy's root gate is true when a
leaf is true iff its attribute is in the set. The record id and nonce are bound by a product constraint.

Data requirement. Public: the record's data commitment and a criterion (``kind`` 0: field[index] in [lo, hi];
``kind`` 1: field[index] in a set of up to 8 codes). Private: the record's 8 fields (64-bit integers) and salt.

The circuit shapes are fixed (they do not depend on the policy or the criterion), so one key pair serves every
policy and every criterion.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ..errors import fail
from ..group import PairingGroup
from ..hashing import dst_tag, hash_to_zr
from ..params import R
from ..rng import RNG
from . import gadgets, groth16
from .poseidon import poseidon_hash
from .r1cs import LC, Circuit, lc_sum

MAX_LEAVES = 16
MAX_GATES = 16
MAX_ATTRIBUTES = 16
K_BITS = 6  # a gate word's threshold field: k < 2^6 (gates_from_policy refuses larger k, POLICY_TOO_LARGE)
N_WIRES = MAX_LEAVES + MAX_GATES
ATTR_TAG = "ATTR"

N_FIELDS = 8
MAX_CODES = 8
VALUE_BITS = 64
KIND_RANGE = 0
KIND_SET = 1


# Field encodings --------------------------------------------------------------------------------------------
def attribute_field(name: str) -> int:
    """An attribute name as a field element: hash_to_zr(utf8(name), "MEDSHARE-V1-ATTR")."""
    if not isinstance(name, str) or not name:
        fail("ATTRIBUTE_INVALID", "an attribute name is a non-empty string")
    return hash_to_zr(name.encode("utf-8"), dst_tag(ATTR_TAG))[0]


def _field(x: object, what: str) -> int:
    if not isinstance(x, int) or isinstance(x, bool) or not 0 <= x < R:
        fail("PUBLIC_INPUT_INVALID", f"{what} is not a field element")
    return x


def attribute_set(values: Iterable[int]) -> list[int]:
    """The canonical attribute vector: distinct field elements, sorted ascending, zero-padded to 16."""
    vals = sorted({_field(v, "an attribute") for v in values})
    if len(vals) > MAX_ATTRIBUTES:
        fail("CIRCUIT_TOO_LARGE", f"more than {MAX_ATTRIBUTES} attributes")
    if 0 in vals:
        fail("ATTRIBUTE_INVALID", "the attribute value 0 is reserved for padding")
    return vals + [0] * (MAX_ATTRIBUTES - len(vals))


def attribute_commitment(values: Iterable[int], salt: int) -> int:
    """Poseidon(attribute_set(values) || salt): 17 elements."""
    return poseidon_hash(attribute_set(values) + [_field(salt, "the salt")])


@attrs.frozen
class PolicyGates:
    """A policy as a gate list: 16 leaf slots (attribute field elements, 0 = unused) and 16 threshold-gate
    slots; gate j reads wires w < 16 + j (leaves, then earlier gates) and is true iff at least k of them are.
    The root is gate 15; unused gate slots come first and have k = 0 and no inputs."""

    leaves: tuple[int, ...]
    gates: tuple[tuple[int, tuple[int, ...]], ...]

    def __attrs_post_init__(self) -> None:
        """The list must fit the word encoding, else ``POLICY_TOO_LARGE``: 16 leaves and 16 gates; gate j has
        0 <= k < 2^6 (a larger k would carry into the input bits and read as a smaller threshold) and distinct
        inputs w < 16 + j, so its input bits lie in the 16 + j bits the circuit decomposes."""
        if len(self.leaves) != MAX_LEAVES or len(self.gates) != MAX_GATES:
            fail("POLICY_TOO_LARGE", f"a gate list has {MAX_LEAVES} leaves and {MAX_GATES} gates")
        for j, (k, ins) in enumerate(self.gates):
            if not 0 <= k < 1 << K_BITS:
                fail("POLICY_TOO_LARGE", f"gate {j} has threshold {k}; the gate word holds k < {1 << K_BITS}")
            if len(set(ins)) != len(ins) or not all(0 <= w < MAX_LEAVES + j for w in ins):
                fail("POLICY_TOO_LARGE", f"gate {j} reads wires outside 0 .. {MAX_LEAVES + j - 1}")

    def words(self) -> list[int]:
        """The field encoding: the 16 leaves, then per gate k + 2^6 * sum_{w in inputs} 2^w."""
        return list(self.leaves) + [k + (sum(1 << w for w in ins) << K_BITS) for k, ins in self.gates]

    def evaluate(self, attributes: Iterable[int]) -> bool:
        """The policy's value for an attribute set (field elements)."""
        held = set(attributes)
        wires = [leaf != 0 and leaf in held for leaf in self.leaves]
        for k, ins in self.gates:
            wires.append(sum(wires[w] for w in ins) >= k)
        return wires[-1]


def gate_hash(gates: PolicyGates) -> int:
    """Poseidon of the 32-word encoding. Of a policy's canonical gate list, this is the policy hash (the circuit's
    first public input; spec/protocol/protocol.md)."""
    return _words_hash(tuple(gates.words()))


@functools.lru_cache(maxsize=256)
def _words_hash(words: tuple[int, ...]) -> int:
    """Poseidon of a gate list's words, remembered: every record publication re-derives its policy hash."""
    return poseidon_hash(list(words))


def gates_from_policy(node: Any) -> PolicyGates:
    """The canonical gate list of a monotone policy tree, duck-typed: a leaf has ``.name``; a k-of-n gate has
    ``.k`` and ``.children`` (AND is n-of-n, OR 1-of-n). Leaves are numbered by first occurrence in depth-first
    order (a repeated attribute shares its leaf); gates are numbered in post-order, shifted so the root is the
    last slot; a policy that is a single attribute becomes a 1-of-1 gate."""
    leaves: list[int] = []
    real: list[tuple[int, list[tuple[str, int]]]] = []  # (k, [("leaf"|"gate", index)])

    def visit(n: Any, depth: int) -> tuple[str, int]:
        if depth > MAX_GATES:
            fail("POLICY_TOO_DEEP", "policy nests deeper than the gate limit")
        if hasattr(n, "children") and hasattr(n, "k"):
            children = list(n.children)
            k = n.k
            if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(children):
                fail("POLICY_BAD_THRESHOLD", f"k = {k!r} of {len(children)} children")
            refs = [visit(c, depth + 1) for c in children]
            real.append((k, refs))
            if len(real) > MAX_GATES:
                fail("CIRCUIT_TOO_LARGE", f"policy has more than {MAX_GATES} gates")
            return ("gate", len(real) - 1)
        if hasattr(n, "name"):
            v = attribute_field(n.name)
            if v not in leaves:
                leaves.append(v)
                if len(leaves) > MAX_LEAVES:
                    fail("POLICY_TOO_MANY_LEAVES", f"more than {MAX_LEAVES} distinct attributes")
            return ("leaf", leaves.index(v))
        fail("POLICY_SYNTAX", f"not a policy node: {type(n).__name__}")

    root = visit(node, 0)
    if root[0] == "leaf":
        real.append((1, [root]))
    offset = MAX_GATES - len(real)
    gates: list[tuple[int, tuple[int, ...]]] = [(0, ())] * offset
    for k, refs in real:
        wires = sorted({i if kind == "leaf" else MAX_LEAVES + offset + i for kind, i in refs})
        gates.append((k, tuple(wires)))
    return PolicyGates(tuple(leaves + [0] * (MAX_LEAVES - len(leaves))), tuple(gates))


def binding_field(data: bytes) -> int:
    """A record id or nonce (bytes) as a field element: hash_to_zr(data, "MEDSHARE-V1-ZK-BIND")."""
    return hash_to_zr(bytes(data), dst_tag("ZK-BIND"))[0]


# Policy-satisfaction circuit ---------------------------------------------------------------------------------
@attrs.frozen
class PolicyShape:
    """The policy circuit's sizes; medshare uses the defaults, smaller shapes serve the Z3 checks."""

    n_leaves: int = MAX_LEAVES
    n_gates: int = MAX_GATES
    n_attributes: int = MAX_ATTRIBUTES
    k_bits: int = K_BITS


def policy_circuit(gates: PolicyGates | None = None, attributes: Sequence[int] | None = None,
                   salt: int | None = None, record_id: int | None = None, nonce: int | None = None,
                   shape: PolicyShape = PolicyShape()) -> Circuit:
    """The circuit, with values when all arguments are given (witness generation), else the shape only.
    Public inputs, in order: policy hash, attribute commitment, record id, nonce."""
    full = None not in (gates, attributes, salt, record_id, nonce)
    if full and shape != PolicyShape():
        fail("CIRCUIT_FORMAT", "witness generation uses the standard shape")
    n_leaves, n_gates, n_attrs, k_bits = shape.n_leaves, shape.n_gates, shape.n_attributes, shape.k_bits
    words: list[int | None] = [None] * (n_leaves + n_gates)
    attrs_vec: list[int | None] = [None] * n_attrs
    pub_vals: list[int | None] = [None, None, record_id, nonce]
    product = None
    if gates is not None and attributes is not None and salt is not None and record_id is not None \
            and nonce is not None:
        words = list(gates.words())
        attrs_vec = list(attribute_set(attributes))
        pub_vals[:2] = [gate_hash(gates), poseidon_hash(attribute_set(attributes) + [salt])]
        product = record_id * nonce % R
    cs = Circuit()
    p_hash, p_comm, p_rid, p_nonce = (cs.public(v, n) for v, n in zip(
        pub_vals, ("policy_hash", "attribute_commitment", "record_id", "nonce")))
    cs.constrain(p_rid, p_nonce, cs.private(product))

    leaf = [cs.private(words[i]) for i in range(n_leaves)]
    gword = [cs.private(words[n_leaves + j]) for j in range(n_gates)]
    attr = [cs.private(attrs_vec[i]) for i in range(n_attrs)]
    s = cs.private(salt)
    cs.label("leaves", leaf)
    cs.label("gate_words", gword)
    cs.label("attributes", attr)
    cs.assert_equal(gadgets.poseidon_hash(cs, leaf + gword), p_hash)
    cs.assert_equal(gadgets.poseidon_hash(cs, attr + [s]), p_comm)

    wires: list[LC] = []
    for i in range(n_leaves):  # leaf i is true iff prod_j (leaf_i - attr_j) = 0
        prod = leaf[i] - attr[0]
        for j in range(1, n_attrs):
            prod = cs.mul(prod, leaf[i] - attr[j])
        wires.append(gadgets.is_zero(cs, prod))
    for j in range(n_gates):
        bits = gadgets.to_bits(cs, gword[j], k_bits + n_leaves + j)
        k = lc_sum(bits[b] * (1 << b) for b in range(k_bits))
        count = lc_sum(cs.mul(bits[k_bits + w], wires[w]) for w in range(n_leaves + j))
        wires.append(1 - gadgets.less_than(cs, count, k, k_bits))
    cs.assert_equal(wires[-1], 1)
    return cs


def policy_public_inputs(p_hash: int, commitment: int, record_id: int, nonce: int) -> list[int]:
    """The public-input vector, each checked to be a field element (``PUBLIC_INPUT_INVALID``)."""
    return [_field(p_hash, "policy hash"), _field(commitment, "attribute commitment"),
            _field(record_id, "record id"), _field(nonce, "nonce")]


def prove_policy(group: PairingGroup, pk: groth16.ProvingKey, gates: PolicyGates, attributes: Sequence[int],
                 salt: int, record_id: int, nonce: int, rng: RNG) -> tuple[groth16.Proof, list[int]]:
    """A proof that ``attributes`` (committed with ``salt``) satisfy ``gates``; ``POLICY_UNSATISFIED`` if not."""
    policy_public_inputs(0, 0, record_id, nonce)
    if not gates.evaluate(attribute_set(attributes)):
        fail("POLICY_UNSATISFIED", "the attribute set does not satisfy the policy")
    cs = policy_circuit(gates, attributes, salt, record_id, nonce)
    return groth16.prove(group, pk, cs.witness(), rng), cs.public_values()


def verify_policy(group: PairingGroup, vk: groth16.VerifyingKey, p_hash: int, commitment: int, record_id: int,
                  nonce: int, proof: groth16.Proof) -> None:
    """Fail unless ``proof`` shows that the set committed in ``commitment`` satisfies the policy ``p_hash``,
    bound to (record id, nonce)."""
    groth16.verify(group, vk, policy_public_inputs(p_hash, commitment, record_id, nonce), proof)


# Data-requirement circuit ------------------------------------------------------------------------------------
@attrs.frozen
class Criterion:
    """kind 0: lo <= field[index] <= hi; kind 1: field[index] in codes (1..8 codes, padded with codes[0])."""

    kind: int
    index: int
    lo: int = 0
    hi: int = 0
    codes: tuple[int, ...] = ()

    def public_inputs(self) -> list[int]:
        """kind, index, lo, hi, 8 codes; ``PUBLIC_INPUT_INVALID`` on a malformed criterion."""
        if self.kind not in (KIND_RANGE, KIND_SET) or not 0 <= self.index < N_FIELDS:
            fail("PUBLIC_INPUT_INVALID", "criterion kind or field index out of range")
        if self.kind == KIND_RANGE:
            if self.codes or not 0 <= self.lo <= self.hi < (1 << VALUE_BITS):
                fail("PUBLIC_INPUT_INVALID", "a range criterion needs 0 <= lo <= hi < 2^64 and no codes")
            codes = [0] * MAX_CODES
        else:
            if self.lo or self.hi or not 1 <= len(self.codes) <= MAX_CODES:
                fail("PUBLIC_INPUT_INVALID", "a set criterion needs 1..8 codes and lo = hi = 0")
            codes = [_field(c, "a code") for c in self.codes]
            codes += [codes[0]] * (MAX_CODES - len(codes))
        return [self.kind, self.index, self.lo, self.hi] + codes

    def holds(self, fields: Sequence[int]) -> bool:
        v = fields[self.index]
        return self.lo <= v <= self.hi if self.kind == KIND_RANGE else v in self.codes


def data_commitment(fields: Sequence[int], salt: int) -> int:
    """Poseidon(field_0 .. field_7 || salt); fields are 64-bit unsigned integers."""
    return poseidon_hash(_record_fields(fields) + [_field(salt, "the salt")])


def _record_fields(fields: Sequence[int]) -> list[int]:
    if len(fields) != N_FIELDS:
        fail("BAD_LENGTH", f"a record has {N_FIELDS} fields")
    for f in fields:
        if not isinstance(f, int) or isinstance(f, bool) or not 0 <= f < (1 << VALUE_BITS):
            fail("SCALAR_OUT_OF_RANGE", "a record field is not a 64-bit unsigned integer")
    return list(fields)


@attrs.frozen
class DataShape:
    """The data-requirement circuit's sizes; medshare uses the defaults, smaller shapes serve the Z3 checks."""

    n_fields: int = N_FIELDS
    n_codes: int = MAX_CODES
    value_bits: int = VALUE_BITS


def data_circuit(fields: Sequence[int] | None = None, salt: int | None = None,
                 criterion: Criterion | None = None, shape: DataShape = DataShape()) -> Circuit:
    """Public inputs: data commitment, kind, index, lo, hi, codes[8] (13 in all)."""
    full = None not in (fields, salt, criterion)
    if full and shape != DataShape():
        fail("CIRCUIT_FORMAT", "witness generation uses the standard shape")
    n_fields, n_codes, bits = shape.n_fields, shape.n_codes, shape.value_bits
    pub_vals = ([data_commitment(fields, salt)] + criterion.public_inputs()  # type: ignore[arg-type, union-attr]
                if full else [None] * (5 + n_codes))
    cs = Circuit()
    names = ["data_commitment", "kind", "index", "lo", "hi"] + [f"code{i}" for i in range(n_codes)]
    pub = [cs.public(v, n) for v, n in zip(pub_vals, names)]
    comm, kind, index, lo, hi, codes = pub[0], pub[1], pub[2], pub[3], pub[4], pub[5:]
    f = [cs.private(fields[i] if full else None) for i in range(n_fields)]  # type: ignore[index]
    s = cs.private(salt)
    cs.label("fields", f)
    cs.assert_equal(gadgets.poseidon_hash(cs, f + [s]), comm)
    gadgets.assert_boolean(cs, kind)
    sel = [gadgets.is_equal(cs, index, i) for i in range(n_fields)]
    cs.assert_equal(lc_sum(sel), 1)  # index in 0 .. n_fields - 1
    value = lc_sum(cs.mul(sel[i], f[i]) for i in range(n_fields))
    for x in (value, lo, hi):
        gadgets.range_check(cs, x, bits)
    below = gadgets.less_than(cs, value, lo, bits)
    above = gadgets.less_than(cs, hi, value, bits)
    in_range = cs.mul(1 - below, 1 - above)
    prod = value - codes[0]
    for c in codes[1:]:
        prod = cs.mul(prod, value - c)
    in_set = gadgets.is_zero(cs, prod)
    cs.assert_equal(gadgets.select(cs, kind, in_set, in_range), 1)
    return cs


def prove_data(group: PairingGroup, pk: groth16.ProvingKey, fields: Sequence[int], salt: int,
               criterion: Criterion, rng: RNG) -> tuple[groth16.Proof, list[int]]:
    """A proof that the committed record meets ``criterion``; ``CRITERION_UNSATISFIED`` if it does not."""
    criterion.public_inputs()
    if not criterion.holds(_record_fields(fields)):
        fail("CRITERION_UNSATISFIED", "the record does not meet the criterion")
    cs = data_circuit(fields, salt, criterion)
    return groth16.prove(group, pk, cs.witness(), rng), cs.public_values()


def verify_data(group: PairingGroup, vk: groth16.VerifyingKey, commitment: int, criterion: Criterion,
                proof: groth16.Proof) -> None:
    """Fail unless ``proof`` shows that the record committed in ``commitment`` meets ``criterion``."""
    groth16.verify(group, vk, [_field(commitment, "data commitment")] + criterion.public_inputs(), proof)
