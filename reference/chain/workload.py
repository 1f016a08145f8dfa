"""Signed transactions for both chains, built from a deployment: the building blocks of tests, trace vectors
and benchmarks."""

from __future__ import annotations

from typing import Any

from ...spec.chain import auth
from ...spec.chain.anchor import record_key
from ...spec.chain.block import Block, CommitCertificate, Header, vote_bytes
from ...spec.chain.codec import sha256
from ...spec.chain.merkle import prove_state
from ...spec.chain.state import ChainConfig, State, build_block, genesis_header, genesis_state
from ...spec.chain.tx import MDC, SHC, Transaction
from .deploy import FOREVER, Deployment, key_rng


class Workload:
    """Makes signed transactions; keeps per-sender nonces and the signers of entities it registered."""

    def __init__(self, dep: Deployment, seed: str | None = None) -> None:
        """Fresh keys of registered entities from the operating system's randomness, or from ``seed``."""
        self.dep = dep
        self.rng, self.key_source = key_rng(seed)
        self.nonces: dict[str, int] = {}
        self.signers: dict[str, auth.Signer] = dict(dep.signers)

    def tx(self, chain: str, kind: str, sender: str, /, **fields: Any) -> Transaction:
        nonce = self.nonces.get(sender, 0)
        self.nonces[sender] = nonce + 1
        return auth.sign_tx(self.dep.group, self.signers[sender], Transaction.make(chain, kind, sender, nonce,
                                                                                    **fields))

    def register(self, chain: str, identity: str, role: str, period: tuple[int, int] = (0, FOREVER)
                 ) -> list[Transaction]:
        """ENTITY_REGISTER and CERT_ISSUE by the authority for a fresh key pair of ``identity``."""
        if identity not in self.signers:
            self.signers[identity] = self.dep.new_signer(identity, self.rng, period)
        s = self.signers[identity]
        return [self.tx(chain, "ENTITY_REGISTER", "authority", identity=identity, role=role),
                self.tx(chain, "CERT_ISSUE", "authority", identity=identity, public_key=s.public_key(),
                        period_start=s.certificate.period.start, period_end=s.certificate.period.end,
                        sigma=s.certificate.sigma.to_bytes())]

    def publish(self, mi: str, label: str) -> Transaction:
        rid = sha256(b"record", label.encode())
        return self.tx(MDC, "RECORD_PUBLISH", mi, record_id=rid, patient=f"patient-{label}",
                       policy="(cardiology AND researcher) OR auditor", blob_hash=sha256(b"blob", rid),
                       capsule=sha256(b"capsule", rid) * 3, data_commitment=sha256(b"commit", rid),
                       payload=b"owner-signature:" + rid)

    def attribute_commit(self, ri: str, epoch: int) -> Transaction:
        return self.tx(SHC, "ATTRIBUTE_COMMIT", "authority", identity=ri, epoch=epoch,
                       commitment=sha256(b"attrs", ri.encode(), epoch.to_bytes(8, "big")), payload=b"")

    def relay(self, sender: str, block: Block, cert: CommitCertificate) -> Transaction:
        return self.tx(SHC, "MDC_HEADER_RELAY", sender, header=block.header.to_bytes(), certificate=cert.to_bytes())

    def request(self, ri: str, mdc_state: State, mdc_height: int, record_id: bytes, label: str) -> Transaction:
        key = record_key(record_id)
        proof = prove_state(mdc_state, key)
        return self.tx(SHC, "ACCESS_REQUEST", ri, request_id=sha256(b"request", label.encode()),
                       mdc_height=mdc_height, record_id=record_id, record_entry=mdc_state[key],
                       proof=proof.to_bytes(), nonce=sha256(b"nonce", label.encode()), payload=b"zk-proof")

    def grant(self, mi: str, request_id: bytes, label: str) -> Transaction:
        return self.tx(SHC, "GRANT", mi, grant_id=sha256(b"grant", label.encode()), request_id=request_id,
                       payload=b"kfrag-commitments")

    def receipt(self, cpc: str, grant_id: bytes) -> Transaction:
        return self.tx(SHC, "REENCRYPTION_RECEIPT", cpc, grant_id=grant_id, payload=b"cfrag-hash")


def certify(dep: Deployment, cfg: ChainConfig, block: Block, view: int = 0, signers: int = 3) -> CommitCertificate:
    """A commit certificate from the first ``signers`` validators."""
    msg = vote_bytes("COMMIT", cfg.chain_id, view, block.height, block.block_hash())
    sigs = tuple((i, auth.sign_vote(dep.group, dep.signers[cfg.validators[i].identity], msg, cache=cfg.cache))
                 for i in range(signers))
    return CommitCertificate(cfg.chain_id, view, block.height, block.block_hash(), sigs)


class Ledger:
    """A chain driven by the spec alone: blocks built by validator 0 in view 0."""

    def __init__(self, cfg: ChainConfig) -> None:
        self.cfg = cfg
        self.state: State = genesis_state(cfg)
        self.head: Header = genesis_header(cfg)
        self.blocks: list[Block] = []

    def seal(self, txs: list[Transaction]) -> tuple[Block, tuple[Transaction, ...]]:
        block, after, rejected = build_block(self.cfg, self.state, self.head, tuple(txs), 0)
        assert block is not None, rejected
        self.state, self.head = after, block.header
        self.blocks.append(block)
        return block, rejected
