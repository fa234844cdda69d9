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
