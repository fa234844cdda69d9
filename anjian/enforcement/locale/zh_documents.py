"""Chinese of the document preview (issue 16: preview before a number is taken)."""

T = {
    "PREVIEW": "预览",
    "Preview: %(title)s": "预览：%(title)s",
    "Back": "返回",
    "Cancel": "取消",
    "This document was issued already as %(number)s.": "该文书已出具，文号为%(number)s。",
    "Download the Word file": "下载Word文件",
    "This document cannot be issued yet:": "该文书暂不能出具：",
    "This is how the document will print (A4). The number is taken only when you confirm: until then it shows as %(number)s.": "以下为文书的打印效果（A4）。确认出具后才取文号，在此之前文号显示为%(number)s。",
    "Confirm and issue (takes the next number)": "确认出具（取下一个文号）",
}

T.update(
    {
        "Word templates": "Word模板",
        "Word template": "Word模板",
        "Word template (.docx)": "Word模板（.docx）",
        "uploaded at": "上传时间",
        "uploaded by": "上传人",
        "file name": "文件名",
        "office Word template": "本镇文书Word模板",
        "office Word templates": "本镇文书Word模板",
        "Actions": "操作",
        "built-in layout": "系统默认版式",
        "Use the built-in layout": "改用系统默认版式",
        "Upload a Word template": "上传Word模板",
        "Upload": "上传",
        "Variables a template may use (with sample values)": "模板可用的变量（附示例值）",
        "Write a variable in the template in double braces, e.g. {{ number }}; see docs/enforcement-settings.md.": "在模板中用双大括号写变量，例如 {{ number }}；详见 docs/enforcement-settings.md。",
        "Without a template of its own, a document is written in the built-in layout (A4, GB/T 9704 margins). A Word template (.docx) uploaded here is filled in instead; it is checked with sample values when uploaded.": "未上传本镇模板的文书按系统默认版式生成（A4纸，GB/T 9704页边距）。在此上传的Word模板（.docx）将代替默认版式填写；上传时用示例值试填检查。",
        "The Word template was saved.": "Word模板已保存。",
        "The built-in layout is used again.": "已改回系统默认版式。",
        "The template is larger than 5 MB.": "模板文件超过5 MB。",
        "This is not a Word (.docx) file.": "这不是Word（.docx）文件。",
        "The template could not be filled in: %(reason)s": "模板无法填写：%(reason)s",
        "Choose the kind of document.": "请选择文书种类。",
        "Upload a Word template (.docx).": "请上传Word模板（.docx）。",
        "The town's Word template of this document could not be filled in: %(reason)s. Correct or remove it under Enforcement settings.": "本镇该类文书的Word模板无法填写：%(reason)s。请在“执法设置”中更正或删除该模板。",
    }
)
