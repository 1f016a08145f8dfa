"""A vector-file builder for the identity generators (cbs, ibe): every test is run against the reference handler
while it is written, so a generator cannot emit a vector the reference disagrees with.

As in DESIGN §6 a group's ``params`` are merged under each test's ``input`` when the test runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import SPEC_VERSION
from ...spec.errors import MedshareError

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class CheckedVectors:
    def __init__(self, op: str, handler: Handler, notes: dict[str, dict[str, str]]) -> None:
        self.component, self.operation = op.rsplit(".", 1)
        self.handler, self.notes = handler, notes
        self.groups: list[dict[str, Any]] = []

    def group(self, params: dict[str, Any]) -> None:
        self.groups.append({"params": params, "tests": []})

    def _run(self, inp: dict[str, Any]) -> dict[str, Any]:
        return self.handler({**self.groups[-1]["params"], **inp})

    def _add(self, test: dict[str, Any]) -> None:
        missing = [f for f in test["flags"] if f not in self.notes]
        if missing:
            raise KeyError(f"flags without a note: {missing}")
        test["tcId"] = 1 + sum(len(g["tests"]) for g in self.groups)
        self.groups[-1]["tests"].append(test)

    def valid(self, comment: str, inp: dict[str, Any], flags: list[str]) -> None:
        self._add({"comment": comment, "input": inp, "result": "valid", "output": self._run(inp),
                   "flags": sorted(flags)})

    def invalid(self, comment: str, inp: dict[str, Any], error: str, flags: list[str]) -> None:
        try:
            got = self._run(inp)
        except MedshareError as e:
            if e.code != error:
                raise AssertionError(f"{self.operation} ({comment}): reference fails {e.code}, not {error}") from None
        else:
            raise AssertionError(f"{self.operation} ({comment}): reference accepts with {got}, expected {error}")
        if not flags:
            raise ValueError("an invalid test needs a flag")
        self._add({"comment": comment, "input": inp, "result": "invalid", "error": error, "flags": sorted(flags)})

    def build(self) -> dict[str, Any]:
        groups = [g for g in self.groups if g["tests"]]
        used = sorted({f for g in groups for t in g["tests"] for f in t["flags"]})
        return {"schema": "medshare/v1/vectors", "specVersion": SPEC_VERSION, "component": self.component,
                "operation": self.operation, "numberOfTests": sum(len(g["tests"]) for g in groups),
                "notes": {f: self.notes[f] for f in used}, "testGroups": groups}
