"""Fixtures for delegates: the cycle V tiers on the small tree (shared
with tests/congress), and a tier-2 conference of each province."""

import pytest

from tests.congress.conftest import tiers  # noqa: F401 - re-exported fixture
from tests.factories import ConferenceFactory


@pytest.fixture
def hcm_upper(tree, tiers):  # noqa: F811
    """BHXH TP.HCM's tier-2 conference (cap 350 by exception)."""
    return ConferenceFactory(tier=tiers[2], unit=tree.hcm)


@pytest.fixture
def hanoi_upper(tree, tiers):  # noqa: F811
    """BHXH TP. Hà Nội's tier-2 conference (cap 300)."""
    return ConferenceFactory(tier=tiers[2], unit=tree.hanoi)
