"""Discovery of conformance operations, vector generators and mutants (conformance/README.md).

Each component contributes modules, found by walking the packages, so components never edit a shared list:

* ``conformance/ops/<component>.py`` defines ``OPS: dict[str, Callable[[dict], dict]]``, op name -> handler.
  A handler takes the JSON ``input`` of a test and returns the JSON ``output``, or raises ``MedshareError``.
* ``conformance/generators/<component>.py`` defines ``generate() -> list[dict]``: complete vector files
  (docs/design.md §6), deterministic (seeded RNG only).
* ``conformance/mutants/<name>.py`` defines ``MUTANT: dict`` with ``name``, ``description``, ``bugType`` and
  ``overrides: dict[str, handler]`` replacing reference handlers.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def _modules(package: str) -> list[ModuleType]:
    pkg = importlib.import_module(package)
    return [importlib.import_module(f"{package}.{m.name}") for m in sorted(pkgutil.iter_modules(pkg.__path__),
                                                                           key=lambda m: m.name)
            if not m.name.startswith("_")]


def load_ops() -> dict[str, Handler]:
    ops: dict[str, Handler] = {}
    for module in _modules("medshare.conformance.ops"):
        for name, fn in getattr(module, "OPS", {}).items():
            if name in ops:
                raise RuntimeError(f"conformance op {name} defined twice")
            ops[name] = fn
    return ops


def load_generators() -> dict[str, Callable[[], list[dict[str, Any]]]]:
    return {m.__name__.rsplit(".", 1)[1]: m.generate for m in _modules("medshare.conformance.generators")
            if hasattr(m, "generate")}


def load_mutants() -> dict[str, dict[str, Any]]:
    return {m.MUTANT["name"]: m.MUTANT for m in _modules("medshare.conformance.mutants") if hasattr(m, "MUTANT")}
