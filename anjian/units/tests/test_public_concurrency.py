"""Two people save the town's public page settings for the first time at the same moment
(PostgreSQL, real connections): one profile, both saves on the record, no error from the
database."""

from __future__ import annotations

import pytest
from django.db import connection

from anjian.accounts.roles import Role
from anjian.audit.models import AuditEntry
from anjian.core.testing.concurrency import run_at_once
from anjian.core.testing.world import second_user
from anjian.units import public
from anjian.units.models import PublicProfile

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_two_first_saves_of_the_public_page_settings_make_one_profile(world):
    other = second_user(world, "office_a2", Role.TOWN_OFFICE)
    race = run_at_once(
        {
            name: lambda actor=actor, shown=shown: public.public_profile_update(
                actor=actor, region_id=world.town_a.pk, show_address=shown
            )
            for name, actor, shown in [
                ("first", world.town_office_a, True),
                ("second", other, False),
            ]
        }
    )
    assert race.raised == {}, race.raised
    profile = PublicProfile.objects.get(region=world.town_a)
    # Created by one, then changed by the other: both saves are on the record, of the one profile.
    entries = AuditEntry.objects.filter(action="public_profile.updated").order_by("pk")
    assert [e.target_id for e in entries] == [str(profile.pk)] * 2
