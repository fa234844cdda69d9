"""Chinese of the enforcement catalog, kept in code (``scripts/apply_translations.py`` applies it).

Each part of the app keeps its own strings in ``zh_<part>.py`` beside this file (same
``T``/``PLURALS``/``CONTEXT`` dicts), merged below.
"""

from __future__ import annotations

import runpy
from pathlib import Path

T = {
    "Search": "搜索",
    "Clear": "清除",
    "Export to Excel": "导出Excel",
    "Enforcement": "执法",
    "largest fine the town may impose (yuan)": "镇（街道）可处罚款上限（元）",
    "Set by the entrustment or delegation; a case whose fine would exceed it is transferred (移送) to the district bureau. Empty: no cap beyond the provision's range.": "由委托或赋权确定；拟处罚款超过上限的案件移送区应急管理局。留空：仅按条款处罚幅度校验。",
    "On-site inspection record (现场检查记录)": "现场检查记录",
    "Order to rectify within a deadline (责令限期整改指令书)": "责令限期整改指令书",
    "Rectification re-check opinion (整改复查意见书)": "整改复查意见书",
    "Case-opening approval form (立案审批表)": "立案审批表",
    "Penalty notice (行政处罚告知书)": "行政处罚告知书",
    "Penalty decision (行政处罚决定书)": "行政处罚决定书",
    "Case-closure approval form (结案审批表)": "结案审批表",
    "town": "镇（街道）",
    "kind of document": "文书种类",
    "number format": "文号格式",
    "With {town}, {code}, {year} and {number}, e.g. {town}安监{code}〔{year}〕{number}号": "可使用 {town}、{code}、{year}、{number}，例如 {town}安监{code}〔{year}〕{number}号",
    "numbering rule": "文号规则",
    "numbering rules": "文号规则",
    "year": "年度",
    "last number": "最后编号",
    "document counter": "文书计数器",
    "document counters": "文书计数器",
    "number": "编号",
    "document number": "文号",
    "unit": "单位",
    "inspection": "检查",
    "title": "标题",
    "signed off by": "签发人",
    "issued at": "签发时间",
    "issued document": "执法文书",
    "issued documents": "执法文书",
    "You may not issue documents of this town.": "您无权签发本镇的执法文书。",
    "Entrusted by the county bureau (委托执法)": "受委托执法",
    "Power delegated to the town (赋权)": "赋权执法",
    "The town's own power": "本级职权",
    "issuing authority": "执法机关",
    "e.g. 富阳区应急管理局": "例如 富阳区应急管理局",
    "enforcement mode": "执法方式",
    "the town's body": "镇（街道）机关名称",
    "e.g. 场口镇人民政府": "例如 场口镇人民政府",
    "administrative reconsideration body": "行政复议机关",
    "people's court": "人民法院",
    "enforcement settings": "执法设置",
    "officer": "执法人员",
    "law-enforcement certificate number": "执法证号",
    "certificate valid until": "执法证有效期至",
    "law-enforcement certificate": "执法证",
    "law-enforcement certificates": "执法证",
    "order re-checked": "所复查的指令书",
    "For a re-check opinion: the rectification order it answers.": "整改复查意见书所对应的责令限期整改指令书。",
    "hazards covered": "涉及隐患",
    "enforcement officers": "执法人员",
    "Word file": "Word 文件",
    "SHA-256 of the file": "文件 SHA-256",
    "At least two enforcement officers took part, each with a law-enforcement certificate number on file.": "至少两名执法人员，并填写执法证号",
    "Documents are issued for a finished inspection only.": "检查结束后才能出具执法文书。",
    "This inspection recorded no hazards: there is nothing to order.": "本次检查未登记隐患，无需出具责令限期整改指令书。",
    "None of the order's hazards has been re-checked yet.": "该指令书所列隐患尚未复查，不能出具整改复查意见书。",
    "Enforcement documents issued": "已出具执法文书",
    "Document %(number)s is ready to download.": "文书 %(number)s 已生成，可以下载。",
    "Your roles do not include enforcement documents.": "您的角色无权使用执法文书。",
    "Enforcement documents": "执法文书",
    "Issue the re-check opinion (整改复查意见书)": "出具整改复查意见书",
    "Issue the on-site inspection record (出具现场检查记录)": "出具现场检查记录",
    "Issue the rectification order (出具责令限期整改指令书)": "出具责令限期整改指令书",
    "Document number or unit name": "文号或单位名称",
    "The inspection": "查看检查记录",
    "No documents issued yet.": "尚未出具执法文书。",
    "The documents issued for the inspections you may see appear here: on-site records, rectification orders and re-check opinions.": "您可查看的检查所出具的执法文书（现场检查记录、责令限期整改指令书、整改复查意见书）显示在这里。",
}
PLURALS: dict[str, list[str]] = {}
CONTEXT: dict[tuple[str, str], str] = {}

for _part in sorted(Path(__file__).resolve().parent.glob("zh_*.py")):
    _kept = runpy.run_path(str(_part))
    T.update(_kept.get("T", {}))
    PLURALS.update(_kept.get("PLURALS", {}))
    CONTEXT.update(_kept.get("CONTEXT", {}))
