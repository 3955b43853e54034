"""Check-in at the door (điểm danh), made for a phone held in one hand.

The staff type the code printed on the invitation, or open the page from
the invitation's QR code (``?code=``: shown, then confirmed with a POST; a
GET changes nothing), or find the delegate by name. Each POST redirects
back to the page, which shows its result once (kept in the session), so a
reload never checks in again. The counts are a fragment polled by
static/js/checkin.js.

Whoever may print for the conference's unit (officer, council, printing
staff, administrator) checks in; only who may change it takes one back.
"""

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from congress.models import Conference
from congress.views.conferences import ConferenceScopedMixin
from delegates.forms.delegates import NameSearchForm
from delegates.selectors import checkin as checkin_selectors
from delegates.services import checkin as checkin_services
from units.models import User
from units.params import int_param, search_param
from units.permissions import Action, has_permission
from units.text import nfc

from ..models import Delegate

RESULT_KEY = "check_in_result"


def check_in_url(conference: Conference) -> str:
    return reverse("delegates:check_in", args=[conference.pk])


def may_check_in(user, conference: Conference) -> bool:
    return has_permission(user, Action.PRINT, conference.unit)


@method_decorator(never_cache, name="dispatch")
class CheckInMixin(ConferenceScopedMixin):
    """The conference of the URL (404 outside the user's scope), for which
    the user must have the right to print (403 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.user = cast(User, request.user)  # signed in: not anonymous
        self.conference = self.get_conference()
        if not may_check_in(self.user, self.conference):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def keep_result(request, conference: Conference, result: checkin_selectors.CheckInResult) -> None:
    """The result, for the page the POST redirects to (shown once)."""
    request.session[RESULT_KEY] = {
        "conference": conference.pk,
        "outcome": str(result.outcome),
        "code": result.code,
        "delegate": result.delegate.pk if result.delegate is not None else None,
        "at": result.checked_in_at.isoformat() if result.checked_in_at else None,
        "by": result.checked_in_by,
        "other": result.other_conference,
    }


def take_result(request, conference: Conference) -> checkin_selectors.CheckInResult | None:
    kept = request.session.pop(RESULT_KEY, None)
    if not isinstance(kept, dict) or kept.get("conference") != conference.pk:
        return None
    try:
        outcome = checkin_selectors.Outcome(str(kept.get("outcome")))
    except ValueError:
        return None
    delegate = None
    if kept.get("delegate"):
        delegate = (
            conference.delegates.select_related("person", "person__unit", "unit")
            .filter(pk=kept["delegate"])
            .first()
        )
    return checkin_selectors.CheckInResult(
        outcome=outcome,
        code=kept.get("code") or "",
        delegate=delegate,
        checked_in_at=parse_datetime(kept["at"]) if kept.get("at") else None,
        checked_in_by=kept.get("by") or "",
        other_conference=kept.get("other") or "",
    )


def posted_pk(request, name: str) -> int:
    value = int_param(request.POST, name)
    if value is None:
        raise Http404
    return value


class CheckInView(CheckInMixin, TemplateView):
    """The check-in page: the last result, the code typed or scanned, the
    delegate of ``?code=`` to confirm, the name search (``?q=``) and the
    counts. POST ``action``: ``code``, ``delegate`` (from the search or
    the confirmation) or ``undo``."""

    template_name = "delegates/checkin.html"

    def get_context_data(self, **kwargs):
        conference = self.conference
        user = self.user
        result = take_result(self.request, conference)
        code = search_param(self.request.GET, "code", max_length=64)
        pending = None
        if code and result is None:
            pending = checkin_selectors.look_up_code(conference=conference, code=code, user=user)
        search = NameSearchForm(self.request.GET)
        query = nfc(search.query())
        found = checkin_selectors.search_delegates(
            conference, query, limit=checkin_selectors.SEARCH_LIMIT + 1
        )
        return super().get_context_data(
            conference=conference,
            page_title=_("Check-in"),
            result=result,
            pending=pending,
            query=query,
            search_errors=search.errors.get("q", []),
            found=found[: checkin_selectors.SEARCH_LIMIT],
            more_found=len(found) > checkin_selectors.SEARCH_LIMIT,
            counts=checkin_selectors.attendance_counts(conference),
            may_undo=checkin_selectors.may_undo(user, conference),
            is_closed=conference.is_closed,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        conference = self.conference
        action = request.POST.get("action", "code")
        try:
            if action == "undo":
                self.undo(posted_pk(request, "delegate"))
            elif action == "delegate":
                result = checkin_services.check_in_delegate(
                    conference=conference,
                    delegate_pk=posted_pk(request, "delegate"),
                    user=self.user,
                )
                keep_result(request, conference, result)
            else:
                result = checkin_services.check_in(
                    conference=conference, code=request.POST.get("code", ""), user=self.user
                )
                keep_result(request, conference, result)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(check_in_url(conference))

    def undo(self, delegate_pk: int) -> None:
        try:
            delegate = checkin_services.undo_check_in(
                conference=self.conference, delegate_pk=delegate_pk, user=self.user
            )
        except Delegate.DoesNotExist as error:
            raise Http404 from error
        if delegate is None:
            messages.info(self.request, _("This delegate was not checked in."))
        else:
            messages.warning(
                self.request,
                _("The check-in of %(name)s is taken back.") % {"name": delegate.name},
            )


class CheckInCountsView(CheckInMixin, View):
    """The present / expected counts, as the fragment the page polls every
    few seconds: rendered without the site's context processors, so a
    poll costs the sign-in, the conference and ONE aggregate query."""

    def get(self, request, *args, **kwargs):
        counts = checkin_selectors.attendance_counts(self.conference)
        return HttpResponse(render_to_string("delegates/_checkin_counts.html", {"counts": counts}))
