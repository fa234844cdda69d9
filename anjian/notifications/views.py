"""The inbox: one's own messages, newest first, with unread filter and mark-read actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anjian.core.views import ScopedListView, scoped
from anjian.notifications import services
from anjian.notifications.models import Notification
from anjian.notifications.selectors import notification_unread_count

OWN = "accounts.own"


class InboxView(ScopedListView):
    model = Notification
    action = OWN
    template_name = "notifications/inbox.html"
    context_object_name = "notifications"
    search_fields = ("title", "body")
    paginate_by = 25

    def get_queryset(self):
        qs = super().get_queryset()
        self.unread_only = self.request.GET.get("unread") == "1"
        return qs.unread() if self.unread_only else qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["unread_only"] = self.unread_only
        ctx["unread_count"] = notification_unread_count(self.request.user)
        return ctx


@scoped(OWN)
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one message read; with ``go=1`` continue to the page the message is about."""
    notification = services.notification_mark_read(actor=request.user, notification_id=pk)
    link = notification.link
    if (
        request.POST.get("go") == "1"
        and link
        and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    ):
        return redirect(link)
    return redirect(_back(request))


@scoped(OWN)
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("%(count)d messages marked as read.") % {"count": count})
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return "notifications:inbox"
