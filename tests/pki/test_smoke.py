from tergeu.integrity.pki import services


def test_smoke(official) -> None:
    cert = services.enrol(official)
    assert services.enrol(official).pk == cert.pk
    print(cert.subject)
    crl = services.crl_der("police")
    assert crl
