"""Base views: every page that shows scoped data reads through ``Model.objects.for_action``.

``ScopedListView`` gives every list search, filters (django-filter), pagination and Excel export;
``ScopedDetailView`` answers 404 for anything outside the user's scope. The access test walks every
URL pattern and requires each view to be one of these (``scoped_action`` set) or listed in
``PUBLIC_VIEWS``/``LOGIN_ONLY_VIEWS``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from anjian.core.export import Column, workbook_bytes, xlsx_response
from anjian.core.scoping import get_scope


class ScopedViewMixin(LoginRequiredMixin):
    """Swaps in the restricted queryset before anything else (NetBox's ObjectPermissionRequiredMixin)."""

    model: Any = None
    action = "view"
    raise_exception = False

    @classmethod
    def scoped_action(cls) -> str:
        return cls.action

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and not get_scope(request.user).can(
            self.required_action()
        ):
            raise PermissionDenied(_("Your roles do not include this page."))
        return super().dispatch(request, *args, **kwargs)

    def required_action(self) -> str:
        return self.action

    def get_queryset(self):
        return self.model.objects.for_action(self.request.user, self.action)


class ScopedListView(ScopedViewMixin, ListView):
    """A list with search (``q``), a FilterSet, pagination and ``?export=xlsx``."""

    paginate_by = 25
    filterset_class: Any = None
    search_fields: tuple[str, ...] = ()
    export_columns: tuple[Column, ...] = ()
    export_title = ""

    def get_queryset(self):
        qs = super().get_queryset()
        self.search = self.request.GET.get("q", "").strip()
        if self.search and self.search_fields:
            cond = Q()
            for field in self.search_fields:
                cond |= Q(**{f"{field}__icontains": self.search})
            qs = qs.filter(cond)
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=qs, request=self.request
            )
            qs = self.filterset.qs
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filterset"] = self.filterset
        ctx["search"] = self.search
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["query_string"] = params.urlencode()
        ctx["can_export"] = bool(self.export_columns)
        return ctx

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.GET.get("export") == "xlsx" and self.export_columns:
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self) -> HttpResponse:
        from anjian.audit.services import audit_record

        qs = self.get_queryset()
        title = self.export_title or str(self.model._meta.verbose_name_plural)
        content = workbook_bytes(title, self.export_columns, qs.iterator(chunk_size=2000))
        audit_record(
            actor=self.request.user,
            action="export.downloaded",
            target_repr=title,
            changes={"filters": self.request.GET.dict(), "rows": qs.count()},
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(f"{title}-{stamp}.xlsx", content)

    def render_to_response(self, context, **response_kwargs):
        request = self.request
        if getattr(request, "htmx", False) and not request.htmx.boosted:
            template = self.get_template_names()[0] + "#table"
            return render(request, template, context)
        return super().render_to_response(context, **response_kwargs)


class ScopedDetailView(ScopedViewMixin, DetailView):
    """One object, or 404 when it is outside the user's scope (never a different answer)."""


# --- Function views: every one is marked, so that the access test can walk them all ------------


def scoped(action: str):
    """A function view that needs log-in and a role granting ``action``. The view itself must read
    its objects through ``Model.objects.for_action(request.user, ...)`` (404 outside the scope)."""

    def decorator(view):
        from functools import wraps

        from django.contrib.auth.views import redirect_to_login

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not get_scope(request.user).can(action):
                raise PermissionDenied(_("Your roles do not include this page."))
            return view(request, *args, **kwargs)

        wrapper.scoped_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorator


def login_only(view):
    """A page about the user's own account (profile, password, two-factor): log-in is enough."""
    from django.contrib.auth.decorators import login_required

    wrapped = login_required(view)
    wrapped.login_only = True  # type: ignore[attr-defined]
    return wrapped


def public(view):
    """A page anyone may open without logging in (log-in page, public QR page, tip-off form)."""
    view.public = True
    return view
