"""A helper for generators: builds one vector file and checks every test against the reference handler.

Each ``valid`` test's output is computed by the reference handler (and compared with a known answer when one is
given); each ``invalid`` test must make the handler fail with exactly the stated code. So a generator cannot
write a vector the reference disagrees with, and the notes hold exactly the flags the file uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .. import SPEC_VERSION
from ..spec.errors import MedshareError

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class VectorFileBuilder:
    """One ``medshare/v1/vectors`` file for ``op`` (``<component>.<operation>``)."""

    def __init__(self, op: str, handler: Handler, notes: dict[str, dict[str, str]], header: str = "") -> None:
        self.component, self.operation = op.rsplit(".", 1)
        self.handler = handler
        self.all_notes = notes
        self.header = header
        self.groups: list[dict[str, Any]] = []
        self.next_id = 1

    def group(self, params: dict[str, Any] | None = None) -> VectorFileBuilder:
        """Start a test group; its ``params`` are merged under each test's input when the test runs."""
        self.groups.append({"params": params or {}, "tests": []})
        return self

    def _input(self, inp: dict[str, Any]) -> dict[str, Any]:
        if not self.groups:
            self.group()
        return {**self.groups[-1]["params"], **inp}

    def _add(self, test: dict[str, Any]) -> None:
        unknown = [f for f in test["flags"] if f not in self.all_notes]
        if unknown:
            raise KeyError(f"{self.component}.{self.operation}: flags without a note: {unknown}")
        test["tcId"] = self.next_id
        self.next_id += 1
        self.groups[-1]["tests"].append(test)

    def valid(self, comment: str, inp: dict[str, Any], output: dict[str, Any] | None = None,
              flags: Iterable[str] = ()) -> dict[str, Any]:
        """A test the reference accepts; ``output`` (a known answer) must equal what the reference returns."""
        got = self.handler(self._input(inp))
        if output is not None and got != output:
            raise AssertionError(f"{self.component}.{self.operation} ({comment}): reference gives {got}, "
                                 f"known answer {output}")
        self._add({"comment": comment, "input": inp, "result": "valid", "output": got, "flags": sorted(flags)})
        return got

    def invalid(self, comment: str, inp: dict[str, Any], error: str, flags: Iterable[str]) -> None:
        """A test the reference must reject with exactly ``error``."""
        try:
            got = self.handler(self._input(inp))
        except MedshareError as e:
            if e.code != error:
                raise AssertionError(f"{self.component}.{self.operation} ({comment}): reference fails with "
                                     f"{e.code}, expected {error}") from None
        else:
            raise AssertionError(f"{self.component}.{self.operation} ({comment}): reference accepts "
                                 f"(output {got}), expected {error}")
        flags = sorted(flags)
        if not flags:
            raise ValueError("an invalid test needs a flag")
        self._add({"comment": comment, "input": inp, "result": "invalid", "error": error, "flags": flags})

    def build(self) -> dict[str, Any]:
        groups = [g for g in self.groups if g["tests"]]
        used = sorted({f for g in groups for t in g["tests"] for f in t["flags"]})
        doc: dict[str, Any] = {
            "schema": "medshare/v1/vectors",
            "specVersion": SPEC_VERSION,
            "component": self.component,
            "operation": self.operation,
            "numberOfTests": sum(len(g["tests"]) for g in groups),
            "notes": {f: self.all_notes[f] for f in used},
            "testGroups": groups,
        }
        if self.header:
            doc["header"] = self.header
        return doc
