"""Root URL configuration: the web UI and the JSON API under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
]
