"""Fixtures of the web UI tests: compiled catalogues, a police unit, signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils.translation.reloader import translation_file_changed

from tergeu.web.translations import compile_catalogues
from tests import factories as f


@pytest.fixture(scope="session", autouse=True)
def _catalogues() -> None:
    """The .mo files are build output: compile them before any page is rendered.

    If a catalogue was (re)written after Django had loaded the old one in this process
    (migrations render lazy strings), the loaded catalogues are dropped so pages see it.
    """
    written = compile_catalogues()
    if written:
        translation_file_changed(None, written[0])


@pytest.fixture
def unit(db: Any) -> f.Unit:
    """A police unit with its staff, prosecutor's office and court."""
    return f.Unit()


@pytest.fixture
def signed_in(db: Any) -> Callable[[Any], Client]:
    """A client signed in as the given user (without the sign-in form)."""

    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
