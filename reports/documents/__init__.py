"""The documents, one module each. ``EXPORTER_CLASSES`` is the registry's
list (``reports.registry``)."""

from ..exporters import Exporter

EXPORTER_CLASSES: list[type[Exporter]] = []
