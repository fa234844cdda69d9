"""The hazard loop over the API: lists and scope, recording with photos, every error code, the whole
loop, photo files and the query budget of the list."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anjian.accounts.services import api_token_issue
from anjian.hazards.choices import HazardStatus, ReportOutcome
from anjian.hazards.models import Hazard, HazardPhoto, HazardSubGrade
from anjian.hazards.tests.factories import act, jpeg_bytes, make_hazard, photo

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hazards"


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


def record_form(unit, **extra) -> dict:
    return {
        "unit_id": unit.pk,
        "location": "二号仓库",
        "description": "灭火器压力不足",
        "hazard_type": "unsafe_condition",
        "category": "fire",
        "source": "town_inspection",
        **extra,
    }


def act_api(client, user, hazard, action, headers=None, **fields):
    hazard.refresh_from_db()
    data = {"expected_version": hazard.version, **fields}
    return client.post(f"{BASE}/{hazard.pk}/actions/{action}", data, **(headers or bearer(user)))


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_shows_only_the_callers_units(world, client):
    a = make_hazard(world.inspector_a, world.unit_a)
    a2 = make_hazard(world.inspector_a, world.unit_a2)
    b = make_hazard(world.town_office_b, world.unit_b)

    def ids(user):
        body = client.get(BASE, {"queue": "all"}, **bearer(user)).json()
        return {row["id"] for row in body["items"]}

    assert ids(world.enterprise_a) == {a.pk}
    assert ids(world.enterprise_a2) == {a2.pk}
    assert ids(world.town_office_a) == {a.pk, a2.pk}
    assert ids(world.enterprise_b) == {b.pk}
    assert a.pk not in ids(world.town_office_b)


def test_a_hazard_found_early_on_new_years_day_is_numbered_in_the_new_year(world, client):
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    found = datetime.datetime(2027, 1, 1, 7, 30, tzinfo=beijing)
    with time_machine.travel(found + datetime.timedelta(hours=1), tick=False):
        hazard = make_hazard(world.inspector_a, world.unit_a, found_at=found)
    assert hazard.code == f"YH2027-{hazard.pk:06d}"  # 2026-12-31 23:30 in UTC
    row = client.get(BASE, {"queue": "all"}, **bearer(world.town_office_a)).json()["items"][0]
    assert row["code"] == f"YH2027-{hazard.pk:06d}"
    detail = client.get(f"{BASE}/{hazard.pk}", **bearer(world.town_office_a)).json()
    assert detail["code"] == row["code"]


def test_a_list_row_names_the_unit_village_and_deadline(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    row = client.get(BASE, **bearer(world.town_office_a)).json()["items"][0]
    assert row["id"] == hazard.pk
    assert row["code"] == hazard.code
    assert row["unit"] == {"id": world.unit_a.pk, "name": world.unit_a.name}
    assert row["village"] == world.unit_a.region.name
    assert row["status"] == "rectifying"
    assert row["status_label"]
    assert row["deadline"] == hazard.deadline.isoformat()
    assert row["original_deadline"] == hazard.deadline.isoformat()
    assert row["is_overdue"] is False
    assert row["version"] == hazard.version


def test_the_list_filters_like_the_page(world, client):
    electrical = make_hazard(world.inspector_a, world.unit_a)
    fire = make_hazard(
        world.inspector_a, world.unit_a2, category="fire", description="消防通道堵塞"
    )
    found = make_hazard(world.inspector_a, world.unit_a, deadline_days=None, level="major")
    closed = make_hazard(world.inspector_a, world.unit_a2)
    act(world.town_office_a, closed, "cancel", note="重复录入")
    headers = bearer(world.town_office_a)

    def ids(**params):
        response = client.get(BASE, params, **headers)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    assert ids() == {electrical.pk, fire.pk, found.pk}  # the open ones by default
    assert ids(queue="all") == {electrical.pk, fire.pk, found.pk, closed.pk}
    assert ids(category="fire") == {fire.pk}
    assert ids(status="found") == {found.pk}
    assert ids(queue="major") == {found.pk}
    assert ids(unit=world.unit_a2.pk) == {fire.pk}
    assert ids(q="消防通道") == {fire.pk}
    assert ids(q=fire.code) == {fire.pk}
    assert ids(region=world.unit_a2.region_id) == {fire.pk}
    rows = client.get(BASE, {"sort": "-deadline"}, **headers).json()["items"]
    deadlines = [r["deadline"] for r in rows if r["deadline"]]
    assert deadlines == sorted(deadlines, reverse=True)


def test_the_list_pages_and_counts(world, client):
    for _ in range(5):
        make_hazard(world.inspector_a, world.unit_a, photos=0)
    headers = bearer(world.town_office_a)
    first = client.get(BASE, {"limit": 2}, **headers).json()
    last = client.get(BASE, {"limit": 2, "offset": 4}, **headers).json()
    beyond = client.get(BASE, {"limit": 2, "offset": 10}, **headers).json()
    assert (first["count"], len(first["items"])) == (5, 2)
    assert (last["count"], len(last["items"])) == (5, 1)
    assert (beyond["count"], beyond["items"]) == (5, [])


def test_overdue_rows_count_calendar_and_working_days(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=3)
    later = hazard.deadline + datetime.timedelta(days=10)
    with time_machine.travel(datetime.datetime.combine(later, datetime.time(10)), tick=False):
        rows = client.get(BASE, {"overdue": "true"}, **bearer(world.town_office_a)).json()["items"]
    assert [r["id"] for r in rows] == [hazard.pk]
    assert rows[0]["is_overdue"] is True
    assert rows[0]["days_overdue"] == 10
    assert 0 < rows[0]["working_days_overdue"] <= 10


def test_an_unknown_filter_value_is_422(world, client):
    response = client.get(BASE, {"status": "burning"}, **bearer(world.town_office_a))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "status"


def test_a_village_outside_the_scope_is_refused_as_a_filter(world, client):
    response = client.get(BASE, {"region": world.unit_b.region_id}, **bearer(world.town_office_a))
    assert response.status_code == 422


def test_a_town_outside_the_scope_is_refused_as_a_filter(world, client):
    response = client.get(BASE, {"town": world.town_b.pk}, **bearer(world.town_office_a))
    assert response.status_code == 422
    mine = client.get(BASE, {"town": world.town_a.pk}, **bearer(world.town_office_a))
    assert mine.status_code == 200


def test_the_list_narrows_to_the_hazards_one_person_found(world, client):
    by_inspector = make_hazard(world.inspector_a, world.unit_a, photos=0)
    make_hazard(world.town_office_a, world.unit_a2, photos=0)
    body = client.get(
        BASE, {"found_by": world.inspector_a.pk}, **bearer(world.town_office_a)
    ).json()
    assert [row["id"] for row in body["items"]] == [by_inspector.pk]
    assert body["count"] == 1


def add_hazards(world, n: int) -> None:
    for i in range(n):
        make_hazard(
            world.inspector_a,
            world.unit_a if i % 2 else world.unit_a2,
            photos=0,
            deadline_days=2 if i % 3 else 20,
        )


def test_the_list_runs_the_same_few_queries_for_3_and_30_hazards(world, client):
    headers = bearer(world.town_office_a)
    counts = []
    for n in (3, 27):
        add_hazards(world, n)
        later = timezone.localdate() + datetime.timedelta(days=5)  # some are overdue
        with time_machine.travel(datetime.datetime.combine(later, datetime.time(10)), tick=False):
            client.get(BASE, **headers)  # the token's first use records when it was used
            with CaptureQueriesContext(connection) as queries:
                body = client.get(BASE, {"limit": 2, "sort": "unit", "q": "配电箱"}, **headers)
        assert body.status_code == 200
        assert body.json()["count"] == Hazard.objects.count()
        assert any(row["is_overdue"] for row in body.json()["items"]) or n == 3
        counts.append(len(queries))
    assert counts[0] == counts[1], [q["sql"] for q in queries.captured_queries]
    assert counts[1] <= 6, [q["sql"] for q in queries.captured_queries]


def test_the_first_bearer_request_stays_within_six_queries(world, client):
    add_hazards(world, 30)
    later = timezone.localdate() + datetime.timedelta(days=5)
    headers = bearer(world.enterprise_a)
    moment = datetime.datetime.combine(later, datetime.time(10))
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as queries:
        body = client.get(BASE, {"limit": 5}, **headers).json()
    assert body["count"] == 15
    assert len(queries) <= 6, [q["sql"] for q in queries.captured_queries]


# --- One hazard and its timeline ------------------------------------------------------------------


def test_the_detail_has_the_facts_photos_and_allowed_actions(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a, photos=2, responsible_person="王安全")
    body = client.get(f"{BASE}/{hazard.pk}", **bearer(world.enterprise_a)).json()
    assert body["responsible_person"] == "王安全"
    assert body["requirement"] == "加装防护门并整理线路"
    assert body["found_by"]["id"] == world.inspector_a.pk
    assert len(body["photos"]) == 2
    first = body["photos"][0]
    assert first["kind"] == "before"
    assert first["url"] == f"{BASE}/photos/{first['id']}"
    assert len(first["sha256"]) == 64
    actions = {a["action"]: a for a in body["allowed_actions"]}
    assert "submit" in actions and "request_extension" in actions
    assert "pass" not in actions and "cancel" not in actions
    assert actions["request_extension"]["note_required"] is True
    assert "pairs" in actions["submit"]["fields"]
    office = client.get(f"{BASE}/{hazard.pk}", **bearer(world.town_office_a)).json()
    assert "cancel" in {a["action"] for a in office["allowed_actions"]}


def test_the_timeline_lists_what_happened(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    events = client.get(f"{BASE}/{hazard.pk}/events", **bearer(world.enterprise_a)).json()
    assert [e["type"] for e in events] == ["hazard.recorded", "hazard.order"]
    assert events[1]["to_status"] == "rectifying"
    assert events[1]["actor"]["id"] == world.inspector_a.pk


def test_the_workflow_table_is_published(world, client):
    body = client.get(f"{BASE}/workflow", **bearer(world.enterprise_a)).json()
    by_action = {t["action"]: t for t in body["transitions"]}
    assert by_action["pass"]["sources"] == ["submitted"]
    assert by_action["pass"]["target"] == "closed"
    assert by_action["request_extension"]["target"] is None
    assert "enterprise" in by_action["submit"]["roles"]
    assert by_action["submit_plan"]["major_only"] is True
    assert {s["value"] for s in body["statuses"]} == set(HazardStatus.values)


# --- Recording and correcting ------------------------------------------------------------------------


def test_recording_with_photos_by_multipart(world, client):
    taken = datetime.datetime(2026, 3, 2, 9, 30)
    data = record_form(
        world.unit_a,
        working_days="5",
        photos=[photo("a.jpg", taken=taken, gps=(30.05, 119.95)), photo("b.jpg")],
    )
    response = client.post(BASE, data, **bearer(world.inspector_a))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "rectifying"
    assert body["deadline_mode"] == "working_days"
    assert body["deadline_working_days"] == 5
    assert len(body["photos"]) == 2
    exif = next(p for p in body["photos"] if p["taken_at"])
    taken_at = datetime.datetime.fromisoformat(exif["taken_at"])
    assert timezone.localtime(taken_at).replace(tzinfo=None) == taken
    assert abs(float(exif["latitude"]) - 30.05) < 0.001
    hazard = Hazard.objects.get(pk=body["id"])
    assert hazard.reported_by == world.inspector_a


def test_recording_without_a_deadline_leaves_it_found(world, client):
    response = client.post(BASE, record_form(world.unit_a), **bearer(world.village_officer_a))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "found"
    assert response.json()["photos"] == []


def test_a_text_file_named_jpg_is_refused_with_422(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"not a photo at all", content_type="image/jpeg")
    response = client.post(
        BASE, record_form(world.unit_a, photos=[fake]), **bearer(world.inspector_a)
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "photos"
    assert not Hazard.objects.exists()


def test_recording_at_a_unit_outside_the_scope_is_refused(world, client):
    response = client.post(BASE, record_form(world.unit_b), **bearer(world.enterprise_a))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "unit_id"
    assert not Hazard.objects.exists()


def test_a_missing_field_is_422_naming_it(world, client):
    data = record_form(world.unit_a)
    del data["category"]
    response = client.post(BASE, data, **bearer(world.inspector_a))
    assert response.status_code == 422
    assert "category" in {d["field"] for d in response.json()["error"]["details"]}


def test_correcting_the_facts_with_the_version(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    headers = bearer(world.inspector_a)
    url = f"{BASE}/{hazard.pk}"
    body = {
        "expected_version": hazard.version,
        "location": "三号车间",
        "funds": "1200.50",
        "reason": "位置记错",
    }
    response = client.patch(url, json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert response.json()["location"] == "三号车间"
    assert response.json()["funds"] == "1200.50"
    assert response.json()["version"] == hazard.version + 1
    stale = client.patch(url, json.dumps(body), content_type="application/json", **headers)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_object"


def test_a_sub_grade_of_the_other_level_is_refused(world, client):
    grade = HazardSubGrade.objects.create(level="major", code="major-1", name="一级")
    hazard = make_hazard(world.inspector_a, world.unit_a)
    body = {"expected_version": hazard.version, "sub_grade_id": grade.pk}
    response = client.patch(
        f"{BASE}/{hazard.pk}",
        json.dumps(body),
        content_type="application/json",
        **bearer(world.inspector_a),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "sub_grade"


def test_adding_photos_as_found(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    response = client.post(
        f"{BASE}/{hazard.pk}/photos",
        {"photos": [photo("c.jpg"), photo("d.jpg")]},
        **bearer(world.inspector_a),
    )
    assert response.status_code == 201, response.content
    assert [p["kind"] for p in response.json()] == ["before", "before"]
    assert hazard.photos.count() == 3


# --- Errors -----------------------------------------------------------------------------------------


def test_no_credentials_is_401(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    assert client.get(BASE).status_code == 401
    response = client.post(f"{BASE}/{hazard.pk}/actions/pass", {"expected_version": 1})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_role_without_the_action_is_403(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    response = act_api(client, world.leader_a, hazard, "cancel", note="不应允许")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert client.get(BASE, **bearer(world.department_a)).status_code == 403
    assert client.post(BASE, record_form(world.unit_a), **bearer(world.leader_a)).status_code == 403


def test_the_role_must_hold_the_action_at_this_unit(world, client):
    """The enterprise of unit_a2 may submit, but not for unit_a: it cannot even see it."""
    hazard = make_hazard(world.inspector_a, world.unit_a)
    response = act_api(client, world.enterprise_a2, hazard, "submit", description="x")
    assert response.status_code == 404


def test_a_hazard_outside_the_scope_is_404(world, client):
    hazard = make_hazard(world.town_office_b, world.unit_b)
    headers = bearer(world.town_office_a)
    assert client.get(f"{BASE}/{hazard.pk}", **headers).status_code == 404
    assert client.get(f"{BASE}/{hazard.pk}/events", **headers).status_code == 404
    response = act_api(client, world.town_office_a, hazard, "cancel", headers, note="越权")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING


def test_a_stale_version_is_409(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    response = client.post(
        f"{BASE}/{hazard.pk}/actions/request_extension",
        {
            "expected_version": hazard.version - 1,
            "note": "材料未到",
            "requested_deadline": (hazard.deadline + datetime.timedelta(days=7)).isoformat(),
        },
        **bearer(world.enterprise_a),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_object"


def test_an_action_the_state_does_not_allow_is_409_with_the_message(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    response = act_api(client, world.inspector_a, hazard, "pass")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["message"]


def test_a_rule_of_the_loop_is_422_with_the_reasons(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    response = act_api(client, world.enterprise_a, hazard, "submit")  # no photo, no description
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert len(error["details"]) == 2
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING


def test_an_unknown_action_is_422_naming_the_action(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    response = act_api(client, world.inspector_a, hazard, "explode")
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "action"
    assert detail["message"].startswith("请从以下选项中选择")
    assert "'pass'" in detail["message"]


def test_a_past_deadline_is_422(world, client):
    response = client.post(
        BASE,
        record_form(world.unit_a, deadline="2020-01-01"),
        **bearer(world.inspector_a),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "deadline"


# --- The loop -----------------------------------------------------------------------------------------


def test_the_whole_loop_through_the_api(world, client):
    inspector, enterprise = bearer(world.inspector_a), bearer(world.enterprise_a)
    created = client.post(
        BASE, record_form(world.unit_a, photos=[photo("before.jpg")]), **inspector
    )
    assert created.status_code == 201, created.content
    hazard = Hazard.objects.get(pk=created.json()["id"])
    assert hazard.status == HazardStatus.FOUND
    before_id = created.json()["photos"][0]["id"]
    deadline = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    ordered = act_api(client, world.inspector_a, hazard, "order", inspector, deadline=deadline)
    assert ordered.status_code == 200, ordered.content
    assert ordered.json()["status"] == "rectifying"

    submitted = act_api(
        client,
        world.enterprise_a,
        hazard,
        "submit",
        enterprise,
        description="已更换灭火器",
        cost="120",
        photos=[photo("after.jpg")],
        pair_0=str(before_id),
    )
    assert submitted.status_code == 200, submitted.content
    after = next(p for p in submitted.json()["photos"] if p["kind"] == "after")
    assert after["pairs_with_id"] == before_id
    assert submitted.json()["reports"][0]["photo_ids"] == [after["id"]]

    failed = act_api(
        client, world.inspector_a, hazard, "fail", inspector, note="压力仍不足", working_days="3"
    )
    assert failed.status_code == 200, failed.content
    assert failed.json()["status"] == "rectifying"
    assert failed.json()["reports"][0]["outcome"] == ReportOutcome.FAILED

    again = act_api(
        client,
        world.enterprise_a,
        hazard,
        "submit",
        enterprise,
        description="已全部更换",
        photos=[photo("after2.jpg")],
        pairs=json.dumps({"0": before_id}),
    )
    assert again.status_code == 200, again.content
    passed = act_api(client, world.inspector_a, hazard, "pass", inspector)
    assert passed.status_code == 200, passed.content
    body = passed.json()
    assert body["status"] == "closed"
    assert body["closed_at"]
    assert body["allowed_actions"] == []
    assert [r["outcome"] for r in body["reports"]] == ["failed", "passed"]
    events = client.get(f"{BASE}/{hazard.pk}/events", **inspector).json()
    assert [e["type"] for e in events][-5:] == [
        "hazard.order",
        "hazard.submit",
        "hazard.fail",
        "hazard.submit",
        "hazard.pass",
    ]


def test_a_pairing_with_a_photo_of_another_hazard_is_422(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    other = make_hazard(world.inspector_a, world.unit_a).photos.get()
    response = act_api(
        client,
        world.enterprise_a,
        hazard,
        "submit",
        description="已整改",
        photos=[photo("after.jpg")],
        pair_0=str(other.pk),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "pairs"


def test_an_extension_is_asked_and_granted(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    wanted = (hazard.deadline + datetime.timedelta(days=14)).isoformat()
    asked = act_api(
        client,
        world.enterprise_a,
        hazard,
        "request_extension",
        note="设备待采购",
        requested_deadline=wanted,
    )
    assert asked.status_code == 200, asked.content
    assert asked.json()["extensions"][0]["status"] == "pending"
    granted = act_api(client, world.town_office_a, hazard, "approve_extension")
    assert granted.status_code == 200, granted.content
    assert granted.json()["deadline"] == wanted
    assert granted.json()["original_deadline"] == hazard.deadline.isoformat()


def test_interim_measures_of_a_major_hazard_by_form_booleans(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a, level="major", deadline_days=None)
    response = act_api(
        client,
        world.inspector_a,
        hazard,
        "set_interim_measures",
        withdrawal="true",
        suspension="on",
        interim_note="设置警戒线",
    )
    assert response.status_code == 200, response.content
    measures = response.json()["interim_measures"]
    assert measures == {
        "withdrawal": True,
        "suspension": True,
        "warning_signs": False,
        "note": "设置警戒线",
    }


# --- Similar hazards ----------------------------------------------------------------------------------


def test_similar_open_hazards_are_offered_before_recording(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a, description="配电箱门未关闭，线路裸露")
    make_hazard(world.inspector_a, world.unit_a, description="叉车无证驾驶", location="仓库")
    response = client.get(
        f"{BASE}/similar",
        {"unit_id": world.unit_a.pk, "description": "配电箱线路裸露", "location": ""},
        **bearer(world.inspector_a),
    )
    assert response.status_code == 200, response.content
    assert [row["hazard"]["id"] for row in response.json()] == [hazard.pk]
    assert (
        client.get(
            f"{BASE}/similar", {"unit_id": world.unit_b.pk}, **bearer(world.inspector_a)
        ).status_code
        == 404
    )


def test_similar_hazards_of_one_hazard_leave_itself_out(world, client):
    first = make_hazard(world.inspector_a, world.unit_a)
    second = make_hazard(world.inspector_a, world.unit_a)
    rows = client.get(f"{BASE}/{first.pk}/similar", **bearer(world.town_office_a)).json()
    assert [row["hazard"]["id"] for row in rows] == [second.pk]
    assert rows[0]["same_place"] is True


# --- Photo files ----------------------------------------------------------------------------------------


def test_photos_are_served_in_the_scope_only(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a, photos=0)
    data = jpeg_bytes(size=(2400, 1200))
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        f"{BASE}/{hazard.pk}/photos",
        {"photos": [SimpleUploadedFile("big.jpg", data, content_type="image/jpeg")]},
        **bearer(world.inspector_a),
    )
    shot = HazardPhoto.objects.get(hazard=hazard)
    own = bearer(world.enterprise_a)
    image = client.get(f"{BASE}/photos/{shot.pk}", **own)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert len(b"".join(image.streaming_content)) < len(data)
    original = client.get(f"{BASE}/photos/{shot.pk}/original", **own)
    assert original.status_code == 200
    assert hashlib.sha256(b"".join(original.streaming_content)).hexdigest() == shot.sha256
    assert "attachment" in original["Content-Disposition"]
    for user in (world.enterprise_a2, world.enterprise_b, world.town_office_b):
        refused = client.get(f"{BASE}/photos/{shot.pk}/original", **bearer(user))
        assert refused.status_code == 404
        assert refused["Content-Type"].startswith("application/json")


# --- Sub-grades -----------------------------------------------------------------------------------------


def test_the_office_manages_sub_grades(world, client):
    office = bearer(world.town_office_a)
    created = client.post(
        f"{BASE}/sub-grades",
        json.dumps({"level": "major", "code": "major-a", "name": "重大一级"}),
        content_type="application/json",
        **office,
    )
    assert created.status_code == 201, created.content
    grade_id = created.json()["id"]
    changed = client.patch(
        f"{BASE}/sub-grades/{grade_id}",
        json.dumps({"is_active": False}),
        content_type="application/json",
        **office,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["is_active"] is False
    listed = client.get(f"{BASE}/sub-grades", **bearer(world.enterprise_a)).json()
    assert [g["code"] for g in listed] == ["major-a"]
    refused = client.post(
        f"{BASE}/sub-grades",
        json.dumps({"level": "major", "code": "x", "name": "x"}),
        content_type="application/json",
        **bearer(world.inspector_a),
    )
    assert refused.status_code == 403


def test_a_sub_grade_code_is_unique(world, client):
    HazardSubGrade.objects.create(level="general", code="g-1", name="一般一级")
    response = client.post(
        f"{BASE}/sub-grades",
        json.dumps({"level": "general", "code": "g-1", "name": "重复"}),
        content_type="application/json",
        **bearer(world.town_office_a),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "code"
