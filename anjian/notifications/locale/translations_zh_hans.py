"""Kept Chinese translations of this catalog (see scripts/apply_translations.py)."""

T = {
    "Notifications": "消息通知",
    "recipient": "接收人",
    "kind": "类型",
    "title": "标题",
    "text": "内容",
    "link": "链接",
    "de-duplication key": "去重标识",
    "created at": "创建时间",
    "read at": "阅读时间",
    "e-mailed at": "邮件发送时间",
    "notification": "消息",
    "notifications": "消息",
    "Messages": "消息",
    "Show": "显示",
    "All": "全部",
    "Unread": "未读",
    "Mark all as read": "全部标为已读",
    "New": "新",
    "Mark as read": "标为已读",
    "No unread messages.": "没有未读消息。",
    "No messages yet.": "暂无消息。",
    "Reminders (documents about to expire, deadlines) and news about your work appear here.": "证照即将到期、办理期限等提醒以及与您工作相关的通知将显示在这里。",
    "%(count)d messages marked as read.": "已将 %(count)d 条消息标为已读。",
}

PLURALS = {
    "%(n)s unread": ["%(n)s 条未读"],
}

CONTEXT: dict[tuple[str, str], str] = {}
