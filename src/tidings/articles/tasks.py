"""Newsroom jobs. Thin: each calls one service and is safe to run twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.articles.services import article_publish_due


@db_periodic_task(crontab(minute="*"))
def article_publish_due_task() -> int:
    return article_publish_due()
