"""The home page greets each persona and shows its own roles' work areas, nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.accounts.roles import Role
from anjian.core.home import BUILDERS, SCOPE_LABELS
from anjian.core.testing.world import PERSONAS

pytestmark = pytest.mark.django_db

ALL_ROLES = {role.value for role in Role}

# persona -> phrases that must appear on its home page (Chinese, the default language).
EXPECTED: dict[str, list[str]] = {
    "town_office_a": [
        "场口镇",
        "待我复查",
        "本月没有计划的检查任务",
        "监管对象",
    ],
    "inspector_a": ["场口镇", "我的检查任务"],
    "leader_a": ["场口镇", "逾期隐患", "挂牌督办"],
    "committee_member_a": ["场口镇工业、商贸企业专委会", "本专委会"],
    "village_officer_a": ["东梓关村", "巡查"],
    "expert_a": ["杭州甲乙机械有限公司", "帮查"],
    "enterprise_a": ["杭州甲乙机械有限公司", "未销号隐患", "本单位的月报、作业票将显示在这里"],
    "enterprise_a2": ["场口上沙小吃店", "未销号隐患", "本单位的月报、作业票将显示在这里"],
    "department_a": ["联合执法"],
    "district_officer": ["富阳区", "场口镇", "常安镇"],
    "town_office_b": ["常安镇", "本月没有计划的检查任务"],
    "enterprise_b": ["常安丙丁化工有限公司"],
}

# persona -> names that must never appear on its home page (another town's or unit's).
FORBIDDEN: dict[str, list[str]] = {
    "town_office_a": ["常安镇", "常安丙丁化工有限公司"],
    "inspector_a": ["常安镇", "常安丙丁化工有限公司"],
    "leader_a": ["常安丙丁化工有限公司"],
    "committee_member_a": ["常安丙丁化工有限公司", "场口上沙小吃店"],
    "village_officer_a": ["上沙村", "常安丙丁化工有限公司"],
    "expert_a": ["场口上沙小吃店", "常安丙丁化工有限公司"],
    "enterprise_a": ["常安丙丁化工有限公司", "场口上沙小吃店"],
    "enterprise_a2": ["杭州甲乙机械有限公司", "常安丙丁化工有限公司"],
    "department_a": ["常安丙丁化工有限公司"],
    "district_officer": [],
    "town_office_b": ["场口镇", "杭州甲乙机械有限公司"],
    "enterprise_b": ["杭州甲乙机械有限公司", "场口镇"],
}


def test_every_role_has_a_home_section_builder():
    assert set(BUILDERS) == ALL_ROLES
    assert set(SCOPE_LABELS) == ALL_ROLES


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_persona_sees_its_own_role_section_and_no_other(client, world, persona):
    user = world.users[persona]
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    own_role = PERSONAS[persona][0].value
    assert f'data-testid="role-{own_role}"' in html
    for role in ALL_ROLES - {own_role}:
        assert f'data-testid="role-{role}"' not in html, role
    assert f"您好，{user.name}" in html
    for phrase in EXPECTED[persona]:
        assert phrase in html, phrase
    for name in FORBIDDEN[persona]:
        assert name not in html, name


def test_town_office_sees_the_count_of_its_towns_units(client, world):
    client.force_login(world.town_office_a)
    response = client.get(reverse("core:home"))
    cards = {card.testid: card for s in response.context["sections"] for card in s.cards}
    assert cards["units"].value == 2  # unit_a and unit_a2, never unit_b of the other town
    assert cards["villages"].value == 2


def test_expert_sees_the_names_of_its_contracted_units(client, world):
    client.force_login(world.expert_a)
    response = client.get(reverse("core:home"))
    (section,) = response.context["sections"]
    cards = {card.testid: card for card in section.cards}
    assert cards["contracted-units"].names == ["杭州甲乙机械有限公司"]


def test_district_sees_its_towns(client, world):
    client.force_login(world.district_officer)
    response = client.get(reverse("core:home"))
    cards = {card.testid: card for s in response.context["sections"] for card in s.cards}
    assert sorted(cards["towns"].names) == sorted(["场口镇", "常安镇"])
    assert cards["units"].value == 3


def test_a_person_with_two_roles_sees_two_sections(client, world):
    from anjian.accounts.services import role_assign

    user = world.inspector_a
    role_assign(actor=None, user=user, role=Role.COMMITTEE_MEMBER, committee=world.committee_a_fire)
    client.force_login(user)
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="role-inspector"' in html
    assert 'data-testid="role-committee_member"' in html
    assert "场口镇消防专委会" in html


def test_a_user_without_any_role_is_told_to_ask_for_one(client, world):
    from anjian.accounts.services import user_create

    user = user_create(
        actor=None,
        username="newcomer",
        name="新同事",
        password="Anjian#2026",
        must_change_password=False,
    )
    client.force_login(user)
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="no-role"' in html
    assert "您的账号还没有角色" in html


def test_home_page_query_count_stays_bounded(client, world, django_assert_max_num_queries):
    from anjian.accounts.services import role_assign

    user = world.district_officer
    # Many assignments must not mean many queries.
    for town in (world.town_a, world.town_b):
        role_assign(actor=None, user=user, role=Role.LEADER, region=town)
    client.force_login(user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("core:home"))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_home_page_of_every_persona_needs_few_queries(
    client, world, persona, django_assert_max_num_queries
):
    client.force_login(world.users[persona])
    # Session, user, scope, assignments, unread messages, and per role section a fixed few (the
    # hazard figures in one aggregate, the plan's tasks in one, the units and the villages counts).
    with django_assert_max_num_queries(9):
        assert client.get(reverse("core:home")).status_code == 200
