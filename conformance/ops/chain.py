"""Conformance operations of the two chains (spec/chain/chain.md): state-machine traces of MDC and SHC, and
the anchoring checks.

* ``chain.mdc.apply`` / ``chain.shc.apply`` (traces) — input ``{config, initial: {state}, steps}``; actions
  ``apply {tx}`` (one transaction at the state's chain time), ``advance {}`` (chain time + 1) and
  ``applyBlock {parent, block}``; each step answers ``{result, error?, stateRoot?}``; an invalid step leaves
  the state unchanged.
* ``chain.anchor.relay`` — ``{config, anchors, header, certificate}`` -> the anchor entry SHC would store.
* ``chain.anchor.reference`` — ``{anchors, mdcHeight, recordId, recordEntry, proof}`` -> the proven record.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ...spec.chain import auth
from ...spec.chain.anchor import anchor_key, verify_record_ref, verify_relay
from ...spec.chain.block import Block, Header
from ...spec.chain.codec import from_hex, to_hex, u64
from ...spec.chain.entries import AnchorEntry
from ...spec.chain.merkle import state_root
from ...spec.chain.state import HEIGHT_KEY, ChainConfig, GenesisEntity, State, apply, apply_block, height_of
from ...spec.chain.tx import MDC, SHC, Transaction
from ...spec.codec import U64_MAX, json_decimal, json_int
from ...spec.errors import MedshareError, fail
from ...spec.group import PairingGroup


@lru_cache(maxsize=1)
def _group() -> PairingGroup:
    from ...reference.testbed import get_group
    return get_group("native")


def _obj(x: Any, keys: set[str]) -> dict[str, Any]:
    if not isinstance(x, dict) or not keys <= set(x):
        fail("BAD_JSON", f"expected an object with {sorted(keys)}")
    return x


def _int(x: Any) -> int:
    return json_int(x, "an integer field")


def identity_to_json(i: auth.Identity) -> dict[str, Any]:
    return {"identity": i.identity, "publicKey": to_hex(i.public_key), "periodStart": i.period_start,
            "periodEnd": i.period_end}


def _identity(x: Any) -> auth.Identity:
    o = _obj(x, {"identity", "publicKey", "periodStart", "periodEnd"})
    return auth.Identity(str(o["identity"]), from_hex(o["publicKey"], 96), _int(o["periodStart"]),
                         _int(o["periodEnd"]))


def config_to_json(c: ChainConfig) -> dict[str, Any]:
    """The configuration's JSON form; ``circuitKeys`` (circuit -> verifying-key hash) only when the genesis
    commits to some."""
    out = {"chainId": c.chain_id, "chain": c.chain, "authority": c.authority,
           "authorityPk": to_hex(c.authority_pk),
           "genesis": [{"identity": e.identity, "role": e.role, "publicKey": to_hex(e.public_key),
                        "periodStart": e.period_start, "periodEnd": e.period_end} for e in c.genesis],
           "validators": [identity_to_json(v) for v in c.validators], "mdcChainId": c.mdc_chain_id,
           "mdcValidators": [identity_to_json(v) for v in c.mdc_validators]}
    if c.circuit_keys:
        out["circuitKeys"] = {name: to_hex(digest) for name, digest in c.circuit_keys}
    return out


_CONFIGS: dict[str, ChainConfig] = {}


def config_from_json(x: Any) -> ChainConfig:
    import json
    key = json.dumps(x, sort_keys=True)
    if key in _CONFIGS:
        return _CONFIGS[key]
    o = _obj(x, {"chainId", "chain", "authority", "authorityPk", "genesis", "validators", "mdcChainId",
                 "mdcValidators"})
    if o["chain"] not in (MDC, SHC) or not all(isinstance(o[k], list) for k in ("genesis", "validators",
                                                                                  "mdcValidators")):
        fail("BAD_JSON", "chain must be MDC or SHC; genesis and validators are lists")
    if not o["validators"]:
        fail("BAD_JSON", "a chain has at least one validator")
    genesis = tuple(GenesisEntity(str(e["identity"]), str(e["role"]), from_hex(e["publicKey"], 96),
                                  _int(e["periodStart"]), _int(e["periodEnd"]))
                    for e in (_obj(e, {"identity", "role", "publicKey", "periodStart", "periodEnd"})
                              for e in o["genesis"]))
    circuits = o.get("circuitKeys", {})
    if not isinstance(circuits, dict) or not all(isinstance(name, str) for name in circuits):
        fail("BAD_JSON", "circuitKeys maps circuit names to verifying-key hashes")
    if len(_CONFIGS) >= 64:  # a long-running adapter sees few configurations; keep the cache bounded anyway
        _CONFIGS.clear()
    cfg = ChainConfig(str(o["chainId"]), o["chain"], _group(), str(o["authority"]),
                      from_hex(o["authorityPk"], 96), genesis, tuple(_identity(v) for v in o["validators"]),
                      mdc_chain_id=str(o["mdcChainId"]),
                      mdc_validators=tuple(_identity(v) for v in o["mdcValidators"]), cache={},
                      circuit_keys=tuple(sorted((name, from_hex(h, 32)) for name, h in circuits.items())))
    _CONFIGS[key] = cfg
    return cfg


def state_to_json(s: State) -> dict[str, str]:
    return {to_hex(k): to_hex(v) for k, v in sorted(s.items())}


def _state(x: Any) -> dict[bytes, bytes]:
    if not isinstance(x, dict):
        fail("BAD_JSON", "a state is an object of hex keys to hex values")
    s = {from_hex(k): from_hex(v) for k, v in x.items()}
    if HEIGHT_KEY not in s:
        fail("BAD_JSON", "a state holds meta/height")
    return s


def _step(cfg: ChainConfig, state: State, action: Any, args: Any) -> State:
    if action == "apply":
        return apply(cfg, state, Transaction.from_json(_obj(args, {"tx"})["tx"]))
    if action == "advance":
        out = dict(state)
        out[HEIGHT_KEY] = u64(height_of(state) + 1)
        return out
    if action == "applyBlock":
        a = _obj(args, {"parent", "block"})
        return apply_block(cfg, state, Header.from_json(a["parent"]), Block.from_json(a["block"]))
    fail("BAD_JSON", f"unknown action {action!r}")


def _trace(chain: str, inp: dict[str, Any], cfg: ChainConfig | None = None) -> dict[str, Any]:
    """Run a trace; ``cfg`` (default: from the input's config) lets the protocol ops register its predicates."""
    o = _obj(inp, {"config", "initial", "steps"})
    cfg = config_from_json(o["config"]) if cfg is None else cfg
    if cfg.chain != chain:
        fail("BAD_JSON", f"this operation runs the {chain} rules")
    state: State = _state(_obj(o["initial"], {"state"})["state"])
    if not isinstance(o["steps"], list):
        fail("BAD_JSON", "steps is a list")
    results: list[dict[str, Any]] = []
    for st in o["steps"]:
        try:
            s = _obj(st, {"action", "args"})
            state = _step(cfg, state, s["action"], s["args"])
            results.append({"result": "valid", "stateRoot": to_hex(state_root(state))})
        except MedshareError as e:
            results.append({"result": "invalid", "error": e.code})
    return {"steps": results}


def mdc_apply(inp: dict[str, Any]) -> dict[str, Any]:
    return _trace(MDC, inp)


def shc_apply(inp: dict[str, Any]) -> dict[str, Any]:
    return _trace(SHC, inp)


def anchors_to_json(s: State) -> dict[str, dict[str, str]]:
    out = {}
    for k, v in s.items():
        if k.startswith(b"mdc/"):
            e = AnchorEntry.from_bytes(v)
            out[str(int.from_bytes(k[4:], "big"))] = {"blockHash": to_hex(e.block_hash),
                                                      "stateRoot": to_hex(e.state_root)}
    return out


def _anchors(x: Any) -> dict[bytes, bytes]:
    if not isinstance(x, dict):
        fail("BAD_JSON", "anchors: height -> {blockHash, stateRoot}")
    out: dict[bytes, bytes] = {}
    for h, e in x.items():
        height = json_int(json_decimal(h, "an anchor height", len(str(U64_MAX))), "an anchor height")
        e = _obj(e, {"blockHash", "stateRoot"})
        out[anchor_key(height)] = AnchorEntry(from_hex(e["blockHash"], 32), from_hex(e["stateRoot"], 32)).to_bytes()
    return out


def anchor_relay(inp: dict[str, Any]) -> dict[str, Any]:
    o = _obj(inp, {"config", "anchors", "header", "certificate"})
    cfg = config_from_json(o["config"])
    height, entry = verify_relay(cfg.group, cfg.authority_pk, cfg.mdc_chain_id, cfg.mdc_validators,
                                 _anchors(o["anchors"]), from_hex(o["header"]), from_hex(o["certificate"]),
                                 cfg.cache)
    return {"height": height, "blockHash": to_hex(entry.block_hash), "stateRoot": to_hex(entry.state_root)}


def anchor_reference(inp: dict[str, Any]) -> dict[str, Any]:
    o = _obj(inp, {"anchors", "mdcHeight", "recordId", "recordEntry", "proof"})
    rec = verify_record_ref(_anchors(o["anchors"]), _int(o["mdcHeight"]), from_hex(o["recordId"], 32),
                            from_hex(o["recordEntry"]), from_hex(o["proof"]))
    return {"owner": rec.owner, "policy": rec.policy, "blobHash": to_hex(rec.blob_hash), "revoked": rec.revoked}


OPS = {"chain.mdc.apply": mdc_apply, "chain.shc.apply": shc_apply, "chain.anchor.relay": anchor_relay,
       "chain.anchor.reference": anchor_reference}
