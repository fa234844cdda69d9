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
from functools import partial
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
    # The value for the whole file from the sheet's title (“…工业企业名录” → 企业), or None.
    from_title: Callable[[str], Any] | None = None
    # Whether one value for the whole file may stand in for a missing column.
    ask: bool = False

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
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?\.?$")
_MONTH_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?\.?$")
_TIME_TAIL = re.compile(r"(T|\s)+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


@dataclass(frozen=True)
class Noted:
    """A value read from a cell that said more than the value (“约73人” → 73): the row is kept
    and ``note`` is shown on it as a warning."""

    value: Any
    note: str


def parse_date(value: Any, *, month_ok: bool = False) -> datetime.date:
    """A date from a cell: a real date, an Excel serial number, or text such as 2024-5-1,
    2024/05/01, 2024.5.1, 2024年5月1日, 20240501 or 2024-05-01 00:00:00. ``month_ok``: a year and
    month alone (2024.5, 2024年5月, 202405) is read as the first day of that month."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    text = _TIME_TAIL.sub("", _SPACES.sub(" ", to_half_width(clean_text(value))).strip())
    text = _SPACES.sub("", text)
    parts: tuple[str, ...] | None = None
    if re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    elif m := _DATE_TEXT.match(text):
        parts = m.groups()
    elif (m := _MONTH_TEXT.match(text)) or re.fullmatch(r"(19|20)\d{2}(0[1-9]|1[0-2])", text):
        year, month = m.groups() if m else (text[:4], text[4:])
        if not month_ok:
            raise CellError(
                _("“%(value)s” gives no day; write the whole date, e.g. 2024-05-01.")
                % {"value": clean_text(value)}
            )
        parts = (year, month, "1")
    elif re.fullmatch(r"\d{4,5}(\.\d+)?", text):
        return _serial(float(text))
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


def parse_month_or_date(value: Any) -> datetime.date:
    """A date where the field allows a year and month alone (the first of the month)."""
    return parse_date(value, month_ok=True)


def _serial(number: float) -> datetime.date:
    if not 1 <= number < 2958466:
        raise CellError(_("“%(value)s” is not a date.") % {"value": clean_text(number)})
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def _number_text(value: Any) -> str:
    return _SPACES.sub("", to_half_width(clean_text(value))).replace(",", "")


def parse_int(value: Any) -> int:
    """A whole number of zero or more (“25人” read as 25); see ``parse_count`` for a cell that
    says more than the number."""
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


def parse_count(value: Any) -> int | Noted:
    """A whole number of zero or more. Written with words or units (“约73人”, “73人”, “73 人”,
    “73（含临时工）”, full-width digits), the one number of the cell is read and the row gets a
    warning; a cell with several numbers or none is refused."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value})
    text = _number_text(value)
    if _PLAIN_NUMBER.fullmatch(text):
        number = Decimal(text)
        if number != number.to_integral_value() or number < 0:
            raise CellError(
                _("“%(value)s” is not a whole number of zero or more.")
                % {"value": clean_text(value)}
            )
        return int(number)
    numbers = _NUMBER.findall(_BRACKETS.sub("", text))
    if len(numbers) != 1 or "." in numbers[0]:
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": clean_text(value)})
    number = int(numbers[0])
    return Noted(
        number,
        _("“%(value)s” was read as %(number)s.") % {"value": clean_text(value), "number": number},
    )


_AMOUNT_UNITS = {
    "亿元": Decimal(100_000_000),
    "亿": Decimal(100_000_000),
    "万元": Decimal(10_000),
    "万": Decimal(10_000),
    "元": Decimal(1),
    "": None,
}
_AMOUNT = re.compile(r"^(约|大约|近|共|计|合计)?(-?\d+(?:\.\d+)?)(亿元|亿|万元|万|元)?(左右)?$")


def parse_amount(value: Any, *, unit: str = "元") -> Decimal | Noted:
    """An amount of money in ``unit`` (元 or 万元): 3000, 3,000元, 1.2万元, 1.2万, 0.5亿元. A
    number without a unit is taken in ``unit``; “约3万元” is read with a warning."""
    scale = _AMOUNT_UNITS[unit]
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = _number_text(value)
    m = _AMOUNT.match(text)
    if m is None:
        raise CellError(_("“%(value)s” is not an amount of money.") % {"value": clean_text(value)})
    word, number, written_unit, about = m.groups()
    amount = Decimal(number)
    if written_unit:
        amount = amount * _AMOUNT_UNITS[written_unit] / scale
    amount = amount.normalize() if amount == amount.to_integral_value() else amount
    if amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    if word or about:
        return Noted(
            amount,
            _("“%(value)s” was read as %(number)s %(unit)s.")
            % {"value": clean_text(value), "number": amount, "unit": unit},
        )
    return amount


_YES = {"是", "有", "√", "✓", "✔", "☑", "y", "yes", "true", "t", "1", "对", "已", "涉及", "具备"}
_NO = {
    "否",
    "无",
    "×",
    "✗",
    "✘",
    "x",
    "☐",
    "n",
    "no",
    "false",
    "f",
    "0",
    "不是",
    "没有",
    "未",
    "不涉及",
    "不具备",
}


def parse_bool(value: Any) -> bool:
    """Yes or no: 是/否, 有/无, √/×, ✓/✗, Y/N, 1/0, TRUE/FALSE, and 是（X类）."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _number_text(value).casefold()
    if text in _YES or text in _NO:
        return text in _YES
    head = _BRACKETS.sub("", text).strip(",;:")
    if head in _YES or head in _NO:
        return head in _YES
    raise CellError(
        _("“%(value)s” is neither yes nor no; write 是 or 否.") % {"value": clean_text(value)}
    )


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

SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_FILES = {".csv", ".txt"}
ACCEPTED = tuple(sorted(SPREADSHEETS | TEXT_FILES))
NOTES_SHEETS = {
    "说明",
    "填表说明",
    "填报说明",
    "备注",
    "注意事项",
    "notes",
    "instructions",
    "readme",
}


@dataclass
class Sheet:
    """One sheet as a person reads it: ``rows()`` gives ``(row number, cell values)`` (row 1 is
    the first, as in Excel) with every vertically merged cell's value carried down to the rows
    it covers; ``carried`` holds the ``(row number, column index)`` cells that got their value so."""

    name: str
    _rows: Callable[[], Iterator[tuple[int, tuple[Any, ...]]]]
    carried: set[tuple[int, int]] = field(default_factory=set)

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        return self._rows()


def read_sheets(file: IO[bytes], name: str) -> list[Sheet]:
    """The sheets of a workbook (.xlsx, .xls, .ods, .xlsb, read by python-calamine) or the one
    sheet of a CSV file (UTF-8 with or without BOM, or GB18030)."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix in TEXT_FILES:
        return [Sheet(PurePath(name).stem, lambda: _csv_rows(file))]
    if suffix not in SPREADSHEETS:
        raise ImportFileError(
            _("Upload an Excel or WPS workbook (.xlsx, .xls, .ods) or a CSV file.")
        )
    from python_calamine import CalamineWorkbook

    try:
        file.seek(0)
        book = CalamineWorkbook.from_filelike(file)
        names = [
            m.name
            for m in book.sheets_metadata
            if str(getattr(m.visible, "name", "Visible")) == "Visible"
            and str(getattr(m.typ, "name", "WorkSheet")) == "WorkSheet"
        ] or list(book.sheet_names)
    except Exception as exc:  # CalamineError, zip errors, an .xls that is not one…
        raise ImportFileError(
            _("The file is not a readable workbook (.xlsx, .xls or .ods).")
        ) from exc
    ods_merges = _ods_merges(file) if suffix == ".ods" else {}
    sheets = []
    for sheet_name in names:
        sheet = Sheet(sheet_name, lambda: iter(()))
        sheet._rows = partial(
            _calamine_rows, book, sheet_name, sheet.carried, ods_merges.get(sheet_name)
        )
        sheets.append(sheet)
    return sheets


def _ods_merges(file: IO[bytes]) -> dict[str, list]:
    """Merged ranges of an .ods file per sheet (calamine gives none for this format), read from
    its content.xml: cells with ``table:number-rows-spanned``."""
    import zipfile
    from xml.etree.ElementTree import iterparse

    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    name_attr, rows_rep = f"{{{table_ns}}}name", f"{{{table_ns}}}number-rows-repeated"
    cols_rep, rows_span = (
        f"{{{table_ns}}}number-columns-repeated",
        f"{{{table_ns}}}number-rows-spanned",
    )
    merges: dict[str, list] = {}
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive, archive.open("content.xml") as content:
            sheet, row, column = "", -1, 0
            # ElementTree resolves no external entities, and expat ≥ 2.4 bounds entity
            # expansion; an upload is at most 50 MB.
            for event, element in iterparse(content, events=("start", "end")):  # noqa: S314
                tag = element.tag.rsplit("}", 1)[-1]
                if event == "start" and tag == "table":
                    sheet, row = element.get(name_attr, ""), -1
                elif event == "start" and tag == "table-row":
                    row, column = row + 1, 0
                elif event == "end" and tag == "table-row":
                    row += int(element.get(rows_rep, "1")) - 1
                    element.clear()
                elif event == "start" and tag in {"table-cell", "covered-table-cell"}:
                    span = int(element.get(rows_span, "1"))
                    if span > 1:
                        merges.setdefault(sheet, []).append(
                            ((row, column), (row + span - 1, column))
                        )
                    column += int(element.get(cols_rep, "1"))
    except Exception:
        return {}  # no merges rather than no import
    finally:
        file.seek(0)
    return merges


def _calamine_rows(
    book: Any, sheet_name: str, carried: set[tuple[int, int]], extra_merges: list | None = None
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        ws = book.get_sheet_by_name(sheet_name)
    except Exception as exc:
        raise ImportFileError(
            _("The sheet “%(sheet)s” cannot be read.") % {"sheet": sheet_name}
        ) from exc
    # Vertical merges: (first row, column) → last row, 0-based as calamine gives them.
    downs: dict[tuple[int, int], int] = {}
    try:
        ranges = ws.merged_cell_ranges or extra_merges or []
    except Exception:  # a format without merged ranges
        ranges = extra_merges or []
    for (r1, c1), (r2, _c2) in ranges:
        if r2 > r1:
            downs[(r1, c1)] = r2
    first_row, first_col = ws.start or (0, 0)
    active: dict[int, tuple[int, Any]] = {}  # column → (last row, value) of a merge in course
    for offset, cells in enumerate(ws.iter_rows()):
        index = first_row + offset
        values = [None] * first_col + [None if v == "" else v for v in cells]
        for column, (last, value) in list(active.items()):
            if index > last:
                del active[column]
            elif column < len(values) and values[column] is None:
                values[column] = value
                carried.add((index + 1, column))
        if downs:
            for column, value in enumerate(values):
                if (index, column) in downs:
                    active[column] = (downs[(index, column)], value)
        yield index + 1, tuple(values)


def read_rows(file: IO[bytes], name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``(row number, cell values)`` of the first sheet, merged cells carried down."""
    yield from read_sheets(file, name)[0].rows()


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
    missing: list[ImportField] = field(default_factory=list)  # required fields without a column
    above: str = ""  # the text of the rows above the header (the sheet's title)
    unknown: dict[int, str] = field(default_factory=dict)  # headers matching no field
    ignored: dict[int, str] = field(default_factory=dict)  # headers the user chose to ignore

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
    row: Sequence[Any],
    above: Sequence[Any] | None,
    fields: Sequence[ImportField],
    mapping: dict[str, str] | None = None,
) -> tuple[dict[int, ImportField], dict[int, str], dict[int, str]]:
    names = {f.key: f.names() for f in fields}
    by_key = {f.key: f for f in fields}
    mapping = mapping or {}
    parents = _forward_fill(above) if above is not None else []
    columns: dict[int, ImportField] = {}
    titles: dict[int, str] = {}
    ignored: dict[int, str] = {}
    used: set[str] = set()
    for index, value in enumerate(row):
        child = clean_text(value)
        parent = parents[index] if index < len(parents) else ""
        raw_above = clean_text(above[index]) if above is not None and index < len(above) else ""
        candidates = [child] if child else [raw_above or parent]
        if child and parent and parent != child:  # a merged parent over this column
            candidates = [parent + child, parent + "(" + child + ")", child]
        for text in candidates:
            key = normalize_header(text)
            if not key:
                continue
            hit = next((f for f in fields if f.key not in used and key in names[f.key]), None)
            if hit is None and key in mapping:  # the town's own name for a column
                if not mapping[key]:
                    ignored[index] = display_header(text)
                    break
                hit = by_key.get(mapping[key])
                hit = hit if hit is not None and hit.key not in used else None
            if hit is not None:
                columns[index] = hit
                titles[index] = display_header(text)
                used.add(hit.key)
                break
    return columns, titles, ignored


def locate_header(
    rows: Iterator[tuple[int, tuple[Any, ...]]],
    fields: Sequence[ImportField],
    *,
    mapping: dict[str, str] | None = None,
    strict: bool = True,
) -> tuple[Header, Iterator[tuple[int, tuple[Any, ...]]]]:
    """Find the header among the first rows: the row matching the most known headers (the row
    above is read too, for two-level merged headers). Returns the header and the data rows.

    ``mapping``: normalised header → field key ("" to ignore the column), the names a town gave.
    ``strict``: refuse a header without a required column; otherwise ``Header.missing`` lists
    them (the caller asks for one value for the whole file)."""
    scanned: list[tuple[int, tuple[Any, ...]]] = []
    for item in rows:
        scanned.append(item)
        if len(scanned) >= MAX_HEADER_SCAN:
            break
    best: tuple[int, dict[int, ImportField], dict[int, str], dict[int, str], int] | None = None
    required = {f.key for f in fields if f.required}
    for position, (number, values) in enumerate(scanned):
        above = scanned[position - 1][1] if position else None
        columns, titles, ignored = _match_row(values, above, fields, mapping)
        plausible = len(columns) >= 2 or (columns and required <= {f.key for f in columns.values()})
        if plausible and (best is None or len(columns) > len(best[1])):
            best = (number, columns, titles, ignored, position)
    if best is None:
        raise ImportFileError(
            _(
                "No header row was found in the first %(n)s rows: the sheet needs a row of column "
                "names such as “%(example)s”. Download the template to see them."
            )
            % {"n": MAX_HEADER_SCAN, "example": "、".join(f.header for f in fields[:3])}
        )
    number, columns, titles, ignored, position = best
    found = {f.key for f in columns.values()}
    missing = [f for f in fields if f.required and f.key not in found]
    if missing and strict:
        raise ImportFileError(
            _("The header row (row %(row)s) lacks the required column(s): %(missing)s.")
            % {"row": number, "missing": "、".join(f.header for f in missing)}
        )

    def rest() -> Iterator[tuple[int, tuple[Any, ...]]]:
        yield from scanned[position + 1 :]
        yield from rows

    header_cells = scanned[position][1]
    parent_cells = scanned[position - 1][1] if position else ()
    width = max(max(columns) + 1, len(header_cells))
    unknown: dict[int, str] = {}
    for index in range(max(len(header_cells), len(parent_cells))):
        value = header_cells[index] if index < len(header_cells) else None
        if not clean_text(value) and index < len(parent_cells):
            value = parent_cells[index]  # a header merged down over two rows
        if index not in titles and clean_text(value):
            titles[index] = display_header(clean_text(value))
            if index not in ignored and normalize_header(value) not in {
                "序号",
                "编号",
                "no",
                "no.",
            }:
                unknown[index] = titles[index]
    width = max(width, max(titles, default=0) + 1)
    # The sheet's title: the rows above the header that are not headers themselves.
    above_text = " ".join(
        clean_text(v)
        for _n, cells in scanned[:position]
        if not _match_row(cells, None, fields, mapping)[0]
        for v in cells
        if v
    )
    header = Header(
        row=number,
        columns=columns,
        titles=titles,
        width=width,
        missing=missing,
        above=above_text,
        unknown=unknown,
        ignored=ignored,
    )
    return header, rest()


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
    """One data row: its number, the raw cells and the values read per field key (errors apart);
    ``warnings`` for cells read with a guess (“约73人” → 73), ``carried`` the columns whose value
    came from a merged cell above."""

    number: int
    raw: tuple[Any, ...]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)


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
    returns the saved pk (a django ValidationError turns the row into a rejection).
    ``apply_chunk`` may write a whole chunk at once (validate all, then write in bulk)."""

    kind = ""
    title = ""
    fields: Sequence[ImportField] = ()
    # Normalised header → field key ("" = ignore): the names this town gave its columns before.
    mapping: dict[str, str] = {}

    def display_value(self, key: str, value: Any) -> Any:
        """How a value reads in the dry-run preview (a choice's label rather than its code)."""
        return _jsonable(value)

    def check_chunk(self, rows: list[RowInput]) -> list[Outcome]:
        raise NotImplementedError

    def apply_row(self, row: RowInput, outcome: Outcome) -> int:
        raise NotImplementedError

    def apply_chunk(self, pairs: list[tuple[RowInput, Outcome]]) -> list[int | list[RowError]]:
        """Write the rows decided ``create``/``update``: per row the saved pk, or the errors that
        turn it into a rejection. By default one ``apply_row`` each (the app's services are
        atomic themselves)."""
        out: list[int | list[RowError]] = []
        for row, outcome in pairs:
            try:
                out.append(self.apply_row(row, outcome))
            except DjangoValidationError as exc:
                out.append(_service_errors(self, row, exc))
        return out

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


def read_cells(
    header: Header,
    number: int,
    values: tuple[Any, ...],
    *,
    fixed: dict[str, Any] | None = None,
    carried: set[tuple[int, int]] | None = None,
) -> RowInput:
    """One row's values by field. ``fixed``: the values given for the whole file (a column the
    sheet lacks); ``carried``: the cells filled from a merged cell above."""
    row = RowInput(number=number, raw=values)
    if fixed:
        row.values.update(fixed)
    for index, spec_field in header.columns.items():
        raw = values[index] if index < len(values) else None
        if clean_text(raw) == "":
            continue
        if carried and (number, index) in carried:
            row.carried.append(header.titles[index])
        if spec_field.parse is None:
            row.values[spec_field.key] = clean_text(raw)
            continue
        try:
            value = spec_field.parse(raw)
        except CellError as exc:
            row.errors.append(RowError(number, header.titles[index], str(exc)))
            continue
        if isinstance(value, Noted):
            row.warnings.append(RowError(number, header.titles[index], value.note))
            value = value.value
        row.values[spec_field.key] = value
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
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warned: int = 0  # rows kept with a warning
    carried: int = 0  # rows with a value carried from a merged cell
    saved: int = 0  # rows written (each chunk verified as it is saved; ids are not kept)
    error_sheet: bytes | None = None
    header_row: int = 0
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    fixed: dict[str, str] = field(default_factory=dict)  # column → value for the whole file
    unknown_headers: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {"rows": self.rows, "skipped": self.skipped, **self.counts}

    def report(self) -> dict[str, Any]:
        """How the file was read: the sheet, the values given for the whole file, the headers
        that matched nothing, the rows carried from merged cells and kept with a warning."""
        return {
            "sheet": self.sheet,
            "sheets": self.sheets,
            "fixed": self.fixed,
            "unknown_headers": self.unknown_headers,
            "ignored_headers": self.ignored_headers,
            "carried": self.carried,
            "warned": self.warned,
            "warnings": self.warnings,
        }


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


def choose_sheet(
    sheets: list[Sheet], fields: Sequence[ImportField], *, wanted: str = "", mapping=None
) -> tuple[Sheet, Header, Iterator[tuple[int, tuple[Any, ...]]]]:
    """The sheet to import: ``wanted`` by name, else the first whose header matches (sheets of
    notes such as 说明 are passed over unless they are the only ones)."""
    if wanted:
        chosen = [s for s in sheets if match_key(s.name) == match_key(wanted)]
        if not chosen:
            raise ImportFileError(
                _("The workbook has no sheet “%(sheet)s”; its sheets are %(sheets)s.")
                % {"sheet": wanted, "sheets": "、".join(s.name for s in sheets)}
            )
        candidates = chosen
    else:
        candidates = [s for s in sheets if match_key(s.name) not in NOTES_SHEETS] or sheets
    first_error: ImportFileError | None = None
    for sheet in candidates:
        try:
            header, data = locate_header(sheet.rows(), fields, mapping=mapping, strict=False)
        except ImportFileError as exc:
            first_error = first_error or exc
            continue
        return sheet, header, data
    raise first_error or ImportFileError(_("The workbook has no sheet."))


def _fixed_values(
    header: Header, fields: Sequence[ImportField], defaults: dict[str, Any]
) -> dict[str, Any]:
    """Values for the whole file of the required columns the sheet lacks: given by the user
    (``defaults``, keyed by the template's column label or the field key), else read from the
    sheet's title. Only fields marked ``ask`` take a value for the whole file (a name never
    does). Refuses the file naming the columns still missing."""
    unanswerable = [f for f in header.missing if not f.ask]
    if unanswerable:
        raise ImportFileError(
            _("The header row (row %(row)s) lacks the required column(s): %(missing)s.")
            % {"row": header.row, "missing": "、".join(f.header for f in unanswerable)}
        )
    fixed: dict[str, Any] = {}
    asked: list[ImportField] = []
    given = {normalize_header(k): v for k, v in (defaults or {}).items()}
    for spec_field in fields:
        if not spec_field.ask or spec_field.key in {f.key for f in header.columns.values()}:
            continue
        value = given.get(normalize_header(spec_field.header), given.get(spec_field.key))
        if value not in (None, ""):
            try:
                parsed = spec_field.parse(value) if spec_field.parse else clean_text(value)
            except CellError as exc:
                raise ImportFileError(
                    _("The value given for “%(column)s”: %(error)s")
                    % {"column": spec_field.header, "error": exc}
                ) from exc
            fixed[spec_field.key] = parsed.value if isinstance(parsed, Noted) else parsed
        elif spec_field in header.missing and spec_field.from_title and header.above:
            found = spec_field.from_title(header.above)
            if found is not None:
                fixed[spec_field.key] = found
            else:
                asked.append(spec_field)
        elif spec_field in header.missing:
            asked.append(spec_field)
    if asked:
        raise MissingColumns(header.row, asked)
    return fixed


class MissingColumns(ImportFileError):
    """The sheet lacks required columns and no value was given for the whole file."""

    def __init__(self, row: int, fields: Sequence[ImportField]) -> None:
        self.fields = list(fields)
        names = "、".join(f.header for f in fields)
        super().__init__(
            _(
                "The header row (row %(row)s) lacks the required column(s): %(missing)s. Choose "
                "one value for the whole file (for example every row is an enterprise), or add "
                "the column."
            )
            % {"row": row, "missing": names}
        )


def run_import(
    spec: ImportSpec,
    file: IO[bytes],
    name: str,
    *,
    apply: bool,
    progress: Callable[[int], None] | None = None,
    options: dict[str, Any] | None = None,
) -> ImportResult:
    """Walk the file once: read, check (and with ``apply`` write) chunk by chunk.

    ``options``: ``sheet`` (its name; else the first whose header matches), ``defaults``
    (column label → one value for the whole file) and ``mapping`` (the sheet's header → field
    key, or "" to ignore the column)."""
    options = options or {}
    mapping = dict(spec.mapping)
    mapping |= {normalize_header(k): v or "" for k, v in (options.get("mapping") or {}).items()}
    sheets = read_sheets(file, name)
    sheet, header, data = choose_sheet(
        sheets, spec.fields, wanted=options.get("sheet") or "", mapping=mapping
    )
    fixed = _fixed_values(header, spec.fields, options.get("defaults") or {})
    spec.bind(header)
    result = ImportResult(header_row=header.row, sheet=sheet.name)
    result.sheets = [s.name for s in sheets]
    result.fixed = {
        next(f.header for f in spec.fields if f.key == k): _jsonable(spec.display_value(k, v))
        for k, v in fixed.items()
    }
    result.unknown_headers = list(header.unknown.values())
    result.ignored_headers = list(header.ignored.values())
    sheet_error: ErrorSheet | None = None  # made at the first rejection (an unsaved one leaks)
    header_keys = {normalize_header(t) for t in header.titles.values()}
    header_keys |= {name for f in spec.fields for name in f.names()}
    mapped = sorted(header.columns)
    chunk: list[RowInput] = []

    def reject(row: RowInput, errors: list[RowError]) -> None:
        nonlocal sheet_error
        result.counts["reject"] += 1
        if sheet_error is None:
            sheet_error = ErrorSheet(header, header.width)
        sheet_error.add(row, errors)
        for error in errors:
            if len(result.rejects) < KEEP_REJECTS:
                result.rejects.append(error.as_dict())

    def flush() -> None:
        outcomes = spec.check_chunk(chunk)
        writes = [(r, o) for r, o in zip(chunk, outcomes, strict=True) if o.action != "reject"]
        writes = [(r, o) for r, o in writes if o.action in {"create", "update"}]
        written: dict[int, int | list[RowError]] = {}
        if apply and writes:
            for (row, _o), out in zip(writes, spec.apply_chunk(writes), strict=True):
                written[row.number] = out
        saved: list[int] = []
        for row, outcome in zip(chunk, outcomes, strict=True):
            out = written.get(row.number)
            if isinstance(out, list):
                outcome = Outcome("reject", errors=out)
            elif out is not None:
                saved.append(out)
            if outcome.action == "reject":
                reject(row, outcome.errors or row.errors)
                continue
            result.counts[outcome.action] += 1
            if row.warnings:
                result.warned += 1
                for warning in row.warnings:
                    if len(result.warnings) < KEEP_REJECTS:
                        result.warnings.append(warning.as_dict())
            if row.carried:
                result.carried += 1
            if outcome.action in {"create", "update"} and len(result.preview) < KEEP_PREVIEW:
                entry = {
                    "row": row.number,
                    "action": outcome.action,
                    "label": outcome.label,
                    "changes": {
                        spec.error_column(k) or k: spec.display_value(k, v)
                        for k, v in outcome.changes.items()
                    },
                }
                if row.carried:
                    entry["carried"] = list(row.carried)
                if row.warnings:
                    entry["warnings"] = [w.message for w in row.warnings]
                result.preview.append(entry)
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
        chunk.append(read_cells(header, number, values, fixed=fixed, carried=sheet.carried))
        if len(chunk) >= CHUNK_SIZE:
            flush()
    if chunk:
        flush()
    if sheet_error is not None:
        result.error_sheet = sheet_error.bytes()
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
    """The number of rows of the longest sheet (at most ``limit``). The file is rewound."""
    suffix = PurePath(name or "").suffix.lower()
    rows = 0
    try:
        if suffix in SPREADSHEETS:
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_filelike(file)
            names = [n for n in book.sheet_names if match_key(n) not in NOTES_SHEETS]
            for sheet_name in names or book.sheet_names:
                ws = book.get_sheet_by_name(sheet_name)
                rows = max(rows, (ws.start[0] if ws.start else 0) + ws.height)
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
