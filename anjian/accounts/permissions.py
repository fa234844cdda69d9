"""Who may do what: the permission matrix, reviewed in code (style.md §7).

``MATRIX[action]`` is the set of roles whose assignments grant ``action`` within their scope.
Keys are ``"<app>.<verb>"``. Scope (which objects) comes from the assignment; the matrix says which
actions. A superuser may do everything.
"""

from __future__ import annotations

from anjian.accounts.roles import STAFF_ROLES, Role

R = Role
ALL_ROLES = frozenset(Role)
TOWN_STAFF = frozenset({R.TOWN_OFFICE, R.INSPECTOR, R.LEADER})
OFFICIALS = TOWN_STAFF | {R.DISTRICT}

MATRIX: dict[str, frozenset[Role]] = {
    # Regions: the tree below one's assignment.
    "regions.view": frozenset(OFFICIALS | {R.VILLAGE_OFFICER, R.DEPARTMENT}),
    # Loading or changing the Region tree (import of statistical codes): the district only.
    "regions.manage": frozenset({R.DISTRICT}),
    # Committees (安委会 and 专委会).
    "teams.view": frozenset(OFFICIALS | {R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER}),
    "teams.manage": frozenset({R.TOWN_OFFICE}),
    # Supervised units.
    "units.view": frozenset(
        OFFICIALS | {R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT, R.ENTERPRISE}
    ),
    "units.change": frozenset({R.TOWN_OFFICE}),
    # Importing units from the town's Excel workbook (dry run, confirm, error sheet).
    "units.import": frozenset({R.TOWN_OFFICE}),
    # The unit's file (一企一档): documents and people; scope limits experts/enterprises to theirs.
    "units.manage_file": frozenset({R.TOWN_OFFICE, R.INSPECTOR, R.EXPERT, R.ENTERPRISE}),
    # The town's unit categories (危化品使用, 三场所三企业…) and their grade floors.
    "units.manage_categories": frozenset({R.TOWN_OFFICE}),
    # Experts on contract (包干): seeing the town's service firms, engineers and their units.
    "units.view_experts": frozenset(OFFICIALS),
    # Managing firms and engineers, assigning an engineer, approving or rejecting a change.
    "units.manage_experts": frozenset({R.TOWN_OFFICE}),
    # Asking for a change of a unit's engineer (with a reason); the expert hands a unit over.
    "units.request_expert_change": frozenset({R.TOWN_OFFICE, R.INSPECTOR, R.EXPERT}),
    # 一企一码: choosing what the public page behind each unit's QR code shows (per town).
    "units.manage_public_page": frozenset({R.TOWN_OFFICE}),
    # Inviting a unit's principal or safety officer to an enterprise account; revoking invitations.
    "units.invite": frozenset({R.TOWN_OFFICE}),
    # An enterprise edits its own unit's ordinary facts and proposes changes of key facts.
    "units.edit_own": frozenset({R.ENTERPRISE}),
    # Approving or rejecting an enterprise's proposed change of key facts (name, code, principal).
    "units.decide_changes": frozenset({R.TOWN_OFFICE}),
    # People and their roles within the office's town.
    "accounts.view_users": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
    "accounts.manage_users": frozenset({R.TOWN_OFFICE}),
    # Protecting one's own log-in with a TOTP second factor: staff roles, not enterprise users.
    "accounts.two_factor": STAFF_ROLES,
    # The audit record of the town.
    "audit.view": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
    "audit.verify": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
    # The working-day calendar (holidays and make-up days the office enters).
    "calendar.manage": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
    # Background jobs that a user started or that run for the town.
    "jobs.view": frozenset(OFFICIALS),
}


def roles_for(action: str) -> frozenset[Role]:
    try:
        return MATRIX[action]
    except KeyError as exc:
        raise KeyError(f"unknown action {action!r}: add it to accounts.permissions.MATRIX") from exc
