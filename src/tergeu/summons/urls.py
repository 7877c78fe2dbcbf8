"""URLs of the summons pages (namespace ``summons``), included at the root."""

from django.urls import path

from . import views

app_name = "summons"

urlpatterns = [
    path("cases/<uuid:case_id>/summons/", views.case_summonses, name="case"),
    path("cases/<uuid:case_id>/summons/send/", views.send, name="send"),
    path(
        "cases/<uuid:case_id>/summons/familiarisation/",
        views.familiarisation,
        name="familiarisation",
    ),
    path("s/<str:token>/", views.public, name="public"),
    path("s/<str:token>/pdf/", views.public_pdf, name="pdf"),
]
