"""Builds the demo town through the real services. Idempotent: every object is looked up by its
natural key first, so running the loader twice changes nothing and writes no audit entry."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from anjian.accounts.models import RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.accounts.services import role_assign, user_create
from anjian.demo import town
from anjian.demo.campaign_demo import load_demo_campaigns
from anjian.demo.case_demo import load_demo_cases, load_demo_enforcement_settings
from anjian.demo.document_demo import load_demo_documents
from anjian.demo.exchange_demo import load_demo_external_ids
from anjian.demo.expert_demo import load_demo_experts
from anjian.demo.hazard_demo import load_demo_hazards
from anjian.demo.inspection_demo import load_demo_inspections
from anjian.demo.plan_demo import load_demo_plan_history, load_demo_plans
from anjian.demo.public_demo import load_demo_public
from anjian.demo.register_demo import load_demo_register
from anjian.demo.report_demo import load_demo_meetings
from anjian.regions.models import Region, RegionLevel
from anjian.regions.services import regions_load_file
from anjian.teams.models import Committee, CommitteeKind
from anjian.teams.services import committee_create
from anjian.units.models import Unit
from anjian.units.services import unit_create

REGIONS_FILE = Path(__file__).resolve().parent.parent / "regions" / "data" / "fuyang-demo.csv"


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _committees(report: DemoReport, region: Region, prefix: str) -> dict[str, Committee]:
    name, short = town.MAIN_COMMITTEE
    main_name = name.replace("场口镇", prefix)
    main = Committee.objects.filter(region=region, name=main_name).first()
    if main is None:
        main = committee_create(
            actor=None,
            region=region,
            kind=CommitteeKind.MAIN,
            name=main_name,
            short_name=short,
            lead_name="镇长",
            lead_title="主任",
            sort_order=0,
        )
        report.add("committees")
    result = {short: main}
    for order, (sub_name, sub_short, sectors) in enumerate(town.SPECIALISED_COMMITTEES, start=1):
        sub = Committee.objects.filter(region=region, name=sub_name).first()
        if sub is None:
            sub = committee_create(
                actor=None,
                region=region,
                kind=CommitteeKind.SPECIALISED,
                name=sub_name,
                parent=main,
                short_name=sub_short,
                sectors=sectors,
                sort_order=order,
            )
            report.add("committees")
        result[sub_short] = sub
    return result


def _units(
    report: DemoReport, villages: list[Region], committees: dict[str, Committee]
) -> list[Unit]:
    rng = random.Random(2018)  # fixed seed: the same town every time  # noqa: S311
    units: list[Unit] = []
    seq = 0
    for group, kind, count, words, committee_short in town.UNIT_GROUPS:
        for i in range(count):
            seq += 1
            stem = town.NAME_STEMS[(seq * 7 + i) % len(town.NAME_STEMS)]
            word = words[i % len(words)]
            village = villages[rng.randrange(len(villages))]
            if kind == "enterprise":
                name = f"杭州{stem}{word}有限公司（演示{seq:03d}）"
                code = town.demo_credit_code(seq)
            else:
                name = f"{village.name}{stem}{word}（演示{seq:03d}）"
                code = town.demo_credit_code(seq) if group == "fireworks" else ""
            # Draw every random number whether or not the unit exists, so that a second run walks
            # the same sequence and finds every unit it made the first time.
            address = f"场口镇{village.name}{rng.randint(1, 199)}号"
            existing = Unit.objects.filter(name=name).first()
            if existing is None:
                existing = unit_create(
                    actor=None,
                    name=name,
                    region=village,
                    kind=kind,
                    credit_code=code,
                    committee=committees[committee_short],
                    address=address,
                )
                report.add("units")
            units.append(existing)
    return units


def _user(report: DemoReport, username: str, name: str, mobile: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=None,
            username=username,
            name=name,
            password=town.DEMO_PASSWORD,
            mobile=mobile,
            must_change_password=False,
        )
        report.add("users")
    return user


def _assign(report: DemoReport, user: User, role: str, **scope) -> None:
    if not RoleAssignment.objects.filter(user=user, role=role, is_active=True, **scope).exists():
        role_assign(actor=None, user=user, role=role, **scope)
        report.add("role assignments")


@transaction.atomic
def load_demo() -> DemoReport:
    report = DemoReport()
    regions = regions_load_file(actor=None, path=REGIONS_FILE)
    if regions.errors:
        raise RuntimeError("; ".join(regions.errors))
    report.add("regions", regions.created)
    the_town = Region.objects.get(code=town.TOWN_CODE)
    other_town = Region.objects.get(code=town.OTHER_TOWN_CODE)
    district = Region.objects.get(code=town.DISTRICT_CODE)
    committees = _committees(report, the_town, "场口镇")
    other_committees = _committees(report, other_town, "常安镇")
    villages = list(
        Region.objects.filter(parent=the_town, level=RegionLevel.VILLAGE).order_by("code")
    )
    units = _units(report, villages, committees)
    other_villages = list(
        Region.objects.filter(parent=other_town, level=RegionLevel.VILLAGE).order_by("code")
    )
    if not Unit.objects.filter(region__in=other_villages).exists():
        unit_create(
            actor=None,
            name="杭州常安示范机械有限公司（演示）",
            region=other_villages[0],
            kind="enterprise",
            credit_code=town.demo_credit_code(900),
            committee=other_committees["工业商贸"],
            address=f"常安镇{other_villages[0].name}8号",
        )
        report.add("units")
    enterprises = [u for u in units if u.kind == "enterprise"]
    for username, name, mobile, role, scope_key, _title in town.DEMO_USERS:
        user = _user(report, username, name, mobile)
        if scope_key == "town":
            _assign(report, user, role, region=the_town)
        elif scope_key == "other_town":
            _assign(report, user, role, region=other_town)
        elif scope_key == "district":
            _assign(report, user, role, region=district)
        elif scope_key.startswith("committee:"):
            _assign(report, user, role, committee=committees[scope_key.split(":", 1)[1]])
        elif scope_key.startswith("village:"):
            _assign(
                report,
                user,
                role,
                region=next(v for v in villages if v.name == scope_key.split(":", 1)[1]),
            )
        elif scope_key == "expert":
            for unit in enterprises[2:14]:  # 包干: twelve hazardous-chemical users
                _assign(report, user, role, unit=unit)
        elif scope_key == "enterprise":
            _assign(report, user, role, unit=enterprises[2])
    # The register (一企一档): categories, grades, people, GPS; experts on contract; the file;
    # the public page and a pending change request. Each part is idempotent on its own.
    load_demo_register(report)
    load_demo_experts(report)
    load_demo_documents(report)
    load_demo_public(report)
    # The hazard loop (隐患闭环): hazards of the last twelve months in every state, the demo
    # enterprise's monthly reports and two tip-offs from the public.
    load_demo_hazards(report)
    load_demo_inspections(report)
    # Enforcement: the town's settings and certificates, the year's plan, two campaigns and the
    # four cases of the report (立案查处企业4起).
    load_demo_enforcement_settings(report)
    load_demo_plans(report)
    load_demo_campaigns(report)
    load_demo_cases(report)
    # Two analysis meetings of the year and the ids the city system assigned to twenty units.
    load_demo_meetings(report, town_code=town.TOWN_CODE)
    load_demo_external_ids(report, town_code=town.TOWN_CODE)
    # A town in the middle of its year: the plan's tasks due so far done, a few late. Last: the
    # parts above choose units that were not inspected yet.
    load_demo_plan_history(report)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", town.DEMO_PASSWORD, name="系统管理员", must_change_password=False
        )
        report.add("users")
    return report


def demo_logins() -> list[tuple[str, str, str]]:
    """(role label, user name, password) for the README and the start-up banner."""
    rows = [
        (str(Role(role).label), username, town.DEMO_PASSWORD)
        for username, _n, _m, role, _s, _t in town.DEMO_USERS
    ]
    rows.append((str(_("System administrator")), "admin", town.DEMO_PASSWORD))
    return rows
