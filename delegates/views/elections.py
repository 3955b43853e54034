"""The election page of a held tier-1 or tier-2 conference: the conference
above and the quota, the candidates, the votes, the live count and the
confirmation. Whoever may see the conference sees the page; whoever may
change its unit records the election (403 otherwise; a conference outside
the user's units is a 404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from congress.models import Conference, Tier
from congress.views.conferences import ConferenceScopedMixin
from delegates.composition import priority_choices
from delegates.forms.elections import (
    CandidatePickerForm,
    ElectionPersonForm,
    ElectionVotesForm,
    FurtherRoundForm,
    ReplacementForm,
)
from delegates.models import Election, Person
from delegates.selectors import elections as election_selectors
from delegates.selectors.candidate_picker import candidate_picker, register_units
from delegates.selectors.delegates import title_years
from delegates.selectors.election_page import election_page
from delegates.services import elections as election_services
from delegates.services import replacements as replacement_services
from units.history import history_of
from units.locking import StaleEditError
from units.params import int_list, int_param
from units.permissions import Action, has_permission

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this election meanwhile; nothing was saved. Check it and try again."
)


class ElectionMixin(ConferenceScopedMixin):
    """The electing conference of the URL: visible to the user (404
    otherwise) and of tier 1 or 2 (the Congress elects no one: 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.conference = self.get_conference()
        if self.conference.tier.level not in (Tier.Level.GRASSROOTS, Tier.Level.UPPER_GRASSROOTS):
            raise Http404
        self.may_change = has_permission(request.user, Action.CHANGE, self.conference.unit)
        return super().dispatch(request, *args, **kwargs)

    def page_url(self) -> str:
        return reverse("elections:election_detail", args=[self.conference.pk])

    def election(self) -> Election | None:
        return (
            Election.objects.filter(conference=self.conference)
            .select_related("target__tier", "target__unit", "confirmed_by")
            .first()
        )


def picker_form(election: Election, data: QueryDict) -> CandidatePickerForm:
    """The candidate picker's filters read from ``data`` (the query string,
    or an add or remove button's post): one query, for the units offered."""
    years = title_years(election.conference.tier.cycle)
    return CandidatePickerForm(data, units=register_units(election), years=years)


def picker_context(election: Election, candidates: list, params: QueryDict) -> dict:
    """The candidate picker and the composition preview of ``candidates``,
    while they may change: the register narrowed by the filters of
    ``params``, the page asked for, and what its links and buttons pass on."""
    form = picker_form(election, params)
    number = int_param(params, "page")
    picked = candidate_picker(election, candidates, form.filters(), page_number=number)
    shown = picked.picker.page.number
    return {
        "picker_form": form,
        "picker": picked.picker,
        "preview": picked.preview,
        "picker_filtered": picked.filtered,
        "priority_legend": priority_choices(),
        # The page links carry the filters; the buttons the page as well.
        "picker_query": form.query_string(),
        "picker_pairs": [*form.pairs(), *([("page", str(shown))] if shown > 1 else [])],
    }


def election_context(
    *,
    conference: Conference,
    may_change: bool,
    user=None,
    params=None,
    votes_form=None,
    replace_form=None,
    further_form=None,
) -> dict:
    """The election page's read-model (``selectors.election_page``) with
    its votes form (blank while a round may be recorded: the latest of a
    draft, a confirmed election's pending further round; or the refused
    one passed in) and the form's rows, in the register's order; while the
    candidates may change, the picker narrowed by ``params`` (the query
    string)."""
    page = election_page(conference, may_change=may_change, user=user)
    # What follows a confirmation, for the dialog its button opens.
    context = {
        **page.context(),
        "confirmations": election_services.ELECTION_WORKFLOW.confirmations,
        # A refused replacement opens again on its row, with what was typed.
        "replace_form": replace_form,
        "replace_open": int_param(replace_form.data, "person") if replace_form else None,
        # A refused further round too: its seats, candidates and reason.
        "further_form": further_form,
        "further_open": _further_open(further_form),
    }
    if further_form is not None:
        context["further_ticked"] = int_list(further_form.data, "candidate")
        context["further_persons"] = int_list(further_form.data, "person")
    if page.election is None or page.current is None:
        return context
    if page.may_edit_candidates:
        params = params if params is not None else QueryDict()
        context.update(picker_context(page.election, page.candidates, params))
    current = page.recording or page.current
    if votes_form is None and page.recording is not None:
        votes_form = ElectionVotesForm(
            initial=ElectionVotesForm.initial_for(
                page.election, current.round, current.candidates, voters=page.voters
            ),
            candidates=current.candidates,
        )
    fields = {
        c.person_id: votes_form[f"votes_{c.person_id}"]
        for c in current.candidates
        if votes_form is not None and f"votes_{c.person_id}" in votes_form.fields
    }
    votes = {entry.candidate_id: entry.votes for entry in current.round.entries.all()}
    # While they may change, each candidate with their groups and titles.
    picked = context["preview"].candidates if "preview" in context else {}
    # The votes form keeps the list's order; the count ranks by votes.
    context.update(
        votes_form=votes_form,
        rows=[
            {
                "candidate": c,
                "votes": votes.get(c.pk, 0),
                "field": fields.get(c.person_id),
                "picked": picked.get(c.person_id),
            }
            for c in current.candidates
        ],
    )
    return context


def _further_open(form) -> int | None:
    """Where a refused further round's form opens again: on the row of the
    first seat it was for, or (0) on the card of the pending round."""
    if form is None:
        return None
    if form.data.get("retry"):
        return 0
    people = int_list(form.data, "person")
    return people[0] if people else None


class ElectionDetailView(ElectionMixin, TemplateView):
    template_name = "delegates/election_detail.html"

    def get_context_data(self, **kwargs):
        context = election_context(
            conference=self.conference,
            may_change=self.may_change,
            user=self.request.user,
            params=self.request.GET,
        )
        election = context["election"]
        return super().get_context_data(
            **context,
            audit_history=history_of(election, self.request.user) if election is not None else None,
            **kwargs,
        )


class ElectionActionView(ElectionMixin, View):
    """A POST that changes the election: needs CHANGE on the unit."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not self.may_change:
            raise PermissionDenied
        return self.act()

    def act(self):
        raise NotImplementedError

    def seen_lock_version(self) -> int:
        """The lock version of the page the POST came from: a result
        confirmed or a round opened must be the one shown (-1, never
        current, when the form sent none)."""
        seen = int_param(self.request.POST, "lock_version")
        return -1 if seen is None else seen

    def existing_election(self) -> Election:
        election = self.election()
        if election is None:
            raise Http404
        return election

    def refused(self, error: ValidationError):
        messages.error(self.request, " ".join(error.messages))
        return redirect(self.page_url())


class ElectionOpenView(ElectionActionView):
    def act(self):
        try:
            election_services.open_election(actor=self.request.user, conference=self.conference)
        except ValidationError as error:
            return self.refused(error)
        messages.success(self.request, _("The election is open: add the candidates."))
        return redirect(self.page_url())


class CandidateChangeView(ElectionActionView):
    """Add (``adding``) or remove one candidate, then back to the picker
    as it was: its filters and page come with the post and are read again
    by its form, so only filters it accepts go back into the address."""

    adding = True

    def act(self):
        election = self.existing_election()
        election.conference = self.conference
        form = ElectionPersonForm(self.request.POST)
        if not form.is_valid():
            messages.error(self.request, _("Choose a person from the register."))
            return self.back(election)
        people = (
            election_selectors.candidates_register(election)
            if self.adding
            else Person.objects.filter(candidacies__election=election)
        )
        person = get_object_or_404(people, pk=form.cleaned_data["person"])
        current = [c.person for c in election.candidates.select_related("person")]
        persons = [*current, person] if self.adding else [p for p in current if p.pk != person.pk]
        try:
            election_services.set_candidates(
                actor=self.request.user, election=election, persons=persons
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return self.back(election)
        message = (
            _("%(name)s is added to the candidates.")
            if self.adding
            else _("%(name)s is removed from the candidates.")
        )
        messages.success(self.request, message % {"name": person.full_name})
        return self.back(election)

    def back(self, election: Election):
        """The page with the picker's filters and page of the post."""
        query = picker_form(election, self.request.POST).query_string(
            page=int_param(self.request.POST, "page")
        )
        anchor = "#picker" if self.adding else "#candidates"
        return redirect(f"{self.page_url()}{'?' + query if query else ''}{anchor}")


class VotesRecordView(ElectionActionView):
    """Save the valid ballots, threshold and votes; refused input comes
    back with the messages on the fields and what was typed kept."""

    def act(self):
        election = self.existing_election()
        candidates = election_selectors.round_candidates(election)
        form = ElectionVotesForm(self.request.POST, candidates=candidates)
        if form.is_valid():
            data = form.cleaned_data
            try:
                election_services.record_votes(
                    actor=self.request.user,
                    election=election,
                    valid_ballots=data["valid_ballots"],
                    votes=form.votes(),
                    threshold=data["threshold"],
                    expected_lock_version=data["lock_version"],
                    ballots_issued=data["ballots_issued"],
                    ballots_returned=data["ballots_returned"],
                    invalid_ballots=data["invalid_ballots"] or 0,
                    minutes=election_services.Minutes(
                        summoned=data["summoned"],
                        present=data["present"],
                        committee=data["committee"],
                        count_ended_at=data["count_ended_at"],
                    ),
                )
            except StaleEditError:
                # Keep what was typed, against the election as it is now:
                # saving again is a deliberate choice over the other change.
                election.refresh_from_db()
                data = self.request.POST.copy()
                data["lock_version"] = str(election.lock_version)
                form = ElectionVotesForm(
                    data, candidates=election_selectors.round_candidates(election)
                )
                form.is_valid()
                form.add_error(None, STALE_MESSAGE)
            except ValidationError as error:
                self.put_back(form, error)
            else:
                messages.success(self.request, _("The votes are saved; the count is updated."))
                if election.is_confirmed:
                    # A further round's: back to its card, where it is seated.
                    latest = election.rounds.order_by("-number").values_list("number", flat=True)
                    return redirect(f"{self.page_url()}#round-{latest.first()}")
                return redirect(f"{self.page_url()}#count")
        context = election_context(
            conference=self.conference,
            may_change=self.may_change,
            user=self.request.user,
            votes_form=form,
        )
        return TemplateResponse(self.request, ElectionDetailView.template_name, context, status=400)

    @staticmethod
    def put_back(form, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)


class ElectionConfirmView(ElectionActionView):
    def act(self):
        election = self.existing_election()
        try:
            result = election_services.confirm_election(
                actor=self.request.user,
                election=election,
                expected_lock_version=self.seen_lock_version(),
            )
        except StaleEditError:
            messages.error(self.request, STALE_MESSAGE)
            return redirect(self.page_url())
        except ValidationError as error:
            return self.refused(error)
        messages.success(
            self.request,
            _("The election is confirmed: %(added)s delegates added to %(target)s.")
            % {"added": len(result.added), "target": election.target},
        )
        if result.already_delegates:
            messages.warning(
                self.request,
                _("Already delegates of the conference above, not added again: %(names)s.")
                % {"names": ", ".join(p.full_name for p in result.already_delegates)},
            )
        return redirect(self.page_url())


class RunoffOpenView(ElectionActionView):
    """Open a run-off among the candidates tied at the last seat."""

    def act(self):
        election = self.existing_election()
        try:
            round_ = election_services.open_runoff(
                actor=self.request.user,
                election=election,
                expected_lock_version=self.seen_lock_version(),
            )
        except StaleEditError:
            messages.error(self.request, STALE_MESSAGE)
            return redirect(self.page_url())
        except ValidationError as error:
            return self.refused(error)
        messages.success(
            self.request,
            _("Round %(number)s is open among the tied candidates: print its ballots.")
            % {"number": round_.number},
        )
        return redirect(f"{self.page_url()}#round-{round_.number}")


class ReplaceElectedView(ElectionActionView):
    """Replace an elected delegate who cannot attend by the next in line;
    a refusal comes back on the page with the reason typed kept."""

    def act(self):
        election = self.existing_election()
        form = ReplacementForm(self.request.POST)
        if form.is_valid():
            data = form.cleaned_data
            person = get_object_or_404(
                Person.objects.filter(candidacies__election=election), pk=data["person"]
            )
            try:
                replacement = replacement_services.replace_elected(
                    actor=self.request.user,
                    election=election,
                    person=person,
                    reason=data["reason"],
                    expected_lock_version=data["lock_version"],
                )
            except StaleEditError:
                form.add_error(None, STALE_MESSAGE)
            except ValidationError as error:
                VotesRecordView.put_back(form, error)
            else:
                messages.success(
                    self.request,
                    _("%(substitute)s takes the seat of %(replaced)s in %(target)s.")
                    % {
                        "substitute": replacement.substitute.person.full_name,
                        "replaced": person.full_name,
                        "target": election.target,
                    },
                )
                return redirect(f"{self.page_url()}#winners")
        context = election_context(
            conference=self.conference,
            may_change=self.may_change,
            user=self.request.user,
            replace_form=form,
        )
        return TemplateResponse(self.request, ElectionDetailView.template_name, context, status=400)


class FurtherRoundOpenView(ElectionActionView):
    """Open a further round for the seats of ``person`` (repeated) among
    the ``candidate`` ticked (person ids); a refusal comes back on the page
    with what was typed and ticked kept."""

    def act(self):
        election = self.existing_election()
        form = FurtherRoundForm(self.request.POST)
        if form.is_valid():
            data = form.cleaned_data
            people = Person.objects.filter(candidacies__election=election)
            try:
                round_ = replacement_services.open_further_round(
                    actor=self.request.user,
                    election=election,
                    persons=list(people.filter(pk__in=int_list(self.request.POST, "person"))),
                    reason=data["reason"],
                    candidates=list(people.filter(pk__in=int_list(self.request.POST, "candidate"))),
                    expected_lock_version=data["lock_version"],
                )
            except StaleEditError:
                form.add_error(None, STALE_MESSAGE)
            except ValidationError as error:
                VotesRecordView.put_back(form, error)
            else:
                messages.success(
                    self.request,
                    ngettext(
                        "Round %(number)s is open as a further round for %(seats)s seat: "
                        "print its ballots, then record its votes.",
                        "Round %(number)s is open as a further round for %(seats)s seats: "
                        "print its ballots, then record its votes.",
                        round_.fills_seats or 0,
                    )
                    % {"number": round_.number, "seats": round_.fills_seats},
                )
                return redirect(f"{self.page_url()}#round-{round_.number}")
        context = election_context(
            conference=self.conference,
            may_change=self.may_change,
            user=self.request.user,
            further_form=form,
        )
        return TemplateResponse(self.request, ElectionDetailView.template_name, context, status=400)


class FurtherRoundSeatView(ElectionActionView):
    """Seat the elected of the pending further round."""

    def act(self):
        election = self.existing_election()
        try:
            seating = replacement_services.seat_further_round(
                actor=self.request.user,
                election=election,
                expected_lock_version=self.seen_lock_version(),
            )
        except StaleEditError:
            messages.error(self.request, STALE_MESSAGE)
            return redirect(self.page_url())
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(f"{self.page_url()}#further-rounds")
        for replacement in seating.seated:
            messages.success(
                self.request,
                _("%(substitute)s takes the seat of %(replaced)s in %(target)s.")
                % {
                    "substitute": replacement.substitute.person.full_name,
                    "replaced": replacement.replaced.person.full_name,
                    "target": election.target,
                },
            )
        if seating.left_empty:
            messages.warning(
                self.request,
                _(
                    "The further round elected nobody for the seats of %(names)s: they left "
                    "%(target)s and their seats stay empty."
                )
                % {
                    "names": ", ".join(r.replaced.person.full_name for r in seating.left_empty),
                    "target": election.target,
                },
            )
        return redirect(f"{self.page_url()}#winners")


class ExcessResolveView(ElectionMixin, View):
    """Remove the delegates chosen (``delegate``, repeated) from the
    conference above, as many as a newer approved version leaves too many.
    Needs CHANGE on the conference above's unit (its delegates change):
    403 otherwise."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        election = self.election()
        if election is None:
            raise Http404
        if not has_permission(request.user, Action.CHANGE, election.target.unit):
            raise PermissionDenied
        chosen = int_list(request.POST, "delegate")
        try:
            removed = election_services.resolve_excess(
                actor=request.user, election=election, remove=chosen
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{self.page_url()}#excess")
        messages.success(
            request,
            _("Removed from %(target)s: %(names)s.")
            % {
                "target": election.target,
                "names": ", ".join(delegate.name for delegate in removed),
            },
        )
        return redirect(self.page_url())
