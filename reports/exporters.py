"""Exporters: one class per document, kept in ``reports.registry``.

An exporter knows four things: its parameters (``form_class``, a form of
``reports.forms``: ids to objects within the user's scope, choices,
options), whom a request concerns (``target``: the form cleaned for the
user, the unit whose records the document shows, checked for ``action``
against the permission policy), what to render (``source``: the queries
and templates, giving the HTML or the table handed to the renderer) and
how to render it (``produce`` one chunk, ``combine`` the chunks in order).

``target`` is the one entry point of a request: a job
(``reports.services.request_document``), whose Celery tasks
(``reports.tasks``) run the other steps spread over workers and reuse a
stored file when the source's checksum is one they have rendered before;
or, for a table (.xlsx), a download at once (``reports:download``,
``reports.services.download_document``), which renders in the request.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from congress.models import Conference, Tier
from units.models import Unit, User
from units.permissions import Action, allowed_actions, has_permission, is_nationwide, visible_units
from units.text import fold

from . import xlsx
from .forms import ExporterForm, IdField
from .pdf import PDF, merge_pdfs, render_pdf

Params = dict[str, Any]


class Target:
    """What a request is for: the unit whose records the document shows
    (or a function finding it, called only when it is needed), the job's
    title, and the parameters cleaned to plain values (stored with the
    job). ``cleaned`` keeps the form's objects, for a document rendered in
    the same request (``Exporter.source_of``)."""

    def __init__(
        self,
        *,
        unit: Unit | Callable[[], Unit],
        title: str,
        params: Params,
        cleaned: dict[str, Any] | None = None,
    ) -> None:
        self._unit = unit
        self.title = title
        self.params = params
        self.cleaned = cleaned or {}

    @cached_property
    def unit(self) -> Unit:
        return self._unit if isinstance(self._unit, Unit) else self._unit()


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
    """``form_class`` declares the parameters (``reports.forms``);
    ``target`` cleans them for a user and checks ``action`` on the unit the
    document shows; ``target_of`` names that unit, the title and the
    plain parameters from the form's cleaned values."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[Any]
    mimetype: ClassVar[str]
    form_class: ClassVar[type[ExporterForm]]
    # The right the document needs on its unit.
    action: ClassVar[Action] = Action.PRINT

    def get_form(self, *, user: User, params: Params, as_shown: bool = False) -> ExporterForm:
        return self.form_class(params, user=user, as_shown=as_shown)

    def target(self, *, user: User, params: Params, as_shown: bool = False) -> Target:
        """The request of ``user`` with ``params`` (a request's values or a
        dict), checked: ``Http404`` for an object the user may not see,
        ``PermissionDenied`` without ``action`` on the document's unit,
        ``ValidationError`` (the form's messages) for a bad parameter.
        ``as_shown``: the query string of the page the table is of (its old
        address), whose filters are read as the page reads them."""
        form = self.get_form(user=user, params=params, as_shown=as_shown)
        if not form.is_valid():
            form.raise_errors()
        target = self.target_of(form)
        if not self.allows(user, target):
            raise PermissionDenied
        return target

    def allows(self, user: User, target: Target) -> bool:
        """``has_permission(user, action, target.unit)``, without finding
        the unit for the roles that act on every unit (a download of the
        whole country's board needs no row of it)."""
        if self.action not in allowed_actions(user):
            return False
        return is_nationwide(user) or has_permission(user, self.action, target.unit)

    def target_of(self, form: ExporterForm) -> Target:
        raise NotImplementedError

    def source(self, params: Params) -> Source:
        raise NotImplementedError

    def source_of(self, target: Target) -> Source:
        """The source of a target just checked, in the same request: by
        default from its plain parameters, as a worker builds it."""
        return self.source(target.params)

    def produce(self, chunk: str) -> bytes:
        raise NotImplementedError

    def combine(self, pieces: list[bytes]) -> bytes:
        raise NotImplementedError

    def render_source(self, source: Source) -> tuple[str, str, bytes]:
        data = self.combine([self.produce(chunk) for chunk in source.chunks])
        return source.filename, source.mimetype, data

    def render(self, params: Params) -> tuple[str, str, bytes]:
        """The whole document in this process: (file name, type, bytes)."""
        return self.render_source(self.source(params))


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
        return self.source_of_sheets(*self.sheets(params))

    def source_of_sheets(self, filename: str, sheets: list[xlsx.Sheet]) -> Source:
        return Source(self.identifier, filename, xlsx.XLSX, [xlsx.to_json(sheets)])

    def produce(self, chunk: str) -> bytes:
        return xlsx.write_workbook(xlsx.from_json(chunk))

    def combine(self, pieces: list[bytes]) -> bytes:
        (data,) = pieces
        return data


# -- Parameters shared by the exporters ----------------------------------------


def visible_conferences(user: User):
    return Conference.objects.select_related("unit__parent", "tier__cycle").filter(
        unit__in=visible_units(user)
    )


class ConferenceForm(ExporterForm):
    """A conference the user may see (404 otherwise: its id tells nothing
    of it); the exporter asks PRINT on its unit."""

    not_found = ("conference",)

    conference = IdField(queryset=Conference.objects.none())

    def setup(self) -> None:
        self.narrow("conference", visible_conferences(self.user))


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
