"""Chinese of the rule of correction (what the finder recorded is evidence) and of the downgrade
of a major hazard (issue 16 §3)."""

T = {
    # workflow: the downgrade
    "Ask to downgrade to an ordinary hazard": "申请降为一般隐患",
    "Approve the downgrade": "同意降级",
    "Refuse the downgrade": "不同意降级",
    "A request to downgrade this hazard is already awaiting a decision.": (
        "该隐患已有降级申请待审批。"
    ),
    "No request to downgrade this hazard is awaiting a decision.": "该隐患没有待审批的降级申请。",
    "asked a leader to downgrade it to an ordinary hazard": "申请降为一般隐患，待领导审批",
    "approved the downgrade: now an ordinary hazard": "同意降级，现为一般隐患",
    "refused the downgrade: it stays a major hazard": "不同意降级，仍为重大事故隐患",
    # workflow: the rule of correction
    "Only an open hazard can be corrected.": "只有未销号、未撤销的隐患可以更正。",
    "You may not correct this hazard.": "您无权更正该隐患。",
    "An enterprise corrects only the hazards of its own self-checks.": (
        "企业只能更正本单位自查发现的隐患。"
    ),
    "Only the side that recorded this hazard, or the town office, corrects it.": (
        "只有登记该隐患的一方或镇安监办可以更正。"
    ),
    "Rectification has been ordered: only the town office corrects this hazard now.": (
        "已下达整改，现在只有镇安监办可以更正该隐患。"
    ),
    "The source is the record of who found the hazard: only the town office corrects it.": (
        "隐患来源记录了由谁发现，只有镇安监办可以更正。"
    ),
    "An enterprise does not change the level of a hazard.": "企业不能更改隐患的级别。",
    "A major hazard is downgraded only at the town office's request, approved by a leader.": (
        "重大事故隐患只能由镇安监办申请、经领导审批后降为一般隐患。"
    ),
    "An enterprise closes on the spot only the hazards of its own self-checks.": (
        "企业只能对本单位自查发现的隐患立行立改销号。"
    ),
    "Only the person who found it, an inspector or the office closes it on the spot.": (
        "只有发现人、安监员或镇安监办可以对该隐患立行立改销号。"
    ),
    # services
    "“%(field)s” cannot be changed: %(reason)s": "“%(field)s”不能更改：%(reason)s",
    "Give the reason for the correction.": "请填写更正理由。",
    "An enterprise records the hazards of its own self-checks.": "企业只能登记本单位自查发现的隐患。",
    # pages
    "Reason for the correction": "更正理由",
    "Kept on the hazard's timeline and in the audit record.": "记入隐患处理记录和审计日志。",
    "Correction after the order": "下达整改后的更正",
    "Correction of another's record": "更正他人登记的内容",
}

# The sub-grades shared by every town, and each town's own (issue 16 §3).
T.update(
    {
        "Empty: shared by every town (kept by the district).": "留空：各镇共用（由区级维护）。",
        "shared by every town": "各镇共用",
    }
)
