from django.utils.functional import SimpleLazyObject

from .history import may_search_log
from .notifications import unread_count


def notices(request):
    """The bell's unread count for the signed-in user: one query, made only
    when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: unread_count(user))}


def audit(request):
    """Whether the navbar offers the audit log (``units.history``)."""
    user = getattr(request, "user", None)
    return {"may_search_log": bool(user and user.is_authenticated and may_search_log(user))}
