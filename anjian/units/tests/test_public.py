"""一企一码: the public page behind a unit's QR code shows exactly what the town publishes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.units.models import PersonRole, PublicProfile, Unit, UnitPerson
from anjian.units.public import public_facts, qr_svg, qr_url

SECRET_OFFICER_NAME = "王安全"
OFFICER_PHONE = "13912345678"


@pytest.fixture
def unit_a(world):
    unit = world.unit_a
    Unit.objects.filter(pk=unit.pk).update(
        grade="orange", principal_name="李老板", legal_representative="李法人"
    )
    UnitPerson.objects.create(
        unit=unit, role=PersonRole.SAFETY_OFFICER, name=SECRET_OFFICER_NAME, mobile=OFFICER_PHONE
    )
    unit.refresh_from_db()
    return unit


def scan(client, unit):
    return client.get(reverse("public:unit_page", args=[unit.qr_token]))


def test_public_page_shows_the_default_published_fields_and_nothing_else(client, unit_a):
    response = scan(client, unit_a)

    assert response.status_code == 200
    html = response.content.decode()
    assert unit_a.name in html
    assert OFFICER_PHONE in html  # safety officer's phone: published by default
    assert 'data-testid="public-grade"' in html  # grade colour: published by default
    assert 'data-testid="public-kind"' in html
    assert 'data-testid="public-address"' not in html  # address: not by default
    for secret in (unit_a.credit_code, SECRET_OFFICER_NAME, "李老板", "李法人"):
        assert secret not in html


def test_public_page_follows_the_towns_choice(client, unit_a, world):
    PublicProfile.objects.create(
        region=world.town_a,
        show_grade=False,
        show_safety_officer_phone=False,
        show_kind=False,
        show_address=True,
    )

    html = scan(client, unit_a).content.decode()

    assert unit_a.name in html
    assert unit_a.address in html
    assert OFFICER_PHONE not in html
    assert 'data-testid="public-grade"' not in html
    assert 'data-testid="public-kind"' not in html
    assert unit_a.credit_code not in html


def test_public_facts_hold_only_the_published_fields(unit_a):
    facts = public_facts(unit_a)

    assert facts.name == unit_a.name
    assert facts.grade == "orange"
    assert facts.safety_officer_phone == OFFICER_PHONE
    assert facts.address is None
    assert SECRET_OFFICER_NAME not in repr(facts)
    assert unit_a.credit_code not in repr(facts)


def test_public_page_has_no_link_into_the_application_but_log_in(client, unit_a):
    html = scan(client, unit_a).content.decode()

    hrefs = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    links = [h for h in hrefs if not h.startswith(("/static/", "tel:", "data:", "#"))]
    assert links == [
        reverse("tip_off:form") + f"?unit={unit_a.qr_token}",  # the public tip-off form
        reverse("accounts:login") + "?next=" + f"/q/{unit_a.qr_token}/",
    ]


def test_an_unknown_token_is_a_plain_404(client, world):
    assert client.get("/q/not-a-real-token-000/").status_code == 404
    assert client.get("/q/x/").status_code == 404
    assert client.get("/api/v1/units/public/not-a-real-token-000").status_code == 404


def test_staff_who_may_see_the_unit_are_sent_to_its_page(client, login, unit_a):
    login("town_office_a")

    response = scan(client, unit_a)

    assert response.status_code == 302
    assert response["Location"] == reverse("units:unit_detail", args=[unit_a.pk])


@pytest.mark.parametrize("persona", ["enterprise_b", "town_office_b", "enterprise_a2"])
def test_a_logged_in_outsider_scanning_sees_only_the_public_page(client, login, unit_a, persona):
    login(persona)

    response = scan(client, unit_a)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="public-page"' in html
    assert unit_a.credit_code not in html
    assert SECRET_OFFICER_NAME not in html
    assert reverse("units:unit_detail", args=[unit_a.pk]) not in html


def test_public_api_gives_the_same_facts_without_log_in(client, unit_a):
    body = client.get(f"/api/v1/units/public/{unit_a.qr_token}").json()

    assert body["name"] == unit_a.name
    assert body["safety_officer_phone"] == OFFICER_PHONE
    assert body["address"] is None
    assert unit_a.credit_code not in str(body)
    assert SECRET_OFFICER_NAME not in str(body)


def test_qr_code_encodes_the_public_url_as_inline_svg(unit_a, settings):
    settings.SITE_URL = "https://anjian.example.cn"

    assert qr_url(unit_a) == f"https://anjian.example.cn/q/{unit_a.qr_token}/"
    svg = str(qr_svg(unit_a))
    assert svg.startswith("<svg") and "<image" not in svg and "http" not in svg.split(">", 1)[0]


def test_every_unit_gets_its_own_unguessable_token(world):
    tokens = {u.qr_token for u in Unit.objects.all()}
    assert len(tokens) == Unit.objects.count()
    assert all(len(t) >= 20 for t in tokens)
    assert str(world.unit_a.pk) != world.unit_a.qr_token


# --- Settings of the public page --------------------------------------------------------------


def test_office_sets_what_its_town_publishes_and_it_is_audited(client, login, world):
    user = login("town_office_a")
    url = reverse("units:public_profile")

    assert client.get(url).status_code == 200
    response = client.post(url, {"town": world.town_a.pk, "show_address": "on"})

    assert response.status_code == 302
    profile = PublicProfile.objects.get(region=world.town_a)
    assert (profile.show_address, profile.show_grade, profile.show_safety_officer_phone) == (
        True,
        False,
        False,
    )
    assert AuditEntry.objects.filter(action="public_profile.updated", actor=user).exists()


@pytest.mark.parametrize("persona", ["enterprise_a", "inspector_a", "district_officer"])
def test_only_the_town_office_edits_the_public_page_settings(client, login, persona):
    login(persona)
    assert client.get(reverse("units:public_profile")).status_code == 403


def test_public_profile_api_is_scoped_to_the_offices_town(client, login, world):
    login("town_office_a")

    own = client.put(
        f"/api/v1/units/public-profiles/{world.town_a.pk}",
        {"show_kind": False},
        content_type="application/json",
    )
    other = client.put(
        f"/api/v1/units/public-profiles/{world.town_b.pk}",
        {"show_kind": False},
        content_type="application/json",
    )

    assert own.status_code == 200 and own.json()["show_kind"] is False
    assert other.status_code == 404
    assert not PublicProfile.objects.filter(region=world.town_b).exists()


# --- Demo -----------------------------------------------------------------------------------------


def test_demo_public_data_is_idempotent(db):
    from anjian.demo.loader import DemoReport, load_demo
    from anjian.demo.public_demo import load_demo_public
    from anjian.units.models import UnitChangeRequest

    first = load_demo()  # the loader runs load_demo_public as one of its parts
    second = DemoReport()
    load_demo_public(second)

    assert first.created["public page settings"] == 1
    assert first.created["unit change requests"] == 1
    assert second.total == 0
    assert UnitChangeRequest.objects.filter(status="pending").count() == 1
