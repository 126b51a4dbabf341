"""Reader-site jobs. Thin: each calls one function and is safe to run twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.web.views.media_proxy import media_cache_evict

EVICT_BATCH = 500
EVICT_BATCHES_PER_RUN = 200


@db_periodic_task(crontab(minute="17"))
def media_cache_evict_task() -> int:
    """Keep the media proxy's disk cache under its size and age caps, a batch at a time."""
    deleted = 0
    for _batch in range(EVICT_BATCHES_PER_RUN):
        batch = media_cache_evict(batch_size=EVICT_BATCH)
        deleted += batch
        if batch < EVICT_BATCH:
            break
    return deleted
