"""Chinese of the enforcement catalog, kept in code (``scripts/apply_translations.py`` applies it)."""

T = {
    "Enforcement": "执法",
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
}
PLURALS: dict[str, list[str]] = {}
CONTEXT: dict[tuple[str, str], str] = {}
