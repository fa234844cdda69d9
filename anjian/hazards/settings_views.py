"""The town office's settings of the hazard loop: the sub-grades of the two legal levels.

Sub-grades are a vocabulary shared by every town (kept by the district), to which a town may add
its own (``regions.shared``): ``hazards.manage_settings`` and the row's owner decide who changes
one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from anjian.core.exceptions import ActionNotPermitted
from anjian.core.views import scoped
from anjian.hazards import settings_services
from anjian.hazards.forms import SubGradeForm
from anjian.hazards.settings_services import MANAGE_SETTINGS, SUBGRADE_FIELDS


@scoped(MANAGE_SETTINGS)
def subgrade_list(request: HttpRequest) -> HttpResponse:
    subgrades = list(
        settings_services.subgrades_for(request.user)
        .select_related("town")
        .order_by("level", "sort_order", "pk")
    )
    for subgrade in subgrades:
        subgrade.editable = not settings_services.subgrade_change_refusal(request.user, subgrade)
    return render(request, "hazards/hazard_subgrade_list.html", {"subgrades": subgrades})


def _save(request, form, subgrade=None) -> HttpResponse | None:
    """Hand the form to the service; a redirect on success, None to show the form again."""
    try:
        if subgrade is None:
            settings_services.subgrade_create(actor=request.user, **_values(form))
        else:
            settings_services.subgrade_update(
                actor=request.user, subgrade_id=subgrade.pk, **_values(form)
            )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    except ActionNotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("The sub-grade was saved."))
    return redirect("hazards:subgrade_list")


def _values(form) -> dict:
    data = dict(form.cleaned_data)
    data["sort_order"] = data.get("sort_order") or 0
    return data


@scoped(MANAGE_SETTINGS)
def subgrade_create(request: HttpRequest) -> HttpResponse:
    form = SubGradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form)
        if response is not None:
            return response
    return render(request, "hazards/hazard_subgrade_form.html", {"form": form})


@scoped(MANAGE_SETTINGS)
def subgrade_edit(request: HttpRequest, subgrade_id: int) -> HttpResponse:
    item = settings_services.subgrades_for(request.user).filter(pk=subgrade_id).first()
    if item is None:  # a shared setting, not a scoped row: say so and show the list
        messages.error(request, _("This sub-grade does not exist (any more)."))
        return redirect("hazards:subgrade_list")
    if refusal := settings_services.subgrade_change_refusal(request.user, item):
        messages.error(request, refusal)  # a shared row is the district's, a town's its own
        return redirect("hazards:subgrade_list")
    initial = {name: getattr(item, name) for name in SUBGRADE_FIELDS}
    form = SubGradeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, item)
        if response is not None:
            return response
    return render(request, "hazards/hazard_subgrade_form.html", {"form": form, "subgrade": item})


urlpatterns = [
    path("settings/sub-grades/", subgrade_list, name="subgrade_list"),
    path("settings/sub-grades/new/", subgrade_create, name="subgrade_create"),
    path("settings/sub-grades/<int:subgrade_id>/edit/", subgrade_edit, name="subgrade_edit"),
]
