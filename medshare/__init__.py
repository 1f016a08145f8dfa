"""medshare: a formal-spec-driven reference for dual-blockchain sharing of Medical-IoT data.

The import package maps the repository's top-level folders: ``medshare.spec`` (the executable specification,
the oracle), ``medshare.reference`` (the running system), ``medshare.models`` (TLA+ models and the TLC bridge)
and ``medshare.conformance`` (vectors, runner, adapters, mutants).

The package's own modules are its face: ``medshare.cli`` (the ``medshare`` command), ``medshare.verify`` (the
main job) and ``medshare.modelcheck`` (``medshare check``), the only modules that import every room. The rooms
reach the running system through ``medshare.reference.testbed`` alone; ``conformance`` and ``models`` never
import each other, and nothing imports the face (tests/unit/test_import_rule.py). This module holds the version
strings and imports nothing, so every room may read them.
"""

__version__ = "0.1.0"
SPEC_VERSION = "medshare-spec-0.1"
