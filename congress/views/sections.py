"""The fragments of a conference's page (documents, papers, communication):
the context each template fragment reads, built once for the page and for
the views that re-render it with a failed form."""

from congress import policy, selectors, services
from congress.forms import ConferenceDocumentForm
from congress.models import Conference, ConferenceDocument


def document_section(*, user, conference: Conference) -> dict:
    """Context of ``_conference_documents.html``."""
    versions = selectors.conference_documents(conference)
    may_upload = policy.may_change_records(user, conference)
    minutes_next = conference.awaits_closing
    return {
        # (kind, label, its uploads, whether closing waits for it)
        "document_groups": [
            (kind, label, versions[kind], kind == ConferenceDocument.Kind.MINUTES)
            for kind, label in ConferenceDocument.Kind.choices
        ],
        "has_minutes": bool(versions[ConferenceDocument.Kind.MINUTES]),
        "may_upload_documents": may_upload,
        "document_form": ConferenceDocumentForm(
            initial={
                "kind": ConferenceDocument.Kind.MINUTES
                if minutes_next
                else ConferenceDocument.Kind.SUMMARY_REPORT
            }
        )
        if may_upload
        else None,
    }


def conference_sections(*, user, conference: Conference) -> dict:
    """Context of the conference page's documents, papers and communication
    fragments (``ConferenceDetailView`` merges it)."""
    return {
        **document_section(user=user, conference=conference),
        **programme_section(user=user, conference=conference),
    }


def programme_section(*, user, conference: Conference) -> dict:
    """Context of ``_conference_papers.html`` and
    ``_conference_communication.html``."""
    may_edit = policy.may_change_records(user, conference)
    papers = list(selectors.conference_papers(conference))
    for paper in papers:
        paper.moves = (
            services.paper_moves(user=user, conference=conference, paper=paper) if may_edit else []
        )
    return {
        "papers": papers,
        "paper_room": selectors.paper_room(conference=conference, papers=papers),
        "may_edit_programme": may_edit,
        "activities": list(selectors.communication_activities(conference)),
    }
