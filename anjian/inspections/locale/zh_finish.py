"""Chinese of the finish step's choices per failed item (services/forms/views/api)."""

T = {
    "Hazard level": "隐患等级",
    "Rectification requirement": "整改要求",
    "Rectified on the spot": "立行立改",
    "Choose the level: ordinary or major.": "请选择隐患等级：一般或重大。",
    "The deadline cannot be in the past.": "整改期限不能早于今天。",
    "You may record the hazard, but the deadline is set by the town office, an inspector or the unit's expert: leave it empty.": "您可以登记隐患，但整改期限由镇安监办、安监员或包干专家确定，请留空。",
    "A major hazard cannot be rectified on the spot: it needs a governance plan.": "重大事故隐患不能立行立改，须制定治理方案。",
    "Describe what was done.": "请填写整改情况。",
    "Add at least one photo showing the rectification.": "请至少上传一张整改后的照片。",
    "Own deadline": "单独整改期限",
    "Or working days": "或工作日数",
    "What was done on the spot": "现场整改情况",
    "Photos showing the rectification": "整改后照片",
    "Choices were given for an item that did not fail: %(item)s.": "为未判定不合格的检查项填写了处理意见：%(item)s。",
    "Unknown choice: %(names)s.": "未知的处理项：%(names)s。",
    "A hazard rectified on the spot needs no deadline.": "立行立改的隐患无需整改期限。",
    "Choose photos taken for this item.": "请选择本检查项的照片。",
    "Each hazard": "逐项处理",
    "Open an item to change its level, give it its own deadline or requirement, or record it as rectified on the spot. Unchanged items keep the defaults above.": "展开检查项可修改隐患等级、单独设定整改期限或整改要求，或登记为立行立改。未修改的检查项按上面的默认设置处理。",
    "To record it as rectified on the spot, first add a photo of the result to this item on the checklist page.": "如需登记为立行立改，请先在检查表页面为本检查项上传整改后的照片。",
}
