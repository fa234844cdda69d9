"""The annual plan over the API (``/api/v1/plans``): the same scope and services as the pages.

Reading needs ``plans.view`` (an expert sees the tasks of the contracted units, a village officer
the village's); generating, publishing, the frequencies and reassigning need ``plans.manage``;
starting the inspection of a task needs ``inspections.inspect`` on its unit. Outside the caller's
scope: 404. A stale ``expected_version`` or a published plan generated again: 409. A rule the
input breaks: 422.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.core.api_types import BigInt, DbInt, Id, Offset, SmallInt, Year
from anjian.core.choices import choice_label
from anjian.core.scoping import get_scope
from anjian.inspections.choices import InspectionKind, InspectionStatus
from anjian.plans import services
from anjian.plans.choices import PlanStatus, TaskState
from anjian.plans.models import MANAGE, VIEW, FrequencyRule, InspectionPlan, InspectionTask
from anjian.plans.selectors import (
    late_tasks_for,
    my_tasks_for,
    plan_progress,
    task_list_for,
)
from anjian.plans.workflow import allowed_actions
from anjian.units.models import Grade

router = Router(tags=["plans"])

INSPECT = services.INSPECT
MAX_LIMIT = 200


def _require(request: HttpRequest, action: str = VIEW) -> None:
    if get_scope(request.auth).can(action):
        return
    if action == INSPECT:
        raise PermissionDenied(_("Your roles do not include inspecting."))
    raise PermissionDenied(_("Your roles do not include the inspection plan."))


# --- Schemas -------------------------------------------------------------------------------------


class RefOut(Schema):
    id: int
    name: str


class PlanOut(Schema):
    id: int
    town: RefOut
    year: int
    status: PlanStatus
    status_label: str
    random_share: int = Field(description="Per cent of the units that are not key units")
    random_seed: int = Field(description="The seed of the random draw (双随机)")
    generated_at: datetime.datetime | None
    published_at: datetime.datetime | None
    tasks: int = Field(description="Tasks you may see")
    done: int
    late: int
    version: int = Field(description="Send it back as expected_version")
    allowed_actions: list[str]


class PlanPageOut(Schema):
    items: list[PlanOut]
    count: int


class PlanFilterIn(Schema):
    year: Year | None = None
    town_id: Id | None = None
    status: PlanStatus | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class GenerateIn(Schema):
    town_id: Id
    year: Year
    random_share: int | None = Field(None, ge=0, le=100)
    seed: BigInt | None = Field(None, ge=0, description="The same seed repeats a draw")


class PublishIn(Schema):
    expected_version: DbInt


class ProgressRowOut(Schema):
    key: str
    label: str
    planned: int
    done: int
    late: int
    rate: int = Field(description="Per cent done")


class ProgressOut(Schema):
    plan_id: int
    on: datetime.date
    total: ProgressRowOut
    by_month: list[ProgressRowOut]
    by_person: list[ProgressRowOut]
    by_kind: list[ProgressRowOut]
    by_grade: list[ProgressRowOut]
    by_category: list[ProgressRowOut]


class RuleOut(Schema):
    id: int
    town: RefOut
    grade: str
    grade_label: str
    category: RefOut | None
    kind: str
    kind_label: str
    visits_per_year: int
    version: int


class RulePageOut(Schema):
    items: list[RuleOut]
    count: int


class RuleCreateIn(Schema):
    town_id: Id
    category_code: str
    kind: str
    visits_per_year: SmallInt


class RuleUpdateIn(Schema):
    visits_per_year: SmallInt
    expected_version: DbInt | None = None


class TaskOut(Schema):
    id: int
    plan_id: int
    year: int
    month: int
    due_date: datetime.date
    unit: RefOut
    village: str
    grade: str
    kind: InspectionKind
    kind_label: str
    assignee: RefOut | None
    is_random: bool
    state: TaskState
    state_label: str
    inspection_id: int | None
    inspection_status: str | None
    version: int


class TaskPageOut(Schema):
    items: list[TaskOut]
    count: int


class TaskFilterIn(Schema):
    q: str | None = Field(None, description="Unit, person or village")
    plan: Id | None = Field(None, description="Plan id")
    year: Year | None = None
    month: int | None = Field(None, ge=1, le=12)
    kind: InspectionKind | None = None
    state: TaskState | None = None
    assignee: Id | None = Field(None, description="User id")
    category: Id | None = Field(None, description="Unit category id")
    grade: Grade | None = None
    unit: Id | None = Field(None, description="Unit id")
    is_random: bool | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class LateFilterIn(Schema):
    plan_id: Id | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class ReassignIn(Schema):
    assignee_id: Id | None = Field(None, description="Empty: not assigned")
    reason: str = Field("", description="Required once the plan is published")
    expected_version: DbInt | None = None


class StartIn(Schema):
    checklist_id: Id | None = Field(None, description="Default: the first suited checklist")
    client_key: uuid.UUID | None = Field(
        None, description="Sending it again returns the same inspection"
    )


class StartOut(Schema):
    task: TaskOut
    inspection_id: int
    inspection_url: str


# --- Building the answers -----------------------------------------------------------------------


def _person(user) -> dict | None:
    return {"id": user.pk, "name": user.name or user.username} if user else None


def _plan_row(plan: InspectionPlan, user) -> dict:
    scope = get_scope(user)
    return {
        "id": plan.pk,
        "town": {"id": plan.town_id, "name": plan.town.name},
        "year": plan.year,
        "status": plan.status,
        "status_label": choice_label(PlanStatus, plan.status),
        "random_share": plan.random_share,
        "random_seed": plan.random_seed,
        "generated_at": plan.generated_at,
        "published_at": plan.published_at,
        "tasks": plan.n_tasks,
        "done": plan.n_done,
        "late": plan.n_late,
        "version": plan.version,
        "allowed_actions": allowed_actions(plan.status, scope.can),
    }


def _plans(user):
    visible = InspectionTask.objects.for_action(user, VIEW).values("pk")
    mine = Q(tasks__pk__in=visible)
    done = Q(tasks__inspection__status=InspectionStatus.FINISHED)
    return (
        InspectionPlan.objects.for_action(user, VIEW)
        .select_related("town")
        .annotate(
            n_tasks=Count("tasks", filter=mine),
            n_done=Count("tasks", filter=mine & done),
            n_late=Count(
                "tasks", filter=mine & ~done & Q(tasks__due_date__lt=timezone.localdate())
            ),
        )
        .order_by("-year", "town__code", "pk")
    )


def _task_row(task: InspectionTask) -> dict:
    return {
        "id": task.pk,
        "plan_id": task.plan_id,
        "year": task.plan.year,
        "month": task.month,
        "due_date": task.due_date,
        "unit": {"id": task.unit_id, "name": task.unit.name},
        "village": task.unit.region.name,
        "grade": task.unit.grade,
        "kind": task.kind,
        "kind_label": choice_label(InspectionKind, task.kind),
        "assignee": _person(task.assignee),
        "is_random": task.is_random,
        "state": task.state,
        "state_label": choice_label(TaskState, task.state),
        "inspection_id": task.inspection_id,
        "inspection_status": task.inspection.status if task.inspection_id else None,
        "version": task.version,
    }


def _task(user, task_id: int) -> dict:
    qs, _filterset = task_list_for(user, {})
    task = qs.filter(pk=task_id).first()
    if task is None:
        from django.http import Http404

        raise Http404
    return _task_row(task)


def _rule_row(rule: FrequencyRule) -> dict:
    return {
        "id": rule.pk,
        "town": {"id": rule.town_id, "name": rule.town.name},
        "grade": rule.grade,
        "grade_label": choice_label(Grade, rule.grade) if rule.grade else "",
        "category": {"id": rule.category_id, "name": rule.category.name}
        if rule.category_id
        else None,
        "kind": rule.kind,
        "kind_label": choice_label(InspectionKind, rule.kind),
        "visits_per_year": rule.visits_per_year,
        "version": rule.version,
    }


def _task_filters(filters: Schema) -> dict[str, str]:
    out = {}
    for key, value in filters.model_dump(exclude={"q", "limit", "offset"}).items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


# --- Plans ----------------------------------------------------------------------------------------


@router.get("", response=PlanPageOut, operation_id="plans_list", summary="List inspection plans")
def plans_list(request: HttpRequest, filters: Query[PlanFilterIn]):
    """The plans you may see, newest year first, with the counts of the tasks you may see."""
    _require(request)
    qs = _plans(request.auth)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.town_id:
        qs = qs.filter(town_id=filters.town_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": [_plan_row(p, request.auth) for p in rows], "count": qs.count()}


@router.get(
    "/{int:plan_id}", response=PlanOut, operation_id="plans_get", summary="One inspection plan"
)
def plans_get(request: HttpRequest, plan_id: Id):
    _require(request)
    plan = _plans(request.auth).filter(pk=plan_id).first()
    if plan is None:
        from django.http import Http404

        raise Http404
    return _plan_row(plan, request.auth)


@router.post(
    "/generate",
    response={201: PlanOut},
    operation_id="plans_generate",
    summary="Generate the year's plan of a town (or a draft again)",
)
def plans_generate(request: HttpRequest, payload: GenerateIn):
    """The tasks come from the town's frequencies; a draft generated again keeps the tasks
    already inspected and replaces the others. A published plan: 409."""
    _require(request, MANAGE)
    plan = services.plan_generate(actor=request.auth, **payload.model_dump())
    return Status(201, plans_get(request, plan.pk))


@router.post(
    "/{int:plan_id}/publish",
    response=PlanOut,
    operation_id="plans_publish",
    summary="Publish a draft plan",
)
def plans_publish(request: HttpRequest, plan_id: Id, payload: PublishIn):
    _require(request, MANAGE)
    services.plan_publish(
        actor=request.auth, plan_id=plan_id, expected_version=payload.expected_version
    )
    return plans_get(request, plan_id)


@router.get(
    "/{int:plan_id}/progress",
    response=ProgressOut,
    operation_id="plans_progress",
    summary="Planned, done and late tasks by month, person, kind, grade and category",
)
def plans_progress(request: HttpRequest, plan_id: Id, filters: Query[TaskFilterIn]):
    """Counted over the tasks you may see (an expert: the contracted units')."""
    _require(request)
    plan = services.plan_get_for(request.auth, plan_id)
    progress = plan_progress(request.auth, plan, _task_filters(filters))
    return {
        "plan_id": plan.pk,
        "on": progress.on,
        "total": progress.total.as_dict(),
        **{f"by_{key}": [row.as_dict() for row in rows] for key, _title, rows in progress.tables()},
    }


# --- Frequencies ----------------------------------------------------------------------------------


@router.get(
    "/frequency-rules",
    response=RulePageOut,
    operation_id="plans_frequency_rules_list",
    summary="The inspection frequencies of the towns you may see",
)
def plans_frequency_rules_list(request: HttpRequest, town_id: Id | None = None):
    """A town's defaults are created on first use (when you may manage its plan)."""
    _require(request)
    if get_scope(request.auth).can(MANAGE):
        for town in services.towns_for(request.auth).filter(**({"pk": town_id} if town_id else {})):
            services.frequency_rules_ensure(actor=request.auth, town_id=town.pk)
    qs = (
        FrequencyRule.objects.for_action(request.auth, VIEW)
        .select_related("town", "category")
        .order_by("town__code", "category__name", "grade", "kind", "pk")
    )
    if town_id:
        qs = qs.filter(town_id=town_id)
    rows = [_rule_row(r) for r in qs]
    return {"items": rows, "count": len(rows)}


@router.post(
    "/frequency-rules",
    response={201: RuleOut},
    operation_id="plans_frequency_rules_create",
    summary="Add a frequency for the units carrying a category",
)
def plans_frequency_rules_create(request: HttpRequest, payload: RuleCreateIn):
    _require(request, MANAGE)
    rule = services.frequency_rule_create(actor=request.auth, **payload.model_dump())
    return Status(201, _rule_row(rule))


@router.patch(
    "/frequency-rules/{int:frequency_rule_id}",
    response=RuleOut,
    operation_id="plans_frequency_rules_update",
    summary="Change the visits a year of a frequency",
)
def plans_frequency_rules_update(
    request: HttpRequest, frequency_rule_id: Id, payload: RuleUpdateIn
):
    _require(request, MANAGE)
    rule = services.frequency_rule_update(
        actor=request.auth,
        rule_id=frequency_rule_id,
        visits_per_year=payload.visits_per_year,
        expected_version=payload.expected_version,
    )
    return _rule_row(FrequencyRule.objects.select_related("town", "category").get(pk=rule.pk))


# --- Tasks ----------------------------------------------------------------------------------------


@router.get("/tasks", response=TaskPageOut, operation_id="plans_tasks_list", summary="List tasks")
def plans_tasks_list(request: HttpRequest, filters: Query[TaskFilterIn]):
    """The tasks you may see, by due date, with their state derived from the inspection."""
    _require(request)
    qs, _filterset = task_list_for(request.auth, _task_filters(filters), search=filters.q or "")
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": [_task_row(t) for t in rows], "count": qs.count()}


@router.get(
    "/tasks/mine",
    response=TaskPageOut,
    operation_id="plans_tasks_mine",
    summary="My tasks: this month's first, then the late ones",
)
def plans_tasks_mine(request: HttpRequest, filters: Query[TaskFilterIn]):
    _require(request)
    qs, _filterset = my_tasks_for(request.auth, _task_filters(filters), search=filters.q or "")
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": [_task_row(t) for t in rows], "count": qs.count()}


@router.get(
    "/tasks/late",
    response=TaskPageOut,
    operation_id="plans_tasks_late",
    summary="Late tasks: due date passed, not done",
)
def plans_tasks_late(request: HttpRequest, filters: Query[LateFilterIn]):
    _require(request)
    qs = late_tasks_for(request.auth, plan_id=filters.plan_id)
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": [_task_row(t) for t in rows], "count": qs.count()}


@router.get(
    "/tasks/{int:task_id}", response=TaskOut, operation_id="plans_tasks_get", summary="One task"
)
def plans_tasks_get(request: HttpRequest, task_id: Id):
    _require(request)
    return _task(request.auth, task_id)


@router.post(
    "/tasks/{int:task_id}/reassign",
    response=TaskOut,
    operation_id="plans_tasks_reassign",
    summary="Give a task to someone else (with a reason once published)",
)
def plans_tasks_reassign(request: HttpRequest, task_id: Id, payload: ReassignIn):
    _require(request, MANAGE)
    services.task_reassign(actor=request.auth, task_id=task_id, **payload.model_dump())
    return _task(request.auth, task_id)


@router.post(
    "/tasks/{int:task_id}/start",
    response={200: StartOut, 201: StartOut},
    operation_id="plans_tasks_start",
    summary="Start the inspection of a task (idempotent)",
)
def plans_tasks_start(request: HttpRequest, task_id: Id, payload: StartIn):
    """201 with a new inspection linked to the task; 200 when the task already had it."""
    _require(request, INSPECT)
    before = (
        InspectionTask.objects.for_action(request.auth, VIEW)
        .filter(pk=task_id)
        .values_list("inspection_id", flat=True)
        .first()
    )
    inspection = services.task_start(
        actor=request.auth,
        task_id=task_id,
        checklist_id=payload.checklist_id,
        client_key=payload.client_key,
    )
    body = {
        "task": _task(request.auth, task_id),
        "inspection_id": inspection.pk,
        "inspection_url": f"/api/v1/inspections/{inspection.pk}",
    }
    return Status(200 if before == inspection.pk else 201, body)
