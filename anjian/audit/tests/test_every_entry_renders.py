"""Every kind of audit entry the application writes opens on the detail page."""

from __future__ import annotations

import datetime

from django.urls import reverse

from anjian.accounts.models import User
from anjian.audit.models import AuditEntry
from anjian.core.calendar import calendar_year_save


def test_every_entry_opens_on_its_detail_page(client, world):
    admin = User.objects.create_superuser(
        "root", "Root#2026pass", name="管理员", must_change_password=False
    )
    calendar_year_save(
        actor=world.town_office_a,
        year=2027,
        days=[
            {"date": datetime.date(2027, 2, 8), "kind": "holiday", "name": "春节"},
            {"date": datetime.date(2027, 2, 20), "kind": "workday", "name": "春节调休"},
        ],
    )
    client.force_login(admin)
    actions = set()
    for entry in AuditEntry.objects.all():
        response = client.get(reverse("audit:entry_detail", args=[entry.pk]))
        assert response.status_code == 200, (entry.action, response.status_code)
        actions.add(entry.action)
    assert {"region.created", "user.created", "role.assigned", "calendar.year_entered"} <= actions
