"""Core: ids, clock, errors, base models, validators shared by every app."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tergeu.core"
    label = "core"
