"""Replay benchmark on the Globo.com click log: our ranker against two simple baselines.

    .venv/bin/python -m bench.replay_globo [--history-hours 0-263] [--test-hours 264-332]

All three see the same split in the same run: history clicks observed in time order, then
every test click except the first of its session predicted before it is observed. Reports
HR@10, MRR@10, events per second, wall time and peak memory (ru_maxrss of this process).
"""

from __future__ import annotations

import argparse
import heapq
import json
import resource
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path

from tidings.ranking.events import Click, ClickLog, Id, read_globo
from tidings.ranking.replay import replay_score, run_replay

DATA = Path(__file__).resolve().parent.parent.parent / "shared/data/interactions/globo-clicks"


class RecentlyPopular:
    """The k most clicked articles of the last hour (the list refreshed every minute)."""

    def __init__(self, *, window: float = 3600.0) -> None:
        self.window = window
        self.recent: deque[tuple[float, Id]] = deque()
        self.counts: dict[Id, int] = {}
        self.top: list[Id] = []
        self.refreshed = -1e18

    def observe(self, click: Click) -> None:
        if self.recent and click.at < self.recent[-1][0] - self.window:
            self.recent.clear()  # time went back (history → test): start the window afresh
            self.counts.clear()
        self.recent.append((click.at, click.article_id))
        self.counts[click.article_id] = self.counts.get(click.article_id, 0) + 1
        while self.recent[0][0] < click.at - self.window:
            _, old = self.recent.popleft()
            self.counts[old] -= 1
            if not self.counts[old]:
                del self.counts[old]
        if abs(click.at - self.refreshed) >= 60:
            self.top = [a for a, _ in heapq.nlargest(30, self.counts.items(), key=itemgetter(1))]
            self.refreshed = click.at

    def recommend(self, *, last: Id | None, k: int) -> list[Id]:
        return [a for a in self.top if a != last][:k]


class LastClickTransitions:
    """The articles most often opened right after the last click; popular ones fill up."""

    def __init__(self) -> None:
        self.after: dict[Id, dict[Id, int]] = {}
        self.last_of: dict[Id, Id] = {}
        self.popular = RecentlyPopular()

    def observe(self, click: Click) -> None:
        previous = self.last_of.get(click.session_id)
        if previous is not None and previous != click.article_id:
            follows = self.after.setdefault(previous, {})
            follows[click.article_id] = follows.get(click.article_id, 0) + 1
        self.last_of[click.session_id] = click.article_id
        self.popular.observe(click)

    def recommend(self, *, last: Id | None, k: int) -> list[Id]:
        follows = self.after.get(last, {}) if last is not None else {}
        ranked = [a for a, _ in heapq.nlargest(k, follows.items(), key=itemgetter(1))]
        for article in self.popular.recommend(last=last, k=2 * k):
            if len(ranked) >= k:
                break
            if article not in ranked:
                ranked.append(article)
        return ranked


def baseline_replay(*, model, history: Sequence[Click], test: Sequence[Click], k: int, out: Path):  # type: ignore[no-untyped-def]
    """The same contract as run_replay, for a baseline with observe/recommend."""
    positions: dict[Id, int] = {}
    last_of: dict[Id, Id] = {}
    for click in history:
        positions[click.session_id] = positions.get(click.session_id, 0) + 1
        last_of[click.session_id] = click.article_id
        model.observe(click)
    with out.open("w", encoding="utf-8") as stream:
        for click in test:
            position = positions.get(click.session_id, 0) + 1
            positions[click.session_id] = position
            if position > 1:
                ranked = model.recommend(last=last_of.get(click.session_id), k=k)
                row = {"session_id": click.session_id, "position": position, "recommended": ranked}
                stream.write(json.dumps(row) + "\n")
            last_of[click.session_id] = click.article_id
            model.observe(click)


READ_TIMES = {"wall": 0.0, "cpu": 0.0}


def timed_read(paths: list[Path]) -> ClickLog:
    started, cpu_started = time.perf_counter(), time.process_time()
    log = read_globo(paths=paths)
    READ_TIMES["wall"] += time.perf_counter() - started
    READ_TIMES["cpu"] += time.process_time() - cpu_started
    return log


def hours(spec: str) -> list[Path]:
    first, _, last = spec.partition("-")
    folder = DATA / "clicks"
    return [
        folder / f"clicks_hour_{h:03d}.csv.gz" for h in range(int(first), int(last or first) + 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history-hours", default="0-263")
    parser.add_argument("--test-hours", default="264-332")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--skip-ranker", action="store_true")
    options = parser.parse_args()
    history = timed_read(hours(options.history_hours))
    test = timed_read(hours(options.test_hours))
    seconds = READ_TIMES["wall"]
    print(f"read {len(history):,} history + {len(test):,} test clicks in {seconds:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        if not options.skip_ranker:
            ranker_replay(history=history, test=test, k=options.k, folder=Path(folder))
        if options.skip_baselines:
            return
        for name, model in (
            ("recently popular", RecentlyPopular()),
            ("last-click transitions", LastClickTransitions()),
        ):
            out = Path(folder) / "baseline.jsonl"
            baseline_replay(model=model, history=history, test=test, k=options.k, out=out)
            report(name, replay_score(predictions=out, test=test, k=options.k))


def ranker_replay(*, history: ClickLog, test: ClickLog, k: int, folder: Path) -> None:
    """Our ranker, timed: wall and CPU seconds (the cores are shared), reading included."""
    out = folder / "ours.jsonl"
    started, cpu_started = time.perf_counter(), time.process_time()
    counts = run_replay(history=history, test=test, k=k, out=out)
    seconds = time.perf_counter() - started + READ_TIMES["wall"]
    cpu = time.process_time() - cpu_started + READ_TIMES["cpu"]
    events = len(history) + len(test)
    report("tidings ranker", replay_score(predictions=out, test=test, k=k))
    print(f"  {counts}")
    print(f"  wall {seconds:.0f} s, CPU {cpu:.0f} s (reading included)")
    print(f"  {events / seconds:,.0f} events/s wall, {events / cpu:,.0f} events/s CPU")
    print(f"  peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def report(name: str, score) -> None:  # type: ignore[no-untyped-def]
    print(
        f"{name:24s} HR@10 {score.hit_rate:.4f}  MRR@10 {score.mrr:.4f}  "
        f"predictions {score.expected:,} (missing {score.missing})",
        flush=True,
    )


if __name__ == "__main__":
    main()
