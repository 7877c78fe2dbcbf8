"""The project's URLs plus the PKI's, for tests (in case the root URLconf lacks them)."""

from django.urls import URLPattern, URLResolver, include, path

from tergeu.urls import urlpatterns as project_urls

urlpatterns: list[URLPattern | URLResolver] = list(project_urls)
if not any(getattr(p, "namespace", None) == "pki" for p in urlpatterns):
    urlpatterns.append(path("pki/", include("tergeu.integrity.pki.urls")))
