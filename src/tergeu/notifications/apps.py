"""Notifications: the outbox of SMS and e-mail messages to people outside the system."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tergeu.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
