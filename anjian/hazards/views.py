"""Pages of the hazard loop (隐患闭环): the list with its queues, recording a hazard (with a
warning about similar open hazards), the hazard page with its photos, reports and timeline, one
page per workflow action, correcting the facts, adding photos, and the photo files.

Views are thin: they parse the input with ``anjian.hazards.forms``, read through
``anjian.hazards.selectors`` and write through ``anjian.hazards.services``. Domain errors become
a message (``InvalidTransition``), 403 (``ActionNotPermitted``) or a 409 page (``StaleObject``).
Photos are served only by ``photo_image``/``photo_original`` (scoped: 404 outside the scope).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.calendar import WorkingCalendar
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.export import Column
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedDetailView, ScopedListView, scoped
from anjian.hazards import services
from anjian.hazards.choices import PhotoKind
from anjian.hazards.filters import QUEUE_CHOICES, Queue
from anjian.hazards.forms import (
    DESTRUCTIVE_ACTIONS,
    AddPhotosForm,
    HazardActionForm,
    HazardForm,
)
from anjian.hazards.models import Hazard, HazardPhoto
from anjian.hazards.photos import photo_file_response
from anjian.hazards.selectors import (
    finder_name,
    hazard_detail_for,
    hazard_list_for,
    hazard_overdue,
    hazard_similar_open,
)
from anjian.hazards.services import HAZARD_FIELDS, RECORD, VIEW, roles_granting
from anjian.hazards.settings_services import subgrades_for
from anjian.hazards.templatetags.hazard_tags import EVENT_LABELS
from anjian.hazards.workflow import TRANSITIONS
from anjian.units.models import Unit

__all__ = ["EVENT_LABELS", "urlpatterns"]  # EVENT_LABELS: the timeline's phrases

# --- The list ------------------------------------------------------------------------------------

# The queues each role works from (a user with several roles gets them all, in QUEUE_CHOICES order).
QUEUES_BY_ROLE = {
    "town_office": {Queue.OPEN, Queue.RECHECK, Queue.OVERDUE, Queue.MAJOR, Queue.EXTENSIONS},
    "inspector": {Queue.OPEN, Queue.RECHECK, Queue.OVERDUE, Queue.MAJOR},
    "expert": {Queue.OPEN, Queue.RECHECK, Queue.OVERDUE},
    "leader": {Queue.OPEN, Queue.OVERDUE, Queue.MAJOR},
    "district": {Queue.OPEN, Queue.OVERDUE, Queue.MAJOR},
    "committee_member": {Queue.OPEN, Queue.OVERDUE},
    "village_officer": {Queue.OPEN, Queue.OVERDUE},
    "enterprise": {Queue.OPEN},
}

# The enforcement app's permission to handle cases (``case_workflow.HANDLE``; enforcement sits
# above hazards and is not imported here).
OPEN_CASE = "enforcement.handle_cases"


def queues_for(user) -> list[tuple[str, str]]:
    scope = get_scope(user)
    wanted = {Queue.OPEN, Queue.ALL}
    for role in scope.roles:
        wanted |= QUEUES_BY_ROLE.get(role, set())
    if scope.is_superuser:
        wanted = {key for key, _label in QUEUE_CHOICES}
    return [(key, label) for key, label in QUEUE_CHOICES if key in wanted]


def hazard_export_columns(
    today: datetime.date | None = None, calendar: WorkingCalendar | None = None
) -> tuple[Column, ...]:
    """Every fact of a hazard, its 五定, its status and how many days it is overdue."""

    def overdue_days(h):
        state = hazard_overdue(h, today, calendar)
        return state.days if state.is_overdue else ""

    def overdue_working_days(h):
        state = hazard_overdue(h, today, calendar)
        return state.working_days if state.is_overdue else ""

    return (
        Column(gettext_lazy("Number"), lambda h: h.code, 16),
        Column(gettext_lazy("Unit"), lambda h: h.unit.name, 30),
        Column(gettext_lazy("Village or community"), lambda h: h.unit.region.name, 14),
        Column(gettext_lazy("Location"), lambda h: h.location, 24),
        Column(gettext_lazy("Description"), lambda h: h.description, 40),
        Column(gettext_lazy("Type"), lambda h: h.get_hazard_type_display(), 14),
        Column(gettext_lazy("Category"), lambda h: h.get_category_display(), 14),
        Column(gettext_lazy("Hazard level"), lambda h: h.get_level_display(), 14),
        Column(gettext_lazy("Sub-grade"), lambda h: h.sub_grade.name if h.sub_grade_id else "", 10),
        Column(gettext_lazy("Legal basis"), lambda h: h.legal_basis, 24),
        Column(gettext_lazy("Source"), lambda h: h.get_source_display(), 14),
        Column(gettext_lazy("Found by"), _finder, 12),
        Column(gettext_lazy("Found at"), lambda h: h.found_at, 17),
        Column(gettext_lazy("Rectification requirement"), lambda h: h.requirement, 30),
        Column(gettext_lazy("Responsible person"), lambda h: h.responsible_person, 12),
        Column(gettext_lazy("Responsible person's mobile"), lambda h: h.responsible_mobile, 14),
        Column(gettext_lazy("Deadline"), lambda h: h.deadline, 12),
        Column(gettext_lazy("Original deadline"), lambda h: h.original_deadline, 12),
        Column(gettext_lazy("Measures and interim controls"), lambda h: h.measures, 30),
        Column(
            gettext_lazy("Funds (yuan)"),
            lambda h: float(h.funds) if h.funds is not None else "",
            12,
        ),
        Column(gettext_lazy("Acceptance criterion"), lambda h: h.acceptance_criterion, 24),
        Column(gettext_lazy("Status"), lambda h: h.get_status_display(), 16),
        Column(gettext_lazy("Days overdue"), overdue_days, 10),
        Column(gettext_lazy("Working days overdue"), overdue_working_days, 10),
        Column(gettext_lazy("Closed at"), lambda h: h.closed_at, 17),
    )


def _finder(hazard) -> str:
    if hazard.found_by_name:
        return hazard.found_by_name
    user = hazard.found_by
    return (user.name or user.username) if user else ""


class HazardListView(ScopedListView):
    """The hazards the user may see, in queues (open, awaiting my re-check, overdue…), filters,
    search by number, unit, location or description, and the Excel export."""

    model = Hazard
    action = VIEW
    template_name = "hazards/hazard_list.html"
    context_object_name = "hazards"
    export_title = gettext_lazy("Hazards")
    export_columns = hazard_export_columns()

    def get_queryset(self):
        self.search = self.request.GET.get("q", "").strip()
        qs, self.filterset = hazard_list_for(
            self.request.user, params=self.request.GET, search=self.search, request=self.request
        )
        return qs.select_related("found_by")

    def export(self) -> HttpResponse:
        self.export_columns = hazard_export_columns(timezone.localdate(), WorkingCalendar())
        return super().export()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today, calendar = timezone.localdate(), WorkingCalendar.for_display()
        for hazard in ctx["hazards"]:
            hazard.overdue_state = hazard_overdue(hazard, today, calendar)
        current = self.request.GET.get("queue") or Queue.OPEN
        ctx["queue"] = current
        ctx["queues"] = [
            (key, label, self._queue_url(key)) for key, label in queues_for(self.request.user)
        ]
        # Unit and finder come from links (a unit's tab, a dashboard bar); the town only matters
        # to those who see more than one.
        hidden = {"queue", "unit", "found_by"}
        if self.filterset.form.fields["town"].queryset.count() < 2:
            hidden.add("town")
        ctx["filter_fields"] = [f for f in self.filterset.form if f.name not in hidden]
        ctx["unit_filter"] = self.request.GET.get("unit", "")
        cleaned = getattr(self.filterset.form, "cleaned_data", {})
        ctx["found_by_filter"] = found_by = cleaned.get("found_by")
        if found_by is not None:
            ctx["found_by_name"] = finder_name(self.request.user, found_by)
            params = self.request.GET.copy()
            params.pop("found_by", None)
            params.pop("page", None)
            ctx["found_by_clear_url"] = f"?{params.urlencode()}"
        scope = get_scope(self.request.user)
        ctx["can_record"] = scope.can(RECORD)
        ctx["can_manage_settings"] = scope.can("hazards.manage_settings")
        return ctx

    def _queue_url(self, queue: str) -> str:
        params = self.request.GET.copy()
        for key in ("page", "queue", "export"):
            params.pop(key, None)
        params["queue"] = queue
        return f"?{params.urlencode()}"


# --- The hazard page ----------------------------------------------------------------------------


class HazardDetailView(ScopedDetailView):
    """Everything about one hazard, and the buttons of the actions the user may take now."""

    model = Hazard
    action = VIEW
    template_name = "hazards/hazard_detail.html"
    context_object_name = "hazard"

    def get_object(self, queryset=None):
        self.detail = hazard_detail_for(self.request.user, self.kwargs["pk"])
        return self.detail["hazard"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.detail)
        hazard = self.object
        ctx["can_record"] = (
            hazard.is_open
            and Hazard.objects.for_action(self.request.user, RECORD).filter(pk=hazard.pk).exists()
        )
        ctx["can_correct"] = ctx["can_record"] and bool(
            services.hazard_editable_fields_for(self.request.user, hazard)
        )
        ctx["destructive_actions"] = DESTRUCTIVE_ACTIONS
        # Opening an enforcement case (立案, e.g. refused rectification): anjian.enforcement, which
        # sits above hazards; asked by its permission's name (case_services.case_may_open_from).
        ctx["can_open_case"] = get_scope(self.request.user).can(OPEN_CASE)
        return ctx


# --- Recording, correcting, adding photos --------------------------------------------------------


def _stale_page(request: HttpRequest, hazard) -> HttpResponse:
    return render(request, "hazards/hazard_stale.html", {"hazard": hazard}, status=409)


@scoped(RECORD)
def hazard_create_view(request: HttpRequest) -> HttpResponse:
    """Record a hazard at a unit (``?unit=`` preselects it); with a deadline, order at once."""
    user = request.user
    scope = get_scope(user)
    units = Unit.objects.for_action(user, RECORD).order_by("name", "pk")
    unit_id = request.GET.get("unit", "")
    initial = {"unit": int(unit_id)} if unit_id.isdigit() else {}
    form = HazardForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        can_order=scope.can("hazards.order"),
        roles=scope.roles,
        initial=initial,
        subgrades=subgrades_for(user),
    )
    if request.method == "POST" and form.is_valid():
        deadline = form.deadline_data() if form.can_order else {}
        try:
            hazard = services.hazard_create(
                actor=user,
                unit_id=form.cleaned_data["unit"].pk,
                photos=form.cleaned_data["photos"],
                **deadline,
                **form.fact_kwargs(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except (ActionNotPermitted, InvalidTransition) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Hazard %(code)s was recorded.") % {"code": hazard.code})
            return redirect("hazards:hazard_detail", pk=hazard.pk)
    return render(request, "hazards/hazard_form.html", {"form": form})


@scoped(RECORD)
def hazard_similar(request: HttpRequest) -> HttpResponse:
    """The htmx partial under the record form: open hazards of the same unit that look alike."""
    unit_id = request.GET.get("unit", "")
    description = request.GET.get("description", "").strip()
    location = request.GET.get("location", "").strip()
    similar = []
    if unit_id.isdigit() and (description or location):
        similar = hazard_similar_open(
            request.user, unit_id=int(unit_id), description=description, location=location
        )
    return render(request, "hazards/_similar.html", {"similar": similar})


@scoped(RECORD)
def hazard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the facts of an open hazard (its state changes only through the actions)."""
    hazard = services.hazard_get_for(request.user, pk, action=RECORD)
    if not hazard.is_open:
        messages.error(request, _("Only an open hazard can be corrected."))
        return redirect("hazards:hazard_detail", pk=hazard.pk)
    initial = {name: getattr(hazard, name) for name in HAZARD_FIELDS}
    initial.update(
        sub_grade=hazard.sub_grade_id,
        found_at=timezone.localtime(hazard.found_at).replace(second=0, microsecond=0),
        expected_version=hazard.version,
    )
    refusals = services.hazard_field_refusals(request.user, hazard)
    if set(refusals) >= set(HAZARD_FIELDS):  # nothing here is theirs to correct
        raise PermissionDenied(next(iter(refusals.values())))
    form = HazardForm(
        request.POST or None,
        initial=initial,
        current_sub_grade=hazard.sub_grade_id,
        refusals=refusals,
        subgrades=subgrades_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        changes = form.fact_kwargs()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("hazards:hazard_detail", pk=hazard.pk)
        try:
            services.hazard_update(
                actor=request.user,
                hazard_id=hazard.pk,
                expected_version=form.cleaned_data["expected_version"],
                reason=form.cleaned_data["reason"],
                **changes,
            )
        except StaleObject:
            return _stale_page(request, hazard)
        except (InvalidTransition, ActionNotPermitted) as exc:
            messages.error(request, exc.message)
            return redirect("hazards:hazard_detail", pk=hazard.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The facts of the hazard were saved."))
            return redirect("hazards:hazard_detail", pk=hazard.pk)
    return render(request, "hazards/hazard_form.html", {"form": form, "hazard": hazard})


@scoped(RECORD)
def hazard_add_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """More photos as found, e.g. by an inspector who found the same hazard again."""
    hazard = services.hazard_get_for(request.user, pk, action=RECORD)
    form = AddPhotosForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hazard_add_photos(
                actor=request.user,
                hazard_id=hazard.pk,
                photos=form.cleaned_data["photos"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except InvalidTransition:
            messages.error(request, _("Photos can be added only while the hazard is open."))
            return redirect("hazards:hazard_detail", pk=hazard.pk)
        else:
            messages.success(request, _("The photos were added."))
            return redirect(reverse("hazards:hazard_detail", args=[hazard.pk]) + "#photos")
    return render(request, "hazards/hazard_photos_form.html", {"form": form, "hazard": hazard})


# --- The workflow actions ------------------------------------------------------------------------


@scoped(VIEW)
def hazard_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The form of one action (order, submit, re-check, extension, plan…), posted with the
    version the user saw; the service judges it."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    hazard = services.hazard_get_for(request.user, pk)
    if not roles_granting(request.user, transition.permission, hazard):
        raise PermissionDenied(_("Your roles do not include this action."))
    befores = hazard.photos.filter(kind=PhotoKind.BEFORE).order_by("pk")
    form = HazardActionForm(
        request.POST or None,
        request.FILES or None,
        transition=transition,
        hazard=hazard,
        befores=befores if "pairs" in transition.fields else (),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hazard_transition(
                actor=request.user,
                hazard_id=hazard.pk,
                action=action,
                expected_version=form.cleaned_data["expected_version"],
                **form.service_kwargs(),
            )
        except StaleObject:
            return _stale_page(request, hazard)
        except InvalidTransition as exc:
            messages.error(request, exc.message)
            return redirect("hazards:hazard_detail", pk=hazard.pk)
        except ActionNotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
            return redirect("hazards:hazard_detail", pk=hazard.pk)
    elif request.method == "GET" and transition not in services.hazard_actions_for(
        request.user, hazard
    ):
        messages.error(
            request, _("“%(action)s” is not possible now.") % {"action": transition.label}
        )
        return redirect("hazards:hazard_detail", pk=hazard.pk)
    context = {
        "form": form,
        "hazard": hazard,
        "transition": transition,
        "destructive": action in DESTRUCTIVE_ACTIONS,
    }
    return render(request, "hazards/hazard_action.html", context)


# --- Photo files ---------------------------------------------------------------------------------


def _photo_response(request: HttpRequest, pk: int, *, original: bool) -> FileResponse:
    photo = (
        HazardPhoto.objects.visible_to(request.user).select_related("hazard").filter(pk=pk).first()
    )
    if photo is None:
        raise Http404
    return photo_file_response(
        photo, original=original, stem=f"{photo.hazard.code}-{photo.kind}-{photo.pk}"
    )


@scoped(VIEW)
def photo_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo as shown on pages (at most 1600 px); 404 outside the scope."""
    return _photo_response(request, pk, original=False)


@scoped(VIEW)
def photo_original(request: HttpRequest, pk: int) -> HttpResponse:
    """The original file as uploaded (its SHA-256 is on the hazard page), as a download."""
    return _photo_response(request, pk, original=True)


urlpatterns = [
    path("", HazardListView.as_view(), name="hazard_list"),
    path("new/", hazard_create_view, name="hazard_create"),
    path("similar/", hazard_similar, name="hazard_similar"),
    path("<int:pk>/", HazardDetailView.as_view(), name="hazard_detail"),
    path("<int:pk>/edit/", hazard_edit, name="hazard_edit"),
    path("<int:pk>/photos/add/", hazard_add_photos, name="hazard_add_photos"),
    path("<int:pk>/act/<slug:action>/", hazard_action, name="hazard_action"),
    path("photos/<int:pk>/", photo_image, name="photo_image"),
    path("photos/<int:pk>/original/", photo_original, name="photo_original"),
]
