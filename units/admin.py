from auditlog.admin import LogEntryAdmin
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .forms import CleanModelForm
from .models import AuditEntry, Cluster, Hierarchy, Unit, User
from .services import cluster_member_errors


@admin.register(Hierarchy)
class HierarchyAdmin(admin.ModelAdmin):
    list_display = ["name", "effective_from", "predecessor"]
    search_fields = ["name"]


class ClusterForm(CleanModelForm):
    class Meta:
        model = Cluster
        fields = ["hierarchy", "name", "position", "members"]

    def clean(self):
        data = super().clean()
        if data.get("hierarchy") is not None and "members" in data:
            probe = Cluster(pk=self.instance.pk, hierarchy=data["hierarchy"])
            for error in cluster_member_errors(cluster=probe, units=list(data["members"])):
                self.add_error("members", error)
        return data


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    """Emulation clusters are edited here: the rules of ``cluster_member_errors``."""

    form = ClusterForm
    list_display = ["name", "hierarchy", "position"]
    list_filter = ["hierarchy"]
    search_fields = ["name"]
    autocomplete_fields = ["members"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "headcount", "headcount_is_demo", "is_active"]
    list_filter = ["hierarchy", "kind", "is_active", "headcount_is_demo"]
    search_fields = ["name", "code", "search_name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "predecessors"]
    readonly_fields = ["path"]
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        # A headcount typed in is a real figure: the demo label goes.
        if "headcount" in form.changed_data:
            obj.headcount_is_demo = False
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        # The place in the tree is fixed once created: a reform of the
        # hierarchy is a new hierarchy, not a move (descendants' paths hang on it).
        if obj is not None:
            return ["hierarchy", "parent", "code", "path"]
        return self.readonly_fields


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "unit__hierarchy"]
    search_fields = ["username", "full_name", "email", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email")}),
        (_("Role"), {"fields": ("role", "unit")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "email",
                    "role",
                    "unit",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


# The audit trail is read here, never written: no add, change or delete,
# superusers included (django-auditlog's admin lets a cascade delete through).
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(LogEntryAdmin):
    list_select_related = ["content_type", "actor"]
    search_fields = ["object_repr", "unit_name", "reason", "actor__username", "actor__full_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
