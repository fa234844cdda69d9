"""Who hears of what happens to a hazard (in-app messages through ``anjian.notifications``).

Called after the transaction commits (``transaction.on_commit``), with ids, so a message never
announces something that was rolled back. The deadline reminders and the overdue escalation
(``anjian.hazards.escalation``) use the same audiences.

The rules are two tables: ``AUDIENCES`` says who a named audience is for one hazard (the unit's
enterprise users, its expert, the town office…), ``EVENT_AUDIENCES`` says which audiences hear of
each action, ``EVENT_TITLES`` with what title. The person who did the action is never told of it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.accounts.permissions import roles_for
from anjian.accounts.roles import Role
from anjian.hazards.models import Hazard, HazardEvent
from anjian.hazards.workflow import TRANSITIONS, Facts, guard_errors

logger = logging.getLogger("anjian.hazards.notifications")

# Region roles whose holders may hear of a unit's hazards (their region contains the unit).
HEARING_REGION_ROLES = (Role.TOWN_OFFICE, Role.INSPECTOR, Role.LEADER)
# Unit roles, held on the unit itself.
HEARING_UNIT_ROLES = (Role.ENTERPRISE, Role.EXPERT)
# Roles that make the person who ordered or found a hazard an official to tell when it is overdue.
OFFICIAL_ROLES = frozenset({Role.TOWN_OFFICE, Role.INSPECTOR, Role.EXPERT})


# --- Links ----------------------------------------------------------------------------------------


def hazard_url(hazard_id: int) -> str:
    """The hazard's page."""
    return reverse("hazards:hazard_detail", args=[hazard_id])


def hazard_list_url(queue: str = "") -> str:
    """The hazard list, on one of its queues (``open``, ``overdue``…)."""
    url = reverse("hazards:hazard_list")
    return f"{url}?queue={queue}" if queue else url


# --- The people around a set of units ---------------------------------------------------------


def _path_prefixes(path: str) -> list[str]:
    """``/a/b/c/`` → ``["/a/", "/a/b/", "/a/b/c/"]``: the paths of a region and its ancestors."""
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def unique_users(users: Iterable) -> list:
    """Each user once, in the order first met."""
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


class Audience:
    """Who holds which role over a set of units, loaded in three queries whatever their number:
    the enterprise users and experts of each unit (role assignments, and the engineer assigned
    to the unit if the engineer has an account), and the office, inspectors and leaders whose
    region contains the unit (its town, or a region above)."""

    def __init__(self, units: Iterable) -> None:
        from anjian.accounts.models import RoleAssignment
        from anjian.units.models import AssignmentStatus, ExpertAssignment

        units = {unit.pk: unit for unit in units}
        self._paths = {
            pk: (unit.region.path if unit.region_id else "") for pk, unit in units.items()
        }
        self._unit_roles: dict[tuple[int, str], list] = {}
        self._region_roles: list[tuple[str, str, Any]] = []
        if not units:
            return
        for ra in (
            RoleAssignment.objects.filter(
                unit_id__in=list(units),
                role__in=HEARING_UNIT_ROLES,
                is_active=True,
                user__is_active=True,
            )
            .select_related("user")
            .order_by("pk")
        ):
            self._unit_roles.setdefault((ra.unit_id, ra.role), []).append(ra.user)
        for assignment in (
            ExpertAssignment.objects.filter(
                unit_id__in=list(units),
                status=AssignmentStatus.ACTIVE,
                engineer__user__isnull=False,
                engineer__user__is_active=True,
            )
            .select_related("engineer__user")
            .order_by("pk")
        ):
            self._unit_roles.setdefault((assignment.unit_id, Role.EXPERT), []).append(
                assignment.engineer.user
            )
        prefixes = {p for path in self._paths.values() if path for p in _path_prefixes(path)}
        if prefixes:
            self._region_roles = [
                (ra.region.path, ra.role, ra.user)
                for ra in RoleAssignment.objects.filter(
                    region__path__in=sorted(prefixes),
                    role__in=HEARING_REGION_ROLES,
                    is_active=True,
                    user__is_active=True,
                )
                .select_related("user", "region")
                .order_by("pk")
            ]

    def unit_role(self, unit_id: int, role: str) -> list:
        return unique_users(self._unit_roles.get((unit_id, role), []))

    def region_role(self, unit_id: int, role: str) -> list:
        path = self._paths.get(unit_id) or ""
        if not path:
            return []
        return unique_users(
            user for prefix, r, user in self._region_roles if r == role and path.startswith(prefix)
        )

    def enterprise(self, unit_id: int) -> list:
        return self.unit_role(unit_id, Role.ENTERPRISE)

    def experts(self, unit_id: int) -> list:
        return self.unit_role(unit_id, Role.EXPERT)

    def office(self, unit_id: int) -> list:
        return self.region_role(unit_id, Role.TOWN_OFFICE)

    def inspectors(self, unit_id: int) -> list:
        return self.region_role(unit_id, Role.INSPECTOR)

    def leaders(self, unit_id: int) -> list:
        return self.region_role(unit_id, Role.LEADER)

    def roles_of(self, user_id: int | None, unit_id: int) -> frozenset[str]:
        """The roles (among those loaded) that ``user_id`` holds over the unit."""
        if user_id is None:
            return frozenset()
        roles = {
            role
            for (uid, role), users in self._unit_roles.items()
            if uid == unit_id and any(u.pk == user_id for u in users)
        }
        path = self._paths.get(unit_id) or ""
        roles |= {
            role
            for prefix, role, user in self._region_roles
            if user.pk == user_id and path and path.startswith(prefix)
        }
        return frozenset(roles)

    def user(self, user_id: int | None, unit_id: int):
        """The loaded user object of ``user_id`` if they hold a role over the unit."""
        if user_id is None:
            return None
        for (uid, _role), users in self._unit_roles.items():
            for u in users:
                if uid == unit_id and u.pk == user_id:
                    return u
        path = self._paths.get(unit_id) or ""
        for prefix, _role, u in self._region_roles:
            if u.pk == user_id and path and path.startswith(prefix):
                return u
        return None


# --- The audiences, by name -------------------------------------------------------------------


def _officials_who_acted(audience: Audience, hazard: Hazard) -> list:
    """Who ordered and who found the hazard, if they are officials over the unit (the town
    office, an inspector or the unit's expert), not the enterprise itself."""
    people = []
    for user_id in (hazard.ordered_by_id, hazard.found_by_id):
        if audience.roles_of(user_id, hazard.unit_id) & OFFICIAL_ROLES:
            people.append(audience.user(user_id, hazard.unit_id))
    return unique_users(people)


def _may_recheck(audience: Audience, hazard: Hazard, user_id: int) -> bool:
    """Whether ``user_id`` may re-check the submitted rectification (role and guards)."""
    roles = audience.roles_of(user_id, hazard.unit_id) & roles_for("hazards.recheck")
    if not roles or user_id == hazard.submitted_by_id:
        return False
    facts = Facts(
        actor_id=user_id, actor_roles=frozenset(roles), last_submitter_id=hazard.submitted_by_id
    )
    return not guard_errors(hazard, TRANSITIONS["fail"], facts, None)


def _recheckers(audience: Audience, hazard: Hazard) -> list:
    """The finder if they may re-check it; otherwise the town's inspectors and office."""
    if hazard.found_by_id and _may_recheck(audience, hazard, hazard.found_by_id):
        return [audience.user(hazard.found_by_id, hazard.unit_id)]
    return unique_users([*audience.inspectors(hazard.unit_id), *audience.office(hazard.unit_id)])


UNIT = "unit"  # the unit's enterprise users and its expert
UNIT_USERS = "unit_users"  # the unit's enterprise users only
EXPERTS = "experts"  # the unit's expert (contracted engineer)
OFFICE = "office"  # the town safety office
INSPECTORS = "inspectors"  # the town's inspectors
LEADERS = "leaders"  # the town's leaders
OFFICIALS_WHO_ACTED = "officials_who_acted"  # who ordered/found it, if an official
RECHECKERS = "recheckers"  # who may re-check a submitted rectification

AUDIENCES: dict[str, Callable[[Audience, Hazard], list]] = {
    UNIT: lambda a, h: [*a.enterprise(h.unit_id), *a.experts(h.unit_id)],
    UNIT_USERS: lambda a, h: a.enterprise(h.unit_id),
    EXPERTS: lambda a, h: a.experts(h.unit_id),
    OFFICE: lambda a, h: a.office(h.unit_id),
    INSPECTORS: lambda a, h: a.inspectors(h.unit_id),
    LEADERS: lambda a, h: a.leaders(h.unit_id),
    OFFICIALS_WHO_ACTED: _officials_who_acted,
    RECHECKERS: _recheckers,
}


def audience_users(audience: Audience, hazard: Hazard, names: Iterable[str]) -> list:
    """The users of the named audiences for one hazard, each once."""
    return unique_users(user for name in names for user in AUDIENCES[name](audience, hazard))


# --- Who hears of which event -----------------------------------------------------------------


# Who hears of each action (the actor excepted); an action not listed tells nobody.
EVENT_AUDIENCES: dict[str, tuple[str, ...]] = {
    "order": (UNIT,),
    "fail": (UNIT,),
    "spot_reject": (UNIT,),
    "reopen": (UNIT,),
    "cancel": (UNIT,),
    "approve_extension": (UNIT,),
    "reject_extension": (UNIT,),
    "approve_plan": (UNIT,),
    "reject_plan": (UNIT,),
    "approve_resumption": (UNIT,),
    "reject_resumption": (UNIT,),
    "pass": (UNIT,),
    "approve_closure": (UNIT,),
    "submit": (RECHECKERS,),
    "request_extension": (OFFICE,),
    "submit_plan": (OFFICE,),
    "apply_resumption": (OFFICE,),
    "list_for_supervision": (OFFICE, LEADERS, UNIT),
}
# New duties with a date are also e-mailed (to those who have an address).
EMAILED_EVENTS = frozenset({"order", "fail", "spot_reject", "reopen", "list_for_supervision"})
# Titles: %(code)s, %(unit)s, %(deadline)s (the deadline now), %(requested)s (asked for).
EVENT_TITLES: dict[str, Any] = {
    "order": gettext_lazy("Hazard %(code)s: rectification ordered, deadline %(deadline)s"),
    "fail": gettext_lazy("Hazard %(code)s: re-check failed, rectify again by %(deadline)s"),
    "spot_reject": gettext_lazy(
        "Hazard %(code)s: the on-the-spot rectification was not accepted, rectify by %(deadline)s"
    ),
    "reopen": gettext_lazy("Hazard %(code)s was reopened: rectify by %(deadline)s"),
    "cancel": gettext_lazy("Hazard %(code)s was cancelled"),
    "approve_extension": gettext_lazy(
        "Hazard %(code)s: extension approved, new deadline %(deadline)s"
    ),
    "reject_extension": gettext_lazy(
        "Hazard %(code)s: extension refused, the deadline stays %(deadline)s"
    ),
    "approve_plan": gettext_lazy("Major hazard %(code)s: governance plan approved"),
    "reject_plan": gettext_lazy("Major hazard %(code)s: governance plan returned for revision"),
    "approve_resumption": gettext_lazy("Major hazard %(code)s: resumption of production allowed"),
    "reject_resumption": gettext_lazy("Major hazard %(code)s: resumption of production refused"),
    "pass": gettext_lazy("Hazard %(code)s passed the re-check and is closed"),
    "approve_closure": gettext_lazy(
        "Major hazard %(code)s: closure approved by the listing authority"
    ),
    "submit": gettext_lazy("Hazard %(code)s: rectification submitted, awaiting re-check"),
    "request_extension": gettext_lazy("Hazard %(code)s: extension to %(requested)s requested"),
    "submit_plan": gettext_lazy("Major hazard %(code)s: governance plan submitted for approval"),
    "apply_resumption": gettext_lazy("Major hazard %(code)s: application to resume production"),
    "list_for_supervision": gettext_lazy("Major hazard %(code)s listed for supervision"),
}
MAJOR_AUDIENCES = (OFFICE, LEADERS)


def _body(hazard: Hazard, note: str = "") -> str:
    text = _("%(unit)s, %(location)s: %(description)s") % {
        "unit": hazard.unit.name,
        "location": hazard.location,
        "description": hazard.description,
    }
    if note:
        text += "\n" + _("Opinion: %(note)s") % {"note": note}
    return text


def _send(recipients, *, kind: str, title: str, body: str, link: str, key: str, email: bool) -> int:
    from anjian.notifications.services import notify

    sent = 0
    for user in recipients:
        created = notify(
            recipient=user,
            kind=kind,
            title=title,
            body=body,
            link=link,
            dedupe_key=key,
            email=email,
        )
        sent += created is not None
    return sent


def _after_commit_safe(fn: Callable[..., int]) -> Callable[..., int]:
    """Run after the commit: a failure to notify is logged, never shown to the person whose
    action has already been saved."""

    @functools.wraps(fn)
    def wrapper(**kwargs) -> int:
        try:
            return fn(**kwargs)
        except Exception:
            logger.exception("could not notify %s(%s)", fn.__name__, kwargs)
            return 0

    return wrapper


@_after_commit_safe
def notify_major_hazard(*, hazard_id: int) -> int:
    """A major hazard was recorded (or raised to major): tell the town office and the leaders
    at once (Order 16 Art 14), except the person who reported it. Returns messages sent."""
    hazard = Hazard.objects.select_related("unit__region").filter(pk=hazard_id).first()
    if hazard is None:
        return 0
    reported = (
        HazardEvent.objects.filter(hazard=hazard, type="hazard.major_reported")
        .order_by("-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    audience = Audience([hazard.unit])
    recipients = [u for u in audience_users(audience, hazard, MAJOR_AUDIENCES) if u.pk != reported]
    with translation.override(settings.LANGUAGE_CODE):
        return _send(
            recipients,
            kind="hazard.major",
            title=_("Major hazard %(code)s found at %(unit)s")
            % {"code": hazard.code, "unit": hazard.unit.name},
            body=_body(hazard),
            link=hazard_url(hazard.pk),
            key=f"hazard-major:{hazard.pk}",
            email=True,
        )


@_after_commit_safe
def notify_hazard_event(*, event_id: int) -> int:
    """Tell the people concerned of one timeline event (the unit of an order, the re-checkers of a
    submission, the office of an extension request…; see ``EVENT_AUDIENCES``). Returns messages sent."""
    event = HazardEvent.objects.select_related("hazard__unit__region").filter(pk=event_id).first()
    if event is None:
        return 0
    action = event.type.removeprefix("hazard.")
    audiences = EVENT_AUDIENCES.get(action)
    if audiences is None:
        return 0
    hazard = event.hazard
    audience = Audience([hazard.unit])
    recipients = [u for u in audience_users(audience, hazard, audiences) if u.pk != event.actor_id]
    if not recipients:
        return 0
    deadline = event.data.get("deadline") or (
        hazard.deadline.isoformat() if hazard.deadline else "-"
    )
    params = {
        "code": hazard.code,
        "unit": hazard.unit.name,
        "deadline": deadline,
        "requested": event.data.get("requested_deadline") or "-",
    }
    with translation.override(settings.LANGUAGE_CODE):
        return _send(
            recipients,
            kind=event.type,
            title=str(EVENT_TITLES[action]) % params,
            body=_body(hazard, event.note),
            link=hazard_url(hazard.pk),
            key=f"hazard-event:{event.pk}",
            email=action in EMAILED_EVENTS,
        )
