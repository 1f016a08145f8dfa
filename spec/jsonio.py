"""Bounded JSON text: the one parser every JSON reader of medshare goes through (spec/errors.md, "Bounds").

:func:`loads` parses JSON text (a ``str``, or ``bytes`` in UTF-8) under bounds that are checked before the
text reaches Python's parser or while it runs, so no input can exhaust memory, the stack or the CPU:

* size: at most ``max_bytes`` bytes of UTF-8 (default :data:`MAX_JSON_BYTES`);
* nesting: at most ``max_depth`` arrays and objects inside one another (default :data:`MAX_JSON_DEPTH`),
  counted by a linear scan before parsing, so deep nesting never reaches a recursive parser;
* numbers: at most :data:`MAX_NUMBER_CHARS` characters per number literal, and finite (``NaN``,
  ``Infinity`` and literals beyond the double range are refused);
* strings: no lone surrogate (``"\\ud800"`` parses in Python but has no UTF-8 form);
* objects: no key twice (two readers could otherwise disagree on which value counts).

An exceeded bound fails ``INPUT_TOO_LARGE``; anything else that is not JSON fails ``BAD_JSON``. A reader
whose format has its own code (vector files: ``VECTOR_SCHEMA_INVALID``) passes it as ``code``, and every
failure then has that code. Messages give positions and limits, never content.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any, NoReturn

from .errors import fail

#: the largest JSON text, in bytes of UTF-8
MAX_JSON_BYTES = 16 << 20
#: the deepest nesting of arrays and objects
MAX_JSON_DEPTH = 64
#: the longest number literal, in characters (2^256 has 78 digits; JSON integers in medshare are below 2^64)
MAX_NUMBER_CHARS = 100

# A JSON string, or an unterminated one up to the end of the text: every match starts at a quote the scanner
# has not consumed and never fails, so the scan is linear whatever the input.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_MAYBE_SURROGATE = re.compile(r"[\ud800-\udfff]|\\u[dD][89a-fA-F]")


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` outside strings (exact for the prefix a JSON
    parser accepts), in linear time and without recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(itertools.accumulate(map(_DELTA.__getitem__, brackets)), default=0)


def loads(data: str | bytes, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH,
          code: str | None = None, what: str = "JSON text") -> Any:
    """Parse ``data`` within the bounds above; ``code`` (if given) replaces both failure codes."""

    def refuse(default: str, message: str) -> NoReturn:
        fail(code or default, f"{what}: {message}")

    if isinstance(data, (bytes, bytearray)):
        if len(data) > max_bytes:
            refuse("INPUT_TOO_LARGE", f"{len(data)} bytes, more than {max_bytes}")
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            refuse("BAD_JSON", f"not UTF-8 (byte {e.start})")
    elif isinstance(data, str):
        text = data
        if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            refuse("INPUT_TOO_LARGE", f"more than {max_bytes} bytes")
    else:
        refuse("BAD_JSON", f"expected text, got {type(data).__name__}")
    depth = nesting_depth(text)
    if depth > max_depth:
        refuse("INPUT_TOO_LARGE", f"arrays and objects nested {depth} deep, more than {max_depth}")

    def number(literal: str, convert: type[int] | type[float]) -> int | float:
        if len(literal) > MAX_NUMBER_CHARS:
            refuse("INPUT_TOO_LARGE", f"a number of {len(literal)} characters, more than {MAX_NUMBER_CHARS}")
        value = convert(literal)
        if isinstance(value, float) and not math.isfinite(value):
            refuse("BAD_JSON", "a number beyond the range of a double")
        return value

    def constant(name: str) -> NoReturn:
        refuse("BAD_JSON", f"{name} is not JSON")

    def obj(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            refuse("BAD_JSON", "an object has a key twice")
        return out

    try:
        value = json.loads(text, object_pairs_hook=obj, parse_constant=constant,
                           parse_int=lambda s: number(s, int), parse_float=lambda s: number(s, float))
    except json.JSONDecodeError as e:
        refuse("BAD_JSON", f"{e.msg} (line {e.lineno}, column {e.colno})")
    if _MAYBE_SURROGATE.search(text) and not _encodable(value):
        refuse("BAD_JSON", "a string holds a lone surrogate (it has no UTF-8 form)")
    return value


def _encodable(value: Any) -> bool:
    """Every string (and key) in ``value`` has a UTF-8 form; iterative (the depth is bounded anyway)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True
