"""Input of the checklist template pages: validation only; the services write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anjian.hazards.choices import HazardCategory, HazardLevel
from anjian.units.models import Category, UnitKind


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


class TemplateForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Checklist name"), max_length=100)
    description = forms.CharField(
        label=_("About this checklist"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit_kinds = forms.MultipleChoiceField(
        label=_("For unit kinds"),
        choices=UnitKind.choices,
        required=False,
        help_text=_(
            "Suggested for every unit of these kinds. Leave empty for a checklist of special "
            "work (dust, ammonia…): it is then suggested only by the categories below."
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    category_codes = forms.MultipleChoiceField(
        label=_("For unit categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Suggested for a unit with any of these categories, whatever its kind."),
    )
    is_active = forms.BooleanField(label=_("In use (offered when inspecting)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_codes"].choices = list(
            Category.objects.filter(is_active=True)
            .order_by("group", "sort_order", "name")
            .values_list("code", "name")
        )


class SectionForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=100)


class ItemForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("What to check"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. 《安全生产法》第四十一条"),
    )
    hazard_level = forms.ChoiceField(
        label=_("Level of a failure"), choices=HazardLevel.choices, initial=HazardLevel.GENERAL
    )
    hazard_category = forms.ChoiceField(
        label=_("Category of a failure"),
        choices=HazardCategory.choices,
        initial=HazardCategory.OTHER,
    )
    is_major_criterion = forms.BooleanField(
        label=_("A failure is a major hazard under the industry-and-trade criteria (Order 10)"),
        required=False,
    )
    criterion_ref = forms.CharField(
        label=_("Criterion clause"),
        required=False,
        max_length=100,
        help_text=_("E.g. 工贸重大隐患判定标准 第十一条第（十）项"),
    )
    guidance = forms.CharField(
        label=_("How to check"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    section = forms.TypedChoiceField(label=_("Section"), coerce=int, required=False)

    def __init__(self, *args, sections=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sections is None:
            del self.fields["section"]
        else:
            self.fields["section"].choices = [(s.pk, s.title) for s in sections]


class PublishForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        help_text=_(
            "The columns of the export: 分项, 序号, 检查内容, 依据, 隐患等级, 隐患类别, "
            "重大隐患判定, 判定条款, 检查方法. The draft's sections and items are replaced."
        ),
    )
