"""Access policies: the language, its canonical form, satisfaction, and LSSS conversion (spec/policy.md).

A policy is a monotone formula over attributes: ``(cardiology and researcher) or 2 of (ethics_approved, irb, dpo)``.
Its syntax tree has two node types, :class:`Attr` and :class:`Threshold` (``and`` = n-of-n, ``or`` = 1-of-n).
Every walk is depth-bounded: limits (:data:`MAX_LEAVES`, :data:`MAX_DEPTH`) are checked before any recursion,
so hostile input gives a typed error, never a ``RecursionError``.

The LSSS is Lewko–Waters (Eurocrypt 2011, Appendix G) for ``and``/``or`` with the Vandermonde generalisation for
k-of-n gates (1 < k < n); rows are labelled by attribute and occurrence index.

:class:`Policy` is a policy made once from its text: the canonical tree, its canonical text and its LSSS matrix.
The policy hash (Poseidon of the canonical gate list) is not computed here: it needs the zk layer, so the
protocol's ``RecordPolicy`` (spec/protocol/protocol.py) carries it beside a :class:`Policy`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import attrs

from .errors import PolicyError, fail
from .params import R

#: at most this many leaves (attribute occurrences) in a policy
MAX_LEAVES = 64
#: at most this many nested gates on any root-to-leaf path, and at most this many nested parentheses
MAX_DEPTH = 16
#: at most this many characters in an attribute (name and ``@epoch``)
MAX_ATTRIBUTE_LENGTH = 64
#: the domain tag of :func:`text_digest`
TEXT_DIGEST_DST = b"MEDSHARE-V1-POLICY-HASH"

ATTRIBUTE_RE = re.compile(r"[a-z][a-z0-9_]*(@[1-9][0-9]{0,8})?")
KEYWORDS = frozenset({"and", "or", "of"})


def check_attribute(name: object) -> str:
    """Return ``name`` if it is a valid attribute (``[a-z][a-z0-9_]*`` with optional ``@epoch``), else fail."""
    if not isinstance(name, str) or len(name) > MAX_ATTRIBUTE_LENGTH or not ATTRIBUTE_RE.fullmatch(name):
        fail("ATTRIBUTE_INVALID", f"not an attribute: {name!r}")
    if name.split("@", 1)[0] in KEYWORDS:
        fail("ATTRIBUTE_INVALID", f"{name!r} is a keyword")
    return name


def split_epoch(name: str) -> tuple[str, int | None]:
    """``"irb@2"`` -> ``("irb", 2)``; ``"irb"`` -> ``("irb", None)``."""
    base, _, epoch = name.partition("@")
    return base, int(epoch) if epoch else None


@attrs.frozen
class Attr:
    """A leaf: one attribute, e.g. ``irb@2`` (the epoch is part of the name)."""

    name: str = attrs.field(validator=lambda _i, _a, v: check_attribute(v))


def _children(items: Iterable[Node]) -> tuple[Node, ...]:
    return tuple(items)


@attrs.frozen
class Threshold:
    """A k-of-n gate over ``children`` (``and``: k = n, ``or``: k = 1)."""

    k: int
    children: tuple[Node, ...] = attrs.field(converter=_children)

    def __attrs_post_init__(self) -> None:
        if not self.children:
            fail("POLICY_SYNTAX", "a gate needs at least one child")
        if not isinstance(self.k, int) or not 1 <= self.k <= len(self.children):
            fail("POLICY_BAD_THRESHOLD", f"k = {self.k} with n = {len(self.children)}")


Node = Attr | Threshold


# Limits -------------------------------------------------------------------------------------------------------
def check_limits(policy: Node) -> None:
    """Fail POLICY_TOO_DEEP / POLICY_TOO_MANY_LEAVES; iterative, stops at the first excess."""
    leaves = 0
    stack: list[tuple[Node, int]] = [(policy, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Attr):
            leaves += 1
            if leaves > MAX_LEAVES:
                fail("POLICY_TOO_MANY_LEAVES", f"more than {MAX_LEAVES} leaves")
        elif isinstance(node, Threshold):
            if depth + 1 > MAX_DEPTH:
                fail("POLICY_TOO_DEEP", f"more than {MAX_DEPTH} nested gates")
            stack.extend((c, depth + 1) for c in node.children)
        else:
            fail("POLICY_SYNTAX", f"not a policy node: {type(node).__name__}")


# Parser -------------------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(?:(?P<num>[0-9]+)|(?P<word>[a-z][a-z0-9_]*(?:@[0-9]*)?)|(?P<punct>[(),]))")


def _syntax(pos: int, problem: str) -> PolicyError:
    err = PolicyError("POLICY_SYNTAX", f"at position {pos}: {problem}")
    err.position = pos  # type: ignore[attr-defined]
    return err


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, position) triples ending with ("end", "", len); counts leaves and nesting on the way."""
    tokens: list[tuple[str, str, int]] = []
    pos, leaves, depth = 0, 0, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            tokens.append(("end", "", pos))
            return tokens
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _syntax(pos, f"unexpected character {text[pos]!r}")
        start = m.start(m.lastgroup or 0)
        kind, value = m.lastgroup or "", m.group(m.lastgroup or 0)
        if kind == "word" and value not in KEYWORDS:
            if "@" in value and not ATTRIBUTE_RE.fullmatch(value):
                raise _syntax(start, f"bad epoch in {value!r} (expected @1..@999999999, no leading zero)")
            if len(value) > MAX_ATTRIBUTE_LENGTH:
                raise _syntax(start, f"attribute longer than {MAX_ATTRIBUTE_LENGTH} characters")
            leaves += 1
            if leaves > MAX_LEAVES:
                fail("POLICY_TOO_MANY_LEAVES", f"at position {start}: more than {MAX_LEAVES} leaves")
            kind = "attr"
        elif kind == "word":
            kind = value
        elif kind == "num":
            if len(value) > 1 and value[0] == "0":
                raise _syntax(start, f"threshold {value!r} has a leading zero")
            if len(value) > 3:
                fail("POLICY_BAD_THRESHOLD", f"at position {start}: threshold {value[:8]}… is out of range")
        elif value == "(":
            depth += 1
            if depth > MAX_DEPTH:
                fail("POLICY_TOO_DEEP", f"at position {start}: more than {MAX_DEPTH} nested parentheses")
        elif value == ")":
            depth -= 1
        if kind == "punct":
            kind = value
        tokens.append((kind, value, start))
        pos = m.end()


class _Parser:
    """Recursive descent over the token list; recursion depth is bounded by MAX_DEPTH (checked in the lexer)."""

    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def expect(self, kind: str, what: str) -> tuple[str, str, int]:
        tok = self.peek()
        if tok[0] != kind:
            found = "end of input" if tok[0] == "end" else repr(tok[1])
            raise _syntax(tok[2], f"expected {what}, found {found}")
        self.i += 1
        return tok

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek()[0] == "or":
            self.i += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Threshold(1, tuple(items))

    def and_expr(self) -> Node:
        items = [self.primary()]
        while self.peek()[0] == "and":
            self.i += 1
            items.append(self.primary())
        return items[0] if len(items) == 1 else Threshold(len(items), tuple(items))

    def primary(self) -> Node:
        kind, value, pos = self.peek()
        if kind == "attr":
            self.i += 1
            return Attr(value)
        if kind == "(":
            self.i += 1
            node = self.or_expr()
            self.expect(")", "')'")
            return node
        if kind == "num":
            self.i += 1
            self.expect("of", "'of' after a threshold")
            self.expect("(", "'(' after 'of'")
            if self.peek()[0] == ")":
                raise _syntax(self.peek()[2], "empty threshold list")
            children = [self.or_expr()]
            while self.peek()[0] == ",":
                self.i += 1
                children.append(self.or_expr())
            self.expect(")", "',' or ')'")
            k = int(value)
            if not 1 <= k <= len(children):
                fail("POLICY_BAD_THRESHOLD", f"at position {pos}: {k} of {len(children)}")
            return Threshold(k, tuple(children))
        found = "end of input" if kind == "end" else repr(value)
        raise _syntax(pos, f"expected an attribute, '(' or a threshold, found {found}")


def parse(text: str) -> Node:
    """Parse policy text into its syntax tree (not yet canonical); errors name the position and the problem."""
    if not isinstance(text, str):
        fail("POLICY_SYNTAX", "policy text must be a string")
    parser = _Parser(_tokenize(text))
    node = parser.or_expr()
    parser.expect("end", "end of input")
    check_limits(node)
    return node


# Canonical form -----------------------------------------------------------------------------------------------
def _kind(node: Node) -> str:
    if isinstance(node, Attr):
        return "attr"
    n = len(node.children)
    return "and" if node.k == n else "or" if node.k == 1 else "threshold"


def canonical(policy: Node) -> Node:
    """The canonical tree: 1-child gates removed, nested and-in-and / or-in-or flattened, children sorted by their
    canonical text (duplicates kept)."""
    check_limits(policy)
    return _canonical(policy)


def _canonical(node: Node) -> Node:
    if isinstance(node, Attr):
        return node
    if len(node.children) == 1:
        return _canonical(node.children[0])
    kind = _kind(node)
    children: list[Node] = []
    for child in (_canonical(c) for c in node.children):
        if kind in ("and", "or") and isinstance(child, Threshold) and _kind(child) == kind:
            children.extend(child.children)
        else:
            children.append(child)
    children.sort(key=_text)
    k = len(children) if kind == "and" else node.k
    return Threshold(k, tuple(children))


def _text(node: Node) -> str:
    if isinstance(node, Attr):
        return node.name
    kind = _kind(node)
    parts = [_child_text(c) for c in node.children]
    if kind == "and":
        return " and ".join(parts)
    if kind == "or":
        return " or ".join(parts)
    return f"{node.k} of ({', '.join(_text(c) for c in node.children)})"


def _child_text(node: Node) -> str:
    return f"({_text(node)})" if _kind(node) in ("and", "or") else _text(node)


def canonical_text(policy: Node) -> str:
    """The text of the canonical tree (single spaces, ``and``/``or`` gates parenthesised when nested)."""
    return _text(canonical(policy))


def text_digest(policy: Node) -> bytes:
    """SHA-256(TEXT_DIGEST_DST || 0x00 || utf8(canonical_text(policy))), 32 bytes: a check value of the canonical
    text (conformance ``crypto.policy.hash``). Not the policy hash, and no protocol message carries it."""
    return hashlib.sha256(TEXT_DIGEST_DST + b"\x00" + canonical_text(policy).encode()).digest()


def attributes_of(policy: Node) -> list[str]:
    """The leaf attributes in left-to-right order, duplicates kept."""
    check_limits(policy)
    out: list[str] = []
    stack: list[Node] = [policy]
    while stack:
        node = stack.pop()
        if isinstance(node, Attr):
            out.append(node.name)
        else:
            stack.extend(reversed(node.children))
    return out


# Satisfaction -------------------------------------------------------------------------------------------------
def satisfies(policy: Node, attributes: Iterable[str]) -> bool:
    """True iff the attribute set satisfies the monotone formula (exact names: ``irb@1`` is not ``irb@2``)."""
    check_limits(policy)
    return _sat(policy, frozenset(attributes))


def _sat(node: Node, s: frozenset[str]) -> bool:
    if isinstance(node, Attr):
        return node.name in s
    return sum(1 for c in node.children if _sat(c, s)) >= node.k


# LSSS ---------------------------------------------------------------------------------------------------------
@attrs.frozen
class LSSS:
    """A linear secret-sharing matrix: row i (entries mod r, padded to ``width``) belongs to ``labels[i]``, the
    ``occurrences[i]``-th leaf (0-based) carrying that attribute. ``policy`` is the tree it was built from."""

    rows: tuple[tuple[int, ...], ...]
    labels: tuple[str, ...]
    occurrences: tuple[int, ...]
    policy: Node

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def row_names(self) -> tuple[str, ...]:
        """Distinct row labels ``attr#occurrence``."""
        return tuple(f"{a}#{o}" for a, o in zip(self.labels, self.occurrences, strict=True))


def to_lsss(policy: Node) -> LSSS:
    """Lewko–Waters conversion, depth-first, children in the given order. A gate labelled with vector v, with c
    columns used so far:

    * or (1-of-n): every child gets v;
    * and (n-of-n): child 1 gets v|1 at column c+1; child i (1 < i < n) gets -1 at column c+i-1 and 1 at c+i;
      child n gets -1 at column c+n-1 (n-1 new columns; the rows sum to v);
    * k-of-n, 1 < k < n: child i (1-based) gets v|(i, i^2, …, i^(k-1)) in k-1 new columns (Vandermonde).

    The root vector is (1); entries are reduced mod r; rows are padded with zeros to the final width.
    """
    check_limits(policy)
    rows: list[dict[int, int]] = []
    labels: list[str] = []
    counter = [1]

    def visit(node: Node, vec: dict[int, int]) -> None:
        if isinstance(node, Attr):
            rows.append(vec)
            labels.append(node.name)
            return
        n, k, c = len(node.children), node.k, counter[0]
        if k == 1:
            for child in node.children:
                visit(child, dict(vec))
        elif k == n:
            counter[0] += n - 1
            for i, child in enumerate(node.children, start=1):
                v = dict(vec) if i == 1 else {}
                if i > 1:
                    v[c + i - 1] = R - 1
                if i < n:
                    v[c + i] = 1
                visit(child, v)
        else:
            counter[0] += k - 1
            for i, child in enumerate(node.children, start=1):
                v = dict(vec)
                for j in range(1, k):
                    v[c + j] = pow(i, j, R)
                visit(child, v)

    visit(policy, {1: 1})
    width = counter[0]
    dense = []
    for r in rows:
        row = [0] * width
        for j, x in r.items():
            row[j - 1] = x
        dense.append(tuple(row))
    seen: dict[str, int] = {}
    occurrences = []
    for label in labels:
        occurrences.append(seen.get(label, 0))
        seen[label] = occurrences[-1] + 1
    return LSSS(tuple(dense), tuple(labels), tuple(occurrences), policy)


def reconstruction_coefficients(lsss: LSSS, attributes: Iterable[str]) -> dict[int, int]:
    """{row index: gamma_i mod r} with sum_i gamma_i * M_i = (1, 0, …, 0) over rows whose label is in the set;
    rows with gamma_i = 0 are left out. Fails POLICY_UNSATISFIED if the set does not satisfy the policy.

    Found along the tree: an or gate passes its coefficient to its first satisfied child, an and gate to every
    child, a k-of-n gate to its first k satisfied children times their Lagrange coefficients at 0.
    """
    s = frozenset(attributes)
    if not satisfies(lsss.policy, s):
        fail("POLICY_UNSATISFIED", _unsatisfied_message(lsss, s))
    gamma: dict[int, int] = {}
    next_row = [0]

    def visit(node: Node, coeff: int | None) -> None:
        """Walk every node (to keep row numbering); coeff None means "not used"."""
        if isinstance(node, Attr):
            if coeff is not None and coeff % R:
                gamma[next_row[0]] = coeff % R
            next_row[0] += 1
            return
        n, k = len(node.children), node.k
        chosen: list[int] = []
        if coeff is not None:
            if k == n:
                chosen = list(range(n))
            else:
                chosen = [i for i, c in enumerate(node.children) if _sat(c, s)][:k]
        xs = [i + 1 for i in chosen]
        for i, child in enumerate(node.children):
            if coeff is None or i not in chosen:
                visit(child, None)
            elif k == 1 or k == n:
                visit(child, coeff)
            else:
                visit(child, coeff * _lagrange_at_zero(i + 1, xs) % R)

    visit(lsss.policy, 1)
    return gamma


def _lagrange_at_zero(x: int, xs: list[int]) -> int:
    num, den = 1, 1
    for other in xs:
        if other != x:
            num = num * other % R
            den = den * (other - x) % R
    return num * pow(den, -1, R) % R


def _unsatisfied_message(lsss: LSSS, s: frozenset[str]) -> str:
    stale = sorted({a for a in lsss.labels if a not in s and "@" in a
                    and any(split_epoch(b)[0] == split_epoch(a)[0] for b in s)})
    note = f" (attribute epoch differs for: {', '.join(stale)})" if stale else ""
    return f"the attribute set does not satisfy the policy{note}"


def check_reconstruction(lsss: LSSS, gamma: dict[int, int]) -> bool:
    """True iff sum_i gamma_i * M_i = (1, 0, …, 0) mod r."""
    acc = [0] * lsss.width
    for i, g in gamma.items():
        for j, m in enumerate(lsss.rows[i]):
            if m:
                acc[j] = (acc[j] + g * m) % R
    return acc == [1] + [0] * (lsss.width - 1)


# The policy value ---------------------------------------------------------------------------------------------
@attrs.frozen
class Policy:
    """A policy made once from its text: the canonical tree, its canonical text and the LSSS matrix of the
    canonical tree. Every use (FAME, the gate list, satisfaction, the chain's policy field) reads these."""

    tree: Node
    text: str
    lsss: LSSS = attrs.field(repr=False)

    @staticmethod
    def of(source: str | Node) -> Policy:
        """Parse ``source`` if it is text (once), canonicalise (once), render the canonical text, build the
        LSSS."""
        tree = canonical(parse(source) if isinstance(source, str) else source)
        return Policy(tree, _text(tree), to_lsss(tree))

