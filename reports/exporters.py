"""Exporters: one class per document, kept in ``reports.registry``.

An exporter knows three things: whom a request concerns (``target``: the
unit whose records it shows, checked against the permission policy), what
to render (``source``: the queries and templates, giving the HTML or the
table handed to the renderer) and how to render it (``produce`` one chunk,
``combine`` the chunks in order). ``render(params)`` does all of it in one
process, as STYLE.md's exporters do; the Celery tasks of ``reports.tasks``
run the same steps spread over workers, and reuse a stored file when the
source's checksum is one they have rendered before.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from congress.models import Conference, Tier
from units.models import Unit, User
from units.permissions import Action, has_permission, visible_units
from units.text import fold

from . import xlsx
from .pdf import PDF, merge_pdfs, render_pdf

Params = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """What a request is for: the unit whose records the document shows,
    the job's title, and the parameters cleaned to plain values."""

    unit: Unit
    title: str
    params: Params


@dataclass(frozen=True)
class Source:
    """What the renderer gets: whole documents (HTML, or a table as JSON),
    one per chunk, rendered independently and combined in order."""

    exporter: str
    filename: str
    mimetype: str
    chunks: Sequence[str]

    @cached_property
    def key(self) -> str:
        """Checksum of everything the renderer will see: the same key is
        the same file."""
        digest = hashlib.sha256()
        for part in (self.exporter, self.mimetype, self.filename, *self.chunks):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()


class Exporter:
    identifier: ClassVar[str]
    verbose_name: ClassVar[Any]
    mimetype: ClassVar[str]

    def target(self, *, user: User, params: Params) -> Target:
        raise NotImplementedError

    def source(self, params: Params) -> Source:
        raise NotImplementedError

    def produce(self, chunk: str) -> bytes:
        raise NotImplementedError

    def combine(self, pieces: list[bytes]) -> bytes:
        raise NotImplementedError

    def render(self, params: Params) -> tuple[str, str, bytes]:
        """The whole document in this process: (file name, type, bytes)."""
        source = self.source(params)
        data = self.combine([self.produce(chunk) for chunk in source.chunks])
        return source.filename, source.mimetype, data


class PdfExporter(Exporter):
    """A Django template rendered to HTML, then to PDF by WeasyPrint. A
    batch may be split into chunks (``chunk_contexts``), each a whole HTML
    document, rendered by several workers and merged in order."""

    mimetype = PDF
    template_name: ClassVar[str]

    def context(self, params: Params) -> dict[str, Any]:
        raise NotImplementedError

    def filename(self, params: Params, context: dict[str, Any]) -> str:
        raise NotImplementedError

    def chunk_contexts(self, context: dict[str, Any]) -> list[dict[str, Any]]:
        return [context]

    def source(self, params: Params) -> Source:
        context = self.context(params)
        chunks = [
            render_to_string(self.template_name, part) for part in self.chunk_contexts(context)
        ]
        return Source(self.identifier, self.filename(params, context), PDF, chunks)

    def produce(self, chunk: str) -> bytes:
        return render_pdf(chunk)

    def combine(self, pieces: list[bytes]) -> bytes:
        return merge_pdfs(pieces)


class XlsxExporter(Exporter):
    """A table described by ``reports.xlsx.Sheet`` objects, one workbook."""

    mimetype = xlsx.XLSX

    def sheets(self, params: Params) -> tuple[str, list[xlsx.Sheet]]:
        """(file name, sheets)."""
        raise NotImplementedError

    def source(self, params: Params) -> Source:
        filename, sheets = self.sheets(params)
        return Source(self.identifier, filename, xlsx.XLSX, [xlsx.to_json(sheets)])

    def produce(self, chunk: str) -> bytes:
        return xlsx.write_workbook(xlsx.from_json(chunk))

    def combine(self, pieces: list[bytes]) -> bytes:
        (data,) = pieces
        return data


# -- Parameters shared by the exporters ----------------------------------------


def invalid_param(name: str) -> ValidationError:
    return ValidationError(_("The document's “%(name)s” is not valid.") % {"name": name})


def optional_int_param(params: Params, name: str) -> int | None:
    """``params[name]`` as a number, ``None`` when absent or empty."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_param(name) from None


def int_param(params: Params, name: str) -> int:
    value = optional_int_param(params, name)
    if value is None:
        raise ValidationError(_("The document's “%(name)s” is missing.") % {"name": name})
    return value


def printable_conference(user: User, params: Params) -> Conference:
    """The conference named by ``params["conference"]``, if ``user`` may
    see it (404 otherwise) and print its documents (403 otherwise)."""
    pk = int_param(params, "conference")
    conference = (
        Conference.objects.select_related("unit__parent", "tier__cycle")
        .filter(pk=pk, unit__in=visible_units(user))
        .first()
    )
    if conference is None:
        raise Http404
    if not has_permission(user, Action.PRINT, conference.unit):
        raise PermissionDenied
    return conference


def conference_name(conference: Conference) -> str:
    """What a conference is called in a document: the Congress by its own
    name, a unit's conference by the tier's name and the unit's; then the
    cycle's period."""
    if conference.tier.level >= Tier.Level.CONGRESS:
        name = conference.tier.name
    else:
        name = _("%(tier)s of %(unit)s") % {
            "tier": conference.tier.name,
            "unit": conference.unit.name,
        }
    # Every document names its cycle, by the period as offices write it.
    return _("%(conference)s, period %(period)s") % {
        "conference": name,
        "period": conference.tier.cycle.period_label,
    }


def file_stem(conference: Conference) -> str:
    """An ASCII name for the file: "bhxh-quan-ba-dinh"."""
    return slugify(fold(conference.unit.name)) or str(conference.pk)


def load_conference(params: Params) -> Conference:
    """In a worker: the conference of a cleaned request."""
    return Conference.objects.select_related("unit__parent", "tier__cycle").get(
        pk=params["conference"]
    )
