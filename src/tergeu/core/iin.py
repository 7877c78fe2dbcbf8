"""The individual identification number (IIN, ЖСН, ИИН) of Kazakhstan.

12 digits: YYMMDD of birth, a digit for century and sex (1-6), a 4-digit serial and a
check digit computed with weights 1..11 modulo 11, then 3..11,1,2 if the first gives 10;
a second 10 means the number is never issued.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from .errors import Message

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


def check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits, or None if no valid IIN can have them."""
    digits = [int(c) for c in first11]
    value = sum(d * w for d, w in zip(digits, _W1, strict=True)) % 11
    if value == 10:
        value = sum(d * w for d, w in zip(digits, _W2, strict=True)) % 11
        if value == 10:
            return None
    return value


def iin_error(iin: str) -> Message | None:
    """Why ``iin`` is not a valid IIN, or None when it is."""
    if len(iin) != 12 or not iin.isdigit():
        return _("An IIN has exactly 12 digits.")
    century = _CENTURY.get(int(iin[6]))
    if century is None:
        return _("The 7th digit of an IIN (century and sex) must be 1 to 6.")
    try:
        dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return _("The first six digits of an IIN must be a date of birth (YYMMDD).")
    expected = check_digit(iin[:11])
    if expected is None or expected != int(iin[11]):
        return _("The IIN check digit is wrong; please check the number.")
    return None


def birth_date(iin: str) -> dt.date:
    """Date of birth encoded in a valid IIN."""
    century = _CENTURY[int(iin[6])]
    return dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))


def make_iin(born: dt.date, male: bool, serial: int) -> str:
    """Build a valid IIN (for demo data and tests); skips serials that cannot be issued."""
    base = born.year - born.year % 100
    digit = {1800: 1, 1900: 3, 2000: 5}[base] + (0 if male else 1)
    while True:
        first11 = f"{born:%y%m%d}{digit}{serial % 10000:04d}"
        check = check_digit(first11)
        if check is not None:
            return first11 + str(check)
        serial += 1
