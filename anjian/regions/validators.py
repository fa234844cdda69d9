"""Validation of 12-digit statistical region codes and their place in the tree."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from anjian.regions.models import CODE_DIGITS, LEVEL_ORDER, RegionLevel

CODE_RE = re.compile(r"^\d{12}$")


def normalize_code(raw: str) -> str:
    """Accepts 6-digit GB/T 2260 codes (padded to 12), full-width digits and stray spaces."""
    text = "".join(chr(ord(ch) - 0xFEE0) if "０" <= ch <= "９" else ch for ch in str(raw)).strip()
    text = text.replace(" ", "").replace("\u3000", "")
    if re.fullmatch(r"\d{6}", text):
        text += "000000"
    return text


def validate_region_code(code: str, level: str, parent_code: str | None) -> None:
    if not CODE_RE.match(code):
        raise ValidationError(_("The region code “%(code)s” must be 12 digits.") % {"code": code})
    digits = CODE_DIGITS[RegionLevel(level)]
    if code[digits:].strip("0") != "":
        raise ValidationError(
            _("The code “%(code)s” of a %(level)s must end in %(zeros)s zeros.")
            % {"code": code, "level": RegionLevel(level).label, "zeros": 12 - digits}
        )
    if code[:digits].endswith("0" * (2 if digits <= 6 else 3)) and level != RegionLevel.PROVINCE:
        raise ValidationError(
            _("The code “%(code)s” does not name a %(level)s: its own digits are all zero.")
            % {"code": code, "level": RegionLevel(level).label}
        )
    index = LEVEL_ORDER.index(RegionLevel(level))
    if index == 0:
        if parent_code:
            raise ValidationError(_("A province has no parent region."))
        return
    if not parent_code:
        raise ValidationError(
            _("A %(level)s needs a parent region.") % {"level": RegionLevel(level).label}
        )
    parent_digits = CODE_DIGITS[LEVEL_ORDER[index - 1]]
    if code[:parent_digits] != parent_code[:parent_digits]:
        raise ValidationError(
            _("The code “%(code)s” does not lie within its parent “%(parent)s”.")
            % {"code": code, "parent": parent_code}
        )
