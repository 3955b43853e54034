from .selectors import cycle_for_user


def current_cycle(request):
    """The cycle the signed-in user works in, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"cycle": cycle_for_user(user)}
