"""The property predicates find violations (spec/protocol/properties.py): small synthetic worlds, each breaking
one property, and the empty world that breaks none."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from medshare.reference.testbed import get_group
from medshare.spec.chain.anchor import anchor_key
from medshare.spec.chain.entries import AnchorEntry, CertEntry
from medshare.spec.chain.state import HEIGHT_KEY
from medshare.spec.chain.tx import SHC, Transaction
from medshare.spec.protocol import properties as props
from medshare.spec.protocol.protocol import RecordPolicy

RID = b"\x01" * 32
K = b"\x22" * 32
SECRETS = props.RecordSecrets("mi1", RecordPolicy.of("cardiology@1"), K, b"\x33" * 32, b"plain-record")


def request(nonce: bytes, sender: str = "ri1", height: int = 1) -> Transaction:
    return Transaction.make(SHC, "ACCESS_REQUEST", sender, 0, request_id=nonce, mdc_height=height, record_id=RID,
                            record_entry=b"", proof=b"", nonce=nonce, payload=b"")


@pytest.fixture
def world() -> props.World:
    return props.World(get_group("native"), b"\x00" * 96, (), (), {HEIGHT_KEY: b"\x00" * 8}, {HEIGHT_KEY: b"\x00" * 8},
                       {}, {RID: SECRETS},
                       {"mi1": frozenset({("k", RID)})}, {"cpc1": (b"blob",)}, {"ri1": ("cardiology@1",)}, ("cpc1",))


def violated(w: props.World) -> set[str]:
    return {n for n, v in props.check_all(w).items() if v}


def test_clean_world(world: props.World) -> None:
    assert violated(world) == set()


def test_access_without_grant(world: props.World) -> None:
    assert violated(attrs.evolve(world, knowledge={"ri1": frozenset({("k", RID)})})) == {"access_soundness"}


def test_access_with_grant_but_unsatisfied_policy(world: props.World) -> None:
    grant = Transaction.make(SHC, "GRANT", "mi1", 0, grant_id=b"\x05" * 32, request_id=b"\x09" * 32, payload=b"")
    w = attrs.evolve(world, shc_txs=((1, request(b"\x09" * 32)), (2, grant)), knowledge={"ri1": frozenset({("k", RID)})},
                     attributes={"ri1": ("dermatology@1",)})
    assert "access_soundness" in violated(w)


GID, QID = b"\x05" * 32, b"\x09" * 32


def _tx(kind: str, sender: str, **fields: Any) -> Transaction:
    return Transaction.make(SHC, kind, sender, 0, **fields)


GRANTED = ((1, request(QID)), (2, _tx("GRANT", "mi1", grant_id=GID, request_id=QID, payload=b"")))
RECEIPT = _tx("REENCRYPTION_RECEIPT", "cpc1", grant_id=GID, payload=b"\x11" * 32)
REVOCATIONS = {
    "cert": _tx("CERT_REVOKE", "authority", identity="ri1"),
    "epoch": _tx("ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri1", epoch=1),
    "grant": _tx("GRANT_REVOKE", "mi1", grant_id=GID),
    "record": _tx("RECORD_REVOKE_NOTICE", "mi1", mdc_height=1, record_id=RID, record_entry=b"", proof=b""),
}


def test_access_needs_a_receipt(world: props.World) -> None:
    """A grant alone does not explain knowing k: some receipt for it must have been made."""
    knows = {"ri1": frozenset({("k", RID)})}
    assert props.access_soundness(attrs.evolve(world, shc_txs=GRANTED, knowledge=knows))
    assert props.access_soundness(attrs.evolve(world, shc_txs=(*GRANTED, (3, RECEIPT)), knowledge=knows)) == []


@pytest.mark.parametrize("what", sorted(REVOCATIONS))
def test_receipt_after_a_revocation(world: props.World, what: str) -> None:
    """After any revocation of the record, the grant or the requester no receipt is sound, and k then known
    is not explained; cfrags delivered (receipt made) before the revocation stay sound."""
    knows = {"ri1": frozenset({("k", RID)})}
    after = attrs.evolve(world, shc_txs=(*GRANTED, (3, REVOCATIONS[what]), (4, RECEIPT)), knowledge=knows)
    found = props.access_soundness(after)
    assert any("after a revocation" in v for v in found) and any("without a receipt" in v for v in found)
    before = attrs.evolve(world, shc_txs=(*GRANTED, (3, RECEIPT), (4, REVOCATIONS[what])), knowledge=knows)
    assert props.access_soundness(before) == []


def test_reissued_certificate_reinstates_the_principal(world: props.World) -> None:
    issue = _tx("CERT_ISSUE", "authority", identity="ri1", public_key=b"\x00" * 96, period_start=0, period_end=9,
                sigma=b"\x00" * 48)
    w = attrs.evolve(world, shc_txs=(*GRANTED, (3, REVOCATIONS["cert"]), (4, issue), (5, RECEIPT)),
                     knowledge={"ri1": frozenset({("k", RID)})})
    assert props.access_soundness(w) == []


def test_a_new_attribute_commitment_does_not_reinstate_the_request(world: props.World) -> None:
    """The request was proven under epoch 1; after its revocation a commitment at epoch 2 (or, unrevoked, a
    commitment superseding it) explains no later receipt for its grant."""
    commit = [_tx("ATTRIBUTE_COMMIT", "authority", identity="ri1", epoch=e, commitment=bytes([e]) * 32, payload=b"")
              for e in (1, 2)]
    knows = {"ri1": frozenset({("k", RID)})}
    for history in ([REVOCATIONS["epoch"], commit[1]], [commit[1]]):
        txs = ((0, commit[0]), *GRANTED, *((3, tx) for tx in history), (4, RECEIPT))
        found = props.access_soundness(attrs.evolve(world, shc_txs=txs, knowledge=knows))
        assert any("after a revocation" in v for v in found), history
    fine = ((0, commit[0]), *GRANTED, (4, RECEIPT))
    assert props.access_soundness(attrs.evolve(world, shc_txs=fine, knowledge=knows)) == []


@pytest.mark.parametrize("what", ["knows", "holds"])
def test_cpc_blindness(world: props.World, what: str) -> None:
    w = (attrs.evolve(world, knowledge={"cpc1": frozenset({("k_pre", RID)})}) if what == "knows"
         else attrs.evolve(world, holdings={"cpc1": (b"prefix" + K,)}))
    assert violated(w) == {"cpc_blindness"}


def test_no_replay(world: props.World) -> None:
    w = attrs.evolve(world, shc_txs=((1, request(b"\x07" * 32)), (2, request(b"\x07" * 32))))
    assert "no_replay" in violated(w)
    other = attrs.evolve(world, shc_txs=((1, request(b"\x07" * 32)), (2, request(b"\x07" * 32, sender="ri2"))))
    assert "no_replay" not in violated(other)  # nonces are the requester's own


def test_anchor_consistency(world: props.World) -> None:
    state = dict(world.shc_state)
    state[anchor_key(1)] = AnchorEntry(b"\x0a" * 32, b"\x0b" * 32).to_bytes()
    w = attrs.evolve(world, shc_txs=((1, request(b"\x07" * 32)),), shc_state=state, mdc_hashes={1: b"\x0c" * 32})
    assert "anchor_consistency" in violated(w)


def test_attribute_privacy(world: props.World) -> None:
    state: dict[bytes, Any] = dict(world.shc_state)
    state[b"note"] = b"holder of cardiology@1"
    assert violated(attrs.evolve(world, shc_state=state)) == {"attribute_privacy"}


def test_authenticity_unsigned(world: props.World) -> None:
    g = world.group
    pk = (g.g2() * 5).to_bytes()
    certs = {SHC: {"ri1": CertEntry(pk, 0, 10, b"\x00" * 48, False)}}
    w = attrs.evolve(world, authority_pk=(g.g2() * 7).to_bytes(), genesis_certs=certs,
                     shc_txs=((1, request(b"\x08" * 32)),), mdc_hashes={})
    assert "authenticity" in violated(w)
