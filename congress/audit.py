"""The conferences app's models in the audit trail (``units.audit``): each
entry under the unit whose scope covers it; a conference's documents,
papers and activities also listed on the conference's page."""

from units.audit import track

from .models import (
    CommunicationActivity,
    Conference,
    ConferenceDocument,
    Cycle,
    OrganisationPlan,
    Paper,
    Tier,
    TierCapException,
    TierExemption,
)


def register() -> None:
    # Cycles and tiers are the council's and the administrators' (no unit).
    track(Cycle, unit=lambda _cycle: None)
    track(Tier, unit=lambda _tier: None)
    track(TierCapException, unit=lambda exception: exception.unit)
    track(TierExemption, unit=lambda exemption: exemption.unit)
    track(Conference, unit=lambda conference: conference.unit)
    # A stored file's path is never shown (files are served by their row,
    # to whoever may see it): its name, size and SHA-256 say which it was.
    stored = ["file", "content_type"]
    track(
        ConferenceDocument,
        unit=lambda document: document.conference.unit,
        within="conference",
        exclude=stored,
    )
    track(OrganisationPlan, unit=lambda plan: plan.unit, exclude=stored)
    track(Paper, unit=lambda paper: paper.conference.unit, within="conference")
    track(
        CommunicationActivity,
        unit=lambda activity: activity.conference.unit,
        within="conference",
    )
