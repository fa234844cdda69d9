"""Chinese of the inspections catalog, kept in code (``scripts/apply_translations.py`` applies it).

Each part of the app keeps its own strings in ``zh_<part>.py`` beside this file (same
``T``/``PLURALS``/``CONTEXT`` dicts), merged below.
"""

from __future__ import annotations

import runpy
from pathlib import Path

T = {
    "Draft": "草稿",
    "Published": "已发布",
    "Retired": "已停用",
    "In progress": "检查中",
    "Finished and locked": "已完成（已锁定）",
    "Cancelled": "已作废",
    "Town inspection": "安监办检查",
    "Expert check": "专家帮查",
    "Village patrol": "村（社区）巡查",
    "Joint enforcement": "联合执法",
    "Not yet checked": "未检查",
    "Pass": "符合",
    "Fail": "不符合",
    "Not applicable": "不适用",
    "code": "代码",
    "name": "名称",
    "description": "说明",
    "town": "镇（街道）",
    "Empty for the templates shipped with anjian; a town's own copies name it.": "系统自带的检查表为空；本镇复制修改的检查表填写所属镇。",
    "for unit kinds": "适用单位类型",
    "for unit categories": "适用单位类别",
    "copied from": "复制自",
    "in use": "启用",
    "order": "排序",
    "checklist template": "检查表",
    "checklist templates": "检查表",
    "template": "检查表",
    "version": "版本",
    "status": "状态",
    "what changed": "修改说明",
    "created at": "创建时间",
    "published at": "发布时间",
    "published by": "发布人",
    "checklist version": "检查表版本",
    "checklist versions": "检查表版本",
    "title": "标题",
    "checklist section": "检查表分项",
    "checklist sections": "检查表分项",
    "section": "分项",
    "what to check": "检查内容",
    "legal basis": "依据",
    "level of a failure": "不符合时的隐患等级",
    "category of a failure": "不符合时的隐患类别",
    "a failure is a major hazard (Order 10)": "不符合即为重大事故隐患（应急管理部令第10号）",
    "criterion clause": "判定标准条款",
    "how to check": "检查方法",
    "checklist item": "检查项",
    "checklist items": "检查项",
    "unit": "单位",
    "kind": "类型",
    "client key": "客户端标识",
    "Sent by the phone so that a retried start never makes a second inspection.": "由手机端发送，网络重试时不会重复创建检查。",
    "lead inspector": "主检人",
    "officers": "执法人员",
    "started at": "开始时间",
    "finished at": "完成时间",
    "place inspected": "检查场所",
    "attendees of the unit": "被检查单位参加人员",
    "summary": "检查情况",
    "signed for the unit by": "被检查单位签字人",
    "unit's signature (PNG data)": "被检查单位签名（图片）",
    "inspector's signature (PNG data)": "检查人员签名（图片）",
    "inspection": "检查",
    "inspections": "检查",
    "item": "检查项",
    "result": "结果",
    "note": "备注",
    "hazard recorded": "登记的隐患",
    "answered at": "填写时间",
    "answered by": "填写人",
    "inspection result": "检查结果",
    "inspection results": "检查结果",
    "image": "图片",
    "original file": "原始文件",
    "SHA-256 of the original": "原始文件 SHA-256",
    "content type": "文件类型",
    "size of the original (bytes)": "原始文件大小（字节）",
    "taken at (EXIF)": "拍摄时间（EXIF）",
    "latitude (EXIF)": "纬度（EXIF）",
    "longitude (EXIF)": "经度（EXIF）",
    "uploaded at": "上传时间",
    "inspection photo": "检查照片",
    "inspection photos": "检查照片",
    "Inspections": "检查",
}
PLURALS: dict[str, list[str]] = {}
CONTEXT: dict[tuple[str, str], str] = {}

for _part in sorted(Path(__file__).resolve().parent.glob("zh_*.py")):
    _kept = runpy.run_path(str(_part))
    T.update(_kept.get("T", {}))
    PLURALS.update(_kept.get("PLURALS", {}))
    CONTEXT.update(_kept.get("CONTEXT", {}))
