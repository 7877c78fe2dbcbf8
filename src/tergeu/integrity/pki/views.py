"""Public endpoints of the PKI: CRLs, CA and TSA certificates, and the RFC 3161 TSA.

None of them needs a session: CRLs and certificates are public by nature, and the TSA
signs only a hash (it learns nothing of the document).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tergeu.core.errors import NotFound

from . import services

#: A TimeStampReq is a few hundred bytes; anything much larger is not one.
MAX_QUERY_BYTES = 64 * 1024


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _der(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@never_cache
def crl(request: HttpRequest, ca_name: str) -> HttpResponse:
    """A fresh CRL of a CA (DER, application/pkix-crl)."""
    try:
        body = services.crl_der(ca_name)
    except NotFound:
        return _plain(_("No such certification authority."), 404)
    return _der(body, "application/pkix-crl", f"{ca_name}.crl")


@require_GET
def ca_certificate(request: HttpRequest, ca_name: str) -> HttpResponse:
    """The certificate of a CA (DER, application/pkix-cert)."""
    try:
        body = services.ca_der(ca_name)
    except NotFound:
        return _plain(_("No such certification authority."), 404)
    return _der(body, "application/pkix-cert", f"{ca_name}.crt")


@require_GET
def tsa_certificate(request: HttpRequest) -> HttpResponse:
    """The certificate of the timestamping authority (DER)."""
    try:
        body = services.tsa_der()
    except NotFound:
        return _plain(_("The timestamping authority is not set up."), 404)
    return _der(body, "application/pkix-cert", "tsa.crt")


@csrf_exempt
@require_POST
@never_cache
def tsa(request: HttpRequest) -> HttpResponse:
    """RFC 3161 over HTTP: a DER TimeStampReq in, a DER TimeStampResp out."""
    not_a_query = _("The body is not a DER-encoded RFC 3161 timestamp query.")
    if not request.body:
        return _plain(not_a_query, 400)
    if (request.content_type or "") != "application/timestamp-query":
        return _plain(
            _("Send an RFC 3161 timestamp query with Content-Type: application/timestamp-query."),
            415,
        )
    body = request.body
    if len(body) > MAX_QUERY_BYTES:
        return _plain(_("The timestamp query is too large."), 400)
    try:
        reply = services.tsa_reply(body)
    except services.TsaRequestError:
        return _plain(not_a_query, 400)
    return HttpResponse(reply, content_type="application/timestamp-reply")
