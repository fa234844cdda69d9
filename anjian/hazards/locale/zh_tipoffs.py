"""Chinese of the public tip-offs (举报): tipoffs.py, tipoff_forms.py, tipoff_views.py,
tipoff_api.py and the templates hazards/tipoff_*.html, hazards/_tipoff_*.html."""

T = {
    # --- tipoffs.py: limits and messages ------------------------------------------------------------
    "Too many requests. Please try again later.": "请求过于频繁，请稍后再试。",
    "accept": "受理",
    "dismiss": "不予立案",
    "Choose the town where you saw the hazard.": "请选择发现隐患所在的镇（街道）。",
    "Describe what you saw in a few more words.": "请把您看到的情况描述得再具体一些。",
    "Send at most 3 photos.": "最多上传 3 张照片。",
    "The photos together are larger than 25 MB.": "照片合计超过 25 MB。",
    "The photos together are larger than 25 MB: send smaller or fewer photos.": (
        "照片合计超过 25 MB，请压缩照片或减少张数后再提交。"
    ),
    "Received": "已收到",
    "The town safety office has received your tip-off and will look into it.": (
        "镇安监办已收到您的举报，将尽快核实处理。"
    ),
    "Accepted as a hazard: under rectification": "已立为隐患，正在整改",
    "The office confirmed a hazard and has ordered it to be rectified.": (
        "经核实确属事故隐患，已责令相关单位限期整改。"
    ),
    "Accepted as a hazard: rectified and closed": "已立为隐患，已整改销号",
    "The hazard was rectified, re-checked and struck off.": "该隐患已整改完毕，经复查合格后销号。",
    "Accepted: dealt with": "已受理，已办结",
    "The office looked into your tip-off and has dealt with it.": "您的举报已经核实，并已处理完毕。",
    "Not accepted": "不予立案",
    "The office looked into your tip-off and did not take it up as a hazard.": (
        "经核实，您举报的情况未立为事故隐患。"
    ),
    "Too many look-ups from your device in the past hour. Please try again later.": (
        "您的设备在过去一小时内查询次数过多，请稍后再试。"
    ),
    "Public tip-off": "群众举报",
    "Give the reason for dismissing the tip-off.": "请填写不予立案的理由。",
    "You have sent %(n)d tip-offs in the past hour. Please wait a while before sending "
    "another. In an emergency, call 119 or 110 at once.": (
        "您在过去一小时内已提交 %(n)d 条举报，请稍后再提交。如遇紧急情况，请立即拨打 119 或 110。"
    ),
    "You have sent %(n)d tip-offs today. Please try again tomorrow, or call the work-safety "
    "hotline 12350. In an emergency, call 119 or 110 at once.": (
        "您今天已提交 %(n)d 条举报，请明天再提交，或拨打安全生产举报投诉电话 12350。"
        "如遇紧急情况，请立即拨打 119 或 110。"
    ),
    "The safety office of %(town)s is receiving too many tip-offs right now. Please try again "
    "later, or call the work-safety hotline 12350.": (
        "%(town)s安监办当前收到的举报过多，请稍后再试，或拨打安全生产举报投诉电话 12350。"
    ),
    "This tip-off has already been triaged (%(status)s).": "该举报已处理（%(status)s）。",
    "At most %(n)d characters, please (%(len)d given).": "最多 %(n)d 个字（已填 %(len)d 个）。",
    "The photo “%(name)s” is larger than 10 MB.": "照片“%(name)s”超过 10 MB。",
    "The unit of the code you scanned is in %(town)s: choose that town.": (
        "您扫码的单位位于%(town)s，请选择该镇（街道）。"
    ),
    "New public tip-off: %(place)s": "新的群众举报：%(place)s",
    "Choose the unit of %(town)s where the hazard is.": "请选择隐患所在的%(town)s辖区单位。",
    "Say where it is.": "请填写地点。",
    "Describe what you saw.": "请描述您看到的情况。",
    # --- tipoff_forms.py ------------------------------------------------------------------------------
    "Choose the town": "请选择镇（街道）",
    "Town": "镇（街道）",
    "Where": "地点",
    "The address, the name of the shop or factory, or a landmark nearby.": (
        "详细地址、店铺或厂名，或附近的标志性建筑。"
    ),
    "What you saw": "举报内容",
    "At most 2000 characters.": "最多 2000 字。",
    "Photos": "照片",
    "Up to 3 photos (JPEG, PNG or WebP), each at most 10 MB.": (
        "最多 3 张（JPEG、PNG 或 WebP 格式），每张不超过 10 MB。"
    ),
    "Your name (optional)": "您的姓名（选填）",
    "Your mobile (optional)": "您的手机号（选填）",
    "Only if the office may call you back about this tip-off.": "仅在您同意安监办就此举报回访时填写。",
    "What I report is true to the best of my knowledge. My name and mobile are used only to "
    "follow up this tip-off and are never shown to the unit reported.": (
        "本人承诺所举报内容据实反映。本人姓名和手机号仅用于本次举报的核实回访，"
        "不会向被举报单位透露。"
    ),
    "Tick the box to confirm before sending.": "请勾选确认后再提交。",
    "Leave this empty": "此项请勿填写",
    "Receipt code": "回执码",
    "The 12 letters and digits shown when you sent the tip-off.": "提交举报时显示的 12 位字母和数字。",
    "Unit": "单位",
    "Choose the unit": "请选择单位",
    "Location": "隐患部位",
    "Description of the hazard": "隐患描述",
    "The unit will read this. Leave out anything that could identify the reporter.": (
        "被举报单位可以看到此内容，请删去可能暴露举报人身份的信息。"
    ),
    "Type": "类型",
    "Category": "类别",
    "Level": "等级",
    "Sub-grade": "细分等级",
    "Rectification requirement": "整改要求",
    "Responsible person": "整改责任人",
    "Deadline": "整改期限",
    "With a deadline (or working days) rectification is ordered at once.": (
        "填写整改期限（或工作日数）后，即同时下达整改。"
    ),
    "Or: working days allowed": "或：整改工作日数",
    "Reason (kept in the office)": "理由（仅内部留存）",
    "Reply to the reporter": "答复举报人",
    "Shown to whoever enters the receipt code. Do not name people or units.": (
        "凭回执码查询的人均可看到此答复，请勿写明具体人员或单位。"
    ),
    "Status": "状态",
    "Received from": "收到日期自",
    "Received to": "收到日期至",
    # --- tipoff_views.py -------------------------------------------------------------------------------
    "Someone else triaged or changed this tip-off in the meantime. Reload the page to see it.": (
        "其他人已处理或修改了该举报，请刷新页面查看。"
    ),
    "Public tip-offs": "群众举报",
    "The tip-off was accepted and recorded as a hazard.": "该举报已受理，并已登记为隐患。",
    "The tip-off was dismissed.": "该举报已作不予立案处理。",
    "Received at": "收到时间",
    "Place": "地点",
    "What was seen": "举报内容",
    "Reporter's name": "举报人姓名",
    "Reporter's mobile": "举报人手机",
    "Hazard": "隐患",
    "Reason for dismissal": "不予立案理由",
    # --- tipoff_api.py -----------------------------------------------------------------------------------
    "Thank you. The town safety office has received your tip-off.": "感谢您的举报，镇安监办已收到。",
    "Your roles do not include triaging tip-offs.": "您的角色无权处理群众举报。",
    # --- Templates -----------------------------------------------------------------------------------------
    "Tip-offs the public sent through the form. Accept one as a hazard at a unit, or dismiss it "
    "with a reason and a reply to the reporter.": (
        "群众通过举报表单提交的举报。可将其受理为某单位的隐患，或说明理由并答复举报人后不予立案。"
    ),
    "Place, text, receipt code, unit or name": "地点、内容、回执码、单位或姓名",
    "No tip-offs match.": "没有符合条件的举报。",
    "Tip-offs the public sends to your town appear here.": "群众向本镇提交的举报会显示在这里。",
    "Tip-off received": "举报已提交",
    "Your receipt code": "您的回执码",
    "Keep this code: write it down or take a screenshot. It is the only way to follow up your "
    "tip-off.": "请妥善保存回执码（抄下或截图），这是查询举报处理进展的唯一凭证。",
    "Anyone who has the code can see whether the tip-off was accepted, but never your name or "
    "mobile.": "持有回执码的人可以查询举报是否受理，但看不到您的姓名和手机号。",
    "Follow up a tip-off": "查询举报进展",
    "Report another hazard": "继续举报其他隐患",
    "Report a safety hazard at this unit": "举报该单位的安全隐患",
    "Report a safety hazard": "举报安全隐患",
    "Tell the town safety office about a work-safety hazard you saw: a blocked fire exit, bare "
    "wires, gas cylinders stored unsafely and the like. You need not give your name.": (
        "向镇安监办反映您发现的安全生产隐患，如消防通道堵塞、电线裸露、气瓶违规存放等。"
        "可以匿名举报。"
    ),
    "In an emergency, call 119 (fire) or 110 (police) at once: this form is not watched around "
    "the clock.": "如遇紧急情况，请立即拨打 119（火警）或 110（报警）：本表单并非 24 小时值守。",
    "About": "举报对象",
    "Your contact (optional)": "您的联系方式（选填）",
    "Send the tip-off": "提交举报",
    "Sent one before? Follow it up with your receipt code": "已经举报过？凭回执码查询处理进展",
    "No tip-off has this receipt code. Check the code and try again.": (
        "未找到该回执码对应的举报，请核对后重试。"
    ),
    "Reply from the office": "安监办答复",
    "Received on": "收到日期",
    "Triaged on": "处理日期",
    "Look up": "查询",
    "Tip-off": "举报",
    "Unit (from its QR code)": "单位（扫码带入）",
    "Reporter": "举报人",
    "Anonymous": "匿名",
    "Triaged": "处理",
    "Taken": "拍摄于",
    "Original": "原图",
    "Accept as a hazard": "受理为隐患",
    "The photos of the tip-off become the hazard's photos as found. The reporter is not named on "
    "the hazard.": "举报照片将作为隐患的发现照片。隐患记录中不会出现举报人信息。",
    "Accept and record the hazard": "受理并登记隐患",
    "Dismiss": "不予立案",
    "Dismiss this tip-off? The reporter will see your reply.": "确定对该举报不予立案？举报人将看到您的答复。",
    "Dismiss the tip-off": "不予立案",
    "Breadcrumb": "导航路径",
    "Photo %(n)s": "照片 %(n)s",
}

PLURALS = {
    "%(n)s to triage": ["%(n)s 条待处理"],
    "%(n)s photo": ["%(n)s 张照片"],
}

CONTEXT: dict[tuple[str, str], str] = {}
