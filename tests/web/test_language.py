"""The language switch on every page: Kazakh, Russian, English."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db

MY_CASES = {"kk": "Менің істерім", "ru": "Мои дела", "en": "My cases"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_switch_on_a_page_shows_it_in_that_language(
    language: str, unit: f.Unit, signed_in: Any
) -> None:
    client = signed_in(unit.investigator)
    response = client.post(
        "/language/", {"language": language, "next": "/cases/?stage=investigation"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/cases/?stage=investigation"
    html = client.get(response["Location"]).content.decode()
    assert f'<html lang="{language}">' in html
    assert MY_CASES[language] in html
    assert f'value="{language}" lang="{language}" title="' in html
    unit.investigator.refresh_from_db()
    assert unit.investigator.language == language


def test_unknown_language_changes_nothing(unit: f.Unit, signed_in: Any) -> None:
    client = signed_in(unit.investigator)
    before = unit.investigator.language
    response = client.post("/language/", {"language": "xx", "next": "/cases/"})
    assert response.status_code == 302
    unit.investigator.refresh_from_db()
    assert unit.investigator.language == before


def test_switch_is_on_every_page_and_returns_to_it(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    for path in (
        "/cases/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/?tab=history",
        "/reports/",
        "/reports/new/",
    ):
        html = client.get(path).content.decode()
        assert 'action="/language/"' in html, path
        assert f'name="next" value="{path.replace("&", "&amp;")}"' in html, path


def test_case_card_in_kazakh_and_russian(unit: f.Unit, signed_in: Any) -> None:
    case = unit.case()
    client = signed_in(unit.investigator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "СДТБТ карточкасы" in html  # ERDR card
    assert "188-бап 1-бөлік" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Карточка ЕРДР" in html
    assert "ст. 188 ч. 1 УК РК" in html


def test_anonymous_switch_on_the_sign_in_page(client: Client) -> None:
    response = client.post("/language/", {"language": "kk", "next": "/login/"}, follow=True)
    html = response.content.decode()
    assert "Кіру" in html  # "Sign in"
    response = client.post("/language/", {"language": "ru", "next": "/login/"}, follow=True)
    assert "Войти" in response.content.decode()


def test_switch_refuses_a_foreign_next(client: Client) -> None:
    response = client.post("/language/", {"language": "kk", "next": "https://evil.example/"})
    assert response["Location"] == "/"
