"""Follow and unfollow (HTMX, no reload), the Following page, onboarding, card feedback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tidings.common.errors import InvalidInput, NotFound
from tidings.readers import cookies, selectors, services
from tidings.readers.models import Feedback
from tidings.web.views.account import safe_next

SIGN_IN = "/account/sign-in/"
FEEDBACK_TOASTS = {
    "more": "Thanks. We will show you more stories like this.",
    "less": "Thanks. We will show you fewer stories like this.",
    "hide_topic": "Hidden. Stories on this topic will not appear in your listings.",
    "hide_source": "Hidden. Stories from this source will not appear in your listings.",
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def unlock_response(request: HttpRequest, unlock: str) -> HttpResponse:
    """The "Create free account and unlock …" prompt: a toast over the page for HTMX, else a
    page of its own."""
    if not _is_htmx(request):
        return render(request, "web/account/unlock.html", {"unlock": unlock})
    response = render(request, "web/partials/_unlock_prompt.html", {"unlock": unlock})
    response["HX-Reswap"] = "none"
    return response


def _target(kind: str, target_id: int) -> object:
    model = services.FOLLOW_TARGETS.get(kind)
    target = model.objects.filter(pk=target_id).first() if model else None
    if target is None:
        raise Http404("Nothing to follow here.")
    return target


@require_POST
def follow_toggle(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """Follow or unfollow; an anonymous reader's follows go to a signed cookie and a prompt
    offers a free account to keep them on every device."""
    target = _target(kind, target_id)
    anonymous = not request.user.is_authenticated
    if anonymous:
        entries = cookies.anonymous_follows(request)
        following = (kind, target_id) not in entries
        entries = [e for e in entries if e != (kind, target_id)] + (
            [(kind, target_id)] if following else []
        )
    else:
        following = (kind, target_id) not in selectors.follow_keys_for_user(user=request.user)
        if following:
            services.follow_add(user=request.user, kind=kind, target_id=target_id)
        else:
            services.follow_remove(user=request.user, kind=kind, target_id=target_id)
    if _is_htmx(request):
        response = render(
            request,
            "web/partials/_follow_response.html",
            {
                "kind": kind,
                "target": target,
                "named": request.POST.get("named") == "1",
                "label": str(target),
                "following": following,
                "prompt": anonymous and following,
            },
        )
    else:
        response = redirect(safe_next(request, "/account/following/"))
    if anonymous:
        cookies.anonymous_follows_store(response, entries)
    return response


@login_required(login_url=SIGN_IN)
@require_POST
def follow_delete(request: HttpRequest, follow_id: int) -> HttpResponse:
    try:
        services.follow_delete(user=request.user, follow_id=follow_id)
    except NotFound:
        raise Http404("No such follow.") from None
    if _is_htmx(request):
        return HttpResponse("")
    return redirect("web:following")


@login_required(login_url=SIGN_IN)
def following(request: HttpRequest) -> HttpResponse:
    follows = list(selectors.follow_list_for_user(user=request.user))
    groups = [
        (label, [f for f in follows if f.kind == kind])
        for kind, label in (
            ("topic", "Topics"),
            ("section", "Sections"),
            ("source", "Sources"),
            ("author", "Authors"),
        )
    ]
    return render(
        request,
        "web/account/following.html",
        {
            "area": "following",
            "groups": groups,
            "has_follows": bool(follows),
            "feedback": selectors.feedback_list_for_user(user=request.user)[:50],
            "trending": selectors.topic_list_trending(limit=12),
        },
    )


@login_required(login_url=SIGN_IN)
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        for raw in request.POST.getlist("topic")[:50]:
            if raw.isdigit():
                try:
                    services.follow_add(user=request.user, kind="topic", target_id=int(raw))
                except NotFound:
                    continue
        services.onboarding_done(user=request.user)
        messages.success(request, "Your topics are set. Follow more from any story.")
        return redirect("web:front")
    return render(
        request,
        "web/account/onboarding.html",
        {"trending": selectors.topic_list_trending(limit=16)},
    )


@require_POST
def feedback(request: HttpRequest, article_id: int, kind: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return unlock_response(request, "stories picked for you")
    try:
        services.feedback_add(user=request.user, kind=kind, article_id=article_id)
    except NotFound:
        raise Http404("No such story.") from None
    except InvalidInput as error:
        return render(request, "web/partials/_toast.html", {"message": str(error)})
    if not _is_htmx(request):
        return redirect(safe_next(request, "/"))
    hides = kind in (Feedback.Kind.HIDE_TOPIC, Feedback.Kind.HIDE_SOURCE)
    return render(
        request,
        "web/partials/_feedback_response.html",
        {"message": FEEDBACK_TOASTS[kind], "remove_card": hides},
    )


@login_required(login_url=SIGN_IN)
@require_POST
def feedback_delete(request: HttpRequest, feedback_id: int) -> HttpResponse:
    try:
        services.feedback_delete(user=request.user, feedback_id=feedback_id)
    except NotFound:
        raise Http404("No such feedback.") from None
    return HttpResponse("") if _is_htmx(request) else redirect("web:following")
