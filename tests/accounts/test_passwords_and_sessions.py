"""Sign-in security: Argon2 password hashes, sessions that expire, unique IINs."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from tergeu.accounts.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2id() -> None:
    user = f.user(Role.INVESTIGATOR)
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(f.PASSWORD)
    assert not user.check_password(f.PASSWORD + "x")


def test_sessions_expire() -> None:
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_iin_is_unique_per_person() -> None:
    first = f.user(Role.INVESTIGATOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.user(Role.PROSECUTOR, iin=first.iin)
