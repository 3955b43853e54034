"""Invitations (giấy mời): one A4 page per delegate of a conference, guests
included, each with the QR code and the code the staff check them in by.

A batch is one HTML document with a page break between invitations; a
batch bigger than ``REPORTS_CHUNK_SIZE`` is cut into chunks of whole
invitations that workers render in parallel and the job merges in order.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import Conference, Tier
from delegates.models import Category, Delegate, Gender
from delegates.selectors.delegates import DelegateFilters, delegate_list, delegate_unit
from units.models import Unit
from units.text import fold

from ..exporters import ConferenceForm, Params, PdfExporter, Target, load_conference
from ..forms import ExporterForm, IdField, NumberField, with_messages
from ..letterhead import letterhead_for

# The time line names the weekday as Vietnamese does ("Thứ Hai" … "Chủ
# Nhật"); a whole phrase per weekday, so that each language orders it.
WEEKDAY_LINES = (
    gettext_lazy("at %(hour)s:%(minute)s on Monday, %(date)s"),
    gettext_lazy("at %(hour)s:%(minute)s on Tuesday, %(date)s"),
    gettext_lazy("at %(hour)s:%(minute)s on Wednesday, %(date)s"),
    gettext_lazy("at %(hour)s:%(minute)s on Thursday, %(date)s"),
    gettext_lazy("at %(hour)s:%(minute)s on Friday, %(date)s"),
    gettext_lazy("at %(hour)s:%(minute)s on Saturday, %(date)s"),
    gettext_lazy("at %(hour)s:%(minute)s on Sunday, %(date)s"),
)
# A longer note would push the invitation onto a second page.
NOTE_MAX_CHARS = 400


@dataclass(frozen=True)
class Invitation:
    """What one page says to one delegate."""

    salutation: str  # "Ông", "Bà", or "Ông/Bà" when the gender is unknown
    name: str
    position: str
    organisation: str
    code: str
    check_in_url: str


def salutation(delegate: Delegate) -> str:
    """Ông for a man, Bà for a woman; guests outside the register have no
    gender recorded: Ông/Bà."""
    person = delegate.person
    if person is not None and person.gender == Gender.MALE:
        return _("Mr.")
    if person is not None and person.gender == Gender.FEMALE:
        return _("Ms.")
    return _("Mr./Ms.")


def check_in_url(conference: Conference, code: str) -> str:
    """The absolute address the invitation's QR code opens: the check-in
    page with the delegate's code filled in."""
    path = reverse("delegates:check_in", args=[conference.pk])
    return f"{settings.SITE_URL.rstrip('/')}{path}?{urlencode({'code': code})}"


def invitation_for(conference: Conference, delegate: Delegate) -> Invitation:
    person = delegate.person
    if person is None:
        position, organisation = delegate.guest_title, delegate.guest_organisation
    else:
        unit = delegate_unit(delegate)
        position = delegate.guest_title or person.position
        organisation = delegate.guest_organisation or (unit.name if unit is not None else "")
    return Invitation(
        salutation=salutation(delegate),
        name=delegate.name,
        position=position,
        organisation=organisation,
        code=delegate.check_in_code,
        check_in_url=check_in_url(conference, delegate.check_in_code),
    )


def summary_line(conference: Conference) -> str:
    """The line under the title: "Dự Hội nghị điển hình tiên tiến cấp trên
    cơ sở giai đoạn 2016–2020" (the Congress's name says its cycle)."""
    tier = conference.tier
    if tier.level == Tier.Level.CONGRESS:
        return _("Attending the %(conference)s") % {"conference": tier.name}
    return _("Attending the %(conference)s, period %(period)s") % {
        "conference": tier.name,
        "period": tier.cycle.period_label,
    }


def time_line(conference: Conference) -> str:
    day = conference.date
    return str(WEEKDAY_LINES[day.weekday()]) % {
        "hour": f"{conference.start_time.hour:02d}",
        "minute": f"{conference.start_time.minute:02d}",
        "date": day.strftime("%d/%m/%Y"),
    }


def purpose_line(conference: Conference) -> str:
    """What the conference is: the tier's conference of the organising unit,
    on the way to the cycle's Congress (unless it is the Congress)."""
    tier = conference.tier
    if tier.level == Tier.Level.CONGRESS:
        return _("%(conference)s, organised by %(unit)s") % {
            "conference": tier.name,
            "unit": conference.unit.name,
        }
    return _("%(conference)s of %(unit)s, period %(period)s, on the way to the %(congress)s") % {
        "conference": tier.name,
        "unit": conference.unit.name,
        "period": tier.cycle.period_label,
        "congress": tier.cycle.congress_name,
    }


def note_text(conference: Conference) -> str:
    note = " ".join(conference.note.split())
    if not note:
        return _(
            "Please arrive 15 minutes early and bring this invitation: its code checks you in."
        )
    if len(note) > NOTE_MAX_CHARS:
        note = note[: NOTE_MAX_CHARS - 1].rstrip() + "…"
    return note


def selected_delegates(
    conference: Conference, params: Params, *, unit: Unit | None
) -> list[Delegate]:
    """The delegates invited, in protocol order (category, then units in
    tree order): those of ``params["category"]``, of ``unit`` and the units
    under it (as the delegate list filters them), or the one delegate
    ``params["delegate"]``. Two queries."""
    filters = DelegateFilters(category=params.get("category") or "", unit=unit)
    delegates = delegate_list(conference, filters=filters).shown
    if params.get("delegate"):
        delegates = [delegate for delegate in delegates if delegate.pk == params["delegate"]]
    return delegates


NOT_OF_THE_CONFERENCE = gettext_lazy("This unit does not take part in this conference.")


class InvitationsForm(ConferenceForm):
    """The conference; every delegate, those of a category, of a unit and
    the units below it, or one delegate (by id)."""

    category = with_messages(
        forms.ChoiceField(required=False, choices=[("", ""), *Category.choices]),
        invalid_choice=gettext_lazy("“%(value)s” is not a delegate category."),
    )
    unit = with_messages(
        IdField(queryset=Unit.objects.none(), required=False),
        invalid_choice=NOT_OF_THE_CONFERENCE,
    )
    delegate = NumberField(required=False)

    def setup(self) -> None:
        super().setup()
        self.narrow("unit", Unit.objects.only("pk", "path", "hierarchy_id", "name"))

    def clean_unit(self) -> Unit | None:
        unit, conference = self.cleaned_data["unit"], self.cleaned_data.get("conference")
        if unit is None or conference is None:
            return unit
        if not Unit.objects.subtree_of(conference.unit).filter(pk=unit.pk).exists():
            raise ValidationError(NOT_OF_THE_CONFERENCE, code="outside")
        return unit


class InvitationsPdf(PdfExporter):
    """Invitations to a conference: every delegate, those of a category, of
    a unit and the units below it, or one delegate."""

    identifier = "invitations_pdf"
    verbose_name = gettext_lazy("Invitations (PDF)")
    template_name = "reports/pdf/invitations.html"

    form_class = InvitationsForm

    def target_of(self, form: ExporterForm) -> Target:
        data = form.cleaned_data
        conference, unit = data["conference"], data["unit"]
        cleaned: Params = {"conference": conference.pk}
        asked: list[str] = []
        if data["category"]:
            cleaned["category"] = data["category"]
            asked.append(str(Category(data["category"]).label))
        if unit is not None:
            cleaned["unit"] = unit.pk
            asked.append(unit.name)
        delegate_pk = data["delegate"]
        if delegate_pk is not None:
            cleaned["delegate"] = delegate_pk
        invited = selected_delegates(conference, cleaned, unit=unit)
        if delegate_pk is not None:
            if not invited:
                raise ValidationError(_("This person is not a delegate of this conference."))
            asked.append(invited[0].name)
        elif not invited:
            raise ValidationError(_("No delegate to invite: the list is empty."))

        title = _("Invitations: %(conference)s") % {"conference": conference}
        if asked:
            title = f"{title} ({', '.join(asked)})"
        return Target(unit=conference.unit, title=title, params=cleaned)

    def context(self, params: Params) -> dict[str, Any]:
        """Constant queries: the conference, the filter's unit, the list
        (two) and the letterhead's signer."""
        conference = load_conference(params)
        unit = None
        if params.get("unit"):
            unit = Unit.objects.only("pk", "path", "hierarchy_id", "name").get(pk=params["unit"])
        delegates = selected_delegates(conference, params, unit=unit)
        if not delegates:
            raise ValidationError(_("No delegate to invite: the list is empty."))
        return {
            "document_title": _("Invitation"),
            "conference": conference,
            "unit": unit,
            "letterhead": letterhead_for(conference.unit, symbol="GM"),
            "summary": summary_line(conference),
            "purpose": purpose_line(conference),
            "time": time_line(conference),
            "note": note_text(conference),
            "recipients": [_("As above")],
            "invitations": [invitation_for(conference, delegate) for delegate in delegates],
        }

    def chunk_contexts(self, context: dict[str, Any]) -> list[dict[str, Any]]:
        """Whole invitations, ``REPORTS_CHUNK_SIZE`` a chunk, in order."""
        invitations = context["invitations"]
        size = max(1, settings.REPORTS_CHUNK_SIZE)
        if len(invitations) <= size:
            return [context]
        return [
            {**context, "invitations": invitations[start : start + size]}
            for start in range(0, len(invitations), size)
        ]

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        """E.g. "giay-moi-bhxh-tp-ho-chi-minh-dai-bieu-khach-moi.pdf": what
        was asked, in ASCII."""
        conference = context["conference"]
        parts = ["giay-moi", conference.unit.name]
        if params.get("category"):
            parts.append(str(Category(params["category"]).label))
        if context["unit"] is not None and context["unit"].pk != conference.unit_id:
            parts.append(context["unit"].name)
        if params.get("delegate"):
            parts.append(context["invitations"][0].name)
        return f"{slugify(fold(' '.join(parts)))}.pdf"
