"""``fetch_url``: the one way Tidings reads anything from another server.

Every hop is checked by the guard and connected to the checked address; redirects are
followed here, one checked hop at a time; the whole fetch has one deadline; the body is
capped after decompression; hosts that ask us to wait are left alone until then.
"""

from __future__ import annotations

import dataclasses
import http.client
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from tidings.common.http.body import BodyReader
from tidings.common.http.connection import Watchdog, pinned_connection
from tidings.common.http.errors import (
    ConnectError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    RetryLaterError,
    TooLargeError,
    TooManyRedirectsError,
)
from tidings.common.http.guard import DEFAULT_PORTS, Target, target_check
from tidings.common.http.politeness import (
    THROTTLE_WITHOUT_RETRY_AFTER,
    hold_set,
    hold_until,
    host_slot,
    retry_at_from,
)
from tidings.common.http.robots import ROBOTS_MAX_BYTES, robots_check
from tidings.common.http.settings import FetchLimits, fetch_limits, user_agent

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_READ_SIZE = 64 * 1024
_ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.8",
    "robots": "text/plain, */*;q=0.5",
}
# Headers the client owns: a caller may not change where the request goes, how it is
# framed, or who we say we are.
_CLIENT_HEADERS = frozenset(
    {"host", "accept-encoding", "connection", "content-length", "transfer-encoding", "user-agent"}
)
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False
    redirects: int = 0
    elapsed: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class _Request:
    method: str
    headers: dict[str, str]
    data: bytes | None = None


@dataclass
class _Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def fetch_url(
    *,
    url: str,
    purpose: str = "feed",
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    timeout: float | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    max_redirects: int | None = None,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> FetchResult:
    """Fetch ``url`` through the SSRF guard; raise a ``FetchError`` saying why it failed.

    ``purpose`` is "feed", "page" (robots.txt is obeyed when FETCH_RESPECT_ROBOTS is on),
    "robots", or any other word for logging. ``etag``/``last_modified`` make the request
    conditional: a 304 comes back as ``not_modified=True`` with an empty body.
    """
    started = time.monotonic()
    limits = _limits_with(
        max_bytes=max_bytes,
        timeout=timeout,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_redirects=max_redirects,
    )
    deadline = started + limits.total_timeout
    request = _Request(
        method=method.upper(),
        headers=_request_headers(
            purpose=purpose, etag=etag, last_modified=last_modified, extra=headers or {}
        ),
        data=data,
    )
    current = url
    for redirects in range(limits.max_redirects + 1):
        target = target_check(url=current, limits=limits, timeout=deadline - time.monotonic())
        if purpose == "page" and limits.respect_robots:
            _robots_obey(target=target, deadline=deadline)
        answer = _exchange(target=target, request=request, limits=limits, deadline=deadline)
        if answer.status not in REDIRECT_STATUSES:
            validators = (etag, last_modified)
            return _result(url=current, answer=answer, validators=validators,
                           redirects=redirects, started=started)  # fmt: skip
        current = urljoin(current, answer.headers["location"])
        request = _request_after_redirect(request, status=answer.status, old=target, new=current)
    raise TooManyRedirectsError(
        url=url, reason=f"more than {limits.max_redirects} redirects (the last to {current})"
    )


def _limits_with(
    *,
    max_bytes: int | None,
    timeout: float | None,
    connect_timeout: float | None,
    read_timeout: float | None,
    max_redirects: int | None,
) -> FetchLimits:
    """The operator's limits, tightened or loosened for one call where a caller says so."""
    limits = fetch_limits()
    return dataclasses.replace(
        limits,
        max_bytes=limits.max_bytes if max_bytes is None else max_bytes,
        total_timeout=limits.total_timeout if timeout is None else timeout,
        connect_timeout=limits.connect_timeout if connect_timeout is None else connect_timeout,
        read_timeout=limits.read_timeout if read_timeout is None else read_timeout,
        max_redirects=limits.max_redirects if max_redirects is None else max_redirects,
    )


def _request_headers(
    *, purpose: str, etag: str, last_modified: str, extra: dict[str, str]
) -> dict[str, str]:
    headers = {
        "User-Agent": user_agent(),
        "Accept": _ACCEPT.get(purpose, "*/*"),
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    for name, value in extra.items():
        if name.lower() in _CLIENT_HEADERS:
            continue
        for existing in [key for key in headers if key.lower() == name.lower()]:
            del headers[existing]
        headers[name] = _one_line(value)
    if etag:
        headers["If-None-Match"] = _one_line(etag)
    if last_modified:
        headers["If-Modified-Since"] = _one_line(last_modified)
    return headers


def _one_line(value: str) -> str:
    # Validators come back from servers; a folded header must not become a CRLF we send.
    return " ".join(str(value).split())


def _request_after_redirect(request: _Request, *, status: int, old: Target, new: str) -> _Request:
    method, data = request.method, request.data
    if status == 303 or (status in {301, 302} and method == "POST"):
        method, data = ("HEAD" if method == "HEAD" else "GET"), None
    headers = dict(request.headers)
    if not _same_origin(old, new):
        # Credentials a caller gave for one site are not handed to the next.
        headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
    return _Request(method=method, headers=headers, data=data)


def _same_origin(old: Target, new_url: str) -> bool:
    try:
        new = urlsplit(new_url)
        new_port = new.port or DEFAULT_PORTS.get(new.scheme.lower())
    except ValueError:
        return False
    return (new.scheme.lower(), new.hostname, new_port) == (old.scheme, old.host, old.port)


def _result(
    *, url: str, answer: _Answer, validators: tuple[str, str], redirects: int, started: float
) -> FetchResult:
    # A 304 need not repeat the validators; the caller's stay valid, so hand them back.
    kept_etag, kept_modified = validators if answer.status == 304 else ("", "")
    return FetchResult(
        url=url,
        status=answer.status,
        headers=answer.headers,
        body=answer.body,
        etag=answer.headers.get("etag", kept_etag),
        last_modified=answer.headers.get("last-modified", kept_modified),
        not_modified=answer.status == 304,
        redirects=redirects,
        elapsed=time.monotonic() - started,
    )


def _robots_obey(*, target: Target, deadline: float) -> None:
    def robots_fetch(robots_url: str) -> bytes:
        remaining = max(0.001, deadline - time.monotonic())
        return fetch_url(
            url=robots_url, purpose="robots", max_bytes=ROBOTS_MAX_BYTES, timeout=remaining
        ).body

    robots_check(url=target.url, origin=target.origin, fetch=robots_fetch)


def _exchange(
    *, target: Target, request: _Request, limits: FetchLimits, deadline: float
) -> _Answer:
    _respect_hold(target)
    remaining = deadline - time.monotonic()
    with host_slot(host=target.host, limit=limits.per_host_limit, timeout=remaining) as got:
        if not got:
            raise FetchTimeoutError(
                url=target.url,
                reason=f"timed out waiting for one of {limits.per_host_limit} "
                f"connections to {target.host} to free up",
            )
        with Watchdog(deadline=deadline) as watchdog:
            try:
                return _exchange_pinned(
                    target=target,
                    request=request,
                    limits=limits,
                    deadline=deadline,
                    watchdog=watchdog,
                )
            except (OSError, http.client.HTTPException) as error:
                raise _failure(
                    url=target.url, error=error, watchdog=watchdog, limits=limits
                ) from None


def _exchange_pinned(
    *,
    target: Target,
    request: _Request,
    limits: FetchLimits,
    deadline: float,
    watchdog: Watchdog,
) -> _Answer:
    connection = _connect(target=target, limits=limits, deadline=deadline, watchdog=watchdog)
    try:
        connection.request(
            request.method, target.request_path, body=request.data, headers=request.headers
        )
        response = connection.getresponse()
        answer = _answer_read(
            target=target, request=request, response=response, limits=limits, watchdog=watchdog
        )
    finally:
        connection.close()
    if watchdog.fired or time.monotonic() > deadline:
        raise _deadline_error(url=target.url, limits=limits)
    return answer


def _connect(
    *, target: Target, limits: FetchLimits, deadline: float, watchdog: Watchdog
) -> http.client.HTTPConnection:
    last_error: OSError | None = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _deadline_error(url=target.url, limits=limits)
        connection = pinned_connection(
            scheme=target.scheme,
            host=target.host,
            port=target.port,
            address=address,
            timeout=min(limits.connect_timeout, remaining),
            ca_bundle=limits.ca_bundle,
        )
        try:
            connection.connect()
        except TimeoutError:
            connection.close()
            raise FetchTimeoutError(
                url=target.url, reason=f"timed out connecting to {target.host} ({address})"
            ) from None
        except OSError as error:
            connection.close()
            last_error = error
            continue
        assert connection.sock is not None  # noqa: S101 - connect() succeeded
        watchdog.watch(connection.sock)
        connection.sock.settimeout(min(limits.read_timeout, max(0.001, remaining)))
        return connection
    assert last_error is not None  # noqa: S101 - the guard never returns no address
    raise last_error


def _answer_read(
    *,
    target: Target,
    request: _Request,
    response: http.client.HTTPResponse,
    limits: FetchLimits,
    watchdog: Watchdog,
) -> _Answer:
    headers = _header_dict(response)
    status = response.status
    if status in {429, 503}:
        _hold_and_refuse(target=target, status=status, headers=headers)
    if status in REDIRECT_STATUSES and headers.get("location"):
        return _Answer(status=status, headers=headers)
    if status == 304:
        return _Answer(status=status, headers=headers)
    if not 200 <= status < 300:
        raise HTTPStatusError(
            url=target.url,
            reason=f"the server answered {status} {response.reason}",
            status=status,
        )
    _refuse_declared_length(url=target.url, headers=headers, limit=limits.max_bytes)
    reader = BodyReader(
        url=target.url, content_encoding=headers.get("content-encoding", ""), limit=limits.max_bytes
    )
    if request.method != "HEAD":
        while chunk := response.read1(_READ_SIZE):
            reader.feed(chunk)
            if watchdog.fired:
                break
    return _Answer(status=status, headers=headers, body=reader.body())


def _header_dict(response: http.client.HTTPResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.getheaders():
        key, value = name.lower(), _one_line(value)
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _refuse_declared_length(*, url: str, headers: dict[str, str], limit: int) -> None:
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise TooLargeError(
            url=url,
            reason=f"the server announced {int(declared):,} bytes, over the cap of {limit:,}",
            limit=limit,
        )


def _respect_hold(target: Target) -> None:
    until = hold_until(host=target.host, now=datetime.now(UTC))
    if until is not None:
        raise RetryLaterError(
            url=target.url,
            reason=f"{target.host} asked us to wait until {until:%Y-%m-%d %H:%M:%S} UTC",
            retry_at=until,
        )


def _hold_and_refuse(*, target: Target, status: int, headers: dict[str, str]) -> None:
    now = datetime.now(UTC)
    retry_at = retry_at_from(header=headers.get("retry-after", ""), now=now)
    if retry_at is None and status == 429:
        retry_at = now + THROTTLE_WITHOUT_RETRY_AFTER
    if retry_at is None:
        raise HTTPStatusError(url=target.url, reason=f"the server answered {status}", status=status)
    hold_set(host=target.host, until=retry_at)
    raise RetryLaterError(
        url=target.url,
        reason=f"{target.host} answered {status}; no request before "
        f"{retry_at:%Y-%m-%d %H:%M:%S} UTC",
        retry_at=retry_at,
    )


def _deadline_error(*, url: str, limits: FetchLimits) -> FetchTimeoutError:
    return FetchTimeoutError(
        url=url, reason=f"timed out after the total deadline of {limits.total_timeout:g} s"
    )


def _failure(
    *, url: str, error: BaseException, watchdog: Watchdog, limits: FetchLimits
) -> FetchError:
    if watchdog.fired:
        return _deadline_error(url=url, limits=limits)
    if isinstance(error, TimeoutError):
        return FetchTimeoutError(
            url=url, reason=f"timed out: the server sent nothing for {limits.read_timeout:g} s"
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return ConnectError(
            url=url, reason=f"its TLS certificate is not valid ({error.verify_message})"
        )
    if isinstance(error, ssl.SSLError):
        return ConnectError(url=url, reason=f"the TLS handshake failed ({error.reason})")
    if isinstance(error, http.client.HTTPException):
        return ConnectError(url=url, reason=f"the server's answer was broken ({error!r})")
    return ConnectError(
        url=url, reason=f"the connection failed ({getattr(error, 'strerror', None) or error})"
    )
