"""Region codes: clear messages for wrong codes; 6-digit and full-width codes are accepted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from anjian.regions.models import Region, RegionLevel, parent_path
from anjian.regions.services import region_create
from anjian.regions.validators import normalize_code, validate_region_code


def messages(code: str, level: str, parent: str | None) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_region_code(normalize_code(code), level, parent)
    return " ".join(caught.value.messages)


def test_a_code_of_the_wrong_length_is_refused_with_its_length_named():
    text = messages("33011111200", RegionLevel.TOWN, "330111000000")
    assert "33011111200" in text
    assert "必须是 12 位数字" in text


def test_a_code_outside_its_parent_is_refused_naming_both_codes():
    text = messages("330112112000", RegionLevel.TOWN, "330111000000")
    assert "330112112000" in text
    assert "330111000000" in text
    assert "不在其上级区划" in text


def test_a_town_code_given_as_a_district_is_refused_as_a_level_mismatch():
    text = messages("330111112000", RegionLevel.DISTRICT, "330100000000")
    assert "末尾必须有 6 个 0" in text
    assert "层级与代码不符" in text


def test_a_village_code_whose_own_digits_are_zero_is_refused():
    text = messages("330111112000", RegionLevel.VILLAGE, "330111112000")
    assert "不是有效的村（社区）代码" in text


def test_a_six_digit_gbt_2260_code_is_padded_to_twelve_digits():
    assert normalize_code("330111") == "330111000000"
    validate_region_code(normalize_code("330111"), RegionLevel.DISTRICT, "330100000000")


def test_full_width_digits_and_spaces_are_accepted():
    assert normalize_code("３３０１１１　１１２０００") == "330111112000"


@pytest.mark.django_db
def test_creating_a_region_stores_the_normalised_code_and_its_path():
    province = region_create(
        actor=None, code="３３００００", name="浙江省", level=RegionLevel.PROVINCE, parent=None
    )
    city = region_create(
        actor=None, code="330100", name="杭州市", level=RegionLevel.CITY, parent=province
    )

    assert province.code == "330000000000"
    assert Region.objects.get(pk=city.pk).path == "/330000000000/330100000000/"


@pytest.mark.django_db
def test_a_region_without_a_name_is_refused():
    with pytest.raises(ValidationError) as caught:
        region_create(actor=None, code="330000", name="  ", level=RegionLevel.PROVINCE, parent=None)
    assert "名称" in " ".join(caught.value.messages)


@pytest.mark.django_db
def test_a_regions_parent_path_is_read_from_its_own_path(world):
    for region in Region.objects.filter(parent__isnull=False).select_related("parent"):
        assert parent_path(region.path) == region.parent.path, region
