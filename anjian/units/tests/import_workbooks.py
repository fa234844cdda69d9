"""Workbooks for the import tests: a messy sheet as towns keep them, with its expected outcome."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from openpyxl import Workbook

from anjian.core.validators import credit_code_check_char


def code(n: int, prefix: str = "91330111MA2J") -> str:
    first17 = f"{prefix}{n:05d}"[:17]
    return first17 + credit_code_check_char(first17)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@dataclass
class Expected:
    created: list[str] = field(default_factory=list)  # names as they will be stored
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejects: dict[int, tuple[str, str]] = field(default_factory=dict)  # row → (column, text in msg)
    skipped: int = 0


# The two-level header: (top, bottom); the top is merged vertically when bottom is None and
# horizontally over the following columns when it spans.
HEADER = [
    ("序号", None),
    ("单位 名称*", None),
    ("统一社会信用代码（必填）", None),
    ("类型", None),
    ("所属村（社区）", None),
    ("经营地址", None),
    ("主要负责人", "姓名"),
    ("", "手机"),
    ("从业人数", None),
    ("规模", None),
    ("监管类别", None),
    ("营业执照有效期至", None),
    ("状态", None),
]
KINDS = ["企业", "沿街店铺", "小餐饮", "加油站", "人员密集场所", "生产经营单位"]
VILLAGES = ["东梓关村", "东梓关", "上沙村", " 上沙 ", full_width("上沙") + "村"]
DATES: list = [
    "2030-5-1",
    "2030/05/01",
    "2030年5月1日",
    "20300501",
    47604,  # Excel serial of 2030-05-01
    datetime.datetime(2030, 5, 1),
    "２０３０－５－１",
]
LICENCE_DATE = datetime.date(2030, 5, 1)


def messy_workbook(
    world,
    *,
    valid: int = 260,
    unchanged_unit=None,
    by_code_unit=None,
    other_town_unit=None,
) -> tuple[bytes, Expected]:
    """A sheet with a title row, a filled-in-by line, a merged two-level header, full-width
    characters and stray spaces, lower-case codes with spaces inside, dates in every form, blank
    rows, a row with only its serial number, a repeated header, a 合计 row — and rows to update,
    to leave unchanged and to reject."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    width = len(HEADER)
    ws.append(["场口镇安全生产监管对象台账（2024年）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["填报单位：场口镇安监办", None, None, "填报日期：2024年5月1日"])
    ws.append([top for top, _bottom in HEADER])
    ws.append([bottom for _top, bottom in HEADER])
    for col, (_top, bottom) in enumerate(HEADER, start=1):
        if bottom is None:
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells(start_row=3, start_column=7, end_row=3, end_column=8)
    expected = Expected()
    row = 4
    serial = 0

    def add(values: list) -> int:
        nonlocal row, serial
        serial += 1
        ws.append([serial, *values])
        row += 1
        return row

    for i in range(valid):
        name = f"场口测试{i:03d}号五金有限公司"
        typed = f"  场口测试 {i:03d}号五金  有限公司 " if i % 3 == 0 else name
        credit = code(i)
        if i % 4 == 0:
            credit = credit.lower()
        elif i % 4 == 1:
            credit = credit[:6] + " " + credit[6:]
        elif i % 4 == 2:
            credit = full_width(credit)
        add(
            [
                typed,
                credit if i % 10 != 9 else None,  # some without a code (matched by name+address)
                KINDS[i % len(KINDS)],
                VILLAGES[i % len(VILLAGES)],
                f"场口镇测试路{i}号",
                f"负责人{i}",
                f"1380000{i:04d}" if i % 2 else f"138 0000 {i:04d}",
                f"{10 + i}人" if i % 5 == 0 else 10 + i,
                ["规上", "小微企业", "规下", "个体工商户"][i % 4],
                ["有限空间作业、粉尘涉爆", "", "消防重点单位", "喷涂作业，有限空间作业"][i % 4],
                DATES[i % len(DATES)],
                ["正常经营", "在营", "停产", ""][i % 4],
            ]
        )
        expected.created.append(name)
        if i % 50 == 10:
            ws.append([])  # a blank row
            row += 1
            expected.skipped += 1
        if i % 70 == 20:
            ws.append([serial + 1000])  # a row with only its serial number
            row += 1
            expected.skipped += 1
        if i == 120:  # the header repeated, as a sheet printed over pages
            ws.append([bottom or top for top, bottom in HEADER])
            row += 1
            expected.skipped += 1

    # Updates: by lower-case credit code and by exact name and address.
    if by_code_unit is not None:
        add(
            [
                by_code_unit.name,
                " " + by_code_unit.credit_code.lower(),
                "企业",
                by_code_unit.region.name,
                by_code_unit.address,
                None,
                None,
                "99",
                None,
                None,
                None,
                None,
            ]
        )
        expected.updated.append(by_code_unit.name)
    add(
        [
            "杭州甲乙机械有限公司",
            None,
            "企业",
            "东梓关村",
            world.unit_a.address,
            "新负责人",
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    expected.updated.append("杭州甲乙机械有限公司")
    add(
        [
            world.unit_a2.name,
            None,
            "小餐饮",
            "上沙",
            f" {world.unit_a2.address} ",
            None,
            None,
            "8",
            None,
            None,
            None,
            None,
        ]
    )
    expected.updated.append(world.unit_a2.name)
    if unchanged_unit is not None:
        add(
            [
                unchanged_unit.name,
                unchanged_unit.credit_code,
                "企业",
                unchanged_unit.region.name,
                unchanged_unit.address,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            ]
        )
        expected.unchanged.append(unchanged_unit.name)

    bad_check = code(900)[:17] + ("0" if code(900)[17] != "0" else "1")

    def reject(values: list, column: str, text: str) -> None:
        number = add(values)
        expected.rejects[number] = (column, text)

    base = [None, "企业", "东梓关村", None, None, None, None, None, None, None, None]

    def with_(name, **changes) -> list:
        values = [name, *base]
        keys = {"code": 1, "kind": 2, "village": 3, "mobile": 6, "categories": 9, "date": 10}
        for key, value in changes.items():
            values[keys[key]] = value
        return values

    # (column, a token the reason must contain, in any language)
    reject(with_("错误校验位公司", code=bad_check), "统一社会信用代码", code(900)[17])
    reject(with_("禁用字母公司", code="91330111MA2I00001X"), "统一社会信用代码", "I")
    reject(with_("长度不对公司", code="91330111MA2J"), "统一社会信用代码", "18")
    reject(with_("外村公司", village="不存在村"), "所属村（社区）", "不存在村")
    reject(with_(None, code=code(901)), "单位名称", "单位名称")
    reject(with_("日期错误公司", date="2024-13-45"), "营业执照有效期至", "2024-13-45")
    reject(with_("类型错误公司", kind="外星基地"), "类型", "外星基地")
    reject(with_("手机错误公司", mobile="1234"), "主要负责人手机", "1234")
    # code(5) is on row 10: four title and header rows, then rows i = 0…5.
    reject(with_("重复代码公司", code=code(5)), "统一社会信用代码", "10")
    if other_town_unit is not None:
        reject(
            with_("外镇代码公司", code=other_town_unit.credit_code),
            "统一社会信用代码",
            other_town_unit.credit_code,
        )
    reject(with_("类别错误公司", categories="不存在的类别"), "监管类别", "不存在的类别")
    # The total row at the end.
    ws.append(["合计", None, None, None, None, None, None, None, sum(range(10, 10 + valid))])
    expected.skipped += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), expected


def clean_workbook(rows: int, *, start: int = 0, village: str = "东梓关村") -> bytes:
    """A plain sheet of ``rows`` new units in the template's columns (for the background path)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("监管对象")
    ws.append(["单位名称", "统一社会信用代码", "类型", "村（社区）", "地址", "从业人数"])
    for i in range(start, start + rows):
        ws.append(
            [
                f"批量测试{i:05d}号有限公司",
                code(i, "91330111MA3K"),
                "企业",
                village,
                f"批量路{i}号",
                20,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
