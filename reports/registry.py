"""The registry of documents: every exporter, by identifier. A plain list,
written out: adding a document means adding its class here."""

from functools import cache

from django.http import Http404

from .exporters import Exporter


@cache
def exporters() -> dict[str, Exporter]:
    # Imported here: the documents import models and selectors of every app.
    from .documents import EXPORTER_CLASSES

    return {cls.identifier: cls() for cls in EXPORTER_CLASSES}


def get_exporter(identifier: str) -> Exporter:
    try:
        return exporters()[identifier]
    except KeyError:
        raise Http404 from None
