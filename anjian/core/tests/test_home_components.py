"""The shared components in templates/components/ that every list and form page includes."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def _render(name: str, context: dict, request=None) -> str:
    with translation.override("zh-hans"):
        return render_to_string(f"components/{name}", context, request=request)


def test_pagination_keeps_the_filters_and_says_where_we_are():
    page = Paginator(list(range(60)), 25).page(2)
    html = _render("_pagination.html", {"page_obj": page, "query_string": "q=%E6%9D%91&kind=shop"})
    assert 'href="?q=%E6%9D%91&amp;kind=shop&amp;page=1"' in html
    assert 'href="?q=%E6%9D%91&amp;kind=shop&amp;page=3"' in html
    assert "第 2 / 3 页" in html
    assert "第 26–50 条，共 60 条" in html


def test_pagination_is_absent_for_a_single_page():
    page = Paginator([1, 2], 25).page(1)
    assert "pagination" not in _render("_pagination.html", {"page_obj": page, "query_string": ""})


def test_toolbar_export_link_keeps_the_current_filters():
    request = RequestFactory().get("/units/?q=abc&kind=shop")
    html = _render(
        "_list_toolbar.html",
        {"search": "abc", "query_string": "q=abc&kind=shop", "can_export": True},
        request=request,
    )
    assert 'href="?q=abc&amp;kind=shop&amp;export=xlsx"' in html
    assert "导出Excel" in html
    assert 'name="q" value="abc"' in html


def test_toolbar_without_export_has_no_export_link():
    html = _render("_list_toolbar.html", {"query_string": "", "can_export": False})
    assert "export=xlsx" not in html


def test_empty_state_shows_its_text_and_next_step():
    html = _render(
        "_empty_state.html",
        {
            "title": "还没有监管对象",
            "text": "登记后将显示在这里",
            "action_url": "/units/new/",
            "action_label": "登记",
        },
    )
    assert "还没有监管对象" in html
    assert 'href="/units/new/"' in html


def test_confirm_button_posts_with_csrf_and_asks_first():
    request = RequestFactory().get("/")
    html = _render(
        "_confirm_button.html",
        {
            "action": "/tokens/3/revoke/",
            "label": "撤销",
            "confirm": "确定撤销吗？",
            "fields": {"expected_version": 4},
        },
        request=request,
    )
    assert 'method="post" action="/tokens/3/revoke/"' in html
    assert 'data-confirm="确定撤销吗？"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="expected_version" value="4"' in html


class _Form(forms.Form):
    name = forms.CharField(label="名称", help_text="单位全称")
    kind = forms.ChoiceField(label="类型", choices=[("a", "甲")])
    active = forms.BooleanField(label="在用", required=False)


def test_field_shows_bootstrap_widgets_and_errors():
    form = _Form(data={"name": "", "kind": "a"})
    assert not form.is_valid()
    name = _render("_field.html", {"field": form["name"]})
    assert 'class="form-control is-invalid"' in name
    assert "invalid-feedback" in name
    assert form.errors["name"][0] in name
    assert "单位全称" in name
    assert 'class="form-select"' in _render("_field.html", {"field": form["kind"]})
    check = _render("_field.html", {"field": form["active"]})
    assert 'class="form-check-input"' in check
    assert "form-check-label" in check


def test_toolbar_renders_the_filter_fields_as_bootstrap_controls():
    import django_filters

    from anjian.units.models import Unit, UnitKind

    class Filters(django_filters.FilterSet):
        kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label="类型")

        class Meta:
            model = Unit
            fields = ["kind"]

    request = RequestFactory().get("/units/?kind=enterprise")
    filterset = Filters(request.GET, queryset=Unit.objects.none())
    html = _render(
        "_list_toolbar.html",
        {"filterset": filterset, "query_string": "kind=enterprise", "can_export": True},
        request=request,
    )
    assert '<select name="kind" class="form-select"' in html
    assert 'value="enterprise" selected' in html
    assert 'href="?kind=enterprise&amp;export=xlsx"' in html
