from .history import may_search_log


def audit(request):
    """Whether the navbar offers the audit log (``units.history``)."""
    user = getattr(request, "user", None)
    return {"may_search_log": bool(user and user.is_authenticated and may_search_log(user))}
