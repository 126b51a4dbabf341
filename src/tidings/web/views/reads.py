"""My Reads: reading history with progress, continue reading, pause, clear one or all."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidings.common.errors import NotFound
from tidings.readers import accounts, selectors, services

SIGN_IN = "/account/sign-in/"


@login_required(login_url=SIGN_IN)
def my_reads(request: HttpRequest) -> HttpResponse:
    readings = selectors.reading_list_for_user(user=request.user)
    return render(
        request,
        "web/account/reads.html",
        {
            "page": Paginator(readings, 20).get_page(request.GET.get("page")),
            "continue_reading": selectors.reading_continue_for_user(user=request.user),
            "profile": accounts.profile_for(user=request.user),
            "area": "reads",
        },
    )


@login_required(login_url=SIGN_IN)
@require_POST
def reading_delete(request: HttpRequest, reading_id: int) -> HttpResponse:
    try:
        services.reading_delete(user=request.user, reading_id=reading_id)
    except NotFound:
        raise Http404("No such read.") from None
    return (
        HttpResponse("") if request.headers.get("HX-Request") == "true" else redirect("web:reads")
    )


@login_required(login_url=SIGN_IN)
@require_POST
def readings_clear(request: HttpRequest) -> HttpResponse:
    services.readings_clear(user=request.user)
    return redirect("web:reads")


@login_required(login_url=SIGN_IN)
@require_POST
def history_pause(request: HttpRequest) -> HttpResponse:
    paused = request.POST.get("paused") == "1"
    services.profile_update(user=request.user, changes={"history_paused": paused})
    return redirect("web:reads")
