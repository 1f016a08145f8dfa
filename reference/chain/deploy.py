"""Deployments of the two chains: the authority, validators, their CBS keys and certificates.

Keys come from the operating system's randomness unless a seed is given; a seed makes every key a function of
it, which only the vectors, the tests, the benchmarks and the demo want (and say so)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ...spec.chain import auth
from ...spec.chain.pbft import PbftConfig
from ...spec.chain.state import ChainConfig, GenesisEntity, PayloadRule
from ...spec.chain.tx import MDC, SHC, Transaction
from ...spec.group import PairingGroup
from ...spec.rng import RNG, DeterministicRNG, SystemRNG

FOREVER = 1 << 62
MDC_ID = "medshare-mdc"
SHC_ID = "medshare-shc"


@attrs.frozen
class Deployment:
    group: PairingGroup = attrs.field(repr=False)
    authority_keys: Any = attrs.field(repr=False)
    authority: auth.Signer
    signers: Mapping[str, auth.Signer] = attrs.field(repr=False)
    mdc: PbftConfig
    shc: PbftConfig
    #: where the keys came from: "operating system randomness", or "deterministic seed <seed> (not for production)"
    key_source: str = "operating system randomness"

    def signer(self, identity: str) -> auth.Signer:
        return self.signers[identity]

    def sign(self, tx: Transaction) -> Transaction:
        return auth.sign_tx(self.group, self.signers[tx.sender], tx)

    def new_signer(self, identity: str, rng: RNG, period: tuple[int, int] = (0, FOREVER)
                   ) -> auth.Signer:
        """A fresh key pair certified by the authority (the caller registers it on chain)."""
        from ...spec.crypto import cbs
        kp = cbs.keygen(self.group, rng.fork(identity))
        cert = cbs.certify(self.group, self.authority_keys, identity, kp.pk, cbs.Period(*period))
        return auth.Signer(identity, kp, cert)


def _identity(s: auth.Signer) -> auth.Identity:
    return auth.Identity(s.identity, s.public_key(), s.certificate.period.start, s.certificate.period.end)


def key_rng(seed: bytes | str | int | None) -> tuple[RNG, str]:
    """The generator a deployment's keys come from, and how to describe it: the operating system's CSPRNG for
    ``None``, else a seeded DeterministicRNG (every key then follows from the seed: not for production)."""
    if seed is None:
        return SystemRNG(), "operating system randomness"
    text = seed if not isinstance(seed, int) else str(seed)
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return DeterministicRNG(text), f"deterministic seed {shown} (not for production)"


def make_deployment(group: PairingGroup, seed: bytes | str | int | None = None, *, n_mdc: int = 4, n_shc: int = 4,
                    cache: auth.VerifyCache | None = None, checkpoint_interval: int = 2, window: int = 8,
                    max_batch: int = 512, payload_rules: Mapping[str, PayloadRule] | None = None,
                    circuit_keys: tuple[tuple[str, bytes], ...] = ()) -> Deployment:
    """An authority and n validators per chain (MDC validators are MIs; SHC validators are MIs, RIs and CPC
    nodes in turn), each with a key pair and a certificate valid for [0, 2^62). Keys from the operating
    system's randomness, or from ``seed`` (vectors, tests, benchmarks, the demo). SHC's genesis commits to
    ``circuit_keys`` (circuit name, verifying-key hash): the protocol's ``circuit_keys(vk)``."""
    from ...spec.crypto import cbs
    rng, source = key_rng(seed)
    ak = cbs.setup(group, rng.fork("authority"))
    signers: dict[str, auth.Signer] = {}

    def make(identity: str) -> auth.Signer:
        kp = cbs.keygen(group, rng.fork("key/" + identity))
        cert = cbs.certify(group, ak, identity, kp.pk, cbs.Period(0, FOREVER))
        signers[identity] = auth.Signer(identity, kp, cert)
        return signers[identity]

    authority = make("authority")
    mdc_vals = [make(f"mdc-v{i}") for i in range(n_mdc)]
    shc_roles = ["MI", "RI", "CPC"]
    shc_vals = [make(f"shc-v{i}") for i in range(n_shc)]
    apk = ak.pk.to_bytes()

    def genesis(vals: list[auth.Signer], roles: list[str]) -> tuple[GenesisEntity, ...]:
        out = [GenesisEntity("authority", "AUTHORITY", authority.public_key(), 0, FOREVER)]
        out += [GenesisEntity(v.identity, role, v.public_key(), 0, FOREVER) for v, role in zip(vals, roles)]
        return tuple(out)

    mdc_ids = tuple(_identity(v) for v in mdc_vals)
    rules = dict(payload_rules or {})
    mdc = ChainConfig(MDC_ID, MDC, group, "authority", apk, genesis(mdc_vals, ["MI"] * n_mdc), mdc_ids,
                      payload_rules=rules, cache=cache)
    shc = ChainConfig(SHC_ID, SHC, group, "authority", apk,
                      genesis(shc_vals, [shc_roles[i % 3] for i in range(n_shc)]),
                      tuple(_identity(v) for v in shc_vals), mdc_chain_id=MDC_ID, mdc_validators=mdc_ids,
                      payload_rules=rules, cache=cache, circuit_keys=tuple(sorted(circuit_keys)))
    kw = dict(checkpoint_interval=checkpoint_interval, window=window, max_batch=max_batch)
    return Deployment(group, ak, authority, signers, PbftConfig(mdc, **kw),  # type: ignore[arg-type]
                      PbftConfig(shc, **kw), source)  # type: ignore[arg-type]


def validator_signers(dep: Deployment, cfg: PbftConfig) -> list[auth.Signer]:
    return [dep.signers[v.identity] for v in cfg.chain.validators]
