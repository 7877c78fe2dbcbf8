"""The sign-in page renders in a real browser and an investigator can sign in and out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories as f

pytestmark = pytest.mark.e2e


def test_sign_in_and_out(page: Any) -> None:
    unit = f.Unit()
    investigator = unit.investigator
    investigator.language = "en"
    investigator.save(update_fields=["language"])

    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/cases/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("User name").fill(investigator.username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The user name or password is wrong")

    page.get_by_label("User name").fill(investigator.username)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.locator("header")).to_contain_text(investigator.last_name)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/login/"))
