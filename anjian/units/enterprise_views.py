"""Enterprise accounts (pages under /units/): the office invites a unit's people, they activate
(public page), the enterprise edits its own unit and proposes key changes, the office decides.

Also mounts the QR pages of ``public_views`` (sticker, sheet, settings) under /units/.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.core.exceptions import DomainError
from anjian.core.views import ScopedDetailView, ScopedListView, public, scoped
from anjian.units import enterprise
from anjian.units.enterprise import DECIDE, EDIT_OWN, INVITE
from anjian.units.enterprise_forms import (
    ActivationForm,
    DecisionForm,
    InvitationForm,
    OwnUnitForm,
    apply_errors,
)
from anjian.units.models import ChangeStatus, Invitation, Unit, UnitChangeRequest
from anjian.units.public_views import units_urlpatterns as qr_urlpatterns

# --- Invitations (the office) --------------------------------------------------------------------


def _with_status(invitations) -> list[Invitation]:
    now = timezone.now()
    rows = list(invitations)
    for row in rows:
        row.status = enterprise.invitation_status(row, now)
        row.status_label = enterprise.invitation_status_label(row.status)
    return rows


@scoped(INVITE)
def invitation_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's invitations, and the form to invite its principal or safety officer."""
    unit = enterprise.unit_for(request.user, pk, INVITE)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = enterprise.invitation_create(
                actor=request.user, unit_id=unit.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "units/invitation_created.html",
                {"unit": unit, "issued": issued, "days": enterprise.INVITATION_DAYS},
            )
    invitations = _with_status(enterprise.invitation_list_for(request.user, unit.pk))
    return render(
        request,
        "units/invitation_list.html",
        {"unit": unit, "form": form, "invitations": invitations},
    )


@scoped(INVITE)
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = Invitation.objects.for_action(request.user, INVITE).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    try:
        enterprise.invitation_revoke(
            actor=request.user, invitation_id=pk, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation has been revoked: its code no longer works."))
    return redirect("units:invitation_list", pk=invitation.unit_id)


# --- Activation (public) -------------------------------------------------------------------------


@public
def activate_view(request: HttpRequest) -> HttpResponse:
    """The invited person enters mobile number and code and sets a password."""
    initial = {"mobile": request.GET.get("mobile", ""), "code": request.GET.get("code", "")}
    form = ActivationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = enterprise.invitation_activate(
                mobile=data["mobile"], code=data["code"], password=data["password1"]
            )
        except enterprise.ActivationRefused as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "password" in exc.message_dict:
                form.add_error("password1", exc.message_dict.pop("password"))
                exc = ValidationError(exc.message_dict) if exc.message_dict else None
            if exc is not None:
                apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your account is ready. Log in with your mobile number %(mobile)s.")
                % {"mobile": user.mobile},
            )
            return redirect("accounts:login")
    return render(request, "units/activate.html", {"form": form})


# --- The enterprise's own unit -------------------------------------------------------------------


@scoped(EDIT_OWN)
def my_unit_view(request: HttpRequest) -> HttpResponse:
    """The enterprise's unit: straight to its edit page, or a choice when it has several."""
    units = list(enterprise.own_units_for(request.user)[:50])
    if len(units) == 1:
        return redirect("units:my_unit_edit", pk=units[0].pk)
    return render(request, "units/my_unit_list.html", {"units": units})


@scoped(EDIT_OWN)
def my_unit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = enterprise.unit_for(request.user, pk, EDIT_OWN)
    initial = enterprise.own_facts(unit) | {"expected_version": unit.version}
    form = OwnUnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("expected_version")
        try:
            result = enterprise.unit_own_update(
                actor=request.user, unit_id=unit.pk, expected_version=version, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if result.applied:
                messages.success(request, _("Your changes are saved."))
            if result.change_request is not None:
                messages.info(
                    request,
                    _(
                        "The change of key facts was sent to the town safety office; it applies "
                        "when the office confirms it."
                    ),
                )
            if not result.applied and result.change_request is None:
                messages.info(request, _("Nothing was changed."))
            return redirect("units:my_unit_edit", pk=unit.pk)
    requests = UnitChangeRequest.objects.for_action(request.user, EDIT_OWN).filter(unit=unit)[:20]
    return render(
        request,
        "units/my_unit_edit.html",
        {
            "unit": unit,
            "form": form,
            "ordinary_fields": [form[name] for name in OwnUnitForm.ORDINARY],
            "key_fields": [form[name] for name in OwnUnitForm.KEY],
            "change_requests": [_described(r) for r in requests],
            "pending": enterprise.pending_change_request(unit),
        },
    )


# --- Change requests (the office decides) ----------------------------------------------------------


def _described(change_request: UnitChangeRequest) -> UnitChangeRequest:
    """Attach ``rows``: (field label, old value, new value) for the template."""
    change_request.rows = [
        (Unit._meta.get_field(key).verbose_name, old, new)
        for key, (old, new) in change_request.changes.items()
    ]
    return change_request


class ChangeRequestListView(ScopedListView):
    model = UnitChangeRequest
    action = DECIDE
    template_name = "units/change_request_list.html"
    search_fields = ("unit__name",)

    def get_queryset(self):
        qs = super().get_queryset().select_related("unit__region", "requested_by", "decided_by")
        self.status = self.request.GET.get("status", ChangeStatus.PENDING)
        if self.status in ChangeStatus.values:
            qs = qs.filter(status=self.status)
        return qs.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = ChangeStatus.choices
        ctx["status"] = self.status
        for row in ctx["object_list"]:
            _described(row)
        return ctx


class ChangeRequestDetailView(ScopedDetailView):
    model = UnitChangeRequest
    action = DECIDE
    template_name = "units/change_request_detail.html"
    context_object_name = "change_request"

    def get_queryset(self):
        return super().get_queryset().select_related("unit__region", "requested_by", "decided_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        _described(self.object)
        ctx["form"] = kwargs.get("form") or DecisionForm()
        return ctx


def _decide_view(request: HttpRequest, pk: int, decide) -> HttpResponse:
    request_obj = enterprise.change_request_get_for(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decide(actor=request.user, request_id=request_obj.pk, note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("units:change_request_detail", pk=pk)
        else:
            messages.success(request, _("The decision is recorded and the enterprise informed."))
            return redirect(reverse("units:change_request_list"))
    _described(request_obj)
    return render(
        request,
        ChangeRequestDetailView.template_name,
        {"change_request": request_obj, "object": request_obj, "form": form},
    )


@scoped(DECIDE)
@require_POST
def change_request_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_view(request, pk, enterprise.change_request_approve)


@scoped(DECIDE)
@require_POST
def change_request_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_view(request, pk, enterprise.change_request_reject)


urlpatterns = [
    path("<int:pk>/invitations/", invitation_list_view, name="invitation_list"),
    path("invitations/<int:pk>/revoke/", invitation_revoke_view, name="invitation_revoke"),
    path("activate/", activate_view, name="activate"),
    path("mine/", my_unit_view, name="my_unit"),
    path("mine/<int:pk>/", my_unit_edit_view, name="my_unit_edit"),
    path("change-requests/", ChangeRequestListView.as_view(), name="change_request_list"),
    path(
        "change-requests/<int:pk>/",
        ChangeRequestDetailView.as_view(),
        name="change_request_detail",
    ),
    path(
        "change-requests/<int:pk>/approve/",
        change_request_approve_view,
        name="change_request_approve",
    ),
    path(
        "change-requests/<int:pk>/reject/",
        change_request_reject_view,
        name="change_request_reject",
    ),
    *qr_urlpatterns,
]
