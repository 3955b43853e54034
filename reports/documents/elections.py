"""The papers of an election round (DOMAIN.md, "Elections on paper"): the
ballot paper (phiếu bầu), on which voters strike out the names they do
not elect, and the vote-count minutes (biên bản kiểm phiếu) its counting
committee signs. Both are of one round: round 1 lists every candidate for
the unit's quota, a run-off only the candidates tied at the last seat, for
the seats left; a further round after the confirmation the candidates put
to the vote, for the seats it fills (those of delegates who cannot attend,
named on the minutes).

Who may ask for them is who may print on the electing conference's unit;
the round's id names nothing of an election the user may not see (404).
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import Conference
from delegates.election_count import Line, RoundCount
from delegates.models import Candidate, Election, ElectionRound
from delegates.names import name_sort_key
from delegates.selectors import elections as election_selectors
from units.params import as_int
from units.permissions import visible_units

from ..exporters import Params, PdfExporter, Target, conference_name, file_stem
from ..forms import ExporterForm, IdField, NumberField
from ..letterhead import letterhead_for
from ..pdf import render_pdf

LIST_ORDER, NAME_ORDER = "list", "name"
# Ballots a sheet, and the most candidates a ballot of that size holds
# legibly: a ballot never drops a name, so a smaller one is refused.
BALLOTS_PER_SHEET = {1: 40, 2: 14, 4: 7}
MAX_SHEETS = 200


def _round_queryset(user):
    return ElectionRound.objects.select_related(
        "election__conference__unit__parent",
        "election__conference__tier__cycle",
        "election__target__unit",
        "election__target__tier__cycle",
    ).filter(election__conference__unit__in=visible_units(user))


class RoundForm(ExporterForm):
    """A round of an election the user may see (404 otherwise); the
    exporter asks PRINT on the electing conference's unit."""

    not_found = ("round",)

    round = IdField(queryset=ElectionRound.objects.none())

    def setup(self) -> None:
        self.narrow("round", _round_queryset(self.user))


class BallotForm(RoundForm):
    """``per_sheet``: 1 (a ballot a page, the default), 2 or 4 to an A4
    sheet, to cut; ``order``: the list's order (the default) or name order;
    ``sheets``: how many sheets (1 by default)."""

    per_sheet = forms.TypedChoiceField(
        required=False, coerce=int, choices=[("", "")] + [(n, n) for n in BALLOTS_PER_SHEET]
    )
    order = forms.ChoiceField(
        required=False, choices=[("", ""), (LIST_ORDER, LIST_ORDER), (NAME_ORDER, NAME_ORDER)]
    )
    sheets = NumberField(required=False)

    def clean_sheets(self) -> int | None:
        sheets = self.cleaned_data["sheets"]
        if sheets is not None and not 1 <= sheets <= MAX_SHEETS:
            raise ValidationError(
                _("Print from 1 to %(most)s sheets of ballots at a time.") % {"most": MAX_SHEETS}
            )
        return sheets

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        round_ = data.get("round")
        per_sheet = data.get("per_sheet") or 1
        if round_ is not None and not self.errors:
            standing = round_.entries.count()
            if not standing:
                raise ValidationError(_("The round has no candidates yet: add them first."))
            if standing > BALLOTS_PER_SHEET[per_sheet]:
                raise ValidationError(
                    _(
                        "%(count)s candidates do not fit on %(per_sheet)s ballots a sheet: "
                        "choose fewer ballots a sheet."
                    )
                    % {"count": standing, "per_sheet": per_sheet}
                )
        return data


class MinutesForm(RoundForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        round_ = data.get("round")
        if round_ is not None and not round_.is_recorded:
            raise ValidationError(
                _("The ballots of round %(number)s are not counted yet: record them first.")
                % {"number": round_.number}
            )
        return data


# -- What both papers show ---------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A candidate of the round, numbered as the paper lists them."""

    number: int
    candidate: Candidate
    line: Line[int] | None = None

    @property
    def name(self) -> str:
        return self.candidate.person.full_name

    @property
    def percent(self) -> str:
        """The share of the valid ballots, as offices write it: "66,67"."""
        if self.line is None:
            return ""
        return number_format(self.line.percent, decimal_pos=2)


@dataclass(frozen=True)
class RoundPaper:
    election: Election
    round: ElectionRound
    conference: Conference
    conference_name: str
    target_name: str
    counted: RoundCount[int]
    quota: int | None
    candidates: list[Candidate]  # the round's, in the list's order
    # A further round: the delegates whose seats it fills.
    replaced: list[Candidate] = field(default_factory=list)

    @property
    def seats(self) -> int | None:
        return self.counted.seats

    @property
    def threshold(self) -> str:
        threshold = election_selectors.threshold_of(self.election)
        return f"{threshold.numerator}/{threshold.denominator}"

    def listed(self, order: str = LIST_ORDER) -> list[Standing]:
        people = list(self.candidates)
        if order == NAME_ORDER:
            people.sort(key=lambda c: name_sort_key(c.person.full_name))
        return [Standing(number, c) for number, c in enumerate(people, start=1)]

    def ranked(self) -> list[Standing]:
        """By votes, most first (the count's order)."""
        count = self.counted.count
        by_person = {c.person_id: c for c in self.candidates}
        lines = count.lines if count else ()
        return [
            Standing(number, by_person[line.key], line)
            for number, line in enumerate(lines, start=1)
        ]

    @property
    def replaced_names(self) -> str:
        return ", ".join(c.person.full_name for c in self.replaced)

    def elected(self) -> list[Standing]:
        return [s for s in self.ranked() if s.line is not None and s.line.is_elected]

    def tied(self) -> list[Standing]:
        return [s for s in self.ranked() if s.line is not None and s.line.is_tied]


def load_paper(params: Params) -> RoundPaper:
    """The round of a cleaned request with its election's count: a fixed
    number of queries, whatever the number of candidates and rounds."""
    round_ = ElectionRound.objects.select_related(
        "election__conference__unit__parent",
        "election__conference__tier__cycle",
        "election__target__unit",
        "election__target__tier__cycle",
        "election__allocation",
    ).get(pk=params["round"])
    election = round_.election
    binding = election_selectors.binding_allocation(election)
    quota = (
        election_selectors.seats_in(binding, election.conference.unit)
        if binding is not None
        else None
    )
    candidates = election_selectors.election_candidates(election)
    replaced: list[Candidate] = []
    if round_.is_further:
        # Counted on its own, for the seats it fills (never in the
        # election's own count, whose rounds it does not index).
        rounds = election_selectors.further_rounds(election)
        counts = election_selectors.further_counts_of(election, candidates, rounds)
        counted = next(c for r, c in zip(rounds, counts, strict=True) if r.pk == round_.pk)
        seats_of = election_selectors.further_seats(
            rounds, election_selectors.replacements_of(election)
        )
        replaced = [r.replaced for r in seats_of[round_.pk]]
    else:
        rounds = election_selectors.election_rounds(election)
        result = election_selectors.count_of(election, candidates, quota, rounds)
        counted = result.rounds[round_.number - 1]
    standing = set(counted.candidates)
    return RoundPaper(
        election=election,
        round=next(r for r in rounds if r.pk == round_.pk),
        conference=election.conference,
        conference_name=conference_name(election.conference),
        target_name=conference_name(election.target),
        counted=counted,
        quota=quota,
        candidates=[c for c in candidates if c.person_id in standing],
        replaced=replaced,
    )


class RoundTargetMixin:
    form_class: ClassVar[type[ExporterForm]]
    title_text: ClassVar[Any]

    def target_of(self, form: ExporterForm) -> Target:
        data = form.cleaned_data
        round_ = data["round"]
        conference = round_.election.conference
        params: Params = {"round": round_.pk}
        for name in ("per_sheet", "order", "sheets"):
            if data.get(name):
                params[name] = data[name]
        return Target(
            unit=conference.unit,
            title=self.title_text
            % {"number": round_.number, "conference": conference_name(conference)},
            params=params,
        )


# -- The ballot paper ------------------------------------------------------------------


class BallotPdf(RoundTargetMixin, PdfExporter):
    """One sheet of ballots, rendered once and repeated ``sheets`` times
    (every ballot of a round is the same paper)."""

    identifier = "ballot_pdf"
    verbose_name = gettext_lazy("Ballot paper of an election round (PDF)")
    template_name = "reports/pdf/ballot.html"
    form_class = BallotForm
    title_text = gettext_lazy("Ballot paper, round %(number)s: %(conference)s")

    def context(self, params: Params) -> dict[str, Any]:
        paper = load_paper(params)
        per_sheet = int(params.get("per_sheet") or 1)
        return {
            "paper": paper,
            "candidates": paper.listed(params.get("order") or LIST_ORDER),
            "per_sheet": per_sheet,
            "ballots": range(per_sheet),
            "sheets": int(params.get("sheets") or 1),
            "letterhead": letterhead_for(paper.conference.unit),
            "document_title": _("Ballot paper"),
        }

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        paper = context["paper"]
        return f"phieu-bau-{file_stem(paper.conference)}-vong-{paper.round.number}.pdf"

    def produce(self, chunk: str) -> bytes:
        # The sheet is drawn once; its copies are the same page repeated.
        return repeat_pages(render_pdf(chunk), sheets_of(chunk))


SHEETS_MARK = '<meta name="sheets" content="'


def sheets_of(html: str) -> int:
    """The number of sheets the ballot's HTML asks for (its ``<meta>``)."""
    start = html.find(SHEETS_MARK)
    if start < 0:
        return 1
    sheets = as_int(html[start + len(SHEETS_MARK) :].split('"', 1)[0])
    return min(sheets, MAX_SHEETS) if sheets else 1


def repeat_pages(data: bytes, copies: int) -> bytes:
    if copies <= 1:
        return data
    import io

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for _copy in range(copies):
        for page in reader.pages:
            writer.add_page(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# -- The vote-count minutes -------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    role: str


def committee_of(round_: ElectionRound) -> tuple[Member | None, list[Member]]:
    """The committee's head (the member whose role says "Trưởng ban", else
    the first listed) and the other members, from its lines "Name - role"."""
    members = []
    for line in round_.committee_members:
        name, _sep, role = line.partition(" - ")
        members.append(Member(name=name.strip(), role=role.strip()))
    if not members:
        return None, []
    head = next((m for m in members if "trưởng ban" in m.role.lower()), members[0])
    return head, [m for m in members if m is not head]


class CountMinutesPdf(RoundTargetMixin, PdfExporter):
    identifier = "count_minutes_pdf"
    verbose_name = gettext_lazy("Vote-count minutes of an election round (PDF)")
    template_name = "reports/pdf/count_minutes.html"
    form_class = MinutesForm
    title_text = gettext_lazy("Vote-count minutes, round %(number)s: %(conference)s")

    def context(self, params: Params) -> dict[str, Any]:
        paper = load_paper(params)
        head, members = committee_of(paper.round)
        ended = paper.round.count_ended_at
        return {
            "paper": paper,
            "ranked": paper.ranked(),
            "elected": paper.elected(),
            "tied": paper.tied(),
            "head": head,
            "members": members,
            "all_members": [m for m in (head, *members) if m is not None],
            "ended": timezone.localtime(ended) if ended else None,
            # The day of the count, else the day the conference was held.
            "held_on": (timezone.localtime(ended).date() if ended else None)
            or paper.conference.held_on
            or paper.conference.date,
            "letterhead": letterhead_for(
                paper.conference.unit,
                date=(timezone.localtime(ended).date() if ended else None)
                or paper.conference.held_on
                or timezone.localdate(),
            ),
            "document_title": _("Vote-count minutes"),
        }

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        paper = context["paper"]
        return f"bien-ban-kiem-phieu-{file_stem(paper.conference)}-vong-{paper.round.number}.pdf"
