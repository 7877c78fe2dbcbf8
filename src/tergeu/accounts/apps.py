"""Accounts: people, organisations with territory, roles, sign-in and API tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tergeu.accounts"
    label = "accounts"
    verbose_name = _("People and organisations")
