"""Mutant: DEVICE_REVOKE makes its checks but records nothing, so a device stays registered as unrevoked and its
institution goes on accepting its readings."""

from __future__ import annotations

from typing import Any
from unittest import mock

from ...spec.chain import state as chain_state
from ..ops.chain import OPS


def _checks_only(config: Any, state: Any, tx: Any) -> None:
    chain_state.apply_device_revoke(config, chain_state._Overlay(state), tx)  # its writes go nowhere


def _run(inp: dict[str, Any]) -> dict[str, Any]:
    with mock.patch.dict(chain_state.RULES, {"DEVICE_REVOKE": _checks_only}):
        return OPS["chain.mdc.apply"](inp)


MUTANT = {
    "name": "chain_device_revocation_unrecorded",
    "description": "a device revocation is accepted but not recorded in the device entry",
    "bugType": "REVOCATION_IGNORED",
    "overrides": {"chain.mdc.apply": _run},
}
