"""``tidings interactions``: import external click logs, or refresh the live ranking state.

tidings interactions import --format globo|mind|csv PATH...   (then rebuilds the state)
tidings interactions refresh [--rebuild]
tidings interactions retrain            (learn the scorer from the log, the For-you blend from
                                         the impressions; prints the blend's weights)
tidings interactions blend              (print the For-you blend's weights in use)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tidings.ranking.blend import blend_load
from tidings.ranking.events import FORMATS
from tidings.ranking.services import (
    blend_retrain,
    interactions_import,
    scorer_retrain,
    state_refresh,
)
from tidings.ranking.snapshots import blend_path


class Command(BaseCommand):
    help = "Import external interaction logs (then rebuild the ranking state), or refresh it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        bulk = actions.add_parser("import", help="append click logs to the interaction log")
        bulk.add_argument("--format", choices=FORMATS, required=True)
        bulk.add_argument("paths", nargs="+", type=Path)
        refresh = actions.add_parser("refresh", help="fold new interactions into the state")
        refresh.add_argument("--rebuild", action="store_true", help="start from an empty state")
        actions.add_parser(
            "retrain", help="learn the scorer from the interaction log, the For-you blend too"
        )
        actions.add_parser("blend", help="print the For-you blend's weights in use")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["action"] == "blend":
            self.stdout.write(blend_load(blend_path()).describe())
            return
        if options["action"] == "retrain":
            trained = scorer_retrain()
            self.stdout.write(
                f"scorer {trained.scorer}: {trained.contexts} contexts, {trained.rows} rows "
                f"({time.perf_counter() - started:.1f} s)"
            )
            blend = blend_retrain()
            outcome = "learned" if blend.learned else "kept (too few opened or ignored)"
            self.stdout.write(
                f"For-you blend {outcome}: {blend.impressions} impressions, {blend.opened} "
                f"opened, {blend.pruned} old ones pruned\n{blend.blend.describe()}"
            )
            return
        if options["action"] == "import":
            missing = [str(path) for path in options["paths"] if not path.is_file()]
            if missing:
                raise CommandError(f"no such file: {', '.join(missing)}")
            result = interactions_import(format=options["format"], paths=options["paths"])
            self.stdout.write(
                f"imported {result.rows} interactions from {result.files} file(s); "
                f"{result.skipped} already imported"
            )
            rebuild = True
        else:
            rebuild = options["rebuild"]
        refreshed = state_refresh(rebuild=rebuild)
        self.stdout.write(
            f"ranking state v{refreshed.version}: {refreshed.folded} interactions folded, "
            f"watermark {refreshed.last_interaction_id} ({time.perf_counter() - started:.1f} s)"
        )
