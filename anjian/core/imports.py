"""A small import framework for the spreadsheets offices really keep.

An app describes its columns once (``ImportField``: the template header, its aliases, whether it is
required, how to read a cell) and writes an ``ImportSpec`` (how to check one row against the
database and how to write it). This module does the rest, the same way for every import:

- ``read_rows``: streams the rows of an ``.xlsx`` (openpyxl, read-only mode) or ``.csv`` file;
- ``locate_header``: finds the header row under any number of title rows, also under merged
  (two-level) headers, by matching known header names (full-width characters, spaces, ``*`` and
  "(必填)" ignored);
- ``clean_text``/``parse_date``/``parse_int``/…: tolerant readers of one cell (full-width characters,
  stray spaces, dates as 2024-5-1, 2024/05/01, 2024年5月1日, 20240501 or Excel serial numbers);
- ``run_import``: walks the rows in chunks (so that the spec can batch its queries and memory does
  not grow with the file), skips blank and total rows (合计/总计), collects ``RowError(row, column,
  message)`` and writes the rejected rows to an error sheet with a 错误原因 column;
- ``template_workbook``: the downloadable template (headers, an example row, a sheet explaining
  each column and its allowed values).

Dry run and application are the same walk: ``apply=False`` only checks, ``apply=True`` also writes
(the caller wraps it in one transaction). The flow around the walk — the ``ImportRun``, its jobs, the
confirmation, the background path — is ``anjian.core.import_runs``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

MAX_HEADER_SCAN = 20
CHUNK_SIZE = 500
KEEP_REJECTS = 200
KEEP_PREVIEW = 200
ERROR_COLUMN = "错误原因"
ROW_COLUMN = "原行号"
TOTAL_WORDS = {"合计", "总计", "小计", "总计数", "合计数", "共计"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header row, missing required columns)."""


class CellError(ValueError):
    """A cell cannot be read; the message is shown to the user as the reason."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class ImportField:
    """One column of an import: ``header`` is the template's header, ``aliases`` the other names
    real sheets use. ``parse`` turns a non-empty cell into a value or raises ``CellError``."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    example: Any = ""
    allowed: Callable[[], Sequence[str]] | None = None
    parse: Callable[[Any], Any] | None = None
    width: int = 16

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.header, *self.aliases)}


# --- Reading cells ---------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff\uff08\uff09（）"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")


def to_half_width(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def clean_text(value: Any) -> str:
    """A cell as text: stray spaces trimmed and collapsed, spaces next to Chinese characters
    removed; numbers that are whole (12.0) written without decimals. Full-width punctuation in
    names (（）) is kept as typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        value = value.date()
    text = _SPACES.sub(" ", str(value)).strip()
    return _SPACE_NEXT_TO_CJK.sub("", text)


def clean_code(value: Any) -> str:
    """A code or number: half-width, every space removed (also inside), upper case."""
    return _SPACES.sub("", to_half_width(clean_text(value))).upper()


def match_key(value: Any) -> str:
    """A key for comparing names: half-width, no spaces, case-folded."""
    return _SPACES.sub("", to_half_width(clean_text(value))).casefold()


def normalize_header(value: Any) -> str:
    text = match_key(value)
    text = re.sub(r"\((必填|选填|必须|可选|required|optional)\)", "", text)
    return text.strip("*:：").replace("*", "")


def display_header(text: str) -> str:
    """A header as the sheet wrote it, without the required-marks (``*``, （必填）)."""
    text = re.sub(r"[*＊]|[（(]\s*(必填|选填)\s*[)）]", "", text)
    return text.strip()


EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: Any) -> datetime.date:
    """A date from a cell: a real date, an Excel serial number, or text such as 2024-5-1,
    2024/05/01, 2024.5.1, 2024年5月1日 or 20240501."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    text = clean_code(value)
    if re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    elif m := _DATE_TEXT.match(text):
        parts = m.groups()
    elif re.fullmatch(r"\d{4,5}(\.0+)?", text):
        return _serial(float(text))
    else:
        m = None
        parts = None
    if parts is None:
        raise CellError(
            _("“%(value)s” is not a date; write it as 2024-05-01 or 2024年5月1日.")
            % {"value": clean_text(value)}
        )
    try:
        return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise CellError(
            _("“%(value)s” is not a day of the calendar.") % {"value": clean_text(value)}
        ) from exc


def _serial(number: float) -> datetime.date:
    if not 1 <= number < 2958466:
        raise CellError(_("“%(value)s” is not a date.") % {"value": clean_text(number)})
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def parse_int(value: Any) -> int:
    text = clean_code(value).replace(",", "")
    text = re.sub(r"(人|名|个)$", "", text)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(
            _("“%(value)s” is not a whole number.") % {"value": clean_text(value)}
        ) from exc
    if number != number.to_integral_value() or number < 0:
        raise CellError(
            _("“%(value)s” is not a whole number of zero or more.") % {"value": clean_text(value)}
        )
    return int(number)


def parse_decimal(value: Any, *, low: float, high: float, places: int = 6) -> Decimal:
    text = clean_code(value)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(_("“%(value)s” is not a number.") % {"value": clean_text(value)}) from exc
    if not low <= number <= high:
        raise CellError(
            _("%(value)s is outside %(low)s to %(high)s.")
            % {"value": text, "low": low, "high": high}
        )
    return number.quantize(Decimal(1).scaleb(-places))


def choice_reader(labels: dict[str, str], what: str) -> Callable[[Any], str]:
    """A reader that maps any of ``labels`` (label or code → value, compared by ``match_key``)."""
    table = {match_key(k): v for k, v in labels.items()}

    def read(value: Any) -> str:
        key = match_key(value)
        if key in table:
            return table[key]
        raise CellError(
            _("“%(value)s” is not a known %(what)s; see the sheet “说明” of the template.")
            % {"value": clean_text(value), "what": what}
        )

    return read


# --- Reading files ---------------------------------------------------------------------------------


def read_rows(file: IO[bytes], name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``(row number, cell values)`` of the first sheet, as in Excel (row 1 is the first)."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        yield from _xlsx_rows(file)
    elif suffix in {".csv", ".txt"}:
        yield from _csv_rows(file)
    elif suffix == ".xls":
        raise ImportFileError(
            _(
                "Old Excel files (.xls) cannot be read: open it in Excel or WPS and save it as .xlsx."
            )
        )
    else:
        raise ImportFileError(_("Upload an Excel workbook (.xlsx) or a CSV file."))


def _xlsx_rows(file: IO[bytes]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException…
        raise ImportFileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    try:
        ws = wb.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, tuple(row)
    finally:
        wb.close()


def _csv_rows(file: IO[bytes]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    head = file.read(4096)
    file.seek(0)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = "gb18030"  # what Excel on a Chinese Windows writes
    text = io.TextIOWrapper(file, encoding=encoding, errors="replace", newline="")
    try:
        for number, row in enumerate(csv.reader(text), start=1):
            yield number, tuple(row)
    finally:
        text.detach()


@dataclass
class Header:
    row: int
    columns: dict[int, ImportField]  # column index → field
    titles: dict[int, str]  # column index → the header as the sheet wrote it
    width: int = 0  # the number of columns of the header row

    def title(self, index: int) -> str:
        return self.titles.get(index, "")


def _forward_fill(row: Sequence[Any]) -> list[str]:
    out, last = [], ""
    for value in row:
        text = clean_text(value)
        last = text or last
        out.append(last)
    return out


def _match_row(
    row: Sequence[Any], above: Sequence[Any] | None, fields: Sequence[ImportField]
) -> tuple[dict[int, ImportField], dict[int, str]]:
    names = {f.key: f.names() for f in fields}
    parents = _forward_fill(above) if above is not None else []
    columns: dict[int, ImportField] = {}
    titles: dict[int, str] = {}
    used: set[str] = set()
    for index, value in enumerate(row):
        child = clean_text(value)
        parent = parents[index] if index < len(parents) else ""
        raw_above = clean_text(above[index]) if above is not None and index < len(above) else ""
        candidates = [child] if child else [raw_above or parent]
        if child and parent:  # a merged parent over this column: 主要负责人 / 手机
            candidates = [parent + child, parent + "(" + child + ")", child]
        for text in candidates:
            key = normalize_header(text)
            if not key:
                continue
            hit = next((f for f in fields if f.key not in used and key in names[f.key]), None)
            if hit is not None:
                columns[index] = hit
                titles[index] = display_header(text)
                used.add(hit.key)
                break
    return columns, titles


def locate_header(
    rows: Iterator[tuple[int, tuple[Any, ...]]], fields: Sequence[ImportField]
) -> tuple[Header, Iterator[tuple[int, tuple[Any, ...]]]]:
    """Find the header among the first rows: the row matching the most known headers (the row
    above is read too, for two-level merged headers). Returns the header and the data rows."""
    scanned: list[tuple[int, tuple[Any, ...]]] = []
    for item in rows:
        scanned.append(item)
        if len(scanned) >= MAX_HEADER_SCAN:
            break
    best: tuple[int, dict[int, ImportField], dict[int, str], int] | None = None
    for position, (number, values) in enumerate(scanned):
        above = scanned[position - 1][1] if position else None
        columns, titles = _match_row(values, above, fields)
        required = {f.key for f in fields if f.required}
        plausible = len(columns) >= 2 or (columns and required <= {f.key for f in columns.values()})
        if plausible and (best is None or len(columns) > len(best[1])):
            best = (number, columns, titles, position)
    if best is None:
        raise ImportFileError(
            _(
                "No header row was found in the first %(n)s rows: the sheet needs a row of column "
                "names such as “%(example)s”. Download the template to see them."
            )
            % {"n": MAX_HEADER_SCAN, "example": "、".join(f.header for f in fields[:3])}
        )
    number, columns, titles, position = best
    found = {f.key for f in columns.values()}
    missing = [f.header for f in fields if f.required and f.key not in found]
    if missing:
        raise ImportFileError(
            _("The header row (row %(row)s) lacks the required column(s): %(missing)s.")
            % {"row": number, "missing": "、".join(missing)}
        )

    def rest() -> Iterator[tuple[int, tuple[Any, ...]]]:
        yield from scanned[position + 1 :]
        yield from rows

    header_cells = scanned[position][1]
    width = max(max(columns) + 1, len(header_cells))
    for index, value in enumerate(header_cells):
        if index not in titles and clean_text(value):
            titles[index] = display_header(clean_text(value))
    return Header(row=number, columns=columns, titles=titles, width=width), rest()


def is_blank(values: Iterable[Any]) -> bool:
    return all(clean_text(v) == "" for v in values)


def is_header_repeat(values: Sequence[Any], header_keys: set[str]) -> bool:
    filled = [normalize_header(v) for v in values if clean_text(v)]
    hits = sum(1 for key in filled if key in header_keys)
    return hits >= 3 and hits * 2 >= len(filled)


def is_total(values: Sequence[Any]) -> bool:
    """A 合计/总计 row: one of its first filled cells says so."""
    filled = [match_key(v) for v in values if clean_text(v)][:3]
    return any(text.rstrip(":：") in TOTAL_WORDS for text in filled)


# --- The walk ---------------------------------------------------------------------------------------


@dataclass
class RowInput:
    """One data row: its number, the raw cells and the values read per field key (errors apart)."""

    number: int
    raw: tuple[Any, ...]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Outcome:
    """What the spec decided for one row: ``create``, ``update``, ``unchanged`` or ``reject``."""

    action: str
    errors: list[RowError] = field(default_factory=list)
    label: str = ""
    # create: every value of the row; update: the values that differ.
    changes: dict[str, Any] = field(default_factory=dict)
    pk: int | None = None


class ImportSpec:
    """Subclass per import. ``check_chunk`` decides per row (batching its queries per chunk);
    ``apply_row`` writes one row decided ``create``/``update`` through the app's services and
    returns the saved pk (a django ValidationError turns the row into a rejection)."""

    kind = ""
    title = ""
    fields: Sequence[ImportField] = ()

    def display_value(self, key: str, value: Any) -> Any:
        """How a value reads in the dry-run preview (a choice's label rather than its code)."""
        return _jsonable(value)

    def check_chunk(self, rows: list[RowInput]) -> list[Outcome]:
        raise NotImplementedError

    def apply_row(self, row: RowInput, outcome: Outcome) -> int:
        raise NotImplementedError

    titles: dict[str, str] = {}

    def bind(self, header: Header) -> None:
        """Remember how this sheet names each column (errors name the sheet's own headers)."""
        self.titles = {f.key: header.titles[i] for i, f in header.columns.items()}

    def column(self, key: str) -> str:
        """The column to name for an error on field ``key``: the sheet's header, else ours."""
        if key in self.titles:
            return self.titles[key]
        return next((f.header for f in self.fields if f.key == key), key)

    def error_column(self, key: str) -> str:
        """The column to name for a service's error on field ``key``."""
        return self.column(key)

    def verify(self, saved: list[int]) -> None:
        """Save-then-verify: raise when a saved row is not within the actor's scope."""


def read_cells(header: Header, number: int, values: tuple[Any, ...]) -> RowInput:
    row = RowInput(number=number, raw=values)
    for index, spec_field in header.columns.items():
        raw = values[index] if index < len(values) else None
        if clean_text(raw) == "":
            continue
        if spec_field.parse is None:
            row.values[spec_field.key] = clean_text(raw)
            continue
        try:
            row.values[spec_field.key] = spec_field.parse(raw)
        except CellError as exc:
            row.errors.append(RowError(number, header.titles[index], str(exc)))
    for index, spec_field in header.columns.items():
        if (
            spec_field.required
            and spec_field.key not in row.values
            and not any(e.column == header.titles[index] for e in row.errors)
        ):
            row.errors.append(
                RowError(
                    number,
                    header.titles[index],
                    _("“%(column)s” is required.") % {"column": header.titles[index]},
                )
            )
    return row


@dataclass
class ImportResult:
    rows: int = 0
    skipped: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {"create": 0, "update": 0, "unchanged": 0, "reject": 0}
    )
    rejects: list[dict[str, Any]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    saved: int = 0  # rows written (each chunk verified as it is saved; ids are not kept)
    error_sheet: bytes | None = None
    header_row: int = 0

    def summary(self) -> dict[str, int]:
        return {"rows": self.rows, "skipped": self.skipped, **self.counts}


class ErrorSheet:
    """The rejected rows as they were, with the original row number and a 错误原因 column. Written
    in openpyxl's write-only mode, which streams rows to a temporary file."""

    def __init__(self, header: Header, width: int) -> None:
        from openpyxl import Workbook

        from anjian.core.export import append_row

        self.append = append_row
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet("错误行")
        titles = [header.title(i) for i in range(width)]
        self.append(self.ws, [ROW_COLUMN, *titles, ERROR_COLUMN])
        self.width = width
        self.count = 0

    def add(self, row: RowInput, errors: list[RowError]) -> None:
        cells = list(row.raw[: self.width]) + [None] * (self.width - len(row.raw))
        reason = "；".join(f"{e.column}：{e.message}" if e.column else e.message for e in errors)
        self.append(self.ws, [row.number, *cells, reason])
        self.count += 1

    def bytes(self) -> bytes:
        with tempfile.TemporaryFile() as tmp:
            self.wb.save(tmp)
            tmp.seek(0)
            return tmp.read()


def run_import(
    spec: ImportSpec,
    file: IO[bytes],
    name: str,
    *,
    apply: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Walk the file once: read, check (and with ``apply`` write) chunk by chunk."""
    header, data = locate_header(read_rows(file, name), spec.fields)
    spec.bind(header)
    result = ImportResult(header_row=header.row)
    sheet: ErrorSheet | None = None  # made at the first rejection (an unsaved one leaks a file)
    header_keys = {normalize_header(t) for t in header.titles.values()}
    header_keys |= {name for f in spec.fields for name in f.names()}
    mapped = sorted(header.columns)
    chunk: list[RowInput] = []

    def flush() -> None:
        outcomes = spec.check_chunk(chunk)
        saved: list[int] = []
        for row, outcome in zip(chunk, outcomes, strict=True):
            if apply and outcome.action in {"create", "update"}:
                try:
                    saved.append(spec.apply_row(row, outcome))
                except DjangoValidationError as exc:
                    outcome = Outcome("reject", errors=_service_errors(spec, row, exc))
            result.counts[outcome.action] += 1
            if outcome.action == "reject":
                nonlocal sheet
                errors = outcome.errors or row.errors
                if sheet is None:
                    sheet = ErrorSheet(header, header.width)
                sheet.add(row, errors)
                for error in errors:
                    if len(result.rejects) < KEEP_REJECTS:
                        result.rejects.append(error.as_dict())
            elif outcome.action in {"create", "update"} and len(result.preview) < KEEP_PREVIEW:
                result.preview.append(
                    {
                        "row": row.number,
                        "action": outcome.action,
                        "label": outcome.label,
                        "changes": {
                            spec.error_column(k) or k: spec.display_value(k, v)
                            for k, v in outcome.changes.items()
                        },
                    }
                )
        if saved:
            # Save-then-verify chunk by chunk, so memory stays flat however long the file is.
            spec.verify(saved)
            result.saved += len(saved)
        if progress is not None:
            progress(result.rows)
        chunk.clear()

    for number, values in data:
        if is_blank(values[i] for i in mapped if i < len(values)) or is_total(values):
            # Blank rows, rows with only a serial number (序号) and 合计/总计 rows.
            result.skipped += 1
            continue
        if is_header_repeat(values, header_keys):
            result.skipped += 1  # the header repeated (a sheet printed over several pages)
            continue
        result.rows += 1
        chunk.append(read_cells(header, number, values))
        if len(chunk) >= CHUNK_SIZE:
            flush()
    if chunk:
        flush()
    if sheet is not None:
        result.error_sheet = sheet.bytes()
    return result


def _service_errors(spec: ImportSpec, row: RowInput, exc: DjangoValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(row.number, spec.error_column(key), message)
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError(row.number, "", message) for message in exc.messages]


def _jsonable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "、".join(str(_jsonable(v)) for v in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def count_rows(file: IO[bytes], name: str, *, limit: int | None = None) -> int:
    """The number of rows of the first sheet (at most ``limit``), from the sheet's recorded
    dimension, else by streaming the rows. The file is rewound."""
    suffix = PurePath(name or "").suffix.lower()
    rows = 0
    try:
        if suffix in {".xlsx", ".xlsm"}:
            from openpyxl import load_workbook

            wb = load_workbook(file, read_only=True)
            try:
                ws = wb.worksheets[0]
                rows = ws.max_row if ws.max_row and ws.max_row > 1 else 0
                if not rows:  # no dimension recorded (write-only files): count
                    for rows, _row in enumerate(ws.iter_rows(values_only=True), start=1):
                        if limit and rows >= limit:
                            break
            finally:
                wb.close()
        else:
            for rows, _line in enumerate(file, start=1):
                if limit and rows >= limit:
                    break
    except Exception:
        rows = 0  # unreadable: the walk reports why
    finally:
        file.seek(0)
    return min(rows, limit) if limit else rows


# --- The template ----------------------------------------------------------------------------------


def template_workbook(
    title: str, fields: Sequence[ImportField], notes: Sequence[str] = ()
) -> bytes:
    """The downloadable template: headers (required ones marked ``*``), one example row, and a
    sheet 说明 that explains every column and lists its allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from anjian.core.export import append_row
    from anjian.core.safe_text import sheet_title

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(title)
    append_row(ws, [f"{f.header}*" if f.required else f.header for f in fields])
    append_row(ws, [f.example for f in fields])
    for index, spec_field in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if spec_field.required else "000000")
        cell.fill = PatternFill("solid", fgColor="EEEEEE")
        ws.column_dimensions[get_column_letter(index)].width = spec_field.width
    ws.freeze_panes = "A2"
    help_sheet = wb.create_sheet("说明")
    append_row(help_sheet, ["列名", "是否必填", "说明", "可填写的值"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for spec_field in fields:
        allowed = "、".join(spec_field.allowed()) if spec_field.allowed else ""
        append_row(
            help_sheet,
            [spec_field.header, "必填" if spec_field.required else "", spec_field.help, allowed],
        )
    for note in notes:
        append_row(help_sheet, [])
        append_row(help_sheet, [note])
    for letter, width in zip("ABCD", (18, 10, 60, 80), strict=True):
        help_sheet.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
