from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from tidings.common.errors import NotFound
from tidings.sources.models import Source

PARSE_ERROR_LIMIT = 3


def source_get_by_slug(*, slug: str) -> Source:
    try:
        return Source.objects.get(slug=slug)
    except Source.DoesNotExist:
        raise NotFound(f"No source {slug!r}.") from None


def source_ids_due(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Sources due for a poll (never polled, or next_poll_at passed), oldest first."""
    moment = now or timezone.now()
    polled = Source.objects.filter(is_active=True).exclude(kind=Source.Kind.DESK).exclude(url="")
    due = Q(next_poll_at__lte=moment) | Q(
        next_poll_at__isnull=True, parse_error_count__lt=PARSE_ERROR_LIMIT
    )
    return list(polled.filter(due).order_by("next_poll_at").values_list("pk", flat=True)[:limit])
