"""People, delegates, quota allocations and elections, one module per
sub-domain; every model is listed here, so ``from delegates.models import
Person`` is the way to reach them (and the migrations find
``new_check_in_code`` here).

A person is one record across all tiers (``people``); a delegate is a person
(or, for guests, a name) attending one conference in one category
(``delegates``). Elected seats of a conference are shared among the units
below by an ``Allocation`` (``quotas``), which binds the ``Election`` each
unit below holds (``elections``).
"""

from .delegates import (
    CHECK_IN_ALPHABET,
    CHECK_IN_CODE_LENGTH,
    Category,
    CompositionRules,
    Delegate,
    new_check_in_code,
)
from .elections import Candidate, Election, ElectionRound, Replacement, RoundCandidate
from .people import (
    ETHNIC_MINORITY,
    EXEMPLAR,
    KINH,
    TITLE_SHORT_LABELS,
    CouncilRole,
    EmulationTitle,
    Gender,
    Person,
    Rank,
)
from .quotas import Allocation, AllocationLine

__all__ = [
    "CHECK_IN_ALPHABET",
    "CHECK_IN_CODE_LENGTH",
    "ETHNIC_MINORITY",
    "EXEMPLAR",
    "KINH",
    "TITLE_SHORT_LABELS",
    "Allocation",
    "AllocationLine",
    "Candidate",
    "Category",
    "CompositionRules",
    "CouncilRole",
    "Delegate",
    "Election",
    "ElectionRound",
    "EmulationTitle",
    "Gender",
    "Person",
    "Rank",
    "Replacement",
    "RoundCandidate",
    "new_check_in_code",
]
