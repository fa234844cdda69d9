"""Chinese of the hazard API (``api.py``) and the sub-grade settings service
(``settings_services.py``); merged by ``translations_zh_hans.py``."""

T = {
    # api.py
    "Your roles do not include the hazards.": "您的角色无权查看隐患。",
    "Your roles do not include this step of the hazard loop.": "您的角色无权执行隐患闭环的这一步骤。",
    "Your roles do not include the hazard settings.": "您的角色无权修改隐患设置。",
    "No unit %(id)s at which you may record hazards.": "您无权在编号为 %(id)s 的单位录入隐患。",
    "Choose the unit.": "请选择单位。",
    # settings_services.py
    "Give a code of letters, digits, - and _.": "编码只能由字母、数字、“-”和“_”组成。",
    "Give a code of at most 30 characters.": "编码不能超过 30 个字符。",
    "Another sub-grade already has this code.": "已有其他细分等级使用该编码。",
    "Give the sub-grade a name.": "请填写细分等级名称。",
    "Give a name of at most 40 characters.": "名称不能超过 40 个字符。",
    "Give the order as a whole number.": "排序请填写整数。",
    "Hazards carry this sub-grade: its level cannot change.": "已有隐患使用该细分等级，不能更改其所属等级。",
    "Select a valid choice. That choice is not one of the available choices.": "选择一个有效的选项。该选择不在可用的选项中。",
}
CONTEXT: dict = {}
PLURALS: dict = {}
