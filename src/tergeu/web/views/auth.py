"""Sign-in and sign-out with Django's auth views; sign-in switches to the user's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's authentication form with our labels and messages."""

    error_messages = {
        "invalid_login": _("The user name or password is wrong. Both fields are case-sensitive."),
        "inactive": _("This account is blocked."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Remember ``language`` in the cookie LocaleMiddleware reads (as set_language does)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class SignInView(auth_views.LoginView):
    """The sign-in page; after sign-in the UI speaks the language stored on the user."""

    template_name = "web/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """Sign in, then switch to the user's language for this and later requests."""
        response = super().form_valid(form)
        language = getattr(form.get_user(), "language", "")
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            set_language_cookie(response, language)
        return response


class SignOutView(auth_views.LogoutView):
    """Sign-out (POST only, as Django requires); then back to the sign-in page."""
