"""Writes to supervised units and their categories. Each function audits itself.

``unit_create`` and ``unit_update`` validate every register fact with a message naming the field,
keep the name's pinyin (search) and the suggested grade (``grading.py``) up to date, and refuse a
stale edit (compare-and-set on ``version``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.audit.services import audit_record, audit_record_many, diff, snapshot
from anjian.core.exceptions import ActionNotPermitted, StaleObject
from anjian.core.validators import to_half_width, validate_credit_code, validate_mobile
from anjian.regions.models import Region, RegionLevel
from anjian.teams.models import Committee
from anjian.units import grading, hooks
from anjian.units.models import (
    Category,
    CategoryGroup,
    Grade,
    Standardisation,
    Unit,
    UnitKind,
    UnitSize,
    UnitStatus,
)
from anjian.units.search import pinyin_fields

CHANGE = "units.change"
MANAGE_CATEGORIES = "units.manage_categories"

# China's bounding box (WGS-84 / GCJ-02 alike): Mohe to Zengmu Ansha, Pamirs to Fuyuan.
LATITUDE_RANGE = (Decimal("3.8"), Decimal("53.6"))
LONGITUDE_RANGE = (Decimal("73.5"), Decimal("135.1"))
INDUSTRY_CODE_RE = re.compile(r"^[A-T]\d{2,4}$")
INDUSTRIES_FILE = Path(__file__).resolve().parent / "data" / "industries.csv"

# The register facts ``unit_update`` may change (``categories`` is the many-to-many set).
UNIT_FIELDS = (
    "name",
    "credit_code",
    "kind",
    "region",
    "committee",
    "address",
    "status",
    "legal_representative",
    "principal_name",
    "principal_mobile",
    "latitude",
    "longitude",
    "industry_code",
    "industry_name",
    "size",
    "employees",
    "standardisation",
    "grade",
    "grade_reason",
    "categories",
)
# Changing these needs a reason (the rules decide them; the office may overrule with a reason).
REASON_FIELDS = ("region", "committee")


@cache
def industry_table() -> dict[str, str]:
    """Common GB/T 4754-2017 industry codes and their names (``data/industries.csv``)."""
    with INDUSTRIES_FILE.open(encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    """The unit's facts for the audit record, with its categories as a sorted list of codes."""
    data = snapshot(unit)
    data["categories"] = sorted(c.code for c in unit.categories.all())
    return data


# --- Validation -------------------------------------------------------------------------------------


def _clean_decimal(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return Decimal(to_half_width(str(value)).strip())


def _validate(
    data: dict[str, Any], *, unit: Unit | None, actor, check_taken: bool = True
) -> dict[str, Any]:
    """Normalise ``data`` (a subset of UNIT_FIELDS) in place; raise one ValidationError naming
    every wrong field. ``unit`` is the unit being edited (None when creating)."""
    errors: dict[str, str] = {}
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            errors["name"] = _("The unit's name is empty.")
        elif len(data["name"]) > 200:
            errors["name"] = _("The unit's name is longer than 200 characters.")
    for key in ("address", "legal_representative", "principal_name", "industry_name"):
        if key in data:
            data[key] = (data[key] or "").strip()
    region = data.get("region", unit.region if unit else None)
    committee = data.get("committee", unit.committee if unit else None)
    if "region" in data and region is not None and region.level != RegionLevel.VILLAGE:
        errors["region"] = _(
            "A unit must lie in a village or community; “%(name)s” is a %(level)s."
        ) % {"name": region.name, "level": region.get_level_display()}
    elif (
        ("region" in data or "committee" in data)
        and committee is not None
        and region is not None
        and committee.region_id != region.parent_id
    ):
        errors["committee"] = _(
            "The committee “%(committee)s” belongs to another town than “%(village)s”."
        ) % {"committee": committee.name, "village": region.name}
    # Lazy: translated only for a wrong value (an import validates thousands of units).
    choices = {
        "kind": (UnitKind, gettext_lazy("The unit kind “%(value)s” is unknown.")),
        "status": (UnitStatus, gettext_lazy("The status “%(value)s” is unknown.")),
        "size": (UnitSize, gettext_lazy("The size “%(value)s” is unknown.")),
        "standardisation": (
            Standardisation,
            gettext_lazy("The standardisation “%(value)s” is unknown."),
        ),
        "grade": (Grade, gettext_lazy("The grade “%(value)s” is unknown.")),
    }
    for key, (enum, message) in choices.items():
        if key in data:
            data[key] = data[key] or ""
            blank_ok = key in {"size", "grade"}
            if not (data[key] in enum.values or (blank_ok and data[key] == "")):
                errors[key] = message % {"value": data[key]}
    if data.get("credit_code"):
        try:
            data["credit_code"] = validate_credit_code(data["credit_code"])
        except ValidationError as exc:
            errors["credit_code"] = exc.messages[0]
        else:
            # Without check_taken the caller checks every code at once (units_create_many).
            other = (
                Unit.objects.filter(credit_code=data["credit_code"])
                .exclude(pk=unit.pk if unit else None)
                .first()
                if check_taken
                else None
            )
            if other is not None:
                if actor is None or Unit.objects.visible_to(actor).filter(pk=other.pk).exists():
                    errors["credit_code"] = _(
                        "The credit code %(code)s is already registered for “%(name)s”."
                    ) % {"code": data["credit_code"], "name": other.name}
                else:
                    errors["credit_code"] = _(
                        "The credit code %(code)s is already registered for another unit "
                        "(outside what you may see); ask the district to check."
                    ) % {"code": data["credit_code"]}
    elif "credit_code" in data:
        data["credit_code"] = ""
    if data.get("principal_mobile"):
        try:
            data["principal_mobile"] = validate_mobile(data["principal_mobile"])
        except ValidationError as exc:
            errors["principal_mobile"] = _("Principal's mobile: %(error)s") % {
                "error": exc.messages[0]
            }
    elif "principal_mobile" in data:
        data["principal_mobile"] = ""
    for key, (low, high), label in (
        ("latitude", LATITUDE_RANGE, _("latitude")),
        ("longitude", LONGITUDE_RANGE, _("longitude")),
    ):
        if key not in data:
            continue
        try:
            value = _clean_decimal(data[key])
        except (InvalidOperation, ValueError):
            errors[key] = _("The %(label)s “%(value)s” is not a number.") % {
                "label": label,
                "value": data[key],
            }
            continue
        if value is not None and not low <= value <= high:
            errors[key] = _(
                "The %(label)s %(value)s lies outside China (%(low)s to %(high)s degrees)."
            ) % {"label": label, "value": value, "low": low, "high": high}
            continue
        data[key] = value.quantize(Decimal("0.000001")) if value is not None else None
    if ("latitude" in data or "longitude" in data) and not errors.keys() & {
        "latitude",
        "longitude",
    }:
        lat = data.get("latitude", unit.latitude if unit else None)
        lon = data.get("longitude", unit.longitude if unit else None)
        if (lat is None) != (lon is None):
            errors["longitude" if lon is None else "latitude"] = _(
                "Give both latitude and longitude of the GPS point, or neither."
            )
    if "industry_code" in data:
        code = re.sub(r"\s", "", to_half_width(data["industry_code"] or "")).upper()
        data["industry_code"] = code
        if code and not INDUSTRY_CODE_RE.match(code):
            errors["industry_code"] = _(
                "The industry code “%(code)s” is not a GB/T 4754 code: a section letter A–T "
                "followed by 2 to 4 digits, e.g. C3311."
            ) % {"code": code}
        elif code and not data.get("industry_name", unit.industry_name if unit else ""):
            data["industry_name"] = industry_table().get(code, "")
    if "employees" in data and data["employees"] not in (None, ""):
        try:
            data["employees"] = int(data["employees"])
        except (TypeError, ValueError):
            errors["employees"] = _("The number of employees must be a whole number.")
        else:
            if data["employees"] < 0:
                errors["employees"] = _("The number of employees cannot be negative.")
    elif "employees" in data:
        data["employees"] = None
    if "grade_reason" in data:
        data["grade_reason"] = (data["grade_reason"] or "").strip()
    if "categories" in data:
        data["categories"] = list(data["categories"] or [])
    if errors:
        raise ValidationError(errors)
    return data


def _suggested_grade(
    *, categories: Iterable[Category], size: str, employees: int | None, history=None
) -> str:
    """``history``: the unit's hazards of the last twelve months (``count``, ``major``)."""
    return grading.suggest_grade(
        floors=[c.grade_floor for c in categories],
        size=size,
        employees=employees,
        hazards=history.count if history else 0,
        major_hazards=history.major if history else 0,
    )


def _hazard_history(unit_ids: Iterable[int] | None) -> dict:
    """Unit id → its hazards of the last twelve months, from the hazards app (registered in
    ``units.hooks``: the units app does not import hazards)."""
    return hooks.hazard_history(unit_ids)


def _hazards_moving(unit_id: int) -> None:
    """The hazards of a unit moving to another village are locked first (hazards app)."""
    hooks.unit_moving(unit_id)


def _hazards_moved(unit_id: int) -> None:
    """…and then carry the new village's path, which scopes them."""
    hooks.unit_moved(unit_id)


def suggest_committee(*, region: Region, kind: str, categories: Iterable[Category] = ()):
    """The sector committee the rules suggest for a unit in ``region`` (a village), or None."""
    key = grading.suggest_committee_key(kind, [c.group for c in categories])
    return grading.pick_committee(Committee.objects.filter(region_id=region.parent_id), key)


def _grade_reason_error(grade: str, suggested: str, reason: str) -> dict[str, str]:
    if grade and grade != suggested and not reason:
        return {
            "grade_reason": _(
                "The grade “%(grade)s” differs from the suggested “%(suggested)s”: give the reason."
            )
            % {"grade": Grade(grade).label, "suggested": Grade(suggested).label}
        }
    return {}


def _check_region(actor, region: Region) -> None:
    if actor is not None and (
        not Region.objects.for_action(actor, CHANGE).filter(pk=region.pk).exists()
    ):
        raise ActionNotPermitted(_("You may not register units in this village."))


# --- Units ------------------------------------------------------------------------------------------


@transaction.atomic
def unit_create(
    *,
    actor,
    name: str,
    region: Region,
    kind: str,
    credit_code: str = "",
    committee: Committee | None = None,
    address: str = "",
    status: str = UnitStatus.OPERATING,
    suggest: bool = True,
    categories: Iterable[Category] = (),
    **facts: Any,
) -> Unit:
    """Register a supervised unit in a village or community.

    ``actor`` None is the system (the demo loader, imports); a person needs ``units.change`` in
    the unit's village. ``facts`` are the other register fields (legal_representative,
    principal_name, principal_mobile, latitude, longitude, industry_code, industry_name, size,
    employees, standardisation, grade, grade_reason). Without a committee, the rules choose one
    (``suggest=False`` leaves it empty).
    """
    unknown = set(facts) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_create() got unknown fields: {sorted(unknown)}")
    _check_region(actor, region)
    data = _validate(
        {
            "name": name,
            "region": region,
            "kind": kind,
            "credit_code": credit_code,
            "committee": committee,
            "address": address,
            "status": status,
            "categories": categories,
            **facts,
        },
        unit=None,
        actor=actor,
    )
    categories = data.pop("categories")
    suggested = _suggested_grade(
        categories=categories, size=data.get("size", ""), employees=data.get("employees")
    )
    if errors := _grade_reason_error(
        data.get("grade", ""), suggested, data.get("grade_reason", "")
    ):
        raise ValidationError(errors)
    if data["committee"] is None and suggest:
        data["committee"] = suggest_committee(region=region, kind=kind, categories=categories)
    unit = Unit(**data, suggested_grade=suggested, **pinyin_fields(data["name"]))
    # Field checks only: region and committee are instances checked above, and the database
    # enforces the check constraints (kind, status) that _validate has already tested, so
    # full_clean need not ask the database again for each (an import saves thousands).
    unit.full_clean(exclude=["region", "committee"], validate_constraints=False)
    unit.save()
    if categories:
        unit.categories.set(categories)
    audit_record(actor=actor, action="unit.created", obj=unit, after=unit_snapshot(unit))
    return unit


def unit_get_for_change(actor, unit_id: int, *, permission: str = CHANGE) -> Unit:
    """The unit if ``actor`` may change it (404 otherwise: never reveal existence)."""
    qs = Unit.objects.all() if actor is None else Unit.objects.for_action(actor, permission)
    unit = qs.select_related("region", "committee").filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


@transaction.atomic
def unit_update(
    *,
    actor,
    unit_id: int,
    expected_version: int,
    reason: str = "",
    permission: str = CHANGE,
    **fields: Any,
) -> Unit:
    """Change register facts of a unit (any of ``UNIT_FIELDS``), compare-and-set on ``version``.

    A stale ``expected_version`` raises ``StaleObject`` (409 / "reload"). Moving the unit to
    another village or committee needs ``reason``; a grade other than the suggested one needs
    ``grade_reason``. The audit entry carries the before/after of every changed field.
    """
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_update() got unknown fields: {sorted(unknown)}")
    unit = unit_get_for_change(actor, unit_id, permission=permission)
    if "region" in fields and fields["region"] is not None:
        _check_region(actor, fields["region"])
    before = unit_snapshot(unit)
    # Facts sent unchanged are not validated again: a unit registered before a rule existed
    # (a legacy credit code) can still have its other facts edited.
    data = {
        key: value
        for key, value in fields.items()
        if key == "categories" or value != getattr(unit, key)
    }
    data = _validate(data, unit=unit, actor=actor)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    for key in REASON_FIELDS:
        changed = key in data and getattr(data[key], "pk", None) != getattr(unit, f"{key}_id")
        if changed and not reason:
            errors["reason"] = _(
                "Moving the unit to another village or sector committee needs a reason."
            )
    if "region" in data and data["region"] is None:
        errors["region"] = _("Choose the village or community of the unit.")
    moving = data.get("region") is not None and data["region"].pk != unit.region_id
    if moving:
        _hazards_moving(unit.pk)
    # The unit's row is locked before its grade is suggested from its hazards: a hazard recorded or
    # cancelled at the same moment waits and then suggests again, or has committed and is counted.
    Unit.objects.select_for_update(no_key=True).filter(pk=unit.pk).values_list("pk").first()
    categories = data.pop("categories", None)
    current_categories = list(unit.categories.all()) if categories is None else categories
    size = data.get("size", unit.size)
    employees = data.get("employees", unit.employees)
    suggested = _suggested_grade(
        categories=current_categories,
        size=size,
        employees=employees,
        history=_hazard_history([unit.pk]).get(unit.pk),
    )
    # The reason is asked for when the grade is being set. A change of size or categories that
    # moves the suggestion leaves the office's grade standing (the page shows the difference).
    if "grade" in data or "grade_reason" in data:
        errors |= _grade_reason_error(
            data.get("grade", unit.grade), suggested, data.get("grade_reason", unit.grade_reason)
        )
    if errors:
        raise ValidationError(errors)
    values = dict(data)
    values["suggested_grade"] = suggested
    if "name" in data:
        values |= pinyin_fields(data["name"])
    updated = Unit.objects.filter(pk=unit.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if updated != 1:
        raise StaleObject()
    if moving:
        _hazards_moved(unit.pk)
    if categories is not None:
        unit.categories.set(categories)
    unit = Unit.objects.select_related("region", "committee").get(pk=unit.pk)
    after = unit_snapshot(unit)
    audit_record(
        actor=actor, action="unit.updated", obj=unit, before=before, after=after, reason=reason
    )
    return unit


@transaction.atomic
def unit_refresh_register(*, unit_ids: Iterable[int] | None = None) -> int:
    """Recompute the pinyin and the suggested grade of units (all by default): for rows written
    before these fields existed, and when a unit's hazards change (the hazards app calls it when
    a hazard is recorded, changes level or is cancelled). Writes no audit entry (derived values
    only). Returns the count of units changed."""
    qs = Unit.objects.prefetch_related("categories").order_by("pk")
    if unit_ids is not None:
        unit_ids = list(unit_ids)
        qs = qs.filter(pk__in=unit_ids)
    histories = _hazard_history(unit_ids)
    changed = 0
    for unit in qs.iterator(chunk_size=500):
        values = pinyin_fields(unit.name)
        values["suggested_grade"] = _suggested_grade(
            categories=unit.categories.all(),
            size=unit.size,
            employees=unit.employees,
            history=histories.get(unit.pk),
        )
        if any(getattr(unit, k) != v for k, v in values.items()):
            Unit.objects.filter(pk=unit.pk).update(**values)
            changed += 1
    return changed


# --- Categories -------------------------------------------------------------------------------------


def _check_categories(actor) -> None:
    if actor is None:
        return
    from anjian.core.scoping import get_scope

    if not get_scope(actor).can(MANAGE_CATEGORIES):
        raise ActionNotPermitted(_("You may not manage the unit categories."))


def categories_for(user):
    """The shared categories and those of the towns ``user`` works in (``regions.shared``)."""
    from anjian.regions.shared import shared_or_own_q

    if user is None:
        return Category.objects.all()
    return Category.objects.filter(shared_or_own_q(user, "units.view"))


def category_change_refusal(actor, category: Category) -> str:
    """Why ``actor`` may not change ``category`` ("" if they may): the shared vocabulary is the
    district's (its grade floors regrade every town's units), a town's own category that town's."""
    from anjian.regions.shared import shared_row_refusal

    if actor is None:
        return ""
    town = category.town
    return shared_row_refusal(
        actor, MANAGE_CATEGORIES, category.town_id, town.path if town is not None else ""
    )


def _validate_category(data: dict[str, Any], *, category: Category | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            errors["name"] = _("The category's name is empty.")
    if "code" in data:
        data["code"] = (data["code"] or "").strip().lower()
        if not re.match(r"^[a-z0-9][a-z0-9_-]{0,39}$", data["code"]):
            errors["code"] = _(
                "The code “%(code)s” must be 1–40 lower-case letters, digits, - or _."
            ) % {"code": data["code"]}
        elif (
            Category.objects.filter(code=data["code"])
            .exclude(pk=category.pk if category else None)
            .exists()
        ):
            errors["code"] = _("The code “%(code)s” is already used by another category.") % {
                "code": data["code"]
            }
    if "group" in data and data["group"] not in CategoryGroup.values:
        errors["group"] = _("The group “%(value)s” is unknown.") % {"value": data["group"]}
    if "sort_order" in data:
        data["sort_order"] = data["sort_order"] or 0
    if "grade_floor" in data:
        data["grade_floor"] = data["grade_floor"] or ""
        if data["grade_floor"] and data["grade_floor"] not in Grade.values:
            errors["grade_floor"] = gettext_lazy("The grade “%(value)s” is unknown.") % {
                "value": data["grade_floor"]
            }
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def category_create(
    *,
    actor,
    code: str,
    name: str,
    group: str,
    grade_floor: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> Category:
    from anjian.regions.shared import owner_town_for

    _check_categories(actor)
    data = _validate_category(
        {"code": code, "name": name, "group": group, "grade_floor": grade_floor},
        category=None,
    )
    town = owner_town_for(actor, MANAGE_CATEGORIES) if actor is not None else None
    category = Category(**data, sort_order=sort_order or 0, is_active=is_active, town=town)
    category.full_clean()
    category.save()
    audit_record(actor=actor, action="category.created", obj=category, after=snapshot(category))
    return category


CATEGORY_FIELDS = ("code", "name", "group", "grade_floor", "sort_order", "is_active")


@transaction.atomic
def category_update(*, actor, category_id: int, **fields: Any) -> Category:
    """Change a category; a changed floor re-suggests the grade of every unit carrying it."""
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"category_update() got unknown fields: {sorted(unknown)}")
    _check_categories(actor)
    category = categories_for(actor).filter(pk=category_id).first()
    if category is None:
        raise Http404
    if refusal := category_change_refusal(actor, category):
        raise ActionNotPermitted(refusal)
    before = snapshot(category)
    data = _validate_category(dict(fields), category=category)
    for key, value in data.items():
        setattr(category, key, value)
    category.full_clean()
    category.save(update_fields=list(data) or None)
    after = snapshot(category)
    if before == after:
        return category
    action = "category.updated"
    if before["is_active"] and not after["is_active"]:
        action = "category.deactivated"
    elif not before["is_active"] and after["is_active"]:
        action = "category.reactivated"
    audit_record(actor=actor, action=action, obj=category, before=before, after=after)
    if before["grade_floor"] != after["grade_floor"]:
        unit_refresh_register(unit_ids=category.units.values_list("pk", flat=True))
    return category


def units_create_many(*, actor, items: list[dict[str, Any]]) -> list[Unit | ValidationError]:
    """Register many units at once (an import): every item is validated as ``unit_create``
    validates one (the same rules, the committee suggested, the grade computed), then the valid
    ones are written in bulk with their categories and one audit entry each, chained in one go.
    Returns per item the saved unit or the ValidationError that refused it. Call it inside a
    transaction."""
    codes = {i["credit_code"] for i in items if i.get("credit_code")}
    taken = dict(
        Unit.objects.filter(credit_code__in=codes).values_list("credit_code", "name")
        if codes
        else ()
    )
    checked_regions: set[int] = set()
    committees: dict[int, list[Committee]] = {}
    out: list[Unit | ValidationError] = []
    valid: list[tuple[Unit, list[Category]]] = []
    for item in items:
        item = dict(item)
        unknown = set(item) - set(UNIT_FIELDS) - {"name", "region", "kind", "categories"}
        if unknown:
            raise TypeError(f"units_create_many() got unknown fields: {sorted(unknown)}")
        region = item["region"]
        if region.pk not in checked_regions:
            _check_region(actor, region)
            checked_regions.add(region.pk)
        item.setdefault("status", UnitStatus.OPERATING)
        item.setdefault("committee", None)
        item.setdefault("credit_code", "")
        item.setdefault("address", "")
        item.setdefault("categories", ())
        try:
            data = _validate(item, unit=None, actor=actor, check_taken=False)
            code = data.get("credit_code")
            if code and code in taken:
                raise ValidationError(
                    {
                        "credit_code": _(
                            "The credit code %(code)s is already registered for another unit."
                        )
                        % {"code": code}
                    }
                )
            categories = data.pop("categories")
            suggested = _suggested_grade(
                categories=categories, size=data.get("size", ""), employees=data.get("employees")
            )
            if errors := _grade_reason_error(
                data.get("grade", ""), suggested, data.get("grade_reason", "")
            ):
                raise ValidationError(errors)
            if data["committee"] is None:
                town_id = region.parent_id
                if town_id not in committees:
                    committees[town_id] = list(Committee.objects.filter(region_id=town_id))
                key = grading.suggest_committee_key(data["kind"], [c.group for c in categories])
                data["committee"] = grading.pick_committee(committees[town_id], key)
            unit = Unit(**data, suggested_grade=suggested, **pinyin_fields(data["name"]))
            # Uniqueness: the credit codes were checked above for all items at once; the
            # database enforces the rest (no query per unit).
            unit.full_clean(
                exclude=["region", "committee"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            out.append(exc)
            continue
        if code:
            taken[code] = unit.name
        out.append(unit)
        valid.append((unit, categories))
    Unit.objects.bulk_create([unit for unit, _c in valid], batch_size=500)
    through = Unit.categories.through
    through.objects.bulk_create(
        [through(unit_id=unit.pk, category_id=c.pk) for unit, cats in valid for c in cats],
        batch_size=1000,
    )
    records = []
    for unit, cats in valid:
        after = snapshot(unit)
        after["categories"] = sorted(c.code for c in cats)
        records.append(("unit.created", unit, diff(None, after)))
    audit_record_many(actor=actor, records=records)
    return out
