"""The town office's enforcement settings: what its documents print (issuing authority, mode, the
town's body, reconsideration body, court, the entrusted fine cap), its officers' law-enforcement
certificates and the number formats of its documents.

Every change goes through a service here that takes ``actor=``, works on the actor's town only
(``enforcement.manage_settings``; another town's rows answer 404) and writes one audit record in
its transaction. The three models keep Django's plain manager, so the scoped querysets of
certificates and numbering rules are defined here (``certificates()`` / ``numbering_rules()``):
a certificate is reached through its holder's role in the town, a rule through its town.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import string
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import RoleAssignment
from anjian.accounts.roles import UNIT_ROLES
from anjian.audit.services import audit_record, snapshot
from anjian.core.exceptions import ActionNotPermitted, StaleObject
from anjian.core.scoping import ScopedQuerySet, get_scope
from anjian.enforcement.models import (
    DEFAULT_FORMAT,
    TYPE_CODES,
    AuthorityMode,
    DocumentCounter,
    DocumentType,
    EnforcementSettings,
    NumberingRule,
    OfficerCertificate,
)
from anjian.enforcement.services import town_short_name
from anjian.regions.models import Region, RegionLevel

MANAGE = "enforcement.manage_settings"
SETTINGS_FIELDS = (
    "authority_name",
    "mode",
    "town_body_name",
    "reconsideration_body",
    "court",
    "penalty_cap",
)
TEXT_LIMIT = 100
PLACEHOLDERS = ("town", "code", "year", "number")
REQUIRED_PLACEHOLDERS = ("year", "number")
PATTERN_LIMIT = 80  # NumberingRule.pattern and IssuedDocument.label are 80 characters
NUMBER_LIMIT = 40
EXPIRING_DAYS = 30


# --- Scope ----------------------------------------------------------------------------------------


def _check(actor) -> None:
    if not get_scope(actor).can(MANAGE):
        raise ActionNotPermitted(_("Your roles do not include the enforcement settings."))


def towns_for(user) -> QuerySet[Region]:
    """The towns whose enforcement settings ``user`` may change (an office: its own town)."""
    return Region.objects.for_action(user, MANAGE).filter(level=RegionLevel.TOWN).order_by("code")


def town_for(user, town_id: int | None = None, *, lock: bool = False) -> Region:
    """The town ``user`` works on: ``town_id`` if given and in scope (404 otherwise), else the
    first of the user's towns. 403 without the action. ``lock`` takes the town's row until the
    transaction ends, so that writes creating the town's first settings or rule run one after the
    other and the second finds what the first created (FOR NO KEY UPDATE: rows that merely refer
    to the town are not held up)."""
    _check(user)
    towns = towns_for(user)
    if lock:
        towns = towns.select_for_update(no_key=True, of=("self",))
    town = towns.filter(pk=town_id).first() if town_id else towns.first()
    if town is None:
        raise Http404
    return town


def staff_assignments(user, action: str = MANAGE) -> QuerySet[RoleAssignment]:
    """The active role assignments of officials (not enterprise users or contracted experts)
    within ``user``'s reach for ``action``."""
    return (
        RoleAssignment.objects.for_action(user, action)
        .filter(is_active=True)
        .exclude(role__in=sorted(UNIT_ROLES))
    )


def _in_town(town: Region) -> Q:
    return Q(region__path__startswith=town.path) | Q(committee__region__path__startswith=town.path)


def staff_of(user, town: Region):
    """The town's staff ``user`` may see for the settings: people holding an official role in
    the town (the office, inspectors, leaders, committee members, village officers…)."""
    holders = staff_assignments(user).filter(_in_town(town)).values("user_id")
    return get_user_model().objects.filter(pk__in=holders, is_active=True)


class CertificateQuerySet(ScopedQuerySet):
    """Certificates reached through their holders: those of people with an official role in the
    user's scope for the action."""

    scope_path = None
    view_action = MANAGE

    def for_action(self, user, action: str = "view") -> CertificateQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        holders = staff_assignments(user, self.qualify(action)).values("user_id")
        return self.filter(user_id__in=holders)


class NumberingRuleQuerySet(ScopedQuerySet):
    scope_path = "town__path"
    view_action = MANAGE


def certificates() -> CertificateQuerySet:
    return CertificateQuerySet(model=OfficerCertificate)


def numbering_rules() -> NumberingRuleQuerySet:
    return NumberingRuleQuerySet(model=NumberingRule)


class _Fresh:
    """A class attribute giving a fresh scoped queryset each time it is read."""

    def __init__(self, make):
        self.make = make

    def __get__(self, instance, owner):
        return self.make()


class ScopedCertificates:
    """``OfficerCertificate`` read through the scope, shaped like a model (``.objects``) for the
    access walk and the generic views."""

    objects = _Fresh(certificates)


class ScopedNumberingRules:
    """``NumberingRule`` read through the scope (see ``ScopedCertificates``)."""

    objects = _Fresh(numbering_rules)


# --- The town's settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedAuthority:
    mode: str
    label: str
    lines: tuple[str, ...]


def printed_lines(town: Region, *, mode: str, authority_name: str, town_body_name: str):
    """The issuing authority printed at the head and foot of a document (as ``documents.py``
    prints it): entrusted → the bureau, then the town body "（受委托）"; otherwise the town body."""
    body = (town_body_name or "").strip() or f"{town.name}人民政府"
    if mode == AuthorityMode.ENTRUSTED and (authority_name or "").strip():
        return (authority_name.strip(), f"{body}（受委托）")
    return (body,)


def printed_by_mode(town: Region, settings: EnforcementSettings) -> list[PrintedAuthority]:
    return [
        PrintedAuthority(
            mode=value,
            label=str(label),
            lines=printed_lines(
                town,
                mode=value,
                authority_name=settings.authority_name,
                town_body_name=settings.town_body_name,
            ),
        )
        for value, label in AuthorityMode.choices
    ]


# --- Compare-and-set without a version column ------------------------------------------------------
# A page or an API client reads a record with its ``tag`` (a fingerprint of the values it saw) and
# sends it back with the change; a record changed by someone else in between answers StaleObject
# (409) instead of being overwritten. Leaving the tag out (scripts) writes over what is there.


def state_tag(values: dict[str, Any]) -> str:
    raw = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def settings_tag(settings: EnforcementSettings) -> str:
    return state_tag(snapshot(settings, list(SETTINGS_FIELDS)) if settings.pk else {})


def certificate_tag(cert: OfficerCertificate) -> str:
    return state_tag(snapshot(cert, CERTIFICATE_FIELDS))


def rule_tag(pattern: str) -> str:
    return state_tag({"pattern": pattern})


def _unchanged(current: str, expected: str | None) -> None:
    if expected and expected != current:
        raise StaleObject()


def settings_of(town: Region) -> EnforcementSettings:
    """The town's settings, or the (unsaved) defaults."""
    return EnforcementSettings.objects.filter(town=town).first() or EnforcementSettings(town=town)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _validate_settings(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    for key in ("authority_name", "town_body_name", "reconsideration_body", "court"):
        if key in data:
            data[key] = _text(data[key])
            if len(data[key]) > TEXT_LIMIT:
                errors[key] = _("At most %(n)s characters.") % {"n": TEXT_LIMIT}
    if "mode" in data and data["mode"] not in AuthorityMode.values:
        errors["mode"] = _("Choose the enforcement mode: entrusted, delegated or own power.")
    if "penalty_cap" in data:
        cap = data["penalty_cap"]
        if cap in (None, ""):
            data["penalty_cap"] = None
        else:
            try:
                cap = Decimal(str(cap)).quantize(Decimal("0.01"))
                if cap <= 0 or cap >= Decimal("10000000000"):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors["penalty_cap"] = _(
                    "Give the fine cap as an amount in yuan above zero, or leave it empty."
                )
            else:
                data["penalty_cap"] = cap
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def enforcement_settings_update(
    *, actor, town_id: int | None = None, expected_tag: str | None = None, **fields: Any
) -> EnforcementSettings:
    """Change the town's enforcement settings (only the fields given). An entrusted town needs
    the name of the authority that entrusted it: documents are issued in that name."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"enforcement_settings_update() got unknown fields: {sorted(unknown)}")
    town = town_for(actor, town_id, lock=True)
    settings = EnforcementSettings.objects.filter(town=town).first()
    created = settings is None
    if settings is None:
        settings = EnforcementSettings(town=town)
    _unchanged(settings_tag(settings), expected_tag)
    before = {} if created else snapshot(settings, list(SETTINGS_FIELDS))
    data = _validate_settings(dict(fields))
    for key, value in data.items():
        setattr(settings, key, value)
    if settings.mode == AuthorityMode.ENTRUSTED and not settings.authority_name:
        raise ValidationError(
            {
                "authority_name": _(
                    "Give the issuing authority: an entrusted town issues its documents in the "
                    "name of the authority that entrusted it."
                )
            }
        )
    settings.full_clean()
    settings.save()
    after = snapshot(settings, list(SETTINGS_FIELDS))
    if created or before != after:
        audit_record(
            actor=actor,
            action="enforcement_settings.updated",
            obj=settings,
            region_id=town.pk,
            before=before,
            after=after,
        )
    return settings


# --- Officers' certificates -------------------------------------------------------------------------


def certificate_status(cert: OfficerCertificate | None, today: datetime.date | None = None) -> str:
    """missing, expired, expiring (within 30 days) or valid: as ``documents.certified_officers``
    judges it, an expired certificate does not count for signing."""
    today = today or timezone.localdate()
    if cert is None or not cert.number.strip():
        return "missing"
    if cert.valid_until and cert.valid_until < today:
        return "expired"
    if cert.valid_until and cert.valid_until <= today + datetime.timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return "valid"


def _validate_certificate(data: dict[str, Any], *, cert: OfficerCertificate | None):
    errors: dict[str, str] = {}
    if "number" in data:
        data["number"] = _text(data["number"])
        if not data["number"]:
            errors["number"] = _("Give the law-enforcement certificate number.")
        elif len(data["number"]) > NUMBER_LIMIT:
            errors["number"] = _("At most %(n)s characters.") % {"n": NUMBER_LIMIT}
        elif (
            OfficerCertificate.objects.filter(number=data["number"])
            .exclude(pk=getattr(cert, "pk", None))
            .exists()
        ):
            errors["number"] = _("Another officer already has this certificate number.")
    if "valid_until" in data:
        value = data["valid_until"]
        if value in (None, ""):
            data["valid_until"] = None
        elif isinstance(value, str):
            try:
                data["valid_until"] = datetime.date.fromisoformat(value)
            except ValueError:
                errors["valid_until"] = _("Give the date as YYYY-MM-DD.")
    if errors:
        raise ValidationError(errors)
    return data


CERTIFICATE_FIELDS = ["user", "number", "valid_until"]


def certificate_get_for(actor, certificate_id: int, *, lock: bool = False) -> OfficerCertificate:
    _check(actor)
    qs = certificates().for_action(actor, MANAGE).select_related("user")
    if lock:
        qs = qs.select_for_update(of=("self",))
    cert = qs.filter(pk=certificate_id).first()
    if cert is None:
        raise Http404
    return cert


def _audit_region(actor, user_id: int) -> int | None:
    """The town of the holder's first official role within the actor's scope (for the audit)."""
    row = (
        staff_assignments(actor)
        .filter(user_id=user_id)
        .select_related("region__parent", "committee__region__parent")
        .order_by("pk")
        .first()
    )
    region = (row.region or row.committee.region) if row else None
    town = region.town() if region else None
    return town.pk if town else None


@transaction.atomic
def certificate_create(
    *, actor, user_id: int, number: str, valid_until: datetime.date | str | None = None
) -> OfficerCertificate:
    """Record the certificate of one of the town's staff (one certificate per person)."""
    _check(actor)
    holder = (
        get_user_model()
        .objects.filter(pk__in=staff_assignments(actor).values("user_id"), is_active=True)
        .filter(pk=user_id)
        # The holder's row is held until the end: a second certificate for the same person,
        # recorded at the same moment, waits and then finds the first.
        .select_for_update(no_key=True, of=("self",))
        .first()
    )
    if holder is None:
        raise ValidationError(
            {"user_id": _("Choose one of the town's staff: this person holds no role in it.")}
        )
    if OfficerCertificate.objects.filter(user=holder).exists():
        raise ValidationError(
            {"user_id": _("This officer already has a certificate on file: edit it instead.")}
        )
    data = _validate_certificate({"number": number, "valid_until": valid_until}, cert=None)
    cert = OfficerCertificate(user=holder, **data)
    cert.full_clean()
    cert.save()
    audit_record(
        actor=actor,
        action="officer_certificate.created",
        obj=cert,
        region_id=_audit_region(actor, holder.pk),
        after=snapshot(cert, CERTIFICATE_FIELDS),
    )
    return cert


@transaction.atomic
def certificate_update(
    *, actor, certificate_id: int, expected_tag: str | None = None, **fields: Any
) -> OfficerCertificate:
    """Change the number or the validity of a certificate (only the fields given)."""
    unknown = set(fields) - {"number", "valid_until"}
    if unknown:
        raise TypeError(f"certificate_update() got unknown fields: {sorted(unknown)}")
    cert = certificate_get_for(actor, certificate_id, lock=True)
    _unchanged(certificate_tag(cert), expected_tag)
    before = snapshot(cert, CERTIFICATE_FIELDS)
    data = _validate_certificate(dict(fields), cert=cert)
    for key, value in data.items():
        setattr(cert, key, value)
    cert.save(update_fields=list(data) or None)
    after = snapshot(cert, CERTIFICATE_FIELDS)
    if before != after:
        audit_record(
            actor=actor,
            action="officer_certificate.updated",
            obj=cert,
            region_id=_audit_region(actor, cert.user_id),
            before=before,
            after=after,
        )
    return cert


@transaction.atomic
def certificate_delete(*, actor, certificate_id: int, reason: str = "") -> None:
    """Remove a certificate from the file (the person no longer signs documents). Documents
    already issued keep the number they printed."""
    cert = certificate_get_for(actor, certificate_id, lock=True)
    before = snapshot(cert, CERTIFICATE_FIELDS)
    region_id = _audit_region(actor, cert.user_id)
    repr_ = str(cert)
    audit_record(
        actor=actor,
        action="officer_certificate.deleted",
        obj=cert,
        region_id=region_id,
        before=before,
        after={},
        reason=_text(reason),
        target_repr=repr_,
    )
    cert.delete()


# --- Numbering rules -------------------------------------------------------------------------------


def pattern_errors(pattern: str) -> list[str]:
    """Why ``pattern`` cannot number documents (empty: it can)."""
    pattern = pattern or ""
    if not pattern.strip():
        return [_("Give the number format.")]
    if len(pattern) > PATTERN_LIMIT:
        return [_("At most %(n)s characters.") % {"n": PATTERN_LIMIT}]
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return [_("A { or } has no partner: write each placeholder as {name}.")]
    errors: list[str] = []
    names = [name for _text_, name, _spec, _conv in parts if name is not None]
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        errors.append(
            _("Unknown placeholder %(names)s: use only {town}, {code}, {year} and {number}.")
            % {"names": "、".join("{" + n + "}" for n in unknown)}
        )
    missing = [name for name in REQUIRED_PLACEHOLDERS if name not in names]
    if missing:
        errors.append(
            _("The format needs %(names)s: numbers run per year.")
            % {"names": " ".join("{" + n + "}" for n in missing)}
        )
    if not errors:
        try:
            sample = pattern.format(town="场口", code="责改", year=2026, number=12)
        except (ValueError, TypeError, KeyError, IndexError):
            errors.append(_("The format cannot be filled in: check what follows each name."))
        else:
            if len(sample) > PATTERN_LIMIT:
                errors.append(_("At most %(n)s characters.") % {"n": PATTERN_LIMIT})
    return errors


@dataclass(frozen=True)
class RuleRow:
    """One document type of the town: its format (own or default) and the next number."""

    doc_type: str
    label: str
    code: str
    rule: NumberingRule | None
    pattern: str
    last_number: int
    next_label: str

    @property
    def id(self) -> int | None:
        return self.rule.pk if self.rule else None

    @property
    def is_default(self) -> bool:
        return self.rule is None

    @property
    def tag(self) -> str:
        return rule_tag(self.pattern)


def preview_number(
    town: Region, doc_type: str, pattern: str | None = None, *, year: int | None = None
) -> tuple[str, int]:
    """(the next number's text, the counter's last number) without taking the number: the
    counter is only read. ``pattern`` (validated first) replaces the town's format."""
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose the kind of document.")})
    year = year or timezone.localdate().year
    if pattern is None:
        rule = NumberingRule.objects.filter(town=town, doc_type=doc_type).first()
        pattern = rule.pattern if rule else DEFAULT_FORMAT
    elif errors := pattern_errors(pattern):
        raise ValidationError({"pattern": errors})
    last = (
        DocumentCounter.objects.filter(town=town, doc_type=doc_type, year=year)
        .values_list("last_number", flat=True)
        .first()
    ) or 0
    label = pattern.format(
        town=town_short_name(town), code=TYPE_CODES[doc_type], year=year, number=last + 1
    )
    return label, last


def rule_rows(town: Region) -> list[RuleRow]:
    rules = {r.doc_type: r for r in NumberingRule.objects.filter(town=town)}
    rows = []
    for value, label in DocumentType.choices:
        rule = rules.get(value)
        next_label, last = preview_number(town, value)
        rows.append(
            RuleRow(
                doc_type=value,
                label=str(label),
                code=TYPE_CODES[value],
                rule=rule,
                pattern=rule.pattern if rule else DEFAULT_FORMAT,
                last_number=last,
                next_label=next_label,
            )
        )
    return rows


@transaction.atomic
def numbering_rule_set(
    *,
    actor,
    doc_type: str,
    pattern: str,
    town_id: int | None = None,
    expected_tag: str | None = None,
) -> NumberingRule:
    """Set the town's number format of ``doc_type`` (with {town}, {code}, {year}, {number}).
    The running numbers do not change: only how the next ones are written."""
    town = town_for(actor, town_id, lock=True)
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose the kind of document.")})
    pattern = (pattern or "").strip()
    if errors := pattern_errors(pattern):
        raise ValidationError({"pattern": errors})
    rule = NumberingRule.objects.filter(town=town, doc_type=doc_type).first()
    before = {"pattern": rule.pattern if rule else DEFAULT_FORMAT}
    _unchanged(rule_tag(before["pattern"]), expected_tag)
    if rule is None:
        rule = NumberingRule.objects.create(town=town, doc_type=doc_type, pattern=pattern)
    elif rule.pattern != pattern:
        rule.pattern = pattern
        rule.save(update_fields=["pattern"])
    if before["pattern"] != pattern or rule.pattern != before["pattern"]:
        audit_record(
            actor=actor,
            action="numbering_rule.updated",
            obj=rule,
            region_id=town.pk,
            before={"doc_type": doc_type, **before},
            after={"doc_type": doc_type, "pattern": rule.pattern},
        )
    return rule


def numbering_rule_get_for(actor, rule_id: int) -> NumberingRule:
    _check(actor)
    rule = numbering_rules().for_action(actor, MANAGE).select_related("town").filter(pk=rule_id)
    found = rule.first()
    if found is None:
        raise Http404
    return found


@transaction.atomic
def numbering_rule_update(
    *, actor, rule_id: int, pattern: str, expected_tag: str | None = None
) -> NumberingRule:
    rule = numbering_rule_get_for(actor, rule_id)
    return numbering_rule_set(
        actor=actor,
        doc_type=rule.doc_type,
        pattern=pattern,
        town_id=rule.town_id,
        expected_tag=expected_tag,
    )


@transaction.atomic
def numbering_rule_reset(*, actor, rule_id: int) -> None:
    """Go back to the default format ({town}安监{code}〔{year}〕{number}号) for this type."""
    rule = numbering_rule_get_for(actor, rule_id)
    audit_record(
        actor=actor,
        action="numbering_rule.reset",
        obj=rule,
        region_id=rule.town_id,
        before={"doc_type": rule.doc_type, "pattern": rule.pattern},
        after={"doc_type": rule.doc_type, "pattern": DEFAULT_FORMAT},
    )
    rule.delete()
