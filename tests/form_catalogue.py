"""The catalogue of the forms the fuzz (tests/test_fuzz_forms.py) posts to.

Every view the URL resolver finds that accepts a POST has an entry here,
by its URL name: how to build the objects its form needs, who may post
it, its fields (read from the form the page renders, or from the form
class the view binds) and a valid post to start from. The admin site and
Django's own auth views are left out by name; the project's login and
password-reset pages are in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.test import Client
from django.urls import reverse

from tests.congress.documents_support import PDF
from tests.url_catalogue import walk

# -- The views the resolver finds -----------------------------------------------------

EXCLUDED_NAMESPACES = {"admin"}
# django.contrib.auth.urls: the project's own login and password reset come
# first in config/urls.py under the same names, so those two names are kept
# (the resolver never reaches the included duplicates).
DJANGO_AUTH_NAMES = {
    "logout",
    "password_change",
    "password_change_done",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


@dataclass(frozen=True)
class FoundView:
    name: str
    route: str
    view_class: type
    initkwargs: dict


def accepts_post(view_class: type) -> bool:
    return "post" in getattr(view_class, "http_method_names", ()) and hasattr(view_class, "post")


def post_views() -> dict[str, FoundView]:
    """The views that accept a POST, by URL name (first match wins, as in
    the resolver), without the admin site and Django's auth views."""
    found: dict[str, FoundView] = {}
    for route, name, callback in walk():
        view_class = getattr(callback, "view_class", None)
        if view_class is None or not accepts_post(view_class):
            continue
        # An unnamed pattern is the admin's (the authorisation matrix fails
        # any other: every pattern of the project has a name).
        if not name or name.split(":", 1)[0] in EXCLUDED_NAMESPACES or name in DJANGO_AUTH_NAMES:
            continue
        found.setdefault(
            name,
            FoundView(name, route, view_class, getattr(callback, "view_initkwargs", {})),
        )
    return found


# -- What an entry builds -------------------------------------------------------------

OMIT = object()  # a key left out of the post


@dataclass
class Target:
    """One form to fuzz: where it is posted, by whom, its fields (named as
    posted, prefixes included) and a valid post to start from. ``extra``:
    keys the view reads from ``request.POST`` outside any form, each with
    the values to try."""

    url: str
    user: Any
    fields: dict[str, forms.Field]
    valid: dict[str, Any]
    extra: dict[str, list] = field(default_factory=dict)
    # The baseline post must get past the permission check and the lookups.
    reachable: bool = True


CATALOGUE: dict[str, Callable[[Any], Target]] = {}


def entry(name: str):
    def register(build):
        CATALOGUE[name] = build
        return build

    return register


def to_post(form_field: forms.Field, value: Any) -> Any:
    """An initial value as the browser would post it."""
    if isinstance(form_field, forms.BooleanField):
        return "on" if value else OMIT
    multiple = isinstance(form_field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField))
    if value is None:
        return [] if multiple else _first_choice(form_field)
    if isinstance(value, (list, tuple, set)):
        return [str(getattr(v, "pk", v)) for v in value]
    if isinstance(form_field.widget, (forms.DateInput, forms.TimeInput, forms.DateTimeInput)):
        formatted = form_field.widget.format_value(value)
        return "" if formatted is None else str(formatted)
    return str(getattr(value, "pk", value))


def choice_values(form_field: forms.Field) -> list[str]:
    """The values a choice field offers (groups flattened)."""
    if isinstance(form_field, forms.ModelChoiceField):
        return [str(pk) for pk in form_field.queryset.values_list("pk", flat=True)[:20]]
    values = []
    for key, label in getattr(form_field, "choices", []):
        if isinstance(label, (list, tuple)):
            values.extend(str(inner) for inner, _label in label)
        else:
            values.append(str(key))
    return values


def _first_choice(form_field: forms.Field) -> str:
    """A required choice without an initial value: its first option."""
    if not form_field.required or not isinstance(
        form_field, forms.ChoiceField | forms.ModelChoiceField
    ):
        return ""
    if isinstance(form_field, forms.ModelChoiceField):
        first = form_field.queryset.first()
        return "" if first is None else str(first.pk)
    for key, label in form_field.choices:
        if isinstance(label, (list, tuple)):
            for inner, _label in label:
                if inner != "":
                    return str(inner)
        elif key != "":
            return str(key)
    return ""


def fields_of(form, valid: dict[str, Any]) -> dict[str, forms.Field]:
    """The fields of a form (or formset, management form included), named
    as posted; their initial values go into ``valid``."""
    fields: dict[str, forms.Field] = {}
    if isinstance(form, forms.BaseFormSet):
        for subform in [form.management_form, *form.forms]:
            fields.update(fields_of(subform, valid))
        return fields
    for name, form_field in form.fields.items():
        posted = form.add_prefix(name)
        fields[posted] = form_field
        valid.setdefault(posted, to_post(form_field, form[name].value()))
    return fields


def form_target(url, user, *forms_, valid=None, extra=None, reachable=True) -> Target:
    """A target whose fields are those of ``forms_`` (unbound instances, built
    as the view builds them). The first value of each ``extra`` key goes into
    the valid post (``OMIT``: left out of it)."""
    valid = dict(valid or {})
    for name, values in (extra or {}).items():
        valid.setdefault(name, values[0])
    fields: dict[str, forms.Field] = {}
    for form in forms_:
        fields.update(fields_of(form, valid))
    return Target(url, user, fields, valid, extra or {}, reachable)


def page_target(url, user, *, keys=("form",), valid=None, extra=None) -> Target:
    """A target whose fields are those of the forms the page renders (its
    context's ``keys``): the view's own ``get_form``, with its choices."""
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return form_target(
        url, user, *(response.context[key] for key in keys), valid=valid, extra=extra
    )


# -- The objects the forms need -------------------------------------------------------


class World:
    """The hand-built tree, its users and cycle V's tiers, plus what each
    form needs, built once per test (lazily: only what that form uses)."""

    def __init__(self, tree, users, tiers):
        self.tree, self.users, self.tiers = tree, users, tiers

    def hcm_upper(self):
        from tests.factories import ConferenceFactory

        if not hasattr(self, "_hcm_upper"):
            self._hcm_upper = ConferenceFactory(tier=self.tiers[2], unit=self.tree.hcm)
        return self._hcm_upper

    def held(self, tier_level, unit, attendance=40):
        from congress.models import Conference
        from tests.factories import ConferenceFactory

        tier = self.tiers[tier_level]
        return ConferenceFactory(
            tier=tier,
            unit=unit,
            status=Conference.Status.HELD,
            held_on=tier.window_start + datetime.timedelta(days=30),
            actual_attendance=attendance,
        )

    def paper(self):
        from congress import services
        from congress.models import FieldOfWork, Paper

        conference = self.hcm_upper()
        return services.add_paper(
            actor=self.users["officer_hcm"],
            conference=conference,
            details=services.PaperDetails(
                title="Cải cách thủ tục hành chính",
                presenter_kind=Paper.PresenterKind.COLLECTIVE,
                presenter_unit=self.tree.hcm_district,
                field_of_work=FieldOfWork.values[0],
            ),
        )

    def activity(self):
        from congress import services
        from congress.models import CommunicationActivity

        return services.add_communication_activity(
            actor=self.users["officer_hcm"],
            conference=self.hcm_upper(),
            details=services.CommunicationDetails(
                kind=CommunicationActivity.Kind.values[0],
                date=datetime.date(2019, 11, 1),
                channel="Cổng thông tin điện tử",
            ),
        )

    def allocation_conference(self):
        """HCMC's tier-2 conference, its two units below held: 20 seats."""
        if not hasattr(self, "_allocation_conference"):
            self.held(1, self.tree.hcm_district, 13)
            self.held(1, self.tree.hcm_department, 82)
            self.tiers[2].cap_exceptions.update_or_create(unit=self.tree.hcm, defaults={"cap": 20})
            self._allocation_conference = self.hcm_upper()
        return self._allocation_conference

    def draft_allocation(self):
        from delegates.services import quotas as quota_services

        return quota_services.compute_allocation(
            actor=self.users["officer_hcm"], conference=self.allocation_conference()
        )

    def submitted_allocation(self):
        from delegates.services import quotas as quota_services

        allocation = self.draft_allocation()
        return quota_services.submit_allocation(
            actor=self.users["officer_hcm"], allocation=allocation
        )

    def election(self, votes=True, tie=False):
        """An open election of Quận 1's held conference (electing to HCMC's),
        with two candidates and, if ``votes``, their votes recorded (equal
        for its one seat if ``tie``)."""
        from delegates.services.elections import open_election, record_votes, set_candidates
        from tests.delegates.elections.test_elections import approve
        from tests.factories import PersonFactory

        target = self.allocation_conference()
        conference = self.held_district()
        actor = self.users["officer_hcm"]
        approve(
            target, {self.tree.hcm_district: 1, self.tree.hcm_department: 4}, self.users["admin"]
        )
        election = open_election(actor=actor, conference=conference)
        people = PersonFactory.create_batch(2, unit=conference.unit)
        set_candidates(actor=actor, election=election, persons=people)
        if votes:
            election.refresh_from_db()
            record_votes(
                actor=actor,
                election=election,
                valid_ballots=10,
                votes={people[0].pk: 8, people[1].pk: 8 if tie else 3},
                expected_lock_version=election.lock_version,
            )
        election.refresh_from_db()
        return election

    def confirmed_election(self, next_in_line=False, further=False):
        """Quận 1's election confirmed for its one seat: An elected (8 of
        10), Bình above the threshold too if ``next_in_line`` (else 3),
        Chi below it (2); if ``further``, a further round for An's seat
        among Bình and Chi, counted (Bình 7, Chi 2)."""
        from delegates.services.elections import (
            confirm_election,
            open_election,
            record_votes,
            set_candidates,
        )
        from delegates.services.replacements import open_further_round
        from tests.delegates.elections.test_elections import approve
        from tests.factories import PersonFactory

        target = self.allocation_conference()
        actor = self.users["officer_hcm"]
        approve(
            target, {self.tree.hcm_district: 1, self.tree.hcm_department: 4}, self.users["admin"]
        )
        election = open_election(actor=actor, conference=self.held_district())
        an, binh, chi = PersonFactory.create_batch(3, unit=self.tree.hcm_district)
        set_candidates(actor=actor, election=election, persons=[an, binh, chi])
        election.refresh_from_db()
        record_votes(
            actor=actor,
            election=election,
            valid_ballots=10,
            votes={an.pk: 8, binh.pk: 7 if next_in_line else 3, chi.pk: 2},
            expected_lock_version=election.lock_version,
        )
        election.refresh_from_db()
        confirm_election(actor=actor, election=election)
        if further:
            election.refresh_from_db()
            open_further_round(
                actor=actor, election=election, persons=[an], reason="Ốm", candidates=[binh, chi]
            )
            election.refresh_from_db()
            record_votes(
                actor=actor,
                election=election,
                valid_ballots=10,
                votes={binh.pk: 7, chi.pk: 2},
                expected_lock_version=election.lock_version,
            )
        election.refresh_from_db()
        return election, (an, binh, chi)

    def held_district(self):
        from congress.models import Conference

        return Conference.objects.get(tier=self.tiers[1], unit=self.tree.hcm_district)

    def plan(self):
        from congress import services, uploads
        from tests.congress.documents_support import upload

        return services.upload_organisation_plan(
            actor=self.users["officer_hcm"],
            unit=self.tree.hcm,
            upload=uploads.check_upload(upload("ke-hoach.pdf", PDF)),
        )


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# -- The entries, by URL name ------------------------------------------------------------


@entry("login")
def _login(w: World) -> Target:
    from units.forms import LoginForm

    return form_target(
        reverse("login"),
        None,
        LoginForm(),
        valid={"username": "officer-hcm", "password": "demo12345"},
        extra={"next": [OMIT, "", "/people/", "https://evil.example/", "//evil.example", "\x00"]},
    )


@entry("password_reset")
def _password_reset(w: World) -> Target:
    return page_target(
        reverse("password_reset"), None, valid={"email": "officer-hcm@example.invalid"}
    )


@entry("cycle_choose")
def _cycle_choose(w: World) -> Target:
    form = forms.Form()
    return form_target(
        reverse("cycle_choose"),
        w.users["officer_hcm"],
        form,
        extra={"cycle": [str(w.tree.cycle.pk), "0", "-1", "9" * 30, "1e309", "NaN", ""]},
    )


@entry("cycles:cycle_create")
def _cycle_create(w: World) -> Target:
    return page_target(
        reverse("cycles:cycle_create"),
        w.users["admin"],
        valid={"number": "VI", "name": "Chu kỳ VI", "congress_name": "Đại hội VI"},
    )


@entry("cycles:cycle_edit")
def _cycle_edit(w: World) -> Target:
    return page_target(reverse("cycles:cycle_edit", args=[w.tree.cycle.pk]), w.users["admin"])


@entry("cycles:cycle_pilots")
def _cycle_pilots(w: World) -> Target:
    return page_target(reverse("cycles:cycle_pilots", args=[w.tree.cycle.pk]), w.users["admin"])


@entry("cycles:cycle_mark_current")
def _cycle_mark_current(w: World) -> Target:
    return form_target(
        reverse("cycles:cycle_mark_current", args=[w.tree.cycle.pk]), w.users["admin"], forms.Form()
    )


@entry("cycles:tier_edit")
def _tier_edit(w: World) -> Target:
    w.tiers[2].cap_exceptions.update_or_create(unit=w.tree.hanoi, defaults={"cap": 320})
    return page_target(
        reverse("cycles:tier_edit", args=[w.tree.cycle.pk, 2]),
        w.users["admin"],
        keys=("form", "formset"),
    )


@entry("congress:conference_register")
def _conference_register(w: World) -> Target:
    return page_target(
        reverse("congress:conference_register"),
        w.users["officer_hcm"],
        valid={
            "date": "15/11/2019",
            "start_time": "08:00",
            "venue": "Hội trường",
            "length": "half_day",
            "expected_attendance": "20",
        },
    )


def _draft_district(w: World):
    from tests.factories import ConferenceFactory

    return ConferenceFactory(tier=w.tiers[1], unit=w.tree.hcm_district, venue="Hội trường")


@entry("congress:conference_edit")
def _conference_edit(w: World) -> Target:
    conference = _draft_district(w)
    return page_target(
        reverse("congress:conference_edit", args=[conference.pk]),
        w.users["officer_hcm"],
        valid={"expected_attendance": "18"},
    )


@entry("congress:conference_detail")
def _conference_detail(w: World) -> Target:
    from congress.forms import TransitionForm

    conference = _draft_district(w)
    return form_target(
        reverse("congress:conference_detail", args=[conference.pk]),
        w.users["admin"],
        TransitionForm(initial={"lock_version": conference.lock_version}),
        valid={"held_on": "20/11/2019", "actual_attendance": "18"},
        extra={"action": ["submit", "accept", "return", "reopen", "hold", "close", "x", ""]},
    )


@entry("congress:conference_correct")
def _conference_correct(w: World) -> Target:
    from congress.forms import CorrectionForm

    conference = w.held(1, w.tree.hcm_district, 18)
    return form_target(
        reverse("congress:conference_correct", args=[conference.pk]),
        w.users["admin"],
        CorrectionForm(initial=CorrectionForm.initial_for(conference)),
        valid={"reason": "Nhập nhầm số người dự", "actual_attendance": "19"},
    )


@entry("congress:conference_accept_order")
def _conference_accept_order(w: World) -> Target:
    from congress.forms import ReasonForm
    from congress.models import Conference
    from tests.factories import ConferenceFactory

    conference = ConferenceFactory(
        tier=w.tiers[2], unit=w.tree.hanoi, status=Conference.Status.SUBMITTED
    )
    return form_target(
        reverse("congress:conference_accept_order", args=[conference.pk]),
        w.users["council"],
        ReasonForm(initial={"lock_version": conference.lock_version}),
        valid={"reason": "Đơn vị điểm tổ chức sau vì lý do khách quan"},
    )


@entry("congress:exemption_add")
def _exemption_add(w: World) -> Target:
    from congress.forms import ExemptionForm

    return form_target(
        reverse("congress:exemption_add"),
        w.users["council"],
        ExemptionForm(),
        valid={
            "unit": str(w.tree.hcm_district.pk),
            "tier": str(w.tiers[1].pk),
            "reason": "Đơn vị sáp nhập",
        },
        extra={"next": [OMIT, "", "/", "https://evil.example/", "javascript:alert(1)"]},
    )


@entry("congress:exemption_lift")
def _exemption_lift(w: World) -> Target:
    from congress import services

    exemption = services.exempt_unit(
        actor=w.users["council"], tier=w.tiers[1], unit=w.tree.hcm_district, reason="Sáp nhập"
    )
    return form_target(
        reverse("congress:exemption_lift", args=[exemption.pk]),
        w.users["council"],
        forms.Form(),
        extra={"next": [OMIT, "", "/", "https://evil.example/"]},
    )


@entry("congress:conference_document_upload")
def _conference_document_upload(w: World) -> Target:
    from congress.forms import ConferenceDocumentForm

    conference = w.held(1, w.tree.hcm_district)
    return form_target(
        reverse("congress:conference_document_upload", args=[conference.pk]),
        w.users["officer_hcm"],
        ConferenceDocumentForm(),
        valid={
            "kind": ConferenceDocumentForm().fields["kind"].choices[0][0],
            "file": _upload("bien-ban.pdf", PDF),
        },
    )


@entry("congress:paper_add")
def _paper_add(w: World) -> Target:
    return page_target(
        reverse("congress:paper_add", args=[w.hcm_upper().pk]),
        w.users["officer_hcm"],
        valid={"title": "Chuyển đổi số", "presenter_unit": str(w.tree.hcm_district.pk)},
    )


@entry("congress:paper_edit")
def _paper_edit(w: World) -> Target:
    paper = w.paper()
    return page_target(
        reverse("congress:paper_edit", args=[paper.conference_id, paper.pk]), w.users["officer_hcm"]
    )


@entry("congress:paper_delete")
def _paper_delete(w: World) -> Target:
    paper = w.paper()
    return form_target(
        reverse("congress:paper_delete", args=[paper.conference_id, paper.pk]),
        w.users["officer_hcm"],
        forms.Form(),
    )


@entry("congress:paper_status")
def _paper_status(w: World) -> Target:
    from congress.forms import PaperStatusForm

    paper = w.paper()
    return form_target(
        reverse("congress:paper_status", args=[paper.conference_id, paper.pk]),
        w.users["officer_hcm"],
        PaperStatusForm(),
        valid={"status": "selected"},
    )


@entry("congress:paper_move")
def _paper_move(w: World) -> Target:
    from congress.forms import PaperMoveForm

    paper = w.paper()
    w.paper()
    return form_target(
        reverse("congress:paper_move", args=[paper.conference_id, paper.pk]),
        w.users["officer_hcm"],
        PaperMoveForm(),
        valid={"offset": "1"},
    )


@entry("congress:communication_add")
def _communication_add(w: World) -> Target:
    return page_target(
        reverse("congress:communication_add", args=[w.hcm_upper().pk]),
        w.users["officer_hcm"],
        valid={"date": "01/11/2019", "channel": "Báo BHXH"},
    )


@entry("congress:communication_edit")
def _communication_edit(w: World) -> Target:
    activity = w.activity()
    return page_target(
        reverse("congress:communication_edit", args=[activity.conference_id, activity.pk]),
        w.users["officer_hcm"],
    )


@entry("congress:communication_delete")
def _communication_delete(w: World) -> Target:
    activity = w.activity()
    return form_target(
        reverse("congress:communication_delete", args=[activity.conference_id, activity.pk]),
        w.users["officer_hcm"],
        forms.Form(),
    )


@entry("delegates:guest_add")
def _guest_add(w: World) -> Target:
    return page_target(
        reverse("delegates:guest_add", args=[w.hcm_upper().pk]),
        w.users["officer_hcm"],
        valid={"guest_name": "Lê Văn Tám"},
        extra={"add_another": [OMIT, "1"]},
    )


@entry("delegates:official_add")
def _official_add(w: World) -> Target:
    from tests.factories import PersonFactory

    person = PersonFactory(unit=w.tree.hcm_district, full_name="Trần Thị Bình")
    url = reverse("delegates:official_add", args=[w.hcm_upper().pk])
    target = page_target(f"{url}?q=binh", w.users["officer_hcm"], valid={"person": str(person.pk)})
    target.url = url
    target.extra = {"q": ["binh", "", "\x00", "b" * 5000, "=1+1"]}
    target.valid["q"] = "binh"
    return target


@entry("delegates:official_suggestions")
def _official_suggestions(w: World) -> Target:
    from delegates.models import Rank
    from tests.factories import PersonFactory

    PersonFactory(unit=w.tree.hcm, full_name="Nguyễn Văn Giám", rank=Rank.HEAD)
    PersonFactory(unit=w.tree.hcm_district, full_name="Phạm Văn Huyện", rank=Rank.HEAD)
    target = page_target(
        reverse("delegates:official_suggestions", args=[w.hcm_upper().pk]), w.users["officer_hcm"]
    )
    suggested = choice_values(target.fields["people"])
    assert suggested, "no one is suggested: the fixture needs a leader of HCMC"
    target.valid["people"] = suggested[:1]
    return target


@entry("delegates:delegate_remove")
def _delegate_remove(w: World) -> Target:
    from tests.factories import DelegateFactory

    delegate = DelegateFactory(conference=w.hcm_upper())
    return form_target(
        reverse("delegates:delegate_remove", args=[delegate.conference_id, delegate.pk]),
        w.users["officer_hcm"],
        forms.Form(),
    )


@entry("delegates:composition_rules")
def _composition_rules(w: World) -> Target:
    from tests.factories import ConferenceFactory, UnitFactory
    from units.models import UnitKind

    hq = UnitFactory(parent=w.tree.vss, kind=UnitKind.HQ_BLOC, code="HQ", name="Khối cơ quan")
    conference = ConferenceFactory(tier=w.tiers[2], unit=hq)
    return page_target(
        reverse("delegates:composition_rules", args=[conference.pk]),
        w.users["admin"],
        extra={"reset": [OMIT, "1"]},
    )


@entry("delegates:check_in")
def _check_in(w: World) -> Target:
    from tests.factories import DelegateFactory

    delegate = DelegateFactory(conference=w.hcm_upper())
    code = delegate.check_in_code
    return form_target(
        reverse("delegates:check_in", args=[delegate.conference_id]),
        w.users["officer_hcm"],
        forms.Form(),
        extra={
            "action": ["code", "delegate", "undo", "x"],
            "code": [code, "", "\x00", "A" * 5000, "=1+1"],
            "delegate": [str(delegate.pk), "0", "9" * 12, "9" * 13, "-1", "1e309"],
        },
    )


@entry("elections:election_open")
def _election_open(w: World) -> Target:
    w.allocation_conference()
    return form_target(
        reverse("elections:election_open", args=[w.held_district().pk]),
        w.users["officer_hcm"],
        forms.Form(),
    )


def _candidate(w: World, adding: bool) -> Target:
    from delegates.forms.elections import ElectionPersonForm
    from tests.factories import PersonFactory

    election = w.election(votes=False)
    if adding:
        person = PersonFactory(unit=w.tree.hcm_district)
    else:
        person = election.candidates.first().person
    return form_target(
        reverse(
            "elections:candidate_add" if adding else "elections:candidate_remove",
            args=[election.conference_id],
        ),
        w.users["officer_hcm"],
        ElectionPersonForm(),
        valid={"person": str(person.pk)},
        extra={
            "q": ["", "an", "\x00", "q" * 5000],
            # The candidate picker's filters and page, passed back.
            "gender": ["", "female", "²", "\x00"],
            "mark": ["", "good_solution", "exemplar", "=1+1"],
            "title": ["", "any", "sector", "9" * 5000],
            "unit": ["", str(w.tree.hcm_district.pk), "-1", "9" * 5000],
            "page": ["", "2", "0", "9" * 5000, "²"],
        },
    )


@entry("elections:candidate_add")
def _candidate_add(w: World) -> Target:
    return _candidate(w, adding=True)


@entry("elections:candidate_remove")
def _candidate_remove(w: World) -> Target:
    return _candidate(w, adding=False)


@entry("elections:votes_record")
def _votes_record(w: World) -> Target:
    from delegates.forms.elections import ElectionVotesForm
    from delegates.selectors import elections as election_selectors

    election = w.election(votes=False)
    candidates = election_selectors.round_candidates(election)
    (first,) = election_selectors.election_rounds(election)
    return form_target(
        reverse("elections:votes_record", args=[election.conference_id]),
        w.users["officer_hcm"],
        ElectionVotesForm(
            initial=ElectionVotesForm.initial_for(election, first, candidates),
            candidates=candidates,
        ),
        valid={
            "summoned": "45",
            "present": "40",
            "ballots_issued": "12",
            "ballots_returned": "11",
            "valid_ballots": "10",
            "invalid_ballots": "1",
            "committee": "Nguyễn Văn An - Trưởng ban",
            "count_ended_at": "2020-01-10T10:30",
            **{f"votes_{c.person_id}": "6" for c in candidates},
        },
    )


@entry("elections:runoff_open")
def _runoff_open(w: World) -> Target:
    election = w.election(tie=True)
    return form_target(
        reverse("elections:runoff_open", args=[election.conference_id]),
        w.users["officer_hcm"],
        forms.Form(),
        extra={"lock_version": [str(election.lock_version), "0", "-1", "9" * 40, "1e309", "x"]},
    )


@entry("elections:election_confirm")
def _election_confirm(w: World) -> Target:
    election = w.election()
    return form_target(
        reverse("elections:election_confirm", args=[election.conference_id]),
        w.users["officer_hcm"],
        forms.Form(),
        extra={"lock_version": [str(election.lock_version), "0", "-1", "9" * 40, "1e309", "x"]},
    )


@entry("elections:elected_replace")
def _elected_replace(w: World) -> Target:
    from delegates.forms.elections import ReplacementForm

    election, (an, _binh, _chi) = w.confirmed_election(next_in_line=True)
    return form_target(
        reverse("elections:elected_replace", args=[election.conference_id]),
        w.users["officer_hcm"],
        ReplacementForm(),
        valid={"person": str(an.pk), "reason": "Ốm", "lock_version": str(election.lock_version)},
    )


@entry("elections:further_round_open")
def _further_round_open(w: World) -> Target:
    from delegates.forms.elections import FurtherRoundForm

    election, (an, binh, chi) = w.confirmed_election()
    return form_target(
        reverse("elections:further_round_open", args=[election.conference_id]),
        w.users["officer_hcm"],
        FurtherRoundForm(),
        valid={"reason": "Ốm", "lock_version": str(election.lock_version)},
        extra={
            "person": [[str(an.pk)], [], [str(binh.pk)], ["9" * 20], ["x", "-1", "1e309"]],
            "candidate": [
                [str(binh.pk), str(chi.pk)],
                [],
                [str(an.pk)],
                ["9" * 20],
                ["²", "\x00"],
            ],
            "retry": ["", "1", "\x00"],
        },
    )


@entry("elections:further_round_seat")
def _further_round_seat(w: World) -> Target:
    election, _people = w.confirmed_election(further=True)
    return form_target(
        reverse("elections:further_round_seat", args=[election.conference_id]),
        w.users["officer_hcm"],
        forms.Form(),
        extra={"lock_version": [str(election.lock_version), "0", "-1", "9" * 40, "1e309", "x"]},
    )


@entry("elections:excess_resolve")
def _excess_resolve(w: World) -> Target:
    from delegates.models import Delegate

    election = w.election()
    delegates = [str(pk) for pk in Delegate.objects.values_list("pk", flat=True)[:3]]
    return form_target(
        reverse("elections:excess_resolve", args=[election.conference_id]),
        w.users["officer_hcm"],
        forms.Form(),
        extra={"delegate": [[], *([d] for d in delegates), ["9" * 11], ["x", "-1", "1e309"]]},
    )


@entry("people:person_add")
def _person_add(w: World) -> Target:
    return page_target(
        reverse("people:person_add"),
        w.users["officer_hcm"],
        valid={
            "unit": str(w.tree.hcm_district.pk),
            "full_name": "Nguyễn Thị Hoa",
            "gender": "female",
            "birth_year": "1980",
        },
    )


def _person(w: World):
    from tests.factories import PersonFactory

    return PersonFactory(unit=w.tree.hcm_district, full_name="Võ Văn Kiệt")


@entry("people:person_edit")
def _person_edit(w: World) -> Target:
    return page_target(reverse("people:person_edit", args=[_person(w).pk]), w.users["officer_hcm"])


@entry("people:person_titles")
def _person_titles(w: World) -> Target:
    from congress.selectors import cycle_for_user
    from delegates.forms.people import PersonTitlesForm
    from delegates.selectors import people as people_selectors

    user = w.users["officer_hcm"]
    form = PersonTitlesForm(years=people_selectors.years_of(cycle_for_user(user)))
    choices = [value for value, _label in form.fields["titles"].choices]
    return form_target(
        reverse("people:person_titles", args=[_person(w).pk]),
        user,
        form,
        valid={"titles": choices[:2]},
    )


@entry("people:person_status")
def _person_status(w: World) -> Target:
    return form_target(
        reverse("people:person_status", args=[_person(w).pk]),
        w.users["officer_hcm"],
        forms.Form(),
        extra={"action": ["deactivate", "reactivate", "delete", "", "x"]},
    )


@entry("people:people_import")
def _people_import(w: World) -> Target:
    from tests.delegates.people.test_people_import import row, xlsx

    return page_target(
        reverse("people:people_import"),
        w.users["officer_hcm"],
        valid={"file": _upload("danh-sach.xlsx", xlsx(row()).getvalue())},
    )


@entry("people:register_carry")
def _register_carry(w: World) -> Target:
    # Cycle V's hierarchy replaced none: the carry is refused (403) for
    # everyone, whatever is posted.
    return form_target(
        reverse("people:register_carry"), w.users["officer_hcm"], forms.Form(), reachable=False
    )


@entry("allocations:allocation_compute")
def _allocation_compute(w: World) -> Target:
    from delegates.forms.quotas import AllocationComputeForm

    conference = w.allocation_conference()
    return form_target(
        reverse("allocations:allocation_compute", args=[conference.pk]),
        w.users["officer_hcm"],
        AllocationComputeForm(),
        valid={"tie_break": AllocationComputeForm().fields["tie_break"].choices[0][0]},
    )


@entry("allocations:allocation_adjust")
def _allocation_adjust(w: World) -> Target:
    from delegates.forms.quotas import AllocationAdjustForm
    from delegates.selectors import quotas as quota_selectors

    allocation = w.draft_allocation()
    lines = list(quota_selectors.allocation_lines(allocation))
    return form_target(
        reverse(
            "allocations:allocation_adjust", args=[allocation.conference_id, allocation.version]
        ),
        w.users["officer_hcm"],
        AllocationAdjustForm(initial={"lock_version": allocation.lock_version}, lines=lines),
        extra={f"was_{line.unit_id}": [str(line.seats), "", "9" * 30, "x"] for line in lines},
    )


@entry("allocations:allocation_submit")
def _allocation_submit(w: World) -> Target:
    from delegates.forms.quotas import AllocationLockForm

    allocation = w.draft_allocation()
    return form_target(
        reverse(
            "allocations:allocation_submit", args=[allocation.conference_id, allocation.version]
        ),
        w.users["officer_hcm"],
        AllocationLockForm(initial={"lock_version": allocation.lock_version}),
    )


@entry("allocations:allocation_review")
def _allocation_review(w: World) -> Target:
    from delegates.forms.quotas import AllocationReviewForm

    allocation = w.submitted_allocation()
    return form_target(
        reverse(
            "allocations:allocation_review", args=[allocation.conference_id, allocation.version]
        ),
        w.users["council"],
        AllocationReviewForm(initial={"lock_version": allocation.lock_version}),
        valid={"decision": "approve"},
    )


@entry("plans:plan_upload")
def _plan_upload(w: World) -> Target:
    from congress.forms import PlanUploadForm

    return form_target(
        reverse("plans:plan_upload", args=[w.tree.hcm.pk]),
        w.users["officer_hcm"],
        PlanUploadForm(),
        valid={"file": _upload("ke-hoach.pdf", PDF)},
    )


@entry("plans:plan_review")
def _plan_review(w: World) -> Target:
    from congress.forms import PlanReviewForm

    plan = w.plan()
    return form_target(
        reverse("plans:plan_review", args=[w.tree.hcm.pk, plan.pk]),
        w.users["council"],
        PlanReviewForm(),
        valid={"decision": PlanReviewForm().fields["decision"].choices[0][0], "reason": "Đạt"},
    )


@entry("plans:plan_withdraw")
def _plan_withdraw(w: World) -> Target:
    from congress.forms import PlanWithdrawForm

    plan = w.plan()
    return form_target(
        reverse("plans:plan_withdraw", args=[w.tree.hcm.pk, plan.pk]),
        w.users["officer_hcm"],
        PlanWithdrawForm(),
        valid={"reason": "Nộp nhầm tệp."},
    )


@entry("allocations:allocation_withdraw")
def _allocation_withdraw(w: World) -> Target:
    from delegates.forms.quotas import AllocationWithdrawForm

    allocation = w.submitted_allocation()
    return form_target(
        reverse(
            "allocations:allocation_withdraw", args=[allocation.conference_id, allocation.version]
        ),
        w.users["officer_hcm"],
        AllocationWithdrawForm(initial={"lock_version": allocation.lock_version}),
        valid={"reason": "Cần điều chỉnh lại số đại biểu."},
    )


def _notice(w: World):
    from units.models import Notification

    return Notification.objects.create(
        recipient=w.users["officer_hcm"],
        event_key="form-catalogue",
        kind=Notification.Kind.DOCUMENT_READY,
        title="Tài liệu đã sẵn sàng",
        url="/documents/",
    )


@entry("notifications:notification_open")
def _notification_open(w: World) -> Target:
    notice = _notice(w)
    return form_target(
        reverse("notifications:notification_open", args=[notice.pk]),
        w.users["officer_hcm"],
        forms.Form(),
    )


@entry("notifications:notification_read_all")
def _notification_read_all(w: World) -> Target:
    _notice(w)
    return form_target(
        reverse("notifications:notification_read_all"), w.users["officer_hcm"], forms.Form()
    )


@entry("notifications:notification_settings")
def _notification_settings(w: World) -> Target:
    from units.forms import NoticeSettingsForm

    return form_target(
        reverse("notifications:notification_settings"),
        w.users["officer_hcm"],
        NoticeSettingsForm(initial={"wants_mail": True}),
    )


@entry("units:unit_import")
def _unit_import(w: World) -> Target:
    from tests.units.test_unit_import import row, xlsx

    return page_target(
        reverse("units:unit_import"),
        w.users["admin"],
        valid={"file": _upload("don-vi.xlsx", xlsx(row()).getvalue())},
    )


@entry("reports:job_create")
def _job_create(w: World) -> Target:
    from reports.registry import exporters

    conference = w.hcm_upper()
    return form_target(
        reverse("reports:job_create"),
        w.users["officer_hcm"],
        forms.Form(),
        extra={
            "exporter": ["delegate_list_xlsx", *sorted(exporters()), "", "x", "\x00"],
            "conference": [str(conference.pk), "", "0", "9" * 30, "9" * 5000, "1e309", "NaN"],
            "next": [OMIT, "", "/", "https://evil.example/", "//evil.example"],
            "version": [OMIT, "", "1", "-1", "9" * 30],
            "format": [OMIT, "", "x", "\x00"],
        },
    )
