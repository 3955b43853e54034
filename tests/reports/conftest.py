"""A small exporter for testing the job machinery, registered in place of
the real ones: a PDF of the given lines, one chunk per ``|``-separated
group, for a unit the user must be allowed to print for."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.html import escape

from reports import registry
from reports.exporters import PdfExporter, Source, Target
from units.models import Unit
from units.params import as_int
from units.permissions import Action, has_permission


class LinesPdf(PdfExporter):
    identifier = "test_lines"
    verbose_name = "Lines"

    def target(self, *, user, params) -> Target:
        unit = Unit.objects.get(pk=as_int(str(params["unit"])))
        if not has_permission(user, Action.PRINT, unit):
            raise PermissionDenied
        return Target(unit=unit, title=f"Lines of {unit.name}", params=dict(params))

    def source(self, params) -> Source:
        chunks = [
            "<html><body>"
            + "".join(f"<p style='page-break-after: always'>{escape(line)}</p>" for line in group)
            + "</body></html>"
            for group in (part.split(",") for part in params["text"].split("|"))
        ]
        return Source(self.identifier, "lines.pdf", "application/pdf", chunks)


@pytest.fixture
def lines_exporter(monkeypatch):
    exporter = LinesPdf()
    real = registry.exporters()
    monkeypatch.setattr(registry, "exporters", lambda: {**real, exporter.identifier: exporter})
    return exporter


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Generated files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
