"""Pages of the jobs a user can follow: the list, one job (refreshing itself while it runs) and
its result file. Officials see the jobs of their region; everybody sees the jobs they started."""

from __future__ import annotations

import django_filters
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.export import Column
from anjian.core.jobs import job_result_open
from anjian.core.models import Job, JobStatus
from anjian.core.views import ScopedDetailView, ScopedListView, scoped


class JobFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=JobStatus.choices, empty_label=gettext_lazy("All")
    )

    class Meta:
        model = Job
        fields = ["status"]


class JobListView(ScopedListView):
    model = Job
    action = "jobs.view"
    template_name = "core/job_list.html"
    filterset_class = JobFilterSet
    search_fields = ("label", "kind", "owner__name")

    @property
    def export_title(self) -> str:
        return _("Jobs")

    @property
    def export_columns(self) -> tuple[Column, ...]:
        # Built per request: the titles are in the user's language (and plain str for openpyxl).
        return (
            Column(_("No."), lambda j: j.pk, 8),
            Column(_("Job"), lambda j: j.label or j.kind, 30),
            Column(_("Status"), lambda j: str(j.get_status_display()), 10),
            Column(_("Progress (%)"), lambda j: j.progress, 10),
            Column(_("Started by"), lambda j: str(j.owner) if j.owner_id else "", 20),
            Column(_("Created at"), lambda j: j.created_at, 18),
            Column(_("Finished at"), lambda j: j.finished_at, 18),
        )

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "region")


class JobDetailView(ScopedDetailView):
    model = Job
    action = "jobs.view"
    template_name = "core/job_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "region")

    def render_to_response(self, context, **response_kwargs):
        request = self.request
        if getattr(request, "htmx", False) and not request.htmx.boosted:
            return render(request, "core/job_detail.html#progress", context)
        return super().render_to_response(context, **response_kwargs)


@scoped("jobs.view")
def job_result(request, pk: int):
    """Download the result file of a job the user may see (404 otherwise); audited."""
    opened = job_result_open(actor=request.user, job_id=pk)
    return FileResponse(opened.file, as_attachment=True, filename=opened.filename)
