"""The parts of a Decree 30/2020 document that name who issues it: the
issuing body under its direct superior (top left), the number, the place
and date, and the signature block."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import pgettext

from delegates.models import Person, Rank
from units.models import Unit, UnitKind

VSS_NAME = "Bảo hiểm xã hội Việt Nam"
VSS_PLACE = "Hà Nội"


@dataclass(frozen=True)
class Letterhead:
    superior: str  # the direct superior body (cơ quan chủ quản), may be empty
    issuer: str
    symbol: str  # the document kind's abbreviation in the number, e.g. "GM"
    place: str
    date: datetime.date
    signer_title: str
    signer_name: str

    @property
    def number(self) -> str:
        """The number is given by the records office when the document is
        issued: printed with room to write it in."""
        if not self.symbol:
            return ""
        return pgettext("document number", "No.: %(blank)s/%(symbol)s-VSS") % {
            "blank": "\u2002" * 6,
            "symbol": self.symbol,
        }


def place_of(unit: Unit) -> str:
    """The place in the place-and-date line: the province (or city) the
    unit sits in; VSS and its headquarters units sit in Hà Nội."""
    province = unit
    while province.parent_id is not None and province.kind != UnitKind.PROVINCE:
        province = province.parent  # type: ignore[assignment]
    if province.kind != UnitKind.PROVINCE:
        return VSS_PLACE
    name = province.name.removeprefix("BHXH").strip()
    for prefix in ("tỉnh ", "Tỉnh "):
        name = name.removeprefix(prefix)
    return name


def superior_of(unit: Unit) -> str:
    """A province's superior is VSS; a district's or a department's is its
    province; VSS itself has none."""
    parent = unit.parent
    if parent is None:
        return ""
    if parent.kind == UnitKind.HQ_BLOC:
        return VSS_NAME
    return VSS_NAME if parent.kind == UnitKind.VSS else parent.name


def letterhead_for(
    unit: Unit, *, symbol: str = "", date: datetime.date | None = None
) -> Letterhead:
    """The letterhead of a document ``unit`` issues; signed by the unit's
    head as the staff register records them, or left to be written in."""
    head = (
        Person.objects.filter(unit=unit, rank=Rank.HEAD, is_active=True)
        .order_by("pk")
        .only("full_name", "position")
        .first()
    )
    issuer = VSS_NAME if unit.kind == UnitKind.HQ_BLOC else unit.name
    return Letterhead(
        superior=superior_of(unit),
        issuer=issuer,
        symbol=symbol,
        place=place_of(unit),
        date=date or timezone.localdate(),
        signer_title=(head.position if head and head.position else str(Rank.HEAD.label)),
        signer_name=head.full_name if head else "",
    )
