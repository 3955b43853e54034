"""The headers every page gets: no cache of a signed-in user's pages, and
the admin site under ``ADMIN_URL`` answering only the networks allowed."""

import ipaddress

from django.conf import settings
from django.http import Http404
from django.utils.cache import patch_cache_control


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
