"""Dated unit hierarchies, and the users who act on them.

A hierarchy is the tree of units as it stood from a date ("BHXH Việt Nam,
2019–2020", "BHXH Việt Nam từ 01/07/2025"); a cycle runs on one, and two
cycles may share one. Units form a tree stored with a materialised path
(``/VSS/P79/D760/``), so a unit's whole subtree is one indexed
``LIKE 'prefix%'`` query on every database. A unit of a newer hierarchy
names its predecessors in the older one (the provinces merged by the 2025
reform), which is how a user's role and a staff register follow it.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .collation import name_key
from .text import fold, nfc


class UnitKind(models.TextChoices):
    VSS = "vss", _("Vietnam Social Security")
    PROVINCE = "province", _("Province social security")
    DISTRICT = "district", _("District social security")
    PROVINCE_DEPARTMENT = "province_department", _("Province department")
    HQ_BLOC = "hq_bloc", _("VSS headquarters bloc")
    VSS_OFFICE = "vss_office", _("Advisory body of VSS")
    VSS_SERVICE = "vss_service", _("Public service unit of VSS")
    SECTOR = "sector", _("Sector social security")
    GRASSROOTS_OFFICE = "grassroots_office", _("Grassroots social security office")


class Hierarchy(models.Model):
    """A named tree of units with the date it took effect."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    effective_from = models.DateField(_("in effect from"))
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("previous hierarchy"),
        help_text=_("The hierarchy this one replaced: its units' predecessors lie there."),
    )
    source = models.TextField(
        _("legal source"),
        blank=True,
        help_text=_("The decisions that set this structure."),
    )

    class Meta:
        verbose_name = _("hierarchy")
        verbose_name_plural = _("hierarchies")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        """The unit and all its descendants: one query on the path index."""
        return self.filter(hierarchy_id=unit.hierarchy_id, path__startswith=unit.path)

    def active(self) -> "UnitQuerySet":
        return self.filter(is_active=True)


class Unit(models.Model):
    hierarchy = models.ForeignKey(
        Hierarchy,
        on_delete=models.CASCADE,
        related_name="units",
        verbose_name=_("hierarchy"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=255)
    # Derived columns, kept by save() and by the services that bulk-create.
    path = models.CharField(_("path"), max_length=255, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    # Code of the depth-1 ancestor (the province, the HQ bloc…), or the
    # unit's own code at depth 0 and 1: what the progress board groups by.
    branch_code = models.CharField(_("branch"), max_length=32, editable=False, default="")
    search_name = models.CharField(max_length=255, editable=False, default="")
    # The name in Vietnamese dictionary order, as a string the database
    # sorts (``units.collation.name_key``): order by it, not by ``name``.
    name_key = models.TextField(editable=False, default="")
    position = models.PositiveIntegerField(
        _("protocol order"),
        default=0,
        help_text=_("Order among sister units in lists and documents."),
    )
    headcount = models.PositiveIntegerField(
        _("headcount"), default=0, help_text=_("Staff of the unit itself.")
    )
    headcount_is_demo = models.BooleanField(
        _("demo headcount"),
        default=False,
        help_text=_("The headcount is demonstration data, not a real figure."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    predecessors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="successors",
        verbose_name=_("predecessors"),
        help_text=_("The units of the previous hierarchy this unit took over."),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["hierarchy", "code"], name="units_unit_code_unique_in_hierarchy"
            ),
            models.UniqueConstraint(
                fields=["hierarchy", "path"], name="units_unit_path_unique_in_hierarchy"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="units_unit_root_has_depth_zero",
            ),
        ]
        indexes = [
            # LIKE 'prefix%' needs the pattern operator class under a
            # non-C collation on PostgreSQL; other databases ignore it.
            models.Index(
                fields=["path"],
                name="units_unit_path_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["hierarchy", "kind"], name="units_unit_hierarchy_kind"),
            models.Index(fields=["hierarchy", "branch_code"], name="units_unit_hierarchy_branch"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    @staticmethod
    def build_path(parent: "Unit | None", code: str) -> str:
        return f"{parent.path if parent else '/'}{code}/"

    def fill_derived_fields(self) -> None:
        """Normalise the name and compute path, depth and search key."""
        self.name = nfc(self.name.strip())
        self.search_name = fold(f"{self.name} {self.code}")
        self.name_key = name_key(self.name)
        self.path = self.build_path(self.parent, self.code)
        self.depth = self.path.count("/") - 2
        segments = self.path.strip("/").split("/")
        self.branch_code = segments[min(1, len(segments) - 1)]

    def is_within(self, ancestor: "Unit") -> bool:
        """Whether this unit is ``ancestor`` or lies in its subtree."""
        return self.hierarchy_id == ancestor.hierarchy_id and self.path.startswith(ancestor.path)

    @property
    def ancestor_paths(self) -> list[str]:
        parts = self.path.strip("/").split("/")
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]


class Cluster(models.Model):
    """An emulation cluster (cụm thi đua): a group of provinces of one
    hierarchy that emulate together (about six each since 2025)."""

    hierarchy = models.ForeignKey(
        Hierarchy, on_delete=models.CASCADE, related_name="clusters", verbose_name=_("hierarchy")
    )
    name = models.CharField(_("name"), max_length=255)
    position = models.PositiveIntegerField(_("order"), default=0)
    members = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="clusters",
        verbose_name=_("members"),
        help_text=_("Provincial offices (and the HQ bloc) of the cluster's hierarchy."),
    )

    class Meta:
        verbose_name = _("emulation cluster")
        verbose_name_plural = _("emulation clusters")
        ordering = ["hierarchy", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hierarchy", "name"], name="units_cluster_name_unique_in_hierarchy"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICER = "officer", _("Emulation officer")
    COUNCIL = "council", _("Council member")
    PRINTER = "printer", _("Printing staff")
    ADMIN = "admin", _("Administrator")


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: one role, held on one unit (and its subtree)."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICER)
    wants_mail = models.BooleanField(
        _("notices by e-mail"),
        default=True,
        help_text=_("Also send each notice by e-mail; the notices page lists them either way."),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(role="admin") | Q(unit__isnull=False),
                name="units_user_role_needs_unit",
            ),
        ]

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.username


# -- At most once: scheduled runs and sent messages -------------------------


class ScheduledRun(models.Model):
    """A claim on one run of a scheduled task: the row is inserted before
    the work, so a second beat (or a redelivery) for the same slot fails on
    the unique constraint and does nothing (``units.once.claim_run``)."""

    task = models.CharField(max_length=200)
    # The schedule's slot: the day of a daily task, the minute of a frequent one.
    slot = models.CharField(max_length=64)
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "slot"], name="units_scheduledrun_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task} @ {self.slot}"


class SentMessage(models.Model):
    """A message of one event that went to one person: the send log that
    keeps every notification at most once (``units.once.send_once``)."""

    event_key = models.CharField(max_length=200)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="units_sentmessage_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.recipient_id}"


# -- The audit trail ------------------------------------------------------------


class AuditEntryQuerySet(models.QuerySet):
    """Entries are written once and never changed or deleted by the app."""

    def update(self, **kwargs):
        raise PermissionDenied("The audit trail cannot be changed.")

    def delete(self):
        raise PermissionDenied("The audit trail cannot be deleted.")


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):  # type: ignore[misc]
    """django-auditlog's manager, adding to each entry what ``enrich``
    gives: the object's unit, the object it belongs to, the actor of a
    service run outside a request and the reason given. ``units.audit``
    sets ``enrich`` when it registers the models (it imports this module,
    never the other way round); until then entries are the library's."""

    enrich: ClassVar[Callable[[Any, dict], dict] | None] = None

    def _enriched(self, instance, kwargs: dict) -> dict:
        return type(self).enrich(instance, kwargs) if type(self).enrich else kwargs

    def log_create(self, instance, force_log: bool = False, **kwargs):
        kwargs = self._enriched(instance, kwargs)
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        kwargs = self._enriched(instance, kwargs)
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One create, update or delete of a domain object (django-auditlog's
    entry, ``AUDITLOG_LOGENTRY_MODEL``): who, when, the changed fields'
    before → after, and beside the library's columns the object's unit (its
    path, so that a subtree's entries are one prefix query, as for units),
    the object it belongs to (a delegate's conference, a title's person:
    its page shows them, even once deleted) and the reason given."""

    # Plain columns, not foreign keys: deleting a unit or a conference
    # leaves its trail as it was.
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True, default="")
    unit_hierarchy_id = models.BigIntegerField(_("hierarchy"), null=True, blank=True)
    unit_name = models.CharField(_("unit"), max_length=255, blank=True, default="")
    parent_type_id = models.IntegerField(null=True, blank=True)
    parent_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, default="")

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-timestamp", "-pk"]
        indexes = [
            models.Index(
                fields=["unit_path"],
                name="units_audit_unit_path_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["content_type", "object_id"], name="units_audit_object"),
            models.Index(fields=["parent_type_id", "parent_id"], name="units_audit_parent"),
        ]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("The audit trail cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit trail cannot be deleted.")


# -- Notices: what happened that a user should know -------------------------


class Notification(models.Model):
    """A notice to one user of one event (a submission, a decision, a
    document ready, the day's reminder): shown under the navbar's bell
    until read, and mailed once (``units.notifications``). One per event
    and recipient, whatever retries or double clicks."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        ELECTION_CONFIRMED = "election_confirmed", _("Election confirmed")
        DELEGATE_REPLACED = "delegate_replaced", _("Elected delegate replaced")
        DOCUMENT_READY = "document_ready", _("Document ready")
        REMINDER = "reminder", _("Reminder")

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event_key = models.CharField(max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    # The path of the object (``/conferences/12/``), opened from the notice.
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="units_notification_once"
            ),
        ]
        indexes = [
            # The bell: a user's unread notices, counted on every page.
            models.Index(fields=["recipient", "read_at"], name="units_notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
