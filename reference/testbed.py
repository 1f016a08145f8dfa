"""The running system as a test bed: the one door through which ``conformance/``, ``models/`` and the tests reach
``reference/``.

The vector generators, the conformance ops and mutants, and the spec-backed trace replay need real group
backends, deployed chains, signed workloads and known answers; they import them from here, by name, and never
from the modules behind. What is offered is :data:`__all__` (tests/unit/test_import_rule.py holds the rooms and the
tests to it):

* **group backends by name**: :func:`get_group`;
* **deployments** of the two chains from a seed: :func:`make_deployment`, :class:`Deployment`;
* **workloads** over a deployment: :class:`Workload` (signed transactions), :class:`Ledger` (a chain driven by
  the spec alone), :func:`certify` (commit certificates);
* **the policy circuit's keys by seed**: :func:`circuit_keys`, the Groth16 keys every protocol set-up needs, for
  tests, vectors and the demo only (the seed gives away the trapdoor; the set-up itself — authority keys,
  registrations, attribute commitments — is still written by each user);
* **forgeries**: :func:`forge_certificate`;
* **the native backend's classes**, for mutants that subclass them to drop one check: :class:`NativeGroup`,
  :class:`NativeG1`, :class:`NativeG2`, :class:`NativeGT`;
* **Fp12 arithmetic** on medshare's tower coefficients: the module :mod:`fp12`;
* **known answers** of the group layer (RFC 9380): :func:`rfc9380_vectors`, :data:`G1_SUITE`, :data:`G2_SUITE`,
  :func:`g1_encoding`, :func:`g2_encoding`;
* **malformed encodings**, each failing exactly one strict-decoding check: the module :mod:`adversarial`.
"""

from __future__ import annotations

from . import adversarial as _adversarial
from . import backends as _backends
from . import selfcheck as _selfcheck
from .backends import fp12 as _fp12
from .backends import native as _native
from .chain import byzantine as _byzantine
from .chain import deploy as _deploy
from .chain import workload as _workload
from .protocol import keycache as _keycache
from .protocol import scenario as _scenario

# -- group backends ----------------------------------------------------------------------------------------------

#: the group backend by name (``native``, ``pure``), else ``$MEDSHARE_BACKEND``, else ``native``
get_group = _backends.get_group

# -- deployments and workloads -----------------------------------------------------------------------------------

#: both chains' authority, validators, keys and certificates, made from a seed by :func:`make_deployment`
Deployment = _deploy.Deployment
#: an authority and validators per chain from a seed (MDC: MIs; SHC: MIs, RIs and CPC nodes in turn)
make_deployment = _deploy.make_deployment
#: signed transactions of a deployment's identities, with per-sender nonces
Workload = _workload.Workload
#: a chain driven by the spec alone: blocks built by validator 0 in view 0
Ledger = _workload.Ledger
#: a commit certificate for a block from a deployment's first validators
certify = _workload.certify

# -- the policy circuit ------------------------------------------------------------------------------------------

#: the policy circuit's Groth16 keys from a seed (tests, vectors and the demo only), made once and kept in the
#: user's cache directory
circuit_keys = _scenario.circuit_keys
#: a deterministic byte string (a proof) kept in the user's cache directory under a key of all it depends on
disk_cached = _keycache.cached_blob

# -- forgeries ---------------------------------------------------------------------------------------------------

#: a commit certificate re-pointed to another block, with signatures dropped, or with one signature corrupted
forge_certificate = _byzantine.forge_certificate

# -- the native backend, for mutants -----------------------------------------------------------------------------

#: BLS12-381 on arkworks: the group a mutant subclasses to skip a check
NativeGroup = _native.NativeGroup
#: a G1 point of the native backend (wraps an arkworks point)
NativeG1 = _native.NativeG1
#: a G2 point of the native backend (wraps an arkworks point)
NativeG2 = _native.NativeG2
#: a GT value of the native backend (arkworks, or decoded Fp12 coefficients)
NativeGT = _native.NativeGT

# -- Fp12 and the group layer's known answers --------------------------------------------------------------------

#: Fp12 arithmetic on medshare's tower coefficients (``to_flat``, ``from_flat``, ``mul``, ``conjugate``, ...)
fp12 = _fp12
#: RFC 9380 Appendix J.9.1, J.10.1 and K.1 known answers
rfc9380_vectors = _selfcheck.rfc9380_vectors
#: the RFC 9380 hash-to-G1 suite name
G1_SUITE = _selfcheck.G1_SUITE
#: the RFC 9380 hash-to-G2 suite name
G2_SUITE = _selfcheck.G2_SUITE
#: the compressed G1 encoding of an affine point (x, y)
g1_encoding = _selfcheck.g1_encoding
#: the compressed G2 encoding of an affine point (x, y) over Fp2
g2_encoding = _selfcheck.g2_encoding

# -- malformed encodings ----------------------------------------------------------------------------------------

#: malformed encodings (G1, G2, GT, secp256k1), each failing one strict-decoding check: the module
#: :mod:`medshare.reference.adversarial`, which every vector generator takes them from
adversarial = _adversarial

__all__ = [
    "adversarial",
    "G1_SUITE",
    "G2_SUITE",
    "Deployment",
    "Ledger",
    "NativeG1",
    "NativeG2",
    "NativeGT",
    "NativeGroup",
    "Workload",
    "adversarial",
    "certify",
    "circuit_keys",
    "disk_cached",
    "forge_certificate",
    "fp12",
    "g1_encoding",
    "g2_encoding",
    "get_group",
    "make_deployment",
    "rfc9380_vectors",
]
