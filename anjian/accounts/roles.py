"""The roles of anjian (design.md §1). A role is held through an assignment with a scope."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TOWN_OFFICE = "town_office", _("Town safety office")
    INSPECTOR = "inspector", _("Inspector")
    LEADER = "leader", _("Town leader")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    VILLAGE_OFFICER = "village_officer", _("Village safety officer")
    EXPERT = "expert", _("Contracted expert")
    ENTERPRISE = "enterprise", _("Enterprise user")
    DEPARTMENT = "department", _("Department officer")
    DISTRICT = "district", _("District supervisor")


# Which kind of scope each role's assignment carries (checked by a constraint on RoleAssignment).
REGION_ROLES = frozenset(
    {
        Role.TOWN_OFFICE,
        Role.INSPECTOR,
        Role.LEADER,
        Role.VILLAGE_OFFICER,
        Role.DEPARTMENT,
        Role.DISTRICT,
    }
)
UNIT_ROLES = frozenset({Role.ENTERPRISE, Role.EXPERT})
COMMITTEE_ROLES = frozenset({Role.COMMITTEE_MEMBER})
# Roles that may (optionally) protect their log-in with a TOTP second factor.
STAFF_ROLES = frozenset(set(Role) - {Role.ENTERPRISE})
