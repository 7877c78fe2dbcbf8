"""Sign-in and sign-out; after sign-in the UI speaks the user's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tergeu.accounts.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_pages_need_sign_in(client: Client) -> None:
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/cases/"


def test_sign_in_page_renders_the_form(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'action="/language/"' in html  # the language switch is there too
    # Citizens who land here find the public report form and the status look-up.
    assert 'href="/report/"' in html
    assert 'href="/report/status/"' in html


def test_wrong_password_shows_the_message_and_signs_nobody_in(client: Client) -> None:
    person = f.user(Role.INVESTIGATOR, language="en")
    response = client.post("/login/", {"username": person.username, "password": "wrong"})
    assert response.status_code == 200
    assert "The user name or password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/cases/").status_code == 302


def test_sign_in_switches_to_the_users_language(client: Client) -> None:
    person = f.user(Role.INVESTIGATOR, f.org(), language="kk")
    response = client.post(
        "/login/", {"username": person.username, "password": f.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/cases/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "kk"
    html = response.content.decode()
    assert '<html lang="kk">' in html
    assert "Менің істерім" in html  # "My cases"


def test_sign_in_goes_to_next(client: Client) -> None:
    person = f.user(Role.INVESTIGATOR, f.org(), language="ru")
    response = client.post(
        "/login/",
        {"username": person.username, "password": f.PASSWORD, "next": "/reports/"},
    )
    assert response["Location"] == "/reports/"


def test_sign_out_is_a_post_and_ends_the_session(signed_in: Any) -> None:
    client = signed_in(f.user(Role.INVESTIGATOR, f.org()))
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/cases/").status_code == 302


def test_the_header_names_the_user_role_and_body(signed_in: Any) -> None:
    body = f.org()
    person = f.user(Role.INVESTIGATOR, body, last_name="Сейітов", first_name="Дәурен")
    html = signed_in(person).get("/cases/").content.decode()
    assert "Сейітов Дәурен" in html
    assert "Investigator" in html
    assert body.name_en in html
    assert 'action="/logout/"' in html
