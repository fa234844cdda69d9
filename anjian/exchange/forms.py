"""Forms of the data exchange: the export's choices and the upload of assigned ids."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from anjian.core.filters import ModelChoiceFilter
from anjian.exchange.choices import ExchangeSystem, ExportFormat, RecordKind
from anjian.exchange.exports import ExportParams
from anjian.exchange.models import EXPORT, IMPORT_IDS, ExportBatch, ExternalId
from anjian.exchange.services import MAX_UPLOAD, export_towns
from anjian.regions.models import Region, RegionLevel


def _styled(form_fields) -> None:
    for field in form_fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Records"), choices=RecordKind.choices)
    system = forms.ChoiceField(label=_("For the system"), choices=ExchangeSystem.choices)
    file_format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.CSV
    )
    town = forms.ModelChoiceField(
        label=_("Town"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("All I may see"),
    )
    date_from = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    changed_since = forms.DateField(
        label=_("Changed since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only records created or changed on or after this day."),
    )
    only_without_id = forms.BooleanField(
        label=_("Only records without an id in this system yet"),
        required=False,
        initial=True,
        help_text=_("So that no record is entered twice in the system."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        towns = export_towns(user)
        self.fields["town"].queryset = towns
        if towns.count() <= 1:
            self.fields["town"].widget = forms.HiddenInput()
        _styled(self.fields)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last day comes before the first day."))
        return data

    def params(self) -> ExportParams:
        import datetime

        from django.utils import timezone

        data = self.cleaned_data
        since = data.get("changed_since")
        return ExportParams(
            kind=data["kind"],
            system=data["system"],
            file_format=data["file_format"],
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            changed_since=(
                timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
                if since
                else None
            ),
            only_without_id=bool(data.get("only_without_id")),
            town=data.get("town"),
        )


class IdImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "An Excel workbook (.xlsx), a CSV or a JSON file with the columns anjian_id and "
            "external_id (and optionally system); at most 20 MB."
        ),
    )
    system = forms.ChoiceField(label=_("The ids come from"), choices=ExchangeSystem.choices)
    batch = forms.ModelChoiceField(
        label=_("In answer to the export batch"),
        queryset=ExportBatch.objects.none(),
        required=False,
        empty_label=_("No particular batch"),
    )
    replace = forms.BooleanField(
        label=_("Replace ids that differ"),
        required=False,
        help_text=_(
            "Without it, a record that already has another id in this system is rejected and "
            "shown. With it, the id is replaced and the old one kept in the audit log."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = ExportBatch.objects.for_action(user, IMPORT_IDS)[:50]
        self.fields["batch"].label_from_instance = _batch_label
        _styled(self.fields)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return upload


def _batch_label(batch: ExportBatch) -> str:
    from django.utils import timezone

    return (
        f"#{batch.pk} {batch.get_kind_display()} · {batch.get_system_display()} · "
        f"{timezone.localtime(batch.created_at):%Y-%m-%d %H:%M} · {batch.count}"
    )


def _towns(request):
    user = getattr(request, "user", None)
    return Region.objects.for_action(user, EXPORT).filter(level=RegionLevel.TOWN)


class ExternalIdFilterSet(django_filters.FilterSet):
    system = django_filters.ChoiceFilter(label=_("System"), choices=ExchangeSystem.choices)
    kind = django_filters.ChoiceFilter(label=_("Records"), choices=RecordKind.choices)
    region = ModelChoiceFilter(label=_("Town"), queryset=_towns)

    class Meta:
        model = ExternalId
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self.form.fields)
