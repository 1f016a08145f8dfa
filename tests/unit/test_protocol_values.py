"""One value, one place (spec/protocol/protocol.md, phases 3 and 7): a record's policy is parsed and canonicalised
once per publication, there is one policy hash and the chain, the proof and the AEAD all use it, and decryption
returns the opened record (fields, k, k_pre, rejected cfrags) so nothing derives k a second time."""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any

import attrs
import pytest
from medshare.reference.testbed import get_group
from medshare.spec import policy
from medshare.spec.chain.entries import RecordEntry
from medshare.spec.chain.tx import MDC, Transaction
from medshare.spec.crypto import fame, record, umbral
from medshare.spec.errors import MedshareError
from medshare.spec.protocol import protocol
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import circuits

POLICY = "researcher@1 and (cardiology@1 or 2 of (irb@1, dpo@1, ethics@1))"
RID = hashlib.sha256(b"record-values").digest()
FIELDS = (7, 1, 2, 3, 4, 5, 6, 8)
T, N = 2, 3


@attrs.frozen
class Owner:
    group: Any
    keys: protocol.AuthorityKeys
    owner: umbral.SecretKey
    signer: umbral.Signer


@cache
def owner() -> Owner:
    g = get_group("native")
    rng = DeterministicRNG("protocol-values")
    return Owner(g, protocol.setup_authority(g, rng.fork("authority")), umbral.SecretKey.random(rng.fork("owner")),
                 umbral.Signer(umbral.SecretKey.random(rng.fork("signer"))))


def publish(text: str = POLICY) -> protocol.Published:
    o = owner()
    return protocol.publish(o.group, o.keys.fame_pk, o.owner.public_key(), text, RID, FIELDS, DeterministicRNG("publish"))


def entry_of(pub: protocol.Published) -> RecordEntry:
    o = owner()
    f = pub.publish_fields("patient", o.owner.public_key(), o.signer.verifying_key())
    return RecordEntry("mi1", "patient", f["policy"], f["blob_hash"], f["capsule"], f["data_commitment"], f["payload"],
                       False)


def counting(monkeypatch: pytest.MonkeyPatch, counts: Counter[str], name: str) -> None:
    """Count calls of ``medshare.spec.policy.<name>`` from every spec module that holds it."""
    original: Callable[..., Any] = getattr(policy, name)

    def counted(*args: Any) -> Any:
        counts[name] += 1
        return original(*args)
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("medshare.spec") and getattr(module, name, None) is original:
            monkeypatch.setattr(module, name, counted)


def test_one_parse_and_one_canonicalisation_per_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    owner()
    counts: Counter[str] = Counter()
    counting(monkeypatch, counts, "parse")
    counting(monkeypatch, counts, "canonical")
    pub = publish()
    assert counts == Counter(parse=1, canonical=1)
    pub.publish_fields("patient", owner().owner.public_key(), owner().signer.verifying_key())
    assert counts == Counter(parse=1, canonical=1)


def test_the_policy_value_is_shared_by_the_record_and_its_fame_ciphertext() -> None:
    pub = publish()
    ct = fame.Ciphertext.from_bytes(owner().group, protocol.Blob.from_bytes(pub.blob.to_bytes()).fame_ct)
    assert ct.policy == pub.policy.policy
    assert pub.policy == protocol.RecordPolicy.of(pub.policy.text) == protocol.RecordPolicy.of(pub.policy.policy)
    assert pub.policy.text == policy.canonical_text(policy.parse(POLICY))


def test_one_policy_hash_for_chain_proof_and_aead() -> None:
    pub = publish()
    gates = circuits.gates_from_policy(policy.parse(policy.canonical_text(policy.parse(POLICY))))
    assert pub.policy.gates == gates
    assert pub.policy.hash == protocol.field_bytes(circuits.gate_hash(gates))
    tx = Transaction.make(MDC, "RECORD_PUBLISH", "mi1", 0, **pub.publish_fields(
        "patient", owner().owner.public_key(), owner().signer.verifying_key()))
    assert protocol.RecordPayload.of(tx).policy_hash == pub.policy.hash
    sealed = record.SealedRecord.from_bytes(pub.blob.sealed)
    assert record.open_sealed(pub.content_key, RID, pub.policy.hash, sealed) == protocol.encode_record(FIELDS)
    other = protocol.RecordPolicy.of("researcher@1").hash
    with pytest.raises(MedshareError) as e:
        record.open_sealed(pub.content_key, RID, other, sealed)
    assert e.value.code == "DECRYPTION_FAILED"


def cfrags_for(pub: protocol.Published, receiving: umbral.SecretKey) -> list[umbral.CapsuleFrag]:
    o = owner()
    rng = DeterministicRNG("cfrags")
    kfrags = protocol.make_kfrags(o.owner, o.signer, receiving.public_key(), T, N, rng)
    return [protocol.reencrypt(kf.kfrag, pub.capsule, o.signer.verifying_key(), o.owner.public_key(),
                        receiving.public_key(), rng).cfrag for kf in kfrags]


def test_decrypt_returns_the_opened_record() -> None:
    o = owner()
    pub = publish()
    ri = umbral.SecretKey.random(DeterministicRNG("ri"))
    grant = protocol.issue_attributes(o.group, o.keys, ["researcher@1", "irb@1", "dpo@1"], DeterministicRNG("grant"))
    cfrags = cfrags_for(pub, ri)
    bad = attrs.evolve(cfrags[1], point_e1=cfrags[1].point_e1 + cfrags[0].point_e1)
    opened = protocol.decrypt(o.group, entry_of(pub), RID, pub.blob.to_bytes(), [cfrags[0], bad, cfrags[2]], ri,
                       grant.key, T)
    assert opened.fields == pub.fields
    assert opened.content_key == pub.content_key and opened.k_pre == pub.k_pre
    assert opened.rejected == (1,)
    assert "content_key" not in repr(opened) and pub.content_key.hex() not in repr(opened)


def test_decrypt_binds_the_entry_policy_hash() -> None:
    """The AEAD's associated data is the anchored entry's policy hash: another hash in the entry fails the tag."""
    o = owner()
    pub = publish()
    ri = umbral.SecretKey.random(DeterministicRNG("ri"))
    grant = protocol.issue_attributes(o.group, o.keys, ["researcher@1", "cardiology@1"], DeterministicRNG("grant"))
    entry = entry_of(pub)
    payload = protocol.RecordPayload.of(entry)
    forged = attrs.evolve(entry, payload=attrs.evolve(payload, policy_hash=bytes(32)).to_bytes())
    with pytest.raises(MedshareError) as e:
        protocol.decrypt(o.group, forged, RID, pub.blob.to_bytes(), cfrags_for(pub, ri), ri, grant.key, T)
    assert e.value.code == "DECRYPTION_FAILED"


def test_payload_accessor_decodes_keys_or_refuses() -> None:
    pub = publish()
    entry = entry_of(pub)
    payload = protocol.RecordPayload.of(entry)
    assert payload.delegating_pk == owner().owner.public_key()
    assert payload.verifying_pk == owner().signer.verifying_key()
    assert protocol.RecordPayload.from_bytes(payload.to_bytes()) == payload
    for data in (entry.payload[:-1], entry.payload[:32] + b"\x05" + entry.payload[33:]):
        with pytest.raises(MedshareError) as e:
            protocol.RecordPayload.of(attrs.evolve(entry, payload=data))
        assert e.value.code == "TX_MALFORMED"
    with pytest.raises(MedshareError) as e:
        protocol.RequestPayload.from_bytes(bytes(protocol.PROOF_BYTES) + b"\x05" + bytes(32))
    assert e.value.code == "TX_MALFORMED"


def test_two_issuances_from_one_generator_get_different_salts() -> None:
    """The commitment salt comes from the rng's stream: issuing the same attributes twice from one generator gives
    two salts and two unlinkable commitments (a salt from a fork of a fixed label would repeat)."""
    o = owner()
    rng = DeterministicRNG("one authority generator")
    names = ["researcher@1", "cardiology@1"]
    first = protocol.issue_attributes(o.group, o.keys, names, rng)
    second = protocol.issue_attributes(o.group, o.keys, names, rng)
    assert first.salt != second.salt
    assert first.commitment() != second.commitment()
    assert 0 <= first.salt < circuits.R and 0 <= second.salt < circuits.R
