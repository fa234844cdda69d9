"""Writes of the data exchange: an export (recorded as an ``ExportBatch``), an external id set on
a record (the only writer of ``ExternalId``), and the import of a file of assigned ids (dry run,
then confirmation: an ``ImportRun`` of kind ``exchange_ids`` on ``anjian.core.import_runs``, the
flow the units import uses too). Each writes its audit entry in its own transaction."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from anjian.audit.services import audit_record
from anjian.core import imports as imp
from anjian.core.import_runs import (
    ImportFlow,
    ImportRefused,
    import_run_apply,
    import_run_check_in_task,
    import_run_start,
    import_run_write_in_task,
)
from anjian.core.models import ImportRun
from anjian.core.scoping import get_scope
from anjian.exchange import exports
from anjian.exchange.choices import SYSTEM_SYNONYMS, ExchangeSystem, RecordKind
from anjian.exchange.models import EXPORT, ID_IMPORT_KIND, IMPORT_IDS, ExportBatch, ExternalId
from anjian.regions.models import Region, RegionLevel

MAX_EXTERNAL_ID = 100
MAX_UPLOAD = 20 * 1024 * 1024


def _common_path(paths: list[str]) -> str:
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    return "/" + "/".join(common) + "/" if common else ""


def scope_region(actor, action: str) -> Region:
    """The region a user's batches and imports belong to: the smallest region holding every
    region of the user's assignments for ``action`` (their town, or their district)."""
    paths = sorted(get_scope(actor).paths_for(action))
    region = Region.objects.filter(path=_common_path(paths)).first() if paths else None
    if region is None:
        region = Region.objects.filter(parent__isnull=True).order_by("code").first()
    if region is None:
        raise ValidationError(_("No region is known yet."))
    return region


def export_towns(actor):
    """The towns whose records ``actor`` may export."""
    return Region.objects.for_action(actor, EXPORT).filter(level=RegionLevel.TOWN).order_by("code")


def town_of(region: Region) -> Region:
    if region.level == RegionLevel.VILLAGE and region.parent_id:
        return region.parent
    return region


# --- Export ---------------------------------------------------------------------------------------------


@dataclass
class ExportFile:
    batch: ExportBatch
    file: IO[bytes]
    name: str
    content_type: str


def _check_params(params: exports.ExportParams) -> None:
    errors: dict[str, str] = {}
    if params.kind not in RecordKind.values:
        errors["kind"] = _("Choose units, inspections or hazards.")
    if params.system not in ExchangeSystem.values:
        errors["system"] = _("Choose the system the records are for.")
    if params.file_format not in {"json", "csv"}:
        errors["file_format"] = _("Choose JSON or CSV.")
    if params.date_from and params.date_to and params.date_to < params.date_from:
        errors["date_to"] = _("The last day comes before the first day.")
    if errors:
        raise ValidationError(errors)


def export_create(*, actor, params: exports.ExportParams) -> ExportFile:
    """Export the records ``actor`` may export, as ``params`` choose, in the versioned format;
    record the batch (who, when, what, filters, count, SHA-256 of the file) and audit it."""
    if not get_scope(actor).can(EXPORT):
        raise PermissionDenied(_("Your roles do not include exporting records."))
    _check_params(params)
    if params.town is not None and not export_towns(actor).filter(pk=params.town.pk).exists():
        raise Http404(_("No such town among those you may export."))
    region = params.town or scope_region(actor, EXPORT)
    model = exports.MODELS[params.kind]
    with transaction.atomic():
        now = timezone.now()
        batch = ExportBatch(
            region=region,
            created_by=actor,
            created_at=now,
            kind=params.kind,
            system=params.system,
            file_format=params.file_format,
            filters=params.filters(),
        )
        batch.full_clean(exclude=["file_hash", "file_name"])
        batch.save()
        records = exports.export_queryset(model.objects.for_action(actor, EXPORT), params)
        header = {
            "format": exports.FORMAT,
            "version": exports.VERSION,
            "kind": params.kind,
            "system": params.system,
            "exported_at": exports._iso(now),
            "batch": batch.pk,
            "town": {"code": region.code, "name": region.name, "level": region.level},
            "filters": batch.filters,
        }
        written = exports.write_file(
            exports.rows(exports.annotated(records, params), params.kind),
            kind=params.kind,
            file_format=params.file_format,
            header=header,
        )
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
        name = f"anjian-{params.kind}-{params.system}-{stamp}-{batch.pk}.{params.file_format}"
        ExportBatch.objects.filter(pk=batch.pk).update(
            count=written.count, file_hash=written.sha256, file_name=name
        )
        batch.count, batch.file_hash, batch.file_name = written.count, written.sha256, name
        audit_record(
            actor=actor,
            action="exchange_export.created",
            obj=batch,
            after={
                "kind": batch.kind,
                "system": batch.system,
                "format": batch.file_format,
                "filters": batch.filters,
                "count": batch.count,
                "sha256": batch.file_hash,
            },
        )
    content_type = "text/csv; charset=utf-8" if params.file_format == "csv" else "application/json"
    return ExportFile(batch, written.file, name, content_type)


# --- One external id ----------------------------------------------------------------------------------


def clean_external_id(value: Any) -> str:
    """An id as typed: half-width, without spaces. Case is kept (ids may be case-sensitive)."""
    text = imp.to_half_width(imp.clean_text(value))
    return "".join(text.split())


def record_label(kind: str, record) -> str:
    if kind == RecordKind.HAZARD:
        return f"{record.code}（{record.unit.name}）"
    if kind == RecordKind.INSPECTION:
        return f"{record.unit.name} {timezone.localtime(record.started_at):%Y-%m-%d}"
    return record.name


def _record_for(actor, kind: str, record_id: int):
    model = exports.MODELS[kind]
    qs = model.objects.for_action(actor, IMPORT_IDS)
    qs = (
        qs.select_related("region", "region__parent")
        if kind == RecordKind.UNIT
        else qs.select_related("unit", "unit__region", "unit__region__parent")
    )
    return qs.filter(pk=record_id).first()


@transaction.atomic
def external_id_set(
    *,
    actor,
    kind: str,
    record_id: int,
    system: str,
    external_id: str,
    replace: bool = False,
    batch: ExportBatch | None = None,
    id_import: ImportRun | None = None,
) -> tuple[ExternalId, str]:
    """Record the id ``system`` assigned to one record. Returns the row and what happened:
    ``created``, ``unchanged`` (the same pair again: nothing written) or ``replaced`` (only with
    ``replace``; the old id is kept in the audit entry)."""
    if not get_scope(actor).can(IMPORT_IDS):
        raise PermissionDenied(_("Your roles do not include importing assigned ids."))
    if kind not in RecordKind.values:
        raise ValidationError({"anjian_id": _("Unknown kind of record.")})
    if system not in ExchangeSystem.values:
        raise ValidationError({"system": _("Unknown system.")})
    external_id = clean_external_id(external_id)
    if not external_id:
        raise ValidationError({"external_id": _("The external id is empty.")})
    if len(external_id) > MAX_EXTERNAL_ID:
        raise ValidationError({"external_id": _("The external id is longer than 100 characters.")})
    record = _record_for(actor, kind, record_id)
    if record is None:
        raise Http404(_("No such record within your scope."))
    system_label = ExchangeSystem(system).label
    current = ExternalId.objects.filter(system=system, **{kind: record}).first()
    if current is not None and current.external_id == external_id:
        return current, "unchanged"
    clash = ExternalId.objects.filter(system=system, kind=kind, external_id=external_id).first()
    if clash is not None:
        raise ValidationError(
            {
                "external_id": _(
                    "The id %(id)s of %(system)s is already recorded for another record."
                )
                % {"id": external_id, "system": system_label}
            }
        )
    if current is not None and not replace:
        raise ValidationError(
            {
                "external_id": _(
                    "%(record)s already has the id %(current)s in %(system)s; choose “replace” "
                    "to change it."
                )
                % {
                    "record": record_label(kind, record),
                    "current": current.external_id,
                    "system": system_label,
                }
            }
        )
    region = town_of(record.region if kind == RecordKind.UNIT else record.unit.region)
    try:
        with transaction.atomic():
            if current is None:
                row = ExternalId(
                    kind=kind,
                    region=region,
                    system=system,
                    external_id=external_id,
                    recorded_by=actor,
                    batch=batch,
                    id_import=id_import,
                    **{kind: record},
                )
                row.full_clean(validate_constraints=False)
                row.save()
                outcome, before = "created", None
            else:
                row, before = current, current.external_id
                row.external_id = external_id
                row.recorded_by = actor
                row.recorded_at = timezone.now()
                row.batch = batch or row.batch
                row.id_import = id_import or row.id_import
                row.region = region
                row.save()
                outcome = "replaced"
    except IntegrityError as exc:  # recorded meanwhile by someone else
        raise ValidationError(
            {"external_id": _("The id was recorded meanwhile by someone else; check again.")}
        ) from exc
    audit_record(
        actor=actor,
        action="external_id.recorded" if outcome == "created" else "external_id.replaced",
        obj=row,
        changes={
            "record": row.anjian_id,
            "system": system,
            "external_id": [before, external_id],
            "batch": batch.pk if batch else None,
            "import": id_import.pk if id_import else None,
        },
    )
    return row, outcome


@transaction.atomic
def external_id_delete(*, actor, external_id_pk: int, reason: str) -> None:
    """Remove an id recorded by mistake (audited with the reason)."""
    if not get_scope(actor).can(IMPORT_IDS):
        raise PermissionDenied(_("Your roles do not include importing assigned ids."))
    row = ExternalId.objects.for_action(actor, IMPORT_IDS).filter(pk=external_id_pk).first()
    if row is None:
        raise Http404
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Give the reason for removing the id.")})
    audit_record(
        actor=actor,
        action="external_id.deleted",
        obj=row,
        changes={
            "record": row.anjian_id,
            "system": row.system,
            "external_id": [row.external_id, None],
        },
        reason=reason,
    )
    row.delete()


# --- Import of assigned ids -----------------------------------------------------------------------------

_PREFIXES = {
    "unit": RecordKind.UNIT,
    "units": RecordKind.UNIT,
    "inspection": RecordKind.INSPECTION,
    "inspections": RecordKind.INSPECTION,
    "hazard": RecordKind.HAZARD,
    "hazards": RecordKind.HAZARD,
}


def parse_anjian_id(value: Any) -> tuple[str, int]:
    """``unit:12``, ``inspection:34``, ``hazard:56`` (or a hazard's number, YH2026-000056)."""
    text = imp.clean_code(value).lower().replace("：", ":")
    if ":" in text:
        prefix, _sep, number = text.partition(":")
        if prefix in _PREFIXES and number.isdigit() and int(number) > 0:
            return _PREFIXES[prefix], int(number)
    if text.startswith("yh") and "-" in text:
        number = text.rsplit("-", 1)[1]
        if number.isdigit() and int(number) > 0:
            return RecordKind.HAZARD, int(number)
    raise imp.CellError(
        _(
            "“%(value)s” is not an anjian record id; write it as unit:12, inspection:34 or "
            "hazard:56, as in the export file."
        )
        % {"value": imp.clean_text(value)}
    )


def _parse_external(value: Any) -> str:
    text = clean_external_id(value)
    if len(text) > MAX_EXTERNAL_ID:
        raise imp.CellError(_("The external id is longer than 100 characters."))
    return text


def _system_labels() -> dict[str, str]:
    table: dict[str, str] = {value: value for value in ExchangeSystem.values}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in ExchangeSystem.choices:
                table[str(label)] = value
    return table | SYSTEM_SYNONYMS


def id_fields() -> tuple[imp.ImportField, ...]:
    return (
        imp.ImportField(
            "anjian_id",
            "anjian_id",
            ("anjian id", "安监编号", "记录编号", "本系统编号"),
            required=True,
            help="anjian 的记录编号，如 unit:12、inspection:34、hazard:56（见导出文件）。",
            example="hazard:123",
            parse=parse_anjian_id,
            width=18,
        ),
        imp.ImportField(
            "external_id",
            "external_id",
            ("external id", "外部编号", "系统编号", "上级系统编号", "杭州系统编号", "141平台编号"),
            help="上级系统分配的编号；空白的行跳过。",
            example="HZ-2026-000123",
            parse=_parse_external,
            width=24,
        ),
        imp.ImportField(
            "system",
            "system",
            ("系统", "上报系统", "对接系统"),
            help="可不填（用上传时选择的系统）：hangzhou、platform141 或 other。",
            example="hangzhou",
            allowed=lambda: list(ExchangeSystem.values),
            parse=imp.choice_reader(_system_labels(), "系统"),
            width=14,
        ),
    )


class IdImportSpec(imp.ImportSpec):
    """Checks the rows of a file of assigned ids against anjian's records (in ``actor``'s scope)
    and the ids already recorded; writes through ``external_id_set``."""

    kind = "exchange.ids"
    title = "上级系统编号导入"

    def __init__(self, *, actor, run: ImportRun) -> None:
        self.actor = actor
        self.run = run
        self.system = run.options.get("system") or ExchangeSystem.OTHER
        self.replace = bool(run.options.get("replace"))
        self.batch = id_import_batch(run)
        self.fields = id_fields()
        self.without_id = 0
        self.seen_record: dict[tuple[str, str, int], tuple[int, str]] = {}
        self.seen_external: dict[tuple[str, str, str], tuple[int, int]] = {}
        self._plan: dict[int, dict[str, Any]] = {}
        self.scope_paths = sorted(get_scope(actor).paths_for(IMPORT_IDS))
        self.superuser = get_scope(actor).is_superuser

    def bind(self, header: imp.Header) -> None:
        super().bind(header)
        if "external_id" not in {f.key for f in header.columns.values()}:
            raise imp.ImportFileError(
                _("The header row (row %(row)s) lacks the column “external_id” (外部编号).")
                % {"row": header.row}
            )

    def _error(self, row: imp.RowInput, key: str, message: str) -> imp.RowError:
        return imp.RowError(row.number, self.column(key), message)

    def _in_scope(self, path: str) -> bool:
        return self.superuser or any(path.startswith(p) for p in self.scope_paths)

    def _records(self, wanted: dict[str, set[int]]) -> dict[tuple[str, int], dict[str, Any]]:
        """Every wanted record that exists: its label and whether it is in scope."""
        found: dict[tuple[str, int], dict[str, Any]] = {}
        for kind, pks in wanted.items():
            if not pks:
                continue
            model = exports.MODELS[kind]
            allowed = set(
                model.objects.for_action(self.actor, IMPORT_IDS)
                .filter(pk__in=pks)
                .values_list("pk", flat=True)
            )
            qs = model.objects.filter(pk__in=pks)
            qs = (
                qs.select_related("region")
                if kind == RecordKind.UNIT
                else qs.select_related("unit")
            )
            for record in qs:
                found[(kind, record.pk)] = {
                    "label": record_label(kind, record),
                    "allowed": record.pk in allowed,
                }
        return found

    def check_chunk(self, rows: list[imp.RowInput]) -> list[imp.Outcome]:
        default_system = self.system
        wanted: dict[str, set[int]] = {k: set() for k in RecordKind.values}
        parsed = []
        for row in rows:
            ref = row.values.get("anjian_id")
            system = row.values.get("system") or default_system
            ext = row.values.get("external_id", "")
            if ref:
                wanted[ref[0]].add(ref[1])
            parsed.append((row, ref, system, ext))
        records = self._records(wanted)
        # The ids already recorded for these records, and the records holding these ids.
        by_record: dict[tuple[str, str, int], ExternalId] = {}
        by_external: dict[tuple[str, str, str], ExternalId] = {}
        pairs = [(ref, system, ext) for _r, ref, system, ext in parsed if ref]
        if pairs:
            cond = Q()
            for kind, pks in wanted.items():
                if pks:
                    cond |= Q(**{f"{kind}_id__in": sorted(pks)})
            exts = {ext for _ref, _s, ext in pairs if ext}
            if exts:
                cond |= Q(external_id__in=sorted(exts))
            for row in ExternalId.objects.filter(cond).select_related("region"):
                by_record[(row.system, row.kind, row.record_pk)] = row
                by_external[(row.system, row.kind, row.external_id)] = row
        outcomes: list[imp.Outcome] = []
        for row, ref, system, ext in parsed:
            errors = list(row.errors)
            if ref is None or errors:
                outcomes.append(imp.Outcome("reject", errors=errors))
                continue
            kind, pk = ref
            anjian_id = f"{kind}:{pk}"
            if not ext:
                self.without_id += 1
                outcomes.append(imp.Outcome("unchanged", label=anjian_id))
                continue
            found = records.get((kind, pk))
            system_label = str(ExchangeSystem(system).label)
            if found is None:
                errors.append(
                    self._error(
                        row,
                        "anjian_id",
                        _("No record %(id)s exists in anjian.") % {"id": anjian_id},
                    )
                )
            elif not found["allowed"]:
                errors.append(
                    self._error(
                        row,
                        "anjian_id",
                        _(
                            "%(id)s belongs to a town outside your scope; its id cannot be "
                            "recorded here."
                        )
                        % {"id": anjian_id},
                    )
                )
            if errors:
                outcomes.append(imp.Outcome("reject", errors=errors))
                continue
            key = (system, kind, pk)
            if (first := self.seen_record.get(key)) is not None and first[1] != ext:
                errors.append(
                    self._error(
                        row,
                        "external_id",
                        _("Row %(row)s of this file gives %(id)s another id (%(other)s).")
                        % {"row": first[0], "id": anjian_id, "other": first[1]},
                    )
                )
            ext_key = (system, kind, ext)
            if (first_ext := self.seen_external.get(ext_key)) is not None and first_ext[1] != pk:
                errors.append(
                    self._error(
                        row,
                        "external_id",
                        _("Row %(row)s of this file gives the id %(ext)s to another record.")
                        % {"row": first_ext[0], "ext": ext},
                    )
                )
            self.seen_record.setdefault(key, (row.number, ext))
            self.seen_external.setdefault(ext_key, (row.number, pk))
            current = by_record.get(key)
            holder = by_external.get(ext_key)
            if holder is not None and holder.record_pk != pk:
                if self._in_scope(holder.region.path):
                    other = holder.anjian_id
                else:
                    other = _("a record of another town")
                errors.append(
                    self._error(
                        row,
                        "external_id",
                        _("The id %(ext)s of %(system)s is already recorded for %(other)s.")
                        % {"ext": ext, "system": system_label, "other": other},
                    )
                )
            if current is not None and current.external_id != ext and not self.replace:
                errors.append(
                    self._error(
                        row,
                        "external_id",
                        _(
                            "%(record)s already has the id %(current)s in %(system)s; upload "
                            "again with “replace” to change it."
                        )
                        % {
                            "record": found["label"],
                            "current": current.external_id,
                            "system": system_label,
                        },
                    )
                )
            if errors:
                outcomes.append(imp.Outcome("reject", errors=errors))
                continue
            changes = {"external_id": ext, "system": system_label}
            if current is not None and current.external_id == ext:
                outcomes.append(imp.Outcome("unchanged", label=found["label"]))
                continue
            if current is not None:
                changes["before"] = current.external_id
            self._plan[row.number] = {"kind": kind, "pk": pk, "system": system, "ext": ext}
            outcomes.append(
                imp.Outcome(
                    "update" if current is not None else "create",
                    label=f"{anjian_id} {found['label']}",
                    changes=changes,
                    pk=pk,
                )
            )
        return outcomes

    def apply_row(self, row: imp.RowInput, outcome: imp.Outcome) -> int:
        plan = self._plan.pop(row.number)
        saved, _what = external_id_set(
            actor=self.actor,
            kind=plan["kind"],
            record_id=plan["pk"],
            system=plan["system"],
            external_id=plan["ext"],
            replace=self.replace,
            batch=self.batch,
            id_import=self.run,
        )
        return saved.pk

    def error_column(self, key: str) -> str:
        if key == "before":
            return _("previous id")
        return self.column(key)


def _json_records(content: bytes) -> list[dict[str, Any]]:
    """The records of a JSON file: the export's shape, or a list of objects."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise imp.ImportFileError(_("The file is not readable JSON.")) from exc
    records = data.get("records") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise imp.ImportFileError(
            _("The JSON file needs a list of records with “anjian_id” and “external_id”.")
        )
    return records


def _json_to_csv(content: bytes) -> bytes:
    """A JSON file as the CSV the walk reads: the record at position n (from 1) becomes row
    n + 1, after the header row."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["anjian_id", "external_id", "system"])
    for record in _json_records(content):
        writer.writerow(
            [record.get("anjian_id", ""), record.get("external_id", ""), record.get("system", "")]
        )
    return text.getvalue().encode()


class IdImportFlow(ImportFlow):
    """The import of assigned ids on ``anjian.core.import_runs``: runs of kind ``exchange_ids``,
    scoped by ``exchange.import_ids``, with the options ``system``, ``replace`` and ``batch``."""

    kind = ID_IMPORT_KIND
    job_kind = IMPORT_IDS
    action = IMPORT_IDS
    keep_error_sheet = False  # the page lists every rejected row with its reason
    uploaded_audit = ""
    checked_audit = "exchange_id_import.checked"
    applied_audit = "exchange_id_import.applied"
    failed_audit = "exchange_id_import.failed"

    def spec(self, run: ImportRun, actor) -> IdImportSpec:
        return IdImportSpec(actor=actor, run=run)

    def count(self, upload, name: str) -> int:
        if not name.lower().endswith(".json"):
            return super().count(upload, name)
        content = upload.read()
        upload.seek(0)
        try:
            return len(_json_records(content))
        except imp.ImportFileError:
            return 0  # the dry run says why

    @contextmanager
    def source(self, run: ImportRun) -> Iterator[tuple[IO[bytes], str]]:
        with run.source.open("rb") as fh:
            if run.source_name.lower().endswith(".json"):
                yield io.BytesIO(_json_to_csv(fh.read())), "ids.csv"
            else:
                yield fh, run.source_name

    def summary(self, result: imp.ImportResult, spec: IdImportSpec) -> dict[str, Any]:
        summary: dict[str, Any] = result.summary()
        summary["without_id"] = spec.without_id
        summary["unchanged"] -= spec.without_id
        return summary

    def verify_write(self, run: ImportRun, result: imp.ImportResult, spec: IdImportSpec) -> None:
        """The user has seen the rejected rows: the valid rows are recorded, unless more rows
        would be rejected now than in the dry run (the ids changed meanwhile)."""
        more = result.counts["reject"] - int(run.summary.get("reject", 0))
        if more > 0:
            raise ImportRefused(
                _(
                    "Nothing was recorded: %(n)s more rows would be rejected now than in the check "
                    "(the ids changed meanwhile). Upload the file again to see them."
                )
                % {"n": more}
            )

    def apply_label(self, run: ImportRun) -> str:
        return _("Import of assigned ids (confirmed): %(file)s") % {"file": run.source_name}

    def enqueue_check(self, run_id: int) -> None:
        id_import_check_task.enqueue(run_id=run_id)

    def enqueue_apply(self, run_id: int, job_id: int) -> None:
        id_import_apply_task.enqueue(run_id=run_id, job_id=job_id)


ID_IMPORT = IdImportFlow()


def id_import_start(
    *, actor, upload, system: str, replace: bool = False, batch_id: int | None = None
) -> ImportRun:
    """Store an uploaded file of assigned ids and run its dry run (nothing is recorded yet): at
    once for a small file, in the background for a large one (the run is ``checking`` meanwhile)."""
    if not get_scope(actor).can(IMPORT_IDS):
        raise PermissionDenied(_("Your roles do not include importing assigned ids."))
    if system not in ExchangeSystem.values:
        raise ValidationError({"system": _("Choose the system the ids come from.")})
    name = str(getattr(upload, "name", "") or "ids.csv").rsplit("/", 1)[-1][:200]
    if not name.lower().endswith((".xlsx", ".xlsm", ".csv", ".json")):
        raise ValidationError(
            {
                "file": _(
                    "Upload an Excel workbook (.xlsx), a CSV or a JSON file; “%(name)s” is "
                    "none of them."
                )
                % {"name": name}
            }
        )
    if (getattr(upload, "size", 0) or 0) > MAX_UPLOAD:
        raise ValidationError({"file": _("The file is larger than 20 MB; split it.")})
    batch = None
    if batch_id:
        batch = ExportBatch.objects.for_action(actor, IMPORT_IDS).filter(pk=batch_id).first()
        if batch is None:
            raise ValidationError({"batch": _("No such export batch within your scope.")})
    return import_run_start(
        ID_IMPORT,
        actor=actor,
        region=scope_region(actor, IMPORT_IDS),
        upload=upload,
        name=name,
        label=_("Import of assigned ids: %(file)s") % {"file": name},
        options={"system": system, "replace": bool(replace), "batch": batch.pk if batch else None},
    )


@task()
def id_import_check_task(run_id: int) -> dict:
    return import_run_check_in_task(ID_IMPORT, run_id)


def id_import_get_for(actor, import_id: int) -> ImportRun:
    run = ID_IMPORT.runs_for(actor).filter(pk=import_id).first()
    if run is None:
        raise Http404(_("No such import of ids."))
    return run


def id_import_batch(run: ImportRun) -> ExportBatch | None:
    """The export batch the ids of ``run`` answer, if one was chosen (within the uploader's scope
    when the file was uploaded)."""
    batch_id = run.options.get("batch")
    return ExportBatch.objects.filter(pk=batch_id).first() if batch_id else None


def id_import_system_label(run: ImportRun) -> str:
    """The system the ids of ``run`` come from (unless a row names another), as people read it."""
    system = run.options.get("system")
    return str(ExchangeSystem(system).label) if system in ExchangeSystem.values else ""


def id_import_confirm(*, actor, import_id: int) -> ImportRun:
    """Record the valid rows of a checked import, in one transaction with one request id (in the
    background for a large file: the run is ``applying`` meanwhile).

    The user has seen the rejected rows: they are not recorded, the valid rows are. If the data
    changed since the dry run so that more rows would be rejected now, nothing is recorded and the
    import is marked failed (upload it again to see the new check)."""
    if not get_scope(actor).can(IMPORT_IDS):
        raise PermissionDenied(_("Your roles do not include importing assigned ids."))
    run = id_import_get_for(actor, import_id)
    import_run_apply(ID_IMPORT, actor=actor, run_id=run.pk)
    return id_import_get_for(actor, run.pk)


@task()
def id_import_apply_task(run_id: int, job_id: int) -> dict:
    return import_run_write_in_task(ID_IMPORT, run_id, job_id)


def id_template_bytes() -> bytes:
    return imp.template_workbook(
        "上级系统编号",
        id_fields(),
        (
            "每行一条：anjian_id 为导出文件中的编号，external_id 为上级系统分配的编号。",
            "也可以直接上传导出的 CSV 文件，在 external_id 列填好编号即可；空白的行会跳过。",
        ),
    )
