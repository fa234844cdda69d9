"""The plan pages and their API twins, as the office, an inspector, an expert and an enterprise
use them."""

from __future__ import annotations

import io
import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anjian.accounts.services import api_token_issue
from anjian.inspections.models import Inspection
from anjian.inspections.tests.factories import make_checklist
from anjian.plans import services
from anjian.plans.models import FrequencyRule, InspectionPlan, InspectionTask
from anjian.plans.tests.factories import contract_expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    make_checklist()
    contract_expert(world)
    return services.plan_generate(
        actor=world.town_office_a, town_id=world.town_a.pk, year=2026, random_share=0, seed=3
    )


def api(client, user, method, path, body=None):
    token = api_token_issue(user=user, name="test").raw
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        return client.get(f"/api/v1/plans{path}", **headers)
    return getattr(client, method)(
        f"/api/v1/plans{path}", body or {}, content_type="application/json", **headers
    )


def test_the_office_generates_and_publishes_from_the_pages(world, client, login):
    login("town_office_a")
    page = client.get(reverse("plans:plan_list"))
    assert page.status_code == 200 and b'data-testid="generate-form"' in page.content
    response = client.post(
        reverse("plans:plan_generate"),
        {"town": world.town_a.pk, "year": 2026, "random_share": 20, "seed": 42},
    )
    plan = InspectionPlan.objects.get(town=world.town_a, year=2026)
    assert response.status_code == 302 and response["Location"] == reverse(
        "plans:plan_detail", args=[plan.pk]
    )
    assert plan.random_seed == 42 and plan.tasks.exists()
    detail = client.get(reverse("plans:plan_detail", args=[plan.pk]))
    assert b'data-testid="progress-month"' in detail.content
    assert b'data-testid="plan-publish"' in detail.content
    client.post(reverse("plans:plan_publish", args=[plan.pk]), {"expected_version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "published"
    again = client.post(
        reverse("plans:plan_generate"), {"town": world.town_a.pk, "year": 2026, "random_share": 20}
    )
    assert again.status_code == 200 and b'data-testid="form-errors"' in again.content


def test_progress_and_tasks_export_to_excel(world, client, login, plan):
    login("town_office_a")
    response = client.get(reverse("plans:plan_detail", args=[plan.pk]) + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row > 5
    tasks = client.get(reverse("plans:task_list") + f"?plan={plan.pk}&export=xlsx")
    rows = list(load_workbook(io.BytesIO(tasks.content)).active.iter_rows(values_only=True))
    assert len(rows) == plan.tasks.count() + 1


def test_task_list_filters(world, client, login, plan):
    login("town_office_a")
    late = client.get(reverse("plans:task_list") + "?state=late&kind=expert_check")
    shown = {t.pk for t in late.context["object_list"]}
    assert shown <= set(
        InspectionTask.objects.filter(kind="expert_check").values_list("pk", flat=True)
    )
    march = client.get(reverse("plans:task_list") + "?month=3")
    assert all(t.month == 3 for t in march.context["object_list"])
    searched = client.get(reverse("plans:task_list") + "?q=小吃店")
    assert {t.unit_id for t in searched.context["object_list"]} == {world.unit_a2.pk}


def test_an_inspector_starts_a_task_from_the_unit_page_of_tasks(world, client, login, plan):
    login("inspector_a")
    page = client.get(reverse("plans:unit_tasks", args=[world.unit_a.pk]))
    assert page.status_code == 200 and b'data-testid="task-start"' in page.content
    task = InspectionTask.objects.filter(unit=world.unit_a, kind="town_inspection").first()
    form = client.get(reverse("plans:task_start", args=[task.pk]))
    checklist = form.context["checklists"][0]
    key = str(uuid.uuid4())
    data = {"checklist": checklist.pk, "client_key": key}
    first = client.post(reverse("plans:task_start", args=[task.pk]), data)
    inspection = Inspection.objects.get()
    assert first["Location"] == reverse("inspections:inspection_inspect", args=[inspection.pk])
    second = client.post(reverse("plans:task_start", args=[task.pk]), data)
    assert second["Location"] == first["Location"] and Inspection.objects.count() == 1
    task.refresh_from_db()
    assert task.inspection == inspection
    mine = client.get(reverse("plans:my_tasks"))
    assert all(t.assignee_id == world.inspector_a.pk for t in mine.context["object_list"])


def test_frequency_settings_page(world, client, login):
    login("town_office_a")
    page = client.get(reverse("plans:frequency_settings"))
    assert page.status_code == 200
    rule = FrequencyRule.objects.get(town=world.town_a, grade="yellow", kind="town_inspection")
    data = {f.html_name: f.value() for f in page.context["form"]}
    data[f"rule_{rule.pk}"] = 12
    client.post(reverse("plans:frequency_settings"), data)
    rule.refresh_from_db()
    assert rule.visits_per_year == 12
    login("inspector_a")
    assert client.get(reverse("plans:frequency_settings")).status_code == 403


def test_reassign_page_needs_a_reason_once_published(world, client, login, plan):
    services.plan_publish(actor=world.town_office_a, plan_id=plan.pk)
    task = InspectionTask.objects.filter(unit=world.unit_a, kind="town_inspection").first()
    login("town_office_a")
    url = reverse("plans:task_reassign", args=[task.pk])
    refused = client.post(url, {"assignee": world.town_office_a.pk, "expected_version": 1})
    assert refused.status_code == 200 and b'data-testid="form-errors"' in refused.content
    done = client.post(
        url, {"assignee": world.town_office_a.pk, "expected_version": 1, "reason": "调岗"}
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.assignee == world.town_office_a


def test_enterprises_and_other_towns_are_refused(world, client, login, plan):
    login("enterprise_a")
    assert client.get(reverse("plans:plan_list")).status_code == 403
    login("town_office_b")
    assert client.get(reverse("plans:plan_detail", args=[plan.pk])).status_code == 404
    listed = client.get(reverse("plans:task_list"))
    assert list(listed.context["object_list"]) == []
    login("expert_a")
    shown = client.get(reverse("plans:task_list")).context["paginator"].count
    assert shown == InspectionTask.objects.filter(unit=world.unit_a).count()


def test_api_twins(world, client):
    make_checklist()
    office = world.town_office_a
    created = api(
        client,
        office,
        "post",
        "/generate",
        {"town_id": world.town_a.pk, "year": 2026, "random_share": 0, "seed": 9},
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["random_seed"] == 9 and "publish" in plan["allowed_actions"]
    rules = api(client, office, "get", f"/frequency-rules?town_id={world.town_a.pk}").json()
    assert rules["count"] == 12
    blue = next(
        r for r in rules["items"] if r["grade"] == "blue" and r["kind"] == "town_inspection"
    )
    changed = api(
        client,
        office,
        "patch",
        f"/frequency-rules/{blue['id']}",
        {"visits_per_year": 4, "expected_version": blue["version"]},
    )
    assert changed.json()["visits_per_year"] == 4
    stale = api(
        client,
        office,
        "patch",
        f"/frequency-rules/{blue['id']}",
        {"visits_per_year": 6, "expected_version": blue["version"]},
    )
    assert stale.status_code == 409
    published = api(
        client, office, "post", f"/{plan['id']}/publish", {"expected_version": plan["version"]}
    )
    assert published.json()["status"] == "published"
    again = api(client, office, "post", "/generate", {"town_id": world.town_a.pk, "year": 2026})
    assert again.status_code == 409
    tasks = api(
        client, world.inspector_a, "get", f"/tasks?kind=town_inspection&unit={world.unit_a.pk}"
    ).json()
    assert tasks["count"] == 2 and tasks["items"][0]["state"] in {"late", "planned"}
    task_id = tasks["items"][0]["id"]
    reassigned = api(
        client,
        office,
        "post",
        f"/tasks/{task_id}/reassign",
        {"assignee_id": office.pk, "reason": "调岗"},
    )
    assert reassigned.json()["assignee"]["id"] == office.pk
    start = api(client, office, "post", f"/tasks/{task_id}/start", {})
    assert start.status_code == 201 and start.json()["task"]["state"] in {"in_progress", "late"}
    repeat = api(client, office, "post", f"/tasks/{task_id}/start", {})
    assert repeat.status_code == 200
    assert repeat.json()["inspection_id"] == start.json()["inspection_id"]
    progress = api(client, office, "get", f"/{plan['id']}/progress").json()
    assert progress["total"]["planned"] == InspectionTask.objects.count()
    assert len(progress["by_month"]) == 12
    late = api(client, office, "get", f"/tasks/late?plan_id={plan['id']}").json()
    assert all(row["state"] == "late" for row in late["items"])
    mine = api(client, office, "get", "/tasks/mine").json()
    assert [row["id"] for row in mine["items"]] == [task_id]
    refused = api(client, world.enterprise_a, "get", "/tasks")
    assert refused.status_code == 403
    outside = api(client, world.town_office_b, "get", f"/tasks/{task_id}")
    assert outside.status_code == 404
    expert = api(client, world.expert_a, "get", "/tasks").json()
    assert {row["unit"]["id"] for row in expert["items"]} <= {world.unit_a.pk}
