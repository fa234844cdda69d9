"""The demo town's campaigns: the joint enforcement of the report and a special rectification,
each with finished joint inspections whose tally shows numbers; a second run adds nothing."""

import pytest
from django.utils import translation

from anjian.campaigns.models import Campaign, CampaignInspection
from anjian.campaigns.selectors import campaign_tally
from anjian.demo.campaign_demo import load_demo_campaigns
from anjian.demo.loader import DemoReport, load_demo
from anjian.inspections.models import Inspection

pytestmark = pytest.mark.django_db


def test_the_demo_town_has_two_campaigns_with_numbers_and_a_second_run_adds_none():
    report = load_demo()  # the loader makes the campaigns (load_demo_campaigns)
    assert report.created["campaigns"] == 2
    joint = Campaign.objects.get(kind="joint_enforcement")
    special = Campaign.objects.get(kind="special_rectification")
    assert joint.region.name == "场口镇"
    assert set(joint.joining_departments.values_list("department", flat=True)) == {
        "police",
        "transport",
        "construction",
        "market",
    }
    assert joint.participants.get().user.username == "ck_department"
    assert CampaignInspection.objects.filter(inspection__kind="joint_enforcement").count() == 8
    tally = campaign_tally(joint)
    rows = {r.category: r for r in tally.rows}
    assert rows["street_shop"].units == 2 and rows["small_venue"].units == 2
    assert tally.total.hazards_found == 3 and tally.total.hazards_rectified == 1
    assert campaign_tally(special).total.units == 2
    with translation.override("zh-hans"):
        sentence = campaign_tally(joint).sentence
    assert sentence.startswith("检查临街商铺2家；小餐饮、作坊、仓杂店2家；在建工程1处；山塘水库1个")
    assert sentence.endswith("共计排查隐患3处，已整改1处。")
    inspections = Inspection.objects.count()
    again = DemoReport()
    load_demo_campaigns(again)
    assert again.total == 0
    assert Campaign.objects.count() == 2 and Inspection.objects.count() == inspections
