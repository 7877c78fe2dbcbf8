"""Root URL configuration: the web UI, the documents of cases, and the JSON API under /api/v1/."""

from django.urls import include, path

from tergeu.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tergeu.web.urls", namespace="web")),
    path("", include("tergeu.documents.urls")),
    path("", include("tergeu.evidence.urls")),
    path("pki/", include("tergeu.integrity.pki.urls")),
    path("report/", include("tergeu.intake.urls")),
    path("admin/", include("tergeu.allocation.urls")),
    path("", include("tergeu.integrity.urls")),
    path("", include("tergeu.legalaid.urls")),
    path("", include("tergeu.deadlines.urls")),
    path("", include("tergeu.summons.urls")),
    path("notifications/", include("tergeu.notifications.urls")),
    path("api/v1/", api.urls),
]

handler404 = "tergeu.web.views.errors.not_found"
handler403 = "tergeu.web.views.errors.forbidden"
handler500 = "tergeu.web.views.errors.server_error"
