"""Every write of the annual plan: the town's frequencies, generating a plan (and a draft again),
publishing it, reassigning a task, starting the inspection of a task and linking an inspection
made without the task.

Each service is keyword-only with ``actor`` first, runs in one transaction, re-reads its target
through ``for_action`` (404 outside the scope), checks the plan's transition table, writes with
compare-and-set on ``version`` (``StaleObject`` when someone else changed it) and appends one audit
record. Generation loads the town's facts in a fixed number of queries and bulk-inserts the tasks:
its cost does not grow in queries with the number of units.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import RoleAssignment
from anjian.accounts.roles import Role
from anjian.audit.services import audit_record, snapshot
from anjian.core.calendar import WorkingCalendar
from anjian.core.exceptions import InvalidTransition, StaleObject
from anjian.core.scoping import get_scope
from anjian.inspections.choices import InspectionStatus
from anjian.inspections.models import Inspection
from anjian.plans.choices import PLAN_KINDS, VISIT_VALUES, PlanStatus
from anjian.plans.generation import (
    DEFAULT_FREQUENCIES,
    Facts,
    PlannedTask,
    Rule,
    UnitFacts,
    due_dates,
    schedule,
)
from anjian.plans.models import MANAGE, VIEW, FrequencyRule, InspectionPlan, InspectionTask
from anjian.plans.workflow import PLAN_TRANSITIONS
from anjian.regions.models import Region, RegionLevel
from anjian.units.models import AssignmentStatus, Category, ExpertAssignment, Unit, UnitStatus

INSPECT = "inspections.inspect"
MIN_YEAR, MAX_YEAR = 2000, 2100
TASK_NAMESPACE = uuid.UUID("0b6f1d52-8c3e-4f7a-9d21-5e8a7c3b1f40")
RULE_FIELDS = ["town", "grade", "category", "kind", "visits_per_year", "version"]
PLAN_FIELDS = ["town", "year", "status", "random_share", "random_seed", "version"]
TASK_FIELDS = ["plan", "unit", "month", "due_date", "kind", "assignee", "is_random", "inspection"]


def _require(actor, action: str) -> None:
    if not get_scope(actor).can(action):
        raise PermissionDenied(_("Your roles do not include the inspection plan."))


def towns_for(user, action: str = MANAGE):
    """The towns where ``user`` may do ``action`` to plans (the office: its own town)."""
    return Region.objects.for_action(user, action).filter(level=RegionLevel.TOWN).order_by("code")


def _town_for(actor, town_id: int, *, lock: bool = False) -> Region:
    """The town ``actor`` manages plans of (404 outside the scope). ``lock`` takes the town's row
    until the transaction ends: the writes that create a town's rows (its plan of a year, its
    frequencies) run one after the other, so the second finds what the first created. (FOR NO
    KEY UPDATE: rows that merely refer to the town are not held up.)"""
    _require(actor, MANAGE)
    towns = towns_for(actor)
    if lock:
        towns = towns.select_for_update(no_key=True)
    town = towns.filter(pk=town_id).first()
    if town is None:
        raise Http404
    return town


# --- Frequencies ---------------------------------------------------------------------------------


def _ensure_rules(town: Region, actor) -> int:
    """Create the default grade rules a town lacks (two queries when all are there)."""
    have = set(
        FrequencyRule.objects.filter(town=town, category__isnull=True).values_list("grade", "kind")
    )
    missing = [
        FrequencyRule(town=town, grade=grade, kind=kind, visits_per_year=visits)
        for kind, by_grade in DEFAULT_FREQUENCIES.items()
        for grade, visits in by_grade.items()
        if (grade, kind) not in have
    ]
    if missing:
        FrequencyRule.objects.bulk_create(missing)
        audit_record(
            actor=actor,
            action="frequency_rules.defaults_created",
            obj=town,
            changes={"rules": [[r.grade, r.kind, r.visits_per_year] for r in missing]},
            region_id=town.pk,
        )
    return len(missing)


@transaction.atomic
def frequency_rules_ensure(*, actor, town_id: int) -> int:
    """The town's frequencies, with the defaults created on first use; the number created."""
    return _ensure_rules(_town_for(actor, town_id, lock=True), actor)


def _clean_visits(visits_per_year: Any) -> int:
    try:
        visits = int(visits_per_year)
    except (TypeError, ValueError):
        visits = -1
    if visits not in VISIT_VALUES:
        raise ValidationError(
            {"visits_per_year": _("Choose how often: 0, 1, 2, 3, 4, 6 or 12 visits a year.")}
        )
    return visits


@transaction.atomic
def frequency_rule_update(
    *, actor, rule_id: int, visits_per_year: int, expected_version: int | None = None
) -> FrequencyRule:
    """Change how often the units of a rule are visited (applies to plans generated later)."""
    _require(actor, MANAGE)
    rule = FrequencyRule.objects.for_action(actor, MANAGE).filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    visits = _clean_visits(visits_per_year)
    if visits == rule.visits_per_year:
        return rule
    before = snapshot(rule, RULE_FIELDS)
    version = rule.version if expected_version is None else expected_version
    n = FrequencyRule.objects.filter(pk=rule.pk, version=version).update(
        visits_per_year=visits, version=F("version") + 1, updated_at=timezone.now()
    )
    if n != 1:
        raise StaleObject()
    rule.refresh_from_db()
    audit_record(
        actor=actor,
        action="frequency_rule.updated",
        obj=rule,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
        region_id=rule.town_id,
    )
    return rule


@transaction.atomic
def frequency_rule_create(
    *, actor, town_id: int, category_code: str, kind: str, visits_per_year: int
) -> FrequencyRule:
    """A rule for the units carrying one category (e.g. 消防重点单位 monthly)."""
    town = _town_for(actor, town_id, lock=True)
    category = Category.objects.filter(code=category_code, is_active=True).first()
    errors = {}
    if category is None:
        errors["category_code"] = _("Choose a unit category in use.")
    if kind not in {str(k) for k in PLAN_KINDS}:
        errors["kind"] = _("Choose the kind of inspection.")
    if errors:
        raise ValidationError(errors)
    visits = _clean_visits(visits_per_year)
    if FrequencyRule.objects.filter(town=town, category=category, kind=kind).exists():
        raise ValidationError(
            {"category_code": _("This category already has a frequency for this kind.")}
        )
    rule = FrequencyRule.objects.create(
        town=town, category=category, kind=kind, visits_per_year=visits
    )
    audit_record(
        actor=actor,
        action="frequency_rule.created",
        obj=rule,
        after=snapshot(rule, RULE_FIELDS),
        region_id=town.pk,
    )
    return rule


# --- Generating a plan -----------------------------------------------------------------------------


def _clean_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = 0
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    return value


def _clean_share(share: Any) -> int:
    try:
        value = int(share)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 100:
        raise ValidationError(
            {"random_share": _("The share drawn at random is between 0 and 100 per cent.")}
        )
    return value


def load_facts(town: Region, plan: InspectionPlan | None) -> Facts:
    """Everything the schedule needs about ``town``, in a fixed number of queries."""
    rules = [
        Rule(grade, category_id, kind, visits)
        for grade, category_id, kind, visits in FrequencyRule.objects.filter(
            town=town, visits_per_year__gt=0
        ).values_list("grade", "category_id", "kind", "visits_per_year")
    ]
    category_ids = sorted({r.category_id for r in rules if r.category_id})
    in_town = Unit.objects.filter(region__parent=town).exclude(
        status__in=[UnitStatus.CLOSED, UnitStatus.MOVED]
    )
    carried: dict[int, set[int]] = {}
    if category_ids:
        pairs = Unit.categories.through.objects.filter(
            unit__in=in_town.values("pk"), category_id__in=category_ids
        ).values_list("unit_id", "category_id")
        for unit_id, category_id in pairs:
            carried.setdefault(unit_id, set()).add(category_id)
    units = [
        UnitFacts(pk, grade or suggested or "blue", village_id, frozenset(carried.get(pk, ())))
        for pk, grade, suggested, village_id in in_town.order_by("pk").values_list(
            "pk", "grade", "suggested_grade", "region_id"
        )
    ]
    roles = RoleAssignment.objects.filter(is_active=True, user__is_active=True)
    inspectors = sorted(
        set(
            roles.filter(role=Role.INSPECTOR, region__path__startswith=town.path).values_list(
                "user_id", flat=True
            )
        )
    )
    officers: dict[int, list[int]] = {}
    for village_id, user_id in (
        roles.filter(role=Role.VILLAGE_OFFICER, region__parent=town)
        .order_by("user_id")
        .values_list("region_id", "user_id")
    ):
        officers.setdefault(village_id, []).append(user_id)
    experts = dict(
        ExpertAssignment.objects.filter(
            unit__region__parent=town, status=AssignmentStatus.ACTIVE
        ).values_list("unit_id", "engineer__user_id")
    )
    kept = []
    if plan is not None:
        kept = [
            PlannedTask(*row)
            for row in InspectionTask.objects.filter(
                plan=plan, inspection__isnull=False
            ).values_list("unit_id", "month", "kind", "assignee_id", "is_random")
        ]
    return Facts(units, rules, inspectors, experts, officers, kept)


@transaction.atomic
def plan_generate(
    *,
    actor,
    town_id: int,
    year: int,
    random_share: int | None = None,
    seed: int | None = None,
) -> InspectionPlan:
    """Generate the year's plan of a town (a draft), or generate a draft again: its untouched
    tasks are replaced, the tasks already inspected stay. A published plan is refused.

    Two first generations at once run one after the other: the town's row is locked before the
    plan is looked for (locking the plan locks nothing while there is none), so the second
    generates again the draft the first created. The plan's row is locked too, against a
    publication at the same moment."""
    town = _town_for(actor, town_id, lock=True)
    year = _clean_year(year)
    plan = InspectionPlan.objects.select_for_update().filter(town=town, year=year).first()
    if plan is not None and plan.status not in PLAN_TRANSITIONS["generate"].sources:
        raise InvalidTransition(
            plan.get_status_display(),
            str(PLAN_TRANSITIONS["generate"].label),
            _("This plan is published: its tasks change only by reassignment."),
        )
    share = _clean_share(
        random_share if random_share is not None else (plan.random_share if plan else 20)
    )
    seed = int(seed) if seed not in (None, "") else secrets.randbelow(2**31)
    _ensure_rules(town, actor)
    if plan is None:
        plan = InspectionPlan.objects.create(town=town, year=year, random_share=share)
    facts = load_facts(town, plan)
    replaced, _by_model = InspectionTask.objects.filter(plan=plan, inspection__isnull=True).delete()
    planned = schedule(facts, seed=seed, share=share)
    dues = due_dates(year, WorkingCalendar())
    InspectionTask.objects.bulk_create(
        [
            InspectionTask(
                plan=plan,
                unit_id=t.unit_id,
                month=t.month,
                due_date=dues[t.month],
                kind=t.kind,
                assignee_id=t.assignee_id,
                is_random=t.is_random,
            )
            for t in planned
        ]
    )
    before = snapshot(plan, PLAN_FIELDS)
    InspectionPlan.objects.filter(pk=plan.pk).update(
        random_share=share,
        random_seed=seed,
        generated_at=timezone.now(),
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    plan.refresh_from_db()
    drawn = sorted(t.unit_id for t in planned if t.is_random)
    audit_record(
        actor=actor,
        action="inspection_plan.generated",
        obj=plan,
        before=before,
        after=snapshot(plan, PLAN_FIELDS),
        changes={
            "seed": seed,
            "random_share": share,
            "tasks_created": len(planned),
            "tasks_replaced": replaced,
            "tasks_kept": len(facts.kept),
            "units": len(facts.units),
            "random_units": drawn,
        },
        region_id=town.pk,
    )
    plan.tasks_created = len(planned)
    return plan


def plan_get_for(user, plan_id: int, *, action: str = VIEW, lock: bool = False) -> InspectionPlan:
    qs = InspectionPlan.objects.for_action(user, action).select_related("town")
    if lock:
        qs = qs.select_for_update(of=("self",))
    plan = qs.filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


@transaction.atomic
def plan_publish(*, actor, plan_id: int, expected_version: int | None = None) -> InspectionPlan:
    """Publish a draft: the tasks are the year's work from now on."""
    _require(actor, MANAGE)
    plan = plan_get_for(actor, plan_id, action=MANAGE)
    move = PLAN_TRANSITIONS["publish"]
    if plan.status not in move.sources:
        raise InvalidTransition(plan.get_status_display(), str(move.label))
    if not plan.tasks.exists():
        raise ValidationError(_("Generate the tasks before publishing the plan."))
    before = snapshot(plan, PLAN_FIELDS)
    version = plan.version if expected_version is None else expected_version
    now = timezone.now()
    n = InspectionPlan.objects.filter(pk=plan.pk, version=version, status=plan.status).update(
        status=move.target,
        published_at=now,
        published_by=actor,
        updated_at=now,
        version=F("version") + 1,
    )
    if n != 1:
        raise StaleObject()
    plan.refresh_from_db()
    audit_record(
        actor=actor,
        action="inspection_plan.published",
        obj=plan,
        before=before,
        after=snapshot(plan, PLAN_FIELDS),
        region_id=plan.town_id,
    )
    return plan


# --- Tasks ---------------------------------------------------------------------------------------


def task_get_for(user, task_id: int, *, action: str = VIEW, lock: bool = False) -> InspectionTask:
    qs = InspectionTask.objects.for_action(user, action).select_related(
        "plan__town", "unit__region", "assignee", "inspection"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    task = qs.filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


def _is_done(task: InspectionTask) -> bool:
    return task.inspection_id is not None and task.inspection.status == InspectionStatus.FINISHED


def assignable_users(task: InspectionTask):
    """The people who may be given the task: active users who may inspect its unit (checked one
    by one when chosen; the form offers the town's inspectors, the unit's engineer and the
    village's officers)."""
    roles = RoleAssignment.objects.filter(is_active=True, user__is_active=True)
    town = task.plan.town
    ids = set(
        roles.filter(
            role__in=[Role.INSPECTOR, Role.TOWN_OFFICE], region__path__startswith=town.path
        ).values_list("user_id", flat=True)
    )
    ids |= set(
        roles.filter(role=Role.VILLAGE_OFFICER, region_id=task.unit.region_id).values_list(
            "user_id", flat=True
        )
    )
    ids |= set(
        ExpertAssignment.objects.filter(
            unit_id=task.unit_id, status=AssignmentStatus.ACTIVE, engineer__user__isnull=False
        ).values_list("engineer__user_id", flat=True)
    )
    return get_user_model().objects.filter(pk__in=ids).order_by("name", "username")


@transaction.atomic
def task_reassign(
    *,
    actor,
    task_id: int,
    assignee_id: int | None,
    reason: str = "",
    expected_version: int | None = None,
) -> InspectionTask:
    """Give a task to someone else. Once the plan is published a reason is required."""
    _require(actor, MANAGE)
    task = task_get_for(actor, task_id, action=MANAGE, lock=True)
    reason = (reason or "").strip()
    if _is_done(task):
        raise InvalidTransition(
            str(_("Done")), str(_("Reassign")), _("This task is done: it can no longer change.")
        )
    if task.plan.status == PlanStatus.PUBLISHED and not reason:
        raise ValidationError({"reason": _("Give the reason for the change of a published plan.")})
    assignee = None
    if assignee_id not in (None, ""):
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if (
            assignee is None
            or not Unit.objects.for_action(assignee, INSPECT).filter(pk=task.unit_id).exists()
        ):
            raise ValidationError({"assignee": _("This person may not inspect this unit.")})
    if (assignee.pk if assignee else None) == task.assignee_id:
        return task
    before = snapshot(task, TASK_FIELDS)
    version = task.version if expected_version is None else expected_version
    n = InspectionTask.objects.filter(pk=task.pk, version=version).update(
        assignee=assignee, version=F("version") + 1
    )
    if n != 1:
        raise StaleObject()
    task.refresh_from_db()
    audit_record(
        actor=actor,
        action="inspection_task.reassigned",
        obj=task,
        before=before,
        after=snapshot(task, TASK_FIELDS),
        reason=reason,
        region_id=task.plan.town_id,
    )
    return task


def default_checklist_for(user, unit) -> int | None:
    """The first published checklist suited to the unit (the inspections' own order)."""
    from anjian.inspections.selectors import checklists_for_unit

    versions = checklists_for_unit(user, unit)
    return versions[0].pk if versions else None


def _link(actor, task: InspectionTask, inspection: Inspection, action: str) -> None:
    before = snapshot(task, TASK_FIELDS)
    n = InspectionTask.objects.filter(pk=task.pk, version=task.version).update(
        inspection=inspection, version=F("version") + 1
    )
    if n != 1:
        raise StaleObject()
    task.refresh_from_db()
    audit_record(
        actor=actor,
        action=action,
        obj=task,
        before=before,
        after=snapshot(task, TASK_FIELDS),
        region_id=task.plan.town_id,
    )


@transaction.atomic
def task_start(
    *,
    actor,
    task_id: int,
    checklist_id: int | None = None,
    client_key: uuid.UUID | str | None = None,
    officers: Sequence = (),
) -> Inspection:
    """Start the inspection of a task (its kind; the checklist chosen or the first suited one)
    and link it to the task. Idempotent: a task being inspected (or done) answers with its
    inspection; a start sent twice with the same ``client_key`` makes one inspection."""
    from anjian.inspections.services import inspection_start

    task = task_get_for(actor, task_id, lock=True)
    if task.inspection_id and task.inspection.status != InspectionStatus.CANCELLED:
        return task.inspection
    if not get_scope(actor).can(INSPECT):
        raise PermissionDenied(_("Your roles do not include inspecting."))
    checklist_id = checklist_id or default_checklist_for(actor, task.unit)
    if not checklist_id:
        raise ValidationError({"checklist": _("Choose a published checklist.")})
    if client_key in (None, ""):
        # One key per task and attempt: a retried start finds the same inspection.
        client_key = uuid.uuid5(TASK_NAMESPACE, f"{task.pk}:{task.inspection_id or 0}")
    inspection = inspection_start(
        actor=actor,
        unit_id=task.unit_id,
        checklist_id=checklist_id,
        kind=task.kind,
        client_key=client_key,
        officers=officers,
    )
    # Another task given the same key at the same moment has waited in ``inspection_start`` (the
    # key is unique) until this one's transaction ended, so it finds the link made here.
    if InspectionTask.objects.filter(inspection=inspection).exclude(pk=task.pk).exists():
        raise ValidationError(
            {"client_key": _("This inspection belongs to another task; start with a new one.")}
        )
    if task.inspection_id != inspection.pk:
        _link(actor, task, inspection, "inspection_task.started")
    return inspection


@transaction.atomic
def task_link(*, actor, task_id: int, inspection_id: int) -> InspectionTask:
    """Link an inspection made without the task (same unit, not cancelled) to the task."""
    _require(actor, MANAGE)
    task = task_get_for(actor, task_id, action=MANAGE, lock=True)
    # The inspection's row is locked too: two tasks linking it at once are taken one after the
    # other, and the second finds it taken (instead of the database refusing a second link).
    inspection = (
        Inspection.objects.for_action(actor, "inspections.view")
        .select_for_update(of=("self",))
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        raise Http404
    if inspection.unit_id != task.unit_id or inspection.status == InspectionStatus.CANCELLED:
        raise ValidationError({"inspection": _("Choose an inspection of this unit.")})
    if task.inspection_id == inspection.pk:
        return task
    if task.inspection_id and task.inspection.status != InspectionStatus.CANCELLED:
        raise ValidationError({"inspection": _("This task already has its inspection.")})
    if InspectionTask.objects.filter(inspection=inspection).exists():
        raise ValidationError({"inspection": _("This inspection belongs to another task.")})
    _link(actor, task, inspection, "inspection_task.linked")
    return task
