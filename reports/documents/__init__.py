"""The documents, one module each. ``EXPORTER_CLASSES`` is the registry's
list (``reports.registry``), in the order the list of documents shows them."""

from ..exporters import Exporter
from .allocation import AllocationPdf, AllocationXlsx
from .audit import AuditLogXlsx
from .board import ProgressBoardXlsx
from .composition import CompositionPdf, CompositionXlsx
from .delegate_table import DelegateTableXlsx
from .elected import ElectedListPdf, ElectedListXlsx
from .elections import BallotPdf, CountMinutesPdf
from .invitations import InvitationsPdf
from .lists import AttendancePdf, AttendanceXlsx, DelegateListPdf, DelegateListXlsx
from .people import PeopleRegisterXlsx
from .progress import ProgressPdf, ProgressXlsx

EXPORTER_CLASSES: list[type[Exporter]] = [
    InvitationsPdf,
    DelegateListPdf,
    DelegateListXlsx,
    DelegateTableXlsx,
    AttendancePdf,
    AttendanceXlsx,
    AllocationPdf,
    AllocationXlsx,
    CompositionPdf,
    CompositionXlsx,
    BallotPdf,
    CountMinutesPdf,
    ElectedListPdf,
    ElectedListXlsx,
    ProgressPdf,
    ProgressXlsx,
    ProgressBoardXlsx,
    PeopleRegisterXlsx,
    AuditLogXlsx,
]
