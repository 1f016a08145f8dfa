"""The builder of vector and trace files (DESIGN §6): every generator writes its files with it.

Each test is run through the reference handler of its op as it is added, so a generator cannot write a vector
the reference disagrees with:

* ``valid``: the output written is the reference's (and must equal the known answer, when one is given);
* ``invalid``: the reference must fail with exactly the stated code;
* ``trace``: each step is written with the outcome it is meant to have (``None`` or an error code) and the flag
  that explains it; the reference runs the whole trace, every step must end that way, and the reference's
  answer for the step (the state root of a valid step) becomes its expectation. A trace is flagged with the
  flags of its failing steps, or of all its steps when none fails.

A file holds operation vectors or traces, not both. Tests are numbered in the order they are added, flags are
written in the order given, and ``notes`` holds exactly the flags the file uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from .. import SPEC_VERSION
from ..spec.errors import MedshareError
from .registry import load_ops
from .vectorfile import TRACES, VECTORS

Handler = Callable[[dict[str, Any]], dict[str, Any]]
Notes = dict[str, dict[str, str]]
#: One trace step: (action, args, the error code it must fail with or None when it must be accepted, its flag).
Step = tuple[str, dict[str, Any], str | None, str]


def note(bug_type: str, description: str, spec_ref: str) -> dict[str, str]:
    """The note explaining a flag: the kind of bug a failing test reveals, what the tests check, the spec part."""
    return {"bugType": bug_type, "description": description, "specRef": spec_ref}


@cache
def _reference_ops() -> dict[str, Handler]:
    return load_ops()


class VectorFileBuilder:
    """One file for ``op`` (``<component>.<operation>``), checked against ``handler`` (default: the reference
    adapter's handler of ``op``)."""

    def __init__(self, op: str, notes: Notes, handler: Handler | None = None, header: str = "") -> None:
        self.op = op
        self.component, self.operation = op.rsplit(".", 1)
        self.handler = handler if handler is not None else _reference_ops()[op]
        self.all_notes = notes
        self.header = header
        self.schema: str | None = None
        self.groups: list[dict[str, Any]] = []
        self.used: set[str] = set()
        self.next_id = 1

    def group(self, params: dict[str, Any] | None = None) -> VectorFileBuilder:
        """Start a test group; its ``params`` are merged under each test's input when the test runs."""
        self.groups.append({"params": params or {}, "tests": []})
        return self

    def _params(self) -> dict[str, Any]:
        """The params of the current group (a first group without params if none was started)."""
        if not self.groups:
            self.group()
        return self.groups[-1]["params"]

    def _add(self, schema: str, test: dict[str, Any], noted: Iterable[str] = ()) -> None:
        """Append ``test``; its flags and the ``noted`` ones (flags of trace steps) are kept in ``notes``."""
        if self.schema not in (None, schema):
            raise ValueError(f"{self.op}: a file holds operation vectors or traces, not both")
        self.schema = schema
        flags = {*test["flags"], *noted}
        unknown = sorted(flags - set(self.all_notes))
        if unknown:
            raise KeyError(f"{self.op}: flags without a note: {unknown}")
        self.used |= flags
        self.groups[-1]["tests"].append({"tcId": self.next_id, **test})
        self.next_id += 1

    def valid(self, comment: str, inp: dict[str, Any], output: dict[str, Any] | None = None,
              flags: Iterable[str] = ()) -> dict[str, Any]:
        """A test the reference accepts; ``output`` (a known answer) must equal what the reference returns."""
        got = self.handler({**self._params(), **inp})
        if output is not None and got != output:
            raise AssertionError(f"{self.op} ({comment}): reference gives {got}, known answer {output}")
        self._add(VECTORS, {"comment": comment, "input": inp, "result": "valid", "output": got,
                            "flags": list(flags)})
        return got

    def invalid(self, comment: str, inp: dict[str, Any], error: str, flags: Iterable[str]) -> None:
        """A test the reference must reject with exactly ``error``; it needs a flag."""
        try:
            got = self.handler({**self._params(), **inp})
        except MedshareError as e:
            if e.code != error:
                raise AssertionError(f"{self.op} ({comment}): reference fails with {e.code}, expected {error}") from None
        else:
            raise AssertionError(f"{self.op} ({comment}): reference accepts (output {got}), expected {error}")
        flags = list(flags)
        if not flags:
            raise ValueError(f"{self.op} ({comment}): an invalid test needs a flag")
        self._add(VECTORS, {"comment": comment, "input": inp, "result": "invalid", "error": error, "flags": flags})

    def trace(self, comment: str, initial: dict[str, Any], steps: Iterable[Step], origin: str = "hand-written") -> None:
        """A trace of ``steps`` from the state ``initial``."""
        steps = list(steps)
        request = [{"action": action, "args": args} for action, args, _, _ in steps]
        got = self.handler({**self._params(), "initial": initial, "steps": request})["steps"]
        for i, ((_, _, error, _), answer) in enumerate(zip(steps, got, strict=True)):
            wanted = {"result": "valid"} if error is None else {"result": "invalid", "error": error}
            if {k: answer.get(k) for k in wanted} != wanted:
                raise AssertionError(f"{self.op} ({comment}) step {i}: reference gives {answer}, expected {wanted}")
        failing = {flag for _, _, error, flag in steps if error is not None}
        every = {flag for _, _, _, flag in steps}
        self._add(TRACES, {"comment": comment, "origin": origin, "initial": initial,
                           "steps": [{**r, "expect": answer} for r, answer in zip(request, got)],
                           "flags": sorted(failing or every)}, every)

    def build(self) -> dict[str, Any]:
        groups = [g for g in self.groups if g["tests"]]
        doc: dict[str, Any] = {
            "schema": self.schema or VECTORS,
            "specVersion": SPEC_VERSION,
            "component": self.component,
            "operation": self.operation,
            "numberOfTests": sum(len(g["tests"]) for g in groups),
            "notes": {f: self.all_notes[f] for f in sorted(self.used)},
            "testGroups": groups,
        }
        if self.header:
            doc["header"] = self.header
        return doc
