"""Chinese translations of the monthly reports and statistics statements (reports helper):
``reports.py``, ``report_statements.py``, ``report_views.py``, ``report_api.py`` and the
``hazards/report_*.html`` templates.
Merged by the lead into ``translations_zh_hans.py``."""

T = {
    # --- reports.py: months and monthly reports ---------------------------------------------------
    "Give the month as YYYY-MM, e.g. 2026-03.": "请按“年-月”填写月份，例如 2026-03。",
    "%(year)s-%(month)s": "%(year)s年%(month)s月",
    "A monthly report cannot be made for a future month.": "不能填报尚未到来月份的月报。",
    "A monthly report can be made for the last %(n)s months only.": "只能填报最近 %(n)s 个月的月报。",
    "Choose what the report says: hazards, or none found.": "请选择月报内容：报告隐患，或声明未发现隐患。",
    "Give the number of self-checks done (0 to 999).": "请填写自查次数（0 至 999）。",
    "The note may have at most 2000 characters.": "备注最多 2000 字。",
    "Sign the statement with your name.": "请签署您的姓名。",
    "The name may have at most 50 characters.": "姓名最多 50 字。",
    "Choose hazards from the list.": "请从列表中选择隐患。",
    "A statement that no hazard was found lists no hazards.": "声明未发现隐患的月报不能关联隐患。",
    "The records show hazards found by your self-check in %(month)s: %(codes)s. Report them "
    "instead of stating that none was found.": (
        "记录显示本单位自查在%(month)s发现了隐患：%(codes)s。请如实报告这些隐患，不能声明未发现隐患。"
    ),
    "Choose at least one hazard found or rectified in the month.": (
        "请至少选择一条当月发现或整改销号的隐患。"
    ),
    "Only hazards of this unit found or closed in %(month)s can be reported (not: %(ids)s).": (
        "只能报告本单位在%(month)s发现或销号的隐患（不符合的：%(ids)s）。"
    ),
    "The report for %(month)s was already submitted on %(date)s (signed by %(name)s). To change "
    "it, send it again as a correction.": (
        "%(month)s的月报已于 %(date)s 提交（签字人：%(name)s）。如需修改，请以更正方式重新提交。"
    ),
    "The report for %(month)s can no longer be corrected: corrections are accepted until "
    "%(date)s.": "%(month)s的月报已不能更正：更正截止日期为 %(date)s。",
    "Monthly self-inspection report for %(month)s not yet received": (
        "尚未收到%(month)s隐患自查月报"
    ),
    "%(unit)s has not submitted its monthly self-inspection report for %(month)s. Please report "
    "the hazards found and rectified, or sign a statement that none was found.": (
        "%(unit)s尚未报送%(month)s的隐患自查月报。请报告当月排查发现和整改的隐患，"
        "或签署未发现隐患的声明。"
    ),
    "Your roles do not include following up the monthly reports.": "您的角色无权督促月报报送。",
    "Monthly reports %(month)s": "%(month)s隐患自查月报",
    "Unit": "单位",
    "Village or community": "村（社区）",
    "Submitted": "已报送",
    "Yes": "是",
    "No": "否",
    "Report": "填报",
    "Hazards reported": "报告隐患数",
    "Self-checks done": "自查次数",
    "Signed by": "签字人",
    "Submitted at": "报送时间",
    "Must report": "应报单位",
    # --- reports.py: statistics statements ------------------------------------------------------
    "Choose a quarter or a year.": "请选择季度或年度。",
    "Give a year from 2008 on.": "请填写 2008 年以后的年份。",
    "Choose a quarter from 1 to 4.": "请选择第 1 至第 4 季度。",
    "Q%(quarter)s %(year)s": "%(year)s年第%(quarter)s季度",
    "Year %(year)s": "%(year)s年度",
    "Ordinary hazards found": "排查发现一般事故隐患（项）",
    "Ordinary hazards whose time found falls in the period.": "发现时间在本期内的一般事故隐患。",
    "Major hazards found": "排查发现重大事故隐患（项）",
    "Major hazards whose time found falls in the period.": "发现时间在本期内的重大事故隐患。",
    "Of which found by the unit's self-checks": "其中：企业自查发现（项）",
    "Hazards found in the period with the source “enterprise self-check”.": (
        "本期内发现、来源为“企业自查”的隐患。"
    ),
    "Ordinary hazards rectified and closed": "一般事故隐患整改销号（项）",
    "Ordinary hazards struck off (closed) in the period, whenever found.": (
        "在本期内整改销号的一般事故隐患（不论何时发现）。"
    ),
    "Major hazards rectified and closed": "重大事故隐患整改销号（项）",
    "Major hazards struck off (closed) in the period, whenever found.": (
        "在本期内整改销号的重大事故隐患（不论何时发现）。"
    ),
    "Rectification rate of ordinary hazards (%)": "一般事故隐患整改率（%）",
    "Ordinary hazards found in the period and closed by its end, divided by the ordinary hazards "
    "found in the period; 100 when none was found.": (
        "本期发现且至期末已销号的一般事故隐患数 ÷ 本期发现的一般事故隐患数；本期未发现隐患的按 100 计。"
    ),
    "Rectification rate of major hazards (%)": "重大事故隐患整改率（%）",
    "Major hazards found in the period and closed by its end, divided by the major hazards found "
    "in the period; 100 when none was found.": (
        "本期发现且至期末已销号的重大事故隐患数 ÷ 本期发现的重大事故隐患数；本期未发现隐患的按 100 计。"
    ),
    "Hazards not yet closed at the end of the period": "期末尚未销号的隐患（项）",
    "Hazards found before the period ended and not closed by then.": (
        "期末以前发现、至期末尚未销号的隐患。"
    ),
    "Of which overdue at the end of the period": "其中：期末已逾期（项）",
    "Hazards not closed at the end of the period whose (present) deadline was on or before its "
    "last day.": "期末尚未销号、且（现行）整改期限不晚于本期最后一天的隐患。",
    "Major hazards not yet closed at the end of the period": "期末尚未销号的重大事故隐患（项）",
    "Major hazards found before the period ended and not closed by then.": (
        "期末以前发现、至期末尚未销号的重大事故隐患。"
    ),
    "Of which with an approved governance plan": "其中：列入治理方案并经批准（项）",
    "Major hazards open at the end of the period whose governance plan was approved before it "
    "ended.": "期末尚未销号、且治理方案在期末前已获批准的重大事故隐患。",
    "Of which listed for supervision (挂牌督办)": "其中：挂牌督办（项）",
    "Major hazards open at the end of the period that were listed for supervision before it "
    "ended.": "期末尚未销号、且在期末前已被挂牌督办的重大事故隐患。",
    "Rectification funds spent (yuan)": "隐患整改资金投入（元）",
    "The costs stated in the rectification reports submitted in the period (reports withdrawn "
    "with a cancelled hazard are left out).": (
        "本期内提交的整改报告所填整改费用之和（已撤销隐患的撤回报告不计）。"
    ),
    "Funds secured in approved governance plans (yuan)": "重大隐患治理方案落实资金（元）",
    "The funds of the major hazards' governance plans approved in the period.": (
        "本期内获批准的重大事故隐患治理方案所列资金之和。"
    ),
    "Monthly self-inspection reports submitted": "报送隐患自查月报（份）",
    "Monthly reports of the unit for the months of the period.": "本单位报送的本期各月月报。",
    "Of which stating that no hazard was found": "其中：声明未发现隐患（份）",
    "Monthly reports of the period that are signed “none found” statements.": (
        "本期月报中签署“未发现隐患”声明的份数。"
    ),
    "The self-checks stated in the monthly reports of the period, added up.": (
        "本期各月月报所填自查次数之和。"
    ),
    "%(period)s has not ended yet: sign its statement afterwards.": (
        "%(period)s尚未结束，请在期满后签报统计分析表。"
    ),
    "The unit's principal signs the statement: give the name.": (
        "统计分析表须由单位主要负责人签字，请填写姓名。"
    ),
    "The statement for %(period)s was already signed on %(date)s by %(name)s.": (
        "%(period)s的统计分析表已于 %(date)s 由 %(name)s 签字报送。"
    ),
    "Hazard investigation and remediation statistics and analysis table": (
        "生产安全事故隐患排查治理情况统计分析表"
    ),
    "Unified social credit code": "统一社会信用代码",
    "Period": "统计期间",
    "Due date": "报送期限",
    "No.": "序号",
    "Item": "项目",
    "Figure": "数值",
    "How it is counted": "统计口径",
    "Principal (signature)": "主要负责人（签字）",
    "Signed on": "签字日期",
    "Signed after the due date": "逾期报送",
    # --- report_views.py ----------------------------------------------------------------------
    "The report": "月报内容",
    "Hazards found or rectified in the month": "当月发现或整改的隐患",
    "Self-checks done in the month": "当月自查次数",
    "Note": "备注",
    "Required for a statement that no hazard was found: by typing your name you sign it.": (
        "声明未发现隐患时必填：填写姓名即视为签字确认。"
    ),
    "Name of the principal (主要负责人)": "主要负责人姓名",
    "The principal signs the table (Order 16 Art 14); the figures are stored as they are now.": (
        "统计分析表由单位主要负责人签字（16号令第十四条）；签字后数据按当前数值存档。"
    ),
    "The monthly report for %(month)s has been submitted.": "%(month)s月报已报送。",
    "The statistics table for %(period)s has been signed and submitted.": (
        "%(period)s统计分析表已签字报送。"
    ),
    "Choose a month that has begun.": "请选择已经开始的月份。",
    "%(units)s units were reminded (%(notifications)s messages).": (
        "已提醒 %(units)s 家单位（共 %(notifications)s 条消息）。"
    ),
    "Every missing unit has already been reminded for this month (or has no user).": (
        "未报单位本月均已提醒过（或尚无企业账号）。"
    ),
    "No unit is missing this month's report.": "本月没有未报送月报的单位。",
    "Hazard statistics statements": "隐患排查治理统计分析表",
    "Signed by the principal": "主要负责人签字",
    "Signed at": "签字时间",
    "Late": "逾期",
    # --- report_api.py --------------------------------------------------------------------------
    "Your roles do not include this part of the monthly reports.": "您的角色无权使用月报的这项功能。",
    # --- templates ------------------------------------------------------------------------------
    "Monthly self-inspection report for %(month)s": "%(month)s隐患自查月报",
    "Number": "编号",
    "Hazard": "隐患",
    "Level": "等级",
    "Status": "状态",
    "Correct": "更正",
    "Monthly self-inspection report": "隐患自查月报",
    "Breadcrumb": "导航路径",
    "Monthly self-inspection reports": "隐患自查月报",
    "This month was reported on %(date)s (signed by %(name)s). Submitting again replaces that "
    "report; corrections are accepted until %(deadline)s.": (
        "本月月报已于 %(date)s 报送（签字人：%(name)s）。再次提交将替换原月报，更正截止日期为 %(deadline)s。"
    ),
    "Your self-checks recorded hazards this month, so a “none found” statement is not possible:": (
        "本单位本月自查已登记隐患，不能声明“未发现隐患”："
    ),
    "Found": "发现",
    "Closed": "销号",
    "No hazard of the unit was found or closed in this month. Record the hazards your self-checks "
    "find first, or sign the statement that none was found.": (
        "本单位本月没有发现或销号的隐患。请先登记自查发现的隐患，或签署未发现隐患的声明。"
    ),
    "Submit the correction": "提交更正",
    "Submit the report": "报送月报",
    "Cancel": "取消",
    "No unit is linked to your account.": "您的账号尚未关联单位。",
    "Show": "查看",
    "Each month, report the hazards your self-checks found and rectified, or sign a statement "
    "that none was found. A report may be corrected until the 10th of the following month.": (
        "每月报告自查发现和整改的隐患，或签署未发现隐患的声明。月报可在次月 10 日前更正。"
    ),
    "Report this month": "填报本月",
    "Report last month": "填报上月",
    "Months": "月份",
    "Month": "月份",
    "Hazards": "隐患数",
    "This month": "本月",
    "Not submitted": "未报送",
    "View": "查看",
    "Hazard statistics tables (Order 16 Art 14)": "隐患排查治理统计分析表（16号令第十四条）",
    "The quarterly table is due on the 15th of the first month of the next quarter, the yearly "
    "one on 31 January; the unit's principal signs it.": (
        "季度统计分析表于下一季度第一个月 15 日前报送，年度统计分析表于次年 1 月 31 日前报送，"
        "均须由单位主要负责人签字。"
    ),
    "Signed": "已签报",
    "Overdue": "已逾期",
    "To sign": "待签报",
    "Excel": "Excel",
    "Sign and submit": "签字报送",
    "Monthly reports of the units": "各单位月报",
    "Export to Excel": "导出 Excel",
    "Units that must report": "应报单位",
    "Reports received": "已收月报",
    "Reporting hazards": "报告隐患",
    "None found (signed)": "声明无隐患",
    "Missing": "未报",
    "Units missing the report": "未报送月报的单位",
    "Remind all missing": "一键提醒未报单位",
    "Principal": "主要负责人",
    "Mobile": "手机",
    "Every unit that must report has sent this month's report.": "应报单位均已报送本月月报。",
    "Self-checks": "自查次数",
    "No report has been received for this month yet.": "本月尚未收到月报。",
    "Hazard statistics tables signed by the units": "各单位签报的隐患排查治理统计分析表",
    "Download as Excel": "下载 Excel",
    "The quarterly and yearly tables of Order 16 Art 14, signed by the units' principals, with "
    "the figures as signed.": "各单位主要负责人签字报送的季度、年度统计分析表（16号令第十四条），数据为签字时存档的数值。",
    "Search": "搜索",
    "Unit or principal": "单位或主要负责人",
    "Year": "年份",
    "All": "全部",
    "No statistics statement matches.": "没有符合条件的统计分析表。",
    "Hazard statistics table": "隐患排查治理统计分析表",
    "Due on %(due)s. The figures below are computed from the hazard records now; signing stores "
    "them as they are.": "报送期限：%(due)s。以下数据由隐患台账实时统计，签字后按当前数值存档。",
    "This period has not ended yet: the table can be signed once it has.": (
        "本期尚未结束，期满后方可签字报送。"
    ),
}

PLURALS = {
    "Send a reminder to the %(n)s unit missing the report? Each unit is reminded once per month.": [
        "向 %(n)s 家未报送月报的单位发送提醒？每家单位每月只提醒一次。",
    ],
}

CONTEXT: dict = {}
