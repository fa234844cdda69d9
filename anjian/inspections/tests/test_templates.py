"""Checklist templates: the shipped defaults, copying, drafts, frozen published versions, scope."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition
from anjian.inspections import templates as services
from anjian.inspections.checklist_defaults import SHIPPED_CHECKLISTS, shipped_checklists_load
from anjian.inspections.choices import VersionStatus
from anjian.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Inspection,
    InspectionResult,
)
from anjian.units.models import Category

pytestmark = pytest.mark.django_db
API = "/api/v1/checklists"


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


def shipped(code: str) -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(region__isnull=True, code=code)


def items_of(version: ChecklistVersion) -> list[str]:
    return list(
        ChecklistItem.objects.filter(section__version=version)
        .order_by("section__order", "order")
        .values_list("text", flat=True)
    )


def copy_for(world, code: str = "combustible-dust") -> ChecklistTemplate:
    return services.template_copy(
        actor=world.town_office_a, template_id=shipped(code).pk, region=world.town_a
    )


def published_copy(world, code: str = "combustible-dust") -> ChecklistTemplate:
    template = copy_for(world, code)
    draft = template.versions.get()
    services.version_publish(actor=world.town_office_a, version_id=draft.pk, note="本镇版")
    return template


# --- Shipped defaults ----------------------------------------------------------------------------


def test_the_thirteen_shipped_templates_exist_with_a_published_version_each():
    templates = ChecklistTemplate.objects.filter(region__isnull=True)
    assert templates.count() == 13 == len(SHIPPED_CHECKLISTS)
    names = set(templates.values_list("name", flat=True))
    for words in ("通用", "危险化学品", "烟花爆竹", "有限空间", "粉尘", "喷涂", "涉氨", "熔融金属",
                  "消防安全重点", "建筑施工", "临街商铺", "三合一", "山塘水库"):  # fmt: skip
        assert any(words in name for name in names), words
    for template in templates:
        version = template.versions.get()
        assert version.status == VersionStatus.PUBLISHED and version.number == 1
        assert 8 <= len(items_of(version)) <= 20, template.code


def test_order_10_items_are_flagged_major_in_the_dust_ammonia_and_confined_space_lists():
    for code, clause in (
        ("combustible-dust", "第十一条"),
        ("ammonia-refrigeration", "第十二条"),
        ("confined-space", "第十三条"),
    ):
        flagged = ChecklistItem.objects.filter(
            section__version__template=shipped(code), is_major_criterion=True
        )
        assert flagged.exists(), code
        for item in flagged:
            assert item.hazard_level == "major"
            assert item.criterion_ref.startswith("工贸重大隐患判定标准")
        assert any(clause in item.criterion_ref for item in flagged)


def test_shipped_templates_name_real_unit_categories():
    known = set(Category.objects.values_list("code", flat=True))
    for template in ChecklistTemplate.objects.filter(region__isnull=True):
        assert set(template.category_codes) <= known, template.code


def test_loading_the_defaults_again_changes_nothing():
    before = ChecklistItem.objects.count()
    assert shipped_checklists_load() == 0
    assert ChecklistItem.objects.count() == before


# --- Copy, draft, publish ------------------------------------------------------------------------


def test_the_office_copies_a_shipped_template_as_a_draft_with_its_content(world):
    source = shipped("combustible-dust")
    copy = copy_for(world)
    assert copy.region == world.town_a and copy.copied_from == source
    draft = copy.versions.get()
    assert draft.status == VersionStatus.DRAFT and draft.number == 1
    assert items_of(draft) == items_of(source.versions.get())
    assert AuditEntry.objects.filter(action="checklist.copied").exists()
    again = copy_for(world)
    assert again.code != copy.code  # a second copy gets its own code


def test_a_shipped_template_cannot_be_edited_before_it_is_copied(world):
    version = shipped("general").versions.get()
    with pytest.raises(ActionNotPermitted):
        services.version_start_draft(actor=world.town_office_a, template_id=version.template_id)
    with pytest.raises(ActionNotPermitted):
        services.section_add(actor=world.town_office_a, version_id=version.pk, title="新增")


def test_a_published_version_cannot_be_changed_and_its_rows_stay_as_they_were(world):
    template = published_copy(world)
    version = template.versions.get()
    item = ChecklistItem.objects.filter(section__version=version).first()
    before = list(ChecklistItem.objects.filter(section__version=version).values())
    for call in (
        lambda: services.item_update(
            actor=world.town_office_a, version_id=version.pk, item_id=item.pk, text="改了"
        ),
        lambda: services.item_delete(
            actor=world.town_office_a, version_id=version.pk, item_id=item.pk
        ),
        lambda: services.item_add(
            actor=world.town_office_a,
            version_id=version.pk,
            section_id=item.section_id,
            text="新增",
        ),
        lambda: services.section_add(
            actor=world.town_office_a, version_id=version.pk, title="新增"
        ),
        lambda: services.version_publish(actor=world.town_office_a, version_id=version.pk),
    ):
        with pytest.raises(InvalidTransition) as exc:
            call()
        assert "v1" in exc.value.message or "1" in exc.value.message
    assert list(ChecklistItem.objects.filter(section__version=version).values()) == before


def test_an_inspection_made_with_v1_keeps_v1s_items_after_v2_is_published(world):
    template = published_copy(world)
    v1 = template.versions.get()
    v1_items = list(ChecklistItem.objects.filter(section__version=v1).order_by("pk"))
    inspection = Inspection.objects.create(
        unit=world.unit_a, checklist=v1, lead=world.inspector_a, started_at=timezone.now()
    )
    for item in v1_items:
        InspectionResult.objects.create(inspection=inspection, item=item, result="pass")
    old_texts = [item.text for item in v1_items]

    draft = services.version_start_draft(actor=world.town_office_a, template_id=template.pk)
    first = ChecklistItem.objects.filter(section__version=draft).order_by("pk").first()
    services.item_update(
        actor=world.town_office_a, version_id=draft.pk, item_id=first.pk, text="改写后的检查内容"
    )
    services.item_delete(
        actor=world.town_office_a,
        version_id=draft.pk,
        item_id=ChecklistItem.objects.filter(section__version=draft).order_by("-pk").first().pk,
    )
    v2 = services.version_publish(actor=world.town_office_a, version_id=draft.pk, note="修订")

    assert v2.number == 2 and v2.status == VersionStatus.PUBLISHED
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    assert services.published_version(template) == v2
    assert "改写后的检查内容" in items_of(v2)
    results = InspectionResult.objects.filter(inspection=inspection).order_by("item_id")
    assert [r.item.section.version_id for r in results] == [v1.pk] * len(v1_items)
    assert [r.item.text for r in results] == old_texts
    inspection.refresh_from_db()
    assert inspection.checklist == v1


def test_only_one_draft_at_a_time(world):
    template = published_copy(world)
    services.version_start_draft(actor=world.town_office_a, template_id=template.pk)
    with pytest.raises(InvalidTransition):
        services.version_start_draft(actor=world.town_office_a, template_id=template.pk)


def test_publishing_needs_an_item(world):
    template = copy_for(world)
    draft = template.versions.get()
    for section in draft.sections.all():
        services.section_delete(
            actor=world.town_office_a, version_id=draft.pk, section_id=section.pk
        )
    with pytest.raises(ValidationError) as exc:
        services.version_publish(actor=world.town_office_a, version_id=draft.pk)
    assert "items" in exc.value.message_dict


def test_draft_editing_adds_moves_and_deletes_items_and_audits_each(world):
    draft = copy_for(world, "street-shop").versions.get()
    section = services.section_add(actor=world.town_office_a, version_id=draft.pk, title="其他")
    a = services.item_add(
        actor=world.town_office_a, version_id=draft.pk, section_id=section.pk, text="甲"
    )
    b = services.item_add(
        actor=world.town_office_a,
        version_id=draft.pk,
        section_id=section.pk,
        text="乙",
        is_major_criterion=True,
        criterion_ref="工贸重大隐患判定标准 第三条",
    )
    assert b.hazard_level == "major"  # a major criterion is a major hazard
    services.item_move(actor=world.town_office_a, version_id=draft.pk, item_id=b.pk, direction="up")
    assert list(section.items.order_by("order").values_list("text", flat=True)) == ["乙", "甲"]
    first_section = draft.sections.order_by("order").first()
    services.item_move(
        actor=world.town_office_a, version_id=draft.pk, item_id=a.pk, section_id=first_section.pk
    )
    assert first_section.items.order_by("order").last().pk == a.pk
    services.section_update(
        actor=world.town_office_a, version_id=draft.pk, section_id=section.pk, move="up"
    )
    services.item_delete(actor=world.town_office_a, version_id=draft.pk, item_id=b.pk)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "checklist.section_added",
        "checklist.item_added",
        "checklist.item_moved",
        "checklist.section_updated",
        "checklist.item_deleted",
    } <= actions
    with pytest.raises(ValidationError):
        services.item_add(
            actor=world.town_office_a,
            version_id=draft.pk,
            section_id=section.pk,
            text="",
            hazard_level="bad",
        )


def test_template_settings_are_checked_against_kinds_and_categories(world):
    template = copy_for(world)
    services.template_update(
        actor=world.town_office_a,
        template_id=template.pk,
        name="本镇粉尘检查表",
        unit_kinds=["enterprise"],
        category_codes=["combustible-dust"],
        is_active=False,
    )
    template.refresh_from_db()
    assert template.name == "本镇粉尘检查表" and not template.is_active
    with pytest.raises(ValidationError) as exc:
        services.template_update(
            actor=world.town_office_a, template_id=template.pk, category_codes=["no-such"]
        )
    assert "category_codes" in exc.value.message_dict


# --- Scope and roles --------------------------------------------------------------------------------


def test_another_town_cannot_see_or_edit_the_towns_copy(world):
    template = copy_for(world)
    draft = template.versions.get()
    assert not services.templates_for(world.town_office_b).filter(pk=template.pk).exists()
    with pytest.raises(Http404):
        services.template_get_for(world.town_office_b, template.pk)
    with pytest.raises(Http404):
        services.section_add(actor=world.town_office_b, version_id=draft.pk, title="越权")
    with pytest.raises(Http404):
        services.template_copy(actor=world.town_office_b, template_id=template.pk)


def test_roles_other_than_the_office_cannot_edit(world):
    template = copy_for(world)
    draft = template.versions.get()
    for persona in ("inspector_a", "leader_a", "expert_a", "village_officer_a"):
        with pytest.raises(ActionNotPermitted):
            services.section_add(actor=world.users[persona], version_id=draft.pk, title="越权")
        with pytest.raises(ActionNotPermitted):
            services.template_copy(actor=world.users[persona], template_id=template.pk)
    assert draft.sections.filter(title="越权").count() == 0


def test_village_officers_and_experts_see_their_towns_copies_but_not_other_towns(world):
    copy = copy_for(world)
    for persona in ("village_officer_a", "expert_a", "committee_member_a", "inspector_a"):
        assert services.templates_for(world.users[persona]).filter(pk=copy.pk).exists(), persona
    assert not services.templates_for(world.town_office_b).filter(pk=copy.pk).exists()


def test_templates_for_a_unit_put_its_categories_first_then_the_general_one(world):
    unit = world.unit_a
    unit.categories.add(Category.objects.get(code="combustible-dust"))
    codes = [t.code for t in services.templates_for_unit(world.inspector_a, unit)]
    assert codes[0] == "combustible-dust"
    assert "general" in codes
    assert "street-shop" not in codes
    copy = published_copy(world)  # the town's copy stands in for the shipped one
    listed = services.templates_for_unit(world.inspector_a, unit)
    assert listed[0].pk == copy.pk
    assert shipped("combustible-dust").pk not in [t.pk for t in listed]
    shop = [t.code for t in services.templates_for_unit(world.inspector_a, world.unit_a2)]
    assert shop[0] == "street-shop"


# --- Pages ----------------------------------------------------------------------------------------------


def test_the_list_page_shows_shipped_and_own_templates_and_exports(world, client, login):
    copy = copy_for(world)
    login("town_office_a")
    response = client.get(reverse("inspections:checklist_list"))
    assert response.status_code == 200
    assert len(response.context["templates"]) == 14
    assert copy in response.context["templates"]
    found = client.get(reverse("inspections:checklist_list"), {"q": "烟花"})
    assert [t.code for t in found.context["templates"]] == ["fireworks-retail"]
    export = client.get(reverse("inspections:checklist_list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    login("town_office_b")
    response = client.get(reverse("inspections:checklist_list"))
    assert copy not in response.context["templates"]


def test_the_office_copies_edits_and_publishes_through_the_pages(world, client, login):
    login("town_office_a")
    source = shipped("fireworks-retail")
    page = client.get(reverse("inspections:checklist_detail", args=[source.pk]))
    assert page.status_code == 200 and "copy-link" in page.content.decode()
    response = client.post(reverse("inspections:checklist_copy", args=[source.pk]))
    copy = ChecklistTemplate.objects.get(region=world.town_a)
    draft = copy.versions.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:checklist_draft", args=[draft.pk])
    assert client.get(response["Location"]).status_code == 200
    section = draft.sections.order_by("order").first()
    url = reverse("inspections:checklist_item_add", args=[draft.pk, section.pk])
    response = client.post(
        url,
        {"text": "店内张贴燃放安全提示", "hazard_level": "general", "hazard_category": "site"},
    )
    assert response.status_code == 302
    item = ChecklistItem.objects.get(text="店内张贴燃放安全提示")
    edit = reverse("inspections:checklist_item_edit", args=[draft.pk, item.pk])
    response = client.post(
        edit,
        {
            "text": "店内张贴燃放安全须知",
            "hazard_level": "general",
            "hazard_category": "site",
            "section": section.pk,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.text == "店内张贴燃放安全须知"
    publish = reverse("inspections:checklist_publish", args=[draft.pk])
    assert client.get(publish).status_code == 200
    client.post(publish, {"note": "增加提示"})
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.note == "增加提示"
    # the published version is frozen: its editor sends back to the version page
    response = client.post(edit, {"text": "再改", "hazard_level": "general"})
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:checklist_version", args=[draft.pk])
    item.refresh_from_db()
    assert item.text == "店内张贴燃放安全须知"
    new = client.post(reverse("inspections:checklist_draft_start", args=[copy.pk]))
    assert new.status_code == 302
    assert copy.versions.filter(status=VersionStatus.DRAFT, number=2).exists()


def test_pages_refuse_other_towns_and_other_roles(world, client, login):
    copy = copy_for(world)
    draft = copy.versions.get()
    login("town_office_b")
    assert client.get(reverse("inspections:checklist_detail", args=[copy.pk])).status_code == 404
    assert client.get(reverse("inspections:checklist_draft", args=[draft.pk])).status_code == 404
    login("inspector_a")
    assert client.get(reverse("inspections:checklist_detail", args=[copy.pk])).status_code == 200
    assert client.get(reverse("inspections:checklist_draft", args=[draft.pk])).status_code == 403
    url = reverse("inspections:checklist_section_add", args=[draft.pk])
    assert client.post(url, {"title": "越权"}).status_code == 403
    login("enterprise_a")
    assert client.get(reverse("inspections:checklist_list")).status_code == 403
    login("town_office_a")
    shipped_version = shipped("general").versions.get()
    url = reverse("inspections:checklist_section_add", args=[shipped_version.pk])
    assert client.post(url, {"title": "改自带"}).status_code == 403


# --- API ------------------------------------------------------------------------------------------------


def test_api_copy_edit_publish_and_frozen_version(world, client):
    office = bearer(world.town_office_a)
    listed = client.get(API, **office).json()
    assert listed["count"] == 13 and all(row["is_shipped"] for row in listed["items"])
    source = shipped("ammonia-refrigeration")
    detail = client.get(f"{API}/{source.pk}", **office).json()
    assert detail["versions"][0]["status"] == "published" and not detail["can_edit"]
    copied = client.post(f"{API}/{source.pk}/copy", "{}", content_type="application/json", **office)
    assert copied.status_code == 201, copied.content
    copy = copied.json()
    assert copy["can_edit"] and copy["town"]["id"] == world.town_a.pk
    draft_id = copy["versions"][0]["id"]
    version = client.get(f"{API}/versions/{draft_id}", **office).json()
    majors = [i for s in version["sections"] for i in s["items"] if i["is_major_criterion"]]
    assert majors and all(i["hazard_level"] == "major" for i in majors)
    section = client.post(
        f"{API}/versions/{draft_id}/sections",
        json.dumps({"title": "补充"}),
        content_type="application/json",
        **office,
    )
    assert section.status_code == 201
    item = client.post(
        f"{API}/versions/{draft_id}/items",
        json.dumps(
            {
                "section_id": section.json()["id"],
                "text": "制冷工持证",
                "hazard_category": "training",
            }
        ),
        content_type="application/json",
        **office,
    )
    assert item.status_code == 201
    item_id = item.json()["id"]
    patched = client.patch(
        f"{API}/versions/{draft_id}/items/{item_id}",
        json.dumps({"text": "制冷工持证上岗"}),
        content_type="application/json",
        **office,
    )
    assert patched.json()["text"] == "制冷工持证上岗"
    moved = client.post(
        f"{API}/versions/{draft_id}/items/{item_id}/move",
        json.dumps({"direction": "up"}),
        content_type="application/json",
        **office,
    )
    assert moved.status_code == 200
    published = client.post(
        f"{API}/versions/{draft_id}/publish",
        json.dumps({"note": "本镇版"}),
        content_type="application/json",
        **office,
    )
    assert published.json()["status"] == "published"
    frozen = client.patch(
        f"{API}/versions/{draft_id}/items/{item_id}",
        json.dumps({"text": "再改"}),
        content_type="application/json",
        **office,
    )
    assert frozen.status_code == 409
    assert ChecklistItem.objects.get(pk=item_id).text == "制冷工持证上岗"
    gone = client.delete(f"{API}/versions/{draft_id}/items/{item_id}", **office)
    assert gone.status_code == 409
    new = client.post(f"{API}/{copy['id']}/drafts", **office)
    assert new.status_code == 201 and new.json()["number"] == 2
    again = client.post(f"{API}/{copy['id']}/drafts", **office)
    assert again.status_code == 409


def test_api_scope_and_roles(world, client):
    copy = copy_for(world)
    draft = copy.versions.get()
    section = draft.sections.first()
    other = bearer(world.town_office_b)
    assert client.get(f"{API}/{copy.pk}", **other).status_code == 404
    assert client.get(f"{API}/versions/{draft.pk}", **other).status_code == 404
    body = json.dumps({"title": "越权"})
    response = client.post(
        f"{API}/versions/{draft.pk}/sections", body, content_type="application/json", **other
    )
    assert response.status_code == 404
    assert (
        client.delete(f"{API}/versions/{draft.pk}/sections/{section.pk}", **other).status_code
        == 404
    )
    inspector = bearer(world.inspector_a)
    assert client.get(f"{API}/{copy.pk}", **inspector).status_code == 200
    response = client.post(
        f"{API}/versions/{draft.pk}/sections", body, content_type="application/json", **inspector
    )
    assert response.status_code == 403
    assert client.get(API, **bearer(world.enterprise_a)).status_code == 403
    shipped_version = shipped("general").versions.get()
    office = bearer(world.town_office_a)
    response = client.post(
        f"{API}/versions/{shipped_version.pk}/sections",
        body,
        content_type="application/json",
        **office,
    )
    assert response.status_code == 403
    assert draft.sections.filter(title="越权").count() == 0
    for_unit = client.get(f"{API}/for-unit/{world.unit_a2.pk}", **inspector).json()
    assert for_unit[0]["code"] == "street-shop"
    assert client.get(f"{API}/for-unit/{world.unit_b.pk}", **inspector).status_code == 404
