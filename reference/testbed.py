"""The running system as a test bed: the one door through which ``conformance/``, ``models/`` and the tests reach
``reference/``.

The vector generators, the conformance ops and mutants, and the spec-backed trace replay need real group
backends, deployed chains, signed workloads and known answers; they import them from here, by name, and never
from the modules behind. What is offered:

* **group backends by name**: :func:`get_group`;
* **deployments** of the two chains from a seed: :func:`make_deployment`, :class:`Deployment`;
* **workloads** over a deployment: :class:`Workload` (signed transactions), :class:`Ledger` (a chain driven by
  the spec alone), :func:`certify` (commit certificates);
* **a protocol world by seed**: :func:`circuit_keys`, the policy circuit's Groth16 keys from a seed (for tests,
  vectors and the demo only: the seed gives away the trapdoor);
* **forgeries**: :func:`forge_certificate`;
* **the native backend's classes**, for mutants that subclass them to drop one check: :class:`NativeGroup`,
  :class:`NativeG1`, :class:`NativeG2`, :class:`NativeGT`;
* **Fp12 arithmetic** on medshare's tower coefficients: the module :mod:`fp12`;
* **known answers** of the group layer (RFC 9380): :func:`rfc9380_vectors`, :data:`G1_SUITE`, :data:`G2_SUITE`,
  :func:`g1_encoding`, :func:`g2_encoding`;
* **malformed group encodings**, each failing exactly one strict-decoding check of spec/group.md (the most used
  by name, all of them in the module :mod:`adversarial`).
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

# -- a protocol world --------------------------------------------------------------------------------------------

#: the policy circuit's Groth16 keys from a seed, made once per process (tests, vectors and the demo only)
circuit_keys = _scenario.circuit_keys

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

# -- malformed group encodings -----------------------------------------------------------------------------------

#: every constructor of malformed G1, G2, GT and secp256k1 encodings (reference/adversarial.py)
adversarial = _adversarial

#: a compressed G1 encoding whose x is not on the curve
g1_not_on_curve = _adversarial.g1_not_on_curve
#: a compressed G1 encoding of a curve point outside the order-r subgroup
g1_off_subgroup = _adversarial.g1_off_subgroup
#: a compressed G2 encoding whose x is not on the twist
g2_not_on_curve = _adversarial.g2_not_on_curve
#: a compressed G2 encoding of a twist point outside the order-r subgroup
g2_off_subgroup = _adversarial.g2_off_subgroup
#: the compression flag over x = p
x_not_canonical = _adversarial.x_not_canonical
#: a valid encoding with the compression bit cleared
uncompressed_flag = _adversarial.uncompressed_flag
#: the infinity flag with a nonzero payload
infinity_with_payload = _adversarial.infinity_with_payload
#: the infinity flag with the sign bit set
infinity_with_sign = _adversarial.infinity_with_sign
#: the canonical encoding of the identity (the point at infinity)
identity = _adversarial.identity
#: a unit of Fp12 outside GT
gt_off_subgroup = _adversarial.gt_off_subgroup
#: a valid GT encoding with a coefficient not reduced mod p
gt_not_canonical = _adversarial.gt_not_canonical

__all__ = [
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
    "forge_certificate",
    "fp12",
    "g1_encoding",
    "g1_not_on_curve",
    "g1_off_subgroup",
    "g2_encoding",
    "g2_not_on_curve",
    "g2_off_subgroup",
    "get_group",
    "gt_not_canonical",
    "gt_off_subgroup",
    "identity",
    "infinity_with_payload",
    "infinity_with_sign",
    "make_deployment",
    "rfc9380_vectors",
    "uncompressed_flag",
    "x_not_canonical",
]
