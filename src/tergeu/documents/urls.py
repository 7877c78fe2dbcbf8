"""URLs of the documents pages.

Include them at the root: ``path("", include("tergeu.documents.urls"))``.
"""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cases/<uuid:case_id>/documents/", views.case_documents, name="case_documents"),
    path("cases/<uuid:case_id>/documents/new/", views.new_document, name="new"),
    path("documents/<uuid:doc_id>/", views.document_detail, name="detail"),
    path("documents/<uuid:doc_id>/edit/", views.edit_document, name="edit"),
    path("documents/<uuid:doc_id>/finalise/", views.finalise_document, name="finalise"),
    path("documents/<uuid:doc_id>/supersede/", views.supersede_document, name="supersede"),
    path("documents/<uuid:doc_id>/discard/", views.discard_document, name="discard"),
    path("documents/<uuid:doc_id>/pdf/", views.document_pdf, name="pdf"),
    path("documents/<uuid:doc_id>/countersign/", views.countersign_document, name="countersign"),
]
