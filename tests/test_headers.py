"""Response headers and the admin site's address: a strict
Content-Security-Policy on every page, no caching of a signed-in user's
pages, the admin under ``ADMIN_URL`` and only for ``ADMIN_ALLOWED_NETWORKS``."""

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import Http404, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches, reverse

from config import middleware

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
def test_login_page_has_the_strict_policy(client):
    policy = directives(client.get(reverse("login")))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"


def test_signed_in_pages_have_the_policy_too(client, users):
    client.force_login(users["officer_hcm"])
    assert "'unsafe-inline'" not in client.get(reverse("home"))["Content-Security-Policy"]
    assert directives(client.get(reverse("units:unit_tree")))["script-src"] == "'self'"


def test_no_template_has_inline_script_or_style():
    """The policy refuses them: every script and style is a static file
    (the PDF templates, rendered by WeasyPrint, excepted)."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=\"|\son[a-z]+=\"")
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        if "reports/pdf" not in path.as_posix()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if inline.search(line)
    ]
    assert found == []


def test_signed_in_pages_are_not_cached(client, users):
    client.force_login(users["officer_hcm"])
    for url in (reverse("home"), reverse("units:unit_tree")):
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control
        assert "no-store" in cache_control


@pytest.mark.django_db
def test_anonymous_pages_keep_their_own_cache_headers(client):
    # The login page's are Django's own (never_cache), left as they are.
    assert "max-age=0" in client.get(reverse("login"))["Cache-Control"]
    assert "no-store" not in client.get(reverse("password_reset")).get("Cache-Control", "")


@pytest.mark.parametrize(
    ("setting", "path"),
    [("admin/", "admin/"), ("/quan-tri-7f3a/", "quan-tri-7f3a/"), ("x/y", "x/y/"), ("", "admin/")],
)
def test_admin_path_comes_from_the_setting(setting, path):
    assert middleware.admin_path(setting) == path


def test_admin_answers_only_at_admin_url(client, users):
    import config.urls

    try:
        with override_settings(ADMIN_URL="quan-tri-7f3a/"):
            clear_url_caches()
            importlib.reload(config.urls)
            assert reverse("admin:index") == "/quan-tri-7f3a/"
            client.force_login(users["admin"])
            assert client.get("/quan-tri-7f3a/").status_code == 200
            assert client.get("/admin/").status_code == 404
    finally:
        clear_url_caches()
        importlib.reload(config.urls)
    assert reverse("admin:index") == "/admin/"


@pytest.mark.parametrize(
    ("networks", "address", "allowed"),
    [
        ([], "203.0.113.9", True),
        (["10.0.0.0/8", "192.168.1.0/24"], "10.20.30.40", True),
        (["10.0.0.0/8", "192.168.1.0/24"], "192.168.1.77", True),
        (["10.0.0.0/8", "192.168.1.0/24"], "192.168.2.1", False),
        (["10.0.0.0/8"], "not-an-address", False),
        (["2001:db8::/32"], "2001:db8::1", True),
    ],
)
def test_admin_is_restricted_to_the_networks(settings, networks, address, allowed):
    settings.ADMIN_ALLOWED_NETWORKS = networks
    check = middleware.AdminNetworkMiddleware(lambda request: HttpResponse("admin"))
    request = RequestFactory().get(f"/{settings.ADMIN_URL}", REMOTE_ADDR=address)
    if allowed:
        assert check(request).status_code == 200
    else:
        with pytest.raises(Http404):
            check(request)
    # Other pages are never restricted.
    other = RequestFactory().get("/units/", REMOTE_ADDR=address)
    assert check(other).status_code == 200


def test_admin_from_outside_the_networks_is_a_404(client, users, settings):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    client.force_login(users["admin"])
    assert client.get(reverse("admin:index"), REMOTE_ADDR="198.51.100.7").status_code == 404
    assert client.get(reverse("admin:index"), REMOTE_ADDR="10.1.2.3").status_code == 200
