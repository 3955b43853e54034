"""Reads of the reports app: what printing staff still have to generate,
for their home (``congress.todo``, registered in ``ReportsConfig.ready``).

A conference's invitations, or its delegate list, count as generated once a
job of the whole conference (no category, unit or delegate chosen)
finished: by anyone, since the file is shared by its checksum.
"""

from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from congress.models import Conference
from congress.selectors import visible_conferences
from congress.todo import SHOWN, Entry, ToDo
from delegates.models import Delegate
from units.models import User

from .models import DocumentJob

# A job that chose part of the list is not the conference's whole document.
PART_OF_THE_LIST = ("category", "unit", "delegate")


def whole_conference_jobs(exporters: tuple[str, ...]) -> QuerySet:
    """Finished jobs of ``exporters`` for a whole conference, with
    ``conference_key``: the conference's id as text."""
    return (
        DocumentJob.objects.filter(exporter__in=exporters, status=DocumentJob.Status.DONE)
        .exclude(params__has_any_keys=PART_OF_THE_LIST)
        .annotate(conference_key=KT("params__conference"))
    )


def conferences_to_print(user: User) -> QuerySet:
    """The conferences the user may see, not held yet, that have delegates,
    each with ``has_invitations`` and ``has_delegate_list``, soonest first."""
    # Imported here, as the registry does: the documents import every app.
    from .documents.invitations import InvitationsPdf
    from .documents.lists import DelegateListPdf, DelegateListXlsx

    invitations = (InvitationsPdf.identifier,)
    delegate_lists = (DelegateListPdf.identifier, DelegateListXlsx.identifier)
    key = Cast(OuterRef("pk"), output_field=CharField())
    return (
        visible_conferences(user)
        .exclude(status__in=[Conference.Status.HELD, Conference.Status.CLOSED])
        .filter(Exists(Delegate.objects.filter(conference=OuterRef("pk"))))
        .annotate(
            has_invitations=Exists(whole_conference_jobs(invitations).filter(conference_key=key)),
            has_delegate_list=Exists(
                whole_conference_jobs(delegate_lists).filter(conference_key=key)
            ),
        )
        .order_by("date", "start_time", "pk")
    )


def _item(rows: QuerySet, *, key: str, label, position: int) -> ToDo:
    shown = list(rows[:SHOWN])
    return ToDo(
        key=key,
        label=label,
        count=rows.count(),
        url="",
        position=position,
        entries=[
            Entry(
                label=c.unit.name,
                detail=c.tier.name,
                url=reverse("delegates:delegate_list", args=[c.pk]),
                since=c.date,
            )
            for c in shown
        ],
    )


def printer_items(user: User, cycle) -> list[ToDo]:
    """The conferences whose invitations, and those whose delegate list,
    have not been generated yet: four queries."""
    rows = conferences_to_print(user)
    return [
        _item(
            rows.filter(has_invitations=False),
            key="invitations_to_generate",
            label=_("Invitations to generate"),
            position=10,
        ),
        _item(
            rows.filter(has_delegate_list=False),
            key="delegate_lists_to_generate",
            label=_("Delegate lists to generate"),
            position=20,
        ),
    ]
