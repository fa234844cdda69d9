"""Chinese of the reports app: the period's summary (年度工作总结) and the analysis-meeting pack
(安全形势分析会材料)."""

T: dict[str, str] = {
    # --- Shared with other catalogs (the same Chinese site-wide) ----------------------------------
    "Item": "项目",
    "number": "编号",
    "unit": "监管对象",
    "description": "隐患描述",
    "deadline": "整改期限",
    "hazards found": "发现隐患",
    "of which major": "其中：重大隐患",
    "title": "标题",
    "town": "镇（街道）",
    "kind of period": "期间类型",
    "first day": "起始日期",
    "last day": "截止日期",
    "recorded by": "录入人",
    "recorded at": "录入时间",
    "of which: %(kind)s": "其中：%(kind)s",
    ": ": "：",
    "Summaries and meetings": "总结与分析会",
    "Printable page": "打印版",
    "Period": "统计期间",
    "Cancel": "取消",
    "Search": "搜索",
    "Export to Excel": "导出Excel",
    "Print": "打印",
    "Show": "查看",
    # --- The app -----------------------------------------------------------------------------------
    "Summaries and meeting packs": "工作总结与分析会材料",
    "Your roles do not include the summaries and meetings.": "您的角色不包括工作总结与分析会。",
    "No such town or village among those you may see.": "您可查看的范围内没有这个镇（街道）或村（社区）。",
    # Summary: the text
    "%(scope)s: work-safety summary of %(period)s": "%(scope)s%(period)s安全生产工作总结",
    "1. The work-safety committee and its specialised committees": "一、安全生产委员会及专委会",
    "No work-safety committee is recorded in anjian for this scope.": "本范围在系统中尚未录入安全生产委员会。",
    "%(name)s: led by %(lead)s.": "%(name)s：由%(lead)s牵头负责。",
    "Its specialised committees (1+X): %(list)s.": "下设专委会（“1+X”）：%(list)s。",
    "No specialised committee is recorded under it.": "其下尚未录入专委会。",
    "Specialised committees: %(list)s.": "专委会：%(list)s。",
    "%(name)s (no lead recorded).": "%(name)s（负责人未录入）。",
    "%(category)s: %(n)s units": "%(category)s%(n)s家",
    "%(kind)s: %(n)s visits": "%(kind)s%(n)s家次",
    "%(name)s (lead: %(lead)s)": "%(name)s（负责人：%(lead)s）",
    "2. Units supervised": "二、监管对象",
    "The figures of the units are not available to your roles.": "您的角色无法查看监管对象的数据。",
    "The register holds %(supervised)s units under supervision: %(operating)s operating and "
    "%(suspended)s suspended.": "在册监管对象%(supervised)s家，其中正常经营%(operating)s家、"
    "停产停业%(suspended)s家。",
    "The units by category are not available.": "监管对象的分类数据暂不可用。",
    "Operating units by category": "各类别正常经营的监管对象",
    "Operating units: %(group)s": "正常经营的监管对象：%(group)s",
    "Operating hazardous-chemical units: %(n)s": "涉及危险化学品的企业%(n)s家",
    "Operating units of the three places and three enterprise types: %(n)s": "“三场所三企业”%(n)s家",
    " (": "（",
    ")": "）",
    ".": "。",
    "3. Inspections and hazards": "三、安全检查与隐患治理",
    "%(visits)s inspection visits (家次) were finished at %(units)s units.": "共检查%(visits)s家次，覆盖%(units)s家单位。",
    "By kind of visit: %(list)s.": "按检查类型：%(list)s。",
    "The figures of the inspections are not available to your roles.": "您的角色无法查看检查的数据。",
    "The figures of the hazards are not available to your roles.": "您的角色无法查看隐患的数据。",
    "%(found)s hazards were found, %(major)s of them major; %(closed)s hazards were rectified and "
    "closed in the period, a rectification rate of %(rate)s (closed ÷ found).": "共发现隐患%(found)s条，"
    "其中重大隐患%(major)s条；期内整改销号%(closed)s条，整改率%(rate)s（销号数÷发现数）。",
    "Of the hazards found in the period, %(found_closed)s were closed by its end (%(rate)s).": "期内发现的隐患中，至期末已销号%(found_closed)s条（%(rate)s）。",
    "At the end of the period %(open)s hazards were open, %(overdue)s of them overdue; "
    "%(major_open)s major hazards were open.": "期末尚未销号的隐患%(open)s条，其中逾期%(overdue)s条；"
    "未销号的重大隐患%(major_open)s条。",
    "%(listed)s major hazards were listed for supervision (挂牌督办) in the period.": "期内挂牌督办重大隐患%(listed)s条。",
    "The rectification of the hazards closed cost %(funds)s yuan.": "已销号隐患的整改资金共%(funds)s元。",
    "%(docs)s numbered enforcement documents were issued.": "制发执法文书%(docs)s份。",
    "4. Joint enforcement and campaigns": "四、联合执法与专项整治",
    "%(joint)s joint-enforcement visits (联合执法) were finished.": "完成联合执法检查%(joint)s家次。",
    "These figures are not available to your roles.": "您的角色无法查看这部分数据。",
    "%(title)s: %(list)s.": "%(title)s：%(list)s。",
    "%(running)s campaigns were under way in the period. Inspections counted in campaigns: "
    "%(visits)s visits at %(units)s units, of which %(joint)s joint inspections; they found "
    "%(found)s hazards, %(rectified)s of them rectified by the end of the period.": "期内开展专项整治和联合执法行动%(running)s项，"
    "计入行动的检查%(visits)s家次、涉及%(units)s家单位，其中联合执法%(joint)s家次；"
    "共排查隐患%(found)s处，至期末已整改%(rectified)s处。",
    "%(category)s: %(units)s units, %(visits)s visits, %(found)s hazards found, %(rectified)s "
    "rectified": "%(category)s%(units)s家、%(visits)s家次，发现隐患%(found)s处、已整改%(rectified)s处",
    "By kind of unit checked: %(list)s.": "按检查对象：%(list)s。",
    "The tallies of the campaigns are not available in anjian yet.": "系统中暂无专项整治的统计数据。",
    "5. Cases and penalties": "五、立案查处与行政处罚",
    "%(opened)s cases were opened (立案) in the period, %(inspection)s of them from an inspection "
    "and %(hazard)s from a hazard; %(decided)s penalty decisions were made, %(closed)s cases were "
    "closed (结案) and %(transferred)s transferred (移送); %(open)s cases were open at the end of "
    "the period.": "期内立案查处%(opened)s起，其中源于检查%(inspection)s起、源于隐患%(hazard)s起；"
    "作出行政处罚决定%(decided)s起，结案%(closed)s起，移送%(transferred)s起；期末尚未办结%(open)s起。",
    "The penalty decisions imposed fines of %(imposed)s yuan; %(paid)s yuan were paid in the "
    "period: %(fines)s yuan of fines and %(late)s yuan of late fees.": "处罚决定罚款%(imposed)s元；"
    "期内缴纳%(paid)s元，其中罚款%(fines)s元、加处罚款%(late)s元。",
    "The figures of the cases are not available in anjian yet.": "系统中暂无立案查处的统计数据。",
    "The figures of the penalties are not available in anjian yet.": "系统中暂无行政处罚的统计数据。",
    "6. The annual inspection plan": "六、年度执法检查计划",
    "%(planned)s inspection tasks of the annual plan were due in the period, %(done)s of them "
    "done by its end (%(rate)s); %(late)s tasks were late at the end.": "期内年度计划应完成检查任务"
    "%(planned)s项，至期末完成%(done)s项（%(rate)s）；期末逾期未完成%(late)s项。",
    "The progress of the inspection plan is not available in anjian yet.": "系统中暂无检查计划的进度数据。",
    "7. Training, drills and publicity": "七、宣传教育培训与应急演练",
    "Trainings, emergency drills and publicity are not recorded in anjian yet, so this summary "
    "gives no figures for them.": "培训、应急演练和宣传活动尚未在系统中记录，本总结不提供这部分数字。",
    # Summary: the pages and the Word file
    "The period's summary": "工作总结",
    "The year (or any period) in the shape of the town's annual report, every number computed "
    "from the records and linked to the list behind it; download it as a Word document.": "按全镇年度总结的格式汇总一年（或任一期间）的工作，"
    "每个数字都由台账计算并链接到对应的清单，可下载为Word文档。",
    "Open the summary": "打开工作总结",
    "Download as Word": "下载Word",
    "The text below is the Word document's text. Each number is a link to the list it was "
    "counted from.": "以下即Word文档的正文。每个数字都链接到统计它的清单。",
    "Where each number comes from": "数字来源",
    "counted from the records (no list page)": "由台账计算（无对应清单页面）",
    "%(section)s · %(label)s: %(value)s → %(source)s": "%(section)s · %(label)s：%(value)s → %(source)s",
    "Generated by anjian on %(when)s.": "由安监平台于%(when)s生成。",
    # Meetings
    "analysis meeting": "安全形势分析会",
    "analysis meetings": "安全形势分析会",
    "Safety situation analysis meetings": "安全形势分析会",
    "Meetings": "分析会",
    "held on": "召开日期",
    "notes": "备注",
    "Notes": "备注",
    "Left empty: the town's name and the day.": "留空则使用镇名和会议日期。",
    "No such meeting.": "没有这个分析会。",
    "Your roles do not include recording analysis meetings.": "您的角色不包括录入安全形势分析会。",
    "Choose the town of the meeting.": "请选择召开分析会的镇（街道）。",
    "Choose a town whose meetings you may record.": "请选择您可以录入分析会的镇（街道）。",
    "Enter the day of the meeting.": "请填写会议日期。",
    "%(town)s safety situation analysis meeting, %(day)s": "%(town)s安全形势分析会（%(day)s）",
    "Keep the title under 120 characters.": "标题不能超过120个字符。",
    "Record a meeting": "录入分析会",
    "Record the meeting": "保存分析会",
    "The meeting is recorded.": "分析会已录入。",
    "Choose the period the meeting looks at: a month, a quarter, a year or a custom range.": "请选择会议分析的期间：月、季度、年度或自定义期间。",
    "No analysis meeting recorded yet.": "尚未录入安全形势分析会。",
    "Record a meeting with the period it looks at; its pack then shows what changed since the "
    "previous one.": "录入分析会及其分析的期间后，会议材料会列出与上次会议相比的变化。",
    "For each meeting: the situation in figures, what changed since the last meeting, the hard "
    "problems and the experts' findings, to print or download.": "每次会议的材料：形势数据、与上次会议相比的变化、"
    "突出问题和专家检查发现，可打印或下载。",
    "Back to the meeting": "返回分析会",
    # The pack
    "Held on %(day)s · period %(period)s (%(start)s to %(end)s)": "召开日期：%(day)s · 分析期间：%(period)s（%(start)s至%(end)s）",
    "1. The situation in figures": "一、安全生产形势数据",
    "Value": "数值",
    "2. What changed since the last meeting": "二、与上次会议相比的变化",
    "This is the first meeting recorded for the town.": "这是本镇录入的第一次分析会。",
    "The previous meeting: %(title)s, held on %(day)s, looked at %(period)s.": "上次会议：%(title)s，召开于%(day)s，分析期间为%(period)s。",
    "last meeting": "上次会议",
    "this meeting": "本次会议",
    "difference": "增减",
    "Rows that are 0 at both meetings are left out.": "两次会议均为0的项目未列出。",
    "3. The hard problems": "三、突出问题",
    "found on": "发现日期",
    "The longest-overdue hazards": "逾期时间最长的隐患",
    "days overdue": "逾期天数",
    "No hazard is overdue.": "没有逾期的隐患。",
    "Open major hazards": "未销号的重大隐患",
    "listed for supervision": "挂牌督办",
    "yes": "是",
    "no": "否",
    "No major hazard is open.": "没有未销号的重大隐患。",
    "Repeat offenders": "屡查屡犯的单位",
    "hazards found in 12 months": "近12个月发现隐患",
    "found again after closure": "销号后再次发现",
    "No unit is a repeat offender.": "没有屡查屡犯的单位。",
    "4. The experts' findings": "四、专家检查发现",
    "experts": "专家",
    "closed": "已销号",
    "The contracted experts recorded no hazard in the period.": "期内签约专家未记录隐患。",
}
PLURALS: dict[str, list[str]] = {}
CONTEXT: dict[tuple[str, str], str] = {
    ("list of counts", "; "): "；",
}
