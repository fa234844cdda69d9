"""The API's JSON: written by orjson, in the formats Django's JSON encoder gave clients before."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy, override

from anjian.accounts.services import api_token_issue
from anjian.core.api_renderer import JSONRenderer
from anjian.hazards.tests.factories import make_hazard

UTC = datetime.UTC
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def render(data) -> bytes:
    return JSONRenderer().render(None, data, response_status=200)


def test_dates_and_times_keep_djangos_format():
    data = {
        "utc": datetime.datetime(2026, 11, 30, 1, 2, 3, 456789, tzinfo=UTC),
        "beijing": datetime.datetime(2026, 11, 30, 9, 2, 3, tzinfo=BEIJING),
        "day": datetime.date(2026, 10, 8),
        "time": datetime.time(8, 30),
    }
    assert json.loads(render(data)) == {
        "utc": "2026-11-30T01:02:03.456Z",
        "beijing": "2026-11-30T09:02:03+08:00",
        "day": "2026-10-08",
        "time": "08:30:00",
    }


def test_chinese_is_written_as_utf8_and_numbers_ids_and_translations_as_before():
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    with override("zh-hans"):
        body = render(
            {
                "name": "场口镇东梓关村",
                "cost": decimal.Decimal("1200.50"),
                "receipt": key,
                "by_id": {7: "七"},
                "label": gettext_lazy("Hazards"),
                "pair": (1, None),
            }
        )
    assert "场口镇东梓关村".encode() in body
    assert b"\\u" not in body
    assert json.loads(body) == {
        "name": "场口镇东梓关村",
        "cost": "1200.50",
        "receipt": "12345678-1234-5678-1234-567812345678",
        "by_id": {"7": "七"},
        "label": "隐患",
        "pair": [1, None],
    }


@pytest.mark.django_db
def test_an_api_response_is_utf8_json_with_the_hazards_dates(world, client):
    hazard = make_hazard(world.inspector_a, world.unit_a)
    token = api_token_issue(user=world.town_office_a, name="test").raw
    response = client.get(f"/api/v1/hazards/{hazard.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert world.unit_a.name.encode() in response.content
    body = response.json()
    assert body["deadline"] == hazard.deadline.isoformat()
    found = datetime.datetime.fromisoformat(body["found_at"].replace("Z", "+00:00"))
    assert found == hazard.found_at.replace(microsecond=hazard.found_at.microsecond // 1000 * 1000)
