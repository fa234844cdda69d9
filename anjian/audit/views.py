"""The audit browser of the town office and the district, and the chain verification page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.accounts.roles import Role
from anjian.audit.filters import AuditEntryFilterSet
from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_chain_break, audit_record, audit_verify_chain
from anjian.core.export import Column
from anjian.core.views import ScopedDetailView, ScopedListView, scoped


class AuditEntryListView(ScopedListView):
    model = AuditEntry
    action = "audit.view"
    template_name = "audit/entry_list.html"
    filterset_class = AuditEntryFilterSet
    search_fields = ("target_repr", "actor_label", "reason")
    paginate_by = 50
    export_title = gettext_lazy("Audit record")
    export_columns = (
        Column(gettext_lazy("No."), lambda e: e.pk, 8),
        Column(gettext_lazy("Time"), lambda e: e.occurred_at, 20),
        Column(gettext_lazy("Actor"), lambda e: e.actor_label, 20),
        Column(gettext_lazy("Roles"), lambda e: roles_label(e.actor_roles), 16),
        Column(gettext_lazy("Action"), lambda e: e.action, 22),
        Column(gettext_lazy("Object"), lambda e: e.target_repr, 30),
        Column(gettext_lazy("Region"), lambda e: e.region.name if e.region_id else "", 14),
        Column(gettext_lazy("Reason"), lambda e: e.reason, 30),
        Column(gettext_lazy("IP address"), lambda e: e.ip, 16),
        Column(gettext_lazy("Request id"), lambda e: str(e.request_id), 36),
    )

    def get_queryset(self):
        return super().get_queryset().select_related("region").order_by("-pk")


# Where an entry came from (``RequestContext.source``), in the reader's language.
SOURCE_LABELS = {
    "web": gettext_lazy("web page"),
    "api": gettext_lazy("API"),
    "task": gettext_lazy("background job"),
    "system": gettext_lazy("system"),
}


def roles_label(codes: str) -> str:
    """The stored role codes ("inspector,town_office") as role names in the reader's language."""
    labels = dict(Role.choices)
    # Translators: the separator between two role names.
    return _(", ").join(str(labels.get(code, code)) for code in codes.split(",") if code)


def change_rows(entry: AuditEntry) -> list[dict[str, Any]]:
    """The entry's changes as table rows: field label, before and after.

    ``changes`` is ``{field: [before, after]}`` for changes of an object; other entries (log-ins,
    exports) keep plain facts, shown in the "after" column.
    """
    model = entry.target_type.model_class() if entry.target_type_id else None
    rows = []
    for name, value in sorted((entry.changes or {}).items()):
        label = name
        if model is not None:
            try:
                field = model._meta.get_field(name)
                # A reverse relation (e.g. a calendar year's "days") has no verbose_name of its own.
                label = str(
                    getattr(field, "verbose_name", None)
                    or field.related_model._meta.verbose_name_plural
                )
            except FieldDoesNotExist:
                label = name
        if isinstance(value, list) and len(value) == 2:
            rows.append({"field": label, "before": value[0], "after": value[1], "pair": True})
        else:
            rows.append({"field": label, "before": None, "after": value, "pair": False})
    return rows


class AuditEntryDetailView(ScopedDetailView):
    model = AuditEntry
    action = "audit.view"
    template_name = "audit/entry_detail.html"
    context_object_name = "entry"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "target_type")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = change_rows(self.object)
        ctx["actor_roles"] = roles_label(self.object.actor_roles)
        ctx["source_label"] = SOURCE_LABELS.get(self.object.source, self.object.source)
        return ctx


@scoped("audit.verify")
def verify(request):
    """GET shows the page; POST walks the whole chain and shows OK or the first broken entry."""
    ctx: dict[str, Any] = {"ran": False}
    if request.method == "POST":
        report = audit_verify_chain()
        brk = audit_chain_break(report)
        visible = bool(
            brk
            and brk.entry is not None
            and AuditEntry.objects.for_action(request.user, "audit.view")
            .filter(pk=brk.entry_id)
            .exists()
        )
        audit_record(
            actor=request.user,
            action="audit.chain_verified",
            target_repr=_("Audit record"),
            changes={"ok": report.ok, "checked": report.checked, "broken": report.broken_entry_id},
        )
        ctx.update(ran=True, report=report, brk=brk, visible=visible, at=timezone.now())
    return render(request, "audit/verify.html", ctx)
