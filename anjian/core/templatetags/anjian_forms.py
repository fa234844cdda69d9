"""Presentation-only filters for ``templates/components/_field.html``: Bootstrap classes on widgets.

No business logic here (style.md §0.3): these only choose CSS classes.
"""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    """``check`` (one check box), ``choices`` (radio/check-box lists), ``select`` or ``input``."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "check"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


@register.filter
def with_bootstrap_class(field: forms.BoundField):
    """Render the widget with Bootstrap's class for its kind, plus ``is-invalid`` on errors."""
    kind = widget_kind(field)
    css = {"check": "form-check-input", "select": "form-select", "input": "form-control"}.get(
        kind, ""
    )
    existing = field.field.widget.attrs.get("class", "")
    classes = " ".join(c for c in (existing, css, "is-invalid" if field.errors else "") if c)
    return field.as_widget(attrs={"class": classes} if classes else None)
