"""Filter fields that refuse a number the database cannot hold.

An id of 23 digits in ``?unit=`` used to reach the query and fail with a server error (SQLite
cannot bind it; PostgreSQL answers "out of range"). These fields check the range first: the list
shows the form error "无效的编号" and the unfiltered page, and the API answers 422. Every FilterSet
uses them for ids (``IdFilter``, ``ModelChoiceFilter``, ``ModelMultipleChoiceFilter``) and years
(``YearFilter``).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anjian.core.api_types import DB_INT_MAX, DB_INT_MIN, YEAR_MAX, YEAR_MIN

INVALID_ID = _("Invalid id.")


def _out_of_range(value) -> bool:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False  # not a number at all: the field's own check answers
    return not DB_INT_MIN <= number <= DB_INT_MAX


class IdField(forms.IntegerField):
    """A whole number in the database's integer range, else "Invalid id."."""

    default_error_messages = {
        "invalid": INVALID_ID,
        "min_value": INVALID_ID,
        "max_value": INVALID_ID,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", DB_INT_MIN)
        kwargs.setdefault("max_value", DB_INT_MAX)
        super().__init__(**kwargs)


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(**kwargs)


class SafeModelChoiceField(forms.ModelChoiceField):
    """A choice by id that never asks the database about an id it cannot hold."""

    def to_python(self, value):
        if value not in self.empty_values and not self.to_field_name and _out_of_range(value):
            raise ValidationError(INVALID_ID, code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if not self.to_field_name and any(_out_of_range(v) for v in value or ()):
            raise ValidationError(INVALID_ID, code="invalid_choice")
        return super()._check_values(value)


class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SafeModelChoiceField


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SafeModelMultipleChoiceField
