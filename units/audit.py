"""The audit trail of every change (django-auditlog), and what this project
adds to it.

django-auditlog writes one ``units.AuditEntry`` per create, update and
delete of a registered model, from the model's signals, with the changed
fields' before and after values; its middleware gives the request's user.
Here:

- ``track`` registers a model, with how to find its unit (every entry is
  kept under a unit's path, so that whoever may not see a unit does not see
  its entries) and the object it belongs to (a delegate's conference: the
  conference's page lists it, also once the delegate is deleted). Each app
  registers its own models in its ``audit.py``, imported by its
  ``AppConfig.ready``, so the import layers hold.
- ``audited`` wraps a service: its ``actor=`` (or ``user=``) and
  ``reason=`` go to every entry written inside, also in a Celery task or a
  management command where no request is.
- ``record_created`` and ``record_updated`` write the entries of
  ``bulk_create`` and ``QuerySet.update``, which send no signal; an import
  writes one entry per row, each with the file's SHA-256 and row number.
"""

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar, Token
from typing import IO, Any, TypeVar

from auditlog.context import auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.middleware import AuditlogMiddleware
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import Model
from django.utils.encoding import smart_str

from .models import AuditEntry, Unit, User
from .params import as_int

# Never worth a line of history: counters, timestamps and derived keys.
NOISE = (
    "lock_version",
    "created_at",
    "updated_at",
    "search_name",
    "name_key",
)

F = TypeVar("F", bound=Callable[..., Any])
# What the name (``__str__``) of an object a foreign key points at reads,
# loaded with it: a conference is named by its tier and unit.
NAMED_BY: dict[str, tuple[str, ...]] = {
    "congress.Conference": ("tier", "unit"),
    "delegates.Allocation": ("conference__tier", "conference__unit"),
    "delegates.Election": (
        "conference__tier",
        "conference__unit",
        "target__tier",
        "target__unit",
    ),
    "delegates.Delegate": ("person",),
}


class _Tracked:
    def __init__(self, unit: Callable[[Any], Unit | None], within: str | None) -> None:
        self.unit = unit
        self.within = within


_tracked: dict[type[Model], _Tracked] = {}
_actor: ContextVar[User | None] = ContextVar("audit_actor", default=None)
_reason: ContextVar[str] = ContextVar("audit_reason", default="")
_source: ContextVar[dict | None] = ContextVar("audit_source", default=None)


def track(
    model: type[Model],
    *,
    unit: Callable[[Any], Unit | None],
    within: str | None = None,
    exclude: Iterable[str] = (),
    m2m: Iterable[str] = (),
) -> None:
    """Record every create, update and delete of ``model``. ``unit(obj)``
    is the unit whose scope covers it; ``within`` names the foreign key of
    the object whose page shows its history (a delegate's ``conference``;
    through a relation: ``round__election``)."""
    fields = {f.name for f in model._meta.get_fields()}
    noise = [name for name in NOISE if name in fields]
    # The objects pointing at this one (a unit's users…) are theirs to log.
    reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
    auditlog.register(
        model,
        exclude_fields=[*noise, *reverse, *exclude],
        m2m_fields=set(m2m),
    )
    _tracked[model] = _Tracked(unit, within)


def is_tracked(model: type[Model]) -> bool:
    return model in _tracked


def tracked_models() -> list[type[Model]]:
    return list(_tracked)


def current_actor() -> User | None:
    """The actor of the service running now, else the request's user."""
    actor = _actor.get()
    if actor is not None:
        return actor
    try:
        request_actor = auditlog_value.get().get("actor")
    except LookupError:
        return None
    return request_actor if isinstance(request_actor, User) else None


@contextlib.contextmanager
def audit_context(
    *, actor: User | None = None, reason: str = "", source: dict | None = None
) -> Iterator[None]:
    """Entries written inside carry ``actor``, ``reason`` and ``source``
    (an import's file checksum); an inner context adds to the outer."""
    tokens: list[tuple[ContextVar[Any], Token[Any]]] = []
    if actor is not None and getattr(actor, "pk", None) is not None:
        tokens.append((_actor, _actor.set(actor)))
    if reason and reason.strip():
        tokens.append((_reason, _reason.set(reason.strip())))
    if source is not None:
        tokens.append((_source, _source.set(source)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def audited(service: F) -> F:
    """A service whose writes are recorded with its ``actor=`` (or
    ``user=``) and its ``reason=``: the one line that makes a task's or a
    command's entries say who did it and why."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        actor = kwargs.get("actor") or kwargs.get("user")
        reason = kwargs.get("reason") or ""
        with audit_context(
            actor=actor if isinstance(actor, User) else None,
            reason=reason if isinstance(reason, str) else "",
        ):
            return service(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def file_checksum(file: IO[bytes]) -> str:
    """The SHA-256 of an uploaded file, read from its start and rewound."""
    file.seek(0)
    digest = hashlib.sha256()
    for block in iter(lambda: file.read(1 << 16), b""):
        digest.update(block)
    file.seek(0)
    return digest.hexdigest()


def _unit_of(instance: Model) -> Unit | None:
    tracked = _tracked.get(type(instance))
    if tracked is None:
        return None
    try:
        return tracked.unit(instance)
    except ObjectDoesNotExist:
        return None


def display_name(obj: Model | None) -> str:
    """How an entry names an object a foreign key points at."""
    if obj is None:
        return ""
    return obj.get_full_name() if isinstance(obj, User) else smart_str(obj)


def _key_fields(model: type[Model], names: Iterable[str]) -> list[Any]:
    fields = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete and (field.many_to_one or field.one_to_one):
            fields.append(field)
    return fields


def _load_names(model: type[Model], pks: Iterable[object]) -> dict[str, str]:
    wanted = {pk for pk in (as_int(smart_str(pk)) for pk in pks) if pk is not None}
    if not wanted:
        return {}
    queryset = model._base_manager.filter(pk__in=wanted).select_related(
        *NAMED_BY.get(model._meta.label, ())
    )
    return {str(obj.pk): display_name(obj) for obj in queryset}


def key_names(instances: Sequence[Model], changes: Sequence[dict]) -> list[dict[str, list[str]]]:
    """For each entry, the names of the objects its changed foreign keys
    point at, before and after: kept with the entry, so that reading a
    history names them without a query. The objects an instance holds are
    used as they are; the others are loaded in one query per kind."""
    missing: dict[type[Model], set[str]] = {}
    plans = []
    for instance, changed in zip(instances, changes, strict=True):
        plan = []
        for field in _key_fields(type(instance), changed):
            values = changed[field.name]
            current = smart_str(getattr(instance, field.attname))
            held = field.get_cached_value(instance, None) if field.is_cached(instance) else None
            for value in values:
                text = smart_str(value)
                if text in ("None", "") or (held is not None and text == current):
                    continue
                missing.setdefault(field.related_model, set()).add(text)
            plan.append((field, values, current, held))
        plans.append(plan)
    loaded = {model: _load_names(model, pks) for model, pks in missing.items()}
    result = []
    for plan in plans:
        names = {}
        for field, values, current, held in plan:
            pair = []
            for value in values:
                text = smart_str(value)
                if text in ("None", ""):
                    pair.append("")
                elif held is not None and text == current:
                    pair.append(display_name(held))
                else:
                    pair.append(loaded.get(field.related_model, {}).get(text, ""))
            names[field.name] = pair
        result.append(names)
    return result


def entry_context(instance: Model) -> dict[str, Any]:
    """The columns this project adds to the entry of ``instance``."""
    values: dict[str, Any] = {}
    unit = _unit_of(instance)
    if unit is not None:
        values.update(unit_path=unit.path, unit_hierarchy_id=unit.hierarchy_id, unit_name=unit.name)
    tracked = _tracked.get(type(instance))
    if tracked is not None and tracked.within:
        # ``within`` may go through a relation: a round's votes belong to
        # its election (``round__election``).
        *through, last = tracked.within.split("__")
        owner: Any = instance
        for name in through:
            owner = getattr(owner, name)
        field = owner._meta.get_field(last)
        parent_id = getattr(owner, field.attname)
        if parent_id is not None:
            values["parent_type_id"] = ContentType.objects.get_for_model(field.related_model).pk
            values["parent_id"] = parent_id
    actor = _actor.get()
    if actor is not None:
        values["actor"] = actor
        values["actor_email"] = actor.email or None
    reason = _reason.get()
    if reason:
        values["reason"] = reason
    source = _source.get()
    if source is not None:
        values["additional_data"] = dict(source)
    return values


def enrich_entry(instance: Model, kwargs: dict) -> dict:
    """The library's entry for ``instance`` with this project's columns
    (``entry_context``) and the names its changed keys point at."""
    for name, value in entry_context(instance).items():
        kwargs.setdefault(name, value)
    changes = kwargs.get("changes")
    if changes:
        (names,) = key_names([instance], [changes])
        if names:
            kwargs["additional_data"] = {**(kwargs.get("additional_data") or {}), "names": names}
    return kwargs


def _entry(
    instance: Model,
    action: int,
    changes: dict,
    *,
    extra: dict | None = None,
    names: dict | None = None,
) -> AuditEntry:
    values = entry_context(instance)
    values.setdefault("actor", current_actor())
    extra = {**(extra or {}), **({"names": names} if names else {})}
    if extra:
        values["additional_data"] = {**(values.get("additional_data") or {}), **extra}
    return AuditEntry(
        content_type=ContentType.objects.get_for_model(instance),
        object_pk=smart_str(instance.pk),
        object_id=instance.pk if isinstance(instance.pk, int) else None,
        object_repr=smart_str(instance),
        action=action,
        changes=changes,
        **values,
    )


def record_created(objects: Iterable[Model], *, rows: Iterable[int] | None = None) -> int:
    """The entries of objects saved by ``bulk_create`` (which sends no
    signal): one per object, in one insert; ``rows`` numbers them by the
    imported file's rows."""
    objects = [obj for obj in objects if is_tracked(type(obj))]
    numbers: list[int | None] = list(rows) if rows is not None else [None] * len(objects)
    diffs = [model_instance_diff(None, obj) or {} for obj in objects]
    entries = [
        _entry(
            obj,
            AuditEntry.Action.CREATE,
            diff,
            extra={"row": row} if row is not None else None,
            names=names,
        )
        for obj, row, diff, names in zip(
            objects, numbers, diffs, key_names(objects, diffs), strict=True
        )
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def record_updated(
    instance: Model, changes: Mapping[str, tuple[object, object]]
) -> AuditEntry | None:
    """The entry of a change made with ``QuerySet.update`` or
    ``bulk_update`` (no signal): ``changes`` maps a field's name to its
    (before, after)."""
    if not is_tracked(type(instance)) or not changes:
        return None
    shown = {
        name: [smart_str(before), smart_str(after)] for name, (before, after) in changes.items()
    }
    (names,) = key_names([instance], [shown])
    entry = _entry(instance, AuditEntry.Action.UPDATE, shown, names=names)
    entry.save()
    return entry


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (the request's user on every entry),
    with the client's address as it reaches the app, never the
    ``X-Forwarded-For`` a client can write (as for the admin networks)."""

    @staticmethod
    def _get_remote_addr(request):
        return request.META.get("REMOTE_ADDR") or None

    @staticmethod
    def _get_remote_port(request) -> int | None:
        return None


def register() -> None:
    """The units app's models: units (headcounts), hierarchies, clusters,
    users and their roles (never a password hash)."""
    from .models import AuditEntryManager, Cluster, Hierarchy

    AuditEntryManager.enrich = staticmethod(enrich_entry)

    track(Unit, unit=lambda unit: unit, exclude=["path", "depth", "branch_code"])
    track(Hierarchy, unit=lambda _hierarchy: None)
    track(Cluster, unit=lambda _cluster: None, m2m=["members"])
    track(User, unit=lambda user: user.unit, exclude=["password", "last_login"])
