"""URLs of the allocation pages (under /admin/)."""

from django.urls import path

from . import views

app_name = "allocation"

urlpatterns = [
    path("users/<int:pk>/specialisation/", views.specialisation, name="specialisation"),
]
