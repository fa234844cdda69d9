"""Vocabularies of campaigns (专项整治) and joint enforcement (联合执法): stable lowercase values,
translated labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    SPECIAL_RECTIFICATION = "special_rectification", _("Special rectification campaign")
    JOINT_ENFORCEMENT = "joint_enforcement", _("Joint enforcement action")


class CampaignStatus(models.TextChoices):
    """Derived from the dates, except that the office may close a campaign early."""

    PLANNED = "planned", _("Not yet started")
    ACTIVE = "active", _("Under way")
    FINISHED = "finished", _("Ended")


class Department(models.TextChoices):
    """The departments that lead or join a campaign (the town's "四个平台" partners)."""

    EMERGENCY = "emergency", _("Emergency management / work safety (应急/安监)")
    POLICE = "police", _("Public security (公安)")
    TRANSPORT = "transport", _("Transport (交通)")
    CONSTRUCTION = "construction", _("Housing and construction (住建/城建)")
    MARKET = "market", _("Market supervision (市场监管)")
    FIRE = "fire", _("Fire and rescue (消防)")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources (自然资源)")
    ECOLOGY = "ecology", _("Ecology and environment (生态环境)")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs (农业农村)")
    WATER = "water", _("Water resources (水利)")
    COMPREHENSIVE = "comprehensive", _("Comprehensive administrative enforcement (综合执法)")
    OTHER = "other", _("Other department")


class CampaignCategory(models.TextChoices):
    """The kinds of units a campaign covers, as the town reports them (2018 report, 联合执法): in
    the order of the report's sentence ("检查临街商铺60家；小餐饮、作坊、仓杂店90余家；在建工程15处；
    山塘水库8个…")."""

    STREET_SHOP = "street_shop", _("Street shops")
    SMALL_VENUE = "small_venue", _("Small eateries, workshops and stores")
    CONSTRUCTION = "construction", _("Construction sites")
    RESERVOIR = "reservoir", _("Ponds and reservoirs")
    PETROL_STATION = "petrol_station", _("Petrol stations")
    HAZ_CHEM = "haz_chem", _("Hazardous-chemical units")
    MACHINING = "machining", _("Machining enterprises")
    GAS = "gas", _("Gas supply and use")
    HOUSING = "housing", _("Dilapidated and rental houses")
    FIREWORKS = "fireworks", _("Fireworks retailers")
    FIRE_KEY = "fire_key", _("Fire safety key units")
