"""The receipt page follows the tip-off up with its code; a new tip-off's state reads the same to
the public and to the office (已收到 — the office has not accepted, 受理, it yet)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from anjian.hazards import tipoffs

pytestmark = pytest.mark.django_db


def form_data(world) -> dict:
    return {
        "town": world.town_a.code,
        "place": "场口镇东梓关村1号厂房后门",
        "description": "厂房后门的消防通道被货物堵死，灭火器过期",
        "contact_name": "",
        "contact_phone": "",
        "consent": "on",
        "website": "",
    }


def test_the_receipt_pages_follow_up_carries_the_receipt_code(client, world):
    sent = client.post(reverse("tip_off:form"), form_data(world))
    assert sent.status_code == 302
    html = client.get(sent["Location"]).content.decode()
    code = re.search(r'data-testid="receipt-code">([^<]+)<', html).group(1)
    form = re.search(r'<form[^>]*data-testid="tipoff-follow-up".*?</form>', html, re.S).group(0)
    assert f'action="{reverse("tip_off:status")}"' in form and 'method="post"' in form
    assert f'name="code" value="{code}"' in form
    assert code not in re.sub(r'value="[^"]*"', "", form)  # in the form, not in an address
    followed = client.post(reverse("tip_off:status"), {"code": code})
    assert followed.status_code == 200 and followed.context["result"].state == "received"


def test_a_new_tip_off_reads_received_to_the_public_and_to_the_office(client, login, world):
    tipoff = tipoffs.tipoff_submit(
        town_id=world.town_a.pk,
        place="东梓关村1号",
        description="消防通道被堵",
        photos=[],
        client_hash="h",
    )
    public = client.post(reverse("tip_off:status"), {"code": tipoff.receipt_code})
    assert public.context["result"].label == "已收到"
    login("town_office_a")
    for url in (reverse("hazards:tipoff_detail", args=[tipoff.pk]), reverse("hazards:tipoff_list")):
        html = client.get(url).content.decode()
        assert "已收到，待受理" in html, url
        assert "已受理" not in html, url
