"""Pages of the experts on contract (包干制): service firms, engineers, assignments, and the
engineer of one unit with its history. Thin: parse → select → service → render."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.accounts.models import User
from anjian.core.exceptions import ActionNotPermitted, DomainError
from anjian.core.export import Column
from anjian.core.filters import ModelChoiceFilter
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedDetailView, ScopedListView, scoped
from anjian.regions.models import Region
from anjian.units import experts
from anjian.units.experts import MANAGE_EXPERTS, REQUEST_CHANGE, VIEW_EXPERTS
from anjian.units.models import AssignmentStatus, Category, Engineer, ExpertAssignment, ServiceFirm
from anjian.units.services import categories_for

# --- Forms (input only: services write) -------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


class ServiceErrorsMixin:
    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                for message in errors:
                    self.add_error(field if field in self.fields else None, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class FirmForm(ServiceErrorsMixin, forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("Town"), queryset=Region.objects.none())
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    credit_code = forms.CharField(
        label=gettext_lazy("Unified social credit code"), max_length=30, required=False
    )
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    contract_from = forms.DateField(
        label=gettext_lazy("Contract from"), required=False, widget=DateInput
    )
    contract_to = forms.DateField(
        label=gettext_lazy("Contract to"), required=False, widget=DateInput
    )

    def __init__(self, user, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = experts.towns_for(user)
        if editing:
            del self.fields["region"]


class EngineerForm(ServiceErrorsMixin, forms.Form):
    firm = forms.ModelChoiceField(label=gettext_lazy("Firm"), queryset=ServiceFirm.objects.none())
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    mobile = forms.CharField(label=gettext_lazy("Mobile number"), max_length=20, required=False)
    certificate_no = forms.CharField(
        label=gettext_lazy("Certificate number"), max_length=60, required=False
    )
    specialities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Specialities"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    user = forms.ModelChoiceField(
        label=gettext_lazy("User account (role: contracted expert)"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "The account's expert role then covers exactly the units assigned to this engineer."
        ),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, user, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = experts.firm_list_for(user, action=MANAGE_EXPERTS)
        self.fields["specialities"].queryset = categories_for(user).filter(is_active=True)
        self.fields["user"].queryset = User.objects.for_action(
            user, "accounts.manage_users"
        ).order_by("name")
        if editing:
            del self.fields["firm"]


class AssignForm(ServiceErrorsMixin, forms.Form):
    engineer = forms.ModelChoiceField(
        label=gettext_lazy("Engineer"), queryset=Engineer.objects.none()
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required for a change of engineer."),
    )

    def __init__(self, unit, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = experts.engineers_for_unit(unit)
        self.fields["engineer"].label_from_instance = lambda e: f"{e.name}（{e.firm.name}）"


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Service firms -----------------------------------------------------------------------------------


class FirmFilterSet(django_filters.FilterSet):
    region = ModelChoiceFilter(
        label=gettext_lazy("Town"),
        queryset=lambda request: experts.towns_for(request.user, action=VIEW_EXPERTS),
    )

    class Meta:
        model = ServiceFirm
        fields: list[str] = []


class FirmListView(ScopedListView):
    model = ServiceFirm
    action = VIEW_EXPERTS
    template_name = "units/expert_firm_list.html"
    filterset_class = FirmFilterSet
    search_fields = ("name", "credit_code", "contact_name", "contact_phone")
    export_title = gettext_lazy("Service firms")
    export_columns = (
        Column(gettext_lazy("Name"), lambda f: f.name, 32),
        Column(gettext_lazy("Unified social credit code"), lambda f: f.credit_code, 22),
        Column(gettext_lazy("Town"), lambda f: f.region.name, 12),
        Column(gettext_lazy("Contact"), lambda f: f.contact_name, 12),
        Column(gettext_lazy("Phone"), lambda f: f.contact_phone, 14),
        Column(gettext_lazy("Contract from"), lambda f: f.contract_from, 12),
        Column(gettext_lazy("Contract to"), lambda f: f.contract_to, 12),
        Column(gettext_lazy("Engineers"), lambda f: f.engineer_count, 8),
        Column(gettext_lazy("Units in charge"), lambda f: f.unit_count, 8),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("region")
            .annotate(
                engineer_count=Count("engineers", distinct=True),
                unit_count=Count(
                    "engineers__assignments",
                    filter=Q(engineers__assignments__status=AssignmentStatus.ACTIVE),
                    distinct=True,
                ),
            )
            .order_by("name", "pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = get_scope(self.request.user).can(MANAGE_EXPERTS)
        return ctx


class FirmDetailView(ScopedDetailView):
    model = ServiceFirm
    action = VIEW_EXPERTS
    template_name = "units/expert_firm_detail.html"
    context_object_name = "firm"

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["engineers"] = (
            experts.engineer_list_for(user)
            .filter(firm=self.object)
            .annotate(unit_count=Count("assignments", filter=Q(assignments__status="active")))
        )
        ctx["can_manage"] = (
            experts.firm_list_for(user, action=MANAGE_EXPERTS).filter(pk=self.object.pk).exists()
        )
        return ctx


@scoped(MANAGE_EXPERTS)
def firm_create(request: HttpRequest) -> HttpResponse:
    form = FirmForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            firm = experts.firm_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("The service firm %(name)s was registered.") % {"name": firm.name}
            )
            return redirect("units:firm_detail", pk=firm.pk)
    return render(request, "units/expert_firm_form.html", {"form": form, "firm": None})


@scoped(MANAGE_EXPERTS)
def firm_edit(request: HttpRequest, pk: int) -> HttpResponse:
    firm = experts.firm_get_for(request.user, pk, action=MANAGE_EXPERTS)
    initial = {f: getattr(firm, f) for f in experts.FIRM_FIELDS if f != "region"}
    form = FirmForm(request.user, request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            experts.firm_update(actor=request.user, firm_id=firm.pk, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The service firm was saved."))
            return redirect("units:firm_detail", pk=firm.pk)
    return render(request, "units/expert_firm_form.html", {"form": form, "firm": firm})


# --- Engineers ------------------------------------------------------------------------------------


class EngineerFilterSet(django_filters.FilterSet):
    firm = ModelChoiceFilter(
        label=gettext_lazy("Firm"), queryset=lambda request: experts.firm_list_for(request.user)
    )
    speciality = ModelChoiceFilter(
        label=gettext_lazy("Speciality"),
        field_name="specialities",
        queryset=Category.objects.filter(is_active=True),
    )
    is_active = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=(("1", gettext_lazy("Active")), ("0", gettext_lazy("Inactive"))),
        method="filter_active",
    )

    class Meta:
        model = Engineer
        fields: list[str] = []

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")


class EngineerListView(ScopedListView):
    model = Engineer
    action = VIEW_EXPERTS
    template_name = "units/expert_engineer_list.html"
    filterset_class = EngineerFilterSet
    search_fields = ("name", "mobile", "certificate_no", "firm__name")
    export_title = gettext_lazy("Engineers")
    export_columns = (
        Column(gettext_lazy("Name"), lambda e: e.name, 12),
        Column(gettext_lazy("Firm"), lambda e: e.firm.name, 30),
        Column(gettext_lazy("Mobile number"), lambda e: e.mobile, 14),
        Column(gettext_lazy("Certificate number"), lambda e: e.certificate_no, 20),
        Column(
            gettext_lazy("Specialities"),
            lambda e: "、".join(c.name for c in e.specialities.all()),
            30,
        ),
        Column(gettext_lazy("Units in charge"), lambda e: e.unit_count, 8),
        Column(gettext_lazy("Status"), lambda e: _("Active") if e.is_active else _("Inactive"), 8),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("firm__region", "user")
            .prefetch_related("specialities")
            .annotate(unit_count=Count("assignments", filter=Q(assignments__status="active")))
            .order_by("firm__name", "name", "pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = get_scope(self.request.user).can(MANAGE_EXPERTS)
        return ctx


class EngineerDetailView(ScopedDetailView):
    model = Engineer
    action = VIEW_EXPERTS
    template_name = "units/expert_engineer_detail.html"
    context_object_name = "engineer"

    def get_queryset(self):
        return super().get_queryset().select_related("firm__region", "user")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["assignments"] = experts.assignment_list_for(user).filter(engineer=self.object)
        ctx["can_manage"] = (
            experts.engineer_list_for(user, action=MANAGE_EXPERTS)
            .filter(pk=self.object.pk)
            .exists()
        )
        return ctx


@scoped(MANAGE_EXPERTS)
def engineer_create(request: HttpRequest) -> HttpResponse:
    initial = {"firm": request.GET.get("firm"), "is_active": True}
    form = EngineerForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            engineer = experts.engineer_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("The engineer %(name)s was added.") % {"name": engineer.name}
            )
            return redirect("units:engineer_detail", pk=engineer.pk)
    return render(request, "units/expert_engineer_form.html", {"form": form, "engineer": None})


@scoped(MANAGE_EXPERTS)
def engineer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    engineer = experts.engineer_get_for(request.user, pk, action=MANAGE_EXPERTS)
    initial = {f: getattr(engineer, f) for f in experts.ENGINEER_FIELDS if f != "firm"}
    initial["specialities"] = list(engineer.specialities.all())
    form = EngineerForm(request.user, request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            experts.engineer_update(
                actor=request.user, engineer_id=engineer.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The engineer was saved."))
            return redirect("units:engineer_detail", pk=engineer.pk)
    return render(request, "units/expert_engineer_form.html", {"form": form, "engineer": engineer})


# --- Assignments ----------------------------------------------------------------------------------


class AssignmentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=AssignmentStatus.choices
    )

    class Meta:
        model = ExpertAssignment
        fields: list[str] = []


class AssignmentListView(ScopedListView):
    """Assignments and change requests of the units the user may see (the office's queue)."""

    model = ExpertAssignment
    action = "units.view"
    template_name = "units/expert_assignment_list.html"
    filterset_class = AssignmentFilterSet
    search_fields = ("unit__name", "engineer__name", "engineer__firm__name", "reason")
    export_title = gettext_lazy("Expert assignments")
    export_columns = (
        Column(gettext_lazy("Unit"), lambda a: a.unit.name, 32),
        Column(gettext_lazy("Engineer"), lambda a: a.engineer.name, 12),
        Column(gettext_lazy("Firm"), lambda a: a.engineer.firm.name, 28),
        Column(gettext_lazy("Status"), lambda a: a.get_status_display(), 12),
        Column(gettext_lazy("From"), lambda a: a.starts_on, 12),
        Column(gettext_lazy("Until"), lambda a: a.ends_on, 12),
        Column(gettext_lazy("Reason"), lambda a: a.reason, 30),
        Column(gettext_lazy("Requested by"), lambda a: str(a.requested_by or ""), 12),
        Column(gettext_lazy("Decided by"), lambda a: str(a.decided_by or ""), 12),
        Column(gettext_lazy("Decision note"), lambda a: a.decision_note, 30),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit", "engineer__firm", "requested_by", "decided_by")
            .order_by("-created_at", "-pk")
        )


def _unit_page(request: HttpRequest, unit, *, form=None, status: int = 200) -> HttpResponse:
    tab = experts.unit_experts_tab(request.user, unit)
    tab["form"] = form or AssignForm(unit)
    tab["decision_form"] = DecisionForm()
    return render(request, "units/expert_unit.html", {"unit": unit, "tab": tab}, status=status)


@scoped("units.view")
def unit_experts(request: HttpRequest, pk: int) -> HttpResponse:
    """The engineer of one unit, the pending change and the whole history."""
    return _unit_page(request, experts.unit_get_for(request.user, pk))


@scoped(REQUEST_CHANGE)
@require_POST
def unit_expert_assign(request: HttpRequest, pk: int) -> HttpResponse:
    unit = experts.unit_get_for(request.user, pk, action=REQUEST_CHANGE)
    form = AssignForm(unit, request.POST)
    if form.is_valid():
        try:
            assignment = experts.expert_assign(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if assignment.status == AssignmentStatus.ACTIVE:
                messages.success(
                    request,
                    _("%(name)s is now the unit's engineer.") % {"name": assignment.engineer.name},
                )
            else:
                messages.success(request, _("The change was sent to the town office for approval."))
            return redirect("units:unit_experts", pk=unit.pk)
    return _unit_page(request, unit, form=form, status=400)


def _decide(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    assignment = experts.assignment_get_for(request.user, pk, action=MANAGE_EXPERTS)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if approve:
            experts.expert_assignment_approve(actor=request.user, assignment_id=pk, note=note)
            messages.success(request, _("The change was approved."))
        else:
            experts.expert_assignment_reject(actor=request.user, assignment_id=pk, note=note)
            messages.success(request, _("The change was rejected."))
    except ActionNotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("units:unit_experts", pk=assignment.unit_id)


@scoped(MANAGE_EXPERTS)
@require_POST
def assignment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@scoped(MANAGE_EXPERTS)
@require_POST
def assignment_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)


urlpatterns = [
    path("experts/firms/", FirmListView.as_view(), name="firm_list"),
    path("experts/firms/new/", firm_create, name="firm_create"),
    path("experts/firms/<int:pk>/", FirmDetailView.as_view(), name="firm_detail"),
    path("experts/firms/<int:pk>/edit/", firm_edit, name="firm_edit"),
    path("experts/engineers/", EngineerListView.as_view(), name="engineer_list"),
    path("experts/engineers/new/", engineer_create, name="engineer_create"),
    path("experts/engineers/<int:pk>/", EngineerDetailView.as_view(), name="engineer_detail"),
    path("experts/engineers/<int:pk>/edit/", engineer_edit, name="engineer_edit"),
    path("experts/assignments/", AssignmentListView.as_view(), name="expert_assignment_list"),
    path(
        "experts/assignments/<int:pk>/approve/",
        assignment_approve,
        name="expert_assignment_approve",
    ),
    path(
        "experts/assignments/<int:pk>/reject/", assignment_reject, name="expert_assignment_reject"
    ),
    path("<int:pk>/experts/", unit_experts, name="unit_experts"),
    path("<int:pk>/experts/assign/", unit_expert_assign, name="unit_expert_assign"),
]
