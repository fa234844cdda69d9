"""Words the inspections pages share with other apps (the same Chinese site-wide)."""

T = {
    "Findings": "检查情况",
    "findings": "检查情况",
    "about this checklist": "检查表说明",
    "Checklist name": "检查表名称",
    "About this checklist": "检查表说明",
    "Legal basis": "依据",
    "Code": "代码",
    "Delete": "删除",
    "Import from Excel": "从 Excel 导入",
    "Edit": "编辑",
    "Save": "保存",
    "Import": "导入",
    "All": "全部",
}
