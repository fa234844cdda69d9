"""Pages of the Region tree: the list and one region with its children and the units below."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anjian.core.export import Column
from anjian.core.views import ScopedDetailView, ScopedListView
from anjian.regions.filters import RegionFilterSet
from anjian.regions.models import Region
from anjian.regions.selectors import region_breadcrumb, region_children_for, region_unit_counts


class RegionListView(ScopedListView):
    model = Region
    action = "regions.view"
    template_name = "regions/region_list.html"
    filterset_class = RegionFilterSet
    search_fields = ("name", "code")
    paginate_by = 50
    export_title = _("Regions")
    export_columns = (
        Column(_("Statistical code"), lambda r: r.code, 16),
        Column(_("Name"), lambda r: r.name, 20),
        Column(_("Level"), lambda r: r.get_level_display(), 12),
        Column(_("Community"), lambda r: _("yes") if r.is_community else "", 8),
        Column(_("Parent"), lambda r: r.parent.name if r.parent_id else "", 20),
        Column(_("Parent code"), lambda r: r.parent.code if r.parent_id else "", 16),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("parent").order_by("code")


class RegionDetailView(ScopedDetailView):
    model = Region
    action = "regions.view"
    template_name = "regions/region_detail.html"
    context_object_name = "region"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, region = self.request.user, self.object
        children = list(region_children_for(user, region))
        total, by_child = region_unit_counts(user, region, children)
        ctx.update(
            breadcrumb=region_breadcrumb(user, region),
            children=[(child, by_child.get(child.pk, 0)) for child in children],
            units_below=total,
        )
        return ctx
