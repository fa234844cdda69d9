"""Validators and normalisers for identifiers Chinese users type (domain.md §12)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_FULL_WIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
_FULL_WIDTH["\u3000"] = " "
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def to_half_width(text: str) -> str:
    return "".join(_FULL_WIDTH.get(ch, ch) for ch in text)


def normalize_mobile(raw: str) -> str:
    """``+86 138-0000 0000`` and full-width digits become ``13800000000``; other input is returned stripped."""
    text = to_half_width(str(raw)).strip()
    digits = re.sub(r"[\s\-()]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def validate_mobile(raw: str) -> str:
    value = normalize_mobile(raw)
    if not MOBILE_RE.match(value):
        raise ValidationError(
            _("“%(value)s” is not a mainland mobile number (11 digits starting with 13–19).") % {"value": raw},
            code="invalid_mobile",
        )
    return value


def validate_phone(raw: str) -> str:
    """A mobile number or a landline with area code (0571-6xxxxxxx, extension optional)."""
    value = normalize_mobile(raw)
    if MOBILE_RE.match(value):
        return value
    landline = re.sub(r"\s", "", to_half_width(str(raw)).strip())
    if LANDLINE_RE.match(landline):
        return landline
    raise ValidationError(
        _("“%(value)s” is neither a mobile number nor a landline with area code (e.g. 0571-63571234).")
        % {"value": raw},
        code="invalid_phone",
    )
