"""The system page of backups: the archives written, whether their check passed, the warnings
(no good backup in two days, the disk nearly full) and a button that starts one now."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.backups.archive import backup_directory
from anjian.backups.models import Backup
from anjian.backups.services import backup_enqueue, backup_status
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedListView, scoped


class BackupListView(ScopedListView):
    model = Backup
    action = "backups.view"
    template_name = "backups/backup_list.html"
    context_object_name = "backups"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["status"] = backup_status()
        ctx["directory"] = backup_directory()
        ctx["can_run"] = get_scope(self.request.user).can("backups.run")
        return ctx


@scoped("backups.run")
@require_POST
def backup_run(request: HttpRequest) -> HttpResponse:
    """Enqueue a backup; the worker writes it (a large media folder takes minutes)."""
    backup_enqueue(actor=request.user)
    messages.success(
        request, _("The backup was started; it appears in the list when it is written.")
    )
    return redirect("backups:backup_list")
