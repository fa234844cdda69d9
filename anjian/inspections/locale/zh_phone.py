"""Chinese of the phone page's fixes: the "not sent yet" notice, where each hazard is, unanswered
items named before the signatures, and what a template suits."""

T = {
    "Not sent yet": "尚未发送",
    "Where the hazard is": "隐患位置",
    "where the hazard is": "隐患位置",
    "Where a failed item's hazard was found; it becomes the hazard's location.": "不符合项所发现隐患的具体位置，登记为隐患的位置。",
    "Suggested: the unit's address. Give the workshop, floor or spot.": "默认填入单位地址，请写明车间、楼层或具体部位。",
    "Say where the hazard is.": "请填写隐患位置。",
    "Level, deadline, requirement, rectified on the spot": "等级、整改期限、整改要求、立行立改",
    "Suggested for every unit of these kinds. Leave empty for a checklist of special work (dust, ammonia…): it is then suggested only by the categories below.": "对这些类型的所有单位推荐。专项作业检查表（粉尘、涉氨等）请留空，只按下面的单位类别推荐。",
    "Suggested for a unit with any of these categories, whatever its kind.": "单位具有其中任一类别即推荐，不论单位类型。",
}
PLURALS = {
    "%(counter)s item is not answered yet: answer it before anyone signs": [
        "还有 %(counter)s 项未填写：请先填写完毕，再由双方签字"
    ],
}
