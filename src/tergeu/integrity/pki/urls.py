"""URLs of the PKI's public endpoints.

Include them under ``pki/``: ``path("pki/", include("tergeu.integrity.pki.urls"))``.
"""

from django.urls import path

from . import views

app_name = "pki"

urlpatterns = [
    path("crl/<slug:ca_name>.crl", views.crl, name="crl"),
    path("ca/<slug:ca_name>.crt", views.ca_certificate, name="ca"),
    path("tsa.crt", views.tsa_certificate, name="tsa_certificate"),
    path("tsa", views.tsa, name="tsa"),
]
