"""Access is proven, not sampled: every URL pattern and every API operation, for every persona.

- Every view must be marked (a scoped class-based view with ``action``, or ``@scoped``,
  ``@login_only`` or ``@public``): a view added later without a marker fails here.
- For every URL and operation that addresses one object, each persona is given objects *outside*
  its scope (another town, another district) and must be refused with 403 or 404 — by GET and by
  POST/DELETE — and nothing may change.
- For every list, each persona sees only rows inside its scope.
- A persona whose roles lack the action gets 403; an anonymous visitor is sent to log in (pages) or
  gets 401 (API).

To cover a new URL or operation, register its model below (``FUNCTION_VIEW_OBJECTS``,
``PATH_PARAMS``, ``LIST_OPERATIONS``, ``ACTION_OPERATIONS``).
"""

from __future__ import annotations

import copy
import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from anjian.accounts.models import ApiToken, RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.accounts.scope import get_user_scope
from anjian.accounts.services import api_token_issue, role_assign, user_create
from anjian.audit.models import AuditEntry
from anjian.core.jobs import job_start
from anjian.core.models import ImportRun, Job
from anjian.core.testing import layers
from anjian.core.testing.world import PERSONAS, World
from anjian.core.views import ScopedViewMixin
from anjian.enforcement.models import IssuedDocument
from anjian.hazards.models import (
    Hazard,
    HazardPhoto,
    HazardSubGrade,
    MonthlyReport,
    StatisticsStatement,
    TipOff,
    TipOffPhoto,
)
from anjian.hazards.photos import photo_fields, photo_process
from anjian.hazards.tests.factories import jpeg_bytes, make_hazard
from anjian.inspections.models import ChecklistTemplate, ChecklistVersion, Inspection, ResultPhoto
from anjian.inspections.services import inspection_start, result_record
from anjian.inspections.templates import template_copy, version_publish
from anjian.inspections.tests.factories import make_checklist
from anjian.notifications.models import Notification
from anjian.notifications.services import notify
from anjian.regions.models import Region, RegionLevel
from anjian.regions.services import region_create
from anjian.teams.models import Committee, CommitteeKind
from anjian.units.documents import document_create, person_create
from anjian.units.experts import engineer_create, expert_assign, firm_create
from anjian.units.importers import template_bytes, units_import_start
from anjian.units.models import (
    Engineer,
    ExpertAssignment,
    Invitation,
    ServiceFirm,
    Unit,
    UnitChangeRequest,
    UnitDocument,
    UnitKind,
    UnitPerson,
)
from tests import access_parts

pytestmark = pytest.mark.django_db

REFUSED = {403, 404}
SKIP_NAMESPACES = {"admin"}  # Django's admin: staff-only, its own permission system


# --- Registries: what object a URL or operation addresses, and by which action -------------------

# Function views that take a pk: (model, action used to scope it).
FUNCTION_VIEW_OBJECTS: dict[str, tuple[type[models.Model], str]] = {
    "core:job_result": (Job, "jobs.view"),
    # units: the register
    "units:unit_edit": (Unit, "units.change"),
    # units: experts on contract
    "units:firm_edit": (ServiceFirm, "units.manage_experts"),
    "units:engineer_edit": (Engineer, "units.manage_experts"),
    "units:unit_experts": (Unit, "units.view"),
    "units:unit_expert_assign": (Unit, "units.request_expert_change"),
    "units:expert_assignment_approve": (ExpertAssignment, "units.manage_experts"),
    "units:expert_assignment_reject": (ExpertAssignment, "units.manage_experts"),
    # units: the file (documents, people)
    "units:document_file": (UnitDocument, "units.view"),
    "units:document_edit": (UnitDocument, "units.manage_file"),
    "units:document_delete": (UnitDocument, "units.manage_file"),
    "units:document_create": (Unit, "units.manage_file"),
    "units:person_create": (Unit, "units.manage_file"),
    "units:person_edit": (UnitPerson, "units.manage_file"),
    "units:person_delete": (UnitPerson, "units.manage_file"),
    "notifications:notification_read": (Notification, "accounts.own"),
    # units: QR codes, invitations, the enterprise's own edits and change requests
    "units:invitation_list": (Unit, "units.invite"),
    "units:invitation_revoke": (Invitation, "units.invite"),
    "units:my_unit_edit": (Unit, "units.edit_own"),
    "units:change_request_approve": (UnitChangeRequest, "units.decide_changes"),
    "units:change_request_reject": (UnitChangeRequest, "units.decide_changes"),
    "units:qr_sticker": (Unit, "units.view"),
    "units:qr_reissue": (Unit, "units.change"),
    # units: Excel import runs
    "units:unit_import_detail": (ImportRun, "units.import"),
    "units:unit_import_apply": (ImportRun, "units.import"),
    "units:unit_import_errors": (ImportRun, "units.import"),
    "units:unit_import_recheck": (ImportRun, "units.import"),
    "accounts:token_revoke": (ApiToken, "accounts.own"),
    "accounts:user_deactivate": (User, "accounts.manage_users"),
    "accounts:user_activate": (User, "accounts.manage_users"),
    "accounts:user_unlock": (User, "accounts.manage_users"),
    "accounts:user_role_add": (User, "accounts.manage_users"),
    "accounts:role_revoke": (RoleAssignment, "accounts.manage_users"),
    # hazards: the loop
    "hazards:hazard_edit": (Hazard, "hazards.record"),
    "hazards:hazard_add_photos": (Hazard, "hazards.record"),
    "hazards:hazard_action": (Hazard, "hazards.view"),
    "hazards:photo_image": (HazardPhoto, "hazards.view"),
    "hazards:photo_original": (HazardPhoto, "hazards.view"),
    # hazards: monthly reports and statistics statements
    "hazards:monthly_report_submit": (Unit, "hazards.report_monthly"),
    "hazards:statement_sign": (Unit, "hazards.report_monthly"),
    "hazards:statement_xlsx": (StatisticsStatement, "hazards.view"),
    # hazards: tip-offs
    "hazards:tipoff_accept": (TipOff, "hazards.triage_tip_offs"),
    "hazards:tipoff_dismiss": (TipOff, "hazards.triage_tip_offs"),
    "hazards:tipoff_photo": (TipOffPhoto, "hazards.triage_tip_offs"),
    # inspections: checklist templates
    "inspections:checklist_copy": (ChecklistTemplate, "inspections.view_templates"),
    "inspections:checklist_edit": (ChecklistTemplate, "inspections.manage_templates"),
    "inspections:checklist_draft_start": (ChecklistTemplate, "inspections.manage_templates"),
    "inspections:checklist_version_xlsx": (ChecklistVersion, "inspections.view_templates"),
    **{
        f"inspections:{name}": (ChecklistVersion, "inspections.manage_templates")
        for name in (
            "checklist_draft",
            "checklist_publish",
            "checklist_import",
            "checklist_section_add",
            "checklist_section_edit",
            "checklist_section_move",
            "checklist_section_delete",
            "checklist_item_add",
            "checklist_item_edit",
            "checklist_item_move",
            "checklist_item_delete",
        )
    },
    # inspections: inspecting
    "inspections:inspection_start": (Unit, "inspections.inspect"),
    "inspections:inspection_detail": (Inspection, "inspections.view"),
    "inspections:inspection_inspect": (Inspection, "inspections.inspect"),
    "inspections:result_save": (Inspection, "inspections.inspect"),
    "inspections:inspection_finish": (Inspection, "inspections.inspect"),
    "inspections:inspection_cancel": (Inspection, "inspections.inspect"),
    "inspections:photo_image": (ResultPhoto, "inspections.view"),
    "inspections:photo_original": (ResultPhoto, "inspections.view"),
    # enforcement: numbered documents
    "enforcement:document_download": (IssuedDocument, "enforcement.view"),
    "enforcement:site_record_issue": (Inspection, "enforcement.issue_documents"),
    "enforcement:order_issue": (Inspection, "enforcement.issue_documents"),
    "enforcement:recheck_issue": (IssuedDocument, "enforcement.issue_documents"),
}
# Other URL arguments and the value the walk uses.
PLAIN_KWARGS: dict[str, Any] = {
    "year": 2027,
    "code": "haz-chem-use",  # unit categories are shared settings, addressed by code
    "token": "unknown-token-0000000",  # a QR token nobody holds
    "action": "pass",  # a hazard action (the transition table's name)
    # Hazard sub-grades are shared settings, refused by role, not by scope; the walk makes this one.
    "subgrade_id": 9001,
    "receipt_code": "UNKNOWNCODE23",  # a tip-off receipt code nobody holds
    # Sections and items are addressed inside a checklist version or an inspection that is
    # checked first: out of scope answers 404 before the section or item is looked at.
    "section_id": 1,
    "item_id": 1,
}

# API path parameters: the model they address and the action that scopes it.
PATH_PARAMS: dict[str, tuple[type[models.Model], str]] = {
    "template_id": (ChecklistTemplate, "inspections.view_templates"),
    "version_id": (ChecklistVersion, "inspections.view_templates"),
    "inspection_id": (Inspection, "inspections.view"),
    "result_photo_id": (ResultPhoto, "inspections.view"),
    "issued_document_id": (IssuedDocument, "enforcement.view"),
    "unit_id": (Unit, "units.view"),
    "region_id": (Region, "regions.view"),
    "committee_id": (Committee, "teams.view"),
    "entry_id": (AuditEntry, "audit.view"),
    "user_id": (User, "accounts.view_users"),
    "token_id": (ApiToken, "accounts.own"),
    "job_id": (Job, "jobs.view"),
    "role_id": (RoleAssignment, "accounts.manage_users"),
    "firm_id": (ServiceFirm, "units.view_experts"),
    "engineer_id": (Engineer, "units.view_experts"),
    "assignment_id": (ExpertAssignment, "units.view"),
    "document_id": (UnitDocument, "units.view"),
    "person_id": (UnitPerson, "units.view"),
    "notification_id": (Notification, "accounts.own"),
    "invitation_id": (Invitation, "units.invite"),
    "request_id": (UnitChangeRequest, "units.decide_changes"),
    "run_id": (ImportRun, "units.import"),
    "hazard_id": (Hazard, "hazards.view"),
    "photo_id": (HazardPhoto, "hazards.view"),
    "report_id": (MonthlyReport, "hazards.view"),
    "statement_id": (StatisticsStatement, "hazards.view"),
    "tipoff_id": (TipOff, "hazards.triage_tip_offs"),
    "tipoff_photo_id": (TipOffPhoto, "hazards.triage_tip_offs"),
}
# List operations: the model of their rows and the action that scopes them.
LIST_OPERATIONS: dict[str, tuple[type[models.Model], str]] = {
    "checklists_list": (ChecklistTemplate, "inspections.view_templates"),
    "inspections_list": (Inspection, "inspections.view"),
    "documents_list": (IssuedDocument, "enforcement.view"),
    "units_list": (Unit, "units.view"),
    "regions_list": (Region, "regions.view"),
    "committees_list": (Committee, "teams.view"),
    "audit_entries_list": (AuditEntry, "audit.view"),
    "auth_users_list": (User, "accounts.view_users"),
    "auth_tokens_list": (ApiToken, "accounts.own"),
    "core_jobs_list": (Job, "jobs.view"),
    "experts_firms_list": (ServiceFirm, "units.view_experts"),
    "experts_engineers_list": (Engineer, "units.view_experts"),
    "experts_assignments_list": (ExpertAssignment, "units.view"),
    "unit_documents_search": (UnitDocument, "units.view"),
    "notifications_list": (Notification, "accounts.own"),
    "units_change_requests_list": (UnitChangeRequest, "units.decide_changes"),
    "hazards_list": (Hazard, "hazards.view"),
    "hazard_reports_monthly_list": (MonthlyReport, "hazards.view"),
    "hazard_reports_statements_list": (StatisticsStatement, "hazards.view"),
    "tip_offs_list": (TipOff, "hazards.triage_tip_offs"),
}


@dataclass(frozen=True)
class Multipart:
    """A ``multipart/form-data`` body; a callable value is called for each request (fresh files)."""

    fields: dict[str, Any]

    def data(self) -> dict[str, Any]:
        return {k: v() if callable(v) else v for k, v in self.fields.items()}


def _walk_photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("walk.jpg", jpeg_bytes(), content_type="image/jpeg")


HAZARD_FORM = {
    "unit_id": 1,
    "location": "走查",
    "description": "越权录入",
    "hazard_type": "unsafe_condition",
    "category": "other",
    "source": "town_inspection",
}

# Operations on no particular object that need an action (403 for roles without it), with a body
# valid enough to get past validation.
ACTION_OPERATIONS: dict[str, tuple[str, Any]] = {
    "inspections_start": ("inspections.inspect", {"unit_id": 999999, "checklist_id": 999999}),
    "auth_users_create": (
        "accounts.manage_users",
        {"username": "walker_new", "name": "新人", "password": "Walk#er2026x", "role": "inspector"},
    ),
    "core_calendar_year_put": ("calendar.manage", {"days": []}),
    "core_calendar_year_delete": ("calendar.manage", None),
    "regions_import": ("regions.manage", None),
    "audit_verify": ("audit.verify", None),
    "units_create": ("units.change", {"name": "走查", "region_id": 999999}),
    "units_import_template": ("units.import", None),
    "units_import_upload": ("units.import", "multipart"),
    "units_categories_list": ("units.view", None),
    "units_categories_create": (
        "units.manage_categories",
        {"code": "walk-new", "name": "走查", "group": "other"},
    ),
    "units_categories_update": ("units.manage_categories", {"name": "走查改名"}),
    "experts_firms_create": ("units.manage_experts", {"region_id": 1, "name": "越权"}),
    "experts_engineers_create": ("units.manage_experts", {"firm_id": 1, "name": "越权"}),
    "experts_assignments_create": (
        "units.request_expert_change",
        {"unit_id": 1, "engineer_id": 1, "reason": "越权"},
    ),
    "hazards_create": ("hazards.record", Multipart(HAZARD_FORM)),
    "hazards_similar_check": ("hazards.record", None),
    "hazards_workflow": ("hazards.view", None),
    "hazards_subgrades_list": ("hazards.view", None),
    "hazards_subgrades_create": (
        "hazards.manage_settings",
        {"level": "general", "code": "walk-new", "name": "走查"},
    ),
    "hazards_subgrades_update": ("hazards.manage_settings", {"name": "走查改名"}),
    "hazard_reports_monthly_submit": (
        "hazards.report_monthly",
        {"unit_id": 1, "month": "2026-01", "kind": "none_found", "signed_name": "越权"},
    ),
    "hazard_reports_monthly_overview": ("hazards.follow_reports", None),
    "hazard_reports_monthly_missing": ("hazards.follow_reports", None),
    "hazard_reports_monthly_remind": ("hazards.follow_reports", {"month": "2026-01"}),
    "hazard_reports_monthly_export": ("hazards.follow_reports", None),
    "hazard_reports_statements_sign": (
        "hazards.report_monthly",
        {"unit_id": 1, "period": "year", "year": 2025, "principal_name": "越权"},
    ),
}
# Operations any logged-in user may call about themselves or about public facts.
SELF_OPERATIONS = {
    "auth_me",
    "auth_password_change",
    "auth_two_factor_disable",
    "core_calendar_overview",
    "core_calendar_deadline",
    "core_calendar_year_get",
    "notifications_read_all",
}
PUBLIC_OPERATIONS = {
    "auth_token_issue",
    "units_activate",
    "units_public_get",
    "tip_offs_submit",
    "tip_offs_status",
}
# Bodies for object operations that need one to pass validation.
OBJECT_OPERATION_BODIES: dict[str, Any] = {
    "checklists_update": {"name": "越权"},
    "checklists_copy": {},
    "checklists_version_publish": {"note": "越权"},
    "checklists_version_import": "multipart",
    "checklists_section_add": {"title": "越权"},
    "checklists_section_update": {"title": "越权"},
    "checklists_item_add": {"section_id": 1, "text": "越权"},
    "checklists_item_update": {"text": "越权"},
    "checklists_item_move": {"direction": "up"},
    "inspections_result_record": Multipart({"result": "pass"}),
    "inspections_update": {"expected_version": 1, "summary": "越权"},
    "inspections_finish": {
        "expected_version": 1,
        "unit_signatory": "越权",
        "unit_signature": "",
        "inspector_signature": "",
    },
    "inspections_cancel": {"expected_version": 1, "reason": "越权"},
    "auth_users_deactivate": {"reason": "越权测试"},
    "auth_users_activate": {"reason": "越权测试"},
    "auth_users_unlock": {"reason": "越权测试"},
    "auth_role_revoke": {"reason": "越权测试"},
    "auth_users_role_add": {"role": "inspector"},
    "units_update": {"expected_version": 1, "name": "越权"},
    "experts_firms_update": {"name": "越权"},
    "experts_engineers_update": {"name": "越权"},
    "experts_assignments_reject": {"note": "越权"},
    "unit_people_create": {"role": "contact", "name": "越权测试"},
    "unit_documents_delete": {"reason": "越权测试"},
    "hazards_update": {"expected_version": 1, "location": "越权"},
    "hazards_photos_add": Multipart({"photos": _walk_photo}),
    "hazards_act": Multipart({"expected_version": 1, "note": "越权", "photos": _walk_photo}),
    "tip_offs_accept": {
        "expected_version": 1,
        "unit_id": 1,
        "hazard_type": "unsafe_condition",
        "category": "other",
    },
    "tip_offs_dismiss": {"expected_version": 1, "reason": "越权测试"},
}
access_parts.merge_into(globals())


# --- The world, plus a town of another district that no persona's scope reaches -------------------


@dataclass
class Walk:
    world: World
    outside: dict[str, models.Model]


@pytest.fixture(scope="module")
def _walk_layer(_world_layer, django_db_blocker):
    """The walk's objects, built once per module on the shared world (``core.testing.layers``)."""
    with layers.open_layer(django_db_blocker, lambda: build_walk(_world_layer)) as built:
        yield built


@pytest.fixture
@layers.serves_layer("_walk_layer")
def walk(request, world: World) -> Walk:
    if "_walk_layer" in request.fixturenames:
        shared = copy.deepcopy(request.getfixturevalue("_walk_layer"))
        shared.world = world
        return shared
    return build_walk(world)


def build_walk(world: World) -> Walk:
    city = world.city
    lin_an = region_create(
        actor=None, code="330112000000", name="临安区", level=RegionLevel.DISTRICT, parent=city
    )
    town = region_create(
        actor=None, code="330112100000", name="於潜镇", level=RegionLevel.TOWN, parent=lin_an
    )
    village = region_create(
        actor=None, code="330112100201", name="祈祥村", level=RegionLevel.VILLAGE, parent=town
    )
    committee = Committee.objects.create(
        region=town, kind=CommitteeKind.MAIN, name="於潜镇安全生产委员会"
    )
    unit = Unit.objects.create(
        name="临安外区机械有限公司", kind=UnitKind.ENTERPRISE, region=village
    )
    officer = user_create(
        actor=None,
        username="outside_office",
        name="外区",
        password="Out#side2026",
        must_change_password=False,
    )
    assignment = role_assign(actor=None, user=officer, role=Role.TOWN_OFFICE, region=town)
    job = job_start(kind="test.walk", owner=officer, region=town, label="外区任务")
    token = api_token_issue(user=officer, name="外区令牌").token
    towns = {world.town_a: None, world.town_b: None, town: None}
    for town_region in towns:
        firm = firm_create(actor=None, region=town_region, name=f"{town_region.name}安全服务公司")
        towns[town_region] = (
            engineer_create(actor=None, firm=firm, name=f"{town_region.name}工程师甲"),
            engineer_create(actor=None, firm=firm, name=f"{town_region.name}工程师乙"),
        )
    for each in (world.unit_a, world.unit_a2, world.unit_b, unit):
        first, second = towns[each.region.parent]
        expert_assign(actor=None, unit=each, engineer=first)
        expert_assign(actor=None, unit=each, engineer=second, reason="走查：更换工程师")
        scan = SimpleUploadedFile(
            "policy.pdf", b"%PDF-1.4\n%walk\n", content_type="application/pdf"
        )
        document_create(
            actor=None, unit_id=each.pk, doc_type="insurance", file=scan, title="安责险"
        )
        person_create(
            actor=None, unit_id=each.pk, role="safety_officer", name="安全员", mobile="13800000000"
        )
        Invitation.objects.create(
            unit=each,
            person_role="principal",
            name="负责人",
            mobile="13800000001",
            code_hash=f"walk-{each.pk}",
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
        UnitChangeRequest.objects.create(
            unit=each, changes={"name": [each.name, each.name + "（新）"]}
        )
    recorders = {
        unit: officer,
        world.unit_a: world.town_office_a,
        world.unit_a2: world.town_office_a,
        world.unit_b: world.town_office_b,
    }
    hazards = {each: make_hazard(actor, each, photos=1) for each, actor in recorders.items()}
    _walk_reports_and_tip_offs(recorders, towns=(world.town_a, world.town_b, town))
    _walk_checklists_and_inspections(recorders)
    access_parts.make_walk_objects(
        world=world,
        recorders=recorders,
        towns=(world.town_a, world.town_b, town),
        outside_officer=officer,
    )
    HazardSubGrade.objects.create(
        pk=PLAIN_KWARGS["subgrade_id"], level="major", code="walk-1", name="走查"
    )
    notify(recipient=officer, kind="walk", title="外区消息", dedupe_key="walk")
    for office, office_town in (
        (world.town_office_a, world.town_a),
        (world.town_office_b, world.town_b),
        (officer, town),
    ):
        sheet = SimpleUploadedFile("units.xlsx", template_bytes(office_town))
        units_import_start(actor=office, town=office_town, upload=sheet)
    for persona in PERSONAS:
        user = world.users[persona]
        notify(recipient=user, kind="walk", title="本人消息", dedupe_key="walk")
        job_start(
            kind="test.walk",
            owner=None,
            region=user.role_assignments.first().region or town,
            label="本区任务",
        )
        api_token_issue(user=user, name="本人令牌")
    return Walk(
        world,
        {
            "region": town,
            "unit": unit,
            "committee": committee,
            "user": officer,
            "assignment": assignment,
            "job": job,
            "token": token,
            "hazard": hazards[unit],
        },
    )


def _walk_reports_and_tip_offs(units, *, towns) -> None:
    """A monthly report and a statistics statement of every unit, a tip-off with a photo in
    every town."""
    now = timezone.now()
    for each in units:
        MonthlyReport.objects.create(
            unit=each,
            month=datetime.date(2026, 1, 1),
            kind="none_found",
            signed_name="负责人",
            submitted_at=now,
        )
        StatisticsStatement.objects.create(
            unit=each, period="year", year=2025, principal_name="负责人", signed_at=now
        )
    for each in towns:
        tip_off = TipOff.objects.create(town=each, place="河边仓库", description="堆放易燃物")
        upload = SimpleUploadedFile("tip.jpg", jpeg_bytes(), content_type="image/jpeg")
        TipOffPhoto.objects.create(tip_off=tip_off, **photo_fields(photo_process(upload)))


def _walk_checklists_and_inspections(recorders) -> None:
    """In every town a copy of a shipped checklist (published) and a draft copy, and at every unit
    an inspection with a photo."""
    shipped = ChecklistTemplate.objects.filter(region__isnull=True).order_by("pk").first()
    checklist = make_checklist()
    for unit, office in recorders.items():
        town = unit.region.parent
        if not ChecklistTemplate.objects.filter(region=town).exists():
            copy = template_copy(actor=office, template_id=shipped.pk, region=town)
            version_publish(actor=office, version_id=copy.versions.get().pk, note="走查")
            template_copy(actor=office, template_id=shipped.pk, region=town)
        inspection = inspection_start(actor=office, unit_id=unit.pk, checklist_id=checklist.pk)
        first = inspection.results.order_by("pk").first()
        result_record(
            actor=office,
            inspection_id=inspection.pk,
            item_id=first.item_id,
            result="fail",
            photos=[SimpleUploadedFile("item.jpg", jpeg_bytes(), content_type="image/jpeg")],
        )
        document = IssuedDocument.objects.create(
            town=town,
            doc_type="rectification_order",
            year=2026,
            number=IssuedDocument.objects.filter(town=town).count() + 1,
            label=f"走查〔2026〕{unit.pk}号",
            unit=unit,
            inspection=inspection,
        )
        document.file.save(f"walk-{unit.pk}.docx", ContentFile(b"PK walk"), save=True)


def outside_objects(model: type[models.Model], user: User, action: str) -> list[models.Model]:
    """A few objects of ``model`` that ``user`` may not reach with ``action``."""
    allowed = model.objects.for_action(user, action).values("pk")
    return list(model.objects.exclude(pk__in=allowed).order_by("-pk")[:3])


# --- Pages ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    route: str
    callback: Any
    kwargs: tuple[str, ...]

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)

    def marker(self) -> tuple[str, str | None, type[models.Model] | None]:
        """(kind, action, model) where kind is scoped, login_only or public."""
        cls = self.view_class
        if cls is not None and issubclass(cls, ScopedViewMixin):
            return "scoped", cls.action, cls.model
        if getattr(self.callback, "public", False):
            return "public", None, None
        action = getattr(self.callback, "scoped_action", None)
        if action:
            model = FUNCTION_VIEW_OBJECTS.get(self.name, (None, None))[0]
            return (
                "scoped",
                FUNCTION_VIEW_OBJECTS.get(self.name, (None, action))[1] or action,
                model,
            )
        if getattr(self.callback, "login_only", False):
            model, obj_action = FUNCTION_VIEW_OBJECTS.get(self.name, (None, None))
            return "login_only", obj_action, model
        return "unmarked", None, None


def _walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES or ns == "api":
                continue
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            converters = getattr(entry.pattern, "converters", {})
            yield Page(name, prefix + str(entry.pattern), entry.callback, tuple(converters))


PAGES = sorted(_walk(get_resolver()), key=lambda p: p.name)
PERSONA_NAMES = sorted(PERSONAS)


def _url(page: Page, pk: int | None = None) -> str:
    kwargs = {}
    for key in page.kwargs:
        kwargs[key] = pk if key == "pk" else PLAIN_KWARGS[key]
    return reverse(page.name, kwargs=kwargs)


def test_the_walk_finds_the_pages_of_every_app():
    names = {p.name for p in PAGES}
    for expected in (
        "core:home",
        "accounts:login",
        "units:unit_detail",
        "audit:entry_list",
        "regions:region_detail",
    ):
        assert expected in names


@pytest.mark.parametrize("url_page", PAGES, ids=lambda p: p.name)
def test_every_page_is_marked_with_its_access_rule(url_page: Page):
    kind, _action, model = url_page.marker()
    assert kind != "unmarked", (
        f"{url_page.name} ({url_page.route}) has no access marker: use a Scoped view, @scoped, @login_only or @public"
    )
    if "pk" in url_page.kwargs and kind != "public":
        assert model is not None, (
            f"{url_page.name} takes a pk: register its model in FUNCTION_VIEW_OBJECTS"
        )
    for key in url_page.kwargs:
        assert key == "pk" or key in PLAIN_KWARGS, (
            f"{url_page.name}: add a value for <{key}> to PLAIN_KWARGS"
        )


PK_PAGES = [p for p in PAGES if "pk" in p.kwargs and p.marker()[0] != "public"]
PLAIN_PAGES = [
    p for p in PAGES if "pk" not in p.kwargs and p.marker()[0] in {"scoped", "login_only"}
]


@pytest.mark.parametrize("url_page", PK_PAGES, ids=lambda p: p.name)
def test_objects_outside_the_scope_are_refused_on_every_object_page(
    url_page: Page, walk: Walk, client
):
    _kind, action, model = url_page.marker()
    checked = 0
    for persona in PERSONA_NAMES:
        user = walk.world.users[persona]
        client.force_login(user)
        for obj in outside_objects(model, user, action):
            before = _state(obj)
            url = _url(url_page, obj.pk)
            get = client.get(url)
            post = client.post(url, {"reason": "越权测试", "role": "inspector", "confirm": "1"})
            assert get.status_code in REFUSED | {405}, f"{persona} GET {url}: {get.status_code}"
            assert post.status_code in REFUSED | {405}, f"{persona} POST {url}: {post.status_code}"
            assert {get.status_code, post.status_code} & REFUSED, (
                f"{persona} {url}: neither refused"
            )
            assert _state(obj) == before, f"{persona} POST {url} changed {obj!r}"
            checked += 1
        client.logout()
    assert checked >= len(PERSONA_NAMES), f"{url_page.name}: too few outside objects were tried"


@pytest.mark.parametrize("url_page", PAGES, ids=lambda p: p.name)
def test_anonymous_visitors_are_sent_to_log_in(url_page: Page, walk: Walk, client):
    kind, _action, model = url_page.marker()
    if kind == "public":
        return
    pk = model.objects.order_by("pk").values_list("pk", flat=True).first() if model else None
    response = client.get(_url(url_page, pk))
    assert response.status_code in {302, 405}, f"{url_page.name}: {response.status_code}"
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url_page", PLAIN_PAGES, ids=lambda p: p.name)
def test_each_persona_gets_the_page_or_403_and_lists_hold_only_its_scope(
    url_page: Page, walk: Walk, client
):
    kind, action, _model = url_page.marker()
    for persona in PERSONA_NAMES:
        user = walk.world.users[persona]
        client.force_login(user)
        response = client.get(_url(url_page))
        allowed = kind == "login_only" or get_user_scope(user).can(action)
        if allowed:
            assert response.status_code in {200, 302, 405}, (
                f"{persona} {url_page.name}: {response.status_code}"
            )
        else:
            assert response.status_code == 403, f"{persona} {url_page.name}: {response.status_code}"
        listed = (
            response.context.get("object_list")
            if response.status_code == 200 and response.context
            else None
        )
        if listed is not None:
            model = listed.model
            visible = set(model.objects.for_action(user, action).values_list("pk", flat=True))
            shown = {obj.pk for obj in listed}
            assert shown <= visible, (
                f"{persona} {url_page.name} lists objects outside its scope: {shown - visible}"
            )
        client.logout()


def _state(obj: models.Model) -> dict[str, Any]:
    fresh = type(obj).objects.filter(pk=obj.pk).values().first()
    return fresh or {}


# --- API ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    params: tuple[str, ...]
    has_body: bool


def _operations() -> list[Operation]:
    from config.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            ops.append(
                Operation(method.upper(), path, op["operationId"], params, "requestBody" in op)
            )
    return sorted(ops, key=lambda o: o.operation_id)


OPERATIONS = _operations()


def _call(client, op: Operation, token: str | None, values: dict[str, Any], body: Any = None):
    path = op.path
    for key, value in values.items():
        path = path.replace("{" + key + "}", str(value))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if op.method in {"GET", "DELETE"}:
        return getattr(client, op.method.lower())(path, **headers)
    if isinstance(body, Multipart):
        return getattr(client, op.method.lower())(path, body.data(), **headers)
    if body == "multipart":  # a file upload: a small workbook
        upload = SimpleUploadedFile("walk.xlsx", b"PK\x03\x04walk")
        return getattr(client, op.method.lower())(path, {"file": upload}, **headers)
    payload = json.dumps(body if body is not None else {})
    return getattr(client, op.method.lower())(
        path, payload, content_type="application/json", **headers
    )


@pytest.fixture
def tokens(walk: Walk) -> dict[str, str]:
    return {p: api_token_issue(user=walk.world.users[p], name="walk").raw for p in PERSONA_NAMES}


def test_every_api_operation_is_registered_with_its_access_rule():
    for op in OPERATIONS:
        known = (
            op.operation_id in LIST_OPERATIONS
            or op.operation_id in ACTION_OPERATIONS
            or op.operation_id in SELF_OPERATIONS
            or op.operation_id in PUBLIC_OPERATIONS
            or any(p in PATH_PARAMS for p in op.params)
        )
        assert known, (
            f"{op.method} {op.path} ({op.operation_id}) is not registered in tests/test_access.py"
        )
        for p in op.params:
            assert p in PATH_PARAMS or p in PLAIN_KWARGS, (
                f"{op.operation_id}: unknown path parameter {p}"
            )


OBJECT_OPERATIONS = [op for op in OPERATIONS if any(p in PATH_PARAMS for p in op.params)]


@pytest.mark.parametrize("op", OBJECT_OPERATIONS, ids=lambda o: o.operation_id)
def test_api_refuses_objects_outside_the_scope(op: Operation, walk: Walk, tokens, client):
    param = next(p for p in op.params if p in PATH_PARAMS)
    model, action = PATH_PARAMS[param]
    checked = 0
    for persona in PERSONA_NAMES:
        user = walk.world.users[persona]
        for obj in outside_objects(model, user, action):
            before = _state(obj)
            values = {param: obj.pk, **{k: v for k, v in PLAIN_KWARGS.items() if k in op.params}}
            response = _call(
                client, op, tokens[persona], values, OBJECT_OPERATION_BODIES.get(op.operation_id)
            )
            assert response.status_code in REFUSED, (
                f"{persona} {op.method} {op.path} on {obj!r}: {response.status_code} {response.content[:200]!r}"
            )
            assert response["Content-Type"].startswith("application/json")
            assert _state(obj) == before, f"{persona} {op.operation_id} changed {obj!r}"
            checked += 1
    assert checked >= len(PERSONA_NAMES)


def _rows(payload: Any) -> list[dict]:
    if isinstance(payload, list):
        return payload
    for key in ("items", "results"):
        if isinstance(payload, dict) and isinstance(payload.get(key), list):
            return payload[key]
    raise AssertionError(f"cannot find the rows in {str(payload)[:200]}")


@pytest.mark.parametrize("op_id", sorted(LIST_OPERATIONS))
def test_api_lists_hold_only_the_personas_scope(op_id: str, walk: Walk, tokens, client):
    op = next(o for o in OPERATIONS if o.operation_id == op_id)
    model, action = LIST_OPERATIONS[op_id]
    for persona in PERSONA_NAMES:
        user = walk.world.users[persona]
        response = _call(client, op, tokens[persona], {})
        if not get_user_scope(user).can(action):
            assert response.status_code == 403, f"{persona} {op_id}: {response.status_code}"
            continue
        assert response.status_code == 200, f"{persona} {op_id}: {response.status_code}"
        visible = set(model.objects.for_action(user, action).values_list("pk", flat=True))
        shown = {row["id"] for row in _rows(response.json())}
        assert shown <= visible, (
            f"{persona} {op_id} shows rows outside its scope: {shown - visible}"
        )


@pytest.mark.parametrize("op_id", sorted(ACTION_OPERATIONS))
def test_api_actions_are_refused_to_roles_without_them(op_id: str, walk: Walk, tokens, client):
    op = next(o for o in OPERATIONS if o.operation_id == op_id)
    action, body = ACTION_OPERATIONS[op_id]
    refused = 0
    for persona in PERSONA_NAMES:
        if get_user_scope(walk.world.users[persona]).can(action):
            continue
        response = _call(client, op, tokens[persona], dict(PLAIN_KWARGS), body)
        assert response.status_code == 403, (
            f"{persona} {op_id}: {response.status_code} {response.content[:200]!r}"
        )
        refused += 1
    assert refused, f"{op_id}: every persona may do it, so nothing was checked"


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda o: o.operation_id)
def test_api_without_credentials_answers_401_in_json(op: Operation, walk: Walk, client):
    if op.operation_id in PUBLIC_OPERATIONS:
        return
    values = {p: 1 for p in op.params} | {k: v for k, v in PLAIN_KWARGS.items() if k in op.params}
    response = _call(client, op, None, values)
    assert response.status_code == 401, f"{op.operation_id}: {response.status_code}"
    assert response.json()["error"]["code"] == "not_authenticated"
