"""The authorisation catalogue: every URL pattern of the project, how to
build its URL (and, for some POST-only views, its body) for an object of
the user's own province and of another province's, and which right the
page needs. ``tests/test_authorisation_matrix.py`` checks that the
catalogue names every pattern the resolver knows, then requests every
pattern for every role on its own and on a foreign object.

The rights are written here by hand from the permission policy
(units/permissions.py): they are the claim the views are checked against,
not read back from the code under test.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver

from congress import services, uploads
from congress.models import CommunicationActivity, Conference, FieldOfWork, Paper
from congress.services import CommunicationDetails, PaperDetails
from delegates.models import Allocation, AllocationLine, Category, Election
from delegates.services.elections import open_election, set_candidates
from reports.models import DocumentJob, GeneratedFile
from tests.congress.documents_support import PDF, upload
from tests.factories import (
    ConferenceFactory,
    DelegateFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Notification, Role, UnitKind

# -- Patterns from the resolver ----------------------------------------------------


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """(full route, "namespace:name" or "" for an unnamed pattern, callback)
    of every pattern, included ones at any depth."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            nested = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from walk(pattern.url_patterns, route, nested)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name or "", pattern.callback


ADMIN_NAMESPACE = "admin"
# Django's own sign-in pages, public by design: left out of the matrix, but
# requested by ``test_public_auth_views_answer`` (never a 500).
PUBLIC_AUTH = frozenset(
    {
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


def methods_of(callback) -> tuple[str, ...]:
    """The methods a view is requested with: GET if it answers it, POST
    if it answers that (a POST-only view is requested with POST only)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return ("get",)
    names = callback.view_initkwargs.get("http_method_names", view_class.http_method_names)
    methods = tuple(m for m in ("get", "post") if m in names and hasattr(view_class, m))
    return methods or ("get",)


# -- Roles and their rights (units/permissions.py, written out) --------------------

VIEW, CHANGE, PRINT, REVIEW, CONFIGURE = "view", "change", "print", "review", "configure"
ALL = "all"  # a scope: the whole hierarchy

# role → (actions, scope); the users are those of the ``users`` fixture.
RIGHTS: dict[str, tuple[frozenset[str], str]] = {
    "officer_hcm": (frozenset({VIEW, CHANGE, PRINT}), "hcm"),
    "officer_hanoi": (frozenset({VIEW, CHANGE, PRINT}), "hanoi"),
    # Not of the ``users`` fixture: an officer of a district (BHXH Quận 1),
    # who acts on the district's subtree only, not on its province.
    "officer_q1": (frozenset({VIEW, CHANGE, PRINT}), "hcm/district"),
    "printer_hcm": (frozenset({VIEW, PRINT}), "hcm"),
    # Held on the VSS root: not nationwide, but the root's subtree is all.
    "printer": (frozenset({VIEW, PRINT}), ALL),
    "council": (frozenset({VIEW, REVIEW, PRINT}), ALL),
    "admin": (frozenset({VIEW, CHANGE, PRINT, REVIEW, CONFIGURE}), ALL),
}
ROLES = ["anonymous", *RIGHTS]
PROVINCES = ("hcm", "hanoi")


def home(role: str) -> str:
    """The province a role's "own" objects are in (HCMC for the roles on
    the VSS root, who see both)."""
    return "hanoi" if role == "officer_hanoi" else "hcm"


def other(province: str) -> str:
    return "hcm" if province == "hanoi" else "hanoi"


def in_scope(role: str, region: str, level: str = "province") -> bool:
    """Whether an object of ``region`` (at the province's ``level`` or at
    its district's) lies in the role's scope."""
    scope = RIGHTS[role][1]
    return scope in (ALL, region) or (scope == f"{region}/district" and level == "district")


# -- The world the pages are requested on ------------------------------------------

MARK = {"hcm": "Mẫu Dấu P79", "hanoi": "Mẫu Dấu P01"}


class Province:
    """One province's objects, each in a state where its pages answer: a
    tier-2 conference (draft) with a delegate, a paper, a communication
    activity, a summary report and a submitted allocation; a held tier-1
    conference of a district with an open election; a person; a filed plan;
    an exempted unit and one to exempt."""

    def __init__(self, tree, tiers, admin, key: str):
        unit = tree.hcm if key == "hcm" else tree.hanoi
        district = tree.hcm_district if key == "hcm" else tree.hanoi_district
        mark = MARK[key]
        self.key, self.unit, self.district = key, unit, district
        # What a page for another province's user must never show: every
        # object below is named with ``mark``, the district is the tree's.
        self.markers = (unit.name, district.name, mark)
        self.unit_markers = (district.name, mark)  # for pages naming the pilot units
        # The province's own objects outside its district.
        self.outside_district = (
            f"Hội trường {mark}",
            f"Tham luận {mark}",
            f"huyện Miễn {mark}",
            f"huyện Chờ {mark}",
        )
        self.upper = ConferenceFactory(tier=tiers[2], unit=unit, venue=f"Hội trường {mark}")
        self.lower = ConferenceFactory(
            tier=tiers[1],
            unit=district,
            status=Conference.Status.HELD,
            held_on=tiers[1].window_start + datetime.timedelta(days=30),
            actual_attendance=40,
        )
        self.person = PersonFactory(unit=district, full_name=f"Người {mark}")
        self.delegate = DelegateFactory(
            conference=self.upper, category=Category.OFFICIAL, person=self.person
        )
        self.allocation = Allocation.objects.create(
            conference=self.upper,
            version=1,
            status=Allocation.Status.SUBMITTED,
            tie_break="lot",
            total_seats=2,
            created_by=admin,
        )
        AllocationLine.objects.create(
            allocation=self.allocation,
            unit=district,
            position=0,
            attendance=40,
            quota_numerator=2,
            quota_denominator=1,
            computed_seats=2,
            seats=2,
        )
        self.election = open_election(actor=admin, conference=self.lower)
        set_candidates(actor=admin, election=self.election, persons=[self.person])
        self.paper = services.add_paper(
            actor=admin,
            conference=self.upper,
            details=PaperDetails(
                title=f"Tham luận {mark}",
                presenter_kind=Paper.PresenterKind.COLLECTIVE,
                presenter_unit=district,
                field_of_work=FieldOfWork.COLLECTION,
            ),
        )
        self.activity = services.add_communication_activity(
            actor=admin,
            conference=self.upper,
            details=CommunicationDetails(
                kind=CommunicationActivity.Kind.EXEMPLARS_ON_MEDIA,
                date=datetime.date(2020, 3, 2),
                channel="Cổng thông tin điện tử",
            ),
        )
        self.document = services.upload_conference_document(
            actor=admin,
            conference=self.upper,
            kind="summary_report",
            upload=uploads.check_upload(upload("Báo cáo.pdf", PDF)),
        )
        self.plan = services.upload_organisation_plan(
            actor=admin, unit=unit, upload=uploads.check_upload(upload("Kế hoạch.pdf", PDF))
        )
        exempted = UnitFactory(parent=unit, name=f"BHXH huyện Miễn {mark}")
        self.exemption = services.exempt_unit(
            actor=admin, tier=tiers[1], unit=exempted, reason="Sáp nhập đơn vị."
        )
        self.to_exempt = UnitFactory(parent=unit, name=f"BHXH huyện Chờ {mark}")


class World:
    """Both provinces, the HQ bloc's tier-2 conference (whose composition
    VSS sets), and for each user a finished document of their own and one
    of somebody else's."""

    def __init__(self, tree, tiers, users):
        admin = users["admin"]
        self.tree, self.tiers, self.users, self.cycle = tree, tiers, users, tree.cycle
        self.provinces = {key: Province(tree, tiers, admin, key) for key in PROVINCES}
        bloc = UnitFactory(parent=tree.vss, kind=UnitKind.HQ_BLOC, code="KCQ", name="Khối cơ quan")
        self.bloc_upper = ConferenceFactory(tier=tiers[2], unit=bloc)
        result = GeneratedFile.objects.create(
            exporter="delegate_list",
            source_key="authorisation-matrix",
            file=ContentFile(PDF, name="danh-sach.pdf"),
            filename="danh-sach.pdf",
            mimetype="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
        )
        stranger = UserFactory(role=Role.ADMIN, unit=tree.vss, username="stranger")

        def job(user, unit):
            return DocumentJob.objects.create(
                requested_by=user,
                exporter="delegate_list",
                title=f"Danh sách đại biểu {unit.name}",
                unit=unit,
                cycle=tree.cycle,
                status=DocumentJob.Status.DONE,
                progress=100,
                result=result,
            )

        # The user's own job, on their own unit; somebody else's, on each province.
        self.own_jobs = {role: job(user, user.unit) for role, user in users.items()}
        self.foreign_jobs = {key: job(stranger, self.provinces[key].unit) for key in PROVINCES}

        def notice(user, key):
            return Notification.objects.create(
                recipient=user,
                event_key=f"authorisation-matrix:{key}",
                kind=Notification.Kind.DOCUMENT_READY,
                title="Tài liệu đã sẵn sàng",
                url="/documents/",
            )

        # A notice is its recipient's only, whatever the role.
        self.own_notices = {role: notice(user, role) for role, user in users.items()}
        self.foreign_notices = {key: notice(stranger, key) for key in PROVINCES}

    def province(self, region: str) -> Province:
        return self.provinces[region]


# -- The catalogue -----------------------------------------------------------------

Build = Callable[[World, str, str], dict]  # (world, region, role) → kwargs or body


@dataclass(frozen=True)
class Entry:
    """How one pattern is requested and what it needs.

    ``right``: ``"login"`` (any signed-in user), an action of ``RIGHTS``,
    ``"owner"`` (the user's own object only, whatever their role) or
    ``"nobody"`` (refused to every role in this world). ``scoped``: the
    object belongs to a province (own / foreign); ``region`` fixes it
    instead (``"vss"``: an object of VSS itself); ``where`` says at which
    level of the province the right is asked (default: where the object is). ``names_pilots``: the
    page names the cycle's pilot units (HCMC), which everyone may know. ``ok``: the statuses of
    a user with the right (default 200 for GET, 302 for POST).
    ``data``: the body of a POST (default empty). When the URL names an
    object inside another (a paper of a conference: ``kwargs.child``), a
    ``mixed`` variant pairs the user's own parent with the other
    province's child: no such page (404) for anyone. ``probe``: a query
    string aimed at the other province (a filter, a search): the page
    must then show nothing of it; a list with a probe is requested plain
    (own) and probed (foreign).
    """

    right: str
    kwargs: Build | None = None
    scoped: bool = False
    region: str = ""
    data: Build | None = None
    probe: Build | None = None
    where: str = ""
    post_right: str = ""
    post_ok: tuple[int, ...] = (200, 302, 400)
    ok: tuple[int, ...] = ()
    names_pilots: bool = False
    variants: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        if self.region:
            variants = (self.region,)
        elif self.scoped or self.right == "owner" or self.probe:
            variants = ("own", "foreign")
        else:
            variants = ("any",)
        if self.child:
            variants = (*variants, "mixed")
        object.__setattr__(self, "variants", variants)

    @property
    def level(self) -> str:
        return self.where or getattr(self.kwargs, "level", "province")

    @property
    def child(self) -> str:
        return getattr(self.kwargs, "child", "")


def conf(attr: str = "upper", **extra: Callable) -> Build:
    """kwargs ``pk`` = the province's conference ``attr`` (plus ``extra``)."""

    def build(w: World, region: str, role: str) -> dict:
        p = w.province(region)
        return {"pk": getattr(p, attr).pk, **{k: f(p) for k, f in extra.items()}}

    build.child = next((k for k in extra if k.endswith("_pk")), "")
    build.level = "district" if attr == "lower" else "province"
    return build


def of(child: str = "", level: str = "province", **attrs: Callable) -> Build:
    """kwargs read from the province's objects (``child``: the one inside
    another; ``level``: where the object is, the province or its district)."""

    def build(w: World, region: str, role: str) -> dict:
        p = w.province(region)
        return {name: f(p) for name, f in attrs.items()}

    build.child = child
    build.level = level
    return build


def cycle_kwargs(**extra) -> Build:
    return lambda w, region, role: {"pk": w.cycle.pk, **extra}


def job_kwargs(w: World, region: str, role: str) -> dict:
    own = region == home(role)
    if own and role in w.own_jobs:  # the anonymous own none
        return {"pk": w.own_jobs[role].pk}
    return {"pk": w.foreign_jobs[region].pk}


def notice_kwargs(w: World, region: str, role: str) -> dict:
    if region == home(role) and role in w.own_notices:
        return {"pk": w.own_notices[role].pk}
    return {"pk": w.foreign_notices[region].pk}


def aim(attr: str, key: str, value: Callable = lambda obj: obj.pk, across=False) -> Build:
    """A probe: ``key`` = the object ``attr`` of the variant's province (a
    list's foreign variant aims at the other province), or with ``across``
    of the province other than the object's (a filter on one's own page
    aimed at another province)."""

    def build(w: World, region: str, role: str) -> dict:
        return {key: value(getattr(w.province(other(region) if across else region), attr))}

    return build


def search(w: World, region: str, role: str) -> dict:
    """A search matching every object of both provinces."""
    return {"q": "Mẫu Dấu"}


def login(**kw) -> Entry:
    return Entry("login", **kw)


def scoped(right: str, kwargs: Build, **kw) -> Entry:
    return Entry(right, kwargs=kwargs, scoped=True, **kw)


CATALOGUE: dict[str, Entry] = {
    # -- Home, cycles ------------------------------------------------------------
    "home": login(names_pilots=True),
    "cycle_choose": login(data=lambda w, region, role: {"cycle": w.cycle.pk}),
    "cycles:cycle_list": Entry(CONFIGURE),
    "cycles:cycle_create": Entry(CONFIGURE),
    "cycles:cycle_detail": Entry(CONFIGURE, kwargs=cycle_kwargs()),
    "cycles:cycle_edit": Entry(CONFIGURE, kwargs=cycle_kwargs()),
    "cycles:cycle_pilots": Entry(CONFIGURE, kwargs=cycle_kwargs()),
    "cycles:cycle_mark_current": Entry(CONFIGURE, kwargs=cycle_kwargs()),
    "cycles:tier_edit": Entry(CONFIGURE, kwargs=cycle_kwargs(level=2)),
    # -- Conferences -------------------------------------------------------------
    "congress:conference_list": login(probe=search),
    "congress:conference_register": Entry(
        CHANGE,
        probe=lambda w, region, role: {
            "unit": w.province(region).district.pk,
            "tier": w.tiers[1].pk,
        },
    ),
    # Its POST moves the conference: submitting it is for who may change it.
    "congress:conference_detail": scoped(
        VIEW,
        conf(),
        post_right=CHANGE,
        data=lambda w, region, role: {
            "action": "submit",
            "lock_version": w.province(region).upper.lock_version,
        },
        post_ok=(302, 400),
    ),
    "congress:conference_edit": scoped(CHANGE, conf()),
    # An empty correction is refused by its form before any right is asked:
    # the page comes back (400) to whoever sees the conference.
    "congress:conference_correct": scoped(VIEW, conf(), ok=(400,)),
    # With a reason, accepting before the pilots is the council's (REVIEW);
    # this draft is refused on its state (400) to those who may.
    "congress:conference_accept_order": scoped(
        REVIEW,
        conf(),
        data=lambda w, region, role: {
            "reason": "Tổ chức sớm theo kế hoạch.",
            "lock_version": w.province(region).upper.lock_version,
        },
        ok=(400,),
    ),
    "congress:exemption_add": scoped(
        REVIEW,
        None,
        data=lambda w, region, role: {
            "unit": w.province(region).to_exempt.pk,
            "tier": w.tiers[1].pk,
            "reason": "Đơn vị sáp nhập.",
        },
    ),
    "congress:exemption_lift": scoped(REVIEW, of(pk=lambda p: p.exemption.pk)),
    "congress:conference_document_upload": scoped(CHANGE, conf(), ok=(400,)),
    "congress:conference_document_download": scoped(
        VIEW, conf(document_pk=lambda p: p.document.pk)
    ),
    "congress:paper_add": scoped(CHANGE, conf()),
    "congress:paper_edit": scoped(CHANGE, conf(paper_pk=lambda p: p.paper.pk)),
    "congress:paper_delete": scoped(CHANGE, conf(paper_pk=lambda p: p.paper.pk)),
    "congress:paper_status": scoped(CHANGE, conf(paper_pk=lambda p: p.paper.pk)),
    "congress:paper_move": scoped(CHANGE, conf(paper_pk=lambda p: p.paper.pk)),
    "congress:communication_add": scoped(CHANGE, conf()),
    "congress:communication_edit": scoped(CHANGE, conf(activity_pk=lambda p: p.activity.pk)),
    "congress:communication_delete": scoped(CHANGE, conf(activity_pk=lambda p: p.activity.pk)),
    # -- Delegates of a conference -----------------------------------------------
    "delegates:delegate_list": scoped(VIEW, conf(), probe=aim("district", "unit", across=True)),
    "delegates:delegate_export": scoped(VIEW, conf(), probe=aim("district", "unit", across=True)),
    "delegates:guest_add": scoped(CHANGE, conf()),
    "delegates:official_add": scoped(CHANGE, conf(), probe=search),
    "delegates:official_suggestions": scoped(CHANGE, conf()),
    "delegates:delegate_remove": scoped(CHANGE, conf(delegate_pk=lambda p: p.delegate.pk)),
    "delegates:composition": scoped(VIEW, conf()),
    # The HQ bloc's own composition is set by whoever may change VSS's root.
    "delegates:composition_rules": Entry(
        CHANGE, kwargs=lambda w, region, role: {"pk": w.bloc_upper.pk}, region="vss"
    ),
    # Whoever may print checks in at the door; only who may change takes
    # a check-in back (the POST asks for that).
    "delegates:check_in": scoped(
        PRINT,
        conf(),
        probe=search,
        post_right=CHANGE,
        data=lambda w, region, role: {"action": "undo", "delegate": w.province(region).delegate.pk},
        post_ok=(302,),
    ),
    "delegates:check_in_counts": scoped(PRINT, conf()),
    # -- Elections (of the held tier-1 conference of a district) -----------------
    # The candidate picker searched and aimed at the other province's district.
    "elections:election_detail": scoped(
        VIEW,
        conf("lower"),
        probe=lambda w, region, role: {
            **search(w, region, role),
            **aim("district", "unit", across=True)(w, region, role),
        },
    ),
    "elections:election_open": scoped(CHANGE, conf("lower")),
    "elections:candidate_add": scoped(CHANGE, conf("lower")),
    "elections:candidate_remove": scoped(CHANGE, conf("lower")),
    "elections:votes_record": scoped(CHANGE, conf("lower"), ok=(400,)),
    "elections:runoff_open": scoped(CHANGE, conf("lower")),
    "elections:election_confirm": scoped(CHANGE, conf("lower")),
    # Refused on a draft election: the form comes back (400), or the page
    # with the reason (302).
    "elections:elected_replace": scoped(CHANGE, conf("lower"), ok=(400,)),
    "elections:further_round_open": scoped(CHANGE, conf("lower"), ok=(400,)),
    "elections:further_round_seat": scoped(CHANGE, conf("lower")),
    # Resolving removes delegates of the conference above: CHANGE on its unit.
    "elections:excess_resolve": scoped(CHANGE, conf("lower"), where="province"),
    # -- People register ---------------------------------------------------------
    "people:person_list": login(probe=aim("unit", "province")),
    "people:person_add": Entry(CHANGE, probe=aim("district", "unit")),
    "people:people_import": Entry(CHANGE),
    # Carrying a register needs a hierarchy that replaced another: cycle V's
    # has none, so it is refused to everyone here.
    "people:register_carry": Entry("nobody"),
    "people:people_template": Entry(CHANGE),
    "people:people_export": Entry(VIEW, probe=aim("unit", "province")),
    "people:person_detail": scoped(VIEW, of(level="district", pk=lambda p: p.person.pk)),
    "people:person_edit": scoped(CHANGE, of(level="district", pk=lambda p: p.person.pk)),
    "people:person_titles": scoped(CHANGE, of(level="district", pk=lambda p: p.person.pk)),
    "people:person_status": scoped(CHANGE, of(level="district", pk=lambda p: p.person.pk)),
    # -- Allocations (of the tier-2 conference) ----------------------------------
    "allocations:allocation_list": login(probe=lambda w, region, role: {"status": "all"}),
    "allocations:allocation_detail": scoped(VIEW, conf()),
    "allocations:allocation_compute": scoped(CHANGE, conf(), ok=(302, 400)),
    "allocations:allocation_adjust": scoped(CHANGE, conf(version=lambda p: 1), ok=(400,)),
    "allocations:allocation_submit": scoped(CHANGE, conf(version=lambda p: 1)),
    "allocations:allocation_review": scoped(REVIEW, conf(version=lambda p: 1), ok=(400,)),
    "allocations:allocation_withdraw": scoped(CHANGE, conf(version=lambda p: 1), ok=(400,)),
    # -- Organisation plans ------------------------------------------------------
    "plans:plan_list": login(),
    "plans:plan_unit": scoped(VIEW, of(unit_pk=lambda p: p.unit.pk)),
    "plans:plan_upload": scoped(CHANGE, of(unit_pk=lambda p: p.unit.pk), ok=(400,)),
    "plans:plan_review": scoped(
        REVIEW, of("pk", unit_pk=lambda p: p.unit.pk, pk=lambda p: p.plan.pk), ok=(400,)
    ),
    "plans:plan_withdraw": scoped(
        CHANGE, of("pk", unit_pk=lambda p: p.unit.pk, pk=lambda p: p.plan.pk), ok=(400,)
    ),
    "plans:plan_download": scoped(
        VIEW, of("pk", unit_pk=lambda p: p.unit.pk, pk=lambda p: p.plan.pk)
    ),
    # -- Progress ------------------------------------------------------------------
    "progress:board": login(probe=aim("unit", "province", lambda unit: unit.code)),
    "progress:board_export": login(probe=aim("unit", "province", lambda unit: unit.code)),
    "progress:calendar": login(probe=aim("unit", "province", lambda unit: unit.code)),
    # -- Documents (a job is its asker's only) -------------------------------------
    "reports:job_list": login(),
    # Asking for a conference's delegate list needs PRINT on its unit.
    "reports:job_create": scoped(
        PRINT,
        None,
        data=lambda w, region, role: {
            "exporter": "delegate_list_xlsx",
            "conference": w.province(region).upper.pk,
        },
    ),
    "reports:job_detail": Entry("owner", kwargs=job_kwargs),
    "reports:job_download": Entry("owner", kwargs=job_kwargs),
    # A table downloaded at once: the checks of a job for the document, here
    # the delegate list as shown, which needs VIEW on the conference's unit.
    "reports:download": scoped(
        VIEW,
        lambda w, region, role: {"exporter": "delegate_table_xlsx"},
        probe=lambda w, region, role: {"conference": w.province(region).upper.pk},
    ),
    # -- Units ---------------------------------------------------------------------
    "units:unit_detail": scoped(VIEW, of(level="district", pk=lambda p: p.district.pk)),
    "units:unit_list": login(probe=aim("unit", "province")),
    "units:unit_tree": login(),
    "units:cluster_list": login(),
    "units:unit_import": Entry(CONFIGURE),
    "units:unit_template": Entry(CONFIGURE),
    "units:unit_export": Entry(VIEW),
    # The audit log: every entry for the nationwide roles, the subtree's for
    # the others; a unit of another province in its filter shows nothing.
    "units:audit_log": Entry(VIEW, probe=aim("unit", "unit")),
    # -- The user's notices (a notice is its recipient's only) -----------------------
    "notifications:notification_list": login(),
    "notifications:notification_open": Entry("owner", kwargs=notice_kwargs),
    "notifications:notification_read_all": login(),
    "notifications:notification_settings": login(),
    # -- Django's pages for the signed-in ------------------------------------------
    "password_change": login(),
    "password_change_done": login(),
}


# -- The documents one may ask for (reports.registry) -----------------------------


def _conference(w: World, region: str, role: str) -> dict:
    return {"conference": w.province(region).upper.pk}


def _allocation(w: World, region: str, role: str) -> dict:
    return {"allocation": w.province(region).allocation.pk}


def _election_round(w: World, region: str, role: str) -> dict:
    """Round 1 of the election of the province's district (electing to
    the province's conference); printed on the district's unit."""
    return {"round": w.province(region).election.rounds.get(number=1).pk}


def _counted_round(w: World, region: str, role: str) -> dict:
    """The same round with its ballots counted (the minutes need them)."""
    round_ = w.province(region).election.rounds.get(number=1)
    if not round_.is_recorded:
        round_.ballots_issued = round_.ballots_returned = round_.valid_ballots = 10
        round_.save()
    return {"round": round_.pk}


def _confirmed_election(w: World, region: str, role: str) -> dict:
    """The district's election with its round counted and its result
    confirmed (written directly): its list is sent up only then."""
    province = w.province(region)
    election = province.election
    if not election.is_confirmed:
        round_ = election.rounds.get(number=1)
        round_.ballots_issued = round_.ballots_returned = round_.valid_ballots = 10
        round_.save()
        round_.entries.update(votes=8)
        election.status = Election.Status.CONFIRMED
        election.allocation = province.allocation
        election.save(update_fields=["status", "allocation"])
    return {"election": election.pk}


def _province(w: World, region: str, role: str) -> dict:
    return {"province": w.province(region).unit.code}


def _province_unit(w: World, region: str, role: str) -> dict:
    return {"province": w.province(region).unit.pk}


# exporter → the parameters naming an object of the province; each needs
# PRINT on that object's unit.
EXPORTER_PARAMS: dict[str, Build] = {
    "invitations_pdf": _conference,
    "delegate_list_pdf": _conference,
    "delegate_list_xlsx": _conference,
    "attendance_pdf": _conference,
    "attendance_xlsx": _conference,
    "composition_pdf": _conference,
    "composition_xlsx": _conference,
    "allocation_pdf": _allocation,
    "allocation_xlsx": _allocation,
    "progress_pdf": _province,
    "progress_xlsx": _province,
    "progress_board_xlsx": _province,
    "delegate_table_xlsx": _conference,
    "people_register_xlsx": _province_unit,
    "audit_log_xlsx": lambda w, region, role: {"unit": w.province(region).unit.pk},
    "ballot_pdf": _election_round,
    "count_minutes_pdf": _counted_round,
    "elected_list_pdf": _confirmed_election,
    "elected_list_xlsx": _confirmed_election,
}
# Documents of a district's records (the others are of the province's):
# a district's officer may print them too.
EXPORTER_LEVELS: dict[str, str] = {
    "ballot_pdf": "district",
    "count_minutes_pdf": "district",
    "elected_list_pdf": "district",
    "elected_list_xlsx": "district",
}
