"""The reference adapter: ``python -m medshare.conformance.adapter [--mutant NAME]`` (docs/design.md §6).

Speaks the adapter protocol on stdin/stdout, one JSON object per line:

* ``{"id": 1, "op": "group.g1.decode", "input": {…}}`` -> ``{"id": 1, "ok": true, "output": {…}}`` or
  ``{"id": 1, "ok": false, "error": "CODE"}`` (the ``MedshareError`` code);
* ``{"id": 0, "op": "hello"}`` -> ``{"id": 0, "ok": true, "output": {"ops": [...], "specVersion": …,
  "implementation": …, "version": …}}``: the ops it serves and the spec version it implements (the runner refuses
  a version it does not know).

Handlers come from ``registry.load_ops()``; ``--mutant NAME`` replaces some of them by a mutant's overrides.
An unknown op answers ``UNSUPPORTED_OP``; an ``input`` that is not an object, ``BAD_JSON``; any exception that
is not a ``MedshareError`` answers ``INTERNAL`` with the exception's type and place, never its text (a bug in
the implementation, counted as a failure by the runner).

Requests are read as bytes: a line longer than :data:`MAX_REQUEST_BYTES` is skipped to its end unread and
answered ``INPUT_TOO_LARGE``; a line is parsed by spec/jsonio.py (bounded size, nesting and numbers: a bound
answers ``INPUT_TOO_LARGE``); a line that is not a JSON object with a string ``op`` answers
``ADAPTER_PROTOCOL``. Those replies carry ``"id": null``. No input ends the adapter but the end of stdin.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

from .. import SPEC_VERSION, __version__
from ..spec import jsonio
from ..spec.errors import MedshareError, internal
from . import registry
from .registry import Handler

#: the longest request line read (bytes, newline included)
MAX_REQUEST_BYTES = jsonio.MAX_JSON_BYTES


def load_handlers(mutant: str | None = None) -> dict[str, Handler]:
    ops = registry.load_ops()
    if mutant:
        mutants = registry.load_mutants()
        if mutant not in mutants:
            raise SystemExit(f"unknown mutant {mutant!r}; known: {', '.join(sorted(mutants))}")
        ops.update(mutants[mutant]["overrides"])
    return ops


def answer(ops: dict[str, Handler], request: Any, name: str) -> dict[str, Any]:
    """The protocol reply to one decoded request."""
    if not isinstance(request, dict) or not isinstance(request.get("op"), str):
        return {"id": request.get("id") if isinstance(request, dict) else None, "ok": False,
                "error": "ADAPTER_PROTOCOL"}
    rid, op = request.get("id"), request["op"]
    if op == "hello":
        return {"id": rid, "ok": True, "output": {"ops": sorted(ops), "implementation": name,
                                                  "version": __version__, "specVersion": SPEC_VERSION}}
    handler = ops.get(op)
    if handler is None:
        return {"id": rid, "ok": False, "error": "UNSUPPORTED_OP"}
    inp = request.get("input", {})
    if not isinstance(inp, dict):
        return {"id": rid, "ok": False, "error": "BAD_JSON"}
    try:
        output = handler(inp)
    except MedshareError as e:
        return {"id": rid, "ok": False, "error": e.code}
    except Exception as e:  # noqa: BLE001 - a bug, not a typed rejection: reported as such, without its text
        return {"id": rid, "ok": False, "error": "INTERNAL", "message": internal(e).message}
    return {"id": rid, "ok": True, "output": output}


def read_lines(stream: BinaryIO, limit: int = MAX_REQUEST_BYTES) -> Iterator[bytes | None]:
    """The lines of ``stream``, each at most ``limit`` bytes; a longer line is read to its end in small pieces,
    dropped, and yielded as ``None``."""
    while True:
        line = stream.readline(limit)
        if not line:
            return
        if len(line) == limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 16)
            yield None
            continue
        yield line


def reply_to(ops: dict[str, Handler], line: bytes | None, name: str) -> dict[str, Any]:
    """The reply to one raw request line (``None``: a line over the limit)."""
    if line is None:
        return {"id": None, "ok": False, "error": "INPUT_TOO_LARGE"}
    try:
        request = jsonio.loads(line, what="request")
    except MedshareError as e:
        return {"id": None, "ok": False, "error": "INPUT_TOO_LARGE" if e.code == "INPUT_TOO_LARGE" else
                "ADAPTER_PROTOCOL"}
    return answer(ops, request, name)


def serve(ops: dict[str, Handler], stdin: BinaryIO, stdout: BinaryIO, name: str) -> None:
    for line in read_lines(stdin):
        if line is not None and not line.strip():
            continue
        reply = reply_to(ops, line, name)
        try:
            text = json.dumps(reply, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as e:  # a handler returned something JSON cannot hold: a bug
            text = json.dumps({"id": reply.get("id"), "ok": False, "error": "INTERNAL",
                               "message": internal(e).message}, separators=(",", ":"))
        stdout.write(text.encode() + b"\n")
        stdout.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m medshare.conformance.adapter", description=__doc__.split("\n")[0])
    parser.add_argument("--mutant", help="apply this mutant's overrides (conformance/mutants/)")
    args = parser.parse_args(argv)
    ops = load_handlers(args.mutant)
    name = f"medshare-reference+{args.mutant}" if args.mutant else "medshare-reference"
    serve(ops, sys.stdin.buffer, sys.stdout.buffer, name)


if __name__ == "__main__":
    main()
