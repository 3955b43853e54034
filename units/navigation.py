"""Where a page sends the user back to: the one reader of ``next`` (and of
the referrer) for every app.

A return address comes from the request, so it is input: it must be a
page of this site, and it is always given back as a path (``/…``), never
as anything ``redirect()`` could read as a view name or a URL elsewhere.
"""

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .text import control_characters

# Longer return addresses are not ones this site makes.
MAX_RETURN_LENGTH = 2000


def return_path(request: HttpRequest, candidate: str | None, *, fallback: str) -> str:
    """``candidate`` as a path of this site, or ``fallback``."""
    if (
        not candidate
        or len(candidate) > MAX_RETURN_LENGTH
        or control_characters(candidate)
        or not url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return fallback
    path = urlsplit(candidate)._replace(scheme="", netloc="").geturl()
    if not path.startswith("/") or path.startswith("//"):
        return fallback
    return path


def posted_return_path(request: HttpRequest, *, fallback: str) -> str:
    """Where a form posted from another page returns: its ``next``."""
    return return_path(request, request.POST.get("next"), fallback=fallback)
