"""一企一码: the QR code of each unit and the public page behind it.

The code encodes ``<SITE_URL>/q/<qr_token>/``. The token is random and stored on the unit (never
derived from its id), so it cannot be guessed, survives a change of SECRET_KEY and can be replaced
(``unit_qr_reissue``) when a sticker is misused.

The public page shows the unit's name and, of the rest, only what the unit's town publishes
(``PublicProfile``; defaults when the town has not chosen): grade colour, safety officer's phone,
kind, address. Never the credit code, people's names or documents: ``public_facts`` is the one place
that decides, and the template shows nothing else.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.audit.services import audit_record, snapshot
from anjian.core.scoping import get_scope
from anjian.regions.models import Region, RegionLevel
from anjian.units.models import (
    Grade,
    PersonRole,
    PublicProfile,
    Unit,
    UnitPerson,
    new_qr_token,
)

MANAGE_PUBLIC_PAGE = "units.manage_public_page"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
PUBLISHED_FLAGS = ("show_grade", "show_safety_officer_phone", "show_kind", "show_address")

# The grade as the public sees it: a colour and a plain word, not the office's wording.
GRADE_PUBLIC = {
    Grade.RED: ("#dc3545", gettext_lazy("Red")),
    Grade.ORANGE: ("#fd7e14", gettext_lazy("Orange")),
    Grade.YELLOW: ("#ffc107", gettext_lazy("Yellow")),
    Grade.BLUE: ("#0d6efd", gettext_lazy("Blue")),
}


# --- The QR code ---------------------------------------------------------------------------------


def qr_url(unit: Unit) -> str:
    """The absolute address a unit's QR code encodes."""
    path = reverse("public:unit_page", args=[unit.qr_token])
    return settings.SITE_URL.rstrip("/") + path


def qr_svg(unit: Unit, *, scale: int = 4) -> SafeString:
    """The QR code as inline SVG (made here by segno: no image from the internet)."""
    code = segno.make(qr_url(unit), error="m")
    svg = code.svg_inline(scale=scale, border=2, dark="#000", light="#fff", title=unit.name)
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the title is escaped by segno


def qr_svg_document(unit: Unit, *, scale: int = 8) -> str:
    """The QR code as a stand-alone SVG file (for the API and for printing shops)."""
    code = segno.make(qr_url(unit), error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=scale, border=2, dark="#000", light="#fff")
    return buffer.getvalue().decode()


@transaction.atomic
def unit_qr_reissue(*, actor, unit_id: int) -> Unit:
    """Give the unit a new QR token: stickers printed before stop working. Audited."""
    if not get_scope(actor).can("units.change"):
        raise PermissionDenied(_("Your roles do not include changing units."))
    unit = Unit.objects.for_action(actor, "units.change").filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    Unit.objects.filter(pk=unit.pk).update(qr_token=new_qr_token())
    unit.refresh_from_db(fields=["qr_token"])
    audit_record(actor=actor, action="unit.qr_reissued", obj=unit)
    return unit


# --- The public page -----------------------------------------------------------------------------


def unit_by_token(token: str) -> Unit | None:
    """The unit a scanned code names, or None. Public: anybody holding the sticker may look."""
    if not token or not TOKEN_RE.match(token):
        return None
    return Unit.objects.select_related("region__parent").filter(qr_token=token).first()


def unit_town(unit: Unit) -> Region | None:
    """The town (镇/街道) of a unit: the parent of its village."""
    region = unit.region
    while region is not None and region.level != RegionLevel.TOWN:
        region = region.parent
    return region


def public_profile_for(town: Region | None) -> PublicProfile:
    """The town's choice of what to publish; the model's defaults when it has not chosen."""
    if town is not None:
        profile = PublicProfile.objects.filter(region=town).first()
        if profile is not None:
            return profile
    return PublicProfile(region=town)


@dataclass(frozen=True)
class PublicFacts:
    """Exactly what the public page may show. Nothing else about the unit reaches the template."""

    name: str
    town_name: str
    grade: str | None = None
    grade_colour: str | None = None
    grade_label: str | None = None
    safety_officer_phone: str | None = None
    kind_label: str | None = None
    address: str | None = None


def _safety_officer_phone(unit: Unit) -> str | None:
    phone = (
        UnitPerson.objects.filter(unit=unit, role=PersonRole.SAFETY_OFFICER)
        .exclude(mobile="")
        .order_by("pk")
        .values_list("mobile", flat=True)
        .first()
    )
    return phone or None


def public_facts(unit: Unit) -> PublicFacts:
    town = unit_town(unit)
    profile = public_profile_for(town)
    facts: dict = {"name": unit.name, "town_name": town.name if town else ""}
    if profile.show_grade and unit.grade in GRADE_PUBLIC:
        colour, label = GRADE_PUBLIC[Grade(unit.grade)]
        facts["grade"], facts["grade_colour"], facts["grade_label"] = unit.grade, colour, str(label)
    if profile.show_safety_officer_phone:
        facts["safety_officer_phone"] = _safety_officer_phone(unit)
    if profile.show_kind:
        facts["kind_label"] = str(unit.get_kind_display())
    if profile.show_address and unit.address:
        facts["address"] = unit.address
    return PublicFacts(**facts)


# --- The town's settings -------------------------------------------------------------------------


def public_page_towns(user):
    """The towns whose public page settings ``user`` may change."""
    return Region.objects.for_action(user, MANAGE_PUBLIC_PAGE).filter(level=RegionLevel.TOWN)


@transaction.atomic
def public_profile_update(*, actor, region_id: int, **flags: bool) -> PublicProfile:
    """Set what the town publishes behind its units' QR codes. Audited."""
    if not get_scope(actor).can(MANAGE_PUBLIC_PAGE):
        raise PermissionDenied(_("Your roles do not include the public page settings."))
    # The town's row is held until the end: two first saves at the same moment run one after the
    # other, and the second changes the profile the first created.
    town = (
        public_page_towns(actor)
        .select_for_update(no_key=True, of=("self",))
        .filter(pk=region_id)
        .first()
    )
    if town is None:
        raise Http404
    profile = PublicProfile.objects.filter(region=town).first()
    created = profile is None
    if created:
        profile = PublicProfile(region=town)
    before = None if created else snapshot(profile)
    for flag in PUBLISHED_FLAGS:
        if flag in flags and flags[flag] is not None:
            setattr(profile, flag, bool(flags[flag]))
    profile.full_clean()
    profile.save()
    audit_record(
        actor=actor,
        action="public_profile.updated",
        obj=profile,
        before=before,
        after=snapshot(profile),
        region_id=town.pk,
    )
    return profile
