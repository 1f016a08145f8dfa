"""Conformance operations of the sharing protocol (spec/protocol/protocol.md): traces of MDC and SHC with the
protocol's predicates registered (policy proofs, payload encodings).

* ``protocol.mdc.apply`` / ``protocol.shc.apply`` (traces) — input ``{config, vk, initial: {state}, steps}``:
  as ``chain.mdc.apply`` / ``chain.shc.apply``, with ``payload_rules(group, vk)`` in the chain configuration;
  ``vk`` is the policy circuit's Groth16 verifying key (JSON).
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from ...spec.chain.state import ChainConfig
from ...spec.chain.tx import MDC, SHC
from ...spec.errors import fail
from ...spec.protocol.protocol import payload_rules
from ...spec.zk import groth16
from .chain import _group, _trace, config_from_json

_CONFIGS: dict[str, ChainConfig] = {}


def protocol_config(config: Any, vk: Any) -> ChainConfig:
    """The chain configuration with the protocol's predicates registered (memoised by content)."""
    key = json.dumps([config, vk], sort_keys=True)
    if key not in _CONFIGS:
        base = config_from_json(config)
        _CONFIGS[key] = attrs.evolve(base, payload_rules=payload_rules(_group(), groth16.VerifyingKey.from_json(
            _group(), vk)))
    return _CONFIGS[key]


def _run(chain: str, inp: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(inp, dict) or not {"config", "vk", "initial", "steps"} <= set(inp):
        fail("BAD_JSON", "a protocol trace has config, vk, initial, steps")
    cfg = protocol_config(inp["config"], inp["vk"])
    return _trace(chain, inp, cfg)


def mdc_apply(inp: dict[str, Any]) -> dict[str, Any]:
    return _run(MDC, inp)


def shc_apply(inp: dict[str, Any]) -> dict[str, Any]:
    return _run(SHC, inp)


OPS = {"protocol.mdc.apply": mdc_apply, "protocol.shc.apply": shc_apply}
