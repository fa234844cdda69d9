"""Pages of the annual plan: the plans of the town by year (with the office's generate form), a
plan's progress (by month, person, kind, grade, category; Excel), the task lists (all, mine, a
unit's open tasks), a task with its start button, reassigning, and the frequency settings.

Views are thin: they parse input with ``forms``, read through ``selectors`` and write through
``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anjian.audit.services import audit_record
from anjian.core.exceptions import DomainError
from anjian.core.export import Column, workbook_bytes, xlsx_response
from anjian.core.scoping import get_scope
from anjian.core.views import ScopedListView, scoped
from anjian.inspections.selectors import checklists_for_unit
from anjian.inspections.services import officer_choices
from anjian.plans import services
from anjian.plans.choices import TaskState
from anjian.plans.forms import (
    CategoryRuleForm,
    FrequencyForm,
    GenerateForm,
    ReassignForm,
    TaskStartForm,
)
from anjian.plans.models import MANAGE, VIEW, FrequencyRule, InspectionPlan, InspectionTask
from anjian.plans.selectors import (
    TaskFilterSet,
    my_tasks_for,
    plan_progress,
    task_list_for,
    unit_open_tasks_for,
)
from anjian.plans.workflow import allowed_actions
from anjian.units.models import Unit

INSPECT = services.INSPECT


def _errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, getattr(exc, "message", str(exc)))


# --- Plans ---------------------------------------------------------------------------------------

PLAN_COLUMNS = (
    Column(gettext_lazy("Town"), lambda p: p.town.name, 14),
    Column(gettext_lazy("Year"), lambda p: p.year, 8),
    Column(gettext_lazy("Status"), lambda p: p.get_status_display(), 12),
    Column(gettext_lazy("Tasks"), lambda p: p.n_tasks, 10),
    Column(gettext_lazy("Done"), lambda p: p.n_done, 10),
    Column(gettext_lazy("Late"), lambda p: p.n_late, 10),
    Column(gettext_lazy("Share drawn at random, per cent"), lambda p: p.random_share, 12),
    Column(gettext_lazy("Seed of the random draw"), lambda p: p.random_seed, 14),
    Column(gettext_lazy("Published at"), lambda p: p.published_at, 17),
)


class PlanListView(ScopedListView):
    """The plans the user may see, newest year first, with the counts of their tasks."""

    model = InspectionPlan
    action = VIEW
    template_name = "plans/plan_list.html"
    context_object_name = "plans"
    search_fields = ("town__name",)
    export_title = gettext_lazy("Inspection plans")
    export_columns = PLAN_COLUMNS

    def get_queryset(self):
        user = self.request.user
        visible = InspectionTask.objects.for_action(user, VIEW).values("pk")
        today = timezone.localdate()
        mine = Q(tasks__pk__in=visible)
        done = Q(tasks__inspection__status="finished")
        return (
            super()
            .get_queryset()
            .select_related("town")
            .annotate(
                n_tasks=Count("tasks", filter=mine),
                n_done=Count("tasks", filter=mine & done),
                n_late=Count("tasks", filter=mine & ~done & Q(tasks__due_date__lt=today)),
            )
            .order_by("-year", "town__code", "pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if get_scope(user).can(MANAGE):
            towns = list(services.towns_for(user))
            ctx["towns"] = towns
            ctx["generate_form"] = GenerateForm(towns=towns) if towns else None
        ctx["has_my_tasks"] = InspectionTask.objects.filter(assignee=user).exists()
        return ctx


@scoped(MANAGE)
def plan_generate(request: HttpRequest) -> HttpResponse:
    """Generate (or generate a draft again) the year's plan of a town."""
    towns = list(services.towns_for(request.user))
    form = GenerateForm(request.POST or None, towns=towns)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_generate(
                actor=request.user,
                town_id=form.cleaned_data["town"],
                year=form.cleaned_data["year"],
                random_share=form.cleaned_data["random_share"],
                seed=form.cleaned_data["seed"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The plan was generated: %(n)s tasks.") % {"n": plan.tasks_created},
            )
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/plan_generate.html", {"form": form, "towns": towns})


PROGRESS_COLUMNS = (
    Column(gettext_lazy("Table"), lambda r: r[0], 18),
    Column(gettext_lazy("Breakdown"), lambda r: r[1].label, 24),
    Column(gettext_lazy("Planned"), lambda r: r[1].planned, 10),
    Column(gettext_lazy("Done"), lambda r: r[1].done, 10),
    Column(gettext_lazy("Late"), lambda r: r[1].late, 10),
    Column(gettext_lazy("Done, per cent"), lambda r: r[1].rate, 10),
)


@scoped(VIEW)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's progress: planned, done and late, by month, person, kind, grade and category."""
    plan = services.plan_get_for(request.user, pk)
    filters = {k: v for k, v in request.GET.items() if k not in {"export", "page"} and v}
    filterset = TaskFilterSet(
        request.GET or None, queryset=InspectionTask.objects.none(), request=request
    )
    progress = plan_progress(request.user, plan, filters)
    if request.GET.get("export") == "xlsx":
        rows = [("", progress.total)] + [
            (str(title), row) for _key, title, table in progress.tables() for row in table
        ]
        title = _("Plan progress %(town)s %(year)s") % {"town": plan.town.name, "year": plan.year}
        audit_record(
            actor=request.user,
            action="export.downloaded",
            obj=plan,
            changes={"filters": filters, "rows": len(rows)},
            region_id=plan.town_id,
        )
        return xlsx_response(f"{title}.xlsx", workbook_bytes(title, PROGRESS_COLUMNS, rows))
    scope = get_scope(request.user)
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "progress": progress,
            "filterset": filterset,
            "filter_fields": [
                f for f in filterset.form if f.name not in {"year", "plan", "unit", "state"}
            ],
            "query_string": query.urlencode(),
            "actions": allowed_actions(plan.status, scope.can),
            "plan_version": {"expected_version": plan.version},
            "regenerate_form": GenerateForm(
                initial={
                    "town": plan.town_id,
                    "year": plan.year,
                    "random_share": plan.random_share,
                },
                towns=[plan.town],
            ),
        },
    )


@scoped(MANAGE)
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = services.plan_get_for(request.user, pk, action=MANAGE)
    try:
        services.plan_publish(
            actor=request.user,
            plan_id=plan.pk,
            expected_version=int(request.POST.get("expected_version") or plan.version),
        )
    except (ValidationError, DomainError, ValueError) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The plan is published."))
    return redirect("plans:plan_detail", pk=plan.pk)


# --- Tasks ---------------------------------------------------------------------------------------


def _person(user) -> str:
    return (user.name or user.username) if user else ""


TASK_COLUMNS = (
    Column(gettext_lazy("Year"), lambda t: t.plan.year, 8),
    Column(gettext_lazy("Month"), lambda t: t.month, 8),
    Column(gettext_lazy("Due by"), lambda t: t.due_date, 12),
    Column(gettext_lazy("Unit"), lambda t: t.unit.name, 30),
    Column(gettext_lazy("Village or community"), lambda t: t.unit.region.name, 14),
    Column(gettext_lazy("Supervision grade"), lambda t: t.unit.get_grade_display(), 14),
    Column(gettext_lazy("Kind"), lambda t: t.get_kind_display(), 14),
    Column(gettext_lazy("Assigned to"), lambda t: _person(t.assignee), 12),
    Column(gettext_lazy("Drawn at random (双随机)"), lambda t: _("Yes") if t.is_random else "", 10),
    Column(gettext_lazy("Status"), lambda t: TaskState(t.state).label, 12),
    Column(
        gettext_lazy("Inspected at"),
        lambda t: t.inspection.finished_at if t.inspection_id else None,
        17,
    ),
)


class TaskListView(ScopedListView):
    """The tasks the user may see, with filters (month, kind, person, category, status incl.
    late, random draw), search by unit, person or village, and the Excel export."""

    model = InspectionTask
    action = VIEW
    template_name = "plans/task_list.html"
    context_object_name = "tasks"
    export_title = gettext_lazy("Inspection tasks")
    export_columns = TASK_COLUMNS
    mine = False

    def get_queryset(self):
        self.search = self.request.GET.get("q", "").strip()
        select = my_tasks_for if self.mine else task_list_for
        qs, self.filterset = select(
            self.request.user, self.request.GET, search=self.search, request=self.request
        )
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["mine"] = self.mine
        ctx["filter_fields"] = [f for f in self.filterset.form if f.name not in {"plan", "unit"}]
        ctx["can_inspect"] = get_scope(self.request.user).can(INSPECT)
        return ctx


class MyTaskListView(TaskListView):
    """The tasks assigned to the signed-in user: this month's first, then late ones."""

    mine = True
    export_title = gettext_lazy("My inspection tasks")


@scoped(VIEW)
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.task_get_for(request.user, pk)
    task.state = (
        InspectionTask.objects.filter(pk=task.pk).with_state().values_list("state", flat=True)[0]
    )
    scope = get_scope(request.user)
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "state_label": TaskState(task.state).label,
            "can_start": scope.can(INSPECT)
            and task.state != TaskState.DONE
            and Unit.objects.for_action(request.user, INSPECT).filter(pk=task.unit_id).exists(),
            "can_reassign": scope.can(MANAGE) and task.state != TaskState.DONE,
        },
    )


@scoped(MANAGE)
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a task to someone else (a reason is required once the plan is published)."""
    task = services.task_get_for(request.user, pk, action=MANAGE)
    form = ReassignForm(
        request.POST or None,
        users=services.assignable_users(task),
        initial={"assignee": task.assignee_id, "expected_version": task.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.task_reassign(
                actor=request.user,
                task_id=task.pk,
                assignee_id=form.cleaned_data["assignee"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The task was reassigned."))
            return redirect("plans:task_detail", pk=task.pk)
    return render(request, "plans/task_reassign.html", {"task": task, "form": form})


@scoped(INSPECT)
def task_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the inspection of a task: choose the checklist (the suited one first), then the
    checklist page. A task already being inspected goes straight to its inspection."""
    task = services.task_get_for(request.user, pk)
    unit = Unit.objects.for_action(request.user, INSPECT).filter(pk=task.unit_id).first()
    if unit is None:
        raise Http404
    if task.inspection_id and task.inspection.status == "in_progress":
        return redirect("inspections:inspection_inspect", pk=task.inspection_id)
    if task.inspection_id and task.inspection.status == "finished":
        return redirect("inspections:inspection_detail", pk=task.inspection_id)
    checklists = checklists_for_unit(request.user, unit)
    form = TaskStartForm(
        request.POST or None,
        checklists=checklists,
        people=officer_choices(unit, request.user),
        lead=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.task_start(
                actor=request.user,
                task_id=task.pk,
                checklist_id=form.cleaned_data["checklist"],
                client_key=form.cleaned_data["client_key"],
                officers=form.chosen_officers() or (),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("inspections:inspection_inspect", pk=inspection.pk)
    return render(
        request,
        "plans/task_start.html",
        {"task": task, "unit": unit, "form": form, "checklists": checklists},
    )


@scoped(VIEW)
def unit_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """The open tasks of a unit (linked from the unit's QR landing page), with a start button."""
    unit = Unit.objects.for_action(request.user, VIEW).filter(pk=pk).select_related("region")
    unit = unit.first()
    if unit is None:
        raise Http404
    can_inspect = Unit.objects.for_action(request.user, INSPECT).filter(pk=unit.pk).exists()
    return render(
        request,
        "plans/unit_tasks.html",
        {
            "unit": unit,
            "tasks": list(unit_open_tasks_for(request.user, unit)[:50]),
            "can_inspect": can_inspect,
        },
    )


# --- Frequencies ---------------------------------------------------------------------------------


@scoped(MANAGE)
def frequency_settings(request: HttpRequest) -> HttpResponse:
    """How often the units of each grade (and of chosen categories) are visited, per kind of
    inspector; the town's defaults are created on first use."""
    towns = list(services.towns_for(request.user))
    if not towns:
        raise Http404
    wanted = request.GET.get("town") or request.POST.get("town")
    town = next((t for t in towns if str(t.pk) == str(wanted)), towns[0])
    services.frequency_rules_ensure(actor=request.user, town_id=town.pk)
    rules = list(
        FrequencyRule.objects.for_action(request.user, MANAGE)
        .filter(town=town)
        .select_related("category")
        .order_by("category__name", "grade", "kind", "pk")
    )
    posted = request.method == "POST"
    adding = posted and "add_category" in request.POST
    form = FrequencyForm(request.POST if posted and not adding else None, rules=rules)
    category_form = CategoryRuleForm(request.POST if adding else None)
    if adding and category_form.is_valid():
        try:
            services.frequency_rule_create(
                actor=request.user, town_id=town.pk, **category_form.cleaned_data
            )
        except ValidationError as exc:
            category_form.add_service_errors(exc)
        else:
            messages.success(request, _("The frequency was added."))
            return redirect(f"{request.path}?town={town.pk}")
    elif posted and not adding and form.is_valid():
        changed = 0
        for rule, value in form.changed_rules():
            services.frequency_rule_update(
                actor=request.user, rule_id=rule.pk, visits_per_year=value
            )
            changed += 1
        messages.success(request, _("Frequencies saved: %(n)s changed.") % {"n": changed})
        return redirect(f"{request.path}?town={town.pk}")
    kinds = [
        ("town_inspection", _("Town inspector")),
        ("expert_check", _("Contracted expert (专家帮查)")),
        ("village_patrol", _("Village officer")),
    ]
    grade_rows: dict[str, dict] = {}
    category_rows: dict[int, dict] = {}
    for rule in rules:
        if rule.category_id:
            row = category_rows.setdefault(rule.category_id, {"label": rule.category.name})
        else:
            row = grade_rows.setdefault(rule.grade, {"label": rule.get_grade_display()})
        row[rule.kind] = form[f"rule_{rule.pk}"]
    for row in [*grade_rows.values(), *category_rows.values()]:
        row["cells"] = [row.get(kind) for kind, _label in kinds]
    grade_order = ["red", "orange", "yellow", "blue"]
    return render(
        request,
        "plans/frequency_settings.html",
        {
            "town": town,
            "towns": towns,
            "form": form,
            "category_form": category_form,
            "grade_rows": [grade_rows[g] for g in grade_order if g in grade_rows],
            "category_rows": list(category_rows.values()),
            "kinds": kinds,
        },
    )


urlpatterns = [
    path("", PlanListView.as_view(), name="plan_list"),
    path("generate/", plan_generate, name="plan_generate"),
    path("<int:pk>/", plan_detail, name="plan_detail"),
    path("<int:pk>/publish/", plan_publish, name="plan_publish"),
    path("tasks/", TaskListView.as_view(), name="task_list"),
    path("tasks/mine/", MyTaskListView.as_view(), name="my_tasks"),
    path("tasks/<int:pk>/", task_detail, name="task_detail"),
    path("tasks/<int:pk>/reassign/", task_reassign, name="task_reassign"),
    path("tasks/<int:pk>/start/", task_start, name="task_start"),
    path("unit/<int:pk>/tasks/", unit_tasks, name="unit_tasks"),
    path("frequencies/", frequency_settings, name="frequency_settings"),
]
