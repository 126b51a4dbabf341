"""``tidings enrich [--all] [--retrain]``: enrich stored articles now, synchronously."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser, OutputWrapper

from tidings.articles.enrich import EnrichReport, article_ids_pending, articles_enrich
from tidings.articles.models import Article
from tidings.articles.stories import stories_assign_pending
from tidings.articles.training import models_retrain, vectoriser_refit
from tidings.search import state
from tidings.search.models import EnrichmentModel

AUTO_VECTORISER_MIN = 1_000  # below this an LSA space is noise; related uses the pool's TF-IDF


class ProgressBar:
    """A one-line bar on stderr: [#####.....] 512/1,024 articles  38/s."""

    def __init__(self, *, total: int, out: OutputWrapper, width: int = 30) -> None:
        self.total, self.out, self.width = total, out, width
        self.done = 0
        self.started = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        filled = int(self.width * self.done / self.total) if self.total else self.width
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * filled + "." * (self.width - filled)
        self.out.write(f"\r[{bar}] {self.done:,}/{self.total:,} articles  {rate:,.0f}/s", ending="")
        self.out.flush()

    def finish(self) -> None:
        self.out.write("")
        self.out.flush()


class Command(BaseCommand):
    help = (
        "Enrich articles now: language, reading time, standfirst, topics, near-duplicate "
        "fingerprints, vectors and story clusters. By default only articles not enriched yet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="re-enrich every article")
        parser.add_argument(
            "--retrain",
            action="store_true",
            help="retrain the tagger from source and editor tags, refit the vectoriser, "
            "then re-enrich every article",
        )

    def handle(self, *args: Any, all: bool, retrain: bool, **options: Any) -> None:
        started = time.monotonic()
        if retrain:
            trained = models_retrain()
            self.stdout.write(
                f"Tagger v{trained.tagger_version}: {trained.topics} topics learned from "
                f"{trained.stories:,} tagged stories ({trained.negatives:,} with no topic). "
                f"Vectoriser v{trained.vectoriser_version}."
            )
        elif self._needs_vectoriser():
            vectoriser_refit()
        ids = (
            list(Article.objects.values_list("pk", flat=True))
            if all or retrain
            else article_ids_pending()
        )
        self.stderr.style_func = None  # a progress bar, not an error: no red
        bar = ProgressBar(total=len(ids), out=self.stderr)
        report = articles_enrich(article_ids=ids, progress=bar.advance) if ids else EnrichReport()
        bar.finish()
        waiting = stories_assign_pending()  # enriched by a job whose story job has not run yet
        report.stories_created += waiting[0]
        report.stories_merged += waiting[1]
        self.stdout.write(self._summary(report, time.monotonic() - started))

    def _needs_vectoriser(self) -> bool:
        fitted = state.model_load(
            name=EnrichmentModel.Name.VECTORISER, decode=state.decode_vectoriser
        )
        return fitted is None and Article.objects.count() >= AUTO_VECTORISER_MIN

    def _summary(self, report: EnrichReport, seconds: float) -> str:
        if not report.articles:
            return "Nothing to enrich: every article is up to date."
        proposed = f" Proposed to editors: {', '.join(report.proposed[:10])}." * bool(
            report.proposed
        )
        return (
            f"Enriched {report.articles:,} articles in {seconds:.1f} s: "
            f"{report.topics_linked:,} topic links ({report.topics_created:,} new topics), "
            f"{report.stories_created:,} new stories, {report.stories_merged:,} merged.{proposed}"
        )
