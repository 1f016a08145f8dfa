"""The sharing protocol, phases 0-9, over the chain spec and the real primitives (spec/protocol/protocol.md).

Each phase is a pure function: keys, ciphertexts and transactions in, keys, ciphertexts and transactions out;
every random choice comes from an explicit ``rng``. The SHC/MDC validity predicates of the protocol's
transactions are :func:`payload_rules`, registered into a chain's ``ChainConfig.payload_rules``; the chain's own
rules (spec/chain/state.py) check senders, certificates, anchors, revocations and nonces first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..chain import auth
from ..chain.anchor import record_key
from ..chain.codec import Reader, blob, sha256, u8
from ..chain.entries import AttributeEntry, DeviceEntry, RecordEntry, attribute_key, k
from ..chain.merkle import prove_state
from ..chain.state import PayloadRule, State, check_grant_live, circuit_key
from ..chain.tx import Transaction
from ..crypto import cbs, fame, ibe, record, umbral
from ..errors import MedshareError, fail
from ..group import PairingGroup
from ..params import R
from ..policy import Node, Policy
from ..rng import RNG, random_below
from ..zk import ceremony, circuits, groth16
from ..zk.formats import Zkey
from ..zk.r1cs import R1CS

POLICY_HASH_BYTES = 32
UMBRAL_PK_BYTES = 33
PROOF_BYTES = 192
RECORD_FIELDS = circuits.N_FIELDS


# ---- encodings -----------------------------------------------------------------------------------------------
def field_bytes(x: int) -> bytes:
    """A field element as 32 bytes, big-endian (how the chain stores Poseidon hashes and commitments)."""
    return x.to_bytes(32, "big")


def bytes_field(b: bytes) -> int:
    """Inverse of :func:`field_bytes`; ``PUBLIC_INPUT_INVALID`` if not below r."""
    x = int.from_bytes(b, "big")
    if len(b) != 32 or x >= R:
        fail("PUBLIC_INPUT_INVALID", "not a field element")
    return x


@attrs.frozen
class RecordPolicy:
    """A record's access policy, made once from its text (:meth:`of`): the canonical :class:`Policy` (tree, text,
    LSSS: what FAME encrypts under and the chain's policy field), its canonical gate list (what the zk circuit
    evaluates) and the policy hash: Poseidon of the gate list, 32 bytes big-endian. The policy hash is the one
    the chain stores in the record payload, the Groth16 proof is checked against and the record's AEAD binds."""

    policy: Policy
    gates: circuits.PolicyGates = attrs.field(repr=False)
    hash: bytes

    @property
    def text(self) -> str:
        """The canonical text."""
        return self.policy.text

    @property
    def tree(self) -> Node:
        """The canonical tree."""
        return self.policy.tree

    @staticmethod
    def of(source: str | Policy) -> RecordPolicy:
        """From policy text (parsed and canonicalised once) or from a :class:`Policy`."""
        policy = source if isinstance(source, Policy) else Policy.of(source)
        gates = circuits.gates_from_policy(policy.tree)
        return RecordPolicy(policy, gates, field_bytes(circuits.gate_hash(gates)))


@attrs.frozen
class RecordPayload:
    """RECORD_PUBLISH.payload, decoded: the policy hash, the owner's Umbral delegating key and its kfrag-verifying
    key. :meth:`of` reads it from a record entry or a RECORD_PUBLISH transaction."""

    policy_hash: bytes
    delegating_pk: umbral.PublicKey
    verifying_pk: umbral.PublicKey

    def to_bytes(self) -> bytes:
        return self.policy_hash + self.delegating_pk.to_bytes() + self.verifying_pk.to_bytes()

    @staticmethod
    def from_bytes(data: bytes) -> RecordPayload:
        """Policy hash (32 bytes) || delegating key || verifying key (33 bytes each); ``TX_MALFORMED`` on a bad
        length or a key that does not decode."""
        if len(data) != POLICY_HASH_BYTES + 2 * UMBRAL_PK_BYTES:
            fail("TX_MALFORMED", "record payload is policy hash || delegating key || verifying key")
        try:
            delegating = umbral.PublicKey.from_bytes(data[32:65])
            verifying = umbral.PublicKey.from_bytes(data[65:])
        except MedshareError:
            fail("TX_MALFORMED", "the record payload's keys do not decode")
        return RecordPayload(data[:32], delegating, verifying)

    @staticmethod
    def of(source: RecordEntry | Transaction) -> RecordPayload:
        """The payload of a record entry or of a RECORD_PUBLISH transaction."""
        return RecordPayload.from_bytes(source.payload if isinstance(source, RecordEntry) else source.arg("payload"))


@attrs.frozen
class RequestPayload:
    """ACCESS_REQUEST.payload, decoded: the Groth16 policy proof and the requester's Umbral receiving key.
    :meth:`of` reads it from an ACCESS_REQUEST transaction."""

    proof: bytes
    receiving_pk: umbral.PublicKey

    def to_bytes(self) -> bytes:
        return self.proof + self.receiving_pk.to_bytes()

    @staticmethod
    def from_bytes(data: bytes) -> RequestPayload:
        """Proof (192 bytes) || receiving key (33 bytes); ``TX_MALFORMED`` on a bad length or a key that does not
        decode."""
        if len(data) != PROOF_BYTES + UMBRAL_PK_BYTES:
            fail("TX_MALFORMED", "request payload is proof (192 bytes) || receiving key (33 bytes)")
        try:
            receiving = umbral.PublicKey.from_bytes(data[PROOF_BYTES:])
        except MedshareError:
            fail("TX_MALFORMED", "the receiving key does not decode")
        return RequestPayload(data[:PROOF_BYTES], receiving)

    @staticmethod
    def of(tx: Transaction) -> RequestPayload:
        """The payload of an ACCESS_REQUEST transaction."""
        return RequestPayload.from_bytes(tx.arg("payload"))


@attrs.frozen
class Blob:
    """What the CPC stores for a record: FAME ciphertext, Umbral DEM ciphertext of k_pre, sealed record."""

    fame_ct: bytes
    pre_ct: bytes
    sealed: bytes

    def to_bytes(self) -> bytes:
        return blob(self.fame_ct) + blob(self.pre_ct) + blob(self.sealed)

    @staticmethod
    def from_bytes(data: bytes) -> Blob:
        try:
            r = Reader(data)
            out = Blob(r.blob(), r.blob(), r.blob())
            r.end()
        except MedshareError:
            fail("MALFORMED_ENCODING", "a blob is three length-prefixed parts")
        return out

    def blob_hash(self) -> bytes:
        return sha256(self.to_bytes())


def request_binding(nonce: bytes, requester: str) -> int:
    """The circuit's nonce input: binding_field(nonce || utf8(requester)) - binds the proof to its sender."""
    return circuits.binding_field(nonce + requester.encode())


def record_binding(record_id: bytes) -> int:
    return circuits.binding_field(record_id)


def encode_record(fields: Sequence[int]) -> bytes:
    """A record's plaintext: its 8 fields as u64 big-endian."""
    if len(fields) != RECORD_FIELDS:
        fail("BAD_LENGTH", f"a record has {RECORD_FIELDS} fields")
    return b"".join(int(f).to_bytes(8, "big") for f in fields)


def device_entry(mdc_state: State, device: str) -> DeviceEntry | None:
    """A device's MDC entry (DEVICE_REGISTER: its MI; DEVICE_REVOKE: revoked), or None."""
    raw = mdc_state.get(k("device", device.encode()))
    return DeviceEntry.from_bytes(raw) if raw is not None else None


def decode_record(data: bytes) -> list[int]:
    if len(data) != 8 * RECORD_FIELDS:
        fail("BAD_LENGTH", f"a record is {8 * RECORD_FIELDS} bytes")
    return [int.from_bytes(data[i:i + 8], "big") for i in range(0, len(data), 8)]


# ---- phase 0: setup ------------------------------------------------------------------------------------------
@attrs.frozen
class AuthorityKeys:
    """The authority's masters: CBS, IBE, FAME."""

    cbs: cbs.AuthorityKeyPair = attrs.field(repr=False)
    ibe: ibe.MasterKeyPair = attrs.field(repr=False)
    fame_pk: fame.PublicKey = attrs.field(repr=False)
    fame_msk: fame.MasterKey = attrs.field(repr=False)


def setup_authority(group: PairingGroup, rng: RNG, cbs_keys: cbs.AuthorityKeyPair | None = None) -> AuthorityKeys:
    """Phase 0: CBS, IBE and FAME setup (``cbs_keys`` when the chain deployment already made the CBS master)."""
    ak = cbs_keys if cbs_keys is not None else cbs.setup(group, rng.fork("cbs"))
    pk, msk = fame.setup(group, rng.fork("fame"))
    return AuthorityKeys(ak, ibe.setup(group, rng.fork("ibe")), pk, msk)


POLICY_CIRCUIT = "policy"


def policy_r1cs() -> R1CS:
    """The policy circuit's constraint system (its shape: the same for every policy)."""
    return circuits.policy_circuit().to_r1cs()


def policy_keys_for_tests(group: PairingGroup, rng: RNG) -> groth16.ProvingKey:
    """Groth16 keys of the policy circuit made by one party from ``rng``: UNSAFE, for tests, vectors and the demo
    only. Whoever knows the rng's seed recomputes the trapdoor and proves any policy for any attribute set; a
    deployment imports its key from a ceremony (:func:`import_policy_key`)."""
    return groth16.setup_for_tests(group, policy_r1cs(), rng)


def import_policy_key(group: PairingGroup, zkey: bytes) -> Zkey:
    """Phase 0: the policy circuit's proving key from a multi-party ceremony, a snarkjs ``.zkey`` (``snarkjs
    groth16 setup`` on the policy circuit's ``.r1cs`` with a phase-1 powers of tau, then phase-2
    contributions, snarkjs's or ``ceremony.contribute``'s): ``ceremony.import_key`` against the policy circuit,
    a strict import and the contribution chain from delta = 1, with at least one contribution
    (``CONTRIBUTION_INVALID``)."""
    return ceremony.import_key(group, zkey, policy_r1cs())


def circuit_keys(vk: groth16.VerifyingKey) -> tuple[tuple[str, bytes], ...]:
    """What SHC's genesis commits to (``ChainConfig.circuit_keys``): the policy circuit's verifying-key hash."""
    return ((POLICY_CIRCUIT, groth16.vk_hash(vk)),)


# ---- phase 1: registration -----------------------------------------------------------------------------------
@attrs.frozen
class AttributeGrant:
    """What the authority gives an RI: the FAME key for its attributes, and the salt of its commitment."""

    attributes: tuple[str, ...]
    key: fame.AttributeKey = attrs.field(repr=False)
    salt: int = attrs.field(repr=False)

    def fields(self) -> list[int]:
        return [circuits.attribute_field(a) for a in self.attributes]

    def commitment(self) -> int:
        return circuits.attribute_commitment(self.fields(), self.salt)


def issue_attributes(group: PairingGroup, keys: AuthorityKeys, attributes: Sequence[str], rng: RNG
                     ) -> AttributeGrant:
    """Phase 1: a fresh commitment salt, uniform in [0, r) and drawn from ``rng``'s own stream (so two issuances
    from one generator get different salts, hence unlinkable commitments), then a FAME key for ``attributes``."""
    salt = random_below(rng, R)
    return AttributeGrant(tuple(sorted(attributes)), fame.keygen(group, keys.fame_msk, attributes, rng), salt)


def attribute_commit_fields(ri: str, epoch: int, grant: AttributeGrant) -> dict[str, Any]:
    """The fields of ATTRIBUTE_COMMIT (sent by the authority): only the commitment goes on chain."""
    return dict(identity=ri, epoch=epoch, commitment=field_bytes(grant.commitment()), payload=b"")


# ---- phase 2: collection -------------------------------------------------------------------------------------
@attrs.frozen
class SignedReading:
    ct: ibe.ReadingCiphertext
    signature: cbs.Signature


def device_send(group: PairingGroup, p_pub: Any, mi: str, epoch: int, device: auth.Signer, sequence: int,
                reading: bytes, rng: RNG) -> SignedReading:
    """Phase 2 (device): IBE-encrypt to ``mi@epoch``, CBS-sign the ciphertext."""
    ct = ibe.encrypt_reading(group, p_pub, mi, epoch, device.identity, sequence, reading, rng)
    return SignedReading(ct, cbs.sign(group, device.keypair, device.certificate, ct.to_bytes()))


def mi_receive(group: PairingGroup, authority_pk: Any, key: ibe.IdentityKey, device_cert: cbs.Certificate,
               last_sequence: int, msg: SignedReading, *, at: int, device: DeviceEntry | None) -> bytes:
    """Phase 2 (MI): the device is registered on MDC to this MI (``device``, its entry read from MDC state;
    ``DEVICE_UNKNOWN``) and not revoked (``DEVICE_REVOKED``), its signature (``SIGNATURE_INVALID``), a strictly
    increasing sequence number (``REPLAYED_NONCE``), then decrypt."""
    if device is None or device.institution != key.identity:
        fail("DEVICE_UNKNOWN", f"{device_cert.identity!r} is not registered to {key.identity!r} on MDC")
    if device.revoked:
        fail("DEVICE_REVOKED", f"{device_cert.identity!r} was revoked by {key.identity!r}")
    cbs.verify(group, authority_pk, device_cert.certified_key(), msg.ct.to_bytes(), msg.signature, at=at)
    if msg.ct.device_id != device_cert.identity:
        fail("NOT_AUTHORISED", "the reading names another device")
    if msg.ct.sequence <= last_sequence:
        fail("REPLAYED_NONCE", f"sequence {msg.ct.sequence} is not after {last_sequence}")
    return ibe.decrypt_reading(group, key, msg.ct)


# ---- phase 3: publication ------------------------------------------------------------------------------------
@attrs.frozen
class Published:
    """The owner's view of a published record."""

    record_id: bytes
    policy: RecordPolicy
    blob: Blob
    capsule: umbral.Capsule
    content_key: bytes = attrs.field(repr=False)
    k_pre: bytes = attrs.field(repr=False)
    data_salt: int = attrs.field(repr=False)
    fields: tuple[int, ...] = attrs.field(repr=False)

    def publish_fields(self, patient: str, delegating_pk: umbral.PublicKey, verifying_pk: umbral.PublicKey
                       ) -> dict[str, Any]:
        """The fields of RECORD_PUBLISH (MDC)."""
        payload = RecordPayload(self.policy.hash, delegating_pk, verifying_pk)
        return dict(record_id=self.record_id, patient=patient, policy=self.policy.text,
                    blob_hash=self.blob.blob_hash(), capsule=self.capsule.to_bytes(),
                    data_commitment=field_bytes(circuits.data_commitment(self.fields, self.data_salt)),
                    payload=payload.to_bytes())


def publish(group: PairingGroup, fame_pk: fame.PublicKey, owner_pk: umbral.PublicKey, policy: str,
            record_id: bytes, fields: Sequence[int], rng: RNG) -> Published:
    """Phase 3: the record's policy made once from ``policy``; k_abe by FAME under it, k_pre Umbral-encrypted to
    the owner, k = derive(k_abe, k_pre), AES-256-GCM with AD (record id, policy hash)."""
    record_policy = RecordPolicy.of(policy)
    k_abe, fame_ct = record.encapsulate(group, fame_pk, record_policy.policy, rng)
    k_pre = rng.read(32)
    capsule, pre_ct = umbral.encrypt(owner_pk, k_pre, rng)
    key = record.derive_content_key(k_abe, k_pre)
    sealed = record.seal(key, record_id, record_policy.hash, encode_record(fields), rng)
    salt = int.from_bytes(rng.read(32), "big") % R
    return Published(record_id, record_policy, Blob(fame_ct.to_bytes(), pre_ct, sealed.to_bytes()), capsule, key,
                     k_pre, salt, tuple(fields))


# ---- phase 4: request ----------------------------------------------------------------------------------------
def prove_access(group: PairingGroup, pk: groth16.ProvingKey, policy: RecordPolicy, grant: AttributeGrant,
                 record_id: bytes, nonce: bytes, requester: str, rng: RNG) -> bytes:
    """Phase 4: the Groth16 proof that the committed attributes satisfy ``policy`` (its gate list), bound to
    (record id, nonce, requester). ``POLICY_UNSATISFIED`` if they do not (no proof exists)."""
    proof, _ = circuits.prove_policy(group, pk, policy.gates, grant.fields(), grant.salt,
                                     record_binding(record_id), request_binding(nonce, requester), rng)
    return proof.to_bytes()


def request_id(record_id: bytes, nonce: bytes, requester: str) -> bytes:
    """SHA-256("request" || record id || nonce || requester): the id of a request, bound to its requester, so
    another RI cannot take it first (nonces are scoped per requester on SHC)."""
    return sha256(b"request", record_id, nonce, requester.encode())


def request_fields(mdc_state: State, mdc_height: int, record_id: bytes, nonce: bytes, proof: bytes,
                   receiving_pk: umbral.PublicKey, *, requester: str) -> dict[str, Any]:
    """The fields of ACCESS_REQUEST by ``requester``: the anchored record reference (entry + Merkle proof in the
    MDC state at ``mdc_height``), the nonce, and the payload; the id is :func:`request_id`."""
    key = record_key(record_id)
    if key not in mdc_state:
        fail("RECORD_UNKNOWN", "no such record on MDC")
    return dict(request_id=request_id(record_id, nonce, requester), mdc_height=mdc_height, record_id=record_id,
                record_entry=mdc_state[key], proof=prove_state(mdc_state, key).to_bytes(), nonce=nonce,
                payload=RequestPayload(proof, receiving_pk).to_bytes())


# ---- phase 5: grant ------------------------------------------------------------------------------------------
def grant_fields(request_id: bytes, threshold: int, shares: int) -> dict[str, Any]:
    """The fields of GRANT: grant id = SHA-256("grant" || request id); the payload names (t, n)."""
    return dict(grant_id=sha256(b"grant", request_id), request_id=request_id, payload=u8(threshold) + u8(shares))


def make_kfrags(owner_sk: umbral.SecretKey, signer: umbral.Signer, receiving_pk: umbral.PublicKey, threshold: int,
                shares: int, rng: RNG) -> list[umbral.VerifiedKeyFrag]:
    """Phase 5: kfrag i goes to CPC node i."""
    return umbral.generate_kfrags(owner_sk, receiving_pk, signer, threshold, shares, True, True, rng)


# ---- phase 6: re-encryption ----------------------------------------------------------------------------------
def check_reencryption(shc_state: State, grant_id: bytes) -> None:
    """Phase 6 (honest CPC node), before re-encrypting: the grant is committed on SHC (GRANT_UNKNOWN) and still
    live: neither it (GRANT_REVOKED), its record (RECORD_REVOKED), nor its requester's certificate (CERT_REVOKED)
    or attribute epoch (ATTRIBUTE_REVOKED) is revoked. The same checks SHC's receipt rule makes."""
    check_grant_live(shc_state, grant_id)


def reencrypt(kfrag: umbral.KeyFrag, capsule: umbral.Capsule, verifying_pk: umbral.PublicKey,
              delegating_pk: umbral.PublicKey, receiving_pk: umbral.PublicKey, rng: RNG
              ) -> umbral.VerifiedCapsuleFrag:
    """Phase 6 (CPC node): check the kfrag, re-encrypt the capsule."""
    vk = umbral.verify_kfrag(kfrag, verifying_pk, delegating_pk, receiving_pk)
    return umbral.reencrypt(capsule, vk, rng)


def receipt_fields(grant_id: bytes, cfrag: umbral.CapsuleFrag) -> dict[str, Any]:
    """The fields of REENCRYPTION_RECEIPT: the payload is SHA-256 of the cfrag."""
    return dict(grant_id=grant_id, payload=sha256(cfrag.to_bytes()))


# ---- phase 7: decryption -------------------------------------------------------------------------------------
@attrs.frozen
class OpenedRecord:
    """What phase 7 gives the RI: the record's fields, the content key k and k_pre it opened them with, and the
    indices of the cfrags that failed verification (dropped)."""

    fields: tuple[int, ...] = attrs.field(repr=False)
    content_key: bytes = attrs.field(repr=False)
    k_pre: bytes = attrs.field(repr=False)
    rejected: tuple[int, ...]


def decrypt(group: PairingGroup, entry: RecordEntry, record_id: bytes, blob_bytes: bytes,
            cfrags: Sequence[umbral.CapsuleFrag], receiving_sk: umbral.SecretKey, attribute_key: fame.AttributeKey,
            threshold: int) -> OpenedRecord:
    """Phase 7 (RI): check the blob against the anchored entry (``BLOB_HASH_MISMATCH``), verify each cfrag
    (bad ones are dropped and their indices returned), open k_pre from t good ones (``NOT_ENOUGH_CFRAGS``),
    k_abe with the FAME key, derive k, decrypt with AD (record id, the entry's policy hash)."""
    if sha256(blob_bytes) != entry.blob_hash:
        fail("BLOB_HASH_MISMATCH", "the blob is not the one the record names")
    payload = RecordPayload.of(entry)
    capsule = umbral.Capsule.from_bytes(entry.capsule)
    good: list[umbral.VerifiedCapsuleFrag] = []
    bad: list[int] = []
    for i, c in enumerate(cfrags):
        try:
            good.append(umbral.verify_cfrag(c, capsule, payload.verifying_pk, payload.delegating_pk,
                                            receiving_sk.public_key()))
        except MedshareError:
            bad.append(i)
    if len(good) < threshold:
        fail("NOT_ENOUGH_CFRAGS", f"{len(good)} valid cfrags, threshold {threshold}")
    b = Blob.from_bytes(blob_bytes)
    k_pre = umbral.decrypt_reencrypted(receiving_sk, payload.delegating_pk, capsule, good[:threshold], b.pre_ct,
                                       threshold)
    k_abe = record.decapsulate(group, attribute_key, fame.Ciphertext.from_bytes(group, b.fame_ct))
    key = record.derive_content_key(k_abe, k_pre)
    plain = record.open_sealed(key, record_id, payload.policy_hash, record.SealedRecord.from_bytes(b.sealed))
    return OpenedRecord(tuple(decode_record(plain)), key, k_pre, tuple(bad))


# ---- validity predicates -------------------------------------------------------------------------------------
def check_record_publish(state: State, tx: Transaction) -> None:
    """RECORD_PUBLISH: the policy is canonical text (``POLICY_SYNTAX``), the payload decodes and its policy hash
    is the policy's (``TX_MALFORMED``), the capsule decodes (``CAPSULE_INVALID``), the data commitment is a field
    element (``PUBLIC_INPUT_INVALID``)."""
    policy = Policy.of(tx.arg("policy"))
    if policy.text != tx.arg("policy"):
        fail("POLICY_SYNTAX", "the policy is not in canonical form")
    payload = RecordPayload.of(tx)
    if payload.policy_hash != RecordPolicy.of(policy).hash:
        fail("TX_MALFORMED", "the payload's policy hash is not the policy's gate-list hash")
    umbral.Capsule.from_bytes(tx.arg("capsule"))
    bytes_field(tx.arg("data_commitment"))


def check_attribute_commit(state: State, tx: Transaction) -> None:
    """ATTRIBUTE_COMMIT: the commitment is a field element (``PUBLIC_INPUT_INVALID``), no payload."""
    bytes_field(tx.arg("commitment"))
    if tx.arg("payload"):
        fail("TX_MALFORMED", "an attribute commitment carries no payload")


def check_committed_key(state: State, circuit: str, digest: bytes) -> None:
    """``VK_MISMATCH`` unless the state's genesis commitment for ``circuit`` (``meta/vk/<circuit>``) is
    ``digest``, the hash of the verifying key a proof is about to be checked under; also when it commits to none."""
    committed = state.get(circuit_key(circuit))
    if committed is None:
        fail("VK_MISMATCH", f"the genesis commits to no {circuit} verification key")
    if committed != digest:
        fail("VK_MISMATCH", f"this validator's {circuit} verification key is not the one the genesis commits to")


def make_check_access_request(group: PairingGroup, vk: groth16.VerifyingKey) -> PayloadRule:
    """ACCESS_REQUEST (after the chain's anchor, revocation, epoch and nonce checks): the request id is
    SHA-256("request" || record id || nonce || sender) (``TX_MALFORMED``); the payload decodes (``TX_MALFORMED``);
    the verifying key ``vk`` this validator checks proofs under is the one the genesis commits to: SHA-256 of its
    encoding is the state's ``meta/vk/policy`` (``VK_MISMATCH``, also when the genesis commits to none: a proof
    is only ever checked under the chain's key); the proof verifies for (the record's policy hash, the sender's
    attribute commitment, record binding, request binding) (``PROOF_INVALID``)."""
    own = groth16.vk_hash(vk)

    def rule(state: State, tx: Transaction) -> None:
        rid, nonce = tx.arg("record_id"), tx.arg("nonce")
        if tx.arg("request_id") != request_id(rid, nonce, tx.sender):
            fail("TX_MALFORMED", "request id is not SHA-256(request || record id || nonce || requester)")
        payload = RequestPayload.of(tx)
        check_committed_key(state, POLICY_CIRCUIT, own)
        p_hash = bytes_field(RecordPayload.of(RecordEntry.from_bytes(tx.arg("record_entry"))).policy_hash)
        raw = state.get(attribute_key(tx.sender))
        if raw is None:
            fail("ENTITY_UNKNOWN", f"{tx.sender!r} has no attribute commitment")
        commitment = bytes_field(AttributeEntry.from_bytes(raw).commitment)
        try:
            proof = groth16.Proof.from_bytes(group, payload.proof)
            circuits.verify_policy(group, vk, p_hash, commitment, record_binding(rid),
                                   request_binding(nonce, tx.sender), proof)
        except MedshareError as e:
            fail("PROOF_INVALID", f"the policy proof does not verify ({e.code})")
    return rule


def check_grant(state: State, tx: Transaction) -> None:
    """GRANT: grant id = SHA-256("grant" || request id), payload (t, n) with 1 <= t <= n (``TX_MALFORMED``)."""
    if tx.arg("grant_id") != sha256(b"grant", tx.arg("request_id")):
        fail("TX_MALFORMED", "grant id is not SHA-256(grant || request id)")
    payload = Reader(tx.arg("payload"), code="TX_MALFORMED")
    threshold, shares = payload.u8(), payload.u8()
    payload.end()
    if not 1 <= threshold <= shares:
        fail("TX_MALFORMED", "grant payload is u8 t || u8 n with 1 <= t <= n")


def check_receipt(state: State, tx: Transaction) -> None:
    """REENCRYPTION_RECEIPT: the payload is a 32-byte cfrag hash (``TX_MALFORMED``)."""
    if len(tx.arg("payload")) != 32:
        fail("TX_MALFORMED", "a receipt carries SHA-256 of the cfrag")


def payload_rules(group: PairingGroup, vk: groth16.VerifyingKey) -> dict[str, PayloadRule]:
    """The protocol's predicates for the chains' predicate registry (``ChainConfig.payload_rules``)."""
    return {"RECORD_PUBLISH": check_record_publish, "ATTRIBUTE_COMMIT": check_attribute_commit,
            "ACCESS_REQUEST": make_check_access_request(group, vk), "GRANT": check_grant,
            "REENCRYPTION_RECEIPT": check_receipt}


# ---- phase 9: audit ------------------------------------------------------------------------------------------
def audit(shc_txs: Sequence[Transaction], mdc_state: State) -> list[str]:
    """Phase 9: every receipt follows a grant that follows a request on a committed record that was unrevoked
    when the request was accepted; returns the violations (empty when the history is sound)."""
    requests: dict[bytes, bytes] = {}
    grants: dict[bytes, bytes] = {}
    revoked: set[bytes] = set()
    problems: list[str] = []
    for tx in shc_txs:
        if tx.kind == "RECORD_REVOKE_NOTICE":
            revoked.add(tx.arg("record_id"))
        elif tx.kind == "ACCESS_REQUEST":
            rid = tx.arg("record_id")
            if record_key(rid) not in mdc_state:
                problems.append(f"request {tx.arg('request_id').hex()[:8]} names no MDC record")
            if rid in revoked or RecordEntry.from_bytes(tx.arg("record_entry")).revoked:
                problems.append(f"request {tx.arg('request_id').hex()[:8]} on a revoked record")
            requests[tx.arg("request_id")] = rid
        elif tx.kind == "GRANT":
            if tx.arg("request_id") not in requests:
                problems.append(f"grant {tx.arg('grant_id').hex()[:8]} without a request")
            grants[tx.arg("grant_id")] = tx.arg("request_id")
        elif tx.kind == "REENCRYPTION_RECEIPT" and tx.arg("grant_id") not in grants:
            problems.append(f"receipt for unknown grant {tx.arg('grant_id').hex()[:8]}")
    return problems


def signed(group: PairingGroup, signer: auth.Signer, chain: str, kind: str, nonce: int, fields: Mapping[str, Any]
           ) -> Transaction:
    """A transaction from ``signer`` with its CBS signature."""
    return auth.sign_tx(group, signer, Transaction.make(chain, kind, signer.identity, nonce, **fields))


__all__ = ["POLICY_CIRCUIT", "AttributeGrant", "AuthorityKeys", "Blob", "OpenedRecord", "Published", "RecordPayload",
           "RecordPolicy", "RequestPayload", "audit", "check_committed_key", "check_reencryption", "circuit_keys",
           "decrypt", "device_entry", "device_send", "grant_fields", "import_policy_key", "issue_attributes",
           "make_kfrags", "mi_receive", "payload_rules", "policy_keys_for_tests", "policy_r1cs", "prove_access",
           "publish", "receipt_fields", "reencrypt", "request_fields", "request_id", "setup_authority", "signed"]
