"""一企一码 pages: the public page behind a unit's QR code (/q/<token>/), the printable sticker of
one unit and the sticker sheet of a filtered list, and the town's public page settings.

Thin: parse → select (``anjian.units.public``) → service → render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.core.navigation import url_or_none
from anjian.core.views import ScopedListView, public, scoped
from anjian.units import public as qr
from anjian.units.enterprise_forms import PublicProfileForm, apply_errors
from anjian.units.filters import UnitFilterSet
from anjian.units.models import Unit

VIEW = "units.view"


# --- The public page (no log-in) -----------------------------------------------------------------


@public
def unit_page_view(request: HttpRequest, token: str) -> HttpResponse:
    """A scanned code: the unit's page for a logged-in user who may see it, the public page for
    everybody else. An unknown token is a plain 404."""
    unit = qr.unit_by_token(token)
    if unit is None:
        raise Http404
    if (
        request.user.is_authenticated
        and Unit.objects.visible_to(request.user).filter(pk=unit.pk).exists()
    ):
        return redirect("units:unit_detail", pk=unit.pk)
    login_url = reverse("accounts:login") + "?next=" + request.path
    tip_off_url = url_or_none("tip_off:form")
    return render(
        request,
        "units/public_unit.html",
        {
            "facts": qr.public_facts(unit),
            "login_url": login_url,
            # The public tip-off form about this unit (anjian.hazards), when it is installed.
            "tip_off_url": f"{tip_off_url}?unit={unit.qr_token}" if tip_off_url else "",
        },
    )


# --- Stickers ------------------------------------------------------------------------------------


@scoped(VIEW)
def qr_sticker_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = Unit.objects.for_action(request.user, VIEW).select_related("region__parent")
    unit = unit.filter(pk=pk).first()
    if unit is None:
        raise Http404
    town = qr.unit_town(unit)
    return render(
        request,
        "units/qr_sticker.html",
        {
            "unit": unit,
            "sticker": {"unit": unit, "svg": qr.qr_svg(unit), "town": town},
            "qr_url": qr.qr_url(unit),
            "can_reissue": Unit.objects.for_action(request.user, "units.change")
            .filter(pk=unit.pk)
            .exists(),
        },
    )


class QrSheetView(ScopedListView):
    """Stickers of the filtered list, several to an A4 page (print it from the browser)."""

    model = Unit
    action = VIEW
    template_name = "units/qr_sheet.html"
    filterset_class = UnitFilterSet
    search_fields = ("name", "credit_code", "address")
    paginate_by = 60

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent").order_by("region", "name")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["stickers"] = [
            {"unit": unit, "svg": qr.qr_svg(unit), "town": unit.region.parent}
            for unit in ctx["object_list"]
        ]
        return ctx


@scoped("units.change")
@require_POST
def qr_reissue_view(request: HttpRequest, pk: int) -> HttpResponse:
    qr.unit_qr_reissue(actor=request.user, unit_id=pk)
    messages.success(
        request, _("A new QR code was issued. Stickers printed before no longer work: print anew.")
    )
    return redirect("units:qr_sticker", pk=pk)


# --- The town's public page settings ----------------------------------------------------------------


@scoped(qr.MANAGE_PUBLIC_PAGE)
def public_profile_view(request: HttpRequest) -> HttpResponse:
    towns = list(qr.public_page_towns(request.user).order_by("code"))
    if not towns:
        raise Http404
    chosen = request.POST.get("town") or request.GET.get("town")
    town = next((t for t in towns if str(t.pk) == chosen), towns[0])
    profile = qr.public_profile_for(town)
    initial = {flag: getattr(profile, flag) for flag in qr.PUBLISHED_FLAGS}
    form = PublicProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            qr.public_profile_update(actor=request.user, region_id=town.pk, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The public page settings of %(town)s are saved.") % {"town": town.name}
            )
            return redirect(reverse("units:public_profile") + f"?town={town.pk}")
    return render(
        request,
        "units/public_profile_form.html",
        {"form": form, "town": town, "towns": towns},
    )


# Mounted under /q/ (public_urls.py).
public_urlpatterns = [
    path("<str:token>/", unit_page_view, name="unit_page"),
]
# Mounted under /units/ (through enterprise_views.urlpatterns).
units_urlpatterns = [
    path("qr/", QrSheetView.as_view(), name="qr_sheet"),
    path("<int:pk>/qr/", qr_sticker_view, name="qr_sticker"),
    path("<int:pk>/qr/reissue/", qr_reissue_view, name="qr_reissue"),
    path("public-page/", public_profile_view, name="public_profile"),
]
