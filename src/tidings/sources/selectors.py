from tidings.common.errors import NotFound
from tidings.sources.models import Source


def source_get_by_slug(*, slug: str) -> Source:
    try:
        return Source.objects.get(slug=slug)
    except Source.DoesNotExist:
        raise NotFound(f"No source {slug!r}.") from None
