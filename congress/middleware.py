"""The cycle each request works in; the cache and admin-access headers."""

import ipaddress

from django.conf import settings
from django.http import Http404
from django.utils.cache import patch_cache_control

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


class PrivateCacheMiddleware:
    """A page shown to a signed-in user holds their data: no shared cache
    (proxy) and no browser cache may keep it (``Cache-Control: private,
    no-store``). Pages for anonymous visitors keep their own headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            # Added to what the view set (never_cache's no-cache stays); a
            # "public" is dropped by patch_cache_control.
            patch_cache_control(response, private=True, no_store=True)
        return response


def admin_path(url: str) -> str:
    """The admin site's URL prefix from ``ADMIN_URL``: no leading slash, one
    trailing slash ("admin/" when unset)."""
    url = url.strip().strip("/")
    return f"{url}/" if url else "admin/"


def address_allowed(address: str, networks: list[str]) -> bool:
    """Whether ``address`` lies in one of ``networks`` (CIDRs); no networks
    means no restriction."""
    cidrs = [n.strip() for n in networks if n.strip()]
    if not cidrs:
        return True
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


class AdminNetworkMiddleware:
    """The admin site answers only clients in ``ADMIN_ALLOWED_NETWORKS``
    (others get a 404, as if it were not there). The address is
    ``REMOTE_ADDR``: behind the proxy it must be the client's, as the proxy
    passes it, never a header the client could forge."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefix = "/" + admin_path(settings.ADMIN_URL)
        if request.path_info.startswith(prefix) and not address_allowed(
            request.META.get("REMOTE_ADDR", ""), settings.ADMIN_ALLOWED_NETWORKS
        ):
            raise Http404
        return self.get_response(request)
