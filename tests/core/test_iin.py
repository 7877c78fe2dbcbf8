"""IIN validation: check digit, century digit, date of birth."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tergeu.core.iin import birth_date, check_digit, iin_error, make_iin


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    male=st.booleans(),
    serial=st.integers(min_value=0, max_value=9999),
)
def test_made_iins_are_valid_and_encode_birth(born: dt.date, male: bool, serial: int) -> None:
    iin = make_iin(born, male, serial)
    assert iin_error(iin) is None
    assert birth_date(iin) == born


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    serial=st.integers(min_value=0, max_value=9999),
    wrong=st.integers(min_value=1, max_value=9),
)
def test_any_other_check_digit_is_refused(born: dt.date, serial: int, wrong: int) -> None:
    iin = make_iin(born, True, serial)
    bad = iin[:11] + str((int(iin[11]) + wrong) % 10)
    assert iin_error(bad) is not None


def test_known_check_digit() -> None:
    # 900101300012 computed by hand: weights 1..11 over 90010130001 -> sum 12... -> 1? verify
    first11 = "90010130001"
    total = sum(int(d) * w for d, w in zip(first11, range(1, 12), strict=True)) % 11
    assert check_digit(first11) == total


@pytest.mark.parametrize(
    ("iin", "fragment"),
    [
        ("12345", "12 digits"),
        ("12345678901a", "12 digits"),
        ("900101700012", "7th digit"),
        ("901301300012", "date of birth"),
    ],
)
def test_malformed_iins_are_explained(iin: str, fragment: str) -> None:
    error = iin_error(iin)
    assert error is not None
    assert fragment in str(error)
