"""Reading the audit trail: which entries a user may see, an object's
history ("Lịch sử") and the searchable log, each entry as it is shown
(who, when, what, each changed field's label with its before → after in
words, the reason).

Scope is the unit's: an entry is kept under the path of the unit whose
scope covers its object (``units.audit``), so an officer sees the entries
of their subtree and nothing else; the council and the administrators see
every entry. An entry with no unit (a cycle, a tier, a hierarchy) is the
nationwide roles' only.

The number of queries does not depend on the number of entries: one for
the entries (with their actor and type), one per kind of object their
changed foreign keys name (the users, the units, the people…).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import is_tracked, tracked_models
from .models import AuditEntry, Unit, User
from .permissions import allowed_actions, is_nationwide, scope_root

HISTORY_LIMIT = 30
EMPTY = "—"
# Labels of the fields whose models name them by their code name only.
FIELD_LABELS = {
    "conference": gettext_lazy("conference"),
    "person": gettext_lazy("person"),
    "unit": gettext_lazy("unit"),
    "election": gettext_lazy("election"),
    "allocation": gettext_lazy("quota allocation"),
    "status": gettext_lazy("status"),
    "position": gettext_lazy("order"),
    "sha256": "SHA-256",
    "added_by": gettext_lazy("added by"),
    "added_at": gettext_lazy("added at"),
    "checked_in_by": gettext_lazy("checked in by"),
    "recorded_by": gettext_lazy("recorded by"),
    "created_by": gettext_lazy("created by"),
    "updated_by": gettext_lazy("updated by"),
    "submitted_at": gettext_lazy("submitted at"),
    "reviewed_by": gettext_lazy("reviewed by"),
    "reviewed_at": gettext_lazy("reviewed at"),
    "confirmed_by": gettext_lazy("confirmed by"),
    "confirmed_at": gettext_lazy("confirmed at"),
    "order_accepted_at": gettext_lazy("accepted before the pilots at"),
    "quota_numerator": gettext_lazy("exact quota (numerator)"),
    "quota_denominator": gettext_lazy("exact quota (denominator)"),
    "threshold_numerator": gettext_lazy("threshold (numerator)"),
    "threshold_denominator": gettext_lazy("threshold (denominator)"),
}


def visible_entries(user: User) -> QuerySet[AuditEntry]:
    """The entries ``user`` may read: all for the council and the
    administrators, their subtree's for the others, none without a scope."""
    if not allowed_actions(user):
        return AuditEntry.objects.none()
    if is_nationwide(user):
        return AuditEntry.objects.all()
    root = scope_root(user)
    if root is None:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(
        unit_hierarchy_id=root.hierarchy_id, unit_path__startswith=root.path
    )


def may_search_log(user: User) -> bool:
    """The searchable log is for whoever may see records: the council and
    the administrators all of it, everyone else their subtree's (the same
    entries the object pages they see show them)."""
    from .permissions import Action

    return Action.VIEW in allowed_actions(user)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class Row:
    """One entry as shown."""

    entry: AuditEntry
    what: str
    action: str
    actor: str
    changes: list[Change] = field(default_factory=list)

    @property
    def is_delete(self) -> bool:
        return self.entry.action == AuditEntry.Action.DELETE

    @property
    def is_create(self) -> bool:
        return self.entry.action == AuditEntry.Action.CREATE

    @property
    def tone(self) -> str:
        """The badge's colour: a deletion red, a creation green."""
        return "danger" if self.is_delete else "success" if self.is_create else "secondary"

    @property
    def source(self) -> str:
        """The import an entry came from: its file's checksum and row."""
        data = self.entry.additional_data or {}
        if not data.get("sha256"):
            return ""
        text = _("Import, file SHA-256 %(sha)s") % {"sha": data["sha256"][:16]}
        if data.get("row"):
            text += ", " + _("row %(row)s") % {"row": data["row"]}
        return text


def _action_label(action: int) -> str:
    labels = {
        AuditEntry.Action.CREATE: _("Created"),
        AuditEntry.Action.UPDATE: _("Changed"),
        AuditEntry.Action.DELETE: _("Deleted"),
    }
    return labels.get(action, _("Read"))


def _model_of(entry: AuditEntry) -> type[Model] | None:
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def _field(model: type[Model] | None, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _pairs(entry: AuditEntry) -> Iterable[tuple[str, object]]:
    return (entry.changes or {}).items()


def _shown(model_field, value: object, name: str = "") -> str:
    text = "" if value is None else str(value)
    if text in ("", "None"):
        return EMPTY
    if model_field is None:
        return text
    if model_field.many_to_one or model_field.one_to_one:
        return name or f"#{text}"
    choices = getattr(model_field, "flatchoices", None)
    if choices:
        labels = {str(key): str(label) for key, label in choices}
        return labels.get(text, text)
    internal = model_field.get_internal_type()
    if internal == "BooleanField":
        return _("Yes") if text == "True" else _("No") if text == "False" else text
    if internal == "DateField":
        day = parse_date(text[:10])
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else text
    if internal == "DateTimeField":
        moment = parse_datetime(text)
        if moment is None:
            return text
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if internal == "TimeField":
        clock = parse_time(text)
        return clock.strftime("%H:%M") if clock else text
    return text


def _changes(entry: AuditEntry) -> list[Change]:
    model = _model_of(entry)
    names = (entry.additional_data or {}).get("names", {})
    rows = []
    for name, values in _pairs(entry):
        model_field = _field(model, name)
        if model_field is not None and (
            not model_field.concrete or getattr(model_field, "primary_key", False)
        ):
            continue  # the row's number, or objects pointing at it
        label = str(getattr(model_field, "verbose_name", name))
        if label == name.replace("_", " ") and name in FIELD_LABELS:
            label = str(FIELD_LABELS[name])
        label = label[:1].upper() + label[1:]
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = ", ".join(values.get("objects", []))
            added = values.get("operation") == "add"
            rows.append(Change(label, "" if added else objects, objects if added else ""))
            continue
        if not isinstance(values, list) or len(values) != 2:
            continue
        known = names.get(name) or ["", ""]
        before = _shown(model_field, values[0], known[0])
        after = _shown(model_field, values[1], known[1])
        if entry.action == AuditEntry.Action.CREATE and after == EMPTY:
            continue  # nothing to say of an empty field of a new object
        if entry.action == AuditEntry.Action.DELETE and before == EMPTY:
            continue
        rows.append(Change(label, before, after))
    return sorted(rows, key=lambda change: change.label)


def _what(entry: AuditEntry) -> str:
    model = _model_of(entry)
    kind = str(model._meta.verbose_name) if model is not None else ""
    kind = kind[:1].upper() + kind[1:]
    return f"{kind}: {entry.object_repr}" if kind else entry.object_repr


def rows_of(entries: Iterable[AuditEntry]) -> list[Row]:
    """The entries as shown: the names their foreign keys point at were
    kept with them (``units.audit.key_names``), so no query is made here."""
    return [
        Row(
            entry=entry,
            what=_what(entry),
            action=_action_label(entry.action),
            actor=(entry.actor.get_full_name() if entry.actor else entry.actor_email or "")
            or _("the system"),
            changes=_changes(entry),
        )
        for entry in entries
    ]


def _shown_entries(queryset: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    return queryset.select_related("actor").order_by("-timestamp", "-pk")


@dataclass
class History:
    """An object's history as its page shows it: the newest entries, and
    whether there are more (then the log has them all)."""

    rows: list[Row]
    more: bool
    log_query: str = ""


def history_of(
    obj: Model,
    user: User,
    *,
    kinds: Sequence[type[Model]] | None = None,
    own: bool = True,
    limit: int = HISTORY_LIMIT,
) -> History:
    """The entries of ``obj`` and of the objects that belong to it (a
    conference's documents, papers, delegates…, deleted ones included),
    newest first, as far as ``user`` may see them; ``kinds`` narrows to
    some kinds of object (the delegates' list: delegates only), ``own``
    leaves out ``obj``'s own entries."""
    if not is_tracked(type(obj)):
        return History(rows=[], more=False)
    content_type = ContentType.objects.get_for_model(obj)
    condition = Q(parent_type_id=content_type.pk, parent_id=obj.pk)
    if own:
        condition |= Q(content_type=content_type, object_id=obj.pk)
    queryset = visible_entries(user).filter(condition)
    if kinds:
        queryset = queryset.filter(
            content_type__in=ContentType.objects.get_for_models(*kinds).values()
        )
    entries = list(_shown_entries(queryset)[: limit + 1])
    return History(rows=rows_of(entries[:limit]), more=len(entries) > limit)


def history_under(
    unit: Unit, user: User, *, kind: type[Model], limit: int = HISTORY_LIMIT
) -> History:
    """The entries of ``kind`` kept under ``unit`` itself (a unit's
    organisation plans), as far as ``user`` may see them."""
    queryset = visible_entries(user).filter(
        unit_hierarchy_id=unit.hierarchy_id,
        unit_path=unit.path,
        content_type=ContentType.objects.get_for_model(kind),
    )
    entries = list(_shown_entries(queryset)[: limit + 1])
    return History(rows=rows_of(entries[:limit]), more=len(entries) > limit)


def log_kinds() -> list[tuple[int, str]]:
    """The kinds of object in the trail, for the log's filter: (content
    type id, name), by name."""
    types = ContentType.objects.get_for_models(*tracked_models())
    pairs = [
        (content_type.pk, str(model._meta.verbose_name_plural).capitalize())
        for model, content_type in types.items()
    ]
    return sorted(pairs, key=lambda pair: pair[1])


def search_log(
    user: User,
    *,
    unit: Unit | None = None,
    actor: str = "",
    kind: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """The log as ``user`` may read it, narrowed: a unit's subtree, an
    actor (a part of their user name or full name), a kind of object
    (content type id), a period of days (both ends included)."""
    queryset = visible_entries(user)
    if unit is not None:
        queryset = queryset.filter(
            unit_hierarchy_id=unit.hierarchy_id, unit_path__startswith=unit.path
        )
    if actor:
        queryset = queryset.filter(
            Q(actor__username__icontains=actor) | Q(actor__full_name__icontains=actor)
        )
    if kind is not None:
        queryset = queryset.filter(content_type_id=kind)
    if date_from is not None:
        queryset = queryset.filter(timestamp__gte=_start_of(date_from))
    if date_to is not None:
        queryset = queryset.filter(timestamp__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return _shown_entries(queryset)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def log_units(user: User) -> list[Unit]:
    """The units the log may be narrowed to: the top of the reader's scope
    and the two levels below it (the provinces and their units for an
    officer's province; VSS and the provinces for the nationwide roles)."""
    from .permissions import visible_units

    root = scope_root(user)
    units = visible_units(user)
    top = root.depth if root is not None else 0
    return list(units.filter(depth__lte=top + (2 if root is not None else 1)).order_by("path"))
