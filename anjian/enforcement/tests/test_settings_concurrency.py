"""Two people write the town's first enforcement settings, its first number format of a kind, or
the same officer's certificate, at the same moment (PostgreSQL, real connections): the town's row
(or the officer's) is the lock, so the second waits, then finds what the first created. Neither
gets an error from the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from anjian.accounts.roles import Role
from anjian.audit.models import AuditEntry
from anjian.core.testing.concurrency import run_at_once
from anjian.core.testing.world import second_user
from anjian.enforcement import settings_services as services
from anjian.enforcement.models import EnforcementSettings, NumberingRule, OfficerCertificate

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def both(world, call) -> dict:
    other = second_user(world, "office_a2", Role.TOWN_OFFICE)
    return {
        name: lambda actor=actor, name=name: call(actor, name)
        for name, actor in [("first", world.town_office_a), ("second", other)]
    }


def test_two_first_saves_of_the_settings_make_one_row(world):
    race = run_at_once(
        both(
            world,
            lambda actor, name: services.enforcement_settings_update(
                actor=actor,
                town_id=world.town_a.pk,
                authority_name="富阳区应急管理局",
                court=f"{name}法院",
            ),
        )
    )
    assert race.raised == {}, race.raised
    settings = EnforcementSettings.objects.get(town=world.town_a)
    assert settings.court in {"first法院", "second法院"}
    # Created by one, then changed by the other: both saves are on the record.
    assert AuditEntry.objects.filter(action="enforcement_settings.updated").count() == 2


def test_two_first_number_formats_of_a_kind_make_one_rule(world):
    race = run_at_once(
        both(
            world,
            lambda actor, name: services.numbering_rule_set(
                actor=actor,
                town_id=world.town_a.pk,
                doc_type="rectification_order",
                pattern=f"{{town}}{name}〔{{year}}〕{{number}}号",
            ),
        )
    )
    assert race.raised == {}, race.raised
    rule = NumberingRule.objects.get(town=world.town_a, doc_type="rectification_order")
    assert rule.pattern in {f"{{town}}{n}〔{{year}}〕{{number}}号" for n in ("first", "second")}
    assert AuditEntry.objects.filter(action="numbering_rule.updated").count() == 2


def test_one_officers_certificate_recorded_twice_at_once_is_recorded_once(world):
    race = run_at_once(
        both(
            world,
            lambda actor, name: services.certificate_create(
                actor=actor, user_id=world.inspector_a.pk, number=f"3301{len(name):04d}"
            ),
        )
    )
    assert len(race.results) == 1, race.raised
    (refusal,) = race.raised.values()
    assert isinstance(refusal, ValidationError), refusal
    assert refusal.message_dict == {
        "user_id": ["This officer already has a certificate on file: edit it instead."]
    }
    assert OfficerCertificate.objects.filter(user=world.inspector_a).count() == 1
