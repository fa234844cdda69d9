"""Chinese of the workflow helper's strings (``manage.py workflow_diagram``)."""

T = {
    "Write docs/hazard-workflow.md from the transition table (--check: only compare).": (
        "根据流程表生成 docs/hazard-workflow.md（--check：只比较，不写入）。"
    ),
    "Write nothing; exit 1 when the page is stale.": "不写入文件；文档过期时以状态码 1 退出。",
    "The file to write (default: %(file)s)": "写入的文件（默认：%(file)s）",
    "%(path)s is stale: run “manage.py workflow_diagram” and commit it.": (
        "%(path)s 已过期：请运行“manage.py workflow_diagram”并提交。"
    ),
    "%(path)s is up to date.": "%(path)s 是最新的。",
    "Wrote %(path)s.": "已写入 %(path)s。",
}
CONTEXT: dict = {}
PLURALS: dict = {}
