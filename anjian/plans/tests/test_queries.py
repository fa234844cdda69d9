"""Plan generation for a town of 2,000 units and its progress page stay at a fixed number of
queries: the facts are loaded in bulk, the tasks bulk-inserted, the progress counted by the
database. (SQLite caps the parameters of one INSERT, so there the task insert is split into
batches of the database's size; every other query is the same. PostgreSQL inserts in one.)"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anjian.accounts.services import api_token_issue
from anjian.plans import services
from anjian.plans.models import InspectionTask
from anjian.plans.tests.factories import bulk_units

pytestmark = pytest.mark.django_db

TASK_INSERT = 'INSERT INTO "plans_inspectiontask"'


def _generate(office, town):
    """(queries other than the task insert, task insert batches, plan) of a first generation."""
    ContentType.objects.clear_cache()  # each run starts cold, as after a restart
    with CaptureQueriesContext(connection) as ctx:
        plan = services.plan_generate(actor=office, town_id=town.pk, year=2026, seed=1)
    sql = [q["sql"] for q in ctx.captured_queries]
    inserts = sum(1 for s in sql if s.startswith(TASK_INSERT))
    return len(sql) - inserts, inserts, plan


def _batches(n_tasks: int) -> int:
    fields = [f for f in InspectionTask._meta.concrete_fields if not f.primary_key]
    size = connection.ops.bulk_batch_size(fields, [None] * n_tasks) or n_tasks
    return -(-n_tasks // size)


def _count(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_generation_and_progress_stay_at_a_fixed_number_of_queries(world, client):
    from anjian.accounts.roles import Role
    from anjian.accounts.services import role_assign

    role_assign(actor=None, user=world.inspector_a, role=Role.INSPECTOR, region=world.town_b)
    bulk_units([world.village_a1, world.village_a2], 198)  # town A: 200 units
    bulk_units([world.village_b1], 1999)  # town B: 2,000 units
    small, small_inserts, small_plan = _generate(world.town_office_a, world.town_a)
    big, big_inserts, big_plan = _generate(world.town_office_b, world.town_b)
    small_tasks, big_tasks = small_plan.tasks.count(), big_plan.tasks.count()
    assert big_tasks > 9 * small_tasks
    assert big == small  # no query per unit or per task
    assert small_inserts == _batches(small_tasks) and big_inserts == _batches(big_tasks)
    if connection.vendor == "postgresql":
        assert small_inserts == big_inserts == 1

    counts = []
    for office, plan in ((world.town_office_a, small_plan), (world.town_office_b, big_plan)):
        client.force_login(office)
        token = api_token_issue(user=office, name="q").raw
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        counts.append(
            (
                _count(client, reverse("plans:plan_detail", args=[plan.pk])),
                _count(client, f"/api/v1/plans/{plan.pk}/progress", **auth),
                _count(client, reverse("plans:task_list") + f"?plan={plan.pk}&state=late"),
            )
        )
    assert counts[0] == counts[1]
