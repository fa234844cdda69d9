"""Reading a sheet as a person reads it (issue 18): numbers with words or units, yes/no in every
form, dates as offices type them, merged data cells carried down, several sheets, a title row
that names the one value of a missing column, unknown headers mapped or ignored, .ods and CSV."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from anjian.core import imports as imp
from anjian.core.imports import ImportField, Noted, Outcome
from anjian.core.tests.ods import ods

KINDS = {"企业": "enterprise", "店铺": "shop"}


def kind_from_title(title: str):
    return next((v for k, v in KINDS.items() if k in title), None)


FIELDS = (
    ImportField("name", "单位名称", ("名称",), required=True),
    ImportField("village", "村（社区）", ("村", "所属村"), required=True, ask=True),
    ImportField(
        "kind",
        "类型",
        (),
        required=True,
        parse=imp.choice_reader(KINDS, "类型"),
        from_title=kind_from_title,
        ask=True,
    ),
    ImportField("count", "从业人数", ("人数",), parse=imp.parse_count),
    ImportField("tick", "是否涉及有限空间", ("有限空间",), parse=imp.parse_bool),
    ImportField("day", "日期", (), parse=imp.parse_month_or_date),
)


class EchoSpec(imp.ImportSpec):
    fields = FIELDS

    def __init__(self):
        self.written = []

    def check_chunk(self, rows):
        return [
            Outcome("reject", errors=r.errors)
            if r.errors
            else Outcome("create", label=r.values["name"], changes=r.values)
            for r in rows
        ]

    def apply_row(self, row, outcome):
        self.written.append((row.number, dict(row.values)))
        return len(self.written)


def xlsx(*sheets) -> io.BytesIO:
    """Sheets as (title, rows, merges)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, merges in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cells in merges:
            ws.merge_cells(cells)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


# --- Cells -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [("约73人", 73), ("73人", 73), ("73 人", 73), ("73（含临时工）", 73), ("共1,200名", 1200)],
)
def test_a_count_with_words_or_units_is_read_with_a_warning(value, number):
    read = imp.parse_count(value)
    assert isinstance(read, Noted) and read.value == number
    assert str(number) in read.note


@pytest.mark.parametrize(("value", "number"), [("73", 73), ("７３", 73), (73.0, 73), ("73.0", 73)])
def test_a_plain_count_is_read_without_a_warning(value, number):
    assert imp.parse_count(value) == number


@pytest.mark.parametrize("value", ["七十多", "50-60人", "7.5人", "-3", "无", True])
def test_a_count_that_is_not_one_whole_number_is_refused(value):
    with pytest.raises(imp.CellError):
        imp.parse_count(value)


@pytest.mark.parametrize(
    ("value", "amount", "noted"),
    [
        ("3000", Decimal(3000), False),
        ("3,000元", Decimal(3000), False),
        ("1.2万元", Decimal(12000), False),
        ("1.2万", Decimal(12000), False),
        ("0.5亿元", Decimal(50000000), False),
        ("约3万元", Decimal(30000), True),
        (2500, Decimal(2500), False),
    ],
)
def test_amounts_are_read_in_yuan(value, amount, noted):
    read = imp.parse_amount(value)
    assert isinstance(read, Noted) is noted
    assert (read.value if noted else read) == amount


def test_amounts_are_read_in_the_fields_unit():
    assert imp.parse_amount("30000元", unit="万元") == Decimal(3)
    assert imp.parse_amount("3", unit="万元") == Decimal(3)


@pytest.mark.parametrize(
    "value", ["是", "有", "√", "✓", "✔", "Y", "y", "yes", "1", 1, 1.0, "是（A类）"]
)
def test_yes_in_every_form(value):
    assert imp.parse_bool(value) is True


@pytest.mark.parametrize("value", ["否", "无", "×", "✗", "N", "no", "0", 0, "否（已关停）"])
def test_no_in_every_form(value):
    assert imp.parse_bool(value) is False


@pytest.mark.parametrize("value", ["也许", "2", "待定"])
def test_neither_yes_nor_no_is_refused(value):
    with pytest.raises(imp.CellError):
        imp.parse_bool(value)


@pytest.mark.parametrize(
    "value",
    [
        "2024.5.3",
        "2024.05.03.",
        "2024年5月3日",
        "2024/05/03",
        "20240503",
        45415,
        "45415",
        "2024-05-03 00:00:00",
        "2024/5/3 0:00",
        datetime.datetime(2024, 5, 3, 8, 30),
    ],
)
def test_dates_in_every_form(value):
    assert imp.parse_date(value) == datetime.date(2024, 5, 3)


@pytest.mark.parametrize("value", ["2024.5", "2024年5月", "202405", "2024-05"])
def test_a_year_and_month_only_where_the_field_allows(value):
    assert imp.parse_date(value, month_ok=True) == datetime.date(2024, 5, 1)
    with pytest.raises(imp.CellError, match="缺少日"):
        imp.parse_date(value)


# --- Sheets -------------------------------------------------------------------------------------------


REGISTER = [
    ["场口镇工业企业名录（2024年）"],
    ["序号", "所属村", "单位名称", "从业人数", "有限空间", "日期"],
    [1, "东梓关村", "甲厂", "约73人", "√", "2024.5"],
    [2, None, "乙厂", 12, "×", "2024年5月3日"],
    [3, None, "丙厂", "很多", "是", None],
    [4, "上沙村", "丁厂", "８", "否", 45415],
]


def test_merged_cells_carry_counts_warn_and_the_title_gives_the_missing_column():
    book = xlsx(("说明", [["填表说明"]], []), ("名录", REGISTER, ["B3:B5"]))
    spec = EchoSpec()

    result = imp.run_import(spec, book, "名录.xlsx", apply=True)

    assert result.sheet == "名录" and result.header_row == 2
    assert result.fixed == {"类型": "enterprise"}
    assert result.summary() == {
        "rows": 4,
        "skipped": 0,
        "create": 3,
        "update": 0,
        "unchanged": 0,
        "reject": 1,
    }
    written = dict(spec.written)
    assert {n: v["village"] for n, v in written.items()} == {
        3: "东梓关村",
        4: "东梓关村",
        6: "上沙村",
    }
    assert {n: v["kind"] for n, v in written.items()} == {
        3: "enterprise",
        4: "enterprise",
        6: "enterprise",
    }
    assert written[3]["count"] == 73 and written[6]["count"] == 8
    assert written[3]["tick"] is True and written[4]["tick"] is False
    assert written[3]["day"] == datetime.date(2024, 5, 1)
    assert written[6]["day"] == datetime.date(2024, 5, 3)
    assert result.rejects == [
        {"row": 5, "column": "从业人数", "message": result.rejects[0]["message"]}
    ]
    assert result.carried == 1 and result.warned == 1  # row 5, carried too, is rejected
    assert result.warnings == [
        {"row": 3, "column": "从业人数", "message": "“约73人”已按 73 读取。"}
    ]
    carried = {p["row"]: p.get("carried") for p in result.preview}
    assert carried == {3: None, 4: ["所属村"], 6: None}


def test_a_missing_column_is_asked_for_and_a_value_for_the_whole_file_fills_it():
    rows = [["村", "单位名称"], ["东梓关村", "甲"], ["上沙村", "乙"]]

    with pytest.raises(imp.MissingColumns) as refused:
        imp.run_import(EchoSpec(), xlsx(("Sheet1", rows, [])), "a.xlsx", apply=False)
    assert [f.header for f in refused.value.fields] == ["类型"]

    spec = EchoSpec()
    result = imp.run_import(
        spec,
        xlsx(("Sheet1", rows, [])),
        "a.xlsx",
        apply=True,
        options={"defaults": {"类型": "店铺"}},
    )
    assert result.counts["create"] == 2
    assert [v["kind"] for _n, v in spec.written] == ["shop", "shop"]

    with pytest.raises(imp.ImportFileError, match="类型"):
        imp.run_import(
            EchoSpec(),
            xlsx(("Sheet1", rows, [])),
            "a.xlsx",
            apply=False,
            options={"defaults": {"类型": "火箭"}},
        )


def test_the_chosen_sheet_is_read_else_the_first_whose_header_matches():
    first = [["单位名称", "村", "类型"], ["甲", "东村", "企业"]]
    second = [["单位名称", "村", "类型"], ["乙", "西村", "店铺"], ["丙", "西村", "店铺"]]
    book = lambda: xlsx(("封面", [["某镇台账"]], []), ("一", first, []), ("二", second, []))  # noqa: E731

    assert imp.run_import(EchoSpec(), book(), "a.xlsx", apply=False).sheet == "一"
    result = imp.run_import(EchoSpec(), book(), "a.xlsx", apply=False, options={"sheet": "二"})
    assert result.sheet == "二" and result.counts["create"] == 2
    with pytest.raises(imp.ImportFileError, match="三"):
        imp.run_import(EchoSpec(), book(), "a.xlsx", apply=False, options={"sheet": "三"})


def test_an_unknown_header_is_reported_then_mapped_or_ignored():
    rows = [["企业名", "村", "类型", "备注栏"], ["甲", "东村", "企业", "x"]]

    with pytest.raises(imp.ImportFileError):  # no 单位名称 column, and no value may stand in
        imp.run_import(EchoSpec(), xlsx(("S", rows, [])), "a.xlsx", apply=False)
    spec = EchoSpec()
    result = imp.run_import(
        spec,
        xlsx(("S", rows, [])),
        "a.xlsx",
        apply=True,
        options={"mapping": {"企业名": "name"}},
    )
    assert spec.written == [(2, {"name": "甲", "village": "东村", "kind": "enterprise"})]
    assert result.unknown_headers == ["备注栏"]
    spec = EchoSpec()
    spec.mapping = {"企业名": "name", "备注栏": ""}  # remembered for the town
    result = imp.run_import(spec, xlsx(("S", rows, [])), "a.xlsx", apply=False)
    assert result.unknown_headers == [] and result.ignored_headers == ["备注栏"]


def test_an_ods_workbook_with_a_merged_village_is_read():
    content = ods(
        {
            "说明": [["x"]],
            "台账": [
                ["场口镇沿街店铺名录"],
                ["村", "单位名称", "人数"],
                [("东梓关村", 2), "甲", "约3人"],
                ["covered", "乙", 4],
                ["上沙村", "丙", 5],
            ],
        }
    )
    spec = EchoSpec()
    result = imp.run_import(spec, io.BytesIO(content), "台账.ods", apply=True)
    assert [(n, v["village"], v["kind"], v["count"]) for n, v in spec.written] == [
        (3, "东梓关村", "shop", 3),
        (4, "东梓关村", "shop", 4),
        (5, "上沙村", "shop", 5),
    ]
    assert result.carried == 1 and result.warned == 1


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_a_csv_in_gb18030_or_utf8_is_read(encoding):
    text = "场口镇企业名录\n单位名称,村,从业人数,有限空间\n甲厂,东梓关村,73人,√\n乙厂,上沙村,5,否\n"
    spec = EchoSpec()
    result = imp.run_import(spec, io.BytesIO(text.encode(encoding)), "名录.csv", apply=True)
    assert [(n, v["name"], v["count"], v["tick"]) for n, v in spec.written] == [
        (3, "甲厂", 73, True),
        (4, "乙厂", 5, False),
    ]
    assert result.warned == 1 and result.fixed == {"类型": "enterprise"}


def test_an_unreadable_workbook_is_refused_with_a_reason():
    with pytest.raises(imp.ImportFileError, match=r"\.xls"):
        imp.run_import(EchoSpec(), io.BytesIO(b"\xd0\xcf\x11\xe0garbage"), "old.xls", apply=False)


def test_a_missing_name_column_cannot_be_answered_for_the_whole_file():
    rows = [["村", "类型"], ["东梓关村", "企业"]]
    with pytest.raises(imp.ImportFileError, match="单位名称") as refused:
        imp.run_import(
            EchoSpec(),
            xlsx(("S", rows, [])),
            "a.xlsx",
            apply=False,
            options={"defaults": {"单位名称": "甲"}},
        )
    assert not isinstance(refused.value, imp.MissingColumns)
