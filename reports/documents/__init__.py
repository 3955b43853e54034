"""The documents, one module each. ``EXPORTER_CLASSES`` is the registry's
list (``reports.registry``), in the order the list of documents shows them."""

from ..exporters import Exporter
from .allocation import AllocationPdf, AllocationXlsx
from .composition import CompositionPdf, CompositionXlsx
from .invitations import InvitationsPdf
from .lists import AttendancePdf, AttendanceXlsx, DelegateListPdf, DelegateListXlsx
from .progress import ProgressPdf, ProgressXlsx

EXPORTER_CLASSES: list[type[Exporter]] = [
    InvitationsPdf,
    DelegateListPdf,
    DelegateListXlsx,
    AttendancePdf,
    AttendanceXlsx,
    AllocationPdf,
    AllocationXlsx,
    CompositionPdf,
    CompositionXlsx,
    ProgressPdf,
    ProgressXlsx,
]
