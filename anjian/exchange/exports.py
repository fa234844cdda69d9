"""The export format of the data exchange (anjian-exchange, version 1): which records, which
columns, and the writer of the JSON and CSV files.

Records are read with one streaming query per kind (``iterator(chunk_size=…)`` with the
many-to-many values prefetched per chunk and the external ids annotated by subqueries), so that
memory does not grow with the number of records; the file is written to a spooled temporary file
(in memory up to 8 MB, then on disk) while its SHA-256 is computed.

The columns of each kind are listed once below (``COLUMNS``); the JSON records carry the same keys
in the same order (lists as arrays), the CSV has one column each (lists joined with “、”).
"""

from __future__ import annotations

import csv
import datetime
import decimal
import hashlib
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation

from anjian.core.safe_text import csv_text
from anjian.exchange.choices import RecordKind
from anjian.exchange.models import ExternalId
from anjian.hazards.models import Hazard
from anjian.inspections.choices import ItemResult
from anjian.inspections.models import Inspection
from anjian.regions.models import Region, RegionLevel
from anjian.units.models import Unit

FORMAT = "anjian-exchange"
VERSION = 1
CHUNK = 500
SPOOL = 8 * 1024 * 1024
LIST_SEPARATOR = "、"

COLUMNS: dict[str, tuple[str, ...]] = {
    RecordKind.UNIT: (
        "anjian_id",
        "external_id",
        "name",
        "credit_code",
        "address",
        "region_code",
        "region_name",
        "town_code",
        "town_name",
        "kind",
        "kind_label",
        "categories",
        "grade",
        "grade_label",
        "status",
        "status_label",
        "legal_representative",
        "principal_name",
        "principal_mobile",
        "industry_code",
        "latitude",
        "longitude",
        "created_at",
        "updated_at",
    ),
    RecordKind.INSPECTION: (
        "anjian_id",
        "external_id",
        "unit_anjian_id",
        "unit_external_id",
        "unit_name",
        "unit_credit_code",
        "town_code",
        "date",
        "started_at",
        "finished_at",
        "kind",
        "kind_label",
        "status",
        "status_label",
        "inspectors",
        "items_failed",
        "hazards_found",
        "findings",
        "updated_at",
    ),
    RecordKind.HAZARD: (
        "anjian_id",
        "external_id",
        "code",
        "unit_anjian_id",
        "unit_external_id",
        "unit_name",
        "unit_credit_code",
        "town_code",
        "inspection_anjian_id",
        "found_at",
        "level",
        "level_label",
        "category",
        "category_label",
        "hazard_type",
        "source",
        "location",
        "description",
        "deadline",
        "status",
        "status_label",
        "closed_at",
        "updated_at",
    ),
}

# The date a period filters on, per kind.
DATE_FIELD = {
    RecordKind.UNIT: "created_at",
    RecordKind.INSPECTION: "started_at",
    RecordKind.HAZARD: "found_at",
}
MODELS = {RecordKind.UNIT: Unit, RecordKind.INSPECTION: Inspection, RecordKind.HAZARD: Hazard}
# The lookup from a record to its unit's region path, per kind.
REGION_PATH = {
    RecordKind.UNIT: "region__path",
    RecordKind.INSPECTION: "unit__region__path",
    RecordKind.HAZARD: "unit__region__path",
}


@dataclass(frozen=True)
class ExportParams:
    """What to export: the kind, the system, the format and the filters."""

    kind: str
    system: str
    file_format: str = "json"
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    changed_since: datetime.datetime | None = None
    only_without_id: bool = True
    town: Region | None = None

    def filters(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "changed_since": _iso(self.changed_since) if self.changed_since else None,
            "only_without_id": self.only_without_id,
            "town": self.town.code if self.town else None,
        }


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def export_queryset(records: QuerySet, params: ExportParams) -> QuerySet:
    """Narrow an already scoped queryset of ``params.kind`` by the filters (no annotations)."""
    kind = params.kind
    date = DATE_FIELD[kind]
    if params.town is not None:
        records = records.filter(**{f"{REGION_PATH[kind]}__startswith": params.town.path})
    if params.date_from:
        records = records.filter(**{f"{date}__gte": _start_of(params.date_from)})
    if params.date_to:
        end = _start_of(params.date_to + datetime.timedelta(days=1))
        records = records.filter(**{f"{date}__lt": end})
    if params.changed_since:
        since = params.changed_since
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        records = records.filter(updated_at__gte=since)
    if params.only_without_id:
        records = records.filter(
            ~Exists(ExternalId.objects.filter(system=params.system, **{kind: OuterRef("pk")}))
        )
    return records


def _external(system: str, kind: str, ref: str = "pk") -> Subquery:
    return Subquery(
        ExternalId.objects.filter(system=system, **{kind: OuterRef(ref)}).values("external_id")[:1]
    )


def annotated(records: QuerySet, params: ExportParams) -> QuerySet:
    """The records with everything a row needs, for a streaming read."""
    kind, system = params.kind, params.system
    records = records.annotate(x_external_id=_external(system, kind))
    if kind == RecordKind.UNIT:
        return (
            records.select_related("region", "region__parent")
            .prefetch_related("categories")
            .order_by("pk")
        )
    records = records.annotate(
        x_unit_external_id=_external(system, RecordKind.UNIT, "unit_id")
    ).select_related("unit", "unit__region", "unit__region__parent")
    if kind == RecordKind.INSPECTION:
        return (
            records.select_related("lead")
            .prefetch_related("officers")
            .annotate(
                x_items_failed=Count("results", filter=Q(results__result=ItemResult.FAIL)),
                x_hazards_found=Count("results", filter=Q(results__hazard__isnull=False)),
            )
            .order_by("pk")
        )
    return records.annotate(x_inspection_id=Subquery(_inspection_of_hazard())).order_by("pk")


def _inspection_of_hazard():
    from anjian.inspections.models import InspectionResult

    return InspectionResult.objects.filter(hazard=OuterRef("pk")).values("inspection_id")[:1]


# --- Rows ---------------------------------------------------------------------------------------------


def _iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _town(region: Region) -> Region | None:
    if region.level == RegionLevel.VILLAGE:
        return region.parent
    if region.level == RegionLevel.TOWN:
        return region
    return None


def _unit_ref(unit: Unit) -> dict[str, Any]:
    town = _town(unit.region)
    return {
        "unit_anjian_id": f"unit:{unit.pk}",
        "unit_name": unit.name,
        "unit_credit_code": unit.credit_code,
        "town_code": town.code if town else "",
    }


def _person(user) -> str:
    return (getattr(user, "name", "") or str(user)) if user is not None else ""


def unit_row(unit: Unit) -> dict[str, Any]:
    town = _town(unit.region)
    return {
        "anjian_id": f"unit:{unit.pk}",
        "external_id": unit.x_external_id or "",
        "name": unit.name,
        "credit_code": unit.credit_code,
        "address": unit.address,
        "region_code": unit.region.code,
        "region_name": unit.region.name,
        "town_code": town.code if town else "",
        "town_name": town.name if town else "",
        "kind": unit.kind,
        "kind_label": str(unit.get_kind_display()),
        "categories": [c.name for c in unit.categories.all()],
        "grade": unit.grade,
        "grade_label": str(unit.get_grade_display()) if unit.grade else "",
        "status": unit.status,
        "status_label": str(unit.get_status_display()),
        "legal_representative": unit.legal_representative,
        "principal_name": unit.principal_name,
        "principal_mobile": unit.principal_mobile,
        "industry_code": unit.industry_code,
        "latitude": unit.latitude,
        "longitude": unit.longitude,
        "created_at": _iso(unit.created_at),
        "updated_at": _iso(unit.updated_at),
    }


def inspection_row(inspection: Inspection) -> dict[str, Any]:
    inspectors = [_person(inspection.lead)]
    inspectors += [_person(u) for u in inspection.officers.all() if u.pk != inspection.lead_id]
    return {
        "anjian_id": f"inspection:{inspection.pk}",
        "external_id": inspection.x_external_id or "",
        **_unit_ref(inspection.unit),
        "unit_external_id": inspection.x_unit_external_id or "",
        "date": timezone.localtime(inspection.started_at).date().isoformat(),
        "started_at": _iso(inspection.started_at),
        "finished_at": _iso(inspection.finished_at),
        "kind": inspection.kind,
        "kind_label": str(inspection.get_kind_display()),
        "status": inspection.status,
        "status_label": str(inspection.get_status_display()),
        "inspectors": inspectors,
        "items_failed": inspection.x_items_failed,
        "hazards_found": inspection.x_hazards_found,
        "findings": inspection.summary,
        "updated_at": _iso(inspection.updated_at),
    }


def hazard_row(hazard: Hazard) -> dict[str, Any]:
    return {
        "anjian_id": f"hazard:{hazard.pk}",
        "external_id": hazard.x_external_id or "",
        "code": hazard.code,
        **_unit_ref(hazard.unit),
        "unit_external_id": hazard.x_unit_external_id or "",
        "inspection_anjian_id": (
            f"inspection:{hazard.x_inspection_id}" if hazard.x_inspection_id else ""
        ),
        "found_at": _iso(hazard.found_at),
        "level": hazard.level,
        "level_label": str(hazard.get_level_display()),
        "category": hazard.category,
        "category_label": str(hazard.get_category_display()),
        "hazard_type": hazard.hazard_type,
        "source": hazard.source,
        "location": hazard.location,
        "description": hazard.description,
        "deadline": hazard.deadline.isoformat() if hazard.deadline else None,
        "status": hazard.status,
        "status_label": str(hazard.get_status_display()),
        "closed_at": _iso(hazard.closed_at),
        "updated_at": _iso(hazard.updated_at),
    }


ROW = {
    RecordKind.UNIT: unit_row,
    RecordKind.INSPECTION: inspection_row,
    RecordKind.HAZARD: hazard_row,
}


def rows(records: QuerySet, kind: str) -> Iterator[dict[str, Any]]:
    """The rows of the annotated records, streamed chunk by chunk, in the column order. Labels
    are in Chinese whatever the user's language: the receiving systems are Chinese."""
    make = ROW[kind]
    columns = COLUMNS[kind]
    with translation.override("zh-hans"):
        for record in records.iterator(chunk_size=CHUNK):
            row = make(record)
            yield {key: row[key] for key in columns}


# --- Files --------------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value)!r}")


def _csv_cell(value: Any) -> str:
    """A CSV field; text that a spreadsheet would read as a formula gets a leading apostrophe
    (``safe_text.csv_text``), numbers are written as they are."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return csv_text(LIST_SEPARATOR.join(str(v) for v in value))
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


@dataclass
class Written:
    file: IO[bytes]
    count: int
    sha256: str
    size: int


class _Hashing:
    """A binary file that hashes what is written to it."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.hash.update(data)
        self.size += len(data)
        self.file.write(data)


def write_file(
    records: Iterable[dict[str, Any]], *, kind: str, file_format: str, header: dict[str, Any]
) -> Written:
    """Write the export file (JSON document or CSV with BOM) to a spooled temporary file."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+b")  # noqa: SIM115 - returned
    sink = _Hashing(out)
    count = 0
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        sink.write("\ufeff".encode())
        writer.writerow(COLUMNS[kind])
        for row in records:
            writer.writerow([_csv_cell(v) for v in row.values()])
            count += 1
            if text.tell() > 65536:
                sink.write(text.getvalue().encode())
                text.seek(0)
                text.truncate()
        sink.write(text.getvalue().encode())
    else:
        head = json.dumps(header, ensure_ascii=False, default=_json_default)
        sink.write((head[:-1] + ', "records": [\n').encode())
        for row in records:
            prefix = ",\n" if count else ""
            line = json.dumps(row, ensure_ascii=False, default=_json_default)
            sink.write((prefix + line).encode())
            count += 1
        sink.write(f'\n], "count": {count}}}\n'.encode())
    out.seek(0)
    return Written(out, count, sink.hash.hexdigest(), sink.size)
