"""The reference adapter: ``python -m medshare.conformance.adapter [--mutant NAME]`` (docs/design.md §6).

Speaks the adapter protocol on stdin/stdout, one JSON object per line:

* ``{"id": 1, "op": "group.g1.decode", "input": {…}}`` -> ``{"id": 1, "ok": true, "output": {…}}`` or
  ``{"id": 1, "ok": false, "error": "CODE"}`` (the ``MedshareError`` code);
* ``{"id": 0, "op": "hello"}`` -> ``{"id": 0, "ok": true, "output": {"ops": [...], "implementation": …}}``.

Handlers come from ``registry.load_ops()``; ``--mutant NAME`` replaces some of them by a mutant's overrides.
An unknown op answers ``UNSUPPORTED_OP``; any exception that is not a ``MedshareError`` answers ``INTERNAL``
(a bug in the implementation, counted as a failure by the runner).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from .. import SPEC_VERSION, __version__
from ..spec.errors import MedshareError
from . import registry
from .registry import Handler


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
    try:
        output = handler(request.get("input", {}))
    except MedshareError as e:
        return {"id": rid, "ok": False, "error": e.code}
    except Exception as e:  # noqa: BLE001 - a bug, not a typed rejection: reported as such
        return {"id": rid, "ok": False, "error": "INTERNAL", "message": f"{type(e).__name__}: {e}"}
    return {"id": rid, "ok": True, "output": output}


def serve(ops: dict[str, Handler], stdin: TextIO, stdout: TextIO, name: str) -> None:
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            request = None
        stdout.write(json.dumps(answer(ops, request, name), separators=(",", ":")) + "\n")
        stdout.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m medshare.conformance.adapter", description=__doc__.split("\n")[0])
    parser.add_argument("--mutant", help="apply this mutant's overrides (conformance/mutants/)")
    args = parser.parse_args(argv)
    ops = load_handlers(args.mutant)
    name = f"medshare-reference+{args.mutant}" if args.mutant else "medshare-reference"
    serve(ops, sys.stdin, sys.stdout, name)


if __name__ == "__main__":
    main()
