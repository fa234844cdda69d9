"""A tiny OpenDocument spreadsheet writer for the tests (LibreOffice is not needed): rows of
text or numbers, cells merged down with ``("value", rows)``."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet>"""


def _cell(value) -> str:
    span = ""
    if isinstance(value, tuple):
        value, rows = value
        span = f' table:number-rows-spanned="{rows}" table:number-columns-spanned="1"'
    if value is None:
        return f"<table:table-cell{span}/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell{span} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell{span} office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def ods(sheets: dict[str, list[list]]) -> bytes:
    body = [HEAD]
    for name, rows in sheets.items():
        body.append(f'<table:table table:name="{escape(name)}">')
        for row in rows:
            cells = "".join(
                "<table:covered-table-cell/>" if c == "covered" else _cell(c) for c in row
            )
            body.append(f"<table:table-row>{cells}</table:table-row>")
        body.append("</table:table>")
    body.append("</office:spreadsheet></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", MANIFEST)
        z.writestr("content.xml", "".join(body))
    return buf.getvalue()
