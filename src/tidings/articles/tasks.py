"""Newsroom jobs. Thin: each calls one service and is safe to run twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.articles.enrich import article_enrich
from tidings.articles.intake import source_poll
from tidings.articles.services import article_publish_due
from tidings.articles.stories import stories_assign_pending
from tidings.sources.selectors import source_ids_due


@db_periodic_task(crontab(minute="*"))
def article_publish_due_task() -> int:
    return article_publish_due()


@db_task(retries=0)
def source_poll_task(source_id: int) -> None:
    # The claim inside source_poll makes a duplicate or late message a no-op.
    source_poll(source_id=source_id)


@db_periodic_task(crontab(minute="*"))
def sources_poll_due_task() -> int:
    """Hand every source that is due to a worker; the database, not the queue, holds the work."""
    due = source_ids_due()
    for source_id in due:
        source_poll_task(source_id)
    return len(due)


@db_task(retries=1)
def article_enrich_task(article_id: int) -> None:
    # Idempotent: enriching twice stores the same tags, and the story stays where it is.
    article_enrich(article_id=article_id)


@db_task(retries=1)
def stories_assign_pending_task() -> None:
    # Coalesced: one job takes every article waiting for a story; the row lock serialises.
    stories_assign_pending()
