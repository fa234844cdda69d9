"""Chinese of the hazard messages: event notifications, deadline reminders, overdue escalation
(``anjian/hazards/notifications.py``, ``anjian/hazards/escalation.py``)."""

T = {
    # notifications.py: who hears of an action
    "Hazard %(code)s: rectification ordered, deadline %(deadline)s": (
        "隐患 %(code)s 已下达整改，期限 %(deadline)s"
    ),
    "Hazard %(code)s: re-check failed, rectify again by %(deadline)s": (
        "隐患 %(code)s 复查不合格，请于 %(deadline)s 前重新整改"
    ),
    "Hazard %(code)s: the on-the-spot rectification was not accepted, rectify by %(deadline)s": (
        "隐患 %(code)s 现场整改复查不合格，请于 %(deadline)s 前完成整改"
    ),
    "Hazard %(code)s was reopened: rectify by %(deadline)s": (
        "隐患 %(code)s 已重新启动整改，请于 %(deadline)s 前完成"
    ),
    "Hazard %(code)s was cancelled": "隐患 %(code)s 已撤销",
    "Hazard %(code)s: extension approved, new deadline %(deadline)s": (
        "隐患 %(code)s 延期申请已批准，新的整改期限 %(deadline)s"
    ),
    "Hazard %(code)s: extension refused, the deadline stays %(deadline)s": (
        "隐患 %(code)s 延期申请未获批准，整改期限仍为 %(deadline)s"
    ),
    "Major hazard %(code)s: governance plan approved": "重大隐患 %(code)s 治理方案已审批通过",
    "Major hazard %(code)s: governance plan returned for revision": (
        "重大隐患 %(code)s 治理方案已退回修改"
    ),
    "Major hazard %(code)s: resumption of production allowed": "重大隐患 %(code)s 已同意恢复生产",
    "Major hazard %(code)s: resumption of production refused": (
        "重大隐患 %(code)s 恢复生产申请未获同意"
    ),
    "Hazard %(code)s passed the re-check and is closed": "隐患 %(code)s 复查合格，已销号",
    "Major hazard %(code)s: closure approved by the listing authority": (
        "重大隐患 %(code)s 经挂牌督办单位同意，已销号"
    ),
    "Hazard %(code)s: rectification submitted, awaiting re-check": (
        "隐患 %(code)s 已提交整改，待复查"
    ),
    "Hazard %(code)s: extension to %(requested)s requested": (
        "隐患 %(code)s 申请延期至 %(requested)s，待审批"
    ),
    "Major hazard %(code)s: governance plan submitted for approval": (
        "重大隐患 %(code)s 已报送治理方案，待审批"
    ),
    "Major hazard %(code)s: application to resume production": (
        "重大隐患 %(code)s 申请恢复生产，待审批"
    ),
    "Major hazard %(code)s listed for supervision": "重大隐患 %(code)s 已挂牌督办",
    "Major hazard %(code)s found at %(unit)s": "%(unit)s 发现重大事故隐患 %(code)s",
    "%(unit)s, %(location)s: %(description)s": "%(unit)s，%(location)s：%(description)s",
    "Opinion: %(note)s": "意见：%(note)s",
    # escalation.py: one line per hazard in the daily digest
    "%(code)s %(unit)s: the deadline is today (%(deadline)s)": (
        "%(code)s %(unit)s：今日（%(deadline)s）整改到期"
    ),
    "%(code)s %(unit)s: deadline %(deadline)s, no working day left": (
        "%(code)s %(unit)s：整改期限 %(deadline)s，已无剩余工作日"
    ),
    "%(code)s %(unit)s: deadline %(deadline)s, overdue": (
        "%(code)s %(unit)s：整改期限 %(deadline)s，已逾期"
    ),
    " (reported to the town leaders)": "（已报镇领导督办）",
}

PLURALS = {
    "%(code)s %(unit)s: deadline %(deadline)s, %(days)s working day left": [
        "%(code)s %(unit)s：整改期限 %(deadline)s，还剩 %(days)s 个工作日"
    ],
    "%(code)s %(unit)s: deadline %(deadline)s, overdue by %(days)s working day": [
        "%(code)s %(unit)s：整改期限 %(deadline)s，已逾期 %(days)s 个工作日"
    ],
    "Hazard deadlines, %(date)s: %(count)d hazard to follow up": [
        "隐患整改期限提醒（%(date)s）：%(count)d 项隐患需跟进"
    ],
}

CONTEXT: dict[tuple[str, str], str] = {}
