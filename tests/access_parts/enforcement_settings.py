"""The access walk's registries for the enforcement settings pages and API
(``anjian.enforcement.settings_views`` / ``settings_api``)."""

from __future__ import annotations

from anjian.accounts.models import User
from anjian.enforcement.models import NumberingRule, OfficerCertificate
from anjian.enforcement.settings_services import (
    MANAGE,
    ScopedCertificates,
    ScopedNumberingRules,
)

FUNCTION_VIEW_OBJECTS = {
    "enforcement_settings:certificate_edit": (ScopedCertificates, MANAGE),
    "enforcement_settings:certificate_delete": (ScopedCertificates, MANAGE),
    "enforcement_settings:rule_reset": (ScopedNumberingRules, MANAGE),
}
PATH_PARAMS = {
    "certificate_id": (ScopedCertificates, MANAGE),
    "rule_id": (ScopedNumberingRules, MANAGE),
}
LIST_OPERATIONS = {
    "enforcement_settings_certificates_list": (ScopedCertificates, MANAGE),
    "enforcement_settings_staff_list": (User, MANAGE),
}
ACTION_OPERATIONS = {
    "enforcement_settings_get": (MANAGE, None),
    "enforcement_settings_update": (MANAGE, {"court": "越权法院"}),
    "enforcement_settings_certificates_create": (
        MANAGE,
        {"user_id": 999999, "number": "越权0001"},
    ),
    "enforcement_settings_rules_list": (MANAGE, None),
    "enforcement_settings_rules_set": (
        MANAGE,
        {"doc_type": "site_record", "pattern": "越权{year}{number}"},
    ),
    "enforcement_settings_rules_preview": (MANAGE, None),
}
OBJECT_OPERATION_BODIES = {
    "enforcement_settings_certificates_update": {"number": "越权0002"},
    "enforcement_settings_rules_update": {"pattern": "越权{year}-{number}"},
}


def walk_objects(*, world, recorders, towns, outside_officer) -> None:
    """In every town: the office's certificate and a numbering rule of its own."""
    offices = {unit.region.parent_id: office for unit, office in recorders.items()}
    for town in towns:
        office = offices[town.pk]
        OfficerCertificate.objects.get_or_create(
            user=office, defaults={"number": f"走查{town.code[-6:]}"}
        )
        NumberingRule.objects.get_or_create(
            town=town, doc_type="site_record", defaults={"pattern": "走查{year}-{number}"}
        )
