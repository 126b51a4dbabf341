"""``tidings replay``: the offline replay of a click log through the ranker (no database).

tidings replay --format globo --history H1.csv.gz ... --test T1.csv.gz ... --k 10 --out FILE
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tidings.ranking.events import FORMATS, read_clicks
from tidings.ranking.replay import replay_score, run_replay


class Command(BaseCommand):
    help = (
        "Feed --history clicks in time order, then predict every --test click but the first "
        "of its session before observing it; write one JSON line per prediction to --out."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--history", nargs="+", type=Path, default=[])
        parser.add_argument("--test", nargs="+", type=Path, required=True)
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument(
            "--score", action="store_true", help="also print HR@k and MRR@k against --test"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        history = read_clicks(format=options["format"], paths=options["history"])
        test = read_clicks(format=options["format"], paths=options["test"])
        counts = run_replay(history=history, test=test, k=options["k"], out=options["out"])
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{counts.predictions} predictions written to {options['out']} "
            f"({counts.history_clicks} history + {counts.test_clicks} test clicks, "
            f"scorer {counts.scorer}, {seconds:.0f} s)"
        )
        if options["score"]:
            score = replay_score(
                predictions=options["out"], test=test, k=options["k"], history=history
            )
            self.stdout.write(
                f"HR@{options['k']} {score.hit_rate:.4f}  MRR@{options['k']} {score.mrr:.4f}  "
                f"({score.expected} expected, {score.missing} missing)"
            )
