from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_save


class ArticlesConfig(AppConfig):
    name = "tidings.articles"
    label = "articles"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from tidings.articles.models import Article, Section
        from tidings.articles.selectors import section_tree_changed
        from tidings.articles.services import content_changed

        def bust(**kwargs: object) -> None:
            section_tree_changed()

        # The section tree is cached in each process's memory; any edit drops this copy.
        post_save.connect(bust, sender=Section, dispatch_uid="section-tree-save")
        post_delete.connect(bust, sender=Section, dispatch_uid="section-tree-delete")

        def story_changed(**kwargs: object) -> None:
            transaction.on_commit(content_changed)

        # Page fragments are cached by content version; any saved or deleted story bumps it.
        post_save.connect(story_changed, sender=Article, dispatch_uid="content-version-save")
        post_delete.connect(story_changed, sender=Article, dispatch_uid="content-version-delete")
