"""Group backends: ``native`` (py-arkworks-bls12381, the default) and ``pure`` (py_ecc, the cross-check).

Choose with :func:`get_group` (an explicit name), or the environment variable ``MEDSHARE_BACKEND``.
"""

from __future__ import annotations

import os
from functools import cache

from ...spec.errors import fail
from ...spec.group import PairingGroup

BACKENDS = ("native", "pure")
ENV_VAR = "MEDSHARE_BACKEND"


@cache
def _make(name: str) -> PairingGroup:
    if name == "native":
        from .native import NativeGroup

        return NativeGroup()
    if name == "pure":
        from .pure import PureGroup

        return PureGroup()
    fail("BACKEND_UNKNOWN", f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")


def get_group(name: str | None = None) -> PairingGroup:
    """The group backend ``name``, else ``$MEDSHARE_BACKEND``, else ``native``."""
    return _make(name or os.environ.get(ENV_VAR, "native"))
