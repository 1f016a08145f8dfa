"""Model-based testing at scale: TLC's simulation mode draws random behaviours of both models (models/mbt.py) and
every one is replayed against the executable spec, the model's guards checked at every step.

CI draws 200 behaviours of at most 30 steps per model; ``HYPOTHESIS_PROFILE=thorough`` draws 10,000. Sharing's
behaviours all run the full 30 steps (publications dropped and made again keep them going); PBFT's CI
configuration (one sequence number, views 0 and 1) has no behaviour longer than about 20 steps, so its traces
run to a final state."""

from __future__ import annotations

import os

import pytest
from medshare.models import mbt

pytestmark = [pytest.mark.peers]

TRACES, DEPTH = mbt.PROFILES["thorough" if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else "ci"]


@pytest.mark.parametrize("model", ["PBFT", "Sharing"])
def test_random_behaviours_replay_against_the_spec(model: str) -> None:
    r = mbt.run(model, traces=TRACES, depth=DEPTH, seed=1)
    print(f"\n{model}: {r['traces']} traces, {r['steps']} steps, {r['distinct_states']} distinct states, longest "
          f"{r['longest']}, {r['full_depth']} of depth {DEPTH}; TLC {r['tlc_seconds']} s, replay {r['replay_seconds']} s")
    assert r["ok"], r["diverged"][:5]
    assert r["traces"] == TRACES and r["steps"] >= TRACES
    if model == "Sharing":
        assert r["full_depth"] == TRACES and r["steps"] == TRACES * DEPTH
    else:
        assert r["longest"] >= 15
    assert r["distinct_states"] >= (500 if model == "Sharing" else 300)


def test_drawn_traces_carry_their_constants_and_actions() -> None:
    (trace,) = mbt.simulate(mbt.PLANS["Sharing"], traces=1, depth=12, seed=7)
    meta = trace["#meta"]
    assert meta["model"] == "Sharing" and meta["constants"]["MaxReq"] == 2 and meta["substitutions"] == {"Sat": "MCSat"}
    assert len(trace["states"]) == 13 and trace["states"][0]["act"] == {"name": "Init"}
    assert all(isinstance(s["act"]["name"], str) for s in trace["states"])
