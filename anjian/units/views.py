"""Pages of supervised units: the register list and one unit (minimal until the units issue)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core.export import Column
from anjian.core.views import ScopedDetailView, ScopedListView
from anjian.units.filters import UnitFilterSet
from anjian.units.models import Unit


class UnitListView(ScopedListView):
    model = Unit
    action = "units.view"
    template_name = "units/unit_list.html"
    filterset_class = UnitFilterSet
    search_fields = ("name", "credit_code", "address")
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
    )

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent", "committee")


class UnitDetailView(ScopedDetailView):
    model = Unit
    action = "units.view"
    template_name = "units/unit_detail.html"
    context_object_name = "unit"

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent", "committee")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tabs"] = UNIT_TABS
        return ctx


# The tabs later modules fill; each says what it will show.
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
    (
        "hazards",
        _("Hazards"),
        _("Hazards found at this unit and how their rectification stands."),
    ),
    (
        "permits",
        _("Work permits"),
        _("Special work permits (hot work, confined space, work at height…) of this unit."),
    ),
    (
        "trainings",
        _("Trainings"),
        _("Safety trainings and drills held by or for this unit."),
    ),
    (
        "timeline",
        _("Timeline"),
        _("Everything that happened to this unit, newest first."),
    ),
)
