"""Public tip-offs (举报): sent without log-in, followed up by receipt code, triaged by the office of
the town into a hazard or dismissed; limits against abuse; scope; the API."""

from __future__ import annotations

import datetime
import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.core.exceptions import InvalidTransition, StaleObject
from anjian.hazards import tipoffs
from anjian.hazards.choices import HazardSource, HazardStatus, PhotoKind, TipOffStatus
from anjian.hazards.models import Hazard, HazardSubGrade, TipOff
from anjian.hazards.tests.factories import act, jpeg_bytes, photo
from anjian.hazards.tipoff_forms import AcceptForm
from anjian.notifications.models import Notification

pytestmark = pytest.mark.django_db

FORM = "/tip-off/"
STATUS = "/tip-off/status/"
API = "/api/v1/tip-offs"
REPORTER_PHONE = "13712345678"
REPORTER_NAME = "热心群众张三"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def form_data(world, **overrides) -> dict:
    data = {
        "town": world.town_a.code,
        "place": "场口镇东梓关村1号厂房后门",
        "description": "厂房后门的消防通道被货物堵死，灭火器过期",
        "contact_name": "",
        "contact_phone": "",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def send(client, world, *, ip="127.0.0.1", **overrides):
    return client.post(FORM, form_data(world, **overrides), REMOTE_ADDR=ip)


def submit(world, *, client_hash="h-test", photos=(), **fields) -> TipOff:
    data = {
        "town_id": world.town_a.pk,
        "place": "东梓关村1号",
        "description": "消防通道被堵",
        "photos": list(photos),
        "client_hash": client_hash,
    }
    data.update(fields)
    return tipoffs.tipoff_submit(**data)


def accept(actor, tipoff, unit, **fields):
    data = {
        "hazard_type": "unsafe_condition",
        "category": "fire",
        "level": "general",
        "requirement": "清理消防通道，更换灭火器",
        "deadline": timezone.localdate() + datetime.timedelta(days=7),
    }
    data.update(fields)
    tipoff.refresh_from_db()
    return tipoffs.tipoff_accept(
        actor=actor,
        tipoff_id=tipoff.pk,
        expected_version=tipoff.version,
        unit_id=unit.pk,
        **data,
    )


def look_up(client, code, *, ip="127.0.0.1"):
    return client.post(STATUS, {"code": code}, REMOTE_ADDR=ip)


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


# --- Sending ----------------------------------------------------------------------------------------


def test_anonymous_visitor_sends_a_tip_off_with_a_photo_and_gets_a_receipt_code(
    client, world, django_capture_on_commit_callbacks
):
    page = client.get(FORM)
    assert page.status_code == 200
    assert world.town_a.name in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            client,
            world,
            photos=photo("fire-exit.jpg"),
            contact_name=REPORTER_NAME,
            contact_phone=REPORTER_PHONE,
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("tip_off:sent")
    tipoff = TipOff.objects.get()
    assert tipoff.receipt_code not in response["Location"]
    assert tipoff.town == world.town_a
    assert tipoff.status == TipOffStatus.NEW
    assert tipoff.contact_phone == REPORTER_PHONE
    assert len(tipoff.client_hash) == 64
    stored = tipoff.photos.get()
    assert stored.content_type == "image/jpeg" and len(stored.sha256) == 64
    receipt = client.get(response["Location"])
    html = receipt.content.decode()
    assert receipt.status_code == 200
    assert tipoff.receipt_code in html
    assert 'data-testid="receipt-code"' in html
    assert f"/{tipoff.pk}/" not in html  # never the internal id
    received = AuditEntry.objects.get(action="tip_off.received", target_id=str(tipoff.pk))
    assert received.ip is None and received.user_agent == ""  # the record names no reporter
    # The town office of town A hears of it; town B's does not.
    notes = Notification.objects.filter(kind="hazards.tip_off_received")
    assert list(notes.values_list("recipient__username", flat=True)) == ["town_office_a"]


def test_the_form_preselects_the_town_and_the_unit_of_a_scanned_qr_code(client, world):
    by_town = client.get(FORM, {"town": world.town_b.code}).content.decode()
    assert f'<option value="{world.town_b.code}" selected>' in by_town

    by_unit = client.get(FORM, {"unit": world.unit_a2.qr_token}).content.decode()
    assert f'<option value="{world.town_a.code}" selected>' in by_unit
    assert world.unit_a2.name in by_unit
    assert f'value="{world.unit_a2.qr_token}"' in by_unit

    send(client, world, unit=world.unit_a2.qr_token)
    assert TipOff.objects.get().unit == world.unit_a2


def test_the_unit_qr_page_links_to_the_tip_off_form(client, world):
    html = client.get(reverse("public:unit_page", args=[world.unit_a.qr_token])).content.decode()
    assert f'{FORM}?unit={world.unit_a.qr_token}"' in html


def test_a_unit_from_another_town_is_refused(client, world):
    response = send(client, world, town=world.town_b.code, unit=world.unit_a.qr_token)

    assert response.status_code == 400
    assert world.town_a.name in response.content.decode()  # "the unit is in 场口镇"
    assert not TipOff.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_by_its_content(client, world):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")

    response = send(client, world, photos=fake)

    assert response.status_code == 400
    assert "photo.jpg" in " ".join(response.context["form"].errors["photos"])
    assert not TipOff.objects.exists()


def test_text_limits_phone_and_consent_are_checked(client, world):
    response = send(client, world, description="很" * 2001, contact_phone="12345", consent="")

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"description", "contact_phone", "consent"}
    assert not TipOff.objects.exists()


def test_more_than_three_photos_or_a_photo_over_10_mb_is_refused(world):
    with pytest.raises(ValidationError) as too_many:
        submit(world, photos=[photo(f"p{i}.jpg") for i in range(4)])
    assert "photos" in too_many.value.message_dict
    big = SimpleUploadedFile("big.jpg", jpeg_bytes(), content_type="image/jpeg")
    big.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError) as too_big:
        submit(world, photos=[big])
    assert "10 MB" in " ".join(too_big.value.message_dict["photos"])
    assert not TipOff.objects.exists()


def test_an_announced_body_over_25_mb_is_refused_before_it_is_read(client, world):
    response = client.post(
        FORM, form_data(world), CONTENT_LENGTH=str(26 * 1024 * 1024), REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 413
    assert not TipOff.objects.exists()


def test_the_honeypot_drops_the_tip_off_silently(client, world):
    response = send(client, world, website="http://spam.example")

    # The robot sees the same receipt as a person and learns nothing; nothing is stored.
    assert response.status_code == 302
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert not TipOff.objects.exists()
    assert not Notification.objects.filter(kind="hazards.tip_off_received").exists()
    fake_code = receipt.context["receipt_code"]
    assert look_up(client, fake_code).status_code == 404


def test_the_form_keeps_its_csrf_check(world):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(FORM, form_data(world)).status_code == 403
    assert not TipOff.objects.exists()


# --- Limits -------------------------------------------------------------------------------------------


def test_the_sixth_tip_off_in_an_hour_is_refused_while_another_sender_still_passes(client, world):
    for _ in range(tipoffs.PER_CLIENT_HOUR):
        assert send(client, world).status_code == 302

    refused = send(client, world)

    assert refused.status_code == 429
    assert 'data-testid="tipoff-error"' in refused.content.decode()
    assert TipOff.objects.count() == 5
    other = Client()
    assert send(other, world, ip="10.0.0.2").status_code == 302
    assert TipOff.objects.count() == 6


def test_twenty_tip_offs_a_day_from_one_sender(world):
    for batch in range(tipoffs.PER_CLIENT_DAY // tipoffs.PER_CLIENT_HOUR):
        for _ in range(tipoffs.PER_CLIENT_HOUR):
            submit(world, client_hash="busy")
        earlier = timezone.now() - datetime.timedelta(hours=2 * (batch + 1))
        TipOff.objects.filter(created_at__gt=earlier).update(created_at=earlier)

    with pytest.raises(tipoffs.TipOffRateLimited) as refused:
        submit(world, client_hash="busy")
    assert refused.value.status == 429
    assert str(tipoffs.PER_CLIENT_DAY) in refused.value.message
    TipOff.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    submit(world, client_hash="busy")  # a new day


def test_a_town_takes_at_most_so_many_tip_offs_an_hour(world, monkeypatch):
    monkeypatch.setattr(tipoffs, "PER_TOWN_HOUR", 3)
    for n in range(3):
        submit(world, client_hash=f"sender-{n}")

    with pytest.raises(tipoffs.TipOffRateLimited) as refused:
        submit(world, client_hash="sender-new")
    assert world.town_a.name in refused.value.message
    submit(world, client_hash="sender-new", town_id=world.town_b.pk)  # another town is not affected


def test_a_new_user_agent_does_not_make_a_new_sender(client, world):
    for n in range(tipoffs.PER_CLIENT_HOUR):
        response = client.post(
            FORM, form_data(world), REMOTE_ADDR="10.7.7.7", HTTP_USER_AGENT=f"bot/{n}"
        )
        assert response.status_code == 302

    refused = client.post(FORM, form_data(world), REMOTE_ADDR="10.7.7.7", HTTP_USER_AGENT="bot/new")
    assert refused.status_code == 429
    api = client.post(
        API, {**form_data(world), "consent": "true"}, REMOTE_ADDR="10.7.7.7", HTTP_USER_AGENT="x"
    )
    assert api.status_code == 429
    assert TipOff.objects.count() == tipoffs.PER_CLIENT_HOUR


def test_one_sender_cannot_spend_the_towns_hourly_share(client, world, monkeypatch):
    monkeypatch.setattr(tipoffs, "PER_TOWN_HOUR", 2 * tipoffs.PER_CLIENT_HOUR + 1)
    for n in range(tipoffs.PER_CLIENT_HOUR * 2):  # a flood, with a new browser name each time
        client.post(FORM, form_data(world), REMOTE_ADDR="10.7.7.7", HTTP_USER_AGENT=f"bot/{n}")
    # An IPv6 sender rotating through the addresses of its own /64 is one sender too.
    for n in range(tipoffs.PER_CLIENT_HOUR * 2):
        send(Client(), world, ip=f"2001:db8:5:6::{n + 1:x}")
    assert TipOff.objects.count() == 2 * tipoffs.PER_CLIENT_HOUR

    citizen = send(Client(), world, ip="10.0.0.2")
    assert citizen.status_code == 302
    assert TipOff.objects.filter(town=world.town_a).count() == tipoffs.PER_TOWN_HOUR


def test_the_client_address_is_the_one_django_sees(rf, settings):
    request = rf.post(FORM, REMOTE_ADDR="10.7.7.7", HTTP_X_FORWARDED_FOR="10.1.1.1")
    assert tipoffs.client_hash_of(request) == tipoffs.client_hash("10.7.7.7")
    settings.ANJIAN_PROXY_COUNT = 1
    request = rf.post(FORM, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 10.7.7.7")
    assert tipoffs.client_hash_of(request) == tipoffs.client_hash("10.7.7.7")


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` × ``height`` pixels (its pixel data is a stub)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(8000, 6000), (100_000, 100_000)])
def test_a_huge_image_is_refused_as_too_large_before_it_is_decoded(client, world, width, height):
    upload = SimpleUploadedFile("大图.png", _png_header(width, height), content_type="image/png")
    started = time.monotonic()
    response = client.post(FORM, {**form_data(world), "photos": upload}, REMOTE_ADDR="10.3.3.3")
    assert time.monotonic() - started < 2
    html = response.content.decode()
    assert "图片太大" in html
    assert "20 百万像素" in html
    assert "不是 JPEG" not in html
    assert not TipOff.objects.exists()

    upload.seek(0)
    api = client.post(API, {**form_data(world), "consent": "true", "photos": upload})
    assert api.status_code == 422
    assert "图片太大" in api.json()["error"]["details"][0]["message"]


def test_an_anonymous_photo_is_decoded_up_to_the_lower_limit_only(world, settings):
    settings.ANJIAN_TIPOFF_MAX_MEGAPIXELS = 1
    big = SimpleUploadedFile("p.png", _png_header(1200, 900), content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        submit(world, photos=[big])
    assert "图片太大" in str(refused.value)


def test_status_look_ups_are_limited_so_codes_cannot_be_guessed(client, world):
    tipoff = submit(world)
    for n in range(tipoffs.LOOKUPS_PER_HOUR):
        assert look_up(client, f"AAAA{n:08d}"[-12:]).status_code == 404

    refused = look_up(client, tipoff.receipt_code)

    assert refused.status_code == 429
    assert refused.context["result"] is None
    assert look_up(Client(), tipoff.receipt_code, ip="10.0.0.9").status_code == 200
    guesses = AuditEntry.objects.filter(action=tipoffs.LOOKUP_ACTION, changes__found=False)
    assert guesses.count() == tipoffs.LOOKUPS_PER_HOUR


# --- Follow-up --------------------------------------------------------------------------------------------


def test_the_status_page_shows_the_state_and_nothing_of_the_reporter(client, world):
    tipoff = submit(world, contact_name=REPORTER_NAME, contact_phone=REPORTER_PHONE)

    # People copy codes in groups, in lower case: the look-up forgives that.
    code = tipoff.receipt_code.lower()
    response = look_up(client, f"{code[:4]}-{code[4:8]} {code[8:]}")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"].state == "received"
    assert 'data-state="received"' in html
    for secret in (REPORTER_NAME, REPORTER_PHONE, f"/{tipoff.pk}/"):
        assert secret not in html


def test_an_unknown_code_says_so(client, world):
    response = look_up(client, "ABCDEFGHJKMN")
    assert response.status_code == 404
    assert 'data-testid="tipoff-not-found"' in response.content.decode()


# --- Triage: accept --------------------------------------------------------------------------------------


def test_office_a_accepts_a_tip_off_into_a_hazard_with_its_photos(client, login, world):
    tipoff = submit(
        world,
        photos=[photo("a.jpg", color=(10, 200, 10)), photo("b.jpg")],
        contact_name=REPORTER_NAME,
        contact_phone=REPORTER_PHONE,
    )
    login("town_office_a")
    detail = client.get(reverse("hazards:tipoff_detail", args=[tipoff.pk]))
    assert detail.status_code == 200
    assert REPORTER_PHONE in detail.content.decode()  # the office may call back
    deadline = timezone.localdate() + datetime.timedelta(days=10)

    response = client.post(
        reverse("hazards:tipoff_accept", args=[tipoff.pk]),
        {
            "expected_version": tipoff.version,
            "unit_id": world.unit_a.pk,
            "location": "一号厂房后门",
            "description": "消防通道被货物堵塞，灭火器过期",
            "hazard_type": "unsafe_condition",
            "category": "fire",
            "level": "general",
            "requirement": "立即清理通道，更换灭火器",
            "deadline": deadline.isoformat(),
        },
    )

    assert response.status_code == 302
    tipoff.refresh_from_db()
    assert tipoff.status == TipOffStatus.ACCEPTED
    assert tipoff.triaged_by == world.town_office_a and tipoff.version == 2
    hazard = Hazard.objects.get(tip_off=tipoff)
    assert hazard.source == HazardSource.TIP_OFF
    assert hazard.unit == world.unit_a
    assert hazard.status == HazardStatus.RECTIFYING and hazard.deadline == deadline
    assert hazard.found_at == tipoff.created_at
    assert REPORTER_NAME not in hazard.found_by_name  # the unit sees the hazard, not the reporter
    before = sorted(hazard.photos.filter(kind=PhotoKind.BEFORE).values_list("sha256", flat=True))
    assert before == sorted(tipoff.photos.values_list("sha256", flat=True))
    assert AuditEntry.objects.filter(
        action="tip_off.accepted", target_id=str(tipoff.pk), actor=world.town_office_a
    ).exists()
    # The reporter's status page now says "under rectification".
    client.logout()
    result = look_up(client, tipoff.receipt_code)
    assert result.context["result"].state == "rectifying"
    assert 'data-state="rectifying"' in result.content.decode()
    assert world.unit_a.name not in result.content.decode()


def test_the_status_page_says_closed_when_the_hazard_is_struck_off(client, world):
    tipoff = submit(world)
    accept(world.town_office_a, tipoff, world.unit_a)
    hazard = Hazard.objects.get(tip_off=tipoff)
    act(world.enterprise_a, hazard, "submit", photos=[photo("after.jpg")], description="已清理")
    act(world.inspector_a, hazard, "pass")

    result = look_up(client, tipoff.receipt_code).context["result"]

    assert result.state == "closed"


def test_accepting_without_a_deadline_records_the_hazard_as_found(world):
    tipoff = submit(world)
    accept(world.town_office_a, tipoff, world.unit_a2, deadline=None)

    hazard = Hazard.objects.get(tip_off=tipoff)
    assert hazard.status == HazardStatus.FOUND
    assert hazard.location == tipoff.place and hazard.description == tipoff.description
    assert tipoffs.tipoff_status(tipoff.receipt_code).state == "rectifying"


def test_the_unit_must_be_one_of_the_tip_offs_town(world):
    tipoff = submit(world)

    with pytest.raises(ValidationError) as refused:
        accept(world.town_office_a, tipoff, world.unit_b)
    assert "unit_id" in refused.value.message_dict
    tipoff.refresh_from_db()
    assert tipoff.status == TipOffStatus.NEW and not Hazard.objects.exists()


def test_a_bad_hazard_field_rolls_the_whole_triage_back(world):
    tipoff = submit(world)

    with pytest.raises(ValidationError) as refused:
        accept(world.town_office_a, tipoff, world.unit_a, category="not-a-category")
    assert "category" in refused.value.message_dict
    tipoff.refresh_from_db()
    assert tipoff.status == TipOffStatus.NEW and tipoff.version == 1


def test_a_second_triage_is_refused_and_a_stale_version_too(client, login, world):
    tipoff = submit(world)
    accept(world.town_office_a, tipoff, world.unit_a)

    with pytest.raises(InvalidTransition):
        tipoffs.tipoff_dismiss(
            actor=world.town_office_a, tipoff_id=tipoff.pk, expected_version=2, reason="重复"
        )
    with pytest.raises(InvalidTransition):
        accept(world.town_office_a, tipoff, world.unit_a2)
    assert Hazard.objects.count() == 1

    fresh = submit(world, client_hash="other")
    with pytest.raises(StaleObject):
        tipoffs.tipoff_dismiss(
            actor=world.town_office_a, tipoff_id=fresh.pk, expected_version=7, reason="过期版本"
        )
    login("town_office_a")
    page = client.post(
        reverse("hazards:tipoff_dismiss", args=[tipoff.pk]),
        {"expected_version": 2, "reason": "重复"},
    )
    assert page.status_code == 409
    assert 'data-testid="tipoff-error"' in page.content.decode()
    stale = client.post(
        reverse("hazards:tipoff_dismiss", args=[fresh.pk]),
        {"expected_version": 7, "reason": "过期版本"},
    )
    assert stale.status_code == 409
    fresh.refresh_from_db()
    assert fresh.status == TipOffStatus.NEW


# --- Triage: dismiss ------------------------------------------------------------------------------------------


def test_dismissal_with_a_reason_shows_the_public_reply_but_not_the_reason(client, login, world):
    tipoff = submit(world)
    login("town_office_a")

    response = client.post(
        reverse("hazards:tipoff_dismiss", args=[tipoff.pk]),
        {
            "expected_version": tipoff.version,
            "reason": "经现场核查，该处为居民自家仓库，非生产经营单位",
            "public_reply": "经核查，该处不属于安全生产监管范围，已转社区处理。",
        },
    )

    assert response.status_code == 302
    tipoff.refresh_from_db()
    assert tipoff.status == TipOffStatus.DISMISSED
    entry = AuditEntry.objects.get(action="tip_off.dismissed", target_id=str(tipoff.pk))
    assert "居民自家仓库" in entry.reason
    client.logout()
    html = look_up(client, tipoff.receipt_code).content.decode()
    assert "已转社区处理" in html
    assert "居民自家仓库" not in html
    assert 'data-state="dismissed"' in html


def test_dismissal_needs_a_reason(client, login, world):
    tipoff = submit(world)
    login("town_office_a")

    response = client.post(
        reverse("hazards:tipoff_dismiss", args=[tipoff.pk]),
        {"expected_version": tipoff.version, "reason": " "},
    )

    assert response.status_code == 400
    tipoff.refresh_from_db()
    assert tipoff.status == TipOffStatus.NEW


# --- Scope ---------------------------------------------------------------------------------------------------


def test_town_office_b_cannot_reach_town_a_tip_offs(client, login, world):
    tipoff = submit(world, photos=[photo()])
    submit(world, client_hash="b", town_id=world.town_b.pk, place="常安镇大庄村")
    login("town_office_b")

    listing = client.get(reverse("hazards:tipoff_list"))
    assert listing.status_code == 200
    assert [t.place for t in listing.context["tipoffs"]] == ["常安镇大庄村"]
    for url in (
        reverse("hazards:tipoff_detail", args=[tipoff.pk]),
        reverse("hazards:tipoff_photo", args=[tipoff.photos.get().pk]),
    ):
        assert client.get(url).status_code == 404
    for url, data in (
        (
            reverse("hazards:tipoff_accept", args=[tipoff.pk]),
            {"expected_version": 1, "unit_id": world.unit_b.pk},
        ),
        (
            reverse("hazards:tipoff_dismiss", args=[tipoff.pk]),
            {"expected_version": 1, "reason": "越权"},
        ),
    ):
        assert client.post(url, data).status_code == 404
    tipoff.refresh_from_db()
    assert tipoff.status == TipOffStatus.NEW


@pytest.mark.parametrize("persona", ["enterprise_a", "inspector_a", "leader_a"])
def test_only_the_town_office_triages(client, login, world, persona):
    tipoff = submit(world)
    login(persona)

    assert client.get(reverse("hazards:tipoff_list")).status_code == 403
    assert client.get(reverse("hazards:tipoff_detail", args=[tipoff.pk])).status_code == 403


def test_the_photo_view_serves_the_office_of_the_town_only(client, login, world):
    tipoff = submit(world, photos=[photo()])
    stored = tipoff.photos.get()
    url = reverse("hazards:tipoff_photo", args=[stored.pk])

    assert client.get(url).status_code == 302  # anonymous: to the log-in page
    login("town_office_a")
    shown = client.get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["Cache-Control"] == "private, no-store"
    original = client.get(url, {"original": "1"})
    assert b"".join(original.streaming_content) == stored.original.open("rb").read()


def test_the_office_list_filters_searches_and_exports(client, login, world):
    submit(world, place="东梓关村仓库")
    dismissed = submit(world, client_hash="x", place="上沙村小吃店")
    tipoffs.tipoff_dismiss(
        actor=world.town_office_a, tipoff_id=dismissed.pk, expected_version=1, reason="不实"
    )
    submit(world, client_hash="y", town_id=world.town_b.pk, place="常安镇")
    login("town_office_a")

    new_only = client.get(reverse("hazards:tipoff_list"), {"status": "new"})
    assert [t.place for t in new_only.context["tipoffs"]] == ["东梓关村仓库"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    later = client.get(reverse("hazards:tipoff_list"), {"received_from": tomorrow.isoformat()})
    assert list(later.context["tipoffs"]) == []
    searched = client.get(reverse("hazards:tipoff_list"), {"q": "小吃"})
    assert [t.place for t in searched.context["tipoffs"]] == ["上沙村小吃店"]
    export = client.get(reverse("hazards:tipoff_list"), {"export": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    places = sorted(row[4] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert places == ["上沙村小吃店", "东梓关村仓库"]


# --- API -------------------------------------------------------------------------------------------------------


def test_api_anonymous_submit_needs_no_csrf_token_and_follows_up(world):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        API,
        {**form_data(world), "consent": "true", "photos": [photo("a.jpg"), photo("b.jpg")]},
    )

    assert response.status_code == 201, response.content
    code = response.json()["receipt_code"]
    tipoff = TipOff.objects.get(receipt_code=code)
    assert tipoff.photos.count() == 2
    assert "id" not in response.json()
    status = strict.get(f"{API}/status/{code}")
    assert status.status_code == 200
    assert status.json()["state"] == "received"
    assert "contact_phone" not in status.json()
    assert strict.get(f"{API}/status/ABCDEFGHJKMN").status_code == 404


def test_api_submit_errors_and_limits(client, world):
    bad = client.post(API, {**form_data(world), "consent": "true", "contact_phone": "123"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "contact_phone"
    fake = SimpleUploadedFile("x.png", b"GIF89a not really", content_type="image/png")
    refused = client.post(API, {**form_data(world), "consent": "true", "photos": fake})
    assert refused.status_code == 422
    for _ in range(tipoffs.PER_CLIENT_HOUR):
        assert client.post(API, {**form_data(world), "consent": "true"}).status_code == 201
    limited = client.post(API, {**form_data(world), "consent": "true"})
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    robot = client.post(
        API, {**form_data(world), "consent": "true", "website": "x"}, REMOTE_ADDR="10.9.9.9"
    )
    assert robot.status_code == 201
    assert not TipOff.objects.filter(receipt_code=robot.json()["receipt_code"]).exists()


def test_api_office_lists_gets_accepts_and_downloads(client, world):
    tipoff = submit(world, photos=[photo()], contact_phone=REPORTER_PHONE)
    submit(world, client_hash="b", town_id=world.town_b.pk)
    headers = bearer(world.town_office_a)

    listing = client.get(API, {"status": "new"}, **headers).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == tipoff.pk
    one = client.get(f"{API}/{tipoff.pk}", **headers).json()
    assert one["allowed_actions"] == ["accept", "dismiss"]
    assert one["contact_phone"] == REPORTER_PHONE
    photo_url = one["photos"][0]["url"]
    download = client.get(photo_url, **headers)
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"

    accepted = client.post(
        f"{API}/{tipoff.pk}/accept",
        {
            "expected_version": one["version"],
            "unit_id": world.unit_a.pk,
            "hazard_type": "unsafe_condition",
            "category": "fire",
            "working_days": 5,
        },
        content_type="application/json",
        **headers,
    )

    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["status"] == "accepted" and body["allowed_actions"] == []
    hazard = Hazard.objects.get(pk=body["hazard_id"])
    assert hazard.source == "tip_off" and hazard.photos.count() == 1
    again = client.post(
        f"{API}/{tipoff.pk}/dismiss",
        {"expected_version": body["version"], "reason": "重复"},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_api_dismiss_stale_and_scope(client, world):
    tipoff = submit(world, photos=[photo()])
    headers = bearer(world.town_office_a)
    stale = client.post(
        f"{API}/{tipoff.pk}/dismiss",
        {"expected_version": 5, "reason": "不实"},
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_object"

    other = bearer(world.town_office_b)
    photo_id = tipoff.photos.get().pk
    assert client.get(f"{API}/{tipoff.pk}", **other).status_code == 404
    assert client.get(f"{API}/photos/{photo_id}", **other).status_code == 404
    assert client.get(API, **other).json()["count"] == 0
    refused = client.post(
        f"{API}/{tipoff.pk}/dismiss",
        {"expected_version": 1, "reason": "越权"},
        content_type="application/json",
        **other,
    )
    assert refused.status_code == 404
    enterprise = bearer(world.enterprise_a)
    assert client.get(API, **enterprise).status_code == 403
    assert client.get(f"{API}/{tipoff.pk}", **enterprise).status_code == 403
    assert client.get(API).status_code == 401

    dismissed = client.post(
        f"{API}/{tipoff.pk}/dismiss",
        {"expected_version": 1, "reason": "不实", "public_reply": "经核查不属实。"},
        content_type="application/json",
        **headers,
    )
    assert dismissed.status_code == 200
    code = tipoff.receipt_code
    public = client.get(f"{API}/status/{code}").json()
    assert public["state"] == "dismissed" and public["public_reply"] == "经核查不属实。"


def test_accept_form_offers_only_shared_and_own_town_sub_grades(world):
    """A town's own sub-grades are never offered on another town's tip-off."""
    shared = HazardSubGrade.objects.create(level="general", code="s-1", name="共用一级")
    own = HazardSubGrade.objects.create(
        level="general", code="a-1", name="场口一级", town=world.town_a
    )
    other = HazardSubGrade.objects.create(
        level="general", code="b-1", name="常安一级", town=world.town_b
    )
    tipoff = submit(world)
    form = AcceptForm(tipoff=tipoff, units=[world.unit_a])
    offered = set(form.fields["sub_grade"].queryset)
    assert {shared, own} <= offered
    assert other not in offered
