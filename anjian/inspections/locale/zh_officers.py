"""Chinese of choosing the officers of an inspection (issue 16)."""

T = {
    "Enforcement officers (执法人员)": "执法人员",
    "Documents need at least two officers with a valid law-enforcement certificate. The inspector is always one of them.": "出具执法文书须有至少两名持有效执法证的执法人员；检查人始终在内。",
    "change the officers": "修改执法人员",
    "A document has been issued for this inspection with its officers: they can no longer change.": "本次检查已出具载有执法人员的文书，执法人员不能再修改。",
    "(the inspector)": "（检查人）",
    "The officers were saved.": "执法人员已保存。",
}
CONTEXT = {
    ("officers", "Edit"): "修改",
}
