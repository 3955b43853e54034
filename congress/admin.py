from django import forms
from django.contrib import admin

from units.forms import CleanModelForm
from units.models import UnitKind

from .models import Cycle, Tier, TierCapException, TierExemption


class TierForm(CleanModelForm):
    organiser_kinds = forms.MultipleChoiceField(
        choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Tier
        fields = [
            "cycle",
            "level",
            "name",
            "organiser_kinds",
            "allows_half_day",
            "allows_full_day",
            "window_start",
            "deadline",
            "cap",
            "cap_counts_guests",
            "may_combine_with_year_end_review",
            "may_combine_with_staff_conference",
            "papers_half_day",
            "papers_full_day",
        ]


class TierCapExceptionInline(admin.TabularInline):
    model = TierCapException
    autocomplete_fields = ["unit"]
    extra = 0


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    form = TierForm
    list_display = ["name", "cycle", "level", "window_start", "deadline", "cap"]
    list_filter = ["cycle"]
    inlines = [TierCapExceptionInline]


class TierInline(admin.StackedInline):
    model = Tier
    form = TierForm
    extra = 0
    show_change_link = True


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "period_start_year", "period_end_year", "is_current"]
    autocomplete_fields = ["pilot_units"]
    inlines = [TierInline]


@admin.register(TierExemption)
class TierExemptionAdmin(admin.ModelAdmin):
    """Exemptions are recorded by the council from the unit's page or the
    conference above (``services.exempt_unit``); here to look them up."""

    list_display = ["unit", "tier", "recorded_by", "recorded_at"]
    list_filter = ["tier__cycle", "tier"]
    search_fields = ["unit__name", "unit__code", "reason"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["recorded_by", "recorded_at"]
    list_select_related = ["unit", "tier", "recorded_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
