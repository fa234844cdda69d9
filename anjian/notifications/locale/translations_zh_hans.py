"""Chinese translations of the notifications catalog, applied with ``python translations_zh_hans.py``
after ``makemessages`` (then run ``compilemessages``). Kept in code so that a re-run of
makemessages never loses a translation."""

from pathlib import Path

import polib

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


def main() -> None:
    path = Path(__file__).parent / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    po.metadata_is_fuzzy = False
    po.metadata.update(
        {
            "Project-Id-Version": "anjian",
            "Language-Team": "anjian",
            "Last-Translator": "anjian",
            "Language": "zh_Hans",
        }
    )
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            forms = PLURALS.get(entry.msgid)
            if forms is None:
                missing.append(entry.msgid)
                continue
            entry.msgstr_plural = dict(enumerate(forms))
        elif entry.msgctxt:
            if (entry.msgctxt, entry.msgid) not in CONTEXT:
                missing.append(f"{entry.msgctxt}|{entry.msgid}")
                continue
            entry.msgstr = CONTEXT[(entry.msgctxt, entry.msgid)]
        elif entry.msgid in T:
            entry.msgstr = T[entry.msgid]
        else:
            missing.append(entry.msgid)
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save(str(path))
    if missing:
        raise SystemExit("untranslated: " + "; ".join(missing))


if __name__ == "__main__":
    main()
