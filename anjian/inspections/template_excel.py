"""Checklists in and out of Excel: a version as a workbook (one row per item), and a workbook read
into a draft, replacing its sections and items.

The column titles are the Chinese ones officials use (分项, 序号, 检查内容…), in any order; an empty
分项 continues the section of the row above (merged cells). Every bad cell is reported with its row
number and column title, and nothing is written while any row is bad.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from anjian.core.choices import choice_label
from anjian.core.export import Column, workbook_bytes
from anjian.hazards.choices import HazardCategory, HazardLevel
from anjian.inspections import templates as services
from anjian.inspections.models import ChecklistVersion

COL_SECTION = "分项"
COL_NUMBER = "序号"
COL_TEXT = "检查内容"
COL_BASIS = "依据"
COL_LEVEL = "隐患等级"
COL_CATEGORY = "隐患类别"
COL_MAJOR = "重大隐患判定"
COL_CLAUSE = "判定条款"
COL_GUIDANCE = "检查方法"
COLUMNS = (
    COL_SECTION,
    COL_NUMBER,
    COL_TEXT,
    COL_BASIS,
    COL_LEVEL,
    COL_CATEGORY,
    COL_MAJOR,
    COL_CLAUSE,
    COL_GUIDANCE,
)
REQUIRED_COLUMNS = (COL_SECTION, COL_TEXT)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000
YES = {"是", "y", "yes", "true", "1", "√", "✓", "重大"}
NO = {"否", "n", "no", "false", "0", "", "×"}
# Short forms people type for the level.
LEVEL_WORDS = {"一般": HazardLevel.GENERAL, "重大": HazardLevel.MAJOR}


def _rows(version: ChecklistVersion):
    for section in version.sections.all():
        for item in section.items.all():
            yield section, item


def version_xlsx(version: ChecklistVersion) -> bytes:
    """The version as a workbook, in the columns the import reads back."""
    columns = (
        Column(COL_SECTION, lambda r: r[0].title, 18),
        Column(COL_NUMBER, lambda r: r[1].order, 6),
        Column(COL_TEXT, lambda r: r[1].text, 50),
        Column(COL_BASIS, lambda r: r[1].legal_basis, 28),
        Column(COL_LEVEL, lambda r: choice_label(HazardLevel, r[1].hazard_level), 14),
        Column(COL_CATEGORY, lambda r: choice_label(HazardCategory, r[1].hazard_category), 14),
        Column(COL_MAJOR, lambda r: "是" if r[1].is_major_criterion else "否", 10),
        Column(COL_CLAUSE, lambda r: r[1].criterion_ref, 28),
        Column(COL_GUIDANCE, lambda r: r[1].guidance, 30),
    )
    title = f"{version.template.name} v{version.number}"
    return workbook_bytes(title, columns, _rows(version))


def version_filename(version: ChecklistVersion) -> str:
    return f"{version.template.name}-v{version.number}.xlsx"


def _choice_words(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Every way to write a value: the value, its label in Chinese and in English."""
    words = {str(value).lower(): value for value in choices.values}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                words[str(label).strip().lower()] = value
    for word, value in (extra or {}).items():
        words[word] = value
    return words


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_workbook(content: bytes) -> tuple[list[tuple[str, list[dict[str, Any]]]], list[str]]:
    """(sections with their items, errors). Each error names its row and column."""
    if len(content) > MAX_BYTES:
        return [], [_("The file is larger than 5 MB.")]
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a file that is not xlsx
        return [], [_("The file is not an Excel workbook (.xlsx).")]
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    titles = [_text(v) for v in (header or ())]
    position = {title: i for i, title in enumerate(titles) if title in COLUMNS}
    missing = [c for c in REQUIRED_COLUMNS if c not in position]
    if missing:
        return [], [
            _("Row 1: the columns %(columns)s are missing (the first row holds the titles).")
            % {"columns": "、".join(f"「{c}」" for c in missing)}
        ]
    levels = _choice_words(HazardLevel, LEVEL_WORDS)
    categories = _choice_words(HazardCategory)
    errors: list[str] = []
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    by_title: dict[str, list[dict[str, Any]]] = {}
    current = ""
    count = 0

    def cell(values: tuple, column: str) -> str:
        i = position.get(column)
        return _text(values[i]) if i is not None and i < len(values) else ""

    def bad(row: int, column: str, message: str) -> None:
        errors.append(
            _("Row %(row)s, column 「%(column)s」: %(message)s")
            % {"row": row, "column": column, "message": message}
        )

    for row_number, values in enumerate(rows, start=2):
        values = tuple(values or ())
        if not any(_text(v) for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            errors.append(_("The workbook has more than 1000 rows."))
            break
        title = cell(values, COL_SECTION) or current
        if not title:
            bad(row_number, COL_SECTION, _("give the section of the first item."))
        elif len(title) > 100:
            bad(row_number, COL_SECTION, _("keep it within 100 characters."))
        current = title
        fields: dict[str, Any] = {
            "text": cell(values, COL_TEXT),
            "legal_basis": cell(values, COL_BASIS),
            "criterion_ref": cell(values, COL_CLAUSE),
            "guidance": cell(values, COL_GUIDANCE),
        }
        if not fields["text"]:
            bad(row_number, COL_TEXT, _("write what to check."))
        number = cell(values, COL_NUMBER)
        if number and not number.isdigit():
            bad(row_number, COL_NUMBER, _("give a whole number."))
        level = cell(values, COL_LEVEL).lower()
        if level and level not in levels:
            bad(row_number, COL_LEVEL, _("write 一般 or 重大."))
        fields["hazard_level"] = levels.get(level, HazardLevel.GENERAL)
        category = cell(values, COL_CATEGORY).lower()
        if category and category not in categories:
            bad(
                row_number,
                COL_CATEGORY,
                _("“%(value)s” is not a hazard category; use one of: %(choices)s.")
                % {
                    "value": cell(values, COL_CATEGORY),
                    "choices": "、".join(
                        choice_label(HazardCategory, v) for v in HazardCategory.values
                    ),
                },
            )
        fields["hazard_category"] = categories.get(category, HazardCategory.OTHER)
        major = cell(values, COL_MAJOR).lower()
        if major not in YES | NO:
            bad(row_number, COL_MAJOR, _("write 是 or 否."))
        fields["is_major_criterion"] = major in YES
        if len(fields["criterion_ref"]) > 100:
            bad(row_number, COL_CLAUSE, _("keep it within 100 characters."))
        if fields["is_major_criterion"]:
            fields["hazard_level"] = HazardLevel.MAJOR
        fields["_sort"] = (int(number) if number.isdigit() else 10**6, row_number)
        if title and title not in by_title:
            by_title[title] = []
            sections.append((title, by_title[title]))
        if title:
            by_title[title].append(fields)
    if not errors and count == 0:
        errors.append(_("The workbook has no items below the title row."))
    for _title, items in sections:
        items.sort(key=lambda f: f["_sort"])
        for fields in items:
            del fields["_sort"]
    return sections, errors


def version_import_xlsx(*, actor, version_id: int, upload) -> ChecklistVersion:
    """Read a workbook into a draft, replacing its sections and items; a ValidationError lists
    every bad cell (``{"file": [...]}``) and nothing is written."""
    services.draft_check(actor, version_id)  # 404/403/409 before reading anything
    content = upload.read()
    sections, errors = parse_workbook(content)
    if errors:
        raise ValidationError({"file": errors})
    return services.version_replace_content(
        actor=actor,
        version_id=version_id,
        sections=sections,
        source=getattr(upload, "name", "") or "",
    )
