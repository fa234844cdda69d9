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
            _("“%(value)s” is not a mainland mobile number (11 digits starting with 13–19).")
            % {"value": raw},
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
        _(
            "“%(value)s” is neither a mobile number nor a landline with area code (e.g. 0571-63571234)."
        )
        % {"value": raw},
        code="invalid_phone",
    )


# --- 统一社会信用代码 (GB 32100-2015) ----------------------------------------------------------------

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of the 9-character organisation code (positions 9–17)."""

    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    remainder = 11 - sum(value(ch) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def normalize_credit_code(raw: str) -> str:
    return re.sub(r"\s", "", to_half_width(str(raw))).upper()


def validate_credit_code(raw: str) -> str:
    """The normalised code, or a ValidationError that names the wrong character."""
    code = normalize_credit_code(raw)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; “%(code)s” has %(n)s.")
            % {"code": code, "n": len(code)},
            code="credit_code_length",
        )
    for position, ch in enumerate(code, start=1):
        if ch not in CREDIT_CHARSET:
            raise ValidationError(
                _(
                    "Character %(pos)s “%(ch)s” is not allowed in a credit code (the letters I, O, S, V and Z are never used)."
                )
                % {"pos": position, "ch": ch},
                code="credit_code_character",
            )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character (18th) of “%(code)s” should be “%(expected)s”, not “%(got)s”.")
            % {"code": code, "expected": expected, "got": code[17]},
            code="credit_code_check",
        )
    return code
