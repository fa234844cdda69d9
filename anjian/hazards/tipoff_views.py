"""Pages of public tip-offs (举报).

Public (no log-in, mounted at /tip-off/, namespace ``tip_off``): the form, the receipt and the
follow-up by receipt code. Office (namespace ``hazards``): the list, one tip-off with its photos, and
the two triage actions (accept as a hazard, dismiss).

Thin: parse → ``anjian.hazards.tipoffs`` → render. Limits are the service's; over them, 429.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from anjian.core.exceptions import InvalidTransition, StaleObject
from anjian.core.export import Column
from anjian.core.views import ScopedDetailView, ScopedListView, public, scoped
from anjian.hazards import tipoffs
from anjian.hazards.choices import TipOffStatus
from anjian.hazards.models import TipOff, new_receipt_code
from anjian.hazards.photos import photo_file_response
from anjian.hazards.tipoff_forms import (
    AcceptForm,
    DismissForm,
    StatusLookupForm,
    TipOffFilterSet,
    TipOffForm,
)

logger = logging.getLogger("anjian.hazards.tipoffs")

TRIAGE = tipoffs.TRIAGE
SESSION_RECEIPT = "tip_off_receipt"


# --- The public form ---------------------------------------------------------------------------------


def _initial(request: HttpRequest) -> tuple[dict, object | None]:
    """``?town=<code>`` preselects the town; ``?unit=<qr_token>`` (from a unit's QR page) the unit
    and its town."""
    initial: dict = {}
    town_code = request.GET.get("town", "")
    if town_code and tipoffs.tipoff_towns().filter(code=town_code).exists():
        initial["town"] = town_code
    unit = tipoffs.tipoff_unit_by_token(request.GET.get("unit", ""))
    if unit is not None:
        initial["unit"] = unit.qr_token
        town = tipoffs.tipoff_unit_town(unit)
        if town is not None:
            initial["town"] = town.code
    return initial, unit


def _form_page(request, form, *, unit=None, error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "hazards/tipoff_form.html",
        {"form": form, "unit_name": unit.name if unit else "", "error": error},
        status=status,
    )


@public
@require_http_methods(["GET", "POST"])
def tipoff_form(request: HttpRequest) -> HttpResponse:
    """The public form: no log-in, phone first. CSRF stays on."""
    if request.method == "GET":
        initial, unit = _initial(request)
        return _form_page(request, TipOffForm(initial=initial), unit=unit)
    if tipoffs.request_too_large(request):
        form = TipOffForm(initial=_initial(request)[0])
        message = _("The photos together are larger than 25 MB: send smaller or fewer photos.")
        return _form_page(request, form, error=message, status=413)
    form = TipOffForm(request.POST, request.FILES)
    if form.is_robot():
        # Drop silently: the robot gets a receipt that leads nowhere and learns nothing.
        logger.info("tip-off honeypot filled; dropped")
        request.session[SESSION_RECEIPT] = new_receipt_code()
        return redirect("tip_off:sent")
    if form.is_valid():
        try:
            tipoff = tipoffs.tipoff_submit(
                **form.service_kwargs(), client_hash=tipoffs.client_hash_of(request)
            )
        except tipoffs.TipOffRateLimited as exc:
            return _form_page(request, form, unit=form.unit_obj, error=exc.message, status=429)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            request.session[SESSION_RECEIPT] = tipoff.receipt_code
            return redirect("tip_off:sent")
    return _form_page(request, form, unit=form.unit_obj, status=400)


@public
def tipoff_sent(request: HttpRequest) -> HttpResponse:
    """The receipt: the code to keep. Read from the session, so it is never in an address."""
    code = request.session.get(SESSION_RECEIPT)
    if not code:
        return redirect("tip_off:form")
    return render(request, "hazards/tipoff_sent.html", {"receipt_code": code})


@public
@require_http_methods(["GET", "POST"])
def tipoff_status_view(request: HttpRequest) -> HttpResponse:
    """Follow-up by receipt code (posted, so that the code stays out of addresses and logs)."""
    form = StatusLookupForm(request.POST or None)
    context: dict = {"form": form, "result": None, "not_found": False, "error": ""}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = tipoffs.tipoff_status(
                form.cleaned_data["code"], client_hash=tipoffs.client_hash_of(request)
            )
        except tipoffs.TipOffRateLimited as exc:
            context["error"], status = exc.message, 429
        else:
            if result is None:
                context["not_found"], status = True, 404
            context["result"] = result
    elif request.method == "POST":
        status = 400
    return render(request, "hazards/tipoff_status.html", context, status=status)


# --- The office ---------------------------------------------------------------------------------------


def _unit_name(tipoff: TipOff) -> str:
    return tipoff.unit.name if tipoff.unit_id else ""


def _hazard_code(tipoff: TipOff) -> str:
    hazard = getattr(tipoff, "hazard", None)
    return hazard.code if hazard is not None else ""


class TipOffListView(ScopedListView):
    """The town's tip-offs, newest first; filter by state and day; export to Excel."""

    model = TipOff
    action = TRIAGE
    template_name = "hazards/tipoff_list.html"
    context_object_name = "tipoffs"
    filterset_class = TipOffFilterSet
    search_fields = ("place", "description", "receipt_code", "unit__name", "contact_name")
    export_title = gettext_lazy("Public tip-offs")
    export_columns = (
        Column(gettext_lazy("Receipt code"), lambda t: t.receipt_code, 16),
        Column(gettext_lazy("Received at"), lambda t: t.created_at, 18),
        Column(gettext_lazy("Town"), lambda t: t.town.name, 12),
        Column(gettext_lazy("Unit"), _unit_name, 24),
        Column(gettext_lazy("Place"), lambda t: t.place, 24),
        Column(gettext_lazy("What was seen"), lambda t: t.description, 40),
        Column(gettext_lazy("Photos"), lambda t: t.photo_count, 8),
        Column(gettext_lazy("Reporter's name"), lambda t: t.contact_name, 10),
        Column(gettext_lazy("Reporter's mobile"), lambda t: t.contact_phone, 14),
        Column(gettext_lazy("Status"), lambda t: t.get_status_display(), 16),
        Column(gettext_lazy("Hazard"), _hazard_code, 16),
        Column(gettext_lazy("Reason for dismissal"), lambda t: t.dismiss_reason, 30),
        Column(gettext_lazy("Reply to the reporter"), lambda t: t.public_reply, 30),
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("town", "unit", "triaged_by", "hazard")
            .annotate(photo_count=Count("photos"))
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["new_count"] = (
            TipOff.objects.for_action(self.request.user, TRIAGE)
            .filter(status=TipOffStatus.NEW)
            .count()
        )
        return ctx


def _detail_context(request, tipoff: TipOff, *, accept_form=None, dismiss_form=None) -> dict:
    units = tipoffs.units_for_tipoff(request.user, tipoff)
    is_new = tipoff.status == TipOffStatus.NEW
    return {
        "tipoff": tipoff,
        "photos": list(tipoff.photos.order_by("pk")),
        "hazard": tipoffs.tipoff_hazard(tipoff),
        "can_triage": is_new,
        "accept_form": (accept_form or AcceptForm(tipoff=tipoff, units=units)) if is_new else None,
        "dismiss_form": (
            (dismiss_form or DismissForm(initial={"expected_version": tipoff.version}))
            if is_new
            else None
        ),
    }


class TipOffDetailView(ScopedDetailView):
    model = TipOff
    action = TRIAGE
    template_name = "hazards/tipoff_detail.html"
    context_object_name = "tipoff"

    def get_queryset(self):
        return super().get_queryset().select_related("town", "unit", "triaged_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(_detail_context(self.request, self.object))
        return ctx


def _detail_page(request, tipoff, *, error: str = "", status: int = 400, **forms) -> HttpResponse:
    tipoff.refresh_from_db()
    ctx = _detail_context(request, tipoff, **forms)
    ctx["error"] = error
    return render(request, "hazards/tipoff_detail.html", ctx, status=status)


STALE_MESSAGE = gettext_lazy(
    "Someone else triaged or changed this tip-off in the meantime. Reload the page to see it."
)


@scoped(TRIAGE)
@require_POST
def tipoff_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    tipoff = tipoffs.tipoff_get_for(request.user, pk)
    form = AcceptForm(
        request.POST, tipoff=tipoff, units=tipoffs.units_for_tipoff(request.user, tipoff)
    )
    if not form.is_valid():
        return _detail_page(request, tipoff, accept_form=form)
    try:
        tipoffs.tipoff_accept(
            actor=request.user,
            tipoff_id=tipoff.pk,
            expected_version=form.cleaned_data["expected_version"],
            unit_id=form.cleaned_data["unit_id"],
            **form.service_kwargs(),
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _detail_page(request, tipoff, accept_form=form)
    except StaleObject:
        return _detail_page(request, tipoff, error=str(STALE_MESSAGE), status=409)
    except InvalidTransition as exc:
        return _detail_page(request, tipoff, error=exc.message, status=409)
    messages.success(request, _("The tip-off was accepted and recorded as a hazard."))
    return redirect("hazards:tipoff_detail", pk=tipoff.pk)


@scoped(TRIAGE)
@require_POST
def tipoff_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    tipoff = tipoffs.tipoff_get_for(request.user, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, tipoff, dismiss_form=form)
    try:
        tipoffs.tipoff_dismiss(
            actor=request.user,
            tipoff_id=tipoff.pk,
            expected_version=form.cleaned_data["expected_version"],
            reason=form.cleaned_data["reason"],
            public_reply=form.cleaned_data.get("public_reply", ""),
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _detail_page(request, tipoff, dismiss_form=form)
    except StaleObject:
        return _detail_page(request, tipoff, error=str(STALE_MESSAGE), status=409)
    except InvalidTransition as exc:
        return _detail_page(request, tipoff, error=exc.message, status=409)
    messages.success(request, _("The tip-off was dismissed."))
    return redirect("hazards:tipoff_detail", pk=tipoff.pk)


@scoped(TRIAGE)
def tipoff_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A tip-off photo (the resized copy; ``?original=1``: the original as sent). 404 outside the
    office's town."""
    photo = tipoffs.tipoff_photo_get_for(request.user, pk)
    original = request.GET.get("original") == "1"
    return photo_file_response(photo, original=original, stem=f"tip-off-photo-{photo.pk}")


# Mounted under /tip-off/ (public_urls.py, namespace tip_off).
public_urlpatterns = [
    path("", tipoff_form, name="form"),
    path("sent/", tipoff_sent, name="sent"),
    path("status/", tipoff_status_view, name="status"),
]
# Mounted under /hazards/ (urls.py, namespace hazards).
urlpatterns = [
    path("tip-offs/", TipOffListView.as_view(), name="tipoff_list"),
    path("tip-offs/<int:pk>/", TipOffDetailView.as_view(), name="tipoff_detail"),
    path("tip-offs/<int:pk>/accept/", tipoff_accept_view, name="tipoff_accept"),
    path("tip-offs/<int:pk>/dismiss/", tipoff_dismiss_view, name="tipoff_dismiss"),
    path("tip-offs/photos/<int:pk>/", tipoff_photo, name="tipoff_photo"),
]
