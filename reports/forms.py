"""The parameters of the documents, as forms: each exporter declares its
``form_class`` (pretix's ``export_form_fields``, as a Django form), which
validates and converts the request's values — ids to objects within the
user's scope, choices, options — for ``Exporter.target``, the one entry
point of a job (``reports.services.request_document``) and of a download
(``reports.views.DocumentDownloadView``).

A bad parameter is a form error (a ``ValidationError`` with the field's
message, shown to the user); an id must be ASCII digits within a database
id (``units.params.as_int``). An object the user may not see is "not found"
(404) when the form says so (``not_found``): the id of a conference of
another province tells nothing of it.
"""

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from units.models import User
from units.params import as_int

StrOrPromise = Any  # a message, or one translated when shown (gettext_lazy)


def invalid_message(name: str) -> str:
    return _("The document's “%(name)s” is not valid.") % {"name": name}


def missing_message(name: str) -> str:
    return _("The document's “%(name)s” is missing.") % {"name": name}


def invalid_param(name: str) -> ValidationError:
    return ValidationError(invalid_message(name), code="invalid")


class IdField(forms.ModelChoiceField):
    """An object by its id, among ``queryset`` (set by the form for its
    user). The id is ASCII digits within a database id: "²", " 7" or
    "1e3" are not valid, never handed to ``int()``."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        pk = as_int(value)
        if pk is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        queryset = self.queryset
        if queryset is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        try:
            return queryset.get(pk=pk)
        except queryset.model.DoesNotExist:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class NumberField(forms.Field):
    """A whole number written in ASCII digits (``units.params.as_int``)."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        number = as_int(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class ExporterForm(forms.Form):
    """The parameters of one document, for one user. ``setup`` narrows the
    fields to the user's scope (querysets, choices). Every field's messages
    name the parameter, as the error a user is shown."""

    # Fields whose unknown choice is "not found" (404), not a form error.
    not_found: ClassVar[tuple[str, ...]] = ()
    # The filters a page reads leniently: ``as_shown`` (the page's own old
    # address of its table) reads them as the page does (``page_value``).
    page_filters: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, data: Mapping[str, Any] | None, *, user: User, as_shown: bool = False
    ) -> None:
        super().__init__(data if data is not None else {})
        self.user = user
        self.as_shown = as_shown
        for name, field in self.fields.items():
            messages = {
                "required": missing_message(name),
                "invalid": invalid_message(name),
                "invalid_choice": invalid_message(name),
            }
            field.error_messages = {**messages, **getattr(field, "messages", {})}
        self.setup()

    def setup(self) -> None:
        """Narrow the fields to ``self.user``'s scope (``narrow``)."""

    def narrow(self, name: str, queryset: QuerySet[Any]) -> None:
        """The objects field ``name`` may name."""
        cast(forms.ModelChoiceField, self.fields[name]).queryset = queryset

    def full_clean(self) -> None:
        super().full_clean()
        if not self.as_shown or not self.is_bound:
            return
        errors = self.errors
        for name in self.page_filters:
            if name in errors:
                del errors[name]
                self.cleaned_data[name] = self.page_value(name)

    def page_value(self, name: str) -> Any:
        """What the page makes of a filter it cannot use: nothing (the
        filter is ignored)."""
        field = self.fields[name]
        return None if isinstance(field, forms.ModelChoiceField | NumberField) else ""

    def raise_errors(self) -> None:
        """The form's errors as the exception a request ends with: 404 for
        an object the user may not see, else a ``ValidationError``."""
        for name in self.not_found:
            if any(error.code == "invalid_choice" for error in self.errors.as_data().get(name, ())):
                raise Http404
        messages: list[str] = []
        for errors in self.errors.as_data().values():
            for error in errors:
                messages.extend(error.messages)
        raise ValidationError(list(dict.fromkeys(messages)))


def with_messages(field: forms.Field, **messages: StrOrPromise) -> forms.Field:
    """``field`` with its own messages for some error codes (kept over the
    form's defaults)."""
    field.messages = messages  # type: ignore[attr-defined]
    return field


def plain(values: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """The cleaned values worth storing with a job: empty ones left out."""
    return {name: value for name, value in values if value not in (None, "", [])}
