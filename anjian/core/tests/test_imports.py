"""The import framework on its own: finding the header in real sheets, reading cells, skipping
blank and total rows, rejections by row and column, the error sheet and the template."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from anjian.core import imports as imp
from anjian.core.imports import ImportField, Outcome, RowError

FIELDS = (
    ImportField("name", "单位名称", ("名称",), required=True),
    ImportField("code", "统一社会信用代码", ("信用代码",), parse=imp.clean_code),
    ImportField("phone", "负责人手机", ("负责人电话",)),
    ImportField("day", "日期", ("检查日期",), parse=imp.parse_date),
    ImportField("count", "人数", (), parse=imp.parse_int),
)


class EchoSpec(imp.ImportSpec):
    """Creates every row without errors; rejects rows named 坏."""

    fields = FIELDS

    def __init__(self):
        self.written = []

    def check_chunk(self, rows):
        out = []
        for row in rows:
            if row.errors:
                out.append(Outcome("reject", errors=row.errors))
            elif row.values["name"] == "坏":
                out.append(
                    Outcome("reject", errors=[RowError(row.number, self.column("name"), "坏")])
                )
            else:
                out.append(Outcome("create", label=row.values["name"], changes=row.values))
        return out

    def apply_row(self, row, outcome):
        self.written.append(row.values)
        return len(self.written)


def xlsx(build) -> io.BytesIO:
    wb = Workbook()
    build(wb.active)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_the_header_is_found_under_title_rows_and_merged_two_level_headers():
    def build(ws):
        ws.append(["某镇企业名单"])
        ws.merge_cells("A1:E1")
        ws.append(["单位 名称*", "统一社会信用代码（必填）", "负责人", None, "检查日期"])
        ws.append([None, None, "姓名", "电话", None])
        ws.merge_cells("C2:D2")
        ws.merge_cells("A2:A3")
        ws.append(["甲厂", "9133 0111ma", "张三", "138", "2024年5月1日"])

    header, rows = imp.locate_header(imp.read_rows(xlsx(build), "a.xlsx"), FIELDS)

    assert header.row == 3
    assert {f.key: header.titles[i] for i, f in header.columns.items()} == {
        "name": "单位名称",
        "code": "统一社会信用代码",
        "phone": "负责人电话",
        "day": "检查日期",
    }
    number, values = next(rows)
    row = imp.read_cells(header, number, values)
    assert (row.number, row.values["code"], row.values["day"]) == (
        4,
        "913301 11MA".replace(" ", ""),
        datetime.date(2024, 5, 1),
    )


def test_a_sheet_without_the_required_column_is_refused_naming_it():
    def build(ws):
        ws.append(["信用代码", "日期"])

    with pytest.raises(imp.ImportFileError, match="单位名称"):
        imp.locate_header(imp.read_rows(xlsx(build), "a.xlsx"), FIELDS)


@pytest.mark.parametrize(
    "value",
    [
        "2024-5-1",
        "2024/05/01",
        "2024.5.1",
        "2024年5月1日",
        "2024 年 5 月 1 日",
        "20240501",
        "２０２４－０５－０１",
        45413,
        45413.0,
        "45413",
        datetime.datetime(2024, 5, 1, 0, 0),
    ],
)
def test_dates_are_read_in_every_form_offices_type(value):
    assert imp.parse_date(value) == datetime.date(2024, 5, 1)


@pytest.mark.parametrize("value", ["2024-02-30", "明天", "2024-13-01", 0])
def test_a_wrong_date_names_the_value(value):
    with pytest.raises(imp.CellError):
        imp.parse_date(value)


def test_cells_are_cleaned_of_full_width_characters_and_stray_spaces():
    assert (
        imp.clean_text("  杭州 甲乙  机械（富阳）有限公司\u3000") == "杭州甲乙机械（富阳）有限公司"
    )
    assert imp.clean_text("ABC  Trading   Co") == "ABC Trading Co"
    assert imp.clean_code(" ９１３３ 0111ma2h ") == "913301 11MA2H".replace(" ", "")
    assert imp.clean_text(12.0) == "12"
    assert imp.parse_int("25人") == 25
    assert imp.match_key("上沙 村") == imp.match_key("上沙村")


def test_blank_total_and_repeated_header_rows_are_skipped_and_rejects_keep_their_row_number():
    def build(ws):
        ws.append(["名单"])
        ws.append(["序号", "单位名称", "信用代码", "人数"])
        ws.append([1, "甲", "A1", 3])
        ws.append([])
        ws.append([2])  # only the serial number
        ws.append([3, "坏", "B2", "x"])
        ws.append(["序号", "单位名称", "信用代码", "人数"])
        ws.append([4, "乙", None, "5"])
        ws.append(["合计", None, None, 8])

    spec = EchoSpec()
    result = imp.run_import(spec, xlsx(build), "a.xlsx", apply=True)

    assert result.summary() == {
        "rows": 3,
        "skipped": 4,
        "create": 2,
        "update": 0,
        "unchanged": 0,
        "reject": 1,
    }
    assert result.rejects == [{"row": 6, "column": "人数", "message": result.rejects[0]["message"]}]
    assert [v["name"] for v in spec.written] == ["甲", "乙"]
    sheet = load_workbook(io.BytesIO(result.error_sheet)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("原行号", "序号", "单位名称", "信用代码", "人数", "错误原因")
    assert rows[1][:5] == (6, 3, "坏", "B2", "x")
    assert rows[1][5].startswith("人数：")


def test_a_dry_run_writes_nothing():
    def build(ws):
        ws.append(["单位名称"])
        ws.append(["甲"])
        ws.append(["乙"])

    spec = EchoSpec()
    result = imp.run_import(spec, xlsx(build), "a.xlsx", apply=False)
    assert result.counts["create"] == 2 and spec.written == []


def test_csv_in_gb18030_and_utf8_is_read():
    text = "单位名称,人数\n甲,3\n"
    for encoding in ("gb18030", "utf-8-sig"):
        result = imp.run_import(EchoSpec(), io.BytesIO(text.encode(encoding)), "a.csv", apply=False)
        assert result.counts["create"] == 1


def test_old_excel_files_are_refused_with_advice():
    with pytest.raises(imp.ImportFileError, match=r"\.xlsx"):
        list(imp.read_rows(io.BytesIO(b"\xd0\xcf"), "old.xls"))


def test_the_template_lists_headers_an_example_and_the_allowed_values():
    fields = (
        ImportField("name", "单位名称", required=True, example="甲厂", help="全称"),
        ImportField("kind", "类型", allowed=lambda: ["企业", "店铺"], example="企业"),
    )
    wb = load_workbook(io.BytesIO(imp.template_workbook("模板", fields, ["注意"])))
    data, notes = wb.worksheets
    assert [c.value for c in data[1]] == ["单位名称*", "类型"]
    assert [c.value for c in data[2]] == ["甲厂", "企业"]
    assert notes.title == "说明"
    assert ("类型", None, None, "企业、店铺") in list(notes.iter_rows(values_only=True))


def test_count_rows_stops_at_the_limit():
    def build(ws):
        for i in range(30):
            ws.append([i])

    assert imp.count_rows(xlsx(build), "a.xlsx") == 30
    assert imp.count_rows(xlsx(build), "a.xlsx", limit=10) == 10
