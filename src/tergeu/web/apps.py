"""Web: base templates, static assets, sign-in and the language switch."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tergeu.web"
    label = "web"
