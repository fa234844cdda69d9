"""Pages of the unit register: the list, one unit's file on one screen (一企一档), its printable
version, registering and editing a unit, and the town's unit categories."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anjian.core.exceptions import ActionNotPermitted, StaleObject
from anjian.core.export import Column
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedDetailView, ScopedListView, scoped
from anjian.units import hooks, services
from anjian.units.documents import unit_file_for
from anjian.units.experts import unit_experts_tab
from anjian.units.filters import UnitFilterSet
from anjian.units.forms import CategoryForm, UnitForm
from anjian.units.grading import GRADE_RULES
from anjian.units.models import (
    AssignmentStatus,
    ExpertAssignment,
    Grade,
    Unit,
)
from anjian.units.search import expert_name, unit_list_queryset, unit_search_q


class UnitListView(ScopedListView):
    model = Unit
    action = "units.view"
    template_name = "units/unit_list.html"
    filterset_class = UnitFilterSet
    export_title = _("Supervised units")
    export_columns = (
        Column(_("Name"), lambda u: u.name, 32),
        Column(_("Unified social credit code"), lambda u: u.credit_code, 22),
        Column(_("Kind"), lambda u: u.get_kind_display(), 16),
        Column(_("Town"), lambda u: u.region.parent.name if u.region.parent_id else "", 12),
        Column(_("Village or community"), lambda u: u.region.name, 14),
        Column(_("Sector committee"), lambda u: u.committee.name if u.committee_id else "", 24),
        Column(_("Address"), lambda u: u.address, 30),
        Column(_("Status"), lambda u: u.get_status_display(), 10),
        Column(_("Legal representative"), lambda u: u.legal_representative, 12),
        Column(_("Principal"), lambda u: u.principal_name, 12),
        Column(_("Principal's mobile"), lambda u: u.principal_mobile, 14),
        Column(_("Industry code"), lambda u: u.industry_code, 10),
        Column(_("Industry"), lambda u: u.industry_name, 18),
        Column(_("Size"), lambda u: u.get_size_display() if u.size else "", 14),
        Column(_("Employees"), lambda u: u.employees, 8),
        Column(_("Categories"), lambda u: "、".join(c.name for c in u.categories.all()), 30),
        Column(
            _("Suggested grade"),
            lambda u: u.get_suggested_grade_display() if u.suggested_grade else "",
            12,
        ),
        Column(_("Supervision grade"), lambda u: u.get_grade_display() if u.grade else "", 12),
        Column(_("Reason for the grade"), lambda u: u.grade_reason, 24),
        Column(_("Expert"), expert_name, 10),
        Column(_("Latitude"), lambda u: u.latitude, 11),
        Column(_("Longitude"), lambda u: u.longitude, 11),
    )

    def get_queryset(self):
        qs = super().get_queryset()
        if self.search:
            qs = qs.filter(unit_search_q(self.search))
        return unit_list_queryset(qs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scope = get_scope(self.request.user)
        ctx["can_change"] = scope.can(services.CHANGE)
        ctx["can_manage_categories"] = scope.can(services.MANAGE_CATEGORIES)
        ctx["can_import"] = scope.can("units.import")
        ctx["can_decide_changes"] = scope.can("units.decide_changes")
        ctx["can_manage_public_page"] = scope.can("units.manage_public_page")
        return ctx


# The tabs of the unit page after "basic facts", "documents" and "people"; later modules fill them.
UNIT_TABS = (
    (
        "documents",
        _("Documents"),
        _(
            "The unit's file (一企一档): licences, certificates, emergency plans and evaluations, "
            "with their expiry dates."
        ),
    ),
    (
        "inspections",
        _("Inspections"),
        _("Inspections of this unit by the town, committees and experts, with their results."),
    ),
    ("hazards", _("Hazards"), _("Hazards found at this unit and how their rectification stands.")),
    (
        "permits",
        _("Work permits"),
        _("Special work permits (hot work, confined space, work at height…) of this unit."),
    ),
    ("trainings", _("Trainings"), _("Safety trainings and drills held by or for this unit.")),
    ("timeline", _("Timeline"), _("Everything that happened to this unit, newest first.")),
)
DOCUMENTS_PARTIAL = "units/_documents_tab.html"
PEOPLE_PARTIAL = "units/_people_tab.html"
EXPERTS_PARTIAL = "units/_experts_tab.html"
HAZARDS_PARTIAL = "hazards/_unit_hazards_tab.html"
INSPECTIONS_PARTIAL = "inspections/_unit_inspections_tab.html"


def _partial(name: str) -> str | None:
    """The partial another part of the units work provides, or None while it does not exist."""
    try:
        return select_template([name]).template.name
    except TemplateDoesNotExist:
        return None


class UnitDetailView(ScopedDetailView):
    model = Unit
    action = "units.view"
    template_name = "units/unit_detail.html"
    context_object_name = "unit"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("region__parent", "committee")
            .prefetch_related("categories")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unit = self.object
        user = self.request.user
        ctx["tabs"] = UNIT_TABS
        # The documents and people tabs (unit_file_for) and the expert tab (unit_experts_tab).
        ctx.update(unit_file_for(user, unit))
        ctx["experts_tab"] = unit_experts_tab(user, unit)
        ctx["documents_partial"] = _partial(DOCUMENTS_PARTIAL)
        ctx["people_partial"] = _partial(PEOPLE_PARTIAL) or "units/_unit_people.html"
        ctx["experts_partial"] = _partial(EXPERTS_PARTIAL)
        ctx["hazards_partial"] = _partial(HAZARDS_PARTIAL)
        if ctx["hazards_partial"]:
            ctx["hazards_tab"] = hooks.unit_tab("hazards", user, unit)
        ctx["inspections_partial"] = _partial(INSPECTIONS_PARTIAL)
        if ctx["inspections_partial"]:
            ctx["inspections_tab"] = hooks.unit_tab("inspections", user, unit)
        ctx["expert_assignment"] = (
            ExpertAssignment.objects.visible_to(user)
            .filter(unit=unit, status=AssignmentStatus.ACTIVE)
            .select_related("engineer__firm")
            .first()
        )
        ctx["can_change"] = (
            Unit.objects.for_action(user, services.CHANGE).filter(pk=unit.pk).exists()
        )
        ctx["grade_differs"] = bool(unit.grade and unit.grade != unit.suggested_grade)
        ctx["can_invite"] = (
            Unit.objects.for_action(user, "units.invite").filter(pk=unit.pk).exists()
        )
        return ctx


class UnitPrintView(UnitDetailView):
    """The whole file on paper: the same facts, print CSS, no navigation."""

    template_name = "units/unit_print.html"


# --- Registering and editing -------------------------------------------------------------------


def _unit_form_page(request, form, unit=None, status=200) -> HttpResponse:
    context = {"form": form, "unit": unit, "industries": UnitForm.industries()}
    if unit is not None:
        context["suggested_grade"] = unit.suggested_grade
    return render(request, "units/unit_form.html", context, status=status)


@scoped("units.change")
def unit_create_view(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except ActionNotPermitted as exc:
            form.add_error("region", exc.message)
        else:
            messages.success(
                request, gettext("The unit “%(name)s” was registered.") % {"name": unit.name}
            )
            return redirect("units:unit_detail", pk=unit.pk)
    return _unit_form_page(request, form)


@scoped("units.change")
def unit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = services.unit_get_for_change(request.user, pk)
    form = UnitForm(request.user, request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                actor=request.user,
                unit_id=unit.pk,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason", ""),
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except ActionNotPermitted as exc:
            form.add_error("region", exc.message)
        except StaleObject:
            form.add_error(
                None,
                gettext(
                    "Someone else changed this unit while you were editing it. Reload the page "
                    "to see their changes, then make yours again."
                ),
            )
            return _unit_form_page(request, form, unit, status=409)
        else:
            messages.success(request, gettext("The unit's facts were saved."))
            return redirect("units:unit_detail", pk=unit.pk)
    return _unit_form_page(request, form, unit)


# --- Categories ------------------------------------------------------------------------------------


@scoped("units.manage_categories")
def category_list_view(request: HttpRequest) -> HttpResponse:
    categories = list(
        services.categories_for(request.user)
        .select_related("town")
        .order_by("group", "sort_order", "pk")
    )
    for category in categories:
        category.editable = not services.category_change_refusal(request.user, category)
    return render(
        request,
        "units/category_list.html",
        {"categories": categories, "grade_rules": GRADE_RULES, "grades": Grade},
    )


@scoped("units.manage_categories")
def category_create_view(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, gettext("The category “%(name)s” was added.") % {"name": category.name}
            )
            return redirect("units:category_list")
    return render(request, "units/category_form.html", {"form": form, "category": None})


@scoped("units.manage_categories")
def category_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    """Categories are a vocabulary shared by every town (kept by the district), to which a town
    adds its own; they are addressed by their stable code (``regions.shared``)."""
    category = services.categories_for(request.user).filter(code=code).first()
    if category is None:
        raise Http404
    if refusal := services.category_change_refusal(request.user, category):
        messages.error(request, refusal)  # a shared row is the district's, a town's its own
        return redirect("units:category_list")
    initial = {k: getattr(category, k) for k in services.CATEGORY_FIELDS}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(
                actor=request.user, category_id=category.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, gettext("The category was saved."))
            return redirect("units:category_list")
    return render(request, "units/category_form.html", {"form": form, "category": category})


# Included by ``anjian/units/urls.py`` after the list and the detail page.
urlpatterns = [
    path("new/", unit_create_view, name="unit_create"),
    path("<int:pk>/edit/", unit_edit_view, name="unit_edit"),
    path("<int:pk>/print/", UnitPrintView.as_view(), name="unit_print"),
    path("categories/", category_list_view, name="category_list"),
    path("categories/new/", category_create_view, name="category_create"),
    path("categories/<slug:code>/edit/", category_edit_view, name="category_edit"),
]
