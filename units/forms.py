from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Hierarchy, UnitKind
from .unit_import import is_xlsx


class UnitFilterForm(forms.Form):
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


class UnitImportForm(forms.Form):
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


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset mail from a Celery task, after the request commits, so
    that a slow mail server never holds up the page."""

    def save(self, *, domain_override=None, use_https=False, request=None, **kwargs):
        from .tasks import send_password_reset_email

        domain = domain_override or request.get_host()
        for user in self.get_users(self.cleaned_data["email"]):
            transaction.on_commit(
                lambda pk=user.pk: send_password_reset_email.delay(pk, domain, use_https)
            )
