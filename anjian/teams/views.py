"""Pages of the committees: the town's 安委会 and its specialised committees."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core.export import Column
from anjian.core.views import ScopedDetailView, ScopedListView
from anjian.teams.filters import CommitteeFilterSet
from anjian.teams.models import Committee
from anjian.teams.selectors import (
    committee_attach_unit_counts,
    committee_children_for,
    committee_decorate,
)


class CommitteeListView(ScopedListView):
    model = Committee
    action = "teams.view"
    template_name = "teams/committee_list.html"
    filterset_class = CommitteeFilterSet
    search_fields = ("name", "short_name", "sectors", "lead_name")
    paginate_by = 50
    export_title = _("Committees")
    export_columns = (
        Column(_("Name"), lambda c: c.name, 30),
        Column(_("Kind"), lambda c: c.get_kind_display(), 14),
        Column(_("Town"), lambda c: c.region.name, 12),
        Column(_("Parent committee"), lambda c: c.parent.name if c.parent_id else "", 24),
        Column(_("Lead"), lambda c: c.lead_name, 12),
        Column(_("Lead's post"), lambda c: c.lead_title, 16),
        Column(_("Sectors covered"), lambda c: c.sectors, 40),
        Column(_("Units"), lambda c: c.direct_units, 8),
    )

    def get_queryset(self):
        return committee_decorate(super().get_queryset())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        committee_attach_unit_counts(ctx["object_list"])
        return ctx


class CommitteeDetailView(ScopedDetailView):
    model = Committee
    action = "teams.view"
    template_name = "teams/committee_detail.html"
    context_object_name = "committee"

    def get_queryset(self):
        return committee_decorate(super().get_queryset())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        children = list(committee_children_for(self.request.user, self.object))
        committee_attach_unit_counts([self.object, *children])
        ctx["children"] = children
        return ctx
