"""Import of supervised units from the town's Excel workbook (issue 3 item 5).

The columns are described once (``unit_fields``); ``anjian.core.imports`` reads any real sheet
(title rows, merged two-level headers, full-width characters, dates as text or serials, blank and
total rows). ``UnitImportSpec`` checks each chunk of rows against the town's units (loaded once:
credit codes, names and addresses) and writes through the register's services ``unit_create`` and
``unit_update``, so that every written row is validated and audited like a row typed on the page.

The flow, the same for the page and the API (``UnitImportFlow`` on ``anjian.core.import_runs``,
the flow every import shares):

1. ``units_import_start`` stores the file and runs the dry run: inline for a small file, as a
   background task (``units_import_check_task``) above ``BACKGROUND_ROWS`` rows;
2. the dry run records what would be created, updated and rejected (row, column, reason) and the
   error sheet (the rejected rows with a 错误原因 column);
3. ``units_import_apply`` (the user confirms) writes the valid rows in ONE transaction with one
   request id for the whole audit trail, then checks that every saved unit is within the actor's
   ``units.change`` scope (save-then-verify) or rolls everything back.

Matching: by credit code, else by exact name and address (compared without spaces and full-width
differences). An empty cell leaves the unit's value as it is. The same file imported twice creates
nothing and updates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from anjian.audit.services import audit_record, audit_record_many
from anjian.core import imports as imp
from anjian.core.exceptions import ActionNotPermitted
from anjian.core.import_runs import (
    ImportFlow,
    import_run_apply,
    import_run_check,
    import_run_check_in_task,
    import_run_start,
    import_run_write_in_task,
)
from anjian.core.imports import CellError, ImportField, Outcome, RowError, RowInput
from anjian.core.models import ImportRun, ImportState
from anjian.core.validators import validate_credit_code, validate_mobile
from anjian.regions.models import Region, RegionLevel
from anjian.teams.models import Committee
from anjian.units.models import (
    Category,
    DocumentType,
    Standardisation,
    Unit,
    UnitDocument,
    UnitKind,
    UnitSize,
    UnitStatus,
)
from anjian.units.services import unit_create, unit_update, units_create_many

IMPORT = "units.import"
CHANGE = "units.change"
KIND = "units.import"
BACKGROUND_ROWS = 500
INDUSTRY_CODE_RE = re.compile(r"^[A-T]\d{2,4}$")
VILLAGE_SUFFIXES = ("股份经济合作社", "居民委员会", "村民委员会", "居委会", "村委会", "社区", "村")
TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
LATITUDE = (3.8, 53.6)
LONGITUDE = (73.5, 135.1)


# --- Choices by name -----------------------------------------------------------------------------


def _labels(enum, synonyms: dict[str, str]) -> dict[str, str]:
    """Every way a sheet may name a choice: the code, the Chinese and English labels, synonyms."""
    table = {value: value for value in enum.values}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in enum.choices:
                table[str(label)] = value
    return table | synonyms


KIND_SYNONYMS = {
    "生产经营单位": UnitKind.ENTERPRISE,
    "企业": UnitKind.ENTERPRISE,
    "工业企业": UnitKind.ENTERPRISE,
    "工贸企业": UnitKind.ENTERPRISE,
    "沿街店铺": UnitKind.STREET_SHOP,
    "店铺": UnitKind.STREET_SHOP,
    "沿街商铺": UnitKind.STREET_SHOP,
    "三小场所": UnitKind.SMALL_VENUE,
    "小餐饮": UnitKind.SMALL_VENUE,
    "小作坊": UnitKind.SMALL_VENUE,
    "小商店": UnitKind.SMALL_VENUE,
    "小餐饮小作坊小商店": UnitKind.SMALL_VENUE,
    "建筑工地": UnitKind.CONSTRUCTION,
    "在建工程": UnitKind.CONSTRUCTION,
    "建设项目": UnitKind.CONSTRUCTION,
    "燃气供应点": UnitKind.GAS_POINT,
    "液化气供应点": UnitKind.GAS_POINT,
    "加油站": UnitKind.PETROL_STATION,
    "危旧房": UnitKind.HOUSING,
    "出租房": UnitKind.HOUSING,
    "危旧房/出租房": UnitKind.HOUSING,
    "人员密集场所": UnitKind.CROWDED_VENUE,
    "山塘水库": UnitKind.RESERVOIR,
    "山塘": UnitKind.RESERVOIR,
    "小水库": UnitKind.RESERVOIR,
    "烟花爆竹经营点": UnitKind.FIREWORKS_SHOP,
    "烟花爆竹零售点": UnitKind.FIREWORKS_SHOP,
}
SIZE_SYNONYMS = {
    "亿元以上": UnitSize.ABOVE_100M,
    "规上亿元以上": UnitSize.ABOVE_100M,
    "规上": UnitSize.ABOVE,
    "规模以上": UnitSize.ABOVE,
    "规上企业": UnitSize.ABOVE,
    "规下": UnitSize.BELOW,
    "规模以下": UnitSize.BELOW,
    "规下企业": UnitSize.BELOW,
    "小微": UnitSize.SMALL_MICRO,
    "小微企业": UnitSize.SMALL_MICRO,
    "个体": UnitSize.INDIVIDUAL,
    "个体户": UnitSize.INDIVIDUAL,
    "个体工商户": UnitSize.INDIVIDUAL,
}
STATUS_SYNONYMS = {
    "正常": UnitStatus.OPERATING,
    "在营": UnitStatus.OPERATING,
    "营业": UnitStatus.OPERATING,
    "生产": UnitStatus.OPERATING,
    "停产": UnitStatus.SUSPENDED,
    "停业": UnitStatus.SUSPENDED,
    "停产停业": UnitStatus.SUSPENDED,
    "关闭": UnitStatus.CLOSED,
    "关停": UnitStatus.CLOSED,
    "注销": UnitStatus.CLOSED,
    "迁出": UnitStatus.MOVED,
    "搬迁": UnitStatus.MOVED,
}
STANDARDISATION_SYNONYMS = {
    "一级": Standardisation.LEVEL1,
    "二级": Standardisation.LEVEL2,
    "三级": Standardisation.LEVEL3,
    "小微": Standardisation.SMALL_MICRO,
    "小微企业标准化": Standardisation.SMALL_MICRO,
    "无": Standardisation.NONE,
    "未创建": Standardisation.NONE,
    "未开展": Standardisation.NONE,
}


def _zh_labels(enum) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for _value, label in enum.choices]


def _split_list(value: Any) -> list[str]:
    text = imp.clean_text(value)
    return [part.strip() for part in re.split(r"[,，、;；\n]+", text) if part.strip()]


def _mobile(value: Any) -> str:
    try:
        return validate_mobile(imp.clean_code(value))
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from exc


def _credit_code(value: Any) -> str:
    # Normalised only: the check waits for the match (a code equal to the one stored is kept).
    return imp.clean_code(value)


def _industry_code(value: Any) -> str:
    code = imp.clean_code(value)
    if not INDUSTRY_CODE_RE.match(code):
        raise CellError(
            _(
                "The industry code “%(code)s” is not a GB/T 4754 code: a section letter A–T "
                "followed by 2 to 4 digits, e.g. C3311."
            )
            % {"code": code}
        )
    return code


def kind_labels() -> list[str]:
    """The Chinese names of the unit kinds, as a value for the whole file is chosen."""
    return _zh_labels(UnitKind)


def _kind_from_title(title: str) -> str | None:
    """The kind a sheet's title names (“场口镇工业企业名录” → enterprise): the longest name."""
    key = imp.match_key(title)
    table = _labels(UnitKind, KIND_SYNONYMS)
    hits = [name for name in table if len(name) >= 2 and imp.match_key(name) in key]
    return table[max(hits, key=len)] if hits else None


def unit_fields(town: Region | None = None) -> tuple[ImportField, ...]:
    """The columns of the units workbook; ``town`` fills the allowed villages and committees."""

    def villages() -> list[str]:
        if town is None:
            return []
        return list(
            Region.objects.filter(parent=town, level=RegionLevel.VILLAGE)
            .order_by("code")
            .values_list("name", flat=True)
        )

    def committees() -> list[str]:
        if town is None:
            return []
        return list(Committee.objects.filter(region=town).values_list("name", flat=True))

    def categories() -> list[str]:
        return list(Category.objects.filter(is_active=True).values_list("name", flat=True))

    return (
        ImportField(
            "name",
            "单位名称",
            ("名称", "企业名称", "单位(企业)名称", "企业(单位)名称", "监管对象名称", "Name"),
            required=True,
            help="单位的全称，与营业执照一致。",
            example="杭州示例机械有限公司",
            width=32,
        ),
        ImportField(
            "credit_code",
            "统一社会信用代码",
            ("社会信用代码", "信用代码", "统一代码", "Unified social credit code"),
            help="18位，有则必须正确（校验位按GB 32100核对）；用于识别已登记的单位。",
            example="91330111MA2H00001M",
            parse=_credit_code,
            width=22,
        ),
        ImportField(
            "kind",
            "类型",
            ("单位类型", "监管对象类型", "对象类型", "Kind"),
            required=True,
            help="监管对象的类型。",
            example=_zh_labels(UnitKind)[0],
            allowed=lambda: _zh_labels(UnitKind),
            parse=imp.choice_reader(_labels(UnitKind, KIND_SYNONYMS), "类型"),
            from_title=_kind_from_title,
            ask=True,
        ),
        ImportField(
            "town",
            "镇（街道）",
            ("镇", "街道", "镇街", "所属镇", "所属镇街", "所属镇(街道)", "Town"),
            help="可不填；填写时必须是本镇（街道）。",
            example=town.name if town else "",
            allowed=lambda: [town.name] if town else [],
        ),
        ImportField(
            "village",
            "村（社区）",
            (
                "村",
                "社区",
                "村社区",
                "村/社区",
                "村(居)",
                "所属村",
                "所在村",
                "所属村(社区)",
                "所属村社区",
                "所在村(社区)",
                "Village or community",
            ),
            required=True,
            help="本镇（街道）的村或社区，可省略“村”“社区”字样。",
            example=villages()[0] if town and villages() else "",
            allowed=villages,
            ask=True,
        ),
        ImportField(
            "address",
            "地址",
            ("详细地址", "经营地址", "生产经营地址", "单位地址", "Address"),
            help="生产经营地址；没有信用代码时，按“单位名称＋地址”识别已登记的单位。",
            example="场口镇东梓关村1号",
            width=30,
        ),
        ImportField(
            "committee",
            "行业专委会",
            ("专委会", "所属专委会", "Sector committee"),
            help="可不填（按规则自动确定）；可省略镇名前缀。",
            allowed=committees,
            width=24,
        ),
        ImportField(
            "status",
            "状态",
            ("经营状态", "Status"),
            help="不填视为正常经营。",
            example=_zh_labels(UnitStatus)[0],
            allowed=lambda: _zh_labels(UnitStatus),
            parse=imp.choice_reader(_labels(UnitStatus, STATUS_SYNONYMS), "状态"),
        ),
        ImportField(
            "legal_representative",
            "法定代表人",
            ("法人", "法人代表"),
            example="张三",
        ),
        ImportField(
            "principal_name",
            "主要负责人",
            ("负责人", "主要负责人姓名", "负责人姓名"),
            example="李四",
        ),
        ImportField(
            "principal_mobile",
            "主要负责人手机",
            ("负责人电话", "负责人手机", "主要负责人电话", "联系电话", "手机", "手机号码"),
            help="11位手机号码。",
            example="13800000000",
            parse=_mobile,
        ),
        ImportField(
            "industry_code",
            "行业代码",
            ("国民经济行业代码", "国标行业代码", "行业分类代码"),
            help="GB/T 4754-2017 行业代码，如 C3311。",
            example="C3311",
            parse=_industry_code,
        ),
        ImportField(
            "industry_name",
            "行业名称",
            ("所属行业", "行业", "国民经济行业"),
            example="金属结构制造",
        ),
        ImportField(
            "size",
            "规模",
            ("企业规模", "规模类型"),
            help="规上/规下/小微/个体工商户。",
            allowed=lambda: _zh_labels(UnitSize),
            example="规下",
            parse=imp.choice_reader(_labels(UnitSize, SIZE_SYNONYMS), "规模"),
        ),
        ImportField(
            "employees",
            "从业人数",
            ("职工人数", "员工人数", "从业人员", "从业人员数", "人数"),
            example=25,
            parse=imp.parse_count,
        ),
        ImportField(
            "standardisation",
            "安全生产标准化",
            ("标准化", "标准化等级", "标准化达标"),
            allowed=lambda: _zh_labels(Standardisation),
            example="三级",
            parse=imp.choice_reader(_labels(Standardisation, STANDARDISATION_SYNONYMS), "标准化"),
        ),
        ImportField(
            "categories",
            "监管类别",
            ("类别", "重点类别", "分类标签", "Categories"),
            help="可填多个，用顿号或逗号分隔；填写后即为该单位的全部类别。",
            allowed=categories,
            example="有限空间作业、粉尘涉爆",
            parse=_split_list,
            width=24,
        ),
        ImportField(
            "longitude",
            "经度",
            ("Longitude",),
            help="GPS经度，与纬度同时填写。",
            example="119.812345",
            parse=lambda v: imp.parse_decimal(v, low=LONGITUDE[0], high=LONGITUDE[1]),
        ),
        ImportField(
            "latitude",
            "纬度",
            ("Latitude",),
            help="GPS纬度，与经度同时填写。",
            example="29.912345",
            parse=lambda v: imp.parse_decimal(v, low=LATITUDE[0], high=LATITUDE[1]),
        ),
        ImportField(
            "licence_valid_to",
            "营业执照有效期至",
            ("营业执照有效期", "执照有效期至", "营业期限至"),
            help="日期，如 2030-12-31、2030/12/31、2030年12月31日 或 20301231；长期有效的不填。",
            example="2030-12-31",
            parse=imp.parse_date,
        ),
    )


TEMPLATE_NOTES = (
    "说明：带 * 的列必须填写；表头上方可以有标题行；合计、总计行和空行会被跳过。",
    "已登记的单位按统一社会信用代码识别，没有代码时按“单位名称＋地址”识别：识别到的单位会被更新，其余新建。",
    "空单元格表示不修改该单位原有的值；同一文件重复导入不会产生重复单位。",
)


def _strip_suffix(key: str, suffixes: Sequence[str]) -> str:
    for suffix in suffixes:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


# --- The spec ----------------------------------------------------------------------------------------


class UnitImportSpec(imp.ImportSpec):
    """Checks and writes rows of units for one town, as ``actor``."""

    kind = "units"
    title = "监管对象导入"

    def display_value(self, key: str, value: Any) -> Any:
        field = next((f for f in Unit._meta.concrete_fields if f.name == key), None)
        if field is not None and field.choices and isinstance(value, str):
            return str(dict(field.flatchoices).get(value, value))
        if key == "categories":
            return "、".join(str(c) for c in value)
        return super().display_value(key, value)

    def __init__(self, *, actor, town: Region, source_name: str = "") -> None:
        self.actor = actor
        self.town = town
        self.source_name = source_name
        self.fields = unit_fields(town)
        self.villages: dict[str, Region] = {}
        for village in Region.objects.filter(parent=town, level=RegionLevel.VILLAGE):
            key = imp.match_key(village.name)
            self.villages[key] = village
            self.villages.setdefault(_strip_suffix(key, VILLAGE_SUFFIXES), village)
        town_key = imp.match_key(town.name)
        self.town_keys = {town_key, _strip_suffix(town_key, TOWN_SUFFIXES)}
        self.committees: dict[str, Committee] = {}
        for committee in Committee.objects.filter(region=town):
            key = imp.match_key(committee.name)
            self.committees[key] = committee
            for prefix in self.town_keys:
                if key.startswith(prefix) and len(key) > len(prefix):
                    self.committees.setdefault(key[len(prefix) :], committee)
        self.categories: dict[str, Category] = {}
        for category in Category.objects.filter(is_active=True):
            self.categories[imp.match_key(category.name)] = category
            self.categories.setdefault(imp.match_key(category.code), category)
        # The town's units, loaded once: credit code → pk and (name, address) → (pk, code).
        self.by_code: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], tuple[int, str]] = {}
        units = Unit.objects.for_action(actor, CHANGE).filter(region__parent=town)
        for pk, code, name, address in units.values_list(
            "pk", "credit_code", "name", "address"
        ).iterator(chunk_size=2000):
            if code:
                self.by_code[code] = pk
            self.by_name.setdefault((imp.match_key(name), imp.match_key(address)), (pk, code))
        # Rows seen in this file (duplicates are rejected, naming the first row).
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[tuple[str, str], int] = {}
        # Filled per chunk by ``check_chunk`` for ``apply_row``.
        self._units: dict[int, Unit] = {}
        self._licences: dict[int, UnitDocument] = {}

    def _error(self, row: RowInput, key: str, message: str) -> RowError:
        return RowError(row.number, self.column(key), message)

    def _resolve(self, row: RowInput) -> tuple[dict[str, Any], list[RowError]]:
        """The row's values as the services take them (villages, committees, categories)."""
        values = dict(row.values)
        errors = list(row.errors)
        code = values.get("credit_code")
        if code and code not in self.by_code:
            try:
                validate_credit_code(code)
            except ValidationError as exc:
                errors.append(self._error(row, "credit_code", exc.messages[0]))
                del values["credit_code"]
        if "town" in values:
            town_key = imp.match_key(values.pop("town"))
            if town_key not in self.town_keys and (
                _strip_suffix(town_key, TOWN_SUFFIXES) not in self.town_keys
            ):
                errors.append(
                    self._error(
                        row,
                        "town",
                        _("The unit lies in another town than %(town)s; import it there.")
                        % {"town": self.town.name},
                    )
                )
        if "village" in values:
            text = values.pop("village")
            key = imp.match_key(text)
            village = self.villages.get(key) or self.villages.get(
                _strip_suffix(key, VILLAGE_SUFFIXES)
            )
            if village is None:
                errors.append(
                    self._error(
                        row,
                        "village",
                        _("“%(value)s” is not a village or community of %(town)s.")
                        % {"value": text, "town": self.town.name},
                    )
                )
            else:
                values["region"] = village
        if "committee" in values:
            text = values.pop("committee")
            committee = self.committees.get(imp.match_key(text))
            if committee is None:
                errors.append(
                    self._error(
                        row,
                        "committee",
                        _("“%(value)s” is not a committee of %(town)s.")
                        % {"value": text, "town": self.town.name},
                    )
                )
            else:
                values["committee"] = committee
        if "categories" in values:
            names = values.pop("categories")
            found, unknown = [], []
            whole = self.categories.get(imp.match_key("、".join(names)))
            for name in [] if whole else names:
                category = self.categories.get(imp.match_key(name))
                (found if category else unknown).append(category or name)
            if whole:
                found = [whole]
            if unknown:
                errors.append(
                    self._error(
                        row,
                        "categories",
                        _("Unknown categories: %(names)s.") % {"names": "、".join(unknown)},
                    )
                )
            values["categories"] = sorted(set(found), key=lambda c: c.pk)
        if ("latitude" in values) != ("longitude" in values):
            missing = "latitude" if "longitude" in values else "longitude"
            errors.append(
                self._error(
                    row,
                    missing,
                    _("Give both latitude and longitude of the GPS point, or neither."),
                )
            )
        return values, errors

    def _match(self, row: RowInput, values: dict[str, Any]) -> tuple[int | None, RowError | None]:
        code = values.get("credit_code", "")
        name_key = (imp.match_key(values.get("name", "")), imp.match_key(values.get("address", "")))
        if code:
            if (first := self.seen_codes.get(code)) is not None:
                return None, self._error(
                    row,
                    "credit_code",
                    _("The credit code %(code)s appears already in row %(row)s of this file.")
                    % {"code": code, "row": first},
                )
            self.seen_codes[code] = row.number
        if (first := self.seen_names.get(name_key)) is not None and not code:
            return None, self._error(
                row,
                "name",
                _("The same name and address appear already in row %(row)s of this file.")
                % {"row": first},
            )
        self.seen_names.setdefault(name_key, row.number)
        if code and code in self.by_code:
            return self.by_code[code], None
        if name_key in self.by_name:
            pk, existing_code = self.by_name[name_key]
            if code and existing_code and existing_code != code:
                return None, self._error(
                    row,
                    "credit_code",
                    _(
                        "A unit with this name and address is registered with another credit "
                        "code (%(code)s); correct the code or the name."
                    )
                    % {"code": existing_code},
                )
            return pk, None
        return None, None

    def check_chunk(self, rows: list[RowInput]) -> list[Outcome]:
        resolved = []
        for row in rows:
            values, errors = self._resolve(row)
            pk = None
            if not errors or "name" in values:
                pk, error = self._match(row, values)
                if error:
                    errors.append(error)
            resolved.append((row, values, errors, pk))
        # Credit codes registered in another town (the service would refuse them).
        new_codes = [
            v["credit_code"] for _r, v, e, pk in resolved if pk is None and v.get("credit_code")
        ]
        elsewhere = set(
            Unit.objects.filter(credit_code__in=new_codes).values_list("credit_code", flat=True)
        )
        pks = [pk for *_rest, pk in resolved if pk is not None]
        self._units = {
            u.pk: u
            for u in Unit.objects.filter(pk__in=pks)
            .select_related("region", "committee")
            .prefetch_related("categories")
        }
        self._licences = {
            d.unit_id: d
            for d in UnitDocument.objects.filter(
                unit_id__in=pks, doc_type=DocumentType.BUSINESS_LICENCE
            ).order_by("unit_id", "-valid_to", "-pk")
        }
        outcomes = []
        for row, values, errors, pk in resolved:
            if pk is None and values.get("credit_code") in elsewhere:
                errors.append(
                    self._error(
                        row,
                        "credit_code",
                        _(
                            "The credit code %(code)s is already registered for a unit of another "
                            "town; ask the district to check."
                        )
                        % {"code": values["credit_code"]},
                    )
                )
            if errors:
                outcomes.append(Outcome("reject", errors=errors))
                continue
            label = values.get("name", "")
            if pk is None:
                outcomes.append(Outcome("create", label=label, changes=values))
                continue
            changes = self._changes(self._units[pk], values)
            outcomes.append(
                Outcome(
                    "update" if changes else "unchanged",
                    label=label,
                    changes=changes,
                    pk=pk,
                )
            )
        return outcomes

    def _changes(self, unit: Unit, values: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key, value in values.items():
            if key == "categories":
                if {c.pk for c in value} != {c.pk for c in unit.categories.all()}:
                    changes[key] = value
            elif key == "licence_valid_to":
                licence = self._licences.get(unit.pk)
                if licence is None or licence.valid_to != value:
                    changes[key] = value
            elif key in {"region", "committee"}:
                if getattr(unit, f"{key}_id") != value.pk:
                    changes[key] = value
            elif getattr(unit, key) != value:
                changes[key] = value
        return changes

    def apply_chunk(self, pairs: list[tuple[RowInput, Outcome]]) -> list[int | list[RowError]]:
        """New units are validated all first, then written in bulk (``units_create_many``: no
        savepoint per row, the audit entries chained in one go); updates go one by one through
        ``unit_update``."""
        out: dict[int, int | list[RowError]] = {}
        creates = [(r, o) for r, o in pairs if o.action == "create"]
        items, licences = [], []
        for _row, outcome in creates:
            values = dict(outcome.changes)
            licences.append(values.pop("licence_valid_to", None))
            items.append(values)
        documents: list[UnitDocument] = []
        for (row, _o), saved, valid_to in zip(
            creates, units_create_many(actor=self.actor, items=items), licences, strict=True
        ):
            if isinstance(saved, ValidationError):
                out[row.number] = imp._service_errors(self, row, saved)
                continue
            out[row.number] = saved.pk
            if saved.credit_code:
                self.by_code[saved.credit_code] = saved.pk
            if valid_to is not None:
                documents.append(self._licence(saved, valid_to))
        if documents:
            UnitDocument.objects.bulk_create(documents, batch_size=500)
            audit_record_many(
                actor=self.actor,
                records=[
                    ("unit_document.created", d, {"valid_to": [None, str(d.valid_to)]})
                    for d in documents
                ],
            )
        for row, outcome in pairs:
            if outcome.action == "create":
                continue
            try:
                with transaction.atomic():
                    out[row.number] = self.apply_row(row, outcome)
            except ValidationError as exc:
                out[row.number] = imp._service_errors(self, row, exc)
        return [out[row.number] for row, _o in pairs]

    def _licence(self, unit: Unit, valid_to) -> UnitDocument:
        """The business licence of a new unit, checked, not yet saved."""
        licence = UnitDocument(
            unit=unit,
            doc_type=DocumentType.BUSINESS_LICENCE,
            number=unit.credit_code,
            valid_to=valid_to,
            uploaded_by=self.actor,
        )
        licence.full_clean(
            exclude=["file", "unit", "uploaded_by", "person"],
            validate_unique=False,
            validate_constraints=False,
        )
        return licence

    def apply_row(self, row: RowInput, outcome: Outcome) -> int:
        values = dict(outcome.changes)
        licence_valid_to = values.pop("licence_valid_to", None)
        if outcome.action == "create":
            unit = unit_create(
                actor=self.actor,
                name=values.pop("name"),
                region=values.pop("region"),
                kind=values.pop("kind"),
                categories=values.pop("categories", ()),
                **values,
            )
            if unit.credit_code:
                self.by_code[unit.credit_code] = unit.pk
        else:
            unit = self._units[outcome.pk]
            if values:
                unit = unit_update(
                    actor=self.actor,
                    unit_id=unit.pk,
                    expected_version=unit.version,
                    reason=_("Import of %(file)s, row %(row)s")
                    % {"file": self.source_name, "row": row.number},
                    **values,
                )
        if licence_valid_to is not None:
            self._licence_upsert(unit, licence_valid_to)
        return unit.pk

    def _licence_upsert(self, unit: Unit, valid_to) -> None:
        """MINIMAL WRITER, to be replaced by the documents' service once it exists: the business
        licence document of the unit with its validity end, created or updated, audited."""
        licence = self._licences.get(unit.pk)
        if licence is None:
            licence = UnitDocument(
                unit=unit,
                doc_type=DocumentType.BUSINESS_LICENCE,
                number=unit.credit_code,
                valid_to=valid_to,
                uploaded_by=self.actor,
            )
            # The unit and the actor were just read: only the document's own fields are checked.
            licence.full_clean(exclude=["file", "unit", "uploaded_by", "person"])
            licence.save()
            audit_record(
                actor=self.actor,
                action="unit_document.created",
                obj=licence,
                changes={"valid_to": [None, str(valid_to)]},
            )
        elif licence.valid_to != valid_to:
            before = licence.valid_to
            UnitDocument.objects.filter(pk=licence.pk).update(valid_to=valid_to)
            audit_record(
                actor=self.actor,
                action="unit_document.updated",
                obj=licence,
                changes={"valid_to": [str(before) if before else None, str(valid_to)]},
            )

    def error_column(self, key: str) -> str:
        return self.column({"region": "village", "grade_reason": "grade"}.get(key, key))

    def verify(self, saved: list[int]) -> None:
        if self.actor is None:
            return
        ids = sorted(set(saved))
        allowed = Unit.objects.for_action(self.actor, CHANGE)
        seen = 0
        for start in range(0, len(ids), 500):
            seen += allowed.filter(pk__in=ids[start : start + 500]).count()
        if seen != len(ids):
            raise ActionNotPermitted(
                _("%(n)s of the imported units lie outside what you may change; nothing was saved.")
                % {"n": len(ids) - seen}
            )


# --- The flow (page and API) ------------------------------------------------------------------------


def import_towns(actor):
    """The towns where ``actor`` may import units."""
    return Region.objects.for_action(actor, IMPORT).filter(level=RegionLevel.TOWN).order_by("code")


def template_bytes(town: Region | None) -> bytes:
    return imp.template_workbook("监管对象", unit_fields(town), TEMPLATE_NOTES)


class UnitImportFlow(ImportFlow):
    """The units import on ``anjian.core.import_runs``: runs of kind ``units`` in one town."""

    kind = "units"
    job_kind = KIND
    action = IMPORT
    background_rows = BACKGROUND_ROWS

    def spec(self, run: ImportRun, actor) -> UnitImportSpec:
        return UnitImportSpec(actor=actor, town=run.region, source_name=run.source_name)

    def apply_label(self, run: ImportRun) -> str:
        return _("Import of units (confirmed): %(file)s") % {"file": run.source_name}

    def enqueue_check(self, run_id: int) -> None:
        units_import_check_task.enqueue(run_id=run_id)

    def enqueue_apply(self, run_id: int, job_id: int) -> None:
        units_import_apply_task.enqueue(run_id=run_id, job_id=job_id)


FLOW = UnitImportFlow()


def import_options(
    *, sheet: str = "", defaults: dict | None = None, mapping: dict | None = None
) -> dict[str, Any]:
    """The options of a run as the flow reads them; empty ones left out."""
    options: dict[str, Any] = {}
    if sheet:
        options["sheet"] = str(sheet)[:100]
    clean = {str(k)[:60]: str(v)[:200] for k, v in (defaults or {}).items() if v not in (None, "")}
    if clean:
        options["defaults"] = clean
    if mapping:
        options["mapping"] = {str(k)[:200]: str(v or "")[:60] for k, v in mapping.items()}
    return options


def units_import_start(
    *,
    actor,
    town: Region,
    upload,
    sheet: str = "",
    defaults: dict | None = None,
    mapping: dict | None = None,
) -> ImportRun:
    """Store the uploaded file and run its dry run (in the background for a large file).
    ``sheet``: the sheet to read (else the first whose header matches); ``defaults``: one value
    for the whole file per column the sheet lacks, keyed by the template's label ({"类型": "企业"});
    ``mapping``: the sheet's header → field key ("" ignores it), remembered for the town."""
    if not import_towns(actor).filter(pk=town.pk).exists():
        raise ActionNotPermitted(_("You may not import units in this town."))
    name = str(getattr(upload, "name", "") or "units.xlsx").rsplit("/", 1)[-1][:200]
    if not name.lower().endswith(imp.ACCEPTED):
        raise ValidationError(
            {
                "file": _(
                    "Upload an Excel or WPS workbook (.xlsx, .xls, .ods) or a CSV file; "
                    "“%(name)s” is none of them."
                )
                % {"name": name}
            }
        )
    return import_run_start(
        FLOW,
        actor=actor,
        region=town,
        upload=upload,
        name=name,
        label=_("Import of units: %(file)s") % {"file": name},
        options=import_options(sheet=sheet, defaults=defaults, mapping=mapping),
    )


def units_import_recheck(
    *,
    actor,
    run_id: int,
    sheet: str = "",
    defaults: dict | None = None,
    mapping: dict | None = None,
) -> ImportRun:
    """The same file again, with the answers to the dry run's questions (the sheet, one value
    for a column the file lacks, what an unknown header means): a new run and its dry run. 404
    outside the actor's scope; only a checked or failed dry run may be checked again."""
    run = FLOW.runs_for(actor).filter(pk=run_id).first()
    if run is None:
        raise Http404
    if run.state not in {ImportState.CHECKED, ImportState.FAILED}:
        raise ValidationError(
            _("This import cannot be checked again: it is %(state)s.")
            % {"state": run.get_state_display()}
        )
    with run.source.open("rb") as fh:
        upload = ContentFile(fh.read(), name=run.source_name)
    previous = run.options or {}
    return units_import_start(
        actor=actor,
        town=run.region,
        upload=upload,
        sheet=sheet or previous.get("sheet", ""),
        defaults={**previous.get("defaults", {}), **(defaults or {})},
        mapping=mapping,
    )


def units_import_check(run_id: int) -> ImportRun:
    """The dry run: record what the file would create, update and reject; finish its job."""
    return import_run_check(FLOW, run_id)


@task()
def units_import_check_task(run_id: int) -> dict:
    return import_run_check_in_task(FLOW, run_id)


def units_import_apply(*, actor, run_id: int) -> ImportRun:
    """The user confirms a checked import: write its valid rows (in the background for a large
    file). 404 outside the actor's scope; refused unless the dry run is done and not applied."""
    return import_run_apply(FLOW, actor=actor, run_id=run_id)


@task()
def units_import_apply_task(run_id: int, job_id: int) -> dict:
    return import_run_write_in_task(FLOW, run_id, job_id)
