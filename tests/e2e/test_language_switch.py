"""The language switch in the header turns the UI into Kazakh and Russian, before and after
sign-in; sign-in itself switches to the user's stored language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests import factories as f

pytestmark = pytest.mark.e2e

#: Strings of the sign-in page and of the header of signed-in pages.
LOGIN_STRINGS = ("Sign in", "User name", "Password")
NAV_STRINGS = ("My cases", "KUI reports", "Sign out")


def translated(language: str, message: str) -> str:
    """``message`` in ``language`` from the compiled catalogues; it must be translated."""
    with translation.override(language):
        text = str(translation.gettext(message))
    assert text != message, f"{message!r} has no {language} translation"
    assert re.search(r"[\u0400-\u04FF]", text), f"{language} {message!r} is not Cyrillic: {text}"
    return text


def switch(page: Any, language: str) -> None:
    """Press the language button (labelled by its code) in the header."""
    page.locator(".lang-switch").get_by_role("button", name=language.upper(), exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(
        page.locator(".lang-switch").get_by_role("button", name=language.upper(), exact=True)
    ).to_have_attribute("aria-pressed", "true")


def test_language_switch_on_login_page_and_case_list(page: Any, shot: Any) -> None:
    unit = f.Unit()
    investigator = unit.investigator
    investigator.language = "kk"
    investigator.save(update_fields=["language"])
    case = unit.case()
    kk = {m: translated("kk", m) for m in LOGIN_STRINGS + NAV_STRINGS}
    ru = {m: translated("ru", m) for m in LOGIN_STRINGS + NAV_STRINGS}
    assert kk["My cases"] != ru["My cases"]

    # The sign-in page: English first (the browser asks for it), then Kazakh, then Russian.
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    for language, words in (("kk", kk), ("ru", ru)):
        switch(page, language)
        expect(page).to_have_url(re.compile(r"/login/"))
        expect(page.get_by_role("heading", level=1)).to_have_text(words["Sign in"])
        expect(page.locator("label[for=id_username]")).to_contain_text(words["User name"])
        expect(page.locator("label[for=id_password]")).to_contain_text(words["Password"])
        expect(page.locator("main button[type=submit]")).to_have_text(words["Sign in"])
        shot(page, f"login-{language}")

    # Sign in (from the Russian page): the UI switches to the user's language, Kazakh.
    page.locator("#id_username").fill(investigator.username)
    page.locator("#id_password").fill(f.PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.locator("html")).to_have_attribute("lang", "kk")

    # The list of cases in Kazakh and Russian, and back to English.
    nav = page.locator("nav.main-nav")
    for language, words in (("kk", kk), ("ru", ru)):
        if language != "kk":
            switch(page, language)
        expect(page).to_have_url(re.compile(r"/cases/$"))
        expect(nav.get_by_role("link", name=words["My cases"], exact=True)).to_be_visible()
        expect(nav.get_by_role("link", name=words["KUI reports"], exact=True)).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(words["My cases"])
        expect(page.locator(".btn-signout")).to_have_text(words["Sign out"])
        expect(page.get_by_role("link", name=case.erdr_number)).to_be_visible()
        shot(page, f"my-cases-{language}")
    switch(page, "en")
    expect(nav.get_by_role("link", name="My cases", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
