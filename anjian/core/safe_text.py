"""Text on its way into a file someone else opens: Word (XML), Excel (XML and formulas) and CSV.

Whatever a user typed (an anonymous tip-off included) may hold characters XML 1.0 cannot carry
(``\\x07``, ``\\x00``…): python-docx and openpyxl refuse them, and the whole document fails. Text
that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) is a formula
to Excel and WPS, so a contact name ``=HYPERLINK(...)`` would become a live link in the office's
export. The functions here are the one place that decides both:

- ``xml_text``: any value as text with the XML-illegal characters removed (every Word document).
- ``formula_like``: whether a text would be read as a formula (the Excel cell writer in
  ``core.export`` then stores it as text with Excel's quote prefix).
- ``csv_text``: a CSV field prefixed with an apostrophe when it looks like a formula (OWASP's
  guidance for CSV injection).
- ``sheet_title``: a worksheet name Excel accepts.
"""

from __future__ import annotations

import re
from typing import Any

# XML 1.0 allows tab, line feed and carriage return below U+0020; the other C0 controls, the
# surrogates and U+FFFE/U+FFFF may not appear in a document at all.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel and WPS start a formula with these; OWASP adds tab and carriage return (a leading one
# is dropped by some programs, so the next character decides).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters a worksheet name may not hold, and its maximum length.
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31


def xml_text(value: Any) -> str:
    """``value`` as text that any XML document can hold (None is the empty text)."""
    if value is None:
        return ""
    return _XML_ILLEGAL.sub("", str(value))


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_START)


def csv_text(value: Any) -> Any:
    """A CSV field: text that would start a formula gets a leading apostrophe; numbers and
    empty fields are written as they are."""
    if not isinstance(value, str):
        return value
    text = xml_text(value)
    return f"'{text}" if formula_like(text) else text


def sheet_title(value: Any, *, default: str = "Sheet1") -> str:
    """A worksheet name Excel accepts: no ``[]:*?/\\``, no control characters, no apostrophe
    at either end, at most 31 characters, never empty."""
    title = _SHEET_ILLEGAL.sub(" ", xml_text(value)).strip().strip("'").strip()
    return title[:SHEET_TITLE_MAX].strip() or default
