"""Input forms of the unit's file (documents and people). They validate and normalise input; the
services in ``anjian.units.documents`` write (forms never save)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anjian.units.models import DocumentType, PersonRole


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ServiceErrorsMixin:
    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (or on the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in self.fields else None
                for message in errors:
                    self.add_error(target, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class DocumentForm(ServiceErrorsMixin, forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the document type as its title."),
    )
    number = forms.CharField(label=_("Number"), max_length=100, required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=100, required=False)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for a document without expiry (e.g. a business licence)."),
    )
    person = forms.TypedChoiceField(
        label=_("Holder"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For a special-operation certificate: the certified worker who holds it."),
    )
    file = forms.FileField(
        label=_("Scanned file"),
        required=True,
        help_text=_("PDF, JPEG or PNG, at most 20 MB."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [(p.pk, str(p)) for p in people]
        if editing:
            self.fields["file"].required = False
            self.fields["file"].label = _("Replace the scanned file")
            self.fields["file"].help_text = _(
                "Leave empty to keep the current file. PDF, JPEG or PNG, at most 20 MB."
            )

    def clean(self):
        data = super().clean()
        if (
            data.get("valid_from")
            and data.get("valid_to")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", _("“Valid to” is before “valid from”."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "doc_type": data["doc_type"],
            "title": data.get("title", ""),
            "number": data.get("number", ""),
            "issuer": data.get("issuer", ""),
            "valid_from": data.get("valid_from"),
            "valid_to": data.get("valid_to"),
            "person_id": data.get("person"),
            "note": data.get("note", ""),
        }


class PersonForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PersonRole.choices)
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        help_text=_("Required for a safety officer."),
    )
    certificate_type = forms.CharField(
        label=_("Certificate"),
        max_length=60,
        required=False,
        help_text=_("For a certified worker: the kind of special operation, e.g. 电工作业."),
    )
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=60, required=False)
    certificate_valid_to = forms.DateField(
        label=_("Certificate valid to"), required=False, widget=DateInput()
    )

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason.")},
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
