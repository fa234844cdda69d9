"""Chinese of the plan cards of the home page (``anjian/plans/home.py``)."""

T = {
    "Inspection plan this month": "本月检查计划",
    "No inspection tasks are planned this month.": "本月没有计划的检查任务。",
    "%(done)s of %(planned)s tasks done": "已完成 %(done)s / %(planned)s 项任务",
    "%(late)s late tasks": "逾期未检 %(late)s 项",
    "My inspection tasks": "我的检查任务",
    "No open inspection tasks this month.": "本月没有待办的检查任务。",
}
PLURALS: dict = {}
CONTEXT: dict = {}
