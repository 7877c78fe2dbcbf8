"""Web: base templates, static assets, sign-in and the language switch."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web UI's app: templates, static files and translations of the pages."""

    name = "tergeu.web"
    label = "web"
