"""Writes to the Region tree, and loading it from a file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record, snapshot
from anjian.regions.models import Region, RegionLevel
from anjian.regions.validators import normalize_code, validate_region_code


def _path_for(code: str, parent: Region | None) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def _check_manageable(actor, region: Region) -> None:
    """A person (not the system) may only create or change regions inside their own area."""
    if actor is None:
        return
    if not Region.objects.for_action(actor, "regions.manage").filter(pk=region.pk).exists():
        raise ValidationError(
            _("The region “%(name)s” (%(code)s) lies outside the area you may manage.")
            % {"name": region.name, "code": region.code}
        )


@transaction.atomic
def region_create(
    *, actor, code: str, name: str, level: str, parent: Region | None, is_community: bool = False
) -> Region:
    code = normalize_code(code)
    validate_region_code(code, level, parent.code if parent else None)
    if not name.strip():
        raise ValidationError(
            {"name": _("The name of the region “%(code)s” is empty.") % {"code": code}}
        )
    region = Region(
        code=code,
        name=name.strip(),
        level=level,
        parent=parent,
        is_community=is_community,
        path=_path_for(code, parent),
    )
    region.full_clean()
    region.save()
    audit_record(
        actor=actor,
        action="region.created",
        obj=region,
        after=snapshot(region),
        region_id=region.pk,
    )
    return region


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


LEVEL_WORDS = {
    "province": RegionLevel.PROVINCE,
    "省": RegionLevel.PROVINCE,
    "city": RegionLevel.CITY,
    "市": RegionLevel.CITY,
    "district": RegionLevel.DISTRICT,
    "区县": RegionLevel.DISTRICT,
    "区": RegionLevel.DISTRICT,
    "县": RegionLevel.DISTRICT,
    "town": RegionLevel.TOWN,
    "乡镇": RegionLevel.TOWN,
    "镇": RegionLevel.TOWN,
    "街道": RegionLevel.TOWN,
    "village": RegionLevel.VILLAGE,
    "村": RegionLevel.VILLAGE,
    "社区": RegionLevel.VILLAGE,
    "村社区": RegionLevel.VILLAGE,
}


def regions_load_csv(*, actor, text: str) -> LoadReport:
    """Load or update regions from CSV with the columns ``code,name,level,parent_code[,community]``.

    Rows may come in any order of the file as long as parents appear before children. The whole file
    is applied in one transaction, or nothing when any row is wrong (each error names its row).
    Loading the same file twice changes nothing. When ``actor`` is a person (not the system, None),
    every region created or changed must lie inside the actor's ``regions.manage`` area.
    """
    report = LoadReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    required = {"code", "name", "level", "parent_code"}
    if not reader.fieldnames or not required <= {f.strip() for f in reader.fieldnames}:
        report.errors.append(_("The file needs the columns code, name, level, parent_code."))
        return report
    with transaction.atomic():
        for lineno, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if not any(row.values()):
                continue
            try:
                level = LEVEL_WORDS.get(row["level"].lower()) or LEVEL_WORDS.get(row["level"])
                if level is None:
                    raise ValidationError(_("unknown level “%(level)s”") % {"level": row["level"]})
                code = normalize_code(row["code"])
                parent = None
                if row["parent_code"]:
                    parent = Region.objects.filter(code=normalize_code(row["parent_code"])).first()
                    if parent is None:
                        raise ValidationError(
                            _("parent “%(code)s” not found above this row")
                            % {"code": row["parent_code"]}
                        )
                community = row.get("community", "").lower() in {"1", "true", "yes", "是", "社区"}
                existing = Region.objects.filter(code=code).first()
                if existing is None:
                    created = region_create(
                        actor=actor,
                        code=code,
                        name=row["name"],
                        level=level,
                        parent=parent,
                        is_community=community,
                    )
                    _check_manageable(actor, created)
                    report.created += 1
                elif (existing.name, existing.level, existing.parent_id, existing.is_community) == (
                    row["name"],
                    level,
                    parent.pk if parent else None,
                    community,
                ):
                    report.unchanged += 1
                else:
                    before = snapshot(existing)
                    if existing.parent_id != (parent.pk if parent else None):
                        raise ValidationError(
                            _("moving a region to another parent is not supported")
                        )
                    _check_manageable(actor, existing)
                    validate_region_code(code, level, parent.code if parent else None)
                    if not row["name"]:
                        raise ValidationError(_("the name is empty"))
                    existing.name, existing.level, existing.is_community = (
                        row["name"],
                        level,
                        community,
                    )
                    existing.full_clean()
                    existing.save()
                    audit_record(
                        actor=actor,
                        action="region.updated",
                        obj=existing,
                        before=before,
                        after=snapshot(existing),
                        region_id=existing.pk,
                    )
                    report.updated += 1
            except ValidationError as exc:
                report.errors.append(
                    _("Row %(row)s: %(error)s") % {"row": lineno, "error": "; ".join(exc.messages)}
                )
        if report.errors:
            transaction.set_rollback(True)
            report.created = report.updated = 0
    return report


def regions_load_file(*, actor, path: Path) -> LoadReport:
    return regions_load_csv(actor=actor, text=path.read_text(encoding="utf-8-sig"))
