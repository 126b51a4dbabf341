"""S5: one guard for every outbound fetch — no HTTP library is used outside common/http.

Every module under src/ is parsed and its imports and dotted names are checked, so a
stray ``requests.get`` or ``urllib.request.urlopen`` anywhere else fails the suite.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
GUARDED_CLIENT = SRC / "tidings" / "common" / "http"
FORBIDDEN = (
    "requests",
    "httpx",
    "urllib.request",
    "urllib3",
    "http.client",
    "aiohttp",
    "pycurl",
    "httplib2",
    # trafilatura's own downloader (urllib3 underneath) would bypass the guard too.
    "trafilatura.downloads",
    "trafilatura.fetch_url",
    "trafilatura.fetch_response",
)


def _is_forbidden(name: str) -> bool:
    return any(name == module or name.startswith(module + ".") for module in FORBIDDEN)


def _dotted(node: ast.AST) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def http_library_uses(source: str) -> list[str]:
    """Names of HTTP libraries a piece of Python source imports or reaches for."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_forbidden(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            found += [name for name in names if _is_forbidden(name)][:1]
        elif isinstance(node, ast.Attribute) and _is_forbidden(_dotted(node)):
            found.append(_dotted(node))
    return found


def _outside_the_client() -> list[Path]:
    return [path for path in sorted(SRC.rglob("*.py")) if not path.is_relative_to(GUARDED_CLIENT)]


def test_no_http_library_outside_the_guarded_client() -> None:
    offenders = {
        str(path.relative_to(SRC)): uses
        for path in _outside_the_client()
        if (uses := http_library_uses(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "fetch through tidings.common.http.fetch_url instead"


def test_the_check_would_catch_each_library() -> None:
    """The check is not vacuous: each way of reaching an HTTP library is spotted."""
    samples = {
        "import requests\nrequests.get('http://x')": "requests",
        "import httpx": "httpx",
        "from urllib.request import urlopen": "urllib.request",
        "from urllib import request": "urllib.request",
        "import urllib\nurllib.request.urlopen('x')": "urllib.request",
        "import urllib3": "urllib3",
        "from http import client": "http.client",
        "import http.client as hc": "http.client",
        "from trafilatura import fetch_url": "trafilatura.fetch_url",
        "import trafilatura\ntrafilatura.fetch_url('x')": "trafilatura.fetch_url",
        "from trafilatura.downloads import fetch_response": "trafilatura.downloads",
    }
    for source, library in samples.items():
        assert any(use.startswith(library) for use in http_library_uses(source)), source
    harmless = "from urllib.parse import urljoin\nimport http\nfrom trafilatura import extract\n"
    assert http_library_uses(harmless) == []


def test_the_walk_covers_the_source_tree() -> None:
    checked = _outside_the_client()
    assert len(checked) > 20
    assert not any(path.is_relative_to(GUARDED_CLIENT) for path in checked)
