"""The audit record in the admin site: read-only (no add, change or delete)."""

from __future__ import annotations

from django.contrib import admin

from anjian.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "occurred_at", "actor_label", "action", "target_repr", "region")
    list_filter = ("action", "source")
    search_fields = ("target_repr", "actor_label", "reason", "action")
    date_hierarchy = "occurred_at"
    list_select_related = ("region",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
