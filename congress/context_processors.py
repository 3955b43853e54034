def current_cycle(request):
    """The cycle the signed-in user works in, and those they may switch to,
    for the page header."""
    return {"cycle": getattr(request, "cycle", None), "cycles": getattr(request, "cycles", [])}
