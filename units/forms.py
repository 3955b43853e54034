from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Hierarchy, UnitKind
from .params import as_int, search_param
from .queue import enqueue
from .text import CONTROL_CHARACTERS_MESSAGE, control_characters
from .unit_import import is_xlsx

# What a PostgreSQL integer column (and a PositiveIntegerField) can store.
INTEGER_MAX = 2_147_483_647
INTEGER_MIN = -2_147_483_648
USERNAME_MAX = 150


class CleanFormMixin:
    """Text at the boundary, in one place: every text field refuses control
    characters (tab and line breaks allowed in a Textarea), and every
    integer field without a bound is bounded by what the column stores, so
    that no input reaches the database or an export to fail there."""

    def _clean_fields(self):
        # Bounded here, not in __init__, so that fields a subclass adds in
        # its own __init__ (one per candidate, per unit) are bounded too.
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.IntegerField):
                if field.max_value is None:
                    field.max_value = INTEGER_MAX
                    field.validators.append(MaxValueValidator(INTEGER_MAX))
                if field.min_value is None:
                    field.min_value = INTEGER_MIN
                    field.validators.append(MinValueValidator(INTEGER_MIN))
        super()._clean_fields()  # type: ignore[misc]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            value = self.cleaned_data.get(name)  # type: ignore[attr-defined]
            if isinstance(field, forms.CharField) and isinstance(value, str):
                multiline = isinstance(field.widget, forms.Textarea)
                if control_characters(value, multiline=multiline):
                    self.add_error(  # type: ignore[attr-defined]
                        name,
                        forms.ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control"),
                    )


class CleanForm(CleanFormMixin, forms.Form):
    pass


class CleanModelForm(CleanFormMixin, forms.ModelForm):
    pass


class LoginForm(CleanFormMixin, AuthenticationForm):
    """The login form: an overlong or garbled username is a form error
    before anything (django-axes included) looks it up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets the field's max_length but no validator.
        username = self.fields["username"]
        limit = getattr(username, "max_length", None) or USERNAME_MAX
        username.validators.append(MaxLengthValidator(limit))

    def clean(self):
        if self.errors:
            # The username was refused (too long, control characters): no
            # attempt is made, and nothing is recorded for it.
            return self.cleaned_data
        return super().clean()


def axes_username(request, credentials) -> str | None:
    """The username django-axes records, cut to what its column holds."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(getattr(request, "POST", None), "get", lambda _key: None)("username")
    return None if username is None else str(username)[:USERNAME_MAX]


class UnitFilterForm(CleanForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name or code, e.g. ha noi")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *UnitKind.choices]
    )
    province = forms.ModelChoiceField(
        label=_("Province"), required=False, queryset=None, empty_label=_("All provinces")
    )

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-md-5"),
                Column("kind", css_class="col-md-3"),
                Column("province", css_class="col-md-3"),
                Column(
                    Submit("", _("Filter"), css_class="w-100"),
                    css_class="col-md-1 d-flex align-items-end mb-3",
                ),
            )
        )


class UnitImportForm(CleanForm):
    """The hierarchy to import into and the filled template. The file is
    checked by its content, not its name, before openpyxl reads it."""

    hierarchy = forms.ModelChoiceField(
        label=_("Hierarchy"),
        queryset=Hierarchy.objects.order_by("-effective_from"),
        empty_label=None,
        help_text=_("The units of the file are created or updated in this hierarchy."),
    )
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(size)s.")
                % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}
            )
        if not file.name.lower().endswith(".xlsx") or not is_xlsx(file):
            raise forms.ValidationError(
                _("The file is not an Excel workbook (.xlsx): use the template.")
            )
        return file


class QueuedPasswordResetForm(CleanFormMixin, PasswordResetForm):
    """Sends the reset mail from a Celery task, after the request commits, so
    that a slow mail server never holds up the page. The task is queued for
    every address and looks it up itself: a known and an unknown address
    take the same time, so the page's timing does not tell which exist."""

    # Whether the broker took the mail's task: None until the request
    # commits, False when it could not be reached (the page says so).
    queued: bool | None = None

    def save(self, *, domain_override=None, use_https=False, request=None, **kwargs):
        from .tasks import send_password_reset_for_address

        domain = domain_override or request.get_host()
        email = self.cleaned_data["email"]

        def queue() -> None:
            self.queued = enqueue(send_password_reset_for_address, email, domain, use_https)

        transaction.on_commit(queue)


class AuditLogForm(CleanForm):
    """The log's filters: a unit (its subtree), a user, a kind of object,
    a period. Only choices within the reader's scope are offered; anything
    else is the field's message and the log unfiltered by it."""

    unit = forms.ChoiceField(label=_("Unit (and the units under it)"), required=False)
    user = forms.CharField(label=_("User"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)

    def __init__(self, data=None, *, user=None, **kwargs):
        super().__init__(data, **kwargs)
        if user is not None:
            self.user = user
            self.setup()
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("unit", css_class="col-md-3"),
                Column("user", css_class="col-md-2"),
                Column("kind", css_class="col-md-3"),
                Column("date_from", css_class="col-md-1"),
                Column("date_to", css_class="col-md-1"),
                Column(
                    Submit("", _("Filter"), css_class="w-100"),
                    css_class="col-md-2 d-flex align-items-end mb-3",
                ),
            )
        )

    def setup(self) -> None:
        from .history import log_kinds, log_units

        self.units = log_units(self.user)
        self.fields["unit"].choices = [("", _("All units"))] + [
            (str(unit.pk), unit.name) for unit in self.units
        ]
        self.fields["kind"].choices = [("", _("All kinds"))] + [
            (str(pk), name) for pk, name in log_kinds()
        ]

    def clean_user(self) -> str:
        return search_param(self.cleaned_data, "user")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def filters(self) -> dict:
        """The cleaned filters as ``units.history.search_log`` takes them."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        unit_pk = data.get("unit")
        units = {str(unit.pk): unit for unit in getattr(self, "units", [])}
        return {
            "unit": units.get(unit_pk) if unit_pk else None,
            "actor": data.get("user") or "",
            "kind": as_int(data.get("kind") or ""),
            "date_from": data.get("date_from") or None,
            "date_to": data.get("date_to") or None,
        }


class NoticeSettingsForm(CleanForm):
    """Whether the user's notices are also mailed."""

    wants_mail = forms.BooleanField(
        label=_("Also send me each notice by e-mail"),
        required=False,
    )
