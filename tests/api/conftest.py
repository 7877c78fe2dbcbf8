"""Fixtures of the API tests: a police unit, clients that carry a bearer token, catalogues."""

from __future__ import annotations

import fcntl
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.translation.reloader import translation_file_changed

from tergeu.accounts.tokens import issue_token
from tergeu.web.translations import compile_catalogues
from tests import factories as f

BASE = "/api/v1"


@pytest.fixture(scope="session", autouse=True)
def _catalogues() -> None:
    """Compile the .po files, and forget catalogues loaded before they were written.

    xdist workers compile at the same time; the lock (the one the e2e tests take too)
    keeps one from reading a half-written .mo file of the other.
    """
    lock = Path(tempfile.gettempdir()) / "tergeu-compile-catalogues.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            written = compile_catalogues()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    if written:
        translation_file_changed(None, written[0])


class ApiClient:
    """Django's test client speaking JSON to /api/v1 with a bearer token."""

    def __init__(self, token: str | None = None, **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if token is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        """Send a request; ``body`` is sent as JSON (a str as it is)."""
        extra = {**self.headers, **headers}
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(BASE + path, **kwargs, **extra)

    def get(self, path: str, **headers: str) -> Any:
        return self.call("get", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.call("post", path, {} if body is None else body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self.call("patch", path, body, **headers)

    def delete(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.call("delete", path, body, **headers)


def client_for(user: Any) -> ApiClient:
    """A client acting for ``user`` with a fresh token."""
    _row, token = issue_token(user, name="tests")
    return ApiClient(token)


@pytest.fixture
def unit(db: None) -> f.Unit:
    """A police unit with its staff, supervising prosecutor's office and court."""
    return f.Unit()


def report_body(**fields: Any) -> dict[str, Any]:
    """A valid report as a system would send it."""
    body: dict[str, Any] = {
        "source": "in_person",
        "applicant_name": "Сейтқали Әлия",
        "description": "Из квартиры похищен ноутбук.",
    }
    body.update(fields)
    return body
