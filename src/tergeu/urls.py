"""Root URL configuration: the web UI, the documents of cases, and the JSON API under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tergeu.web.urls", namespace="web")),
    # API: the API engineer adds `path("api/v1/", tergeu.api.api.urls)` here.
]

handler404 = "tergeu.web.views.errors.not_found"
handler403 = "tergeu.web.views.errors.forbidden"
handler500 = "tergeu.web.views.errors.server_error"
