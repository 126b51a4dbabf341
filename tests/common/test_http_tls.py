"""HTTPS through a pinned connection: we connect to the checked address, yet TLS still
sends the host name (SNI) and checks the certificate against it, not against the address.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.common.fakes import PUBLIC_IP, FakeSite
from tidings.common.http import ConnectError, fetch_url


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for public.test, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=public.test",
         "-addext", "subjectAltName=DNS:public.test"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_site(certificate: tuple[Path, Path]) -> Iterator[tuple[FakeSite, list[str]]]:
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name or "")
    site = FakeSite(PUBLIC_IP, tls=context).start()
    site.routes["/feed"] = lambda h: h.answer(200, b"<rss>secure</rss>")
    yield site, server_names
    site.stop()


@pytest.fixture
def tls_settings(fetch_settings, tls_site, certificate):  # type: ignore[no-untyped-def]
    fetch_settings.FETCH_ALLOWED_PORTS = [tls_site[0].port]
    fetch_settings.FETCH_CA_BUNDLE = str(certificate[0])
    return fetch_settings


def test_https_pinned_to_the_checked_address_keeps_sni_and_verification(tls_settings, tls_site):  # type: ignore[no-untyped-def]
    site, server_names = tls_site
    result = fetch_url(url=site.url("/feed", host="public.test"))
    assert result.body == b"<rss>secure</rss>"
    assert server_names == ["public.test"]
    assert site.request_headers[0]["host"] == f"public.test:{site.port}"


def test_certificate_is_checked_against_the_host_name(tls_settings, tls_site):  # type: ignore[no-untyped-def]
    """other.test resolves to the same address, but the certificate is not for it."""
    site, _ = tls_site
    with pytest.raises(ConnectError, match="certificate"):
        fetch_url(url=site.url("/feed", host="other.test"))
    assert site.paths == []


def test_untrusted_certificate_is_refused(tls_settings, tls_site):  # type: ignore[no-untyped-def]
    tls_settings.FETCH_CA_BUNDLE = ""
    site, _ = tls_site
    with pytest.raises(ConnectError, match="certificate"):
        fetch_url(url=site.url("/feed", host="public.test"))
    assert site.paths == []
