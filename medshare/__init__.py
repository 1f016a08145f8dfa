"""medshare: a formal-spec-driven reference for dual-blockchain sharing of Medical-IoT data.

The import package maps the repository's top-level folders: ``medshare.spec`` (the executable specification,
the oracle), ``medshare.reference`` (the running system), ``medshare.models`` (TLA+ models and the TLC bridge)
and ``medshare.conformance`` (vectors, runner, adapters, mutants).
"""

__version__ = "0.1.0"
SPEC_VERSION = "medshare-spec-0.1"
