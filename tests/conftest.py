"""Shared fixtures: both group backends, seeded RNGs, and the Hypothesis profiles (docs/design.md §8)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from medshare.reference.testbed import get_group
from medshare.spec.group import PairingGroup
from medshare.spec.rng import DeterministicRNG

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(params=["native", "pure"])
def group(request: pytest.FixtureRequest) -> PairingGroup:
    """Each backend in turn: tests written against the API run on both."""
    return get_group(request.param)


@pytest.fixture
def native() -> PairingGroup:
    return get_group("native")


@pytest.fixture
def pure() -> PairingGroup:
    return get_group("pure")


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> DeterministicRNG:
    """A seeded RNG named after the test, so every test draws its own reproducible stream."""
    return DeterministicRNG(request.node.nodeid.encode())
