"""The list sent up (danh sách trích ngang) of an election's elected
delegates (DOMAIN.md, "Elections on paper": "the conference above
receives the list of the elected with their short records"), as a Decree
30 PDF and as an .xlsx sheet.

One row per person who holds a seat of the confirmed election (those its
count elected, or since their substitutes: ``replace_elected``, a note
saying whom each replaces and why), with their short record
(year of birth, gender, ethnicity, position, unit, field of work), the
emulation titles they hold in the cycle's title years (those the official
lists use: ``delegates.selectors.delegates.title_years``), their exemplar
marks, and the votes and share of the valid ballots of the round that
elected them. The rows are in the list's order, as the candidates are
listed (``election_candidates``): by unit in tree order, rank, then
Vietnamese name order (given name first).

Who may ask for it is who may print on the electing conference's unit;
the election's id names nothing of an election the user may not see
(404). The list is sent up once the result is confirmed: before that, it
is refused.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import Conference
from delegates.composition import EXEMPLAR_MARKS, mark_label
from delegates.election_count import Line
from delegates.models import Election, EmulationTitle, Gender, Person
from delegates.selectors import elections as election_selectors
from delegates.selectors.delegates import title_years
from delegates.selectors.people import TitleHeld, titles_held
from units.permissions import visible_units

from ..exporters import Params, PdfExporter, Target, XlsxExporter, conference_name, file_stem
from ..forms import ExporterForm, IdField
from ..letterhead import Letterhead, letterhead_for
from ..xlsx import Cell, Column, Sheet

ELECTION_RELATED = (
    "conference__unit__parent",
    "conference__tier__cycle",
    "target__unit",
    "target__tier__cycle",
    "allocation",
)


# -- Parameters ------------------------------------------------------------------


class ElectedListForm(ExporterForm):
    """An election the user may see (404 otherwise), confirmed; the
    exporter asks PRINT on the electing conference's unit."""

    not_found = ("election",)

    election = IdField(queryset=Election.objects.none())

    def setup(self) -> None:
        self.narrow(
            "election",
            Election.objects.select_related(*ELECTION_RELATED).filter(
                conference__unit__in=visible_units(self.user)
            ),
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        election = data.get("election")
        if election is None or self.errors:
            return data
        if not election.is_confirmed:
            raise ValidationError(
                _(
                    "The list of the elected delegates is sent up once the result is "
                    "confirmed: confirm the election first."
                )
            )
        if election.allocation is None:
            # Confirmed before elections kept the version that bound them.
            raise ValidationError(
                _(
                    "The quota that bound this election is not known, so its count names "
                    "nobody elected: the list cannot be drawn from it."
                )
            )
        return data


# -- The rows, shared by the PDF and the sheet -------------------------------------


@dataclass(frozen=True)
class ElectedRow:
    """One elected delegate of the list. ``note`` is the last column's
    text (empty unless something is to be said of the row)."""

    number: int
    person_id: int
    name: str
    birth_year: int
    gender: str  # a Gender value
    gender_label: str
    ethnicity: str
    position: str
    unit: str
    field_of_work: str  # its label
    titles: tuple[TitleHeld, ...]
    marks: tuple[str, ...]  # the labels of the exemplar marks held
    votes: int
    percent: float  # share of the round's valid ballots, in per cent, two decimals
    round: int  # the round that elected them
    note: str = ""

    @property
    def male_birth_year(self) -> int | None:
        return self.birth_year if self.gender == Gender.MALE else None

    @property
    def female_birth_year(self) -> int | None:
        return self.birth_year if self.gender == Gender.FEMALE else None

    @property
    def share(self) -> str:
        """The share as offices write it: "66,67"."""
        return number_format(self.percent, decimal_pos=2)

    @property
    def round_label(self) -> str:
        """The round, written only for a run-off (round 1 goes unsaid)."""
        return str(self.round) if self.round > 1 else ""

    @property
    def titles_text(self) -> str:
        return "; ".join(str(title) for title in self.titles)

    @property
    def marks_text(self) -> str:
        return "; ".join(self.marks)


def marks_of(person: Person) -> tuple[str, ...]:
    """The exemplar marks of ``person``, as labels: the priorities among
    the elected (``EXEMPLAR_MARKS``), then the outstanding exemplar."""
    marks = [mark_label(mark) for mark in EXEMPLAR_MARKS if getattr(person, mark)]
    if person.is_exemplar:
        marks.append(_("Exemplar with outstanding achievements"))
    return tuple(marks)


def elected_rows(election: Election) -> list[ElectedRow]:
    """Those who hold ``election``'s seats, in the list's order (see the
    module): the people its count elects, each with the round that elected
    them and the votes and share in it, except those replaced since, whose
    substitutes stand with the round that put them next and a note of whom
    they replace and why. ``election`` comes with its conference's tier and
    cycle and its bound allocation selected; six queries, whatever the
    number elected (the quota, the candidates, the rounds and their
    entries, the replacements, the titles)."""
    binding = election_selectors.binding_allocation(election)
    quota = (
        election_selectors.seats_in(binding, election.conference.unit)
        if binding is not None
        else None
    )
    candidates = election_selectors.election_candidates(election)
    rounds = election_selectors.election_rounds(election)
    result = election_selectors.count_of(election, candidates, quota, rounds)
    replacements = election_selectors.replacements_of(election)
    seated = set(election_selectors.seated(result, replacements))
    standing = dict(result.elected_in)
    notes: dict[int, str] = {}
    for replacement in replacements:
        standing[replacement.substitute.person_id] = replacement.round.number
        notes[replacement.substitute.person_id] = _("Substitute for %(name)s: %(reason)s") % {
            "name": replacement.replaced.person.full_name,
            "reason": replacement.reason,
        }
    lines: dict[int, Line[int]] = {}
    for person_id, number in standing.items():
        count = result.rounds[number - 1].count
        if person_id in seated and count is not None:
            lines[person_id] = next(line for line in count.lines if line.key == person_id)
    elected = [c.person for c in candidates if c.person_id in lines]
    years = list(title_years(election.conference.tier.cycle))
    titles: dict[int, list[EmulationTitle]] = {person.pk: [] for person in elected}
    for title in EmulationTitle.objects.filter(person_id__in=list(titles), year__in=years):
        titles[title.person_id].append(title)
    return [
        ElectedRow(
            number=number,
            person_id=person.pk,
            name=person.full_name,
            birth_year=person.birth_year,
            gender=person.gender,
            gender_label=person.get_gender_display(),
            ethnicity=person.ethnicity,
            position=person.position,
            unit=person.unit.name,
            field_of_work=person.get_field_of_work_display(),
            titles=tuple(titles_held(titles[person.pk])),
            marks=marks_of(person),
            votes=lines[person.pk].votes,
            percent=lines[person.pk].percent,
            round=standing[person.pk],
            note=notes.get(person.pk, ""),
        )
        for number, person in enumerate(elected, start=1)
    ]


@dataclass(frozen=True)
class ElectedList:
    election: Election
    conference: Conference  # the electing conference
    conference_name: str
    target_name: str
    rows: list[ElectedRow]

    @property
    def has_runoff(self) -> bool:
        """Someone was elected by a run-off: the round column is shown."""
        return any(row.round > 1 for row in self.rows)

    @property
    def column_count(self) -> int:
        return 14 if self.has_runoff else 13

    @property
    def elected_at_line(self) -> str:
        return _("Elected at the %(conference)s") % {"conference": self.conference_name}

    @property
    def target_line(self) -> str:
        return _("To attend the %(conference)s") % {"conference": self.target_name}


def load_list(params: Params) -> ElectedList:
    """The election of a cleaned request with its rows."""
    election = Election.objects.select_related(*ELECTION_RELATED).get(pk=params["election"])
    return ElectedList(
        election=election,
        conference=election.conference,
        conference_name=conference_name(election.conference),
        target_name=conference_name(election.target),
        rows=elected_rows(election),
    )


def filename(listing: ElectedList, extension: str) -> str:
    return f"danh-sach-trich-ngang-{file_stem(listing.conference)}.{extension}"


def count_line(listing: ElectedList) -> str:
    return _("Elected delegates: %(count)s.") % {"count": len(listing.rows)}


class ElectedTargetMixin:
    form_class: ClassVar[type[ExporterForm]] = ElectedListForm

    def target_of(self, form: ExporterForm) -> Target:
        election = form.cleaned_data["election"]
        conference = election.conference
        return Target(
            unit=conference.unit,
            title=_("Short records of the elected delegates: %(conference)s")
            % {"conference": conference_name(conference)},
            params={"election": election.pk},
        )


# -- The exporters ------------------------------------------------------------------


class ElectedListPdf(ElectedTargetMixin, PdfExporter):
    identifier = "elected_list_pdf"
    verbose_name = gettext_lazy("Short records of the elected delegates (PDF)")
    template_name = "reports/pdf/elected_list.html"

    def context(self, params: Params) -> dict[str, Any]:
        listing = load_list(params)
        confirmed = listing.election.confirmed_at
        letterhead: Letterhead = letterhead_for(
            listing.conference.unit,
            date=timezone.localtime(confirmed).date() if confirmed else None,
        )
        return {
            "listing": listing,
            "rows": listing.rows,
            "count_line": count_line(listing),
            "letterhead": letterhead,
            "recipients": [_("%(unit)s (to report)") % {"unit": listing.election.target.unit.name}],
            "document_title": _("Short records of the elected delegates"),
        }

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        return filename(context["listing"], "pdf")


class ElectedListXlsx(ElectedTargetMixin, XlsxExporter):
    identifier = "elected_list_xlsx"
    verbose_name = gettext_lazy("Short records of the elected delegates (Excel)")

    def sheets(self, params: Params) -> tuple[str, list[Sheet]]:
        listing = load_list(params)
        rows: list[list[Cell] | str] = [
            [
                row.number,
                row.name,
                row.birth_year,
                row.gender_label,
                row.ethnicity,
                row.position or None,
                row.unit,
                row.field_of_work,
                row.titles_text or None,
                row.marks_text or None,
                row.votes,
                row.percent,
                row.round,
                row.note or None,
            ]
            for row in listing.rows
        ]
        sheet = Sheet(
            title=_("Elected delegates"),
            heading=_("Short records of the elected delegates").upper(),
            lines=[listing.target_line, listing.elected_at_line, count_line(listing)],
            columns=[
                Column(_("No."), 6),
                Column(_("Full name"), 26),
                Column(_("Year of birth"), 9),
                Column(_("Gender"), 8),
                Column(_("Ethnicity"), 10),
                Column(_("Position"), 28),
                Column(_("Unit"), 28),
                Column(_("Field of work"), 24),
                Column(_("Emulation titles"), 28),
                Column(_("Exemplars"), 30),
                Column(_("Votes"), 9),
                Column(_("Share (%)"), 10),
                Column(_("Elected in round"), 10),
                Column(_("Note"), 24),
            ],
            rows=rows,
            frozen_columns=2,
        )
        return filename(listing, "xlsx"), [sheet]
