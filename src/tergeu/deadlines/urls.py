"""URLs of the deadline pages; included at the root of :mod:`tergeu.urls`."""

from django.urls import path

from . import views

app_name = "deadlines"

urlpatterns = [
    path("deadlines/", views.mine, name="mine"),
    path("deadlines/supervision/", views.supervision, name="supervision"),
    path("deadlines/outages/", views.outages, name="outages"),
    path("deadlines/clocks/<uuid:clock_id>/extend/", views.extend, name="extend"),
]
