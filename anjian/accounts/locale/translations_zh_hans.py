"""Chinese translations of the accounts catalog, applied with ``python translations_zh_hans.py``
after ``makemessages`` (then run ``compilemessages``). Kept in code so that a re-run of
makemessages never loses a translation."""

from pathlib import Path

import polib

T = {
    "Your roles do not include this operation.": "您的角色不包括此操作。",
    "This account uses two-factor log-in: send the 6-digit code as “otp”.": "此账号已开启两步验证：请在“otp”中发送 6 位验证码。",
    "Change the initial password on the log-in page first, then request a token.": "请先在登录页面修改初始密码，再申请令牌。",
    "API": "API",
    "%(label)s %(pk)s is not within your town.": "%(label)s %(pk)s 不在您所辖的镇街范围内。",
    "Region": "区域",
    "Breadcrumb": "导航路径",
    "Supervised unit": "监管对象",
    "Committee": "委员会",
    "CSRF check failed: reload the page and try again.": "CSRF 校验失败：请刷新页面后重试。",
    "Accounts": "账号",
    "User name or mobile number": "用户名或手机号",
    "Password": "密码",
    "6-digit code": "6 位验证码",
    "The code your authenticator app shows for anjian.": "身份验证器应用中为“安监”显示的验证码。",
    "Current password": "当前密码",
    "New password": "新密码",
    "At least 8 characters, not only digits, not a common password.": "至少 8 个字符，不能全是数字，不能是常见密码。",
    "New password again": "再次输入新密码",
    "The current password is wrong.": "当前密码不正确。",
    "The two new passwords differ.": "两次输入的新密码不一致。",
    "The new password must differ from the current one.": "新密码不能与当前密码相同。",
    "Token name": "令牌名称",
    "What the token is for, e.g. “data exchange with the district”.": "令牌的用途，例如“与区里的数据交换”。",
    "Reason": "原因",
    "Recorded in the audit record, e.g. “moved to another post”.": "将记入审计记录，例如“调离岗位”。",
    "Role": "角色",
    "For officials, inspectors, leaders, village officers and departments.": "适用于镇安监办、安监员、镇领导、村（社区）安全员和联合执法部门。",
    "For enterprise users and contracted experts.": "适用于企业用户和包干专家。",
    "For committee members.": "适用于专委会成员。",
    "Title or department": "职务或部门",
    "User name": "用户名",
    "Name": "姓名",
    "Mobile number": "手机号",
    "E-mail": "电子邮箱",
    "Initial password": "初始密码",
    "The person must change it at the first log-in.": "该用户首次登录时必须修改。",
    "user name": "用户名",
    "mobile number": "手机号",
    "name": "姓名",
    "e-mail": "电子邮箱",
    "active": "启用",
    "may use the admin site": "可使用管理后台",
    "For system administrators only.": "仅限系统管理员。",
    "must change password at next log-in": "下次登录时须修改密码",
    "failed log-ins in a row": "连续登录失败次数",
    "locked until": "锁定至",
    "joined": "加入时间",
    "user": "用户",
    "users": "用户",
    "role": "角色",
    "region": "区域",
    "unit": "监管对象",
    "committee": "委员会",
    "title or department": "职务或部门",
    "created at": "创建时间",
    "role assignment": "角色分配",
    "role assignments": "角色分配",
    "key hash": "密钥哈希",
    "key hint": "密钥提示",
    "expires at": "过期时间",
    "last used at": "最近使用时间",
    "revoked at": "撤销时间",
    "API token": "API 令牌",
    "API tokens": "API 令牌",
    "Town safety office": "镇安监办",
    "Inspector": "安监员",
    "Town leader": "镇领导",
    "Committee member": "专委会成员",
    "Village safety officer": "村（社区）安全员",
    "Contracted expert": "包干专家",
    "Enterprise user": "企业用户",
    "Department officer": "联合执法部门人员",
    "District supervisor": "区应急管理局人员",
    "Too many failed log-ins. The account is locked until %(time)s.": "登录失败次数过多，账号已被锁定，请于 %(time)s 之后再试。",
    "Wrong user name or password.": "用户名或密码错误。",
    "This account has been deactivated. Ask the town office.": "该账号已停用，请联系镇安监办。",
    "No two-factor device is set up.": "尚未设置两步验证设备。",
    "Too many wrong codes in a row. Wait a few seconds, then enter the current code.": "连续输错验证码次数过多，请稍等几秒后输入当前的验证码。",
    "The 6-digit code is wrong or has expired. Enter the current code.": "6 位验证码错误或已过期，请输入当前显示的验证码。",
    "Two-factor log-in is offered to staff accounts only.": "两步验证仅向工作人员账号提供。",
    "Authenticator app": "身份验证器应用",
    "Start the set-up again: no device is waiting for confirmation.": "请重新开始设置：没有等待确认的设备。",
    "The password is wrong.": "密码不正确。",
    "Choose a role from the list.": "请从列表中选择角色。",
    "The role “%(role)s” needs a region.": "角色“%(role)s”需要选择区域。",
    "The role “%(role)s” needs a supervised unit.": "角色“%(role)s”需要选择监管对象。",
    "The role “%(role)s” needs a committee.": "角色“%(role)s”需要选择专委会。",
    "You may only assign roles within your own town or district.": "您只能在本辖区（本镇街）范围内分配角色。",
    "Your roles do not include managing users.": "您的角色不包括用户管理。",
    "You cannot deactivate your own account.": "不能停用您自己的账号。",
    "Give the reason for deactivating this account.": "请填写停用该账号的原因。",
    "The user already holds this role in this scope.": "该用户在此范围内已拥有此角色。",
    "No token was sent.": "未发送令牌。",
    "The token is not valid.": "令牌无效。",
    "The token has been revoked.": "令牌已被撤销。",
    "The token has expired. Request a new one.": "令牌已过期，请重新申请。",
    "optional": "选填",
    "revoked": "已撤销",
    "Log in": "登录",
    "Forgot your password? Ask the town safety office to reset it.": "忘记密码？请联系镇安监办重置。",
    "Two-factor log-in": "两步验证",
    "%(name)s, enter the 6-digit code from your authenticator app.": "%(name)s，请输入身份验证器应用中显示的 6 位验证码。",
    "Confirm": "确认",
    "Back to the log-in page": "返回登录页面",
    "On": "已开启",
    "Each log-in asks for a code from your authenticator app.": "每次登录都需要输入身份验证器应用中的验证码。",
    "Switch two-factor log-in off": "关闭两步验证",
    "Switch two-factor log-in off? Your account will then be protected by the password only.": "确定关闭两步验证吗？关闭后您的账号将只受密码保护。",
    "Switch off": "关闭",
    "Install an authenticator app on your phone (e.g. Microsoft Authenticator or FreeOTP).": "在手机上安装身份验证器应用（例如 Microsoft Authenticator 或 FreeOTP）。",
    "Scan this QR code with the app, or enter the key by hand.": "用该应用扫描此二维码，或手动输入密钥。",
    "Enter the 6-digit code the app shows to confirm.": "输入应用显示的 6 位验证码以确认。",
    "Key": "密钥",
    "Confirm and switch on": "确认并开启",
    "Cancel": "取消",
    "Change password": "修改密码",
    "Your account still has the initial password that the town office gave you. Choose your own password before you continue.": "您的账号仍在使用镇安监办分配的初始密码。请先设置您自己的密码，然后再继续。",
    "My account": "我的账号",
    "Personal details": "个人信息",
    "Last log-in": "最近登录",
    "My roles": "我的角色",
    "No role has been assigned to you yet. Ask the town office.": "您还没有被分配角色，请联系镇安监办。",
    "Manage": "管理",
    "Off": "未开启",
    "Protect your log-in with a code from an authenticator app on your phone.": "用手机上身份验证器应用生成的验证码保护您的登录。",
    "Set up two-factor log-in": "设置两步验证",
    "Your new token is shown only this once. Copy it now and keep it secret:": "新令牌只显示这一次，请立即复制并妥善保密：",
    "Token": "令牌",
    "Expires": "过期时间",
    "Status": "状态",
    "expired": "已过期",
    "valid": "有效",
    "Revoke this token? Programs using it will stop working.": "确定撤销此令牌吗？使用它的程序将无法继续工作。",
    "Revoke": "撤销",
    "You have no API tokens. Programs that use the API need one.": "您还没有 API 令牌。调用 API 的程序需要令牌。",
    "Create token": "创建令牌",
    "Users": "用户",
    "Active": "启用",
    "Deactivated": "已停用",
    "Joined": "加入时间",
    "initial password, not yet changed": "初始密码，尚未修改",
    "changed by the user": "已由本人修改",
    "Locked until": "锁定至",
    "Deactivate this account? The person can no longer log in and their API tokens are revoked.": "确定停用该账号吗？停用后该用户将无法登录，其 API 令牌也将被撤销。",
    "Deactivate account": "停用账号",
    "Reactivate this account?": "确定重新启用该账号吗？",
    "Reactivate account": "重新启用账号",
    "Roles": "角色",
    "Revoke this role?": "确定撤销该角色吗？",
    "No roles.": "没有角色。",
    "Assign a role": "分配角色",
    "Assign": "分配",
    "Recent audit entries": "最近的审计记录",
    "Time": "时间",
    "Action": "操作",
    "By": "操作人",
    "Nothing recorded about this user yet.": "暂无关于该用户的记录。",
    "New user": "新建用户",
    "The person logs in with the user name or the mobile number and must change the initial password at the first log-in. The role can only be given within your own town.": "该用户可用用户名或手机号登录，首次登录时必须修改初始密码。角色只能在本镇范围内分配。",
    "Create user": "创建用户",
    "Export to Excel": "导出Excel",
    "Search": "搜索",
    "Name, user name or mobile number": "姓名、用户名或手机号",
    "All roles": "全部角色",
    "Active and deactivated": "启用和已停用",
    "Pages": "分页",
    "Previous": "上一页",
    "Page %(number)s of %(total)s": "第 %(number)s / %(total)s 页",
    "Next": "下一页",
    "No user matches the search or the filters.": "没有符合搜索或筛选条件的用户。",
    "No users yet. The town office adds the people of the town here.": "还没有用户。镇安监办在这里添加本镇的人员。",
    "The log-in took too long. Enter your password again.": "登录超时，请重新输入密码。",
    "You have logged out.": "您已退出登录。",
    "Your password has been changed.": "您的密码已修改。",
    "Two-factor log-in is on. Keep your phone with you.": "两步验证已开启，请随身携带手机。",
    "Two-factor log-in is off.": "两步验证已关闭。",
    "The user %(name)s was created and must change the password at first log-in.": "用户 %(name)s 已创建，首次登录时必须修改密码。",
    "The account has been reactivated.": "账号已重新启用。",
    "The account has been deactivated.": "账号已停用。",
    "The role has been assigned.": "角色已分配。",
    "The role has been revoked.": "角色已撤销。",
    "The mobile number “%(value)s” is not valid: enter 11 digits starting with 13–19.": "手机号“%(value)s”无效：请输入以 13–19 开头的 11 位数字。",
}
# Entries with a context (msgctxt), where the same English word means something else elsewhere.
CONTEXT = {
    ("person", "Name"): "姓名",
}
PLURALS = {
    "%(counter)s user": ["共 %(counter)s 个用户"],
    "This password is too short. It must contain at least %d character.": [
        "密码长度太短。密码必须包含至少 %d 个字符。"
    ],
}


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
    po.save(str(path))
    if missing:
        raise SystemExit("untranslated: " + "; ".join(missing))


if __name__ == "__main__":
    main()
