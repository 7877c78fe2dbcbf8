"""Error pages in the user's language, with the layout and the language switch."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from tergeu.web.views import errors
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"),
    [("kk", "Бет табылмады"), ("ru", "Страница не найдена"), ("en", "Page not found")],
)
def test_404_page_in_three_languages(language: str, text: str, client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert text in html
    assert f'<html lang="{language}">' in html
    assert 'action="/language/"' in html


def test_403_page_shows_the_reason(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.user = f.user("investigator")
    response = errors.forbidden(request, PermissionDenied("Нельзя"))
    assert response.status_code == 403
    assert "Нельзя" in response.content.decode()


def test_403_page_for_a_refused_page(unit: f.Unit, signed_in: Any) -> None:
    from tergeu.cases.services import add_participant

    case = unit.case()
    person = add_participant(
        unit.investigator, case.pk, status="witness", last_name="А", first_name="Б"
    )
    client = signed_in(unit.prosecutor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(f"/cases/{case.pk}/participants/{person.pk}/edit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Доступ запрещён" in html
    assert "У вас нет права на это действие." in html


@pytest.mark.parametrize(
    ("language", "text"),
    [("kk", "Сервер қатесі"), ("ru", "Ошибка сервера"), ("en", "Server error")],
)
def test_500_page_in_three_languages(language: str, text: str, rf: RequestFactory) -> None:
    from django.utils import translation

    request = rf.get("/cases/")
    with translation.override(language):
        response = errors.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert text in html
    assert "Sign out" not in html  # the bare page does not touch the user


def test_handlers_are_wired() -> None:
    from tergeu import urls

    assert urls.handler500 == "tergeu.web.views.errors.server_error"
    assert urls.handler404 == "tergeu.web.views.errors.not_found"
    assert urls.handler403 == "tergeu.web.views.errors.forbidden"


def test_csrf_failure_page_in_the_users_language(unit: f.Unit) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(unit.investigator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    response = client.post("/reports/new/", {"source": "phone"})
    assert response.status_code == 403
    assert "Форманың мерзімі өтіп кетті" in response.content.decode()
