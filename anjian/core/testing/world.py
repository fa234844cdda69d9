"""A small two-town world for tests: every role in town A, an outsider in town B.

Built through the real services (audit records included), as Zulip sets up data with real actions.

    浙江省 > 杭州市 > 富阳区 > 场口镇 (town A: villages A1, A2)
                           > 常安镇 (town B: village B1)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from anjian.accounts.models import User
from anjian.accounts.roles import Role
from anjian.accounts.services import role_assign, user_create
from anjian.regions.models import Region, RegionLevel
from anjian.regions.services import region_create
from anjian.teams.models import Committee, CommitteeKind
from anjian.units.models import Unit, UnitKind

PASSWORD = "Anjian#2026"  # noqa: S105 - the test personas' shared password


@dataclass
class World:
    province: Region
    city: Region
    district: Region
    town_a: Region
    town_b: Region
    village_a1: Region
    village_a2: Region
    village_b1: Region
    committee_a: Committee
    committee_a_industry: Committee
    committee_a_fire: Committee
    committee_b: Committee
    unit_a: Unit
    unit_a2: Unit
    unit_b: Unit
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


# persona -> (role, scope attribute on World)
PERSONAS: dict[str, tuple[Role, str]] = {
    "town_office_a": (Role.TOWN_OFFICE, "town_a"),
    "inspector_a": (Role.INSPECTOR, "town_a"),
    "leader_a": (Role.LEADER, "town_a"),
    "committee_member_a": (Role.COMMITTEE_MEMBER, "committee_a_industry"),
    "village_officer_a": (Role.VILLAGE_OFFICER, "village_a1"),
    "expert_a": (Role.EXPERT, "unit_a"),
    "enterprise_a": (Role.ENTERPRISE, "unit_a"),
    "enterprise_a2": (Role.ENTERPRISE, "unit_a2"),
    "department_a": (Role.DEPARTMENT, "town_a"),
    "district_officer": (Role.DISTRICT, "district"),
    "town_office_b": (Role.TOWN_OFFICE, "town_b"),
    "enterprise_b": (Role.ENTERPRISE, "unit_b"),
}


def _region(code: str, name: str, level: str, parent: Region | None, **extra) -> Region:
    return region_create(actor=None, code=code, name=name, level=level, parent=parent, **extra)


def _committees(town: Region, prefix: str) -> tuple[Committee, Committee, Committee]:
    main = Committee.objects.create(
        region=town, kind=CommitteeKind.MAIN, name=f"{prefix}安全生产委员会"
    )
    industry = Committee.objects.create(
        region=town,
        kind=CommitteeKind.SPECIALISED,
        parent=main,
        name=f"{prefix}工业、商贸企业专委会",
    )
    fire = Committee.objects.create(
        region=town, kind=CommitteeKind.SPECIALISED, parent=main, name=f"{prefix}消防专委会"
    )
    return main, industry, fire


def build_world() -> World:
    province = _region("330000000000", "浙江省", RegionLevel.PROVINCE, None)
    city = _region("330100000000", "杭州市", RegionLevel.CITY, province)
    district = _region("330111000000", "富阳区", RegionLevel.DISTRICT, city)
    town_a = _region("330111112000", "场口镇", RegionLevel.TOWN, district)
    town_b = _region("330111113000", "常安镇", RegionLevel.TOWN, district)
    village_a1 = _region("330111112201", "东梓关村", RegionLevel.VILLAGE, town_a)
    village_a2 = _region("330111112202", "上沙村", RegionLevel.VILLAGE, town_a)
    village_b1 = _region("330111113201", "大庄村", RegionLevel.VILLAGE, town_b)
    committee_a, industry_a, fire_a = _committees(town_a, "场口镇")
    committee_b, _industry_b, _fire_b = _committees(town_b, "常安镇")
    unit_a = Unit.objects.create(
        name="杭州甲乙机械有限公司",
        credit_code="91330111MA2H000065",
        kind=UnitKind.ENTERPRISE,
        region=village_a1,
        committee=industry_a,
        address="场口镇东梓关村1号",
    )
    unit_a2 = Unit.objects.create(
        name="场口上沙小吃店",
        kind=UnitKind.SMALL_VENUE,
        region=village_a2,
        committee=fire_a,
        address="场口镇上沙村8号",
    )
    unit_b = Unit.objects.create(
        name="常安丙丁化工有限公司",
        credit_code="91330111MA2H000140",
        kind=UnitKind.ENTERPRISE,
        region=village_b1,
        committee=_industry_b,
        address="常安镇大庄村2号",
    )
    world = World(
        province=province,
        city=city,
        district=district,
        town_a=town_a,
        town_b=town_b,
        village_a1=village_a1,
        village_a2=village_a2,
        village_b1=village_b1,
        committee_a=committee_a,
        committee_a_industry=industry_a,
        committee_a_fire=fire_a,
        committee_b=committee_b,
        unit_a=unit_a,
        unit_a2=unit_a2,
        unit_b=unit_b,
    )
    for index, (persona, (role, target_attr)) in enumerate(PERSONAS.items()):
        user = _person(persona, mobile=f"139{index:08d}")
        target = getattr(world, target_attr)
        kwargs: dict[str, Any] = {}
        if isinstance(target, Region):
            kwargs["region"] = target
        elif isinstance(target, Unit):
            kwargs["unit"] = target
        else:
            kwargs["committee"] = target
        role_assign(actor=None, user=user, role=role, **kwargs)
        world.users[persona] = user
    return world


_MOBILES = itertools.count(1)


def _person(username: str, *, mobile: str):
    """A user named after the username, with the test password, ready to log in."""
    return user_create(
        actor=None,
        username=username,
        name=username,
        password=PASSWORD,
        mobile=mobile,
        must_change_password=False,
    )


def second_user(world, username: str, role: str = Role.INSPECTOR, **scope):
    """Another person in town A (by default a second inspector), made with the real services."""
    user = _person(username, mobile=f"137{next(_MOBILES):08d}")
    if not scope:
        scope = {"region": world.town_a}
    role_assign(actor=None, user=user, role=role, **scope)
    return user
