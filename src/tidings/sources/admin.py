"""Sources on the editor desk: what we ingest, how often, and whether it is working."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.text import Truncator

from tidings.common.errors import InvalidInput
from tidings.sources.models import Source
from tidings.sources.services import source_add, source_save
from tidings.sources.starter import STARTER_SOURCES

HEALTH_FIELDS = (
    "last_polled_at",
    "last_success_at",
    "error_count",
    "parse_error_count",
    "last_error",
    "etag",
    "last_modified",
    "created_at",
)


class HealthFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("ok", "Working"), ("failing", "Failing"), ("never", "Never polled")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Source]) -> QuerySet[Source]:
        if self.value() == "ok":
            return queryset.filter(error_count=0, last_polled_at__isnull=False)
        if self.value() == "failing":
            return queryset.filter(error_count__gt=0)
        if self.value() == "never":
            return queryset.filter(last_polled_at__isnull=True)
        return queryset


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = [
            "name",
            "slug",
            "kind",
            "url",
            "homepage",
            "is_agency",
            "language",
            "is_active",
            "poll_interval",
            "next_poll_at",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, url = data.get("kind"), data.get("url") or ""
        if (url or kind != Source.Kind.DESK) and not url.lower().startswith(
            ("http://", "https://")
        ):
            self.add_error("url", "Give the http:// or https:// address to fetch.")
        return data


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = [
        "name",
        "kind",
        "is_active",
        "healthy",
        "last_polled_at",
        "last_success_at",
        "error_count",
        "short_error",
        "next_poll_at",
    ]
    list_filter = ["kind", "is_active", HealthFilter, "is_agency"]
    search_fields = ["name", "slug", "url", "homepage"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = HEALTH_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "url", "homepage", "is_agency", "language"]}),
        ("Polling", {"fields": ["is_active", "poll_interval", "next_poll_at"]}),
        (
            "Health (filled in by the poller)",
            {"classes": ["collapse"], "fields": HEALTH_FIELDS},
        ),
    ]

    @admin.display(description="Healthy", boolean=True)
    def healthy(self, obj: Source) -> bool | None:
        return None if obj.last_polled_at is None else obj.is_healthy

    @admin.display(description="Last error")
    def short_error(self, obj: Source) -> str:
        return Truncator(obj.last_error).chars(80) if obj.last_error else "—"

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        source_save(source=obj)

    def get_urls(self) -> list[URLPattern]:
        starter = path(
            "starter/",
            self.admin_site.admin_view(self.starter_view),
            name="sources_source_starter",
        )
        return [starter, *super().get_urls()]

    def starter_view(self, request: HttpRequest) -> HttpResponse:
        """Pick some of the major world news feeds to start with; nothing is added unasked."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            self._add_starters(request, request.POST.getlist("starter"))
            return redirect("admin:sources_source_changelist")
        known = set(Source.objects.filter(kind=Source.Kind.FEED).values_list("url", flat=True))
        rows = [
            {"index": index, "added": starter["url"] in known, **starter}
            for index, starter in enumerate(STARTER_SOURCES)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Add starter sources",
            "opts": self.model._meta,
            "starters": rows,
        }
        return TemplateResponse(request, "admin/sources/source/starter.html", context)

    def _add_starters(self, request: HttpRequest, chosen: list[str]) -> None:
        added = 0
        for index in {int(value) for value in chosen if value.isdigit()}:
            if index >= len(STARTER_SOURCES):
                continue
            starter = STARTER_SOURCES[index]
            try:
                _, created = source_add(
                    name=starter["name"],
                    url=starter["url"],
                    kind=Source.Kind.FEED,
                    section_name=starter.get("section", ""),
                )
            except InvalidInput as error:
                self.message_user(request, f"{starter['name']}: {error}", messages.ERROR)
                continue
            added += int(created)
        if added:
            self.message_user(request, f"Added {added} source(s).")
        else:
            self.message_user(request, "No new sources were added.", messages.WARNING)
