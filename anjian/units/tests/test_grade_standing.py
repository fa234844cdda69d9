"""The office's grade stands when an enterprise's own edit moves the suggested grade."""

from __future__ import annotations

from anjian.units.services import unit_refresh_register, unit_update


def test_an_enterprise_edit_that_moves_the_suggestion_keeps_the_office_grade(world):
    unit_refresh_register()
    unit = world.unit_a
    unit.refresh_from_db()
    suggested = unit.suggested_grade
    unit = unit_update(
        actor=world.town_office_a,
        unit_id=unit.pk,
        expected_version=unit.version,
        grade=suggested,  # as suggested: no reason needed
    )
    unit = unit_update(
        actor=world.enterprise_a,
        unit_id=unit.pk,
        expected_version=unit.version,
        permission="units.edit_own",
        employees=350,
    )
    assert unit.employees == 350
    assert unit.suggested_grade == "orange"
    assert suggested != "orange"
    assert unit.grade == suggested
