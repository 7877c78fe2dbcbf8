"""URLs of the public report form (namespace ``intake``), mounted at ``report/``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.start, name="start"),
    path("code/", views.code, name="code"),
    path("new/", views.new, name="new"),
    path("new/questions/", views.questions, name="questions"),
    path("status/", views.lookup, name="lookup"),
    path("status/<str:token>/", views.status, name="status"),
    path("attachment/<uuid:pk>/", views.attachment, name="attachment"),
]
