"""URLs of the evidence pages.

Include them at the root: ``path("", include("tergeu.evidence.urls"))``.
"""

from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("cases/<uuid:case_id>/evidence/", views.case_evidence, name="case"),
    path("cases/<uuid:case_id>/evidence/new/", views.register, name="register"),
    path("evidence/<uuid:item_id>/files/", views.upload, name="upload"),
    path("evidence/<uuid:item_id>/custody/<slug:name>/", views.move, name="move"),
    path("evidence/files/<uuid:file_id>/", views.download, name="download"),
]
