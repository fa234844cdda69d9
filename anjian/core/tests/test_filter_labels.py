"""The empty choice of every list filter reads 全部 (English: All), never "---------"."""

from __future__ import annotations

import django_filters
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import autodiscover_modules


def _filtersets() -> list[type[django_filters.FilterSet]]:
    for module in ("filters", "selectors", "views", "forms", "tipoff_forms", "documents"):
        autodiscover_modules(module)
    found, todo = [], list(django_filters.FilterSet.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("anjian."):
            found.append(cls)
    return found


def test_every_choice_filter_of_every_list_offers_all_as_its_empty_choice():
    assert apps.ready
    filtersets = _filtersets()
    assert len(filtersets) >= 10
    checked = 0
    for cls in filtersets:
        for name, flt in cls.base_filters.items():
            if not isinstance(flt, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                continue
            if isinstance(flt, django_filters.ModelChoiceFilter):
                label = flt.extra.get("empty_label", "absent")
            else:
                label = flt.field.empty_label
            if label is None:  # a filter that always has a value (the queue, the sort)
                continue
            with translation.override("zh-hans"):
                assert str(label) == "全部", f"{cls.__name__}.{name}: {label}"
            with translation.override("en"):
                assert str(label) == "All", f"{cls.__name__}.{name}: {label}"
            checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_the_list_page_filters_read_all_not_dashes(client, login):
    login("town_office_a")
    for url in (reverse("inspections:inspection_list"), reverse("hazards:hazard_list")):
        html = client.get(url).content.decode()
        assert "---------" not in html, url
        assert '<option value="" selected>全部</option>' in html, url
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("inspections:inspection_list")).content.decode()
    assert '<option value="" selected>All</option>' in html and "---------" not in html
