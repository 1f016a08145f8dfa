"""Mutant: attribute matching that ignores key epochs, so a key for irb@1 is used for irb@2 (revocation by
epoch stops working)."""

from __future__ import annotations

from typing import Any

from ...spec.crypto import fame
from ...spec.policy import split_epoch
from ._fame_common import decode


def decrypt(inp: dict[str, Any]) -> dict[str, Any]:
    G, sk, ct = decode(inp)
    wanted = set(ct.policy.lsss.labels)
    items = dict(sk.attributes)
    for name, comp in sk.attributes:
        for label in wanted:
            if label not in items and split_epoch(label)[0] == split_epoch(name)[0]:
                items[label] = comp
    widened = fame.AttributeKey(sk.k0, tuple(sorted(items.items())), sk.kp)
    return {"kemKey": "0x" + fame.decrypt(G, widened, ct).to_bytes().hex()}


MUTANT = {
    "name": "fame_epoch_ignored",
    "description": "matches key attributes to policy attributes by name without the @epoch",
    "bugType": "REVOCATION_BYPASS",
    "overrides": {"crypto.fame.decrypt": decrypt},
}
