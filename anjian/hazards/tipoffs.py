"""Public tip-offs (举报): sent without logging in, followed up by receipt code, triaged by the town
office into a hazard or dismissed with a reason.

Abuse protection lives here, not in the views, so that the form and the API share it:

- a sender is known only by a keyed hash of its address (``client_hash``), never by the address
  itself: the address as Django sees it (``core.middleware.client_address_key``: REMOTE_ADDR, the
  proxy's entry only behind a configured proxy, an IPv6 line's /64), not the browser, which a
  sender can change at will; at most ``PER_CLIENT_HOUR`` tip-offs an hour and ``PER_CLIENT_DAY`` a
  day, so one sender cannot spend the town's hourly share below;
- at most ``PER_TOWN_HOUR`` tip-offs an hour reach one town, whoever sends them;
- photos from the public are decoded only up to ``settings.ANJIAN_TIPOFF_MAX_MEGAPIXELS``
  (read from the file's header before any decoding);
- follow-up look-ups by receipt code are limited per sender (``LOOKUPS_PER_HOUR``) so that codes
  cannot be guessed by trying them.

Limits are counted from rows in the database (tip-offs; look-ups from their audit records), so they
hold across processes without a shared cache. Over a limit, ``TipOffRateLimited`` (HTTP 429).

What the public may learn of a tip-off is decided in one place, ``tipoff_status``: its state, the
public state of the hazard it became (under rectification / closed) and the office's public reply.
Never the unit's internal data, never the reporter's contact, never an internal id.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from anjian.audit.models import AuditEntry
from anjian.audit.services import audit_record, diff, snapshot
from anjian.core.exceptions import DomainError, InvalidTransition, StaleObject
from anjian.core.validators import validate_mobile
from anjian.hazards.choices import HazardSource, HazardStatus, TipOffStatus
from anjian.hazards.models import Hazard, TipOff, TipOffPhoto
from anjian.hazards.photos import photo_fields, photo_process
from anjian.regions.models import Region, RegionLevel
from anjian.units.models import Unit

TRIAGE = "hazards.triage_tip_offs"
RECORD = "hazards.record"

# --- Limits -------------------------------------------------------------------------------------------
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_REQUEST_BYTES = 25 * 1024 * 1024
MAX_PLACE = 200
MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 4
MAX_CONTACT_NAME = 50
MAX_REPLY = 1000
PER_CLIENT_HOUR = 5
PER_CLIENT_DAY = 20
PER_TOWN_HOUR = 200
LOOKUPS_PER_HOUR = 30

RECEIPT_CODE_RE = re.compile(r"^[A-HJKMNP-Z2-9]{12}$")
LOOKUP_ACTION = "tip_off.status_lookup"
AUDIT_FIELDS = ["status", "version", "triaged_by", "triaged_at", "dismiss_reason", "public_reply"]

# The fields of the hazard the office fills in when it accepts a tip-off.
HAZARD_INPUT_FIELDS = frozenset(
    {
        "location",
        "description",
        "hazard_type",
        "category",
        "level",
        "sub_grade",
        "legal_basis",
        "requirement",
        "responsible_person",
        "responsible_mobile",
        "measures",
        "funds",
        "acceptance_criterion",
        "deadline",
        "working_days",
    }
)


class TipOffRateLimited(DomainError):
    """Too many tip-offs or look-ups from one sender, or to one town: try again later (429)."""

    status = 429
    code = "rate_limited"

    def default_message(self) -> str:
        return _("Too many requests. Please try again later.")


# --- The sender ------------------------------------------------------------------------------------


def client_hash(address: str | None) -> str:
    """A keyed hash (SECRET_KEY) of the sender's address: enough to count, useless to identify."""
    value = address or ""
    return salted_hmac("anjian.hazards.tip_off.sender", value, algorithm="sha256").hexdigest()


def client_hash_of(request) -> str:
    """The sender of a request, by its address only: the browser (User-Agent) is the sender's to
    choose, so it is no part of the key."""
    from anjian.core.middleware import client_address_key

    return client_hash(client_address_key(request))


def request_too_large(request) -> bool:
    """Whether the request body announces more than 25 MB (checked before reading the photos)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES
    except ValueError:
        return False


def _audit_without_address(**kwargs) -> None:
    """An audit record of something the public did, without the IP address and browser the
    request context would add: the record must not identify a reporter (the office reads it)."""
    from anjian.core.context import current, request_context

    ctx = current()
    with request_context(request_id=ctx.request_id, source=ctx.source):
        audit_record(actor=None, **kwargs)


def _check_submit_limits(*, client: str, town: Region, now: datetime.datetime) -> None:
    hour_ago, day_ago = now - datetime.timedelta(hours=1), now - datetime.timedelta(days=1)
    mine = TipOff.objects.filter(client_hash=client, created_at__gte=day_ago)
    if mine.filter(created_at__gte=hour_ago).count() >= PER_CLIENT_HOUR:
        raise TipOffRateLimited(
            _(
                "You have sent %(n)d tip-offs in the past hour. Please wait a while before "
                "sending another. In an emergency, call 119 or 110 at once."
            )
            % {"n": PER_CLIENT_HOUR}
        )
    if mine.count() >= PER_CLIENT_DAY:
        raise TipOffRateLimited(
            _(
                "You have sent %(n)d tip-offs today. Please try again tomorrow, or call the "
                "work-safety hotline 12350. In an emergency, call 119 or 110 at once."
            )
            % {"n": PER_CLIENT_DAY}
        )
    if TipOff.objects.filter(town=town, created_at__gte=hour_ago).count() >= PER_TOWN_HOUR:
        raise TipOffRateLimited(
            _(
                "The safety office of %(town)s is receiving too many tip-offs right now. Please "
                "try again later, or call the work-safety hotline 12350."
            )
            % {"town": town.name}
        )


# --- The public form -------------------------------------------------------------------------------


def tipoff_towns() -> QuerySet[Region]:
    """The towns (镇/街道) a tip-off may be sent to: every town of the region tree."""
    return Region.objects.filter(level=RegionLevel.TOWN).select_related("parent").order_by("code")


def tipoff_unit_by_token(token: str) -> Unit | None:
    """The unit of a scanned QR code (``?unit=<qr_token>``), or None."""
    from anjian.units.public import unit_by_token

    return unit_by_token(token)


def tipoff_unit_town(unit: Unit) -> Region | None:
    from anjian.units.public import unit_town

    return unit_town(unit)


def _clean_text(value: Any, *, field: str, limit: int, required_message: str | None) -> str:
    text = str(value or "").strip()
    if required_message and not text:
        raise ValidationError({field: required_message})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("At most %(n)d characters, please (%(len)d given).")
                % {"n": limit, "len": len(text)}
            }
        )
    return text


def _clean_submission(
    *, town_id, place, description, photos, contact_name, contact_phone, unit
) -> tuple[Region, dict[str, Any]]:
    errors: dict[str, list[str]] = {}

    def collect(fn):
        try:
            return fn()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            return None

    town = tipoff_towns().filter(pk=town_id).first() if str(town_id or "").isdigit() else None
    if town is None:
        errors["town"] = [_("Choose the town where you saw the hazard.")]
    data = {
        "place": collect(
            lambda: _clean_text(
                place, field="place", limit=MAX_PLACE, required_message=_("Say where it is.")
            )
        ),
        "description": collect(
            lambda: _clean_text(
                description,
                field="description",
                limit=MAX_DESCRIPTION,
                required_message=_("Describe what you saw."),
            )
        ),
        "contact_name": collect(
            lambda: _clean_text(
                contact_name, field="contact_name", limit=MAX_CONTACT_NAME, required_message=None
            )
        ),
    }
    if data["description"] and len(data["description"]) < MIN_DESCRIPTION:
        errors.setdefault("description", []).append(_("Describe what you saw in a few more words."))
    phone = str(contact_phone or "").strip()
    if phone:
        try:
            phone = validate_mobile(phone)
        except ValidationError as exc:
            errors.setdefault("contact_phone", []).extend(exc.messages)
    data["contact_phone"] = phone
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        errors.setdefault("photos", []).append(_("Send at most 3 photos."))
    for upload in photos:
        if (getattr(upload, "size", 0) or 0) > MAX_PHOTO_BYTES:
            errors.setdefault("photos", []).append(
                _("The photo “%(name)s” is larger than 10 MB.") % {"name": upload.name}
            )
    if sum(getattr(u, "size", 0) or 0 for u in photos) > MAX_REQUEST_BYTES:
        errors.setdefault("photos", []).append(_("The photos together are larger than 25 MB."))
    if unit is not None and town is not None:
        unit_town = tipoff_unit_town(unit)
        if unit_town is None or unit_town.pk != town.pk:
            errors.setdefault("town", []).append(
                _("The unit of the code you scanned is in %(town)s: choose that town.")
                % {"town": unit_town.name if unit_town else "-"}
            )
    if errors:
        raise ValidationError(errors)
    return town, data


@transaction.atomic
def tipoff_submit(
    *,
    town_id: int,
    place: str,
    description: str,
    photos: Sequence = (),
    contact_name: str = "",
    contact_phone: str = "",
    client_hash: str,
    unit: Unit | None = None,
) -> TipOff:
    """Receive a tip-off from the public. Checked: the limits per sender and per town, the text
    limits, the contact phone (if given) and the photos by their content (JPEG, PNG, WebP; at most
    3, each ≤ 10 MB). The town office is told after the transaction commits.
    """
    photos = list(photos or ())
    town, data = _clean_submission(
        town_id=town_id,
        place=place,
        description=description,
        photos=photos,
        contact_name=contact_name,
        contact_phone=contact_phone,
        unit=unit,
    )
    now = timezone.now()
    _check_submit_limits(client=client_hash, town=town, now=now)
    max_pixels = settings.ANJIAN_TIPOFF_MAX_MEGAPIXELS * 1_000_000
    processed = [photo_process(upload, field="photos", max_pixels=max_pixels) for upload in photos]
    tipoff = TipOff.objects.create(town=town, unit=unit, client_hash=client_hash, **data)
    for item in processed:
        TipOffPhoto.objects.create(tip_off=tipoff, **photo_fields(item))
    _audit_without_address(
        action="tip_off.received",
        obj=tipoff,
        changes={"photos": [item.sha256 for item in processed], "unit": unit.pk if unit else None},
        region_id=town.pk,
    )
    transaction.on_commit(lambda: notify_office_of_tipoff(tipoff_id=tipoff.pk))
    return tipoff


def office_users_of_town(town: Region):
    """Active town-office users whose region holds the town (the town, or a region above it)."""
    from anjian.accounts.models import User
    from anjian.accounts.roles import Role

    codes = [c for c in town.path.strip("/").split("/") if c]
    prefixes = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return User.objects.filter(
        is_active=True,
        role_assignments__is_active=True,
        role_assignments__role=Role.TOWN_OFFICE,
        role_assignments__region__path__in=prefixes,
    ).distinct()


def notify_office_of_tipoff(*, tipoff_id: int) -> None:
    """Tell the town office that a tip-off arrived (one message per officer, never twice)."""
    from anjian.notifications.services import notify

    tipoff = TipOff.objects.select_related("town").filter(pk=tipoff_id).first()
    if tipoff is None:
        return
    link = reverse("hazards:tipoff_detail", args=[tipoff.pk])
    for user in office_users_of_town(tipoff.town):
        notify(
            recipient=user,
            kind="hazards.tip_off_received",
            title=_("New public tip-off: %(place)s") % {"place": tipoff.place[:80]},
            body=tipoff.description[:300],
            link=link,
            dedupe_key=f"tip_off:{tipoff.pk}:received",
        )


# --- Follow-up by receipt code ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicTipOffStatus:
    """All the public may learn of a tip-off. Nothing else reaches the status page or the API."""

    receipt_code: str
    state: str  # received | rectifying | closed | concluded | dismissed
    label: str
    explanation: str
    received_on: datetime.date
    updated_on: datetime.date | None
    town_name: str
    public_reply: str = ""


STATE_LABELS = {
    "received": lambda: (
        _("Received"),
        _("The town safety office has received your tip-off and will look into it."),
    ),
    "rectifying": lambda: (
        _("Accepted as a hazard: under rectification"),
        _("The office confirmed a hazard and has ordered it to be rectified."),
    ),
    "closed": lambda: (
        _("Accepted as a hazard: rectified and closed"),
        _("The hazard was rectified, re-checked and struck off."),
    ),
    "concluded": lambda: (
        _("Accepted: dealt with"),
        _("The office looked into your tip-off and has dealt with it."),
    ),
    "dismissed": lambda: (
        _("Not accepted"),
        _("The office looked into your tip-off and did not take it up as a hazard."),
    ),
}


def normalize_receipt_code(raw: str) -> str:
    """Upper case, without spaces and dashes (people copy codes in groups: ABCD-EFGH-JKMN)."""
    return re.sub(r"[\s\-]", "", str(raw or "")).upper()


def _public_state(tipoff: TipOff) -> str:
    if tipoff.status == TipOffStatus.DISMISSED:
        return "dismissed"
    if tipoff.status != TipOffStatus.ACCEPTED:
        return "received"
    hazard_status = Hazard.objects.filter(tip_off=tipoff).values_list("status", flat=True).first()
    if hazard_status == HazardStatus.CLOSED:
        return "closed"
    if hazard_status == HazardStatus.CANCELLED or hazard_status is None:
        return "concluded"
    return "rectifying"


def _check_lookup_limit(client: str) -> None:
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    recent = AuditEntry.objects.filter(
        action=LOOKUP_ACTION, occurred_at__gte=hour_ago, changes__client=client
    ).count()
    if recent >= LOOKUPS_PER_HOUR:
        raise TipOffRateLimited(
            _("Too many look-ups from your device in the past hour. Please try again later.")
        )


def tipoff_status(
    receipt_code: str, *, client_hash: str | None = None
) -> PublicTipOffStatus | None:
    """The public status of the tip-off with this receipt code, or None when there is none.

    With ``client_hash`` (the pages and the API always pass it) the look-up is counted against
    the sender's limit (``LOOKUPS_PER_HOUR``, 429 beyond) and recorded, found or not: a known code
    and an unknown one cost the same work, and guessing shows in the audit record.
    """
    code = normalize_receipt_code(receipt_code)
    if client_hash is not None:
        _check_lookup_limit(client_hash)
    tipoff = None
    if RECEIPT_CODE_RE.match(code):
        tipoff = TipOff.objects.select_related("town").filter(receipt_code=code).first()
    if client_hash is not None:
        with transaction.atomic():
            _audit_without_address(
                action=LOOKUP_ACTION,
                obj=tipoff,
                changes={"client": client_hash, "found": tipoff is not None},
                region_id=tipoff.town_id if tipoff else None,
                target_repr=None if tipoff else code[:40],
            )
    if tipoff is None:
        return None
    state = _public_state(tipoff)
    label, explanation = STATE_LABELS[state]()
    return PublicTipOffStatus(
        receipt_code=tipoff.receipt_code,
        state=state,
        label=str(label),
        explanation=str(explanation),
        received_on=timezone.localdate(tipoff.created_at),
        updated_on=timezone.localdate(tipoff.triaged_at) if tipoff.triaged_at else None,
        town_name=tipoff.town.name,
        public_reply=tipoff.public_reply if state == "dismissed" else "",
    )


# --- Office triage -----------------------------------------------------------------------------------


def tipoff_list_for(user) -> QuerySet[TipOff]:
    return TipOff.objects.for_action(user, TRIAGE).select_related("town", "unit", "triaged_by")


def tipoff_get_for(user, tipoff_id: int) -> TipOff:
    """The tip-off if ``user`` triages tip-offs of its town; 404 otherwise."""
    tipoff = tipoff_list_for(user).filter(pk=tipoff_id).first()
    if tipoff is None:
        raise Http404
    return tipoff


def tipoff_photo_get_for(user, photo_id: int) -> TipOffPhoto:
    photo = TipOffPhoto.objects.for_action(user, TRIAGE).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def tipoff_hazard(tipoff: TipOff) -> Hazard | None:
    """The hazard a tip-off became, if any."""
    return Hazard.objects.filter(tip_off=tipoff).first()


def units_for_tipoff(user, tipoff: TipOff) -> QuerySet[Unit]:
    """The units of the tip-off's town at which ``user`` may record a hazard."""
    return (
        Unit.objects.for_action(user, RECORD)
        .filter(region__path__startswith=tipoff.town.path)
        .order_by("name", "pk")
    )


def _stored_text(message: str) -> str:
    """A translated text written into a record: in the platform's language, not the user's."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message)


def _lock_for_triage(actor, tipoff_id: int, expected_version: int, verb: str) -> TipOff:
    tipoff = tipoff_get_for(actor, tipoff_id)
    if tipoff.status != TipOffStatus.NEW:
        raise InvalidTransition(
            str(tipoff.get_status_display()),
            verb,
            _("This tip-off has already been triaged (%(status)s).")
            % {"status": tipoff.get_status_display()},
        )
    if tipoff.version != expected_version:
        raise StaleObject()
    return tipoff


def _compare_and_set(tipoff: TipOff, expected_version: int, **changes) -> TipOff:
    n = TipOff.objects.filter(
        pk=tipoff.pk, version=expected_version, status=TipOffStatus.NEW
    ).update(**changes, version=F("version") + 1, updated_at=timezone.now())
    if n != 1:
        raise StaleObject()
    tipoff.refresh_from_db()
    return tipoff


def _photo_uploads(tipoff: TipOff) -> list[SimpleUploadedFile]:
    """The tip-off's original photos, reopened as uploads to be processed anew for the hazard."""
    uploads = []
    for photo in tipoff.photos.order_by("pk"):
        with photo.original.open("rb") as handle:
            data = handle.read()
        name = PurePosixPath(photo.original.name).name
        uploads.append(SimpleUploadedFile(name, data, content_type=photo.content_type))
    return uploads


@transaction.atomic
def tipoff_accept(
    *, actor, tipoff_id: int, expected_version: int, unit_id: int, **hazard_fields: Any
) -> TipOff:
    """Accept a tip-off as a hazard at a unit of its town: the hazard is recorded (source
    "tip_off", found when the tip-off came in, its photos as the photos as found) and, with a
    deadline, ordered at once. The reporter is never named on the hazard: the unit sees it.
    """
    from anjian.hazards.services import hazard_create

    unknown = set(hazard_fields) - HAZARD_INPUT_FIELDS
    if unknown:
        raise TypeError(f"tipoff_accept() got unknown fields: {sorted(unknown)}")
    tipoff = _lock_for_triage(actor, tipoff_id, expected_version, _("accept"))
    unit = units_for_tipoff(actor, tipoff).filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        raise ValidationError(
            {
                "unit_id": _("Choose the unit of %(town)s where the hazard is.")
                % {"town": tipoff.town.name}
            }
        )
    before = snapshot(tipoff, AUDIT_FIELDS)
    tipoff = _compare_and_set(
        tipoff,
        expected_version,
        status=TipOffStatus.ACCEPTED,
        triaged_by=actor,
        triaged_at=timezone.now(),
    )
    fields = {k: v for k, v in hazard_fields.items() if v not in (None, "")}
    fields.setdefault("location", tipoff.place)
    fields.setdefault("description", tipoff.description)
    hazard = hazard_create(
        actor=actor,
        unit_id=unit.pk,
        photos=_photo_uploads(tipoff),
        tip_off=tipoff,
        source=HazardSource.TIP_OFF,
        found_at=tipoff.created_at,
        found_by_name=_stored_text(gettext_noop("Public tip-off")),
        **fields,
    )
    changes = diff(before, snapshot(tipoff, AUDIT_FIELDS))
    changes["hazard"] = [None, hazard.pk]
    audit_record(
        actor=actor,
        action="tip_off.accepted",
        obj=tipoff,
        changes=changes,
        region_id=tipoff.town_id,
    )
    return tipoff


@transaction.atomic
def tipoff_dismiss(
    *, actor, tipoff_id: int, expected_version: int, reason: str, public_reply: str = ""
) -> TipOff:
    """Dismiss a tip-off with a reason (kept in the office) and a reply the reporter sees."""
    tipoff = _lock_for_triage(actor, tipoff_id, expected_version, _("dismiss"))
    reason = _clean_text(
        reason,
        field="reason",
        limit=MAX_DESCRIPTION,
        required_message=_("Give the reason for dismissing the tip-off."),
    )
    public_reply = _clean_text(
        public_reply, field="public_reply", limit=MAX_REPLY, required_message=None
    )
    before = snapshot(tipoff, AUDIT_FIELDS)
    tipoff = _compare_and_set(
        tipoff,
        expected_version,
        status=TipOffStatus.DISMISSED,
        triaged_by=actor,
        triaged_at=timezone.now(),
        dismiss_reason=reason,
        public_reply=public_reply,
    )
    audit_record(
        actor=actor,
        action="tip_off.dismissed",
        obj=tipoff,
        before=before,
        after=snapshot(tipoff, AUDIT_FIELDS),
        reason=reason,
        region_id=tipoff.town_id,
    )
    return tipoff
