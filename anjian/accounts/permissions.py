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
    # The categories without a town are shared by every town: only the district changes those
    # (anjian.regions.shared); a town office adds and changes its town's own.
    "units.manage_categories": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
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
    # --- The hazard loop (隐患闭环); anjian.hazards.workflow names which action needs which key.
    "hazards.view": frozenset(
        OFFICIALS | {R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT, R.ENTERPRISE}
    ),
    # Recording a hazard at a unit (and closing it as rectified on the spot, with evidence).
    "hazards.record": frozenset(
        {R.TOWN_OFFICE, R.INSPECTOR, R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT, R.ENTERPRISE}
    ),
    # Ordering rectification with a deadline (an enterprise: only for its own self-checks).
    "hazards.order": frozenset({R.TOWN_OFFICE, R.INSPECTOR, R.EXPERT, R.ENTERPRISE}),
    # The unit's side: rectification reports, extension requests, plans, resumption applications.
    "hazards.submit": frozenset({R.ENTERPRISE, R.TOWN_OFFICE, R.INSPECTOR}),
    # Re-checking a rectification (an expert: what the expert found; an enterprise: its own
    # ordinary self-check hazards).
    "hazards.recheck": frozenset({R.TOWN_OFFICE, R.INSPECTOR, R.EXPERT, R.ENTERPRISE}),
    "hazards.decide_extension": frozenset({R.TOWN_OFFICE}),
    "hazards.cancel": frozenset({R.TOWN_OFFICE}),
    "hazards.reopen": frozenset({R.TOWN_OFFICE}),
    # Major hazards: the governance plan, interim measures, listing, assessment, resumption.
    "hazards.decide_plan": frozenset({R.TOWN_OFFICE}),
    "hazards.interim": frozenset({R.TOWN_OFFICE, R.INSPECTOR, R.ENTERPRISE}),
    "hazards.list": frozenset({R.LEADER, R.DISTRICT}),
    "hazards.approve_listed": frozenset({R.LEADER, R.DISTRICT}),
    "hazards.assess": frozenset({R.TOWN_OFFICE, R.EXPERT, R.ENTERPRISE}),
    "hazards.decide_resumption": frozenset({R.TOWN_OFFICE}),
    # Correcting what the finder recorded (evidence): the town office, with a reason, after the
    # order too, and the source; asking a leader to downgrade a major hazard (重大→一般).
    # Before the order the side that recorded a hazard corrects it under "hazards.record"
    # (anjian.hazards.workflow.edit_refusals).
    "hazards.correct": frozenset({R.TOWN_OFFICE}),
    # Approving or refusing the office's request to downgrade a major hazard.
    "hazards.decide_downgrade": frozenset({R.LEADER}),
    # The sub-grades of the two legal levels: the shared ones (no town) the district's, a town's
    # own that town office's (anjian.regions.shared).
    "hazards.manage_settings": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
    # Monthly self-inspection reports (月报) and Order 16 statistics statements: the unit submits,
    # the town follows up (who is missing, reminders, the month's export).
    "hazards.report_monthly": frozenset({R.ENTERPRISE}),
    "hazards.follow_reports": frozenset({R.TOWN_OFFICE, R.INSPECTOR, R.LEADER, R.DISTRICT}),
    # Public tip-offs (举报): triage into a hazard or dismissal with a reason.
    "hazards.triage_tip_offs": frozenset({R.TOWN_OFFICE}),
    # --- Checklists and inspections (检查): templates, inspecting on a phone.
    "inspections.view": frozenset(
        OFFICIALS | {R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT, R.ENTERPRISE}
    ),
    "inspections.view_templates": frozenset(
        OFFICIALS | {R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT}
    ),
    # Copying a shipped template to the town, editing its drafts, publishing, Excel in and out.
    "inspections.manage_templates": frozenset({R.TOWN_OFFICE}),
    # Inspecting a unit with a checklist (an expert: the contracted units; a village officer: the
    # village's units).
    "inspections.inspect": frozenset(
        {R.TOWN_OFFICE, R.INSPECTOR, R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT}
    ),
    # --- Enforcement documents (执法文书): numbered per town, type and year.
    "enforcement.view": frozenset(OFFICIALS | {R.ENTERPRISE}),
    "enforcement.issue_documents": frozenset({R.TOWN_OFFICE, R.INSPECTOR}),
    # The town's enforcement settings pages: issuing authority and mode, the entrusted fine cap,
    # officers' certificates, numbering rules.
    "enforcement.manage_settings": frozenset({R.TOWN_OFFICE}),
    # Enforcement cases (立案查处): an enterprise sees its own cases.
    "enforcement.view_cases": frozenset(OFFICIALS | {R.ENTERPRISE}),
    # Opening a case, moving it through its stages, recording the penalty, payments, transfer.
    "enforcement.handle_cases": frozenset({R.TOWN_OFFICE, R.INSPECTOR}),
    # Approving the opening and the closure of a case and the penalty decision (分管领导).
    "enforcement.approve_cases": frozenset({R.LEADER, R.TOWN_OFFICE}),
    # The table of legal provisions and penalty ranges: the shared rows (no town) the district's,
    # a town's own rows that town office's (anjian.regions.shared).
    "enforcement.view_provisions": frozenset(OFFICIALS),
    "enforcement.manage_provisions": frozenset({R.DISTRICT, R.TOWN_OFFICE}),
    # --- The annual inspection plan (年度执法检查计划): frequencies, tasks, 双随机, progress.
    # Seeing tasks: an expert those of the contracted units, a village officer the village's.
    "plans.view": frozenset(OFFICIALS | {R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT}),
    # Setting frequencies, generating the year's tasks, the random draw, (re)assigning tasks.
    "plans.manage": frozenset({R.TOWN_OFFICE}),
    # --- Campaigns (专项整治) and joint enforcement (联合执法): a department officer sees only the
    # campaigns their department joined.
    "campaigns.view": frozenset(OFFICIALS | {R.DEPARTMENT}),
    "campaigns.manage": frozenset({R.TOWN_OFFICE}),
    # Starting campaign inspections and linking the period's inspections to a campaign (a
    # department officer takes part beside the town's inspectors: they inspect and sign).
    "campaigns.take_part": frozenset({R.TOWN_OFFICE, R.INSPECTOR}),
    # --- Statistics (统计报表): figures of any period for the scope one may see (a district user: the
    # sum of its towns; a committee member: the sector; a village officer: the village; an expert:
    # the contracted units; an enterprise: its own), and the stored report runs sent upward.
    "stats.view": frozenset(
        OFFICIALS | {R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT, R.ENTERPRISE}
    ),
    # Storing a report run (parameters and results kept, reproducible later).
    "stats.store_runs": frozenset({R.TOWN_OFFICE, R.DISTRICT, R.LEADER}),
    # --- Dashboards (形势一览): the situation of the scope one may see, with charts; a district user
    # compares its towns.
    "dashboards.view": frozenset(
        OFFICIALS | {R.COMMITTEE_MEMBER, R.VILLAGE_OFFICER, R.EXPERT, R.ENTERPRISE}
    ),
    # --- The period's summary (年度总结) and the safety situation analysis meeting pack (安全形势分析会).
    "reports.view": frozenset(OFFICIALS | {R.COMMITTEE_MEMBER}),
    # Recording an analysis meeting (date, period) so that the next pack says what changed since.
    "reports.manage_meetings": frozenset({R.TOWN_OFFICE, R.LEADER}),
    # --- Data exchange upward (数据上报): versioned export of units, inspections and hazards, and the
    # import of the ids the city or provincial system assigned.
    "exchange.export": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
    "exchange.import_ids": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
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
    # Backups of the whole installation: the offices that run it (a town's own machine, or the
    # district's server) see them and start one now.
    "backups.view": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
    "backups.run": frozenset({R.TOWN_OFFICE, R.DISTRICT}),
    # Background jobs that a user started or that run for the town.
    "jobs.view": frozenset(OFFICIALS),
}


def roles_for(action: str) -> frozenset[Role]:
    try:
        return MATRIX[action]
    except KeyError as exc:
        raise KeyError(f"unknown action {action!r}: add it to accounts.permissions.MATRIX") from exc
