"""The seeded PBFT fault campaign (reference/chain/campaign.py).

Each schedule is reproduced from its seed: n = 4 validators, up to f = 1 Byzantine (equivocating, silent,
bad signatures, replaying), message loss, duplication, reordering, partitions and crash-restarts at random
points. Safety and durability must hold in every schedule. With f + 1 = 2 Byzantine validators the campaign
must find a violation (the bound is tight and the checker bites). Sizes: 100 schedules by default, 1,000 with
HYPOTHESIS_PROFILE=ci, 10,000 with HYPOTHESIS_PROFILE=thorough (or MEDSHARE_CAMPAIGN=N).
"""

from __future__ import annotations

import os

import pytest
from medshare.reference.chain.campaign import run_schedule

SIZES = {"ci": 1000, "thorough": 10_000}


def _size() -> int:
    if "MEDSHARE_CAMPAIGN" in os.environ:
        return int(os.environ["MEDSHARE_CAMPAIGN"])
    return SIZES.get(os.environ.get("HYPOTHESIS_PROFILE", ""), 100)


def test_a_schedule_reproduces_from_its_seed() -> None:
    for seed in (3, 11):
        a, b = run_schedule(seed), run_schedule(seed)
        assert (a.heights, a.messages, a.ticks, a.crashes, a.rejected, a.views) == \
            (b.heights, b.messages, b.ticks, b.crashes, b.rejected, b.views)


@pytest.mark.slow
def test_campaign_with_at_most_f_byzantine_is_safe() -> None:
    n = _size()
    failures = []
    committed = 0
    for seed in range(n):
        r = run_schedule(seed)
        committed += r.committed_txs
        if r.violations:
            failures.append(r.violations)
    assert not failures, f"{len(failures)} of {n} schedules violate safety: {failures[:3]}"
    assert committed > 3 * n  # the schedules do commit (on average more than half of the 6 transactions)


def test_campaign_with_f_plus_one_byzantine_finds_a_violation() -> None:
    for seed in range(200):
        r = run_schedule(seed, byzantine=2)
        if r.violations:
            assert "committed different blocks" in r.violations[0]
            print(f"f+1 violation found: {r.violations[0]} (reproduce: run_schedule({seed}, byzantine=2))")
            return
    pytest.fail("no violation found with f + 1 Byzantine validators in 200 schedules")
