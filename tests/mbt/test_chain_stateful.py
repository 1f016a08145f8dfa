"""Model-based test: random transaction sequences go to four SQLite validator nodes (PBFT over an in-order
network) and to the spec state machine; after every block their state roots agree, and the nodes include
exactly the transactions the spec accepts."""

from __future__ import annotations

import tempfile
from collections import deque
from functools import lru_cache
from pathlib import Path

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from medshare.reference.chain.deploy import validator_signers
from medshare.reference.chain.node import ValidatorNode
from medshare.reference.testbed import Deployment, Workload, get_group, make_deployment
from medshare.spec.chain.codec import sha256
from medshare.spec.chain.merkle import state_root
from medshare.spec.chain.messages import ClientTx
from medshare.spec.chain.state import apply, apply_block, genesis_header, genesis_state
from medshare.spec.chain.tx import MDC, Transaction
from medshare.spec.errors import MedshareError

CACHE: dict[bytes, object] = {}
SHM = Path("/dev/shm") if Path("/dev/shm").is_dir() else None


@lru_cache(maxsize=1)
def deployment() -> Deployment:
    return make_deployment(get_group("native"), "mbt", cache=CACHE)


@lru_cache(maxsize=1)
def workload() -> Workload:
    return Workload(deployment(), "mbt")


@lru_cache(maxsize=256)
def make_tx(kind: str, who: int, label: int) -> Transaction:
    """A small universe of transactions (valid or not depending on what came before), signed once."""
    w = workload()
    sender = f"mdc-v{who}"
    rid = sha256(b"rec", bytes([label]))
    if kind == "register":
        return w.register(MDC, f"mi-{label}", "MI")[0]
    if kind == "publish":
        return w.tx(MDC, "RECORD_PUBLISH", sender, record_id=rid, patient=f"p{label}", policy="a AND b",
                    blob_hash=sha256(b"blob", rid), capsule=b"c" * 8, data_commitment=sha256(b"d", rid),
                    payload=b"")
    if kind == "revoke":
        return w.tx(MDC, "RECORD_REVOKE", sender, record_id=rid)
    if kind == "device":
        return w.tx(MDC, "DEVICE_REGISTER", sender, device=f"dev-{label}", ibe_identity=f"dev-{label}@{sender}")
    if kind == "forged":
        return attrs.evolve(w.tx(MDC, "DEVICE_REGISTER", sender, device=f"forged-{label}", ibe_identity="x"),
                            signature=make_tx("device", (who + 1) % 4, label).signature)
    raise AssertionError(kind)


class ChainMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dep = deployment()
        self.cfg = self.dep.mdc
        self.tmp = tempfile.TemporaryDirectory(prefix="medshare-mbt-", dir=SHM)
        self.nodes = [ValidatorNode(Path(self.tmp.name) / f"n{i}.sqlite", self.cfg, i, s)
                      for i, s in enumerate(validator_signers(self.dep, self.cfg))]
        self.spec_state = genesis_state(self.cfg.chain)
        self.spec_head = genesis_header(self.cfg.chain)
        self.pending: list[Transaction] = []
        self.model_accepts: list[bytes] = []  # tx hashes the spec accepts, applied one by one in order
        self.model_state = genesis_state(self.cfg.chain)

    @rule(kind=st.sampled_from(["register", "publish", "revoke", "device", "forged"]), who=st.integers(0, 3),
          label=st.integers(0, 5))
    def submit(self, kind: str, who: int, label: int) -> None:
        tx = make_tx(kind, who, label)
        self.pending.append(tx)

    @precondition(lambda self: bool(self.pending))
    @rule()
    def seal(self) -> None:
        inbox: deque = deque()  # type: ignore[type-arg]
        for tx in self.pending:
            inbox.extend((i, ClientTx(tx)) for i in range(4))
            try:  # the sequential model: the spec's verdict on each transaction, in submission order
                nxt = apply(self.cfg.chain, self.model_state, tx)
                self.model_state = nxt
                self.model_accepts.append(tx.tx_hash())
            except MedshareError:
                pass
        self.pending = []
        while inbox:
            dst, msg = inbox.popleft()
            try:
                out = self.nodes[dst].handle(msg)
            except MedshareError:
                continue
            for block, _ in self.nodes[dst].last_committed if dst == 0 else []:
                self.spec_state = apply_block(self.cfg.chain, self.spec_state, self.spec_head, block)
                self.spec_head = block.header
                assert state_root(self.spec_state) == block.header.state_root
                assert self.nodes[0].state_root() == state_root(self.spec_state)
            for d, m in out:
                inbox.extend((t, m) for t in ([d] if d is not None else [i for i in range(4) if i != dst]))

    @invariant()
    def nodes_agree_with_the_spec(self) -> None:
        roots = {n.state_root() for n in self.nodes}
        assert roots == {state_root(self.spec_state)}
        assert {n.replica.head for n in self.nodes} == {self.spec_head}
        included = [tx.tx_hash() for b, _ in self.nodes[0].replica.chain for tx in b.txs]
        assert included == self.model_accepts[: len(included)]
        if not self.pending:
            assert included == self.model_accepts

    def teardown(self) -> None:
        for n in self.nodes:
            n.close()
        self.tmp.cleanup()


ChainMachine.TestCase.settings = settings(stateful_step_count=12, deadline=None)
test_chain_stateful = ChainMachine.TestCase
