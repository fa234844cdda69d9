"""Pages of the enforcement cases (立案查处), mounted at /cases/ (namespace ``cases``): the scoped
list (filters, search, Excel), a case with its timeline, documents, payments and the actions its
stage allows, the forms of each action, opening a case (from a unit, an inspection or a hazard),
and the table of legal provisions.

For the inspection and hazard pages (the buttons that open a case there)::

    {% if can_open_case %}<a class="btn btn-outline-danger" href="{% url 'cases:case_open_inspection' inspection.pk %}">{% translate "Open a case" %}</a>{% endif %}
    {% if can_open_case %}<a class="btn btn-outline-danger" href="{% url 'cases:case_open_hazard' hazard.pk %}">{% translate "Open a case" %}</a>{% endif %}
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.conf import settings as filter_settings

from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.export import Column
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedDetailView, ScopedListView, scoped
from anjian.enforcement import case_services as services
from anjian.enforcement.case_choices import CaseStage, ProvisionKind
from anjian.enforcement.case_forms import CaseActionForm, CaseOpenForm, PaymentForm, ProvisionForm
from anjian.enforcement.case_services import MANAGE_PROVISIONS, VIEW_PROVISIONS
from anjian.enforcement.case_workflow import HANDLE, TRANSITIONS, VIEW
from anjian.enforcement.models import Case, LegalProvision


def _years():
    this = timezone.localdate().year
    years = [(y, str(y)) for y in range(this, this - 10, -1)]
    return [("", filter_settings.EMPTY_CHOICE_LABEL), *years]  # 全部 / All, as every filter


class CaseFilterSet(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(label=gettext_lazy("stage"), choices=CaseStage.choices)
    year = django_filters.TypedChoiceFilter(
        label=gettext_lazy("year"), choices=_years, coerce=int, field_name="created_at__year"
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("overdue"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )
    transferred = django_filters.BooleanFilter(
        label=gettext_lazy("transferred"),
        method="filter_transferred",
        widget=django_filters.widgets.BooleanWidget,
    )

    # Day ranges [from, before) of the stage dates: the statistics' case figures link here.
    opened_from = django_filters.DateFilter(
        label=gettext_lazy("opened from"), field_name="opened_on", lookup_expr="gte"
    )
    opened_before = django_filters.DateFilter(
        label=gettext_lazy("opened before"), field_name="opened_on", lookup_expr="lt"
    )
    decided_from = django_filters.DateFilter(
        label=gettext_lazy("decided from"), field_name="decided_on", lookup_expr="gte"
    )
    decided_before = django_filters.DateFilter(
        label=gettext_lazy("decided before"), field_name="decided_on", lookup_expr="lt"
    )
    closed_from = django_filters.DateFilter(
        label=gettext_lazy("closed from"), field_name="closed_on", lookup_expr="gte"
    )
    closed_before = django_filters.DateFilter(
        label=gettext_lazy("closed before"), field_name="closed_on", lookup_expr="lt"
    )
    transferred_from = django_filters.DateFilter(
        label=gettext_lazy("transferred from"), field_name="transferred_on", lookup_expr="gte"
    )
    transferred_before = django_filters.DateFilter(
        label=gettext_lazy("transferred before"), field_name="transferred_on", lookup_expr="lt"
    )

    class Meta:
        model = Case
        fields = ["stage", "year", "overdue", "transferred"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = services.overdue_filter(qs)
        return late if value else qs.exclude(pk__in=late.values("pk"))

    def filter_transferred(self, qs, name, value):
        if value is None:
            return qs
        if value:
            return qs.filter(stage=CaseStage.TRANSFERRED)
        return qs.exclude(stage=CaseStage.TRANSFERRED)


class CaseListView(ScopedListView):
    model = Case
    action = VIEW
    template_name = "enforcement/case_list.html"
    context_object_name = "cases"
    filterset_class = CaseFilterSet
    search_fields = ("number", "party_name", "unit__name", "cause")
    export_title = gettext_lazy("Enforcement cases")
    export_columns = (
        Column(gettext_lazy("case number"), lambda c: c.number, 26),
        Column(gettext_lazy("party"), lambda c: c.party_name, 30),
        Column(gettext_lazy("unit"), lambda c: c.unit.name, 30),
        Column(gettext_lazy("cause of action (案由)"), lambda c: c.cause, 30),
        Column(gettext_lazy("penalty basis"), lambda c: str(c.provision), 30),
        Column(gettext_lazy("stage"), lambda c: c.get_stage_display(), 16),
        Column(gettext_lazy("opened on"), lambda c: c.opened_on, 12),
        Column(gettext_lazy("decision due"), lambda c: c.decision_due, 12),
        Column(gettext_lazy("decided fine (yuan)"), lambda c: c.decided_fine, 14),
        Column(gettext_lazy("payment due"), lambda c: c.payment_due, 12),
        Column(gettext_lazy("transferred to"), lambda c: c.transferred_to, 20),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "provision")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for case in ctx["cases"]:
            case.overdue = services.overdue_reason(case, today)
        ctx["can_open"] = get_scope(self.request.user).can(HANDLE)
        return ctx


def _event_label(action: str) -> str:
    if action in TRANSITIONS:
        return str(TRANSITIONS[action].label)
    return {"open": _("Proposed the case"), "payment": _("Payment recorded")}.get(action, action)


class CaseDetailView(ScopedDetailView):
    model = Case
    action = VIEW
    template_name = "enforcement/case_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "provision", "town", "inspection")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case = self.object
        user = self.request.user
        events = list(case.events.select_related("actor"))
        for event in events:
            event.label = _event_label(event.action)
            if event.to_stage and event.to_stage != event.from_stage:
                event.stage_label = CaseStage(event.to_stage).label
        ctx.update(
            actions=services.case_actions_for(user, case),
            events=events,
            documents=case.documents.order_by("issued_at", "pk"),
            payments=case.payments.all(),
            figures=services.case_money(case),
            overdue=services.overdue_reason(case),
            can_pay=case.stage == CaseStage.DECIDED and services.may(user, HANDLE, case),
            officers=case.officers.all(),
            hazards=case.hazards.all(),
        )
        return ctx


# --- Opening ------------------------------------------------------------------------------------


def _certified_staff(town):
    from anjian.accounts.models import User
    from anjian.enforcement.documents import certified_officers

    people = (
        User.objects.filter(
            is_active=True,
            role_assignments__is_active=True,
            role_assignments__region__path__startswith=town.path,
            enforcement_certificate__isnull=False,
        )
        .distinct()
        .order_by("pk")
    )
    return [p for p, _n in certified_officers(people)]


def _open(request: HttpRequest, *, unit=None, inspection=None, hazard=None) -> HttpResponse:
    from anjian.hazards.models import Hazard
    from anjian.units.models import Unit

    user = request.user
    units = Unit.objects.for_action(user, HANDLE).select_related("region").order_by("name")
    if unit is None and request.method == "POST":
        unit = units.filter(pk=request.POST.get("unit_id") or 0).first()
    if unit is None and request.GET.get("unit"):
        unit = units.filter(pk=request.GET["unit"]).first()
    chosen = [unit] if unit is not None else list(units[:500])
    town = unit.region.parent if unit is not None else None
    officers = _certified_staff(town) if town else []
    hazards = (
        Hazard.objects.for_action(user, HANDLE).filter(unit=unit).order_by("-pk")[:100]
        if unit is not None
        else []
    )
    initial = {"officer_ids": [user.pk]}
    if unit is not None:
        initial["unit_id"] = unit.pk
    if inspection is not None:
        initial["officer_ids"] = [user.pk, *inspection.officers.values_list("pk", flat=True)]
        initial["facts"] = inspection.summary
    if hazard is not None:
        initial["hazard_ids"] = [hazard.pk]
        initial["facts"] = hazard.description
        initial["cause"] = _("Failed to remove a hazard")
    form = CaseOpenForm(
        request.POST or None, initial=initial, units=chosen, officers=officers, hazards=hazards
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=user,
                unit_id=data["unit_id"],
                cause=data["cause"],
                facts=data["facts"],
                provision_id=data["provision_id"],
                party_type=data["party_type"],
                party_name=data["party_name"],
                inspection_id=inspection.pk if inspection else None,
                hazard_ids=data["hazard_ids"],
                officer_ids=data["officer_ids"],
                proposed_fine=data["proposed_fine"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The case was proposed; it awaits the approval to open."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "enforcement/case_open.html",
        {"form": form, "unit": unit, "inspection": inspection, "hazard": hazard},
    )


@scoped(HANDLE)
def case_open(request: HttpRequest) -> HttpResponse:
    return _open(request)


@scoped(HANDLE)
def case_open_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    from anjian.inspections.models import Inspection

    inspection = (
        Inspection.objects.for_action(request.user, HANDLE)
        .select_related("unit__region")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404
    return _open(request, unit=inspection.unit, inspection=inspection)


@scoped(HANDLE)
def case_open_hazard(request: HttpRequest, pk: int) -> HttpResponse:
    from anjian.hazards.models import Hazard

    hazard = (
        Hazard.objects.for_action(request.user, HANDLE)
        .select_related("unit__region")
        .filter(pk=pk)
        .first()
    )
    if hazard is None:
        raise Http404
    return _open(request, unit=hazard.unit, hazard=hazard)


# --- Actions and payments -----------------------------------------------------------------------


@scoped(VIEW)
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    """The form of one action (``?action=notify``), posted with the version the page showed."""
    case = services.case_get_for(request.user, pk)
    name = request.POST.get("action") or request.GET.get("action") or ""
    t = TRANSITIONS.get(name)
    if t is None:
        messages.error(request, _("Unknown action."))
        return redirect("cases:case_detail", pk=case.pk)
    if not services.may(request.user, t.permission, case):
        raise PermissionDenied
    form = CaseActionForm(
        request.POST or None,
        transition=t,
        initial={
            "expected_version": case.version,
            "proposed_fine": case.proposed_fine,
            "decided_fine": case.proposed_fine,
            "served_on": timezone.localdate(),
        },
    )
    offer_transfer = False
    preview = None
    confirmed = not t.document or request.POST.get("confirmed") == "1"
    if request.method == "POST" and form.is_valid() and not confirmed:
        # A move that takes a document number shows the document first (nothing written).
        data = dict(form.cleaned_data)
        data.pop("expected_version", None)
        try:
            preview = services.case_act_preview(
                actor=request.user,
                case_id=case.pk,
                action=t.action,
                note=data.pop("note", ""),
                data={k: v for k, v in data.items() if v not in (None, "")},
            )
        except ActionNotPermitted as exc:
            raise PermissionDenied from exc
        except InvalidTransition as exc:
            messages.error(request, exc.message)
            return redirect("cases:case_detail", pk=case.pk)
        except ValidationError as exc:
            offer_transfer = getattr(exc, "transfer_offered", False)
            form.add_service_errors(exc)
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.case_act(
                actor=request.user,
                case_id=case.pk,
                action=t.action,
                expected_version=data.pop("expected_version"),
                note=data.pop("note", ""),
                data={k: v for k, v in data.items() if v not in (None, "")},
            )
        except ActionNotPermitted as exc:
            raise PermissionDenied from exc
        except (StaleObject, InvalidTransition) as exc:
            messages.error(request, exc.message)
            return redirect("cases:case_detail", pk=case.pk)
        except ValidationError as exc:
            offer_transfer = getattr(exc, "transfer_offered", False)
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": t.label})
            return redirect("cases:case_detail", pk=case.pk)
    can_transfer = offer_transfer and services.may(
        request.user, TRANSITIONS["transfer"].permission, case
    )
    return render(
        request,
        "enforcement/case_action.html",
        {
            "form": form,
            "case": case,
            "transition": t,
            "offer_transfer": can_transfer,
            "preview": preview,
        },
    )


@scoped(HANDLE)
def case_payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = services.case_get_for(request.user, pk, action=HANDLE)
    form = PaymentForm(
        request.POST or None,
        initial={"expected_version": case.version, "paid_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_record(
                actor=request.user,
                case_id=case.pk,
                amount=data["amount"],
                paid_on=data["paid_on"],
                receipt_number=data["receipt_number"],
                expected_version=data["expected_version"],
            )
        except ActionNotPermitted as exc:
            raise PermissionDenied from exc
        except (StaleObject, InvalidTransition) as exc:
            messages.error(request, exc.message)
            return redirect("cases:case_detail", pk=case.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect(reverse("cases:case_detail", args=[case.pk]) + "#payments")
    return render(
        request,
        "enforcement/case_payment_form.html",
        {"form": form, "case": case, "figures": services.case_money(case)},
    )


# --- The table of provisions --------------------------------------------------------------------


class ProvisionListView(ScopedListView):
    model = LegalProvision
    action = VIEW_PROVISIONS
    template_name = "enforcement/case_provision_list.html"
    context_object_name = "provisions"
    paginate_by = 50
    search_fields = ("law", "article", "violation")
    export_title = gettext_lazy("Legal provisions")
    export_columns = (
        Column(gettext_lazy("law or regulation"), lambda p: p.law, 40),
        Column(gettext_lazy("article, paragraph, item"), lambda p: p.article, 24),
        Column(gettext_lazy("kind of provision"), lambda p: p.get_kind_display(), 18),
        Column(gettext_lazy("violation"), lambda p: p.violation, 50),
        Column(gettext_lazy("penalty"), lambda p: p.penalty_text, 60),
        Column(
            gettext_lazy("smallest fine for an organisation (yuan)"),
            lambda p: p.fine_min_organisation,
        ),
        Column(
            gettext_lazy("largest fine for an organisation (yuan)"),
            lambda p: p.fine_max_organisation,
        ),
        Column(
            gettext_lazy("smallest fine for an individual (yuan)"), lambda p: p.fine_min_individual
        ),
        Column(
            gettext_lazy("largest fine for an individual (yuan)"), lambda p: p.fine_max_individual
        ),
        Column(gettext_lazy("in use"), lambda p: p.is_active),
    )

    def get_queryset(self):
        qs = super().get_queryset().select_related("town")
        self.kind = self.request.GET.get("kind", "")
        if self.kind in ProvisionKind.values:
            qs = qs.filter(kind=self.kind)
        else:
            self.kind = ""
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = ProvisionKind.choices
        ctx["kind"] = self.kind
        ctx["can_manage"] = get_scope(self.request.user).can(MANAGE_PROVISIONS)
        ctx["editable_ids"] = (
            {
                p.pk
                for p in ctx["provisions"]
                if not services.provision_change_refusal(self.request.user, p)
            }
            if ctx["can_manage"]
            else set()
        )
        return ctx


def _provision_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("expected_version", None)
    return data


@scoped(MANAGE_PROVISIONS)
def provision_create(request: HttpRequest) -> HttpResponse:
    form = ProvisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.provision_create(actor=request.user, **_provision_fields(form))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The provision was saved."))
            return redirect("cases:provision_list")
    return render(request, "enforcement/case_provision_form.html", {"form": form})


@scoped(MANAGE_PROVISIONS)
def provision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    provision = (
        LegalProvision.objects.for_action(request.user, MANAGE_PROVISIONS).filter(pk=pk).first()
    )
    if provision is None:
        raise Http404
    if refusal := services.provision_change_refusal(request.user, provision):
        messages.error(request, refusal)  # a shared row is the district's, a town's its own
        return redirect("cases:provision_list")
    form = ProvisionForm(
        request.POST or None, instance=provision, initial={"expected_version": provision.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.provision_update(
                actor=request.user,
                provision_id=provision.pk,
                expected_version=form.cleaned_data.get("expected_version") or provision.version,
                **_provision_fields(form),
            )
        except StaleObject as exc:
            messages.error(request, exc.message)
            return redirect("cases:provision_edit", pk=provision.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The provision was saved."))
            return redirect("cases:provision_list")
    return render(
        request, "enforcement/case_provision_form.html", {"form": form, "provision": provision}
    )


urlpatterns = [
    path("", CaseListView.as_view(), name="case_list"),
    path("new/", case_open, name="case_open"),
    path("from-inspection/<int:pk>/", case_open_inspection, name="case_open_inspection"),
    path("from-hazard/<int:pk>/", case_open_hazard, name="case_open_hazard"),
    path("<int:pk>/", CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/act/", case_act, name="case_act"),
    path("<int:pk>/payments/new/", case_payment_add, name="case_payment_add"),
    path("provisions/", ProvisionListView.as_view(), name="provision_list"),
    path("provisions/new/", provision_create, name="provision_create"),
    path("provisions/<int:pk>/edit/", provision_edit, name="provision_edit"),
]
