"""URLs of the integrity pages (the verifiable export of a case).

Include them at the root: ``path("", include("tergeu.integrity.urls"))``.
"""

from django.urls import path

from . import views

app_name = "integrity"

urlpatterns = [
    path("cases/<uuid:case_id>/export/", views.export_case, name="export_case"),
]
