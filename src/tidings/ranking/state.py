"""The live ranking state: counters that every click updates in (amortised) constant time.

Decayed counts use a fixed reference time: a click at time t adds exp((t - ref) / tau), so
counts of different ages compare directly and nothing has to be decayed on every click; the
true value now is the stored value times exp(-(now - ref) / tau). Popularity is kept as the
logarithm of that sum (short half-lives would overflow a float within weeks otherwise), and
its value now never exceeds the article's click count: a replay's history may hold late
clicks from after the moment being predicted, and they must not weigh more than one click.
Transition weights use a day-scale half-life and move their reference only when large.

Memory stays bounded: neighbour lists keep the strongest `neighbour_cap` entries, sessions
idle for `session_idle_evict` seconds are forgotten, readers keep their last few reads.
"""

from __future__ import annotations

import math
import pickle
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path

from tidings.ranking.events import Click, Id

STATE_FILE_VERSION = 1
MAX_EXPONENT = 200.0  # exp(200) ~ 1e87: far from overflow, and rescaling stays rare


@dataclass(frozen=True, slots=True)
class StateConfig:
    """Knobs of the counters. Half-lives are in seconds."""

    popularity_half_lives: tuple[float, ...] = (1800.0, 4 * 3600.0, 24 * 3600.0)
    transition_half_life: float = 24 * 3600.0
    recent_transition_half_life: float = 3 * 3600.0
    session_window: int = 3
    neighbour_cap: int = 60
    trending_size: int = 20
    fresh_size: int = 10
    maintenance_every: float = 300.0
    session_idle_evict: float = 6 * 3600.0
    reader_memory: int = 20
    session_memory: int = 10


@dataclass(slots=True)
class SessionTrail:
    """The recent clicks of one session (article codes, oldest first)."""

    reader_id: Id
    codes: list[int]
    clicks: int
    last_at: float


@dataclass
class RankingState:
    """Everything the ranker knows, updated click by click by `observe`."""

    config: StateConfig = field(default_factory=StateConfig)
    article_ids: list[Id] = field(default_factory=list)
    codes: dict[Id, int] = field(default_factory=dict)
    first_seen: list[float] = field(default_factory=list)
    last_seen: list[float] = field(default_factory=list)
    popularity: list[list[float]] = field(default_factory=list)
    clicks: list[int] = field(default_factory=list)
    popularity_ref: float | None = None
    after: list[dict[int, float]] = field(default_factory=list)
    near: list[dict[int, float]] = field(default_factory=list)
    after_total: list[float] = field(default_factory=list)
    after_recent: list[dict[int, float]] = field(default_factory=list)
    after_recent_total: list[float] = field(default_factory=list)
    transition_ref: float = 0.0
    sessions: OrderedDict[Id, SessionTrail] = field(default_factory=OrderedDict)
    readers: dict[Id, list[int]] = field(default_factory=dict)
    trending: list[list[int]] = field(default_factory=list)
    fresh: deque[int] = field(default_factory=deque)
    touched: set[int] = field(default_factory=set)
    clock: float = 0.0
    next_maintenance: float = 0.0
    clicks_seen: int = 0

    def __post_init__(self) -> None:
        n = len(self.config.popularity_half_lives)
        if not self.popularity:
            self.popularity = [[] for _ in range(n)]
            self.trending = [[] for _ in range(n)]
        self.fresh = deque(self.fresh, maxlen=self.config.fresh_size)
        self._popularity_rates = [
            math.log(2) / half_life for half_life in self.config.popularity_half_lives
        ]
        self._transition_rate = math.log(2) / self.config.transition_half_life
        self._recent_rate = math.log(2) / self.config.recent_transition_half_life

    # -- reading -----------------------------------------------------------------------

    def code_of(self, article_id: Id) -> int | None:
        return self.codes.get(article_id)

    def popularity_now(self, *, code: int, which: int, now: float) -> float:
        """The decayed click count of an article for one half-life, as of `now`."""
        log_count = self.popularity[which][code] - self.popularity_decay(which=which, now=now)
        return min(math.exp(min(log_count, 700.0)), self.clicks[code])

    def popularity_decay(self, *, which: int, now: float) -> float:
        """What to subtract from a stored log-count to get its log value at `now`."""
        return (now - (self.popularity_ref or now)) * self._popularity_rates[which]

    def transition_scale(self, *, now: float) -> float:
        return math.exp(-(now - self.transition_ref) * self._transition_rate)

    def recent_transition_scale(self, *, now: float) -> float:
        return math.exp(-(now - self.transition_ref) * self._recent_rate)

    def trail_of(self, session_id: Id) -> SessionTrail | None:
        return self.sessions.get(session_id)

    def reader_codes(self, reader_id: Id) -> list[int] | None:
        return self.readers.get(reader_id)

    # -- observing ---------------------------------------------------------------------

    def observe(self, click: Click) -> None:
        """Fold one click into every counter."""
        at = click.at
        every = self.config.maintenance_every
        if at >= self.next_maintenance or at < self.next_maintenance - 2 * every:
            self.maintain(now=at)
        self.clock = max(self.clock, at)
        self.clicks_seen += 1
        code = self._code_for(click.article_id, at)
        self.last_seen[code] = max(self.last_seen[code], at)
        self.touched.add(code)
        self.clicks[code] += 1
        if self.popularity_ref is None:
            self.popularity_ref = at
        for which, rate in enumerate(self._popularity_rates):
            counts = self.popularity[which]
            counts[code] = _log_add(counts[code], (at - self.popularity_ref) * rate)
        trail = self._trail_for(click, at)
        self._link(trail.codes, code, at)
        trail.codes.append(code)
        if len(trail.codes) > self.config.session_memory:
            del trail.codes[0]
        trail.clicks += 1
        self._remember_reader(click.reader_id, code)

    def _code_for(self, article_id: Id, at: float) -> int:
        code = self.codes.get(article_id)
        if code is not None:
            return code
        code = len(self.article_ids)
        self.codes[article_id] = code
        self.article_ids.append(article_id)
        self.first_seen.append(at)
        self.last_seen.append(at)
        self.clicks.append(0)
        for counts in self.popularity:
            counts.append(-math.inf)
        self.after.append({})
        self.near.append({})
        self.after_total.append(0.0)
        self.after_recent.append({})
        self.after_recent_total.append(0.0)
        self.fresh.append(code)
        return code

    def _trail_for(self, click: Click, at: float) -> SessionTrail:
        trail = self.sessions.get(click.session_id)
        if trail is None:
            trail = SessionTrail(reader_id=click.reader_id, codes=[], clicks=0, last_at=at)
            self.sessions[click.session_id] = trail
        else:
            self.sessions.move_to_end(click.session_id)
        trail.last_at = max(trail.last_at, at)
        return trail

    def _link(self, earlier: list[int], code: int, at: float) -> None:
        """Credit the transition from the last click and the co-visits with the few before."""
        if not earlier:
            return
        weight = math.exp((at - self.transition_ref) * self._transition_rate)
        previous = earlier[-1]
        if previous != code:
            follows = self.after[previous]
            follows[code] = follows.get(code, 0.0) + weight
            self.after_total[previous] += weight
            if len(follows) > 2 * self.config.neighbour_cap:
                self._prune(follows)
            recent = math.exp((at - self.transition_ref) * self._recent_rate)
            follows = self.after_recent[previous]
            follows[code] = follows.get(code, 0.0) + recent
            self.after_recent_total[previous] += recent
            if len(follows) > 2 * self.config.neighbour_cap:
                self._prune(follows)
        for distance, other in enumerate(reversed(earlier[-self.config.session_window :])):
            if other == code:
                continue
            credit = weight / (1 + distance)
            for a, b in ((other, code), (code, other)):
                neighbours = self.near[a]
                neighbours[b] = neighbours.get(b, 0.0) + credit
                if len(neighbours) > 2 * self.config.neighbour_cap:
                    self._prune(neighbours)

    def _prune(self, neighbours: dict[int, float]) -> None:
        keep = sorted(neighbours.items(), key=lambda item: item[1], reverse=True)
        neighbours.clear()
        neighbours.update(keep[: self.config.neighbour_cap])

    def _remember_reader(self, reader_id: Id, code: int) -> None:
        # Plain lists: a bounded deque costs ~600 bytes even when nearly empty.
        history = self.readers.get(reader_id)
        if history is None:
            self.readers[reader_id] = [code]
        elif history[-1] != code:
            history.append(code)
            if len(history) > self.config.reader_memory:
                del history[0]

    # -- upkeep ------------------------------------------------------------------------

    def maintain(self, *, now: float) -> None:
        """Refresh the trending lists, forget idle sessions, move decay references."""
        self._refresh_trending(now=now)
        self._evict_sessions(now=now)
        self._rebase(now=now)
        self.next_maintenance = now + self.config.maintenance_every

    def _refresh_trending(self, *, now: float) -> None:
        # Untouched articles all decayed by the same factor, so their order is unchanged:
        # the new top list is the top of (old top list + articles clicked since).
        for which, counts in enumerate(self.popularity):
            decay = self.popularity_decay(which=which, now=now)
            pool = self.touched.union(self.trending[which])
            top = sorted(
                pool,
                key=lambda code: min(counts[code] - decay, math.log(self.clicks[code])),
                reverse=True,
            )
            self.trending[which] = top[: self.config.trending_size]
        self.touched = set()

    def _evict_sessions(self, *, now: float) -> None:
        horizon = now - self.config.session_idle_evict
        sessions = self.sessions
        while sessions:
            session_id, trail = next(iter(sessions.items()))
            if trail.last_at >= horizon:
                break
            del sessions[session_id]

    def _rebase(self, *, now: float) -> None:
        exponent = (now - self.transition_ref) * self._recent_rate
        if exponent > MAX_EXPONENT or self.clicks_seen == 0:
            self._rescale_transitions(now - self.transition_ref)
            self.transition_ref = now

    def _rescale_transitions(self, elapsed: float) -> None:
        factor = math.exp(-elapsed * self._transition_rate)
        for table in (self.after, self.near):
            for neighbours in table:
                for other in neighbours:
                    neighbours[other] *= factor
        self.after_total = [total * factor for total in self.after_total]
        factor = math.exp(-elapsed * self._recent_rate)
        for neighbours in self.after_recent:
            for other in neighbours:
                neighbours[other] *= factor
        self.after_recent_total = [total * factor for total in self.after_recent_total]

    # -- persistence -------------------------------------------------------------------

    def save(self, path: Path) -> None:
        with Path(path).open("wb") as stream:
            pickle.dump((STATE_FILE_VERSION, self), stream, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> RankingState:
        """Load a state file this code wrote (pickle: only ever open our own files)."""
        with Path(path).open("rb") as stream:
            version, state = pickle.load(stream)  # noqa: S301 - our own state file
        if version != STATE_FILE_VERSION or not isinstance(state, cls):
            raise ValueError(f"{path} is not a ranking state file of version {STATE_FILE_VERSION}")
        return state


def _log_add(log_total: float, log_term: float) -> float:
    """log(exp(log_total) + exp(log_term)) without overflow."""
    if log_total == -math.inf:
        return log_term
    if log_total > log_term:
        return log_total + math.log1p(math.exp(log_term - log_total))
    return log_term + math.log1p(math.exp(log_total - log_term))
