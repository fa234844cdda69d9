"""Pages of the checklist templates (检查表): the list, a template with its published version and
history, copying to the town, drafts (sections and items added, changed, moved, deleted),
publishing, and Excel out and in.

Views are thin: forms in ``template_forms``, reads and writes in ``anjian.inspections.templates``.
``ActionNotPermitted`` becomes 403, an edit of a published version a message (409 for the API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.choices import choice_label
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition
from anjian.core.export import Column, xlsx_response
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedDetailView, ScopedListView, scoped
from anjian.inspections import templates as services
from anjian.inspections.choices import VersionStatus
from anjian.inspections.models import ChecklistItem, ChecklistTemplate, ChecklistVersion
from anjian.inspections.template_excel import version_filename, version_import_xlsx, version_xlsx
from anjian.inspections.template_forms import (
    ImportForm,
    ItemForm,
    PublishForm,
    SectionForm,
    TemplateForm,
)
from anjian.units.models import UnitKind

VIEW = services.VIEW
MANAGE = services.MANAGE

# --- The list -------------------------------------------------------------------------------------


def _owner(t: ChecklistTemplate) -> str:
    return t.region.name if t.region_id else _("Shipped with anjian")


def _status(t: ChecklistTemplate) -> str:
    if not t.is_active:
        return _("Not in use")
    if t.published_number:
        return _("Published")
    return _("Draft only")


EXPORT_COLUMNS = (
    Column(gettext_lazy("Checklist name"), lambda t: t.name, 30),
    Column(gettext_lazy("Code"), lambda t: t.code, 20),
    Column(gettext_lazy("Owner"), _owner, 16),
    Column(gettext_lazy("Status"), _status, 12),
    Column(gettext_lazy("Published version"), lambda t: t.published_number or "", 10),
    Column(gettext_lazy("Items"), lambda t: t.item_count or 0, 8),
    Column(gettext_lazy("Draft"), lambda t: t.draft_number or "", 8),
    Column(
        gettext_lazy("For unit kinds"),
        lambda t: "、".join(choice_label(UnitKind, k) for k in t.unit_kinds or []),
        24,
    ),
    Column(gettext_lazy("For unit categories"), lambda t: "、".join(t.category_codes or []), 24),
    Column(gettext_lazy("About this checklist"), lambda t: t.description, 40),
)


class ChecklistListView(ScopedListView):
    """The shipped templates and the town's copies: status, version, items; search; Excel."""

    model = ChecklistTemplate
    action = VIEW
    template_name = "inspections/checklist_list.html"
    context_object_name = "templates"
    paginate_by = 50
    export_title = gettext_lazy("Checklists")
    export_columns = EXPORT_COLUMNS

    def get_queryset(self):
        self.search = self.request.GET.get("q", "").strip()
        self.filterset = None
        qs = services.templates_search(services.templates_for(self.request.user), self.search)
        owner = self.request.GET.get("owner", "")
        if owner in ("shipped", "town"):
            qs = qs.filter(region__isnull=owner == "shipped")
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["owner"] = self.request.GET.get("owner", "")
        ctx["can_manage"] = get_scope(self.request.user).can(MANAGE)
        for t in ctx["templates"]:
            t.status_label = _status(t)
        return ctx


# --- A template, a version ---------------------------------------------------------------------------


class ChecklistDetailView(ScopedDetailView):
    """A template: its published version's sections and items, and the version history."""

    model = ChecklistTemplate
    action = VIEW
    template_name = "inspections/checklist_detail.html"
    context_object_name = "template"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        template, user = self.object, self.request.user
        ctx["published"] = services.published_version(template)
        ctx["draft"] = services.draft_version(template)
        ctx["versions"] = services.versions_of(template)
        ctx["can_edit"] = services.can_manage(user, template)
        ctx["can_copy"] = get_scope(user).can(MANAGE) and bool(ctx["published"])
        return ctx


class ChecklistVersionView(ScopedDetailView):
    """One version (published, retired or draft) with its sections and items."""

    model = ChecklistVersion
    action = VIEW
    template_name = "inspections/checklist_version.html"
    context_object_name = "version"

    def get_object(self, queryset=None):
        return services.version_get_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version = self.object
        ctx["template"] = version.template
        ctx["can_edit"] = version.status == VersionStatus.DRAFT and services.can_manage(
            self.request.user, version.template
        )
        return ctx


@scoped(VIEW)
def checklist_version_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """A version as an Excel workbook (the columns the import reads back)."""
    version = services.version_get_for(request.user, pk)
    return xlsx_response(version_filename(version), version_xlsx(version))


# --- Writes: helpers ------------------------------------------------------------------------------------


def _draft(request: HttpRequest, pk: int) -> ChecklistVersion | HttpResponse:
    """The draft the user may edit, or a redirect to the version with the reason."""
    try:
        return services.draft_check(request.user, pk)
    except ActionNotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    except InvalidTransition as exc:
        messages.error(request, exc.message)
        return redirect("inspections:checklist_version", pk=pk)


def _write(request: HttpRequest, call: Callable[[], Any], form=None) -> tuple[bool, Any]:
    """Run a service call: (True, result), or (False, None) with the error on the form or in
    a message."""
    try:
        return True, call()
    except ActionNotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        if form is not None:
            form.add_service_errors(exc)
        else:
            for message in exc.messages:
                messages.error(request, message)
    return False, None


def _editor(pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("inspections:checklist_draft", args=[pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _template_for_page(request: HttpRequest, pk: int) -> ChecklistTemplate:
    return services.template_get_for(request.user, pk)


# --- Copy, settings, new draft, publish ---------------------------------------------------------------


@scoped(MANAGE)
def checklist_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy a template (shipped or the town's) to the town, as a draft to edit."""
    template = _template_for_page(request, pk)
    if request.method == "POST":
        ok, copy = _write(
            request, lambda: services.template_copy(actor=request.user, template_id=template.pk)
        )
        if ok:
            messages.success(request, _("The checklist was copied to your town as a draft."))
            return _editor(copy.versions.get().pk)
        return redirect("inspections:checklist_detail", pk=template.pk)
    return render(request, "inspections/checklist_copy.html", {"template": template})


@scoped(MANAGE)
def checklist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The town's template: name, description, the units it suits, in use or not."""
    template = _template_for_page(request, pk)
    if not services.can_manage(request.user, template):
        raise PermissionDenied(_("The checklists shipped with anjian cannot be changed."))
    initial = {name: getattr(template, name) for name in services.TEMPLATE_FIELDS}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _result = _write(
            request,
            lambda: services.template_update(
                actor=request.user, template_id=template.pk, **form.cleaned_data
            ),
            form,
        )
        if ok:
            messages.success(request, _("The checklist was saved."))
            return redirect("inspections:checklist_detail", pk=template.pk)
    return render(request, "inspections/checklist_form.html", {"form": form, "template": template})


@scoped(MANAGE)
def checklist_draft_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a new draft from the published version (or go to the draft that exists)."""
    template = _template_for_page(request, pk)
    if request.method != "POST":
        return redirect("inspections:checklist_detail", pk=template.pk)
    existing = services.draft_version(template)
    if existing is not None and services.can_manage(request.user, template):
        return _editor(existing.pk)
    ok, draft = _write(
        request, lambda: services.version_start_draft(actor=request.user, template_id=template.pk)
    )
    if ok:
        messages.success(request, _("Version %(n)s was started as a draft.") % {"n": draft.number})
        return _editor(draft.pk)
    return redirect("inspections:checklist_detail", pk=template.pk)


@scoped(MANAGE)
def checklist_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft with a note, after a confirmation."""
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _result = _write(
            request,
            lambda: services.version_publish(
                actor=request.user, version_id=draft.pk, note=form.cleaned_data["note"]
            ),
            form,
        )
        if ok:
            messages.success(
                request, _("Version %(n)s is published and frozen.") % {"n": draft.number}
            )
            return redirect("inspections:checklist_detail", pk=draft.template_id)
    items = ChecklistItem.objects.filter(section__version=draft).count()
    return render(
        request,
        "inspections/checklist_publish.html",
        {"form": form, "version": draft, "template": draft.template, "item_count": items},
    )


# --- The draft editor -----------------------------------------------------------------------------------


@scoped(MANAGE)
def checklist_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft: its sections and items, each with edit, move and delete buttons."""
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    version = services.version_get_for(request.user, draft.pk)
    return render(
        request,
        "inspections/checklist_draft.html",
        {"version": version, "template": version.template, "section_form": SectionForm()},
    )


@scoped(MANAGE)
def checklist_section_add(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, section = _write(
            request,
            lambda: services.section_add(
                actor=request.user, version_id=draft.pk, title=form.cleaned_data["title"]
            ),
            form,
        )
        if ok:
            return _editor(draft.pk, f"section-{section.pk}")
    return _form_page(request, draft, form, _("Add a section"))


@scoped(MANAGE)
def checklist_section_edit(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    section = services.section_of(draft, section_id)
    form = SectionForm(request.POST or None, initial={"title": section.title})
    if request.method == "POST" and form.is_valid():
        ok, _result = _write(
            request,
            lambda: services.section_update(
                actor=request.user,
                version_id=draft.pk,
                section_id=section.pk,
                title=form.cleaned_data["title"],
            ),
            form,
        )
        if ok:
            return _editor(draft.pk, f"section-{section.pk}")
    return _form_page(request, draft, form, _("Rename the section"))


@scoped(MANAGE)
def checklist_section_move(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    if request.method == "POST":
        _write(
            request,
            lambda: services.section_update(
                actor=request.user,
                version_id=draft.pk,
                section_id=section_id,
                move=request.POST.get("direction", ""),
            ),
        )
    return _editor(draft.pk, f"section-{section_id}")


@scoped(MANAGE)
def checklist_section_delete(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    section = services.section_of(draft, section_id)
    if request.method == "POST":
        ok, _result = _write(
            request,
            lambda: services.section_delete(
                actor=request.user, version_id=draft.pk, section_id=section.pk
            ),
        )
        if ok:
            messages.success(request, _("The section was deleted."))
        return _editor(draft.pk)
    return render(
        request,
        "inspections/checklist_delete.html",
        {
            "version": draft,
            "template": draft.template,
            "what": section.title,
            "count": section.items.count(),
        },
    )


@scoped(MANAGE)
def checklist_item_add(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    section = services.section_of(draft, section_id)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "section"}
        ok, item = _write(
            request,
            lambda: services.item_add(
                actor=request.user, version_id=draft.pk, section_id=section.pk, **data
            ),
            form,
        )
        if ok:
            if "again" in request.POST:
                messages.success(request, _("The item was added."))
                return redirect(request.path)
            return _editor(draft.pk, f"item-{item.pk}")
    return _form_page(
        request, draft, form, _("Add an item to “%(title)s”") % {"title": section.title}, more=True
    )


@scoped(MANAGE)
def checklist_item_edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    item = services.item_of(draft, item_id)
    sections = list(draft.sections.order_by("order", "pk"))
    initial = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    initial["section"] = item.section_id
    form = ItemForm(request.POST or None, initial=initial, sections=sections)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target = data.pop("section", None)

        def save():
            services.item_update(actor=request.user, version_id=draft.pk, item_id=item.pk, **data)
            if target and target != item.section_id:
                services.item_move(
                    actor=request.user, version_id=draft.pk, item_id=item.pk, section_id=target
                )

        ok, _result = _write(request, save, form)
        if ok:
            return _editor(draft.pk, f"item-{item.pk}")
    return _form_page(request, draft, form, _("Change the item"))


@scoped(MANAGE)
def checklist_item_move(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    if request.method == "POST":
        _write(
            request,
            lambda: services.item_move(
                actor=request.user,
                version_id=draft.pk,
                item_id=item_id,
                direction=request.POST.get("direction", ""),
            ),
        )
    return _editor(draft.pk, f"item-{item_id}")


@scoped(MANAGE)
def checklist_item_delete(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    item = services.item_of(draft, item_id)
    if request.method == "POST":
        ok, _result = _write(
            request,
            lambda: services.item_delete(actor=request.user, version_id=draft.pk, item_id=item.pk),
        )
        if ok:
            messages.success(request, _("The item was deleted."))
        return _editor(draft.pk, f"section-{item.section_id}")
    return render(
        request,
        "inspections/checklist_delete.html",
        {"version": draft, "template": draft.template, "what": item.text, "count": None},
    )


@scoped(MANAGE)
def checklist_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace the draft's sections and items with a workbook's; every bad cell is listed."""
    draft = _draft(request, pk)
    if isinstance(draft, HttpResponse):
        return draft
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            version_import_xlsx(
                actor=request.user, version_id=draft.pk, upload=form.cleaned_data["file"]
            )
        except ActionNotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except InvalidTransition as exc:
            messages.error(request, exc.message)
            return redirect("inspections:checklist_version", pk=draft.pk)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The workbook was read into the draft."))
            return _editor(draft.pk)
    return render(
        request,
        "inspections/checklist_import.html",
        {"form": form, "version": draft, "template": draft.template, "errors": errors},
        status=422 if errors else 200,
    )


def _form_page(
    request: HttpRequest, draft: ChecklistVersion, form, title: str, *, more: bool = False
) -> HttpResponse:
    return render(
        request,
        "inspections/checklist_part_form.html",
        {"form": form, "version": draft, "template": draft.template, "title": title, "more": more},
    )


urlpatterns = [
    path("checklists/", ChecklistListView.as_view(), name="checklist_list"),
    path("checklists/<int:pk>/", ChecklistDetailView.as_view(), name="checklist_detail"),
    path("checklists/<int:pk>/copy/", checklist_copy, name="checklist_copy"),
    path("checklists/<int:pk>/edit/", checklist_edit, name="checklist_edit"),
    path("checklists/<int:pk>/draft/", checklist_draft_start, name="checklist_draft_start"),
    path("checklists/versions/<int:pk>/", ChecklistVersionView.as_view(), name="checklist_version"),
    path(
        "checklists/versions/<int:pk>/xlsx/", checklist_version_xlsx, name="checklist_version_xlsx"
    ),
    path("checklists/versions/<int:pk>/edit/", checklist_draft, name="checklist_draft"),
    path("checklists/versions/<int:pk>/publish/", checklist_publish, name="checklist_publish"),
    path("checklists/versions/<int:pk>/import/", checklist_import, name="checklist_import"),
    path(
        "checklists/versions/<int:pk>/sections/add/",
        checklist_section_add,
        name="checklist_section_add",
    ),
    path(
        "checklists/versions/<int:pk>/sections/<int:section_id>/",
        checklist_section_edit,
        name="checklist_section_edit",
    ),
    path(
        "checklists/versions/<int:pk>/sections/<int:section_id>/move/",
        checklist_section_move,
        name="checklist_section_move",
    ),
    path(
        "checklists/versions/<int:pk>/sections/<int:section_id>/delete/",
        checklist_section_delete,
        name="checklist_section_delete",
    ),
    path(
        "checklists/versions/<int:pk>/sections/<int:section_id>/items/add/",
        checklist_item_add,
        name="checklist_item_add",
    ),
    path(
        "checklists/versions/<int:pk>/items/<int:item_id>/",
        checklist_item_edit,
        name="checklist_item_edit",
    ),
    path(
        "checklists/versions/<int:pk>/items/<int:item_id>/move/",
        checklist_item_move,
        name="checklist_item_move",
    ),
    path(
        "checklists/versions/<int:pk>/items/<int:item_id>/delete/",
        checklist_item_delete,
        name="checklist_item_delete",
    ),
]
