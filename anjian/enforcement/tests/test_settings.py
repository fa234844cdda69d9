"""The town office's enforcement settings: services (validation, scope, audit) and pages."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from anjian.audit.models import AuditEntry
from anjian.core.exceptions import ActionNotPermitted
from anjian.enforcement import documents
from anjian.enforcement import settings_services as services
from anjian.enforcement.models import (
    DEFAULT_FORMAT,
    DocumentCounter,
    EnforcementSettings,
    NumberingRule,
    OfficerCertificate,
)
from anjian.enforcement.services import document_issue

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def audited(action: str, obj) -> AuditEntry:
    return AuditEntry.objects.filter(action=action, target_id=str(obj.pk)).latest("pk")


# --- The town's settings ---------------------------------------------------------------------------


def test_the_office_sets_its_towns_settings_and_documents_print_them(world):
    settings = services.enforcement_settings_update(
        actor=world.town_office_a,
        mode="entrusted",
        authority_name="富阳区应急管理局",
        town_body_name="场口镇人民政府",
        reconsideration_body="富阳区人民政府",
        court="富阳区人民法院",
        penalty_cap="50000",
    )
    assert settings.town == world.town_a and str(settings.penalty_cap) == "50000.00"
    printed = documents.authority_for(world.town_a)
    assert printed.lines == ("富阳区应急管理局", "场口镇人民政府（受委托）")
    assert printed.reconsideration_body == "富阳区人民政府"
    entry = audited("enforcement_settings.updated", settings)
    assert entry.actor == world.town_office_a and entry.region_id == world.town_a.pk
    # the preview of each mode is what documents.py prints in that mode
    for row in services.printed_by_mode(world.town_a, settings):
        EnforcementSettings.objects.filter(pk=settings.pk).update(mode=row.mode)
        assert documents.authority_for(world.town_a).lines == row.lines


def test_delegated_or_own_power_prints_the_town_body(world):
    services.enforcement_settings_update(
        actor=world.town_office_a, mode="delegated", authority_name="", town_body_name=""
    )
    assert documents.authority_for(world.town_a).lines == ("场口镇人民政府",)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"mode": "entrusted", "authority_name": ""}, "authority_name"),
        ({"mode": "borrowed"}, "mode"),
        ({"mode": "own", "penalty_cap": "-5"}, "penalty_cap"),
        ({"mode": "own", "penalty_cap": "lots"}, "penalty_cap"),
        ({"mode": "own", "court": "法" * 101}, "court"),
    ],
)
def test_settings_are_validated(world, fields, field):
    with pytest.raises(ValidationError) as exc:
        services.enforcement_settings_update(actor=world.town_office_a, **fields)
    assert field in exc.value.message_dict
    assert not EnforcementSettings.objects.exists()


def test_the_clear_message_for_an_entrusted_town_without_authority(world):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.enforcement_settings_update(actor=world.town_office_a, mode="entrusted")
    assert "Give the issuing authority" in exc.value.message_dict["authority_name"][0]


def test_other_roles_and_towns_cannot_change_settings(world):
    with pytest.raises(ActionNotPermitted):
        services.enforcement_settings_update(actor=world.inspector_a, court="法院")
    with pytest.raises(Http404):
        services.enforcement_settings_update(
            actor=world.town_office_a, town_id=world.town_b.pk, court="法院"
        )
    assert not EnforcementSettings.objects.exists()


# --- Certificates ---------------------------------------------------------------------------------


def test_certificates_of_the_towns_staff_only(world):
    cert = services.certificate_create(
        actor=world.town_office_a,
        user_id=world.inspector_a.pk,
        number="33010001",
        valid_until=TODAY() + datetime.timedelta(days=400),
    )
    entry = audited("officer_certificate.created", cert)
    assert entry.region_id == world.town_a.pk
    for outsider in (world.town_office_b, world.enterprise_a, world.expert_a):
        with pytest.raises(ValidationError) as exc:
            services.certificate_create(
                actor=world.town_office_a, user_id=outsider.pk, number=f"X{outsider.pk}"
            )
        assert "user_id" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.certificate_create(
            actor=world.town_office_a, user_id=world.leader_a.pk, number="33010001"
        )
    assert "number" in exc.value.message_dict  # the number is someone else's
    with pytest.raises(ValidationError):
        services.certificate_create(
            actor=world.town_office_a, user_id=world.inspector_a.pk, number="33019999"
        )  # one certificate per person


def test_another_towns_certificate_is_unreachable(world):
    cert = services.certificate_create(
        actor=world.town_office_b, user_id=world.town_office_b.pk, number="33020001"
    )
    assert not services.certificates().for_action(world.town_office_a, services.MANAGE).exists()
    for call in (
        lambda: services.certificate_update(
            actor=world.town_office_a, certificate_id=cert.pk, number="X"
        ),
        lambda: services.certificate_delete(actor=world.town_office_a, certificate_id=cert.pk),
    ):
        with pytest.raises(Http404):
            call()
    cert.refresh_from_db()
    assert cert.number == "33020001"


def test_update_and_delete_are_audited(world):
    cert = services.certificate_create(
        actor=world.town_office_a, user_id=world.inspector_a.pk, number="33010001"
    )
    services.certificate_update(
        actor=world.town_office_a, certificate_id=cert.pk, valid_until="2020-01-01"
    )
    entry = audited("officer_certificate.updated", cert)
    assert entry.changes["valid_until"] == [None, "2020-01-01"]
    assert services.certificate_status(OfficerCertificate.objects.get()) == "expired"
    services.certificate_delete(actor=world.town_office_a, certificate_id=cert.pk, reason="调离")
    assert not OfficerCertificate.objects.exists()
    deleted = AuditEntry.objects.get(action="officer_certificate.deleted")
    assert deleted.reason == "调离" and deleted.region_id == world.town_a.pk


def test_an_expired_certificate_does_not_count_for_signing(world):
    services.certificate_create(
        actor=world.town_office_a, user_id=world.inspector_a.pk, number="A1", valid_until=None
    )
    services.certificate_create(
        actor=world.town_office_a,
        user_id=world.town_office_a.pk,
        number="A2",
        valid_until=TODAY() - datetime.timedelta(days=1),
    )
    signers = documents.certified_officers([world.inspector_a, world.town_office_a])
    assert [p for p, _n in signers] == [world.inspector_a]


# --- Numbering rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("{town}{kind}〔{year}〕{number}号", "Unknown placeholder {kind}"),
        ("{town}安监〔{year}〕号", "needs {number}"),
        ("{town}安监{number}号", "needs {year}"),
        ("{town}安监〔{year}〕{number号", "has no partner"),
        ("{0}〔{year}〕{number}号", "Unknown placeholder {0}"),
        ("{year:s}{number}", "cannot be filled in"),
        ("", "Give the number format"),
    ],
)
def test_a_format_with_unknown_or_missing_placeholders_is_refused(world, pattern, words):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.numbering_rule_set(
            actor=world.town_office_a, doc_type="site_record", pattern=pattern
        )
    assert any(words in m for m in exc.value.message_dict["pattern"]), exc.value.message_dict
    assert not NumberingRule.objects.exists()


def test_preview_shows_the_next_number_without_taking_it(world):
    year = TODAY().year
    document_issue(actor=None, town=world.town_a, doc_type="rectification_order")
    label, last = services.preview_number(world.town_a, "rectification_order")
    assert (label, last) == (f"场口安监责改〔{year}〕2号", 1)
    label, _last = services.preview_number(
        world.town_a, "rectification_order", "场口应急{code}〔{year}〕第{number:03d}号"
    )
    assert label == f"场口应急责改〔{year}〕第002号"
    assert DocumentCounter.objects.get(town=world.town_a).last_number == 1
    rule = services.numbering_rule_set(
        actor=world.town_office_a,
        doc_type="rectification_order",
        pattern="场口应急{code}〔{year}〕第{number:03d}号",
    )
    assert audited("numbering_rule.updated", rule).changes["pattern"] == [
        DEFAULT_FORMAT,
        "场口应急{code}〔{year}〕第{number:03d}号",
    ]
    issued = document_issue(actor=None, town=world.town_a, doc_type="rectification_order")
    assert issued.label == label  # the preview was the number given next


def test_rules_are_the_towns_own(world):
    rule = services.numbering_rule_set(
        actor=world.town_office_b, doc_type="site_record", pattern="常安{code}{year}-{number}"
    )
    with pytest.raises(Http404):
        services.numbering_rule_update(
            actor=world.town_office_a, rule_id=rule.pk, pattern="{year}{number}"
        )
    with pytest.raises(Http404):
        services.numbering_rule_reset(actor=world.town_office_a, rule_id=rule.pk)
    services.numbering_rule_reset(actor=world.town_office_b, rule_id=rule.pk)
    assert not NumberingRule.objects.exists()
    assert AuditEntry.objects.filter(action="numbering_rule.reset").count() == 1


# --- Pages -----------------------------------------------------------------------------------------


def test_settings_page_shows_what_each_mode_prints_and_saves(world, client, login):
    login("town_office_a")
    url = reverse("enforcement_settings:settings")
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "mode": "entrusted",
            "authority_name": "富阳区应急管理局",
            "town_body_name": "",
            "reconsideration_body": "富阳区人民政府",
            "court": "富阳区人民法院",
            "penalty_cap": "50000",
        },
    )
    assert response.status_code == 302
    text = client.get(url).content.decode()
    assert "场口镇人民政府（受委托）" in text and 'data-testid="printed-delegated"' in text
    assert EnforcementSettings.objects.get().court == "富阳区人民法院"
    # an entrusted town without an authority: the form says why
    response = client.post(url, {"mode": "entrusted", "authority_name": ""})
    assert response.status_code == 200 and "authority_name" in response.context["form"].errors


def test_pages_refuse_other_roles_and_other_towns(world, client, login):
    cert = services.certificate_create(
        actor=world.town_office_b, user_id=world.town_office_b.pk, number="B1"
    )
    rule = services.numbering_rule_set(
        actor=world.town_office_b, doc_type="site_record", pattern="{year}{number}"
    )
    login("inspector_a")
    assert client.get(reverse("enforcement_settings:settings")).status_code == 403
    client.logout()
    login("town_office_a")
    assert (
        client.get(
            reverse("enforcement_settings:settings") + f"?town={world.town_b.pk}"
        ).status_code
        == 404
    )
    edit = reverse("enforcement_settings:certificate_edit", args=[cert.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"number": "X"}).status_code == 404
    delete = reverse("enforcement_settings:certificate_delete", args=[cert.pk])
    assert client.post(delete).status_code == 404
    assert (
        client.post(reverse("enforcement_settings:rule_reset", args=[rule.pk])).status_code == 404
    )
    assert OfficerCertificate.objects.filter(pk=cert.pk, number="B1").exists()
    listed = client.get(reverse("enforcement_settings:certificate_list"))
    names = {p.username for p in listed.context["people"]}
    assert "inspector_a" in names and "town_office_b" not in names
    assert "enterprise_a" not in names and "expert_a" not in names


def test_certificate_pages_add_flag_search_export_and_remove(world, client, login):
    login("town_office_a")
    create = reverse("enforcement_settings:certificate_create")
    assert client.get(create + f"?user={world.inspector_a.pk}").status_code == 200
    response = client.post(
        create,
        {"user_id": world.inspector_a.pk, "number": "33010001", "valid_until": "2020-12-31"},
    )
    assert response.status_code == 302
    cert = OfficerCertificate.objects.get(user=world.inspector_a)
    listing = reverse("enforcement_settings:certificate_list")
    text = client.get(listing).content.decode()
    assert 'data-testid="expired-flag"' in text and "33010001" in text
    found = client.get(listing, {"q": "33010001"}).context["people"]
    assert [p.pk for p in found] == [world.inspector_a.pk]
    expired = client.get(listing, {"status": "expired"}).context["people"]
    assert [p.pk for p in expired] == [world.inspector_a.pk]
    export = client.get(listing, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    numbers = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "33010001" in numbers
    edit = reverse("enforcement_settings:certificate_edit", args=[cert.pk])
    assert 'data-testid="expired-warning"' in client.get(edit).content.decode()
    assert client.post(edit, {"number": "33010001", "valid_until": "2099-01-01"}).status_code == 302
    cert.refresh_from_db()
    assert cert.valid_until == datetime.date(2099, 1, 1)
    delete = reverse("enforcement_settings:certificate_delete", args=[cert.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not OfficerCertificate.objects.exists()


def test_rule_pages_preview_save_and_reset(world, client, login):
    login("town_office_a")
    year = TODAY().year
    listing = client.get(reverse("enforcement_settings:rule_list"))
    assert listing.status_code == 200 and f"场口安监责改〔{year}〕1号" in listing.content.decode()
    edit = reverse("enforcement_settings:rule_edit") + "?type=rectification_order"
    assert client.get(edit).status_code == 200
    preview = client.post(edit, {"pattern": "场口{code}{year}-{number}", "preview": "1"})
    assert preview.status_code == 200 and f"场口责改{year}-1" in preview.content.decode()
    assert not NumberingRule.objects.exists()
    fragment = client.get(
        reverse("enforcement_settings:rule_preview"),
        {"type": "rectification_order", "pattern": "{town}{kind}{year}{number}"},
    )
    assert fragment.status_code == 200 and "{kind}" in fragment.content.decode()
    with translation.override("en"):
        bad = client.post(
            edit, {"pattern": "{town}{kind}{year}{number}"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert bad.status_code == 200 and bad.context["form"].errors
    assert client.post(edit, {"pattern": "场口{code}{year}-{number}"}).status_code == 302
    rule = NumberingRule.objects.get()
    export = client.get(reverse("enforcement_settings:rule_list"), {"export": "xlsx"})
    assert export.status_code == 200
    reset = reverse("enforcement_settings:rule_reset", args=[rule.pk])
    assert client.post(reset).status_code == 302
    assert not NumberingRule.objects.exists()


# --- The demo town ---------------------------------------------------------------------------------


def test_the_demo_town_gets_its_fine_cap_and_certificates_once():
    from anjian.demo import case_demo
    from anjian.demo.loader import DemoReport, load_demo

    load_demo()
    first = DemoReport()
    case_demo.load_demo_enforcement_settings(first)
    settings = EnforcementSettings.objects.get(town__code="330111112000")
    assert str(settings.penalty_cap) == "50000.00"
    assert documents.authority_for(settings.town).lines[1].endswith("（受委托）")
    second = DemoReport()
    case_demo.load_demo_enforcement_settings(second)
    assert second.total == 0
    assert AuditEntry.objects.filter(action="enforcement_settings.updated").count() == 1


def test_the_settings_page_speaks_chinese(world, client, login):
    login("town_office_a")
    text = client.get(reverse("enforcement_settings:certificate_list")).content.decode()
    assert "执法人员证件" in text and "登记执法证" in text
