"""Saved stories: the save button (HTMX, "Story Saved" toast with undo) and the Saved page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidings.common.errors import NotFound
from tidings.readers import selectors, services
from tidings.web.views.account import safe_next
from tidings.web.views.following import unlock_response

SIGN_IN = "/account/sign-in/"


@require_POST
def save_toggle(request: HttpRequest, article_id: int) -> HttpResponse:
    """action=save (default), unsave or toggle."""
    if not request.user.is_authenticated:
        return unlock_response(request, "Saved Articles")
    action = request.POST.get("action", "save")
    if action not in {"save", "unsave"}:
        return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    try:
        if action == "save":
            services.saved_add(user=request.user, article_id=article_id)
        else:
            services.saved_remove(user=request.user, article_id=article_id)
    except NotFound:
        raise Http404("No such story.") from None
    if request.headers.get("HX-Request") != "true":
        return redirect(safe_next(request, "/account/saved/"))
    return render(
        request,
        "web/partials/_save_response.html",
        {"article_id": article_id, "saved": action == "save"},
    )


@login_required(login_url=SIGN_IN)
def saved_page(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:200]
    saved = selectors.saved_list_for_user(user=request.user, search=search)
    page = Paginator(saved, 20).get_page(request.GET.get("page"))
    return render(request, "web/account/saved.html", {"page": page, "q": search, "area": "saved"})
