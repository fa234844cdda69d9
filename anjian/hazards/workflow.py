"""The hazard lifecycle as one explicit table (style.md §6). Pure: no queries, no writes.

``TRANSITIONS`` names every action a person can take on a hazard: where it may start (``sources``),
where it leads (``target``; ``None`` keeps the state, for the steps of a major hazard and the
extension requests that happen within a state), which permission of the role matrix it needs, and
what it must be given. ``guard_errors`` adds the rules that depend on the hazard and the actor.
Services, pages, the API and ``manage.py workflow_diagram`` all read this table.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.hazards.choices import (
    OPEN_STATUSES,
    HazardLevel,
    HazardSource,
    HazardStatus,
    ListingLevel,
)

S = HazardStatus
OPEN = frozenset(OPEN_STATUSES)


@dataclass(frozen=True)
class Transition:
    action: str
    label: Any  # lazy translated button label
    sources: frozenset[HazardStatus]
    target: HazardStatus | None  # None: the state stays as it is
    permission: str
    note_required: bool = False
    needs_deadline: bool = False  # a new deadline must be given (calendar or working days)
    major_only: bool = False
    style: str = "primary"  # Bootstrap button colour
    fields: tuple[str, ...] = field(default=())  # further inputs the form and the API take

    def target_for(self, status: str) -> str:
        return self.target if self.target is not None else status


def _t(*args, **kwargs) -> Transition:
    return Transition(*args, **kwargs)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # --- The loop ---------------------------------------------------------------------------
        _t(
            "order",
            gettext_lazy("Order rectification"),
            frozenset({S.FOUND}),
            S.RECTIFYING,
            "hazards.order",
            needs_deadline=True,
        ),
        _t(
            "rectify_on_spot",
            gettext_lazy("Rectified on the spot"),
            frozenset({S.FOUND}),
            S.CLOSED,
            "hazards.record",
            style="success",
            fields=("description", "cost", "photos"),
        ),
        _t(
            "submit",
            gettext_lazy("Submit rectification"),
            frozenset({S.RECTIFYING}),
            S.SUBMITTED,
            "hazards.submit",
            fields=("description", "cost", "photos", "pairs"),
        ),
        _t(
            "pass",
            gettext_lazy("Re-check passed: close"),
            frozenset({S.SUBMITTED}),
            S.CLOSED,
            "hazards.recheck",
            style="success",
        ),
        _t(
            "fail",
            gettext_lazy("Re-check failed"),
            frozenset({S.SUBMITTED}),
            S.RECTIFYING,
            "hazards.recheck",
            note_required=True,
            needs_deadline=True,
            style="danger",
        ),
        _t(
            "spot_confirm",
            gettext_lazy("Confirm the on-the-spot rectification"),
            frozenset({S.CLOSED}),
            None,
            "hazards.recheck",
            style="success",
        ),
        _t(
            "spot_reject",
            gettext_lazy("On-the-spot rectification not acceptable"),
            frozenset({S.CLOSED}),
            S.RECTIFYING,
            "hazards.recheck",
            note_required=True,
            needs_deadline=True,
            style="danger",
        ),
        # --- Deadlines --------------------------------------------------------------------------
        _t(
            "request_extension",
            gettext_lazy("Ask for an extension"),
            frozenset({S.RECTIFYING}),
            None,
            "hazards.submit",
            note_required=True,
            style="secondary",
            fields=("requested_deadline",),
        ),
        _t(
            "approve_extension",
            gettext_lazy("Approve the extension"),
            frozenset({S.RECTIFYING}),
            None,
            "hazards.decide_extension",
            style="success",
            fields=("granted_deadline",),
        ),
        _t(
            "reject_extension",
            gettext_lazy("Refuse the extension"),
            frozenset({S.RECTIFYING}),
            None,
            "hazards.decide_extension",
            note_required=True,
            style="danger",
        ),
        # --- The office's corrections -------------------------------------------------------------
        _t(
            "cancel",
            gettext_lazy("Cancel the hazard"),
            OPEN,
            S.CANCELLED,
            "hazards.cancel",
            note_required=True,
            style="outline-danger",
            fields=("duplicate_of",),
        ),
        _t(
            "reopen",
            gettext_lazy("Reopen"),
            frozenset({S.CLOSED}),
            S.RECTIFYING,
            "hazards.reopen",
            note_required=True,
            needs_deadline=True,
            style="outline-danger",
        ),
        # --- Major hazards (重大事故隐患): extra steps within the same states -------------------------
        _t(
            "submit_plan",
            gettext_lazy("Submit the governance plan"),
            frozenset({S.FOUND, S.RECTIFYING}),
            None,
            "hazards.submit",
            major_only=True,
            style="secondary",
            fields=(
                "goals",
                "methods",
                "funds_materials",
                "funds_amount",
                "organisation",
                "time_limit",
                "time_requirements",
                "safety_measures",
            ),
        ),
        _t(
            "approve_plan",
            gettext_lazy("Approve the governance plan"),
            frozenset({S.FOUND, S.RECTIFYING}),
            None,
            "hazards.decide_plan",
            major_only=True,
            style="success",
        ),
        _t(
            "reject_plan",
            gettext_lazy("Return the governance plan"),
            frozenset({S.FOUND, S.RECTIFYING}),
            None,
            "hazards.decide_plan",
            major_only=True,
            note_required=True,
            style="danger",
        ),
        _t(
            "set_interim_measures",
            gettext_lazy("Record interim measures"),
            OPEN,
            None,
            "hazards.interim",
            major_only=True,
            style="secondary",
            fields=("withdrawal", "suspension", "warning_signs", "interim_note"),
        ),
        _t(
            "list_for_supervision",
            gettext_lazy("List for supervision (挂牌督办)"),
            OPEN,
            None,
            "hazards.list",
            major_only=True,
            note_required=True,
            style="warning",
        ),
        _t(
            "record_assessment",
            gettext_lazy("Record the assessment"),
            frozenset({S.RECTIFYING, S.SUBMITTED}),
            None,
            "hazards.assess",
            major_only=True,
            style="secondary",
            fields=("assessor", "assessed_on", "conclusion", "summary"),
        ),
        _t(
            "apply_resumption",
            gettext_lazy("Apply to resume production"),
            frozenset({S.RECTIFYING, S.SUBMITTED}),
            None,
            "hazards.submit",
            major_only=True,
            note_required=True,
            style="secondary",
        ),
        _t(
            "approve_resumption",
            gettext_lazy("Allow resumption"),
            frozenset({S.RECTIFYING, S.SUBMITTED}),
            None,
            "hazards.decide_resumption",
            major_only=True,
            style="success",
        ),
        _t(
            "reject_resumption",
            gettext_lazy("Refuse resumption"),
            frozenset({S.RECTIFYING, S.SUBMITTED}),
            None,
            "hazards.decide_resumption",
            major_only=True,
            note_required=True,
            style="danger",
        ),
        # --- Downgrading a major hazard (重大→一般): the office asks with a reason, a leader decides --
        _t(
            "request_downgrade",
            gettext_lazy("Ask to downgrade to an ordinary hazard"),
            OPEN,
            None,
            "hazards.correct",
            major_only=True,
            note_required=True,
            style="outline-warning",
        ),
        _t(
            "approve_downgrade",
            gettext_lazy("Approve the downgrade"),
            OPEN,
            None,
            "hazards.decide_downgrade",
            major_only=True,
            style="warning",
        ),
        _t(
            "refuse_downgrade",
            gettext_lazy("Refuse the downgrade"),
            OPEN,
            None,
            "hazards.decide_downgrade",
            major_only=True,
            note_required=True,
            style="secondary",
        ),
        _t(
            "approve_closure",
            gettext_lazy("Approve closure (listing authority)"),
            frozenset({S.SUBMITTED}),
            S.CLOSED,
            "hazards.approve_listed",
            major_only=True,
            style="success",
        ),
    )
}


@dataclass(frozen=True)
class Facts:
    """What the guards need to know beyond the hazard's own fields, gathered by the service."""

    actor_id: int | None
    actor_roles: frozenset[str] = frozenset()  # the actor's roles that grant this action here
    today: datetime.date | None = None
    pending_extension: bool = False
    plan_status: str | None = None  # the latest governance plan's status
    assessment_passed: bool = False  # the latest assessment concluded "passed"
    pending_resumption: bool = False
    resumption_approved: bool = False
    last_submitter_id: int | None = None
    photo_count: int = 0  # photos given with this action
    pending_downgrade: bool = False  # a request to downgrade awaits a leader's decision


def guard_errors(hazard, t: Transition, facts: Facts, data: Mapping[str, Any] | None) -> list[str]:
    """Why ``t`` may not happen to ``hazard`` now, as messages for the user (empty: it may).

    With ``data=None`` only the state and the actor are judged, not the user's input: that is
    how buttons are chosen before anything is typed.
    """
    errors: list[str] = []
    check_input = data is not None
    data = data or {}
    major = hazard.level == HazardLevel.MAJOR
    roles = facts.actor_roles
    if t.major_only and not major:
        errors.append(_("This step applies to major hazards only."))
        return errors
    if check_input and t.note_required and not str(data.get("note") or "").strip():
        errors.append(_("Give a reason or an opinion."))
    if check_input and t.needs_deadline and not data.get("deadline"):
        errors.append(_("Give the new deadline."))
    deadline = data.get("deadline")
    if deadline and facts.today and deadline < facts.today:
        errors.append(_("The deadline cannot be in the past."))
    enterprise_only = bool(roles) and roles <= {"enterprise"}
    action = t.action

    if action == "order" and enterprise_only and hazard.source != HazardSource.SELF_CHECK:
        errors.append(
            _("An enterprise sets deadlines only for the hazards of its own self-checks.")
        )
    if action == "submit" and major and facts.plan_status != "approved":
        errors.append(_("A major hazard needs an approved governance plan before rectification."))
    if action == "rectify_on_spot":
        # Judged on the recorded source and finder, which only the office may correct.
        if enterprise_only and hazard.source != HazardSource.SELF_CHECK:
            errors.append(
                _("An enterprise closes on the spot only the hazards of its own self-checks.")
            )
        elif (
            roles
            and roles <= {"village_officer", "expert", "committee_member"}
            and facts.actor_id not in (hazard.found_by_id, hazard.reported_by_id)
        ):
            errors.append(
                _("Only the person who found it, an inspector or the office closes it on the spot.")
            )
        if major:
            errors.append(
                _("A major hazard cannot be rectified on the spot: it needs a governance plan.")
            )
        if check_input and facts.photo_count < 1:
            errors.append(_("Add at least one photo showing the rectification."))
        if check_input and not str(data.get("description") or "").strip():
            errors.append(_("Describe what was done."))
    if action == "submit":
        if check_input and facts.photo_count < 1:
            errors.append(_("Add at least one photo after rectification."))
        if check_input and not str(data.get("description") or "").strip():
            errors.append(_("Describe what was done."))
        if major and not facts.assessment_passed:
            errors.append(_("A major hazard needs a passed assessment before it is submitted."))
    if action in {"pass", "fail", "spot_confirm", "spot_reject"}:
        if enterprise_only and (major or hazard.source != HazardSource.SELF_CHECK):
            errors.append(
                _("An enterprise re-checks only the ordinary hazards of its own self-checks.")
            )
        if roles and roles <= {"expert"} and hazard.found_by_id != facts.actor_id:
            errors.append(_("An expert re-checks only the hazards the expert found."))
    if action in {"pass", "approve_closure"}:
        submitter = facts.last_submitter_id
        if submitter is not None and submitter == facts.actor_id:
            errors.append(_("You submitted this rectification: someone else must re-check it."))
    if action == "pass" and major:
        if hazard.listing_level:
            errors.append(
                _(
                    "This hazard is listed for supervision: the listing authority approves its closure."
                )
            )
        if not facts.assessment_passed:
            errors.append(_("A major hazard is closed only after a passed assessment."))
        if hazard.interim_suspension and not facts.resumption_approved:
            errors.append(_("Production was suspended: decide the resumption application first."))
    if action == "approve_closure":
        if not hazard.listing_level:
            errors.append(_("This hazard is not listed for supervision."))
        elif hazard.listing_level == ListingLevel.DISTRICT and "district" not in roles:
            errors.append(_("The district listed this hazard: only the district approves closure."))
        elif hazard.listing_level == ListingLevel.TOWN and not roles & {"leader", "district"}:
            errors.append(
                _("The town government listed this hazard: a town leader approves closure.")
            )
        if not facts.assessment_passed:
            errors.append(_("A major hazard is closed only after a passed assessment."))
        if hazard.interim_suspension and not facts.resumption_approved:
            errors.append(_("Production was suspended: decide the resumption application first."))
    if action in {"spot_confirm", "spot_reject"} and (
        not hazard.closed_on_spot or hazard.spot_rechecked
    ):
        errors.append(_("Only an on-the-spot rectification not yet re-checked can be re-checked."))
    if action == "request_extension":
        if facts.pending_extension:
            errors.append(_("An extension request is already awaiting a decision."))
        requested = data.get("requested_deadline")
        if check_input and not requested:
            errors.append(_("Give the deadline you ask for."))
        elif requested and hazard.deadline and requested <= hazard.deadline:
            errors.append(_("The deadline asked for must be later than the current deadline."))
    if action in {"approve_extension", "reject_extension"} and not facts.pending_extension:
        errors.append(_("No extension request is awaiting a decision."))
    if action == "approve_extension":
        granted = data.get("granted_deadline")
        if granted and hazard.deadline and granted <= hazard.deadline:
            errors.append(_("The granted deadline must be later than the current deadline."))
    if action == "submit_plan" and facts.plan_status in {"submitted", "approved"}:
        errors.append(_("A governance plan is already submitted or approved."))
    if action in {"approve_plan", "reject_plan"} and facts.plan_status != "submitted":
        errors.append(_("No governance plan is awaiting a decision."))
    if action == "list_for_supervision" and hazard.listing_level:
        errors.append(_("This hazard is already listed for supervision."))
    if action == "apply_resumption":
        if not hazard.interim_suspension:
            errors.append(_("Production was not suspended: there is nothing to resume."))
        if facts.pending_resumption:
            errors.append(_("A resumption application is already awaiting a decision."))
        if not facts.assessment_passed:
            errors.append(_("Apply to resume only after a passed assessment."))
    if action in {"approve_resumption", "reject_resumption"} and not facts.pending_resumption:
        errors.append(_("No resumption application is awaiting a decision."))
    if action == "request_downgrade" and facts.pending_downgrade:
        errors.append(_("A request to downgrade this hazard is already awaiting a decision."))
    if action in {"request_downgrade", "approve_downgrade"} and hazard.listing_level:
        errors.append(_("A hazard listed for supervision stays major."))
    if action in {"approve_downgrade", "refuse_downgrade"} and not facts.pending_downgrade:
        errors.append(_("No request to downgrade this hazard is awaiting a decision."))
    return errors


# --- Correcting the record: what the finder recorded is evidence ---------------------------------

# The facts a person types when recording a hazard (and which may be corrected, by the rule below).
HAZARD_FIELDS = (
    "location",
    "description",
    "hazard_type",
    "category",
    "level",
    "sub_grade",
    "legal_basis",
    "source",
    "found_at",
    "found_by_name",
    "requirement",
    "responsible_person",
    "responsible_mobile",
    "measures",
    "funds",
    "acceptance_criterion",
)
# The roles that correct any hazard of their scope, after the order too ("superuser" stands for
# a superuser in ``EditFacts.roles``).
OFFICE_ROLES = frozenset({"town_office", "superuser"})
# The sources whose hazards only the person who recorded them (and the office) may correct.
PERSONAL_SOURCES = frozenset({HazardSource.VILLAGE_PATROL, HazardSource.EXPERT_CHECK})


@dataclass(frozen=True)
class EditFacts:
    """What the rule of correction needs beyond the hazard, gathered by the service."""

    actor_id: int | None
    # The actor's roles that grant ``hazards.record`` or ``hazards.correct`` on this hazard.
    roles: frozenset[str] = frozenset()
    # A 责令限期整改指令书 covers the hazard (rectification ordered in the hazard loop counts too).
    order_document: bool = False


def order_issued(hazard, facts: EditFacts) -> bool:
    """Whether the unit has been ordered to rectify: by the order document, or by the loop's
    "order" (a hazard past "found" was ordered, or closed on the spot)."""
    return (
        facts.order_document or hazard.ordered_at is not None or hazard.status != HazardStatus.FOUND
    )


def _recorder_side(hazard, facts: EditFacts) -> bool:
    """The side that recorded the hazard: the enterprise for its self-checks; the person who
    recorded or found it; for a town's own finding (inspection, joint enforcement, tip-off,
    assignment) the town's inspectors. The office is on every side (``OFFICE_ROLES``)."""
    roles = facts.roles
    if roles <= {"enterprise"}:
        return hazard.source == HazardSource.SELF_CHECK
    own = facts.actor_id is not None and facts.actor_id in (
        hazard.reported_by_id,
        hazard.found_by_id,
    )
    if own:
        return True
    if hazard.source in PERSONAL_SOURCES or hazard.source == HazardSource.SELF_CHECK:
        return False
    return "inspector" in roles


def edit_refusals(hazard, facts: EditFacts) -> dict[str, str]:
    """Why the actor may not change each fact of ``hazard`` (a field absent may be changed).

    What the finder recorded is evidence. Only the side that recorded it corrects it, with a
    reason, until the order is issued; after that only the town office, and its correction is
    shown as one. An enterprise corrects only its own self-check hazards, and never their level
    or source; nobody but the office changes the source (who found it); a major hazard is not
    downgraded by correction but by the office's request approved by a leader
    (``request_downgrade``).
    """
    roles = facts.roles
    everything = ""
    if hazard.status not in OPEN:
        everything = _("Only an open hazard can be corrected.")
    elif not roles:
        everything = _("You may not correct this hazard.")
    elif not roles & OFFICE_ROLES:
        enterprise_only = roles <= {"enterprise"}
        if not _recorder_side(hazard, facts):
            everything = (
                _("An enterprise corrects only the hazards of its own self-checks.")
                if enterprise_only
                else _("Only the side that recorded this hazard, or the town office, corrects it.")
            )
        elif order_issued(hazard, facts):
            everything = _(
                "Rectification has been ordered: only the town office corrects this hazard now."
            )
    if everything:
        return dict.fromkeys(HAZARD_FIELDS, everything)
    refusals: dict[str, str] = {}
    if not roles & OFFICE_ROLES:
        refusals["source"] = _(
            "The source is the record of who found the hazard: only the town office corrects it."
        )
        if roles <= {"enterprise"}:
            message = _("An enterprise does not change the level of a hazard.")
            refusals["level"] = refusals["sub_grade"] = message
    if hazard.level == HazardLevel.MAJOR:
        refusals["level"] = _(
            "A major hazard is downgraded only at the town office's request, approved by a leader."
        )
    return refusals


def hazard_editable_fields(hazard, facts: EditFacts) -> frozenset[str]:
    """The facts of ``hazard`` the actor may correct now (empty: none)."""
    refused = edit_refusals(hazard, facts)
    return frozenset(f for f in HAZARD_FIELDS if f not in refused)


def transitions_from(status: str, *, major: bool) -> list[Transition]:
    """The actions the table allows from ``status`` (before roles and guards)."""
    return [t for t in TRANSITIONS.values() if status in t.sources and (major or not t.major_only)]


def available_actions(hazard, facts_for: Iterable[tuple[Transition, Facts]]) -> list[Transition]:
    """The actions an actor may take now: those whose state and actor guards pass (the input
    is judged when the form is sent)."""
    return [t for t, facts in facts_for if not guard_errors(hazard, t, facts, None)]


def mermaid() -> str:
    """The state diagram in Mermaid, for docs/hazard-workflow.md."""
    lines = ["stateDiagram-v2", "    [*] --> found"]
    for t in TRANSITIONS.values():
        for source in sorted(t.sources):
            target = t.target_for(source)
            lines.append(f"    {source} --> {target}: {t.action}")
    lines += ["    closed --> [*]", "    cancelled --> [*]"]
    return "\n".join(lines) + "\n"
