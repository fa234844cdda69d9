"""Who hears of what happens to a hazard: the messages sent after each action commits."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anjian.accounts.services import user_create
from anjian.hazards.notifications import notify_hazard_event, notify_major_hazard
from anjian.hazards.tests.factories import act, make_hazard, photo
from anjian.notifications.models import Notification
from anjian.units.models import AssignmentStatus, Engineer, ExpertAssignment, ServiceFirm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the notifications) of what happens inside the block."""

    def _committed():
        return django_capture_on_commit_callbacks(execute=True)

    return _committed


def heard(kind: str | None = None, **filters) -> list[str]:
    qs = Notification.objects.filter(**filters)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return sorted(qs.values_list("recipient__username", flat=True))


def test_a_major_hazard_reaches_the_towns_office_and_leaders_only(world, committed):
    with committed():
        hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None, level="major")
    assert heard("hazard.major") == ["leader_a", "town_office_a"]
    message = Notification.objects.get(kind="hazard.major", recipient=world.leader_a)
    assert hazard.code in message.title
    assert world.unit_a.name in message.title
    assert hazard.description in message.body
    assert message.link == reverse("hazards:hazard_detail", args=[hazard.pk])
    # Asked again (a retry), nobody hears twice.
    assert notify_major_hazard(hazard_id=hazard.pk) == 0
    assert len(heard("hazard.major")) == 2


def test_the_office_that_records_a_major_hazard_is_not_told_of_it(world, committed):
    with committed():
        make_hazard(world.town_office_a, world.unit_a, deadline_days=None, level="major")
    assert heard("hazard.major") == ["leader_a"]


def test_raising_a_hazard_to_major_reports_it(world, committed):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    assert heard("hazard.major") == []
    from anjian.hazards.services import hazard_update

    with committed():
        hazard_update(
            actor=world.inspector_a,
            hazard_id=hazard.pk,
            expected_version=hazard.version,
            level="major",
            reason="复核认定为重大事故隐患",
        )
    assert heard("hazard.major") == ["leader_a", "town_office_a"]


def test_an_order_reaches_the_unit_and_its_expert_with_the_deadline(world, committed):
    with committed():
        hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=10)
    assert heard("hazard.order") == ["enterprise_a", "expert_a"]
    title = Notification.objects.get(kind="hazard.order", recipient=world.enterprise_a).title
    assert hazard.code in title
    assert hazard.deadline.isoformat() in title
    link = Notification.objects.get(kind="hazard.order", recipient=world.enterprise_a).link
    assert link == reverse("hazards:hazard_detail", args=[hazard.pk])
    # The unit next door and the other town hear nothing.
    assert heard(recipient=world.enterprise_a2) == []
    assert heard(recipient=world.enterprise_b) == []


def test_the_engineer_assigned_to_the_unit_hears_of_its_hazards(world, committed):
    account = user_create(actor=None, username="engineer_li", name="李工", password="Anjian#2026x")
    firm = ServiceFirm.objects.create(region=world.town_a, name="富阳安评技术服务有限公司")
    engineer = Engineer.objects.create(firm=firm, user=account, name="李工")
    ExpertAssignment.objects.create(
        unit=world.unit_a2, engineer=engineer, status=AssignmentStatus.ACTIVE
    )
    with committed():
        make_hazard(world.inspector_a, world.unit_a2)
    assert heard("hazard.order") == ["engineer_li", "enterprise_a2"]


def test_a_submission_reaches_the_inspector_who_found_the_hazard(world, committed):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    with committed():
        act(world.enterprise_a, hazard, "submit", photos=[photo()], description="已加装防护门")
    assert heard("hazard.submit") == ["inspector_a"]
    assert "已加装防护门" not in Notification.objects.get(kind="hazard.submit").title


def test_a_submission_of_a_hazard_found_by_someone_who_cannot_recheck_goes_to_the_town(
    world, committed
):
    # A village officer records hazards but does not re-check them.
    hazard = make_hazard(
        world.village_officer_a, world.unit_a, deadline_days=None, source="village_patrol"
    )
    act(world.town_office_a, hazard, "order", deadline=timezone.localdate() + datetime.timedelta(7))
    with committed():
        act(world.enterprise_a, hazard, "submit", photos=[photo()], description="已整改")
    assert heard("hazard.submit") == ["inspector_a", "town_office_a"]


def test_the_submitter_of_a_self_check_is_not_asked_to_recheck_it(world, committed):
    hazard = make_hazard(world.enterprise_a, world.unit_a, source="self_check")
    with committed():
        act(world.enterprise_a, hazard, "submit", photos=[photo()], description="已整改")
    assert heard("hazard.submit") == ["inspector_a", "town_office_a"]


def test_an_extension_request_reaches_the_town_office(world, committed):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=5)
    wanted = hazard.deadline + datetime.timedelta(days=10)
    with committed():
        act(
            world.enterprise_a,
            hazard,
            "request_extension",
            note="设备到货延迟",
            requested_deadline=wanted,
        )
    assert heard("hazard.request_extension") == ["town_office_a"]
    message = Notification.objects.get(kind="hazard.request_extension")
    assert wanted.isoformat() in message.title
    assert "设备到货延迟" in message.body
    with committed():
        act(world.town_office_a, hazard, "approve_extension")
    assert heard("hazard.approve_extension") == ["enterprise_a", "expert_a"]
    title = Notification.objects.get(
        kind="hazard.approve_extension", recipient=world.enterprise_a
    ).title
    assert wanted.isoformat() in title


def test_a_failed_recheck_tells_the_unit_and_not_the_inspector_who_failed_it(world, committed):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    act(world.enterprise_a, hazard, "submit", photos=[photo()], description="已整改")
    new_deadline = timezone.localdate() + datetime.timedelta(days=3)
    with committed():
        act(world.inspector_a, hazard, "fail", note="线路仍裸露", deadline=new_deadline)
    assert heard("hazard.fail") == ["enterprise_a", "expert_a"]
    message = Notification.objects.get(kind="hazard.fail", recipient=world.enterprise_a)
    assert new_deadline.isoformat() in message.title
    assert "线路仍裸露" in message.body
    with committed():
        act(world.enterprise_a, hazard, "submit", photos=[photo()], description="已整理线路")
        act(world.inspector_a, hazard, "pass")
    assert heard("hazard.pass") == ["enterprise_a", "expert_a"]


def test_listing_for_supervision_reaches_office_leaders_and_unit_but_not_the_lister(
    world, committed
):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None, level="major")
    second_leader = user_create(
        actor=None, username="leader_a2", name="副镇长", password="Anjian#2026x"
    )
    from anjian.accounts.services import role_assign

    role_assign(actor=None, user=second_leader, role="leader", region=world.town_a)
    with committed():
        act(world.leader_a, hazard, "list_for_supervision", note="重大隐患，镇政府挂牌督办")
    assert heard("hazard.list_for_supervision") == [
        "enterprise_a",
        "expert_a",
        "leader_a2",
        "town_office_a",
    ]


def test_an_action_without_an_audience_tells_nobody(world, committed):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    with committed():
        act(
            world.inspector_a,
            hazard,
            "rectify_on_spot",
            photos=[photo()],
            description="当场关闭配电箱门",
        )
    event = hazard.events.get(type="hazard.rectify_on_spot")
    assert notify_hazard_event(event_id=event.pk) == 0
    assert heard() == []


def test_a_failure_to_notify_is_logged_not_raised_after_the_commit(
    world, committed, monkeypatch, caplog
):
    from anjian.hazards import notifications

    def broken(units):
        raise RuntimeError("the directory is down")

    monkeypatch.setattr(notifications, "Audience", broken)
    with committed():
        hazard = make_hazard(world.inspector_a, world.unit_a)
    hazard.refresh_from_db()
    assert hazard.status == "rectifying"
    assert heard() == []
    assert "could not notify notify_hazard_event" in caplog.text
