"""Z3: LSSS reconstruction for S holds exactly when S satisfies the policy (reference/z3checks/lsss.py)."""

from __future__ import annotations

import pytest
from medshare.reference.z3checks import lsss as z3lsss
from medshare.spec.policy import canonical_text


def test_enumeration_covers_every_shape() -> None:
    policies = z3lsss.enumerate_policies()
    texts = {canonical_text(p) for p in policies}
    assert len(texts) == len(policies) == 555
    for expected in ("a", "a and b", "a or a", "2 of (a, b, c)", "2 of (a, a, b)", "a or (b and c)",
                     "(a or b) and (a or c)", "2 of (a, b and c, c)", "3 of (a, a, b, c)"):
        assert expected in texts


def test_lsss_reconstructs_exactly_for_satisfying_sets() -> None:
    report = z3lsss.check_lsss()
    assert report.ok, report.mismatches[:5]
    assert report.queries == 555 * 8


@pytest.mark.parametrize("name", sorted(z3lsss.WRONG_CONVERSIONS))
def test_wrong_conversion_is_caught(name: str) -> None:
    report = z3lsss.check_lsss(convert=z3lsss.WRONG_CONVERSIONS[name], stop_after=1)
    assert not report.ok
    _policy, _subset, satisfied, reconstructs = report.mismatches[0]
    assert satisfied != reconstructs
