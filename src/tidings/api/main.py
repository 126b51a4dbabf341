"""The JSON API (django-ninja): OpenAPI 3 at /api/openapi.json, interactive docs at /api/docs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from tidings.api.articles import router as articles_router
from tidings.api.ranking import router as ranking_router
from tidings.api.readers import JsonOnlyParser, UnsupportedMediaType
from tidings.api.readers import router as readers_router
from tidings.common.errors import ApplicationError, InvalidInput, NotFound
from tidings.readers.accounts import Throttled

api = NinjaAPI(
    title="Tidings API",
    version="1",
    description="Stories, topics and story clusters; reader endpoints need a token or a session.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=JsonOnlyParser(),
)
api.add_router("/", articles_router)
api.add_router("/", readers_router)
api.add_router("/", ranking_router)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=404)


@api.exception_handler(InvalidInput)
def invalid_input(request: HttpRequest, error: InvalidInput) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=400)


@api.exception_handler(UnsupportedMediaType)
def unsupported_media_type(request: HttpRequest, error: UnsupportedMediaType) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=415)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=429)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=400)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": error.errors}, status=400)
