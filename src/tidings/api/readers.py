"""A reader's own records over the API: /api/me and everything under it.

Token auth (``Authorization: Token <key>`` or ``Bearer <key>``) or the site session with its
CSRF token. Every object is looked up through ``<thing>_get_for_user``: another reader's id
answers 404. Bodies are JSON only, unknown fields are refused, lists are capped at 100.
"""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Annotated, Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.parser import Parser
from ninja.security import SessionAuth
from ninja.security.http import HttpBearer
from pydantic import BeforeValidator, ConfigDict, Field, StrictBool

from tidings.common.errors import ApplicationError, InvalidInput
from tidings.readers import accounts, selectors, services
from tidings.readers.models import Feedback, Follow, Reading, SavedArticle

MAX_JSON_DEPTH = 16


class UnsupportedMediaType(ApplicationError):
    """The body is not JSON (answers 415)."""


def _json_depth(raw: str) -> int:
    """The deepest nesting of arrays and objects, counted outside strings, without parsing."""
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


class JsonOnlyParser(Parser):
    """JSON bodies only (415 otherwise), and refused before parsing when nested too deep."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if request.body and content_type != "application/json":
            raise UnsupportedMediaType("Send the body as application/json.")
        raw = request.body.decode("utf-8", errors="strict") if request.body else ""
        if _json_depth(raw) > MAX_JSON_DEPTH:
            raise InvalidInput("The JSON body is nested too deeply.")
        try:
            return json.loads(raw) if raw else {}
        except (ValueError, RecursionError):
            raise InvalidInput("The body is not valid JSON.") from None


def json_body(operation: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Before anything is parsed: a body must be JSON (415), not too large (413) and not
    nested too deep (400). Wraps the whole operation, so it runs ahead of ninja's parsing."""

    @wraps(operation)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            body = request.body
        except RequestDataTooBig:
            return JsonResponse({"detail": "The body is too large."}, status=413)
        if body and request.content_type != "application/json":
            return JsonResponse({"detail": "Send the body as application/json."}, status=415)
        if _json_depth(body.decode("utf-8", errors="replace")) > MAX_JSON_DEPTH:
            return JsonResponse({"detail": "The JSON body is nested too deeply."}, status=400)
        return operation(request, *args, **kwargs)

    return checked


class ReaderToken(HttpBearer):
    """``Authorization: Token <key>`` or ``Bearer <key>``; the key is never logged."""

    def __call__(self, request: HttpRequest) -> Any:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() not in {"token", "bearer"} or not key.strip():
            return None
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = services.api_token_user(key=token)
        if found is None:
            return None
        user, token_id = found
        request.user = user
        request.api_token_id = token_id  # type: ignore[attr-defined]
        return user


reader_auth = [ReaderToken(), SessionAuth(csrf=True)]
router = Router(tags=["me"], auth=reader_auth)


def _no_text_or_bool(value: Any) -> Any:
    """JSON integers only: ``"5"`` and ``true`` are refused, ``5.0`` is the integer 5."""
    if isinstance(value, (str, bool)):
        raise ValueError("Input should be a JSON integer.")
    return value


JsonInt = Annotated[int, BeforeValidator(_no_text_or_bool)]


class Strict(Schema):
    """A request body: unknown fields refused; no coercion from text or booleans."""

    model_config = ConfigDict(extra="forbid")


class Detail(Schema):
    detail: Any


ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 413, 415, 429), Detail)


def _check_query(request: HttpRequest, allowed: set[str]) -> None:
    """Unknown or repeated query parameters are refused, so filters cannot reach other
    columns (V3) and ``?id=1&id=2`` has one defined outcome (V4)."""
    for name in request.GET:
        if name not in allowed:
            raise InvalidInput(f"Unknown parameter {name!r}; use: {', '.join(sorted(allowed))}.")
        if len(request.GET.getlist(name)) > 1:
            raise InvalidInput(f"Give {name!r} once.")


def _reader(request: HttpRequest) -> Any:
    """The reader ninja authenticated (by token or session) for this request."""
    return request.auth  # type: ignore[attr-defined]


class Paging(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


# --- profile ------------------------------------------------------------------------------


class MeOut(Schema):
    email: str
    email_verified: bool
    display_name: str
    time_zone: str
    language: str
    home_location: str
    newsletter_preferences: dict[str, bool | int | str]
    history_paused: bool


TimeZone = Literal.__getitem__(("", *sorted(zoneinfo.available_timezones())))


class MePatch(Strict):
    display_name: str | None = Field(None, max_length=80)
    time_zone: TimeZone | None = None  # type: ignore[valid-type]
    language: str | None = Field(
        None, max_length=16, pattern=r"^([a-z]{2,3}(-[a-zA-Z0-9]{2,8})?)?$"
    )
    home_location: str | None = Field(None, max_length=120)
    newsletter_preferences: dict[str, bool | int | str] | None = Field(None, max_length=50)
    history_paused: StrictBool | None = None


class EmailChangeIn(Strict):
    new_email: str = Field(..., min_length=3, max_length=150)
    current_password: str = Field(..., min_length=1, max_length=4096)


class PasswordChangeIn(Strict):
    current_password: str = Field(..., min_length=1, max_length=4096)
    new_password: str = Field(..., min_length=8, max_length=4096)


def _me(user: Any) -> MeOut:
    profile = accounts.profile_for(user=user)
    return MeOut(
        email=user.email,
        email_verified=profile.email_verified_at is not None,
        display_name=profile.display_name,
        time_zone=profile.time_zone,
        language=profile.language,
        home_location=profile.home_location,
        newsletter_preferences=profile.newsletter_preferences or {},
        history_paused=profile.history_paused,
    )


@router.get("/me", response={200: MeOut, **ERRORS})
def me_get(request: HttpRequest) -> MeOut:
    _check_query(request, set())
    return _me(_reader(request))


@decorate_view(json_body)
@router.patch("/me", response={200: MeOut, **ERRORS})
def me_patch(request: HttpRequest, changes: MePatch) -> MeOut:
    """Change your profile. E-mail and password have their own endpoints (they need the
    current password); any other field, such as ``is_staff``, is refused."""
    _check_query(request, set())
    services.profile_update(user=_reader(request), changes=changes.model_dump(exclude_unset=True))
    return _me(_reader(request))


@decorate_view(json_body)
@router.post("/me/email", response={202: Detail, **ERRORS})
def me_email_change(request: HttpRequest, change: EmailChangeIn) -> Status[Any]:
    """Send a confirmation link to the new address (and a notice to the current one)."""
    _check_query(request, set())
    try:
        accounts.email_change_request(
            user=_reader(request),
            current_password=change.current_password,
            new_email=change.new_email,
        )
    except accounts.WrongPassword as error:
        return Status(403, Detail(detail=str(error)))
    return Status(202, Detail(detail="Open the link sent to the new address to finish."))


@decorate_view(json_body)
@router.post("/me/password", response={204: None, **ERRORS})
def me_password_change(request: HttpRequest, change: PasswordChangeIn) -> Status[Any]:
    """Change the password; every other session ends."""
    _check_query(request, set())
    try:
        accounts.password_change(
            user=_reader(request),
            current_password=change.current_password,
            new_password=change.new_password,
            keep_session_key=request.session.session_key,
        )
    except accounts.WrongPassword as error:
        return Status(403, Detail(detail=str(error)))
    return Status(204, None)


# --- follows ------------------------------------------------------------------------------


class FollowIn(Strict):
    kind: Literal["topic", "section", "source", "author"]
    target_id: JsonInt = Field(..., ge=1, le=2**53)


class FollowOut(Schema):
    id: int
    kind: str
    target_id: int
    name: str
    url: str


class FollowPage(Schema):
    items: list[FollowOut]
    total: int


def _follow_out(follow: Follow) -> FollowOut:
    target = follow.target
    return FollowOut(
        id=follow.pk,
        kind=follow.kind,
        target_id=getattr(target, "pk", 0),
        name=str(target or ""),
        # Bylines have no page of their own yet.
        url=target.get_absolute_url() if hasattr(target, "get_absolute_url") else "",  # type: ignore[union-attr]
    )


class FollowQuery(Paging):
    kind: Literal["topic", "section", "source", "author"] | None = None


@router.get("/me/follows", response={200: FollowPage, **ERRORS})
def follows_list(request: HttpRequest, query: Query[FollowQuery]) -> FollowPage:
    _check_query(request, {"kind", "limit", "offset"})
    follows = selectors.follow_list_for_user(user=_reader(request), kind=query.kind)
    page = follows[query.offset : query.offset + query.limit]
    return FollowPage(items=[_follow_out(f) for f in page], total=follows.count())


@decorate_view(json_body)
@router.post("/me/follows", response={201: FollowOut, **ERRORS})
def follows_add(request: HttpRequest, follow: FollowIn) -> Status[Any]:
    _check_query(request, set())
    added = services.follow_add(user=_reader(request), kind=follow.kind, target_id=follow.target_id)
    return Status(201, _follow_out(added))


@router.get("/me/follows/{follow_id}", response={200: FollowOut, **ERRORS})
def follows_get(request: HttpRequest, follow_id: int) -> FollowOut:
    _check_query(request, set())
    return _follow_out(selectors.follow_get_for_user(user=_reader(request), id=follow_id))


@router.delete("/me/follows/{follow_id}", response={204: None, **ERRORS})
def follows_delete(request: HttpRequest, follow_id: int) -> Status[Any]:
    _check_query(request, set())
    services.follow_delete(user=_reader(request), follow_id=follow_id)
    return Status(204, None)


# --- saved stories --------------------------------------------------------------------------


class StoryRef(Schema):
    id: int
    headline: str
    url: str
    section: str | None
    published: datetime | None


class SavedIn(Strict):
    article_id: JsonInt = Field(..., ge=1, le=2**53)


class SavedOut(Schema):
    id: int
    saved_at: datetime
    article: StoryRef


class SavedPage(Schema):
    items: list[SavedOut]
    total: int


class SavedQuery(Paging):
    q: str = Field("", max_length=200)
    order: Literal["saved", "oldest", "published"] = "saved"


def _story_ref(request: HttpRequest, article: Any) -> StoryRef:
    return StoryRef(
        id=article.pk,
        headline=article.headline,
        url=request.build_absolute_uri(article.get_absolute_url()),
        section=article.section.name if article.section else None,
        published=article.published_at,
    )


def _saved_out(request: HttpRequest, saved: SavedArticle) -> SavedOut:
    return SavedOut(
        id=saved.pk, saved_at=saved.created_at, article=_story_ref(request, saved.article)
    )


@router.get("/me/saved", response={200: SavedPage, **ERRORS})
def saved_list(request: HttpRequest, query: Query[SavedQuery]) -> SavedPage:
    _check_query(request, {"q", "order", "limit", "offset"})
    saved = selectors.saved_list_for_user(user=_reader(request), search=query.q, order=query.order)
    page = saved[query.offset : query.offset + query.limit]
    return SavedPage(items=[_saved_out(request, s) for s in page], total=saved.count())


@decorate_view(json_body)
@router.post("/me/saved", response={201: SavedOut, **ERRORS})
def saved_add(request: HttpRequest, saved: SavedIn) -> Status[Any]:
    _check_query(request, set())
    added = services.saved_add(user=_reader(request), article_id=saved.article_id)
    added = selectors.saved_get_for_user(user=_reader(request), id=added.pk)
    return Status(201, _saved_out(request, added))


@router.get("/me/saved/{saved_id}", response={200: SavedOut, **ERRORS})
def saved_get(request: HttpRequest, saved_id: int) -> SavedOut:
    _check_query(request, set())
    return _saved_out(request, selectors.saved_get_for_user(user=_reader(request), id=saved_id))


@router.delete("/me/saved/{saved_id}", response={204: None, **ERRORS})
def saved_delete(request: HttpRequest, saved_id: int) -> Status[Any]:
    _check_query(request, set())
    services.saved_delete(user=_reader(request), saved_id=saved_id)
    return Status(204, None)


# --- My Reads -----------------------------------------------------------------------------


class ReadingOut(Schema):
    id: int
    progress: int
    seconds: int
    first_read_at: datetime
    last_read_at: datetime
    article: StoryRef


class HistoryPage(Schema):
    items: list[ReadingOut]
    total: int


class HistoryQuery(Paging):
    order: Literal["recent", "oldest", "progress"] = "recent"


class ReadEventIn(Strict):
    article_id: JsonInt = Field(..., ge=1, le=2**53)
    seconds: JsonInt = Field(0, ge=0, le=86_400)
    progress: JsonInt = Field(0, ge=0, le=100)


def _reading_out(request: HttpRequest, reading: Reading) -> ReadingOut:
    return ReadingOut(
        id=reading.pk,
        progress=reading.progress,
        seconds=reading.seconds,
        first_read_at=reading.first_read_at,
        last_read_at=reading.last_read_at,
        article=_story_ref(request, reading.article),
    )


@router.get("/me/history", response={200: HistoryPage, **ERRORS})
def history_list(request: HttpRequest, query: Query[HistoryQuery]) -> HistoryPage:
    _check_query(request, {"order", "limit", "offset"})
    readings = selectors.reading_list_for_user(user=_reader(request), order=query.order)
    page = readings[query.offset : query.offset + query.limit]
    return HistoryPage(items=[_reading_out(request, r) for r in page], total=readings.count())


@router.delete("/me/history", response={204: None, **ERRORS})
def history_clear(request: HttpRequest) -> Status[Any]:
    _check_query(request, set())
    services.readings_clear(user=_reader(request))
    return Status(204, None)


@router.get("/me/history/{reading_id}", response={200: ReadingOut, **ERRORS})
def history_get(request: HttpRequest, reading_id: int) -> ReadingOut:
    _check_query(request, set())
    reading = selectors.reading_get_for_user(user=_reader(request), id=reading_id)
    return _reading_out(request, reading)


@router.delete("/me/history/{reading_id}", response={204: None, **ERRORS})
def history_delete(request: HttpRequest, reading_id: int) -> Status[Any]:
    _check_query(request, set())
    services.reading_delete(user=_reader(request), reading_id=reading_id)
    return Status(204, None)


@decorate_view(json_body)
@router.post("/me/read-events", response={204: None, **ERRORS})
def read_event(request: HttpRequest, event: ReadEventIn) -> Status[Any]:
    """Record that a story was read (sent by the article page after real reading)."""
    _check_query(request, set())
    services.read_event_record(
        user=_reader(request),
        article_id=event.article_id,
        seconds=event.seconds,
        progress=event.progress,
        session_key=request.session.session_key or "",
    )
    return Status(204, None)


# --- feedback -----------------------------------------------------------------------------


class FeedbackIn(Strict):
    article_id: JsonInt = Field(..., ge=1, le=2**53)
    kind: Literal["more", "less", "hide_topic", "hide_source"]


class FeedbackOut(Schema):
    id: int
    kind: str
    article_id: int | None
    topic: str | None
    source: str | None
    created_at: datetime


def _feedback_out(feedback: Feedback) -> FeedbackOut:
    return FeedbackOut(
        id=feedback.pk,
        kind=feedback.kind,
        article_id=feedback.article_id,
        topic=feedback.topic.name if feedback.topic else None,
        source=feedback.source.name if feedback.source else None,
        created_at=feedback.created_at,
    )


@decorate_view(json_body)
@router.post("/me/feedback", response={201: FeedbackOut, **ERRORS})
def feedback_add(request: HttpRequest, feedback: FeedbackIn) -> Status[Any]:
    _check_query(request, set())
    added = services.feedback_add(
        user=_reader(request), kind=feedback.kind, article_id=feedback.article_id
    )
    return Status(201, _feedback_out(added))


# --- API tokens ---------------------------------------------------------------------------


class TokenIn(Strict):
    name: str = Field(..., min_length=1, max_length=80, pattern=r"\S")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    key: str = Field(..., description="Shown once; only its SHA-256 is kept.")


@router.get("/me/tokens", response={200: list[TokenOut], **ERRORS})
def tokens_list(request: HttpRequest) -> list[TokenOut]:
    _check_query(request, set())
    return [TokenOut.from_orm(t) for t in selectors.api_token_list_for_user(user=_reader(request))]


@decorate_view(json_body)
@router.post("/me/tokens", response={201: TokenCreated, **ERRORS})
def tokens_create(request: HttpRequest, token: TokenIn) -> Status[Any]:
    _check_query(request, set())
    created, key = services.api_token_create(user=_reader(request), name=token.name)
    return Status(
        201,
        TokenCreated(
            id=created.pk,
            name=created.name,
            prefix=created.prefix,
            created_at=created.created_at,
            last_used_at=None,
            key=key,
        ),
    )


@router.get("/me/tokens/{token_id}", response={200: TokenOut, **ERRORS})
def tokens_get(request: HttpRequest, token_id: int) -> TokenOut:
    _check_query(request, set())
    return TokenOut.from_orm(selectors.api_token_get_for_user(user=_reader(request), id=token_id))


@router.delete("/me/tokens/{token_id}", response={204: None, 409: Detail, **ERRORS})
def tokens_revoke(request: HttpRequest, token_id: int) -> Status[Any]:
    _check_query(request, set())
    if token_id == getattr(request, "api_token_id", None):
        return Status(
            409, Detail(detail="This request is signed with that token; revoke it with another.")
        )
    services.api_token_revoke(user=_reader(request), token_id=token_id)
    return Status(204, None)
