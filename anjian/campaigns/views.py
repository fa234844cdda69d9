"""Pages of campaigns (专项整治) and joint enforcement (联合执法): the scoped list (search, filters,
Excel), creating and correcting a campaign, its page with the tally, inspections and participants,
and the POST actions behind its buttons (each one a service call)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.campaigns import services
from anjian.campaigns.choices import CampaignKind, CampaignStatus, Department
from anjian.campaigns.forms import CampaignForm, LinkForm, ParticipantForm, StartForm
from anjian.campaigns.models import Campaign
from anjian.campaigns.selectors import (
    CampaignFilterSet,
    annotate_counts,
    campaign_inspections,
    campaign_tally,
)
from anjian.core.choices import choice_label
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.export import Column, workbook_bytes, xlsx_response
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedDetailView, ScopedListView, scoped
from anjian.inspections.services import town_officers
from anjian.units.models import Unit

VIEW, MANAGE, TAKE_PART = services.VIEW, services.MANAGE, services.TAKE_PART


def _departments(campaign: Campaign) -> str:
    joined = [choice_label(Department, d.department) for d in campaign.joining_departments.all()]
    return "、".join(joined)


class CampaignListView(ScopedListView):
    model = Campaign
    action = VIEW
    template_name = "campaigns/campaign_list.html"
    context_object_name = "campaigns"
    filterset_class = CampaignFilterSet
    search_fields = ("name", "description")
    export_title = gettext_lazy("Campaigns and joint enforcement")
    export_columns = (
        Column(gettext_lazy("name of the campaign"), lambda c: c.name, 36),
        Column(gettext_lazy("kind of campaign"), lambda c: choice_label(CampaignKind, c.kind), 20),
        Column(gettext_lazy("town"), lambda c: c.region.name, 14),
        Column(gettext_lazy("starts on"), lambda c: c.start_date, 12),
        Column(gettext_lazy("ends on"), lambda c: c.end_date, 12),
        Column(gettext_lazy("status"), lambda c: choice_label(CampaignStatus, c.status), 10),
        Column(
            gettext_lazy("lead department"),
            lambda c: choice_label(Department, c.lead_department),
            24,
        ),
        Column(gettext_lazy("joining departments"), _departments, 40),
        Column(
            gettext_lazy("categories of units covered"),
            lambda c: "、".join(c.category_labels()),
            40,
        ),
        Column(gettext_lazy("inspections"), lambda c: c.inspection_count or 0, 10),
        Column(gettext_lazy("department officers"), lambda c: c.participant_count, 10),
    )

    def get_queryset(self):
        qs = super().get_queryset().with_status().select_related("region")
        return (
            annotate_counts(qs)
            .prefetch_related("joining_departments")
            .order_by("-start_date", "-pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = get_scope(self.request.user).can(MANAGE)
        return ctx


def _form_errors(request: HttpRequest, exc: ValidationError, form=None) -> None:
    if form is not None and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
        return
    for message in exc.messages:
        messages.error(request, message)


@scoped(MANAGE)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("expected_version", None)
        region = data.pop("region")
        try:
            campaign = services.campaign_create(actor=request.user, region_id=region.pk, **data)
        except ValidationError as exc:
            _form_errors(request, exc, form)
        else:
            messages.success(request, _("The campaign was created."))
            return redirect("campaigns:campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@scoped(MANAGE)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = services.campaign_get_for(request.user, pk, action=MANAGE)
    form = CampaignForm(request.POST or None, user=request.user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("expected_version") or 0
        try:
            services.campaign_update(
                actor=request.user, campaign_id=campaign.pk, expected_version=expected, **data
            )
        except ValidationError as exc:
            _form_errors(request, exc, form)
        except (StaleObject, InvalidTransition) as exc:
            messages.error(request, exc.message)
            return redirect("campaigns:campaign_detail", pk=campaign.pk)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("campaigns:campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


class CampaignDetailView(ScopedDetailView):
    model = Campaign
    action = VIEW
    template_name = "campaigns/campaign_detail.html"
    context_object_name = "campaign"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "closed_by", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign: Campaign = self.object
        user = self.request.user
        actions = services.allowed_actions(user, campaign)
        participants = list(campaign.participants.select_related("user").order_by("department"))
        departments = [campaign.lead_department] + [
            d.department for d in campaign.joining_departments.all()
        ]
        ctx.update(
            {
                "actions": actions,
                "tally": campaign_tally(campaign),
                "links": list(campaign_inspections(campaign)),
                "participants": participants,
                "departments": [choice_label(Department, d) for d in departments[1:]],
                "can_open_inspections": get_scope(user).can("inspections.view"),
                "close_fields": {"expected_version": campaign.version},
            }
        )
        if "manage_participants" in actions:
            joined = {p.user_id for p in participants}
            officers = [u for u in services.department_officers_for(campaign) if u.pk not in joined]
            ctx["participant_form"] = ParticipantForm(officers=officers, departments=departments)
        if "link_inspections" in actions:
            candidates = services.inspection_candidates(user, campaign).select_related("unit")
            ctx["link_form"] = LinkForm(
                candidates=list(candidates[:200]), categories=campaign.categories
            )
        return ctx


def _back(campaign_pk: int) -> HttpResponse:
    return redirect("campaigns:campaign_detail", pk=campaign_pk)


def _run(request: HttpRequest, pk: int, call, success: str) -> HttpResponse:
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (StaleObject, InvalidTransition) as exc:
        messages.error(request, exc.message)
    except ActionNotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    else:
        messages.success(request, success)
    return _back(pk)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@scoped(MANAGE)
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    services.campaign_get_for(request.user, pk, action=MANAGE)
    return _run(
        request,
        pk,
        lambda: services.campaign_close(
            actor=request.user,
            campaign_id=pk,
            expected_version=_int(request.POST.get("expected_version")),
            reason=request.POST.get("reason", ""),
        ),
        _("The campaign was closed; its tally is final."),
    )


@scoped(MANAGE)
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    services.campaign_get_for(request.user, pk, action=MANAGE)
    return _run(
        request,
        pk,
        lambda: services.participant_add(
            actor=request.user,
            campaign_id=pk,
            user_id=_int(request.POST.get("user")),
            department=request.POST.get("department", ""),
        ),
        _("The department officer joined the campaign."),
    )


@scoped(MANAGE)
@require_POST
def participant_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.campaign_get_for(request.user, pk, action=MANAGE)
    return _run(
        request,
        pk,
        lambda: services.participant_remove(
            actor=request.user, campaign_id=pk, user_id=_int(request.POST.get("user"))
        ),
        _("The department officer left the campaign."),
    )


@scoped(TAKE_PART)
@require_POST
def inspection_link(request: HttpRequest, pk: int) -> HttpResponse:
    services.campaign_get_for(request.user, pk, action=TAKE_PART)
    return _run(
        request,
        pk,
        lambda: services.inspection_link(
            actor=request.user,
            campaign_id=pk,
            inspection_id=_int(request.POST.get("inspection")),
            category=request.POST.get("category") or None,
        ),
        _("The inspection now counts in the campaign."),
    )


@scoped(TAKE_PART)
@require_POST
def inspection_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    services.campaign_get_for(request.user, pk, action=TAKE_PART)
    return _run(
        request,
        pk,
        lambda: services.inspection_unlink(
            actor=request.user,
            campaign_id=pk,
            inspection_id=_int(request.POST.get("inspection")),
        ),
        _("The inspection no longer counts in the campaign."),
    )


@scoped(TAKE_PART)
def inspection_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a unit of the town and a checklist; a joint-enforcement inspection starts, linked."""
    from anjian.inspections.services import checklists_for

    campaign = services.campaign_get_for(request.user, pk, action=TAKE_PART)
    if "start_inspection" not in services.allowed_actions(request.user, campaign):
        messages.error(request, _("No inspection can be started in this campaign now."))
        return _back(pk)
    units = (
        Unit.objects.for_action(request.user, services.INSPECT)
        .filter(region__path__startswith=campaign.region.path)
        .order_by("name")
        .only("pk", "name")
    )
    checklists = checklists_for(request.user).select_related("template").order_by("template__name")
    form = StartForm(
        request.POST or None,
        units=units,
        checklists=checklists,
        categories=campaign.categories,
        people=[request.user, *town_officers(campaign.region.path, request.user)],
        lead=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.campaign_inspection_start(
                actor=request.user,
                campaign_id=campaign.pk,
                unit_id=int(data["unit"]),
                checklist_id=int(data["checklist"]),
                category=data["category"] or None,
                client_key=str(data["client_key"]),
                place=data["place"],
                officers=form.chosen_officers() or (),
            )
        except ValidationError as exc:
            _form_errors(request, exc, form)
        except (InvalidTransition, ActionNotPermitted) as exc:
            messages.error(request, exc.message)
            return _back(pk)
        else:
            return redirect("inspections:inspection_inspect", pk=link.inspection_id)
    return render(request, "campaigns/inspection_start.html", {"campaign": campaign, "form": form})


@scoped(VIEW)
def campaign_tally_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The tally per category as an Excel sheet."""
    from anjian.audit.services import audit_record

    campaign = services.campaign_get_for(request.user, pk, action=VIEW)
    tally = campaign_tally(campaign)
    columns = (
        Column(_("category of units"), lambda r: r.label, 30),
        Column(_("units checked"), lambda r: r.units, 12),
        Column(_("inspection visits"), lambda r: r.visits, 12),
        Column(_("hazards found"), lambda r: r.hazards_found, 12),
        Column(_("hazards rectified"), lambda r: r.hazards_rectified, 12),
    )
    content = workbook_bytes(_("Campaign tally"), columns, [*tally.rows, tally.total])
    audit_record(
        actor=request.user,
        action="export.downloaded",
        obj=campaign,
        changes={"export": "campaign_tally"},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(f"{campaign.name}-{stamp}.xlsx", content)
