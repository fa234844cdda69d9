"""Enterprise accounts: invitation, activation, the enterprise's own edits and key-fact changes
confirmed by the office."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from anjian.accounts.models import RoleAssignment, User
from anjian.audit.models import AuditEntry
from anjian.notifications.models import Notification
from anjian.units import enterprise
from anjian.units.enterprise import ActivationRefused
from anjian.units.models import (
    ChangeStatus,
    Invitation,
    PersonRole,
    Unit,
    UnitChangeRequest,
    UnitPerson,
)

MOBILE = "13700001111"
NEW_PASSWORD = "Qiye#Anquan2026"


def invite(world, *, mobile=MOBILE, unit=None, role=PersonRole.SAFETY_OFFICER):
    return enterprise.invitation_create(
        actor=world.town_office_a,
        unit_id=(unit or world.unit_a).pk,
        person_role=role,
        name="张安全",
        mobile=mobile,
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"


# --- Invitation → activation → log-in -------------------------------------------------------


def test_invitation_activation_and_log_in_see_only_the_own_unit(client, login, world):
    login("town_office_a")
    response = client.post(
        reverse("units:invitation_list", args=[world.unit_a.pk]),
        {"person_role": "safety_officer", "name": "张安全", "mobile": "+86 137 0000 1111"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    code = re.search(r'data-testid="activation-code">(\d{8})<', html).group(1)
    assert "units/activate/?mobile=13700001111&amp;code=" + code in html
    invitation = Invitation.objects.get(unit=world.unit_a, mobile=MOBILE)
    assert code not in invitation.code_hash
    client.logout()

    page = client.get(reverse("units:activate"), {"mobile": MOBILE, "code": code})
    assert page.status_code == 200
    response = client.post(
        reverse("units:activate"),
        {"mobile": MOBILE, "code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")

    user = User.objects.get(username=MOBILE)
    assert (user.mobile, user.name, user.must_change_password) == (MOBILE, "张安全", False)
    assert RoleAssignment.objects.get(user=user).unit == world.unit_a
    response = client.post(reverse("accounts:login"), {"login": MOBILE, "password": NEW_PASSWORD})
    assert response.status_code == 302
    listed = client.get(reverse("units:unit_list")).context["object_list"]
    assert [u.pk for u in listed] == [world.unit_a.pk]
    assert client.get(reverse("units:unit_detail", args=[world.unit_b.pk])).status_code == 404
    assert client.get(reverse("units:my_unit"))["Location"] == reverse(
        "units:my_unit_edit", args=[world.unit_a.pk]
    )
    actions = set(
        AuditEntry.objects.filter(target_id=str(invitation.pk)).values_list("action", flat=True)
    )
    assert {"invitation.created", "invitation.accepted"} <= actions


def test_activation_over_the_api_needs_no_log_in(client, world):
    issued = invite(world)

    response = client.post(
        "/api/v1/units/activate",
        {"mobile": MOBILE, "code": issued.code, "password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["unit_id"] == world.unit_a.pk
    assert User.objects.filter(username=MOBILE).exists()


def test_an_existing_account_of_the_mobile_gets_the_role_added(world):
    person = world.enterprise_b
    issued = invite(world, mobile=person.mobile)

    with pytest.raises(ValidationError) as caught:
        enterprise.invitation_activate(mobile=person.mobile, code=issued.code, password="guess")
    assert "password" in caught.value.message_dict

    user = enterprise.invitation_activate(
        mobile=person.mobile, code=issued.code, password="Anjian#2026"
    )

    assert user == person
    units = set(
        RoleAssignment.objects.filter(user=person, is_active=True).values_list("unit", flat=True)
    )
    assert units == {world.unit_a.pk, world.unit_b.pk}


def test_activation_links_the_invited_person_of_the_units_file(world):
    person = UnitPerson.objects.create(
        unit=world.unit_a, role=PersonRole.SAFETY_OFFICER, name="张安全", mobile=MOBILE
    )
    issued = invite(world)

    user = enterprise.invitation_activate(mobile=MOBILE, code=issued.code, password=NEW_PASSWORD)

    person.refresh_from_db()
    assert person.user == user


def test_weak_password_is_refused_and_the_code_still_works(world):
    issued = invite(world)

    with pytest.raises(ValidationError) as caught:
        enterprise.invitation_activate(mobile=MOBILE, code=issued.code, password="12345678")

    assert "password" in caught.value.message_dict
    assert enterprise.invitation_activate(mobile=MOBILE, code=issued.code, password=NEW_PASSWORD)


# --- Refusals ---------------------------------------------------------------------------------


def test_five_wrong_codes_lock_the_invitation(world):
    issued = invite(world)

    for attempt in range(1, 6):
        with pytest.raises(ActivationRefused) as caught:
            enterprise.invitation_activate(
                mobile=MOBILE, code=wrong(issued.code), password=NEW_PASSWORD
            )
        locked = "locked" in caught.value.message or "锁定" in caught.value.message
        assert locked == (attempt == 5)

    with pytest.raises(ActivationRefused):  # even the right code now
        enterprise.invitation_activate(mobile=MOBILE, code=issued.code, password=NEW_PASSWORD)
    assert not User.objects.filter(username=MOBILE).exists()
    invitation = issued.invitation
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 5
    assert enterprise.invitation_status(invitation) == "locked"
    assert AuditEntry.objects.filter(action="invitation.locked").exists()


def test_wrong_codes_are_counted_through_the_page_too(client, world):
    issued = invite(world)
    data = {"mobile": MOBILE, "code": wrong(issued.code), "password1": "x", "password2": "x"}

    for _attempt in range(5):
        response = client.post(reverse("units:activate"), data)
        assert response.status_code == 200
        assert 'data-testid="activation-error"' in response.content.decode()

    issued.invitation.refresh_from_db()
    assert issued.invitation.failed_attempts == 5


def test_an_expired_code_is_refused(world):
    issued = invite(world)

    later = timezone.now() + datetime.timedelta(days=enterprise.INVITATION_DAYS, minutes=1)
    with time_machine.travel(later), pytest.raises(ActivationRefused) as caught:
        enterprise.invitation_activate(mobile=MOBILE, code=issued.code, password=NEW_PASSWORD)

    assert "expired" in caught.value.message or "过期" in caught.value.message
    assert not User.objects.filter(username=MOBILE).exists()


def test_a_used_code_is_refused(world):
    issued = invite(world)
    enterprise.invitation_activate(mobile=MOBILE, code=issued.code, password=NEW_PASSWORD)

    with pytest.raises(ActivationRefused):
        enterprise.invitation_activate(mobile=MOBILE, code=issued.code, password="Other#Pass2026")

    assert User.objects.get(username=MOBILE).check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="invitation.reused").exists()


def test_a_revoked_invitation_is_refused(client, login, world):
    issued = invite(world)
    login("town_office_a")

    response = client.post(reverse("units:invitation_revoke", args=[issued.invitation.pk]))

    assert response.status_code == 302
    with pytest.raises(ActivationRefused):
        enterprise.invitation_activate(mobile=MOBILE, code=issued.code, password=NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="invitation.revoked").exists()


def test_a_new_invitation_replaces_the_waiting_one(world):
    first = invite(world)
    second = invite(world)

    first.invitation.refresh_from_db()
    assert first.invitation.revoked_at is not None
    with pytest.raises(ActivationRefused):
        enterprise.invitation_activate(mobile=MOBILE, code=first.code, password=NEW_PASSWORD)
    assert enterprise.invitation_activate(mobile=MOBILE, code=second.code, password=NEW_PASSWORD)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mobile": "12345"}, "mobile"),
        ({"name": " "}, "name"),
        ({"person_role": "certified_worker"}, "person_role"),
    ],
)
def test_invitation_input_is_validated_naming_the_field(world, kwargs, field):
    args = {"person_role": "principal", "name": "李老板", "mobile": MOBILE} | kwargs
    with pytest.raises(ValidationError) as caught:
        enterprise.invitation_create(actor=world.town_office_a, unit_id=world.unit_a.pk, **args)
    assert field in caught.value.message_dict


# --- Own edits and key-fact changes -----------------------------------------------------------


def test_ordinary_facts_change_at_once_and_key_facts_go_to_the_office(client, login, world):
    user = login("enterprise_a")
    unit = world.unit_a
    url = reverse("units:my_unit_edit", args=[unit.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "expected_version": unit.version,
            "address": "场口镇东梓关村88号",
            "employees": "42",
            "safety_officer_name": "赵安全",
            "safety_officer_mobile": "13811112222",
            "name": "杭州甲乙精密机械有限公司",
            "credit_code": unit.credit_code,
            "principal_name": "",
            "legal_representative": "",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    unit.refresh_from_db()
    assert (unit.address, unit.employees) == ("场口镇东梓关村88号", 42)
    assert unit.name == "杭州甲乙机械有限公司"  # not yet: the office confirms
    officer = UnitPerson.objects.get(unit=unit, role=PersonRole.SAFETY_OFFICER)
    assert (officer.name, officer.mobile) == ("赵安全", "13811112222")
    request = UnitChangeRequest.objects.get(unit=unit)
    assert request.changes == {"name": ["杭州甲乙机械有限公司", "杭州甲乙精密机械有限公司"]}
    assert request.requested_by == user
    office = Notification.objects.get(kind="units.change_request")
    assert office.recipient == world.town_office_a
    assert AuditEntry.objects.filter(action="unit.updated", actor=user).exists()
    assert AuditEntry.objects.filter(action="unit_change_request.created", actor=user).exists()


def test_office_approves_and_the_change_applies(client, login, world):
    result = enterprise.unit_own_update(
        actor=world.enterprise_a, unit_id=world.unit_a.pk, principal_name="钱总"
    )
    request = result.change_request
    office = login("town_office_a")
    assert client.get(reverse("units:change_request_list")).status_code == 200
    assert client.get(reverse("units:change_request_detail", args=[request.pk])).status_code == 200

    response = client.post(
        reverse("units:change_request_approve", args=[request.pk]), {"note": "已核对营业执照"}
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ChangeStatus.APPROVED, office)
    assert Unit.objects.get(pk=world.unit_a.pk).principal_name == "钱总"
    assert AuditEntry.objects.filter(action="unit_change_request.approved").exists()
    told = Notification.objects.get(kind="units.change_request_decided")
    assert told.recipient == world.enterprise_a


def test_office_rejects_with_a_note_and_nothing_changes(client, login, world):
    code_before = world.unit_a.credit_code
    from anjian.core.validators import credit_code_check_char

    first17 = "91330111MA2H00009"
    new_code = first17 + credit_code_check_char(first17)
    request = enterprise.unit_own_update(
        actor=world.enterprise_a, unit_id=world.unit_a.pk, credit_code=new_code
    ).change_request
    login("town_office_a")

    refused = client.post(reverse("units:change_request_reject", args=[request.pk]), {"note": ""})
    assert refused.status_code == 200  # the note is required: the form comes back
    response = client.post(
        reverse("units:change_request_reject", args=[request.pk]), {"note": "代码与执照不符"}
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (ChangeStatus.REJECTED, "代码与执照不符")
    assert Unit.objects.get(pk=world.unit_a.pk).credit_code == code_before
    assert Notification.objects.filter(
        recipient=world.enterprise_a, kind="units.change_request_decided"
    ).exists()


def test_a_second_proposal_waits_for_the_first(world):
    enterprise.unit_own_update(actor=world.enterprise_a, unit_id=world.unit_a.pk, name="新名一")

    with pytest.raises(ValidationError):
        enterprise.unit_own_update(actor=world.enterprise_a, unit_id=world.unit_a.pk, name="新名二")


def test_a_wrong_credit_code_is_refused_before_it_reaches_the_office(world):
    with pytest.raises(ValidationError) as caught:
        enterprise.unit_own_update(
            actor=world.enterprise_a, unit_id=world.unit_a.pk, credit_code="91330111MA2H00001X"
        )
    assert "credit_code" in caught.value.message_dict
    assert not UnitChangeRequest.objects.exists()


def test_own_update_over_the_api(client, login, world):
    login("enterprise_a")

    response = client.patch(
        f"/api/v1/units/{world.unit_a.pk}/own",
        {"employees": 12, "name": "杭州甲乙新名有限公司"},
        content_type="application/json",
    )

    body = response.json()
    assert response.status_code == 200
    assert body["applied"] == ["employees"]
    assert body["facts"]["employees"] == 12
    assert body["change_request"]["changes"]["name"][1] == "杭州甲乙新名有限公司"
    login("town_office_a")
    approve = client.post(
        f"/api/v1/units/change-requests/{body['change_request']['id']}/approve",
        {"note": ""},
        content_type="application/json",
    )
    assert approve.status_code == 200 and approve.json()["status"] == "approved"
    assert Unit.objects.get(pk=world.unit_a.pk).name == "杭州甲乙新名有限公司"


# --- Enterprise B and other outsiders ------------------------------------------------------------


@pytest.fixture
def a_things(world):
    issued = invite(world)
    request = enterprise.unit_own_update(
        actor=world.enterprise_a, unit_id=world.unit_a.pk, name="甲的新名字"
    ).change_request
    return issued.invitation, request


def test_enterprise_b_cannot_reach_as_invitations_or_change_requests_by_page(
    client, login, world, a_things
):
    invitation, request = a_things
    login("enterprise_b")
    unit = world.unit_a

    for url in (
        reverse("units:invitation_list", args=[unit.pk]),
        reverse("units:change_request_detail", args=[request.pk]),
        reverse("units:change_request_list"),
    ):
        assert client.get(url).status_code in {403, 404}, url
    for url in (
        reverse("units:invitation_list", args=[unit.pk]),
        reverse("units:invitation_revoke", args=[invitation.pk]),
        reverse("units:change_request_approve", args=[request.pk]),
        reverse("units:change_request_reject", args=[request.pk]),
    ):
        assert client.post(url, {"note": "x", "name": "x", "mobile": MOBILE}).status_code in {
            403,
            404,
        }, url
    assert client.get(reverse("units:my_unit_edit", args=[unit.pk])).status_code == 404
    assert client.post(reverse("units:my_unit_edit", args=[unit.pk]), {}).status_code == 404
    invitation.refresh_from_db()
    request.refresh_from_db()
    assert invitation.revoked_at is None and request.status == ChangeStatus.PENDING


def test_enterprise_b_cannot_reach_as_invitations_or_change_requests_by_api(
    client, login, world, a_things
):
    invitation, request = a_things
    login("enterprise_b")
    unit = world.unit_a
    calls = [
        ("get", f"/api/v1/units/{unit.pk}/invitations", None),
        ("post", f"/api/v1/units/{unit.pk}/invitations", {}),
        ("post", f"/api/v1/units/invitations/{invitation.pk}/revoke", {}),
        ("get", f"/api/v1/units/{unit.pk}/change-requests", None),
        ("get", f"/api/v1/units/change-requests/{request.pk}", None),
        ("post", f"/api/v1/units/change-requests/{request.pk}/approve", {}),
        ("post", f"/api/v1/units/change-requests/{request.pk}/reject", {}),
        ("get", f"/api/v1/units/{unit.pk}/own", None),
        ("patch", f"/api/v1/units/{unit.pk}/own", {"employees": 1}),
    ]
    for method, url, body in calls:
        kwargs = {"content_type": "application/json"} if body is not None else {}
        args = (url, body) if body is not None else (url,)
        response = getattr(client, method)(*args, **kwargs)
        assert response.status_code in {403, 404}, (url, response.status_code)
    assert client.get("/api/v1/units/change-requests").status_code == 403
    invitation.refresh_from_db()
    request.refresh_from_db()
    assert invitation.revoked_at is None and request.status == ChangeStatus.PENDING
    assert Unit.objects.get(pk=unit.pk).employees is None


def test_the_office_of_another_town_cannot_decide_or_invite(client, login, world, a_things):
    _invitation, request = a_things
    login("town_office_b")

    assert client.get(reverse("units:change_request_detail", args=[request.pk])).status_code == 404
    listed = client.get(reverse("units:change_request_list")).context["object_list"]
    assert list(listed) == []
    assert client.get(reverse("units:invitation_list", args=[world.unit_a.pk])).status_code == 404


def test_enterprise_sees_its_own_change_requests(client, login, world, a_things):
    login("enterprise_a")
    body = client.get(f"/api/v1/units/{world.unit_a.pk}/change-requests").json()
    assert [row["id"] for row in body] == [a_things[1].pk]
