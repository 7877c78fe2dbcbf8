"""URLs of the legal-aid pages; included at the root of :mod:`tergeu.urls`."""

from django.urls import path

from . import views

app_name = "legalaid"

urlpatterns = [
    path("legalaid/", views.my_offers, name="mine"),
    path("legalaid/offers/<uuid:offer_id>/", views.offer, name="offer"),
    path("legalaid/offers/<uuid:offer_id>/accept/", views.accept, name="accept"),
    path("legalaid/offers/<uuid:offer_id>/decline/", views.decline, name="decline"),
    path("legalaid/roster/", views.roster, name="roster"),
    path("legalaid/roster/<uuid:slot_id>/cancel/", views.cancel, name="cancel"),
    path("cases/<uuid:case_id>/defender/", views.appoint, name="appoint"),
    path("legalaid/appointments/<uuid:appointment_id>/retry/", views.retry, name="retry"),
]
