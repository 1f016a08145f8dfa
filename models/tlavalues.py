"""TLA+ values in Python: parsing TLC's state printouts and the ITF JSON encoding (bridge.md).

TLC prints values as TLA+ expressions. They become immutable, hashable Python values, so sets of records
work and two states compare with ``==``:

=====================  ==============================  ===================================
TLA+ (as TLC prints)   Python                          ITF JSON
=====================  ==============================  ===================================
``TRUE``, ``17``       ``bool``, ``int``               ``true``, ``17`` / ``{"#bigint": "…"}``
``"text"``             ``str``                         ``"text"``
model value ``r1``     :class:`ModelValue` (a ``str``) ``"r1"``
``{a, b}``, ``1..3``   ``frozenset``                   ``{"#set": [...]}``
``<<a, b>>``           ``tuple``                       ``[...]``
``[f |-> v]``          :class:`Record`                 ``{"f": ...}``
``(k :> v @@ …)``      :class:`Function`               ``{"#map": [[k, v], ...]}``
Quint ``Tag(v)``       :class:`Variant`                ``{"tag": "Tag", "value": ...}``
=====================  ==============================  ===================================

A sequence is a function on ``1..n``; TLC prints one as ``<<…>>`` and so does this module. ``{"#tup": [...]}``
decodes to a tuple too. Values come from files a user hands in, so reading is bounded: nesting depth, integer
digits and interval sizes have limits (``TRACE_TOO_LARGE``), and nothing else escapes as a Python exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..spec.errors import fail

SAFE_INT = 2**53
#: what a trace may hold: JSON or TLA+ nesting, the digits of an integer, the members of an interval a..b
MAX_DEPTH = 64
MAX_DIGITS = 64
MAX_INTERVAL = 4096


class ModelValue(str):
    """A TLC model value (an uninterpreted constant such as ``r1``); equal to the string of its name."""

    def __repr__(self) -> str:
        return f"ModelValue({str(self)!r})"


class _Frozen(Mapping[Any, Any]):
    """An immutable, hashable mapping."""

    __slots__ = ("_d", "_h")

    def __init__(self, items: Any = ()) -> None:
        self._d: dict[Any, Any] = dict(items)
        self._h: int | None = None

    def __getitem__(self, key: Any) -> Any:
        return self._d[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __hash__(self) -> int:
        if self._h is None:
            self._h = hash((type(self).__name__, frozenset(self._d.items())))
        return self._h

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._d == other._d  # type: ignore[attr-defined]

    def set(self, key: Any, value: Any) -> Any:
        """A copy with ``key`` mapped to ``value`` (TLA+ ``EXCEPT``)."""
        d = dict(self._d)
        d[key] = value
        return type(self)(d)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._d!r})"


class Record(_Frozen):
    """A TLA+ record ``[field |-> value, …]`` (a function on strings)."""


class Function(_Frozen):
    """A TLA+ function printed as ``(k1 :> v1 @@ k2 :> v2)``."""


class Variant:
    """A value of a Quint sum type (Apalache's variants): ``Tag(value)``, in ITF ``{"tag": …, "value": …}``."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Variant) and (self.tag, self.value) == (other.tag, other.value)

    def __hash__(self) -> int:
        return hash(("Variant", self.tag, self.value))

    def __repr__(self) -> str:
        return f"Variant({self.tag!r}, {self.value!r})"


# ---- parsing TLC's printout ----

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<num>-?\d+)
  | (?P<op><<|>>|\|->|:>|@@|\.\.|/\\|[{}\[\](),=])
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            break
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group()))
    if pos != len(text):
        fail("TLC_FAILED", f"cannot parse TLC value near {text[pos:pos + 40]!r}")
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def take(self, expect: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.toks):
            fail("TLC_FAILED", "TLC value ends early")
        tok = self.toks[self.i]
        if expect is not None and tok[1] != expect:
            fail("TLC_FAILED", f"expected {expect!r} in TLC value, found {tok[1]!r}")
        self.i += 1
        return tok

    def items(self, close: str) -> list[Any]:
        out: list[Any] = []
        if self.peek() == close:
            self.take()
            return out
        while True:
            out.append(self.value())
            tok = self.take()[1]
            if tok == close:
                return out
            if tok != ",":
                fail("TLC_FAILED", f"expected ',' or {close!r} in TLC value, found {tok!r}")

    def value(self) -> Any:
        v = self.atom()
        if self.peek() == ":>":  # an unparenthesised function k :> v @@ …
            return self.function_from(v)
        return v

    def function_from(self, first_key: Any) -> Function:
        pairs = []
        key = first_key
        while True:
            self.take(":>")
            pairs.append((key, self.atom()))
            if self.peek() != "@@":
                return Function(pairs)
            self.take("@@")
            key = self.atom()

    def atom(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            fail("TRACE_TOO_LARGE", f"a TLA+ value nests deeper than {MAX_DEPTH} levels")
        try:
            return self._atom()
        finally:
            self.depth -= 1

    def _atom(self) -> Any:
        kind, tok = self.take()
        if tok == "{":
            return frozenset(self.items("}"))
        if tok == "<<":
            return tuple(self.items(">>"))
        if tok == "[":
            fields: list[tuple[str, Any]] = []
            if self.peek() == "]":
                self.take()
                return Record()
            while True:
                name = self.take()[1]
                self.take("|->")
                fields.append((name, self.value()))
                sep = self.take()[1]
                if sep == "]":
                    return Record(fields)
                if sep != ",":
                    fail("TLC_FAILED", f"expected ',' or ']' in a TLC record, found {sep!r}")
        if tok == "(":
            inner = self.value()
            self.take(")")
            return inner
        if kind == "num":
            n = _num(tok)
            if self.peek() == "..":
                self.take()
                hi = _num(self.take()[1])
                if hi - n >= MAX_INTERVAL:
                    fail("TRACE_TOO_LARGE", f"the interval {n}..{hi} has more than {MAX_INTERVAL} elements")
                return frozenset(range(n, hi + 1))
            return n
        if kind == "str":
            return json.loads(tok)
        if tok == "TRUE":
            return True
        if tok == "FALSE":
            return False
        if kind == "id":
            return ModelValue(tok)
        fail("TLC_FAILED", f"unexpected token {tok!r} in TLC value")

    def done(self) -> bool:
        return self.i >= len(self.toks)


def _num(tok: str) -> int:
    if not re.fullmatch(r"-?\d+", tok):
        fail("TLC_FAILED", f"expected a number in TLC value, found {tok[:40]!r}")
    if len(tok.lstrip("-")) > MAX_DIGITS:
        fail("TRACE_TOO_LARGE", f"a number has more than {MAX_DIGITS} digits")
    return int(tok)


def parse_value(text: str) -> Any:
    """One TLA+ value as TLC prints it."""
    p = _Parser(text)
    v = p.value()
    if not p.done():
        fail("TLC_FAILED", f"trailing text after TLC value: {p.peek()!r}")
    return v


def parse_state(text: str) -> dict[str, Any]:
    """A state as TLC prints it: ``/\\ x = v`` conjuncts (or one ``x = v``) -> {variable: value}."""
    p = _Parser(text)
    state: dict[str, Any] = {}
    while not p.done():
        if p.peek() == "/\\":
            p.take()
        kind, name = p.take()
        if kind != "id":
            fail("TLC_FAILED", f"expected a variable name in a TLC state, found {name!r}")
        p.take("=")
        state[name] = p.value()
    return state


# ---- TLA+ text ----

def to_tla(v: Any) -> str:
    """A Python TLA+ value as a TLA+ expression, as TLC prints it (sets in canonical order)."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, ModelValue):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (frozenset, set)):
        return "{" + ", ".join(sorted((to_tla(x) for x in v), key=lambda t: (len(t), t))) + "}"
    if isinstance(v, (tuple, list)):
        return "<<" + ", ".join(to_tla(x) for x in v) + ">>"
    if isinstance(v, Record):
        return "[" + ", ".join(f"{k} |-> {to_tla(x)}" for k, x in v.items()) + "]"
    if isinstance(v, Function):
        if not v:
            return "<<>>"
        return "(" + " @@ ".join(f"{to_tla(k)} :> {to_tla(x)}" for k, x in v.items()) + ")"
    if isinstance(v, Variant):
        return f"{v.tag}({to_tla(v.value)})"
    fail("TRACE_MALFORMED", f"no TLA+ text for a {type(v).__name__}")


def model_values(v: Any, out: set[str] | None = None) -> set[str]:
    """The model values that occur in ``v``."""
    out = set() if out is None else out
    if isinstance(v, ModelValue):
        out.add(str(v))
    elif isinstance(v, (frozenset, set, tuple, list)):
        for x in v:
            model_values(x, out)
    elif isinstance(v, _Frozen):
        for k, x in v.items():
            model_values(k, out)
            model_values(x, out)
    return out


# ---- ITF ----

def to_itf(v: Any) -> Any:
    """A Python TLA+ value in the ITF JSON encoding (sets and maps sorted, so equal values encode equally)."""
    if isinstance(v, (bool, str)):
        return str(v) if isinstance(v, ModelValue) else v
    if isinstance(v, int):
        return v if -SAFE_INT < v < SAFE_INT else {"#bigint": str(v)}
    if isinstance(v, (frozenset, set)):
        return {"#set": sorted((to_itf(x) for x in v), key=_sort_key)}
    if isinstance(v, (tuple, list)):
        return [to_itf(x) for x in v]
    if isinstance(v, Record):
        return {str(k): to_itf(x) for k, x in sorted(v.items())}
    if isinstance(v, Function):
        pairs = [[to_itf(k), to_itf(x)] for k, x in v.items()]
        return {"#map": sorted(pairs, key=_sort_key)}
    if isinstance(v, Variant):
        return {"tag": v.tag, "value": to_itf(v.value)}
    fail("TRACE_MALFORMED", f"no ITF encoding for a {type(v).__name__}")


def _sort_key(x: Any) -> str:
    return json.dumps(x, sort_keys=True)


def from_itf(j: Any, depth: int = 0) -> Any:
    """An ITF JSON value as a Python TLA+ value (the inverse of :func:`to_itf`, model values as ``str``), as
    Apalache and Quint write them: ``#set``, ``#map``, ``#tup``, ``#bigint``, ``#unserializable``, records, arrays
    (sequences, Quint lists) and sum types ``{"tag": …, "value": …}`` (:class:`Variant`). Nesting deeper than
    :data:`MAX_DEPTH` or an integer longer than :data:`MAX_DIGITS` digits is ``TRACE_TOO_LARGE``; anything
    else that is not ITF is ``TRACE_MALFORMED``."""
    if depth > MAX_DEPTH:
        fail("TRACE_TOO_LARGE", f"an ITF value nests deeper than {MAX_DEPTH} levels")
    if isinstance(j, (bool, str)):
        return j
    if isinstance(j, int):
        if j.bit_length() > 213:  # 64 decimal digits
            fail("TRACE_TOO_LARGE", f"an integer has more than {MAX_DIGITS} digits")
        return j
    d = depth + 1
    if isinstance(j, list):
        return tuple(from_itf(x, d) for x in j)
    if isinstance(j, dict):
        if len(j) == 1:
            (tag, body), = j.items()
            if tag == "#set":
                return frozenset(from_itf(x, d) for x in _list(body))
            if tag == "#map":
                pairs = _list(body)
                if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                    fail("TRACE_MALFORMED", "#map entries must be [key, value] pairs")
                return Function((from_itf(k, d), from_itf(v, d)) for k, v in pairs)
            if tag == "#tup":
                return tuple(from_itf(x, d) for x in _list(body))
            if tag == "#bigint":
                return _bigint(body)
            if tag == "#unserializable":
                return str(body)[:200]
        if set(j) == {"tag", "value"} and isinstance(j["tag"], str):
            return Variant(j["tag"], from_itf(j["value"], d))
        if any(k.startswith("#") for k in j):
            fail("TRACE_MALFORMED", f"unknown ITF tag in {sorted(j)[:8]}"[:200])
        return Record((k, from_itf(v, d)) for k, v in j.items())
    fail("TRACE_MALFORMED", f"not an ITF value: {j!r}"[:200])


def _bigint(s: Any) -> int:
    if not isinstance(s, str) or not re.fullmatch(r"-?\d+", s):
        fail("TRACE_MALFORMED", f"bad #bigint {s!r}"[:200])
    if len(s.lstrip("-")) > MAX_DIGITS:
        fail("TRACE_TOO_LARGE", f"a #bigint has {len(s.lstrip('-'))} digits, beyond {MAX_DIGITS}")
    return int(s)


def _list(x: Any) -> list[Any]:
    if not isinstance(x, list):
        fail("TRACE_MALFORMED", "an ITF #set/#map/#tup holds a JSON array")
    return x


def normal(v: Any) -> Any:
    """``v`` with TLA+'s equalities made syntactic: a function on 1..n is the sequence of its values (TLC prints
    it as one; Quint writes a map), the empty function is the empty sequence."""
    if isinstance(v, Function):
        keys = list(v)
        if all(isinstance(k, int) and not isinstance(k, bool) for k in keys) and sorted(keys) == list(
                range(1, len(keys) + 1)):
            return tuple(normal(v[i]) for i in range(1, len(keys) + 1))
        return Function((normal(k), normal(x)) for k, x in v.items())
    if isinstance(v, Record):
        return Record((k, normal(x)) for k, x in v.items())
    if isinstance(v, (tuple, list)):
        return tuple(normal(x) for x in v)
    if isinstance(v, frozenset):
        return frozenset(normal(x) for x in v)
    if isinstance(v, Variant):
        return Variant(v.tag, normal(v.value))
    return v


def canonical(v: Any) -> str:
    """A canonical text of a value, for comparing states and printing differences (after :func:`normal`)."""
    return json.dumps(to_itf(normal(v)), sort_keys=True, separators=(",", ":"))
