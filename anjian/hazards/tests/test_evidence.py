"""What the finder recorded is evidence (issue 16 §3).

Only the side that recorded a hazard corrects it, with a reason, until rectification is ordered;
after that only the town office, and the correction is shown as one. An enterprise corrects only
its own self-check hazards and never their level or source; only the office changes the source;
a major hazard is downgraded only at the office's request, approved by a leader.

The matrix: every persona of the test world × every fact of the update × every state, for a
hazard recorded by each side, through the service (each attempt rolled back). The expected
outcome is written out here (``expected``), not read from the rule it checks. The API and the
page are checked on a representative part.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition
from anjian.core.testing.world import PERSONAS
from anjian.enforcement.models import IssuedDocument
from anjian.hazards.models import Hazard, HazardSubGrade
from anjian.hazards.services import HAZARD_FIELDS, hazard_update
from anjian.hazards.tests.factories import act, make_hazard, photo
from anjian.hazards.tests.states import attempt, major_ready_to_submit

pytestmark = pytest.mark.django_db

# Who recorded the hazard, with which source.
RECORDERS = {
    "town": ("inspector_a", "town_inspection"),
    "village": ("village_officer_a", "village_patrol"),
    "expert": ("expert_a", "expert_check"),
    "self_check": ("enterprise_a", "self_check"),
}
# The hazard's state; "ordered_by_document": still "found", but a 责令限期整改指令书 covers it.
SCENARIOS = (
    "found",
    "ordered_by_document",
    "rectifying",
    "submitted",
    "closed",
    "closed_on_spot",
    "cancelled",
)
CASES = [
    (recorder, scenario, major)
    for recorder in RECORDERS
    for scenario in SCENARIOS
    for major in (False, True)
    if not (major and scenario == "closed_on_spot")
]
# Personas with no right to record at unit_a: the hazard does not exist for them (404).
NO_RECORD_AT_UNIT_A = {
    "leader_a",
    "department_a",
    "district_officer",
    "town_office_b",
    "enterprise_b",
    "enterprise_a2",
}


def expected(persona: str, field: str, recorder: str, scenario: str, major: bool) -> str:
    if persona in NO_RECORD_AT_UNIT_A:
        return "hidden"
    if scenario in ("closed", "closed_on_spot", "cancelled"):
        return "not_open"
    if field == "level" and major:
        return "refused"  # downgraded only by request_downgrade
    if persona == "town_office_a":
        return "ok"
    if persona != RECORDERS[recorder][0]:
        return "refused"  # not the recorder's side (the town side has one inspector here)
    if scenario != "found":
        return "refused"  # ordered: the office only
    if field == "source":
        return "refused"
    if persona.startswith("enterprise") and field in ("level", "sub_grade"):
        return "refused"
    return "ok"


def new_value(hazard: Hazard, field: str, grades: dict):
    values = {
        "location": "三号车间东门",
        "description": "更正后的描述",
        "hazard_type": "management",
        "category": "fire",
        "level": "general" if hazard.is_major else "major",
        "sub_grade": grades[hazard.level].pk,
        "legal_basis": "《安全生产法》第四十一条",
        "source": "joint_enforcement",
        "found_at": hazard.found_at - datetime.timedelta(hours=1),
        "found_by_name": "张发现",
        "requirement": "更正后的整改要求",
        "responsible_person": "李责任",
        "responsible_mobile": "13812345678",
        "measures": "更正后的措施",
        "funds": "3000",
        "acceptance_criterion": "更正后的验收标准",
    }
    assert set(values) == set(HAZARD_FIELDS)
    return values[field]


def build(world, recorder: str, scenario: str, major: bool) -> Hazard:
    """A hazard of unit_a recorded by ``recorder``'s side, brought into ``scenario``."""
    persona, source = RECORDERS[recorder]
    hazard = make_hazard(
        world.users[persona],
        world.unit_a,
        deadline_days=None,
        level="major" if major else "general",
        source=source,
    )
    if scenario == "ordered_by_document":
        document = IssuedDocument.objects.create(
            town=world.town_a,
            doc_type="rectification_order",
            year=2026,
            number=1,
            label="场口安监责改〔2026〕1号",
            unit=world.unit_a,
        )
        document.hazards.add(hazard)
    elif scenario == "closed_on_spot":
        attempt(world, hazard, "rectify_on_spot")
    elif scenario == "cancelled":
        attempt(world, hazard, "cancel")
    elif scenario != "found":
        attempt(world, hazard, "order")
        if scenario in ("submitted", "closed"):
            if major:
                major_ready_to_submit(world, hazard)
            attempt(world, hazard, "submit")
        if scenario == "closed":
            attempt(world, hazard, "pass")
    hazard.refresh_from_db()
    return hazard


class _Undo(Exception):
    pass


def try_update(user, hazard: Hazard, field: str, value) -> str:
    try:
        with transaction.atomic():
            hazard_update(
                actor=user,
                hazard_id=hazard.pk,
                expected_version=hazard.version,
                reason="核实后更正",
                **{field: value},
            )
            raise _Undo
    except _Undo:
        return "ok"
    except Http404:
        return "hidden"
    except InvalidTransition:
        return "not_open"
    except ActionNotPermitted as exc:
        label = str(Hazard._meta.get_field(field).verbose_name)
        assert label in exc.message, exc.message  # the message names the field
        return "refused"
    except ValidationError as exc:
        assert set(exc.message_dict) == {field}, exc.message_dict
        label = str(Hazard._meta.get_field(field).verbose_name)
        assert label in exc.message_dict[field][0]
        return "refused"


@pytest.mark.parametrize(("recorder", "scenario", "major"), CASES, ids=str)
def test_every_persona_every_fact_every_state(world, recorder, scenario, major):
    grades = {
        "general": HazardSubGrade.objects.create(level="general", code="g-1", name="一般A"),
        "major": HazardSubGrade.objects.create(level="major", code="m-1", name="重大一级"),
    }
    hazard = build(world, recorder, scenario, major)
    version, audits = hazard.version, AuditEntry.objects.count()
    wrong = []
    for persona in PERSONAS:
        for field in HAZARD_FIELDS:
            got = try_update(world.users[persona], hazard, field, new_value(hazard, field, grades))
            want = expected(persona, field, recorder, scenario, major)
            if got != want:
                wrong.append((persona, field, want, got))
    assert wrong == []
    hazard.refresh_from_db()
    assert (hazard.version, AuditEntry.objects.count()) == (version, audits)


# --- What a correction leaves behind -------------------------------------------------------------


def test_a_correction_needs_a_reason_kept_on_the_event_and_in_the_audit(world):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    with pytest.raises(ValidationError) as caught:
        hazard_update(
            actor=world.inspector_a,
            hazard_id=hazard.pk,
            expected_version=hazard.version,
            location="二号车间",
            reason="  ",
        )
    assert set(caught.value.message_dict) == {"reason"}
    hazard_update(
        actor=world.inspector_a,
        hazard_id=hazard.pk,
        expected_version=hazard.version,
        location="二号车间",
        reason="位置记错",
    )
    event = hazard.events.get(type="hazard.edited")
    assert event.note == "位置记错"
    assert event.data["correction"] is False and event.data["after_order"] is False
    assert event.data["changes"] == {"location": ["一号车间配电箱", "二号车间"]}
    audit = AuditEntry.objects.filter(action="hazard.edited").latest("pk")
    assert audit.reason == "位置记错"


def test_the_office_corrects_after_the_order_and_it_is_shown_as_a_correction(world, client, login):
    hazard = make_hazard(world.inspector_a, world.unit_a)  # ordered at once
    with pytest.raises(ActionNotPermitted):
        hazard_update(
            actor=world.inspector_a,
            hazard_id=hazard.pk,
            expected_version=hazard.version,
            description="改写",
            reason="想改",
        )
    hazard_update(
        actor=world.town_office_a,
        hazard_id=hazard.pk,
        expected_version=hazard.version,
        legal_basis="《安全生产法》第三十六条",
        reason="依据引用有误",
    )
    event = hazard.events.get(type="hazard.edited")
    assert event.data["correction"] is True and event.data["after_order"] is True
    login("enterprise_a")  # the unit sees the correction, with its reason
    page = client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).text
    assert 'data-testid="correction"' in page
    assert "下达整改后的更正" in page
    assert "依据引用有误" in page


# --- The loop judges the recorded source and level -----------------------------------------------


def test_an_enterprise_cannot_turn_an_inspection_hazard_into_its_own_and_close_it(world):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    with pytest.raises(ActionNotPermitted):
        hazard_update(
            actor=world.enterprise_a,
            hazard_id=hazard.pk,
            expected_version=hazard.version,
            source="self_check",
            reason="自查发现",
        )
    act(world.enterprise_a, hazard, "submit", description="已整改", photos=[photo("a.jpg")])
    with pytest.raises(ValidationError, match="自查"):
        act(world.enterprise_a, hazard, "pass")
    hazard.refresh_from_db()
    assert hazard.source == "town_inspection" and hazard.status == "submitted"


def test_on_the_spot_closure_is_judged_on_the_recorded_source_and_finder(world):
    spot = {"description": "当场整改", "photos": [photo("s.jpg")]}
    town = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    for persona, match in (("enterprise_a", "自查"), ("village_officer_a", "发现人")):
        with pytest.raises(ValidationError, match=match):
            act(world.users[persona], town, "rectify_on_spot", **spot)
    town.refresh_from_db()
    assert town.status == "found"
    own = make_hazard(world.enterprise_a, world.unit_a, source="self_check", deadline_days=None)
    act(world.enterprise_a, own, "rectify_on_spot", **spot)
    patrol = make_hazard(
        world.village_officer_a, world.unit_a, source="village_patrol", deadline_days=None
    )
    act(world.village_officer_a, patrol, "rectify_on_spot", **spot)
    own.refresh_from_db()
    patrol.refresh_from_db()
    assert own.status == patrol.status == "closed"


def test_an_enterprise_records_only_self_check_hazards(world):
    with pytest.raises(ValidationError) as caught:
        make_hazard(world.enterprise_a, world.unit_a, source="town_inspection", deadline_days=None)
    assert set(caught.value.message_dict) == {"source"}


def test_an_enterprise_never_changes_the_level_of_its_own_major_self_check_hazard(world):
    hazard = make_hazard(
        world.enterprise_a, world.unit_a, source="self_check", level="major", deadline_days=None
    )
    with pytest.raises(ValidationError) as caught:
        hazard_update(
            actor=world.enterprise_a,
            hazard_id=hazard.pk,
            expected_version=hazard.version,
            level="general",
            reason="不算重大",
        )
    assert set(caught.value.message_dict) == {"level"}
    with pytest.raises(ValidationError, match="重大事故隐患"):
        act(
            world.enterprise_a,
            hazard,
            "rectify_on_spot",
            description="当场整改",
            photos=[photo("s.jpg")],
        )
    hazard.refresh_from_db()
    assert hazard.is_major and hazard.status == "found"


# --- Downgrading a major hazard: the office asks, a leader decides -------------------------------


def test_a_downgrade_takes_effect_only_when_a_leader_approves(world):
    hazard = make_hazard(world.inspector_a, world.unit_a, level="major", deadline_days=None)
    for persona in ("inspector_a", "enterprise_a", "expert_a", "leader_a"):
        with pytest.raises(ActionNotPermitted):
            act(world.users[persona], hazard, "request_downgrade", note="不属于重大")
    with pytest.raises(ValidationError, match="理由"):
        act(world.town_office_a, hazard, "request_downgrade")
    act(world.town_office_a, hazard, "request_downgrade", note="复核后不符合判定标准")
    hazard.refresh_from_db()
    assert hazard.is_major  # not before the leader decides
    with pytest.raises(ValidationError):
        act(world.town_office_a, hazard, "request_downgrade", note="再申请一次")
    with pytest.raises(ActionNotPermitted):
        act(world.town_office_a, hazard, "approve_downgrade")
    act(world.leader_a, hazard, "refuse_downgrade", note="仍符合重大事故隐患判定标准")
    hazard.refresh_from_db()
    assert hazard.is_major
    with pytest.raises(ValidationError):
        act(world.leader_a, hazard, "approve_downgrade")  # nothing pending any more
    act(world.town_office_a, hazard, "request_downgrade", note="补充了检测报告")
    act(world.leader_a, hazard, "approve_downgrade")
    hazard.refresh_from_db()
    assert hazard.level == "general"
    types = list(hazard.events.values_list("type", flat=True))
    assert types[-4:] == [
        "hazard.request_downgrade",
        "hazard.refuse_downgrade",
        "hazard.request_downgrade",
        "hazard.approve_downgrade",
    ]
    approval = AuditEntry.objects.filter(action="hazard.approve_downgrade").get()
    assert approval.changes["level"] == ["major", "general"]


def test_a_hazard_listed_for_supervision_is_not_downgraded(world):
    hazard = make_hazard(world.inspector_a, world.unit_a, level="major")
    act(world.leader_a, hazard, "list_for_supervision", note="镇政府挂牌督办")
    with pytest.raises(ValidationError, match="挂牌督办"):
        act(world.town_office_a, hazard, "request_downgrade", note="不属于重大")


# --- The API and the page ------------------------------------------------------------------------


def patch(client, user, hazard, **body):
    raw = api_token_issue(user=user, name="t").raw
    return client.patch(
        f"/api/v1/hazards/{hazard.pk}",
        json.dumps({"expected_version": hazard.version, **body}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def test_the_api_refuses_with_the_envelope(world, client):
    town = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    refused = patch(client, world.enterprise_a, town, description="改写", reason="x")
    assert refused.status_code == 403
    assert "自查" in refused.json()["error"]["message"]
    own = make_hazard(world.enterprise_a, world.unit_a, source="self_check", deadline_days=None)
    for field, value in (("source", "town_inspection"), ("level", "major")):
        response = patch(client, world.enterprise_a, own, reason="x", **{field: value})
        assert response.status_code == 422, response.content
        details = response.json()["error"]["details"]
        assert [d["field"] for d in details] == [field]
    no_reason = patch(client, world.enterprise_a, own, measures="加装护栏")
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["details"][0]["field"] == "reason"
    ok = patch(client, world.enterprise_a, own, measures="加装护栏", reason="补充措施")
    assert ok.status_code == 200, ok.content
    assert ok.json()["measures"] == "加装护栏"
    editable = set(ok.json()["editable_fields"])
    assert editable == set(HAZARD_FIELDS) - {"source", "level", "sub_grade"}
    ordered = make_hazard(world.inspector_a, world.unit_a)
    assert patch(client, world.inspector_a, ordered, location="x", reason="x").status_code == 403
    office = patch(client, world.town_office_a, ordered, location="二号车间", reason="位置记错")
    assert office.status_code == 200


def test_the_page_shows_only_what_the_person_may_correct(world, client, login):
    town = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    own = make_hazard(world.enterprise_a, world.unit_a, source="self_check", deadline_days=None)
    login("enterprise_a")
    assert client.get(reverse("hazards:hazard_edit", args=[town.pk])).status_code == 403
    detail = client.get(reverse("hazards:hazard_detail", args=[town.pk])).text
    assert 'data-testid="hazard-edit"' not in detail
    url = reverse("hazards:hazard_edit", args=[own.pk])
    form = client.get(url).context["form"]
    disabled = {name for name, f in form.fields.items() if f.disabled}
    assert disabled == {"source", "level", "sub_grade"}
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["found_at"] = form["found_at"].value().strftime("%Y-%m-%dT%H:%M")
    data.update(level="major", source="town_inspection", measures="设置围挡", reason="补充措施")
    response = client.post(url, data)
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.level, own.source, own.measures) == ("general", "self_check", "设置围挡")
    login("inspector_a")
    form = client.get(reverse("hazards:hazard_edit", args=[town.pk])).context["form"]
    assert {name for name, f in form.fields.items() if f.disabled} == {"source"}
    missing = client.post(
        reverse("hazards:hazard_edit", args=[town.pk]),
        {**data, "reason": "", "measures": "另一措施"},
    )
    assert missing.status_code == 200
    assert "reason" in missing.context["form"].errors


def test_the_found_time_cannot_be_moved_by_the_enterprise_after_its_own_order(world):
    hazard = make_hazard(world.enterprise_a, world.unit_a, source="self_check")
    with pytest.raises(ActionNotPermitted):
        hazard_update(
            actor=world.enterprise_a,
            hazard_id=hazard.pk,
            expected_version=hazard.version,
            found_at=timezone.now() - datetime.timedelta(days=1),
            reason="时间记错",
        )
