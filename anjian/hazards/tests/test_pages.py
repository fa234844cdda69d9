"""The pages of the hazard loop as each persona uses them: the list and its queues, recording with
photos and the warning about duplicates, the hazard page and its buttons, the actions round the
loop, the 409 on a stale form, the photo files, the unit tab, the sub-grade settings."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anjian.audit.models import AuditEntry
from anjian.hazards.choices import HazardStatus, PhotoKind, ReportOutcome
from anjian.hazards.models import Hazard, HazardEvent, HazardSubGrade
from anjian.hazards.selectors import finder_name
from anjian.hazards.templatetags.hazard_tags import EVENT_LABELS
from anjian.hazards.tests.factories import act, make_hazard, photo
from anjian.hazards.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def codes(response) -> set[str]:
    return {h.code for h in response.context["hazards"]}


def submitted(world, **fields):
    """A hazard found by the inspector at unit A whose rectification the enterprise submitted."""
    hazard = make_hazard(world.inspector_a, world.unit_a, **fields)
    act(world.enterprise_a, hazard, "submit", photos=[photo("after.jpg")], description="已整改")
    hazard.refresh_from_db()
    return hazard


def detail(client, hazard):
    return client.get(reverse("hazards:hazard_detail", args=[hazard.pk]))


def action_url(hazard, action: str) -> str:
    return reverse("hazards:hazard_action", args=[hazard.pk, action])


# --- The list -----------------------------------------------------------------------------------


def test_each_persona_lists_only_the_hazards_in_its_scope(client, login, world):
    at_a = make_hazard(world.inspector_a, world.unit_a)
    at_a2 = make_hazard(world.inspector_a, world.unit_a2)
    at_b = make_hazard(world.town_office_b, world.unit_b)
    url = reverse("hazards:hazard_list")
    expected = {
        "town_office_a": {at_a.code, at_a2.code},
        "district_officer": {at_a.code, at_a2.code, at_b.code},
        "expert_a": {at_a.code},
        "enterprise_a": {at_a.code},
        "enterprise_a2": {at_a2.code},
        "enterprise_b": {at_b.code},
        "town_office_b": {at_b.code},
    }
    for persona, wanted in expected.items():
        login(persona)
        response = client.get(url, {"queue": "all"})
        assert response.status_code == 200
        assert codes(response) == wanted, persona

    login("department_a")
    assert client.get(url).status_code == 403


def test_the_queues_offered_fit_the_role(client, login, world):
    url = reverse("hazards:hazard_list")
    login("enterprise_a")
    page = client.get(url).text
    assert 'data-testid="queue-open"' in page
    assert 'data-testid="queue-all"' in page
    assert 'data-testid="queue-recheck"' not in page
    assert 'data-testid="queue-extensions"' not in page

    login("inspector_a")
    page = client.get(url).text
    assert 'data-testid="queue-recheck"' in page
    assert 'data-testid="queue-extensions"' not in page

    login("town_office_a")
    page = client.get(url).text
    for queue in ("open", "recheck", "overdue", "major", "extensions", "all"):
        assert f'data-testid="queue-{queue}"' in page


def test_the_recheck_queue_holds_what_awaits_the_inspector(client, login, world):
    waiting = submitted(world)
    ordered = make_hazard(world.inspector_a, world.unit_a2)
    closed = submitted(world)
    act(world.inspector_a, closed, "pass")

    login("inspector_a")
    response = client.get(reverse("hazards:hazard_list"), {"queue": "recheck"})

    assert codes(response) == {waiting.code}
    opened = client.get(reverse("hazards:hazard_list"))
    assert codes(opened) == {waiting.code, ordered.code}  # "open" by default: not the closed one


def test_an_overdue_hazard_shows_its_days_overdue(client, login, world):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        late = make_hazard(world.inspector_a, world.unit_a, deadline_days=2)
    in_time = make_hazard(world.inspector_a, world.unit_a, deadline_days=5)
    login("enterprise_a")

    response = client.get(reverse("hazards:hazard_list"))

    rows = response.text.split('data-testid="hazard-row"')[1:]
    late_row = next(r for r in rows if late.code in r)
    in_time_row = next(r for r in rows if in_time.code in r)
    assert 'data-testid="badge-overdue"' in late_row
    assert "逾期 8 天" in late_row
    assert 'data-testid="badge-overdue"' not in in_time_row
    overdue = client.get(reverse("hazards:hazard_list"), {"queue": "all", "overdue": "true"})
    assert codes(overdue) == {late.code}


def test_filters_and_search_by_number(client, login, world):
    electrical = make_hazard(world.inspector_a, world.unit_a)
    fire = make_hazard(
        world.inspector_a,
        world.unit_a2,
        category="fire",
        description="消防通道堆放杂物",
        location="仓库北侧",
    )
    login("town_office_a")
    url = reverse("hazards:hazard_list")

    assert codes(client.get(url, {"category": "fire"})) == {fire.code}
    assert codes(client.get(url, {"q": electrical.code})) == {electrical.code}
    assert codes(client.get(url, {"q": str(fire.pk)})) == {fire.code}
    assert codes(client.get(url, {"q": "消防通道"})) == {fire.code}
    assert codes(client.get(url, {"region": world.village_a1.pk})) == {electrical.code}


def test_the_excel_export_holds_every_fact_and_the_days_overdue(client, login, world):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        late = make_hazard(
            world.inspector_a,
            world.unit_a,
            deadline_days=3,
            responsible_mobile="13957112345",
            funds="1200",
            measures="临时断电并设警示",
            acceptance_criterion="门可关闭，线路无裸露",
        )
    make_hazard(world.town_office_b, world.unit_b)
    login("town_office_a")

    response = client.get(reverse("hazards:hazard_list"), {"queue": "all", "export": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == 1  # town B's hazard is not exported
    row = dict(zip(header, data[0], strict=True))
    assert row["编号"] == late.code
    assert row["单位"] == world.unit_a.name
    assert row["整改责任人"] == "王安全"
    assert row["整改责任人手机"] == "13957112345"
    assert row["整改措施及临时管控措施"] == "临时断电并设警示"
    assert row["整改资金（元）"] == 1200
    assert row["验收标准"] == "门可关闭，线路无裸露"
    assert row["逾期天数"] == 7
    assert row["状态"] == late.get_status_display()
    assert AuditEntry.objects.filter(action="export.downloaded", actor=world.town_office_a).exists()


def test_the_list_takes_as_many_queries_for_30_hazards_as_for_5(client, login, world):
    login("town_office_a")
    url = reverse("hazards:hazard_list")
    counts = []
    for batch in (5, 25):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
            for i in range(batch):  # overdue, from both villages: every badge is worked out
                unit = world.unit_a2 if i % 2 else world.unit_a
                make_hazard(world.inspector_a, unit, deadline_days=1, photos=0)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))

    assert len(response.context["hazards"]) == 25
    assert response.text.count('data-testid="badge-overdue"') == 25
    assert counts[0] == counts[1]


# --- Recording -----------------------------------------------------------------------------------


def record_data(world, **overrides):
    data = {
        "unit": world.unit_a.pk,
        "location": "二号车间",
        "description": "砂轮机防护罩缺失",
        "hazard_type": "unsafe_condition",
        "category": "machinery",
        "level": "general",
        "source": "town_inspection",
        "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "responsible_person": "李师傅",
        "responsible_mobile": "13957100009",
        "deadline_mode": "calendar",
        "deadline": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
    }
    data.update(overrides)
    return data


def test_an_inspector_records_a_hazard_with_photos_and_orders_at_once(client, login, world):
    login("inspector_a")
    form = client.get(reverse("hazards:hazard_create"), {"unit": world.unit_a.pk})
    assert form.status_code == 200
    assert 'capture="environment"' in form.text
    assert 'accept="image/*"' in form.text
    assert form.context["form"]["source"].value() == "town_inspection"

    response = client.post(
        reverse("hazards:hazard_create"),
        {**record_data(world), "photos": [photo("a.jpg"), photo("b.jpg")]},
    )

    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hazards:hazard_detail", args=[hazard.pk])
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.photos.filter(kind=PhotoKind.BEFORE).count() == 2
    assert hazard.found_by == world.inspector_a
    assert hazard.deadline == timezone.localdate() + datetime.timedelta(days=5)


def test_the_source_defaults_by_role(client, login, world):
    expected = {
        "enterprise_a": "self_check",
        "expert_a": "expert_check",
        "village_officer_a": "village_patrol",
        "committee_member_a": "town_inspection",
        "town_office_a": "town_inspection",
    }
    for persona, source in expected.items():
        login(persona)
        form = client.get(reverse("hazards:hazard_create")).context["form"]
        assert form["source"].value() == source, persona


def test_a_deadline_in_working_days(client, login, world):
    login("inspector_a")
    data = record_data(world, deadline_mode="working_days", deadline="", working_days="3")

    client.post(reverse("hazards:hazard_create"), data)

    hazard = Hazard.objects.get()
    assert hazard.deadline_mode == "working_days"
    assert hazard.deadline_working_days == 3
    assert hazard.deadline > timezone.localdate()


def test_a_village_officer_records_without_a_deadline(client, login, world):
    login("village_officer_a")
    form = client.get(reverse("hazards:hazard_create"))
    assert "deadline" not in form.context["form"].fields
    assert list(form.context["form"].fields["unit"].queryset) == [world.unit_a]

    client.post(reverse("hazards:hazard_create"), record_data(world, source="village_patrol"))

    assert Hazard.objects.get().status == HazardStatus.FOUND


def test_errors_appear_next_to_the_fields_in_chinese(client, login, world):
    login("inspector_a")

    response = client.post(
        reverse("hazards:hazard_create"),
        record_data(world, description="", responsible_mobile="1234"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == ["请填写隐患描述。"]
    assert Hazard.objects.count() == 0

    response = client.post(
        reverse("hazards:hazard_create"),
        record_data(world, responsible_mobile="1234"),
    )
    errors = response.context["form"].errors
    assert "responsible_mobile" in errors  # the service's check, put next to the field
    assert "手机号" in errors["responsible_mobile"][0]
    assert Hazard.objects.count() == 0

    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("hazards:hazard_create"), record_data(world, deadline=past))
    assert response.context["form"].errors["deadline"] == ["整改期限不能早于今天。"]


def test_a_unit_outside_the_scope_cannot_be_chosen(client, login, world):
    login("enterprise_a")

    response = client.post(
        reverse("hazards:hazard_create"), record_data(world, unit=world.unit_a2.pk)
    )

    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert Hazard.objects.count() == 0


def test_similar_open_hazards_of_the_unit_are_offered_while_typing(client, login, world):
    existing = make_hazard(world.town_office_a, world.unit_a)
    login("inspector_a")
    url = reverse("hazards:hazard_similar")

    response = client.get(
        url,
        {"unit": world.unit_a.pk, "description": "配电箱门没关，线路裸露", "location": ""},
        HTTP_HX_REQUEST="true",
    )

    assert existing.code in response.text
    assert reverse("hazards:hazard_detail", args=[existing.pk]) in response.text
    assert 'data-testid="similar-open"' in response.text
    unrelated = client.get(url, {"unit": world.unit_a.pk, "description": "消防通道堆放杂物"})
    assert existing.code not in unrelated.text
    other_unit = client.get(url, {"unit": world.unit_a2.pk, "description": "配电箱门没关"})
    assert existing.code not in other_unit.text

    login("enterprise_a2")  # may record, but not see unit A's hazards
    hidden = client.get(url, {"unit": world.unit_a.pk, "description": "配电箱门没关，线路裸露"})
    assert existing.code not in hidden.text
    form = client.get(reverse("hazards:hazard_create")).text
    assert 'hx-trigger="keyup changed delay:600ms' in form


# --- The hazard page -------------------------------------------------------------------------------


def test_the_page_shows_facts_timeline_and_photo_pairs(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a, photos=2)
    first, second = hazard.photos.order_by("pk")
    act(
        world.enterprise_a,
        hazard,
        "submit",
        photos=[photo("after.jpg")],
        description="已加装防护门",
        pairs={0: second.pk},
    )
    login("enterprise_a")

    response = detail(client, hazard)

    assert response.status_code == 200
    page = response.text
    assert hazard.code in page
    assert "王安全" in page  # the responsible person (五定)
    pairs = response.context["photo_pairs"]
    assert [(b.pk, [a.pk for a in afters]) for b, afters in pairs] == [
        (first.pk, []),
        (second.pk, [hazard.photos.get(kind="after").pk]),
    ]
    assert page.count('data-testid="photo-pair"') == 2
    events = [e.type for e in response.context["events"]]
    assert events == ["hazard.recorded", "hazard.order", "hazard.submit"]
    assert str(EVENT_LABELS["hazard.submit"]) in page
    assert "提交整改情况，申请复查" in page


def test_buttons_follow_the_role_and_the_state(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a)

    login("enterprise_a")
    page = detail(client, hazard).text
    assert 'data-testid="action-submit"' in page
    assert 'data-testid="action-request_extension"' in page
    assert 'data-testid="action-cancel"' not in page

    login("inspector_a")
    page = detail(client, hazard).text
    assert 'data-testid="action-submit"' in page  # the inspector may submit for the unit
    assert 'data-testid="action-cancel"' not in page

    login("leader_a")
    page = detail(client, hazard).text
    assert 'data-testid="action-' not in page

    login("town_office_a")
    assert 'data-testid="action-cancel"' in detail(client, hazard).text

    act(world.enterprise_a, hazard, "submit", photos=[photo()], description="已整改")
    login("inspector_a")
    page = detail(client, hazard).text
    assert 'data-testid="action-pass"' in page
    assert 'data-testid="action-fail"' in page
    login("enterprise_a")
    page = detail(client, hazard).text
    assert 'data-testid="action-pass"' not in page
    assert 'data-testid="action-submit"' not in page


def test_the_original_deadline_stands_beside_an_extended_one(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=3)
    first = hazard.deadline
    act(
        world.enterprise_a,
        hazard,
        "request_extension",
        note="设备到货晚",
        requested_deadline=first + datetime.timedelta(days=10),
    )
    act(world.town_office_a, hazard, "approve_extension")
    login("enterprise_a")

    page = detail(client, hazard).text

    assert 'data-testid="original-deadline"' in page
    assert first.isoformat() in page
    assert (first + datetime.timedelta(days=10)).isoformat() in page
    assert "设备到货晚" in page


def test_pages_outside_the_scope_are_404(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    login("enterprise_a2")
    assert detail(client, hazard).status_code == 404
    assert client.get(action_url(hazard, "submit")).status_code == 404
    assert client.get(reverse("hazards:hazard_edit", args=[hazard.pk])).status_code == 404
    login("enterprise_b")
    assert client.post(action_url(hazard, "submit"), {"expected_version": 2}).status_code == 404


# --- The loop through the pages -------------------------------------------------------------------


def test_the_whole_loop_through_the_pages(client, login, world):
    login("inspector_a")
    client.post(
        reverse("hazards:hazard_create"),
        {**record_data(world, deadline=""), "photos": [photo("found.jpg")]},
    )
    hazard = Hazard.objects.get()
    before = hazard.photos.get()
    assert hazard.status == HazardStatus.FOUND

    order = client.post(
        action_url(hazard, "order"),
        {"expected_version": hazard.version, "deadline_mode": "working_days", "working_days": 5},
    )
    assert order.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.deadline_working_days == 5

    login("enterprise_a")
    form = client.get(action_url(hazard, "submit"))
    assert form.context["form"].pair_rows[0][0] == before
    client.post(
        action_url(hazard, "submit"),
        {
            "expected_version": hazard.version,
            "description": "已加装防护罩",
            "cost": "350",
            "after_0": photo("after.jpg"),
            "pair_0": before.pk,
        },
    )
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.SUBMITTED
    assert hazard.photos.get(kind=PhotoKind.AFTER).pairs_with == before

    login("inspector_a")
    refused = client.post(action_url(hazard, "fail"), {"expected_version": hazard.version})
    assert refused.status_code == 200
    assert "note" in refused.context["form"].errors
    new_deadline = timezone.localdate() + datetime.timedelta(days=3)
    client.post(
        action_url(hazard, "fail"),
        {
            "expected_version": hazard.version,
            "note": "防护罩未固定",
            "deadline_mode": "calendar",
            "deadline": new_deadline.isoformat(),
        },
    )
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.deadline == new_deadline

    login("enterprise_a")
    client.post(
        action_url(hazard, "submit"),
        {"expected_version": hazard.version, "description": "已固定", "photos": [photo("2.jpg")]},
    )
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.SUBMITTED
    login("inspector_a")
    response = client.post(
        action_url(hazard, "pass"), {"expected_version": hazard.version, "note": "合格"}
    )
    hazard.refresh_from_db()
    assert response.status_code == 302
    assert hazard.status == HazardStatus.CLOSED
    outcomes = list(hazard.reports.order_by("round").values_list("outcome", flat=True))
    assert outcomes == [ReportOutcome.FAILED, ReportOutcome.PASSED]
    page = detail(client, hazard).text
    for phrase in ("下达限期整改", "复查不合格，重新整改", "复查合格，予以销号"):
        assert phrase in page
    assert "防护罩未固定" in page


def test_a_stale_form_gets_409_and_changes_nothing(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    login("enterprise_a")
    seen = client.get(action_url(hazard, "submit")).context["form"]["expected_version"].value()
    from anjian.hazards.services import hazard_update

    hazard_update(
        actor=world.town_office_a,
        hazard_id=hazard.pk,
        expected_version=hazard.version,
        location="一号车间东侧配电箱",
        reason="位置更正",
    )

    response = client.post(
        action_url(hazard, "submit"),
        {"expected_version": seen, "description": "已整改", "photos": [photo()]},
    )

    assert response.status_code == 409
    assert 'data-testid="stale"' in response.text
    assert "有人修改了这条隐患" in response.text
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
    assert not hazard.reports.exists()


def test_an_action_no_longer_possible_is_explained(client, login, world):
    hazard = submitted(world)
    act(world.town_office_a, hazard, "pass")
    hazard.refresh_from_db()
    login("inspector_a")

    response = client.post(
        action_url(hazard, "fail"),
        {"expected_version": hazard.version, "note": "仍有问题", "deadline": timezone.localdate()},
    )

    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert any("不能" in str(m) for m in followed.context["messages"])
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED
    assert client.get(action_url(hazard, "fail")).status_code == 302  # not offered any more


def test_a_role_without_the_permission_gets_403(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    login("enterprise_a")

    assert client.get(action_url(hazard, "cancel")).status_code == 403
    response = client.post(action_url(hazard, "cancel"), {"expected_version": 2, "note": "x"})
    assert response.status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFYING
    assert client.get(action_url(hazard, "no_such_action")).status_code == 404


def test_cancelling_as_a_duplicate_asks_for_confirmation_and_a_reason(client, login, world):
    original = make_hazard(world.inspector_a, world.unit_a)
    duplicate = make_hazard(world.expert_a, world.unit_a, source="expert_check")
    login("town_office_a")

    form = client.get(action_url(duplicate, "cancel"))
    assert "data-confirm=" in form.text
    missing = client.post(action_url(duplicate, "cancel"), {"expected_version": duplicate.version})
    assert missing.context["form"].errors["note"]

    client.post(
        action_url(duplicate, "cancel"),
        {"expected_version": duplicate.version, "note": "重复登记", "duplicate_of": original.code},
    )

    duplicate.refresh_from_db()
    assert duplicate.status == HazardStatus.CANCELLED
    assert duplicate.duplicate_of == original


def test_correcting_the_facts_and_a_stale_correction(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    login("inspector_a")
    url = reverse("hazards:hazard_edit", args=[hazard.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["found_at"] = form["found_at"].value().strftime("%Y-%m-%dT%H:%M")
    data["description"] = "配电箱门未关闭，线路裸露，箱内积尘"
    data["reason"] = "补充箱内情况"

    response = client.post(url, data)

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.description.endswith("箱内积尘")
    edited = hazard.events.get(type="hazard.edited")
    assert edited.data["fields"] == ["description"]
    assert edited.note == "补充箱内情况"
    assert edited.data["correction"] is False  # the recorder's own, before the order
    stale = client.post(url, {**data, "description": "再改一次"})
    assert stale.status_code == 409


def test_adding_photos_to_an_open_hazard(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    login("expert_a")

    response = client.post(
        reverse("hazards:hazard_add_photos", args=[hazard.pk]),
        {"photos": [photo("more1.jpg"), photo("more2.jpg")]},
    )

    assert response.status_code == 302
    assert hazard.photos.filter(kind=PhotoKind.BEFORE).count() == 3
    too_many = client.post(
        reverse("hazards:hazard_add_photos", args=[hazard.pk]),
        {"photos": [photo(f"x{i}.jpg") for i in range(7)]},
    )
    assert too_many.status_code == 200
    assert too_many.context["form"].errors["photos"]


def test_a_major_hazard_shows_its_plan_and_takes_the_six_parts(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a, level="major")
    login("enterprise_a")
    page = detail(client, hazard)
    assert 'data-testid="hazard-major"' in page.text
    assert 'data-testid="action-submit_plan"' in page.text
    plan = {
        "goals": "消除粉尘爆炸风险",
        "methods": "更换除尘系统",
        "funds_materials": "自筹资金",
        "funds_amount": "80000",
        "organisation": "设备部",
        "time_limit": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "time_requirements": "分两期完成",
        "safety_measures": "停用相关设备并设警戒",
    }

    missing = client.post(
        action_url(hazard, "submit_plan"), {"expected_version": hazard.version, "goals": "x"}
    )
    assert missing.context["form"].errors["methods"]
    client.post(action_url(hazard, "submit_plan"), {"expected_version": hazard.version, **plan})

    stored = hazard.plans.get()
    assert stored.methods == "更换除尘系统"
    assert "更换除尘系统" in detail(client, hazard).text


# --- Photo files ----------------------------------------------------------------------------------


def test_photos_are_served_only_within_the_scope(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    item = hazard.photos.get()
    image = reverse("hazards:photo_image", args=[item.pk])
    original = reverse("hazards:photo_original", args=[item.pk])

    login("enterprise_a")
    response = client.get(image)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hazard.code in response["Content-Disposition"]
    download = client.get(original)
    assert download["Content-Type"] == item.content_type
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8\xff")

    for outsider in ("enterprise_a2", "enterprise_b"):
        login(outsider)
        assert client.get(image).status_code == 404
        assert client.get(original).status_code == 404

    client.logout()
    assert client.get(image).status_code == 302


# --- The unit page ----------------------------------------------------------------------------------


def test_the_unit_page_lists_the_units_hazards(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    closed = submitted(world)
    act(world.inspector_a, closed, "pass")
    login("inspector_a")

    page = client.get(reverse("units:unit_detail", args=[world.unit_a.pk])).text

    tab = page.split('data-testid="unit-hazards"', 1)[1]
    assert hazard.code in tab.split('data-testid="unit-hazards-closed"')[0]
    assert closed.code in tab.split('data-testid="unit-hazards-closed"')[1]
    assert 'data-testid="unit-hazard-record"' in tab

    login("leader_a")  # may see, may not record
    page = client.get(reverse("units:unit_detail", args=[world.unit_a.pk])).text
    assert hazard.code in page
    assert 'data-testid="unit-hazard-record"' not in page


# --- Settings -----------------------------------------------------------------------------------------


def test_the_office_keeps_the_sub_grades(client, login, world):
    login("town_office_a")
    response = client.post(
        reverse("hazards:subgrade_create"),
        {
            "level": "major",
            "code": "major-1",
            "name": "重大一级",
            "sort_order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    grade = HazardSubGrade.objects.get(code="major-1")
    assert AuditEntry.objects.filter(action="hazard_subgrade.created").count() == 1
    assert "重大一级" in client.get(reverse("hazards:subgrade_list")).text

    duplicate = client.post(
        reverse("hazards:subgrade_create"), {"level": "major", "code": "major-1", "name": "另一个"}
    )
    assert duplicate.context["form"].errors["code"]

    client.post(
        reverse("hazards:subgrade_edit", args=[grade.pk]),
        {"level": "major", "code": "major-1", "name": "重大一级（特别）", "sort_order": 1},
    )
    grade.refresh_from_db()
    assert grade.name == "重大一级（特别）"
    assert not grade.is_active  # the box was not ticked: retired

    gone = client.get(reverse("hazards:subgrade_edit", args=[grade.pk + 100]))
    assert gone.status_code == 302

    login("enterprise_a")
    assert client.get(reverse("hazards:subgrade_list")).status_code == 403


def test_a_sub_grade_must_belong_to_the_chosen_level(client, login, world):
    grade = HazardSubGrade.objects.create(level="major", code="major-2", name="重大二级")
    login("inspector_a")
    offered = client.get(reverse("hazards:hazard_create")).context["form"]
    assert grade in offered.fields["sub_grade"].queryset

    response = client.post(
        reverse("hazards:hazard_create"), record_data(world, sub_grade=grade.pk, level="general")
    )

    assert response.context["form"].errors["sub_grade"]
    client.post(
        reverse("hazards:hazard_create"), record_data(world, sub_grade=grade.pk, level="major")
    )
    assert Hazard.objects.get().sub_grade == grade


def test_reminders_in_the_timeline_say_which_reminder(client, login, world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    HazardEvent.objects.create(hazard=hazard, type="hazard.reminded", data={"kind": "due_today"})
    HazardEvent.objects.create(hazard=hazard, type="hazard.escalated", data={"kind": "x"})
    login("enterprise_a")

    page = detail(client, hazard).text

    assert str(EVENT_LABELS["hazard.reminder_due_today"]) in page
    assert str(EVENT_LABELS["hazard.escalated"]) in page


def test_every_timeline_event_reads_as_a_phrase():
    for action in TRANSITIONS:
        assert f"hazard.{action}" in EVENT_LABELS
    for extra in ("hazard.recorded", "hazard.major_reported", "hazard.edited", "hazard.escalated"):
        assert extra in EVENT_LABELS


def test_the_navigation_leads_to_the_hazards(client, login, world):
    login("enterprise_a")
    nav = client.get(reverse("core:home")).text.split('data-testid="main-nav"', 1)[1]
    assert reverse("hazards:hazard_list") in nav.split('data-testid="user-nav"', 1)[0]


def test_the_finder_filter_names_only_finders_of_hazards_you_may_see(world):
    """The list's finder badge: the name of who found hazards you may see; for anyone else, only
    the number that was asked for (no name leaks through the filter)."""
    make_hazard(world.inspector_a, world.unit_a)
    assert finder_name(world.town_office_a, world.inspector_a.pk) == world.inspector_a.name
    assert finder_name(world.town_office_b, world.inspector_a.pk) == str(world.inspector_a.pk)
