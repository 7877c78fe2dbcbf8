"""URLs of the operators' page of the outbox (under /notifications/)."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<str:pk>/retry/", views.retry, name="retry"),
]
