"""The cycle each request works in."""

from .selectors import cycles_for, default_cycle, work_in_cycle

SESSION_KEY = "congress_cycle"


class CycleMiddleware:
    """Choose the cycle a signed-in user works in for this request: the one
    they picked (kept in their session) while they may still work in it,
    else their default (the current cycle). Every read scoped by the
    permission policy then looks at that cycle's hierarchy, so nothing of
    one cycle shows in another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.cycle = None
        request.cycles = []
        if user.is_authenticated:
            cycles = cycles_for(user)
            chosen = request.session.get(SESSION_KEY)
            cycle = next((c for c in cycles if c.pk == chosen), None) or default_cycle(user, cycles)
            work_in_cycle(user, cycle)
            request.cycle, request.cycles = cycle, cycles
        return self.get_response(request)
