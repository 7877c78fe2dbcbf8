"""Shared fixtures: the immutability triggers' escape for flushes, users, organisations."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.db import connections
from django.test import TransactionTestCase

from tergeu.core.triggers import maintenance

_original_teardown = TransactionTestCase._fixture_teardown


def _fixture_teardown(self: Any) -> None:
    """Transactional tests empty the tables afterwards: open the escape only for that."""
    connection = connections["default"]
    with maintenance(connection):
        _original_teardown(self)


TransactionTestCase._fixture_teardown = _fixture_teardown  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def _blob_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Files written by the tests go to a temporary content-addressed store."""
    os.environ["TERGEU_BLOB_DIR"] = str(tmp_path_factory.mktemp("blobs"))


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Tests read messages in English unless they switch language themselves."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any, request: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.node.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
