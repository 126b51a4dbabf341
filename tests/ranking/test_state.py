"""The incremental ranking state: decay, transitions, bounds, trending and persistence."""

from __future__ import annotations

import math

import pytest

from tidings.ranking.events import Click
from tidings.ranking.recommend import recommend
from tidings.ranking.state import RankingState, StateConfig

HOUR = 3600.0
T0 = 1_700_000_000.0


def click(session: str, article: str, at: float, reader: str = "r1") -> Click:
    return Click(reader_id=reader, session_id=session, article_id=article, at=at)


def test_popularity_halves_after_each_half_life() -> None:
    """A click counts 1 at once, 1/2 one half-life later, 1/4 two half-lives later."""
    state = RankingState(config=StateConfig(popularity_half_lives=(HOUR, 4 * HOUR)))
    state.observe(click("s1", "a", T0))
    code = state.code_of("a")
    assert code is not None
    assert state.popularity_now(code=code, which=0, now=T0) == pytest.approx(1.0)
    assert state.popularity_now(code=code, which=0, now=T0 + HOUR) == pytest.approx(0.5)
    assert state.popularity_now(code=code, which=0, now=T0 + 2 * HOUR) == pytest.approx(0.25)
    assert state.popularity_now(code=code, which=1, now=T0 + 4 * HOUR) == pytest.approx(0.5)


def test_popularity_survives_weeks_of_short_half_lives() -> None:
    """Log-domain counts: a 30-minute half-life over 60 days neither overflows nor drifts."""
    state = RankingState(config=StateConfig(popularity_half_lives=(1800.0,)))
    for day in range(60):
        state.observe(click(f"s{day}", "a", T0 + day * 86400))
    code = state.code_of("a")
    assert code is not None
    now = T0 + 59 * 86400
    assert state.popularity_now(code=code, which=0, now=now) == pytest.approx(1.0)


def test_late_clicks_never_weigh_more_than_one_click_each() -> None:
    """History may hold clicks from after the predicted moment (time goes back)."""
    state = RankingState(config=StateConfig(popularity_half_lives=(1800.0,)))
    state.observe(click("s1", "a", T0 + 20 * 86400))
    state.observe(click("s2", "a", T0 + 21 * 86400))
    code = state.code_of("a")
    assert code is not None
    assert state.popularity_now(code=code, which=0, now=T0) == pytest.approx(2.0)


def test_transitions_follow_the_session_and_skip_self_links() -> None:
    state = RankingState()
    for i, article in enumerate(["a", "b", "b", "c"]):
        state.observe(click("s1", article, T0 + 30 * i))
    a, b, c = (state.code_of(x) for x in "abc")
    assert set(state.after[a]) == {b}
    assert set(state.after[b]) == {c}
    assert a in state.near[c] and c in state.near[a]  # within the session window
    assert b not in state.after[b]


def test_neighbour_lists_stay_bounded_and_keep_the_strongest() -> None:
    state = RankingState(config=StateConfig(neighbour_cap=3))
    for n in range(5):  # "hot" follows "a" five times, then twenty one-off articles
        state.observe(click(f"hot{n}", "a", T0 + n))
        state.observe(click(f"hot{n}", "hot", T0 + n + 1))
    for n in range(20):
        state.observe(click(f"s{n}", "a", T0 + 100 + n))
        state.observe(click(f"s{n}", f"x{n}", T0 + 100 + n + 1))
    follows = state.after[state.code_of("a")]
    assert len(follows) <= 2 * 3
    assert state.code_of("hot") in follows


def test_idle_sessions_are_forgotten_but_readers_are_not() -> None:
    config = StateConfig(session_idle_evict=HOUR, maintenance_every=60.0)
    state = RankingState(config=config)
    state.observe(click("old", "a", T0, reader="r9"))
    state.observe(click("new", "b", T0 + 2 * HOUR, reader="r8"))
    assert state.trail_of("old") is None
    assert state.trail_of("new") is not None
    assert list(state.reader_codes("r9") or []) == [state.code_of("a")]


def test_trending_ranks_recent_bursts_above_old_volume() -> None:
    config = StateConfig(popularity_half_lives=(1800.0,), maintenance_every=60.0)
    state = RankingState(config=config)
    for n in range(10):
        state.observe(click(f"o{n}", "old", T0 + n))
    for n in range(4):
        state.observe(click(f"n{n}", "new", T0 + 6 * HOUR + n))
    state.observe(click("z", "other", T0 + 6 * HOUR + 120))  # triggers the refresh
    assert state.trending[0][0] == state.code_of("new")


def test_saved_state_recommends_exactly_like_the_live_one(tmp_path) -> None:
    state = RankingState()
    for n in range(30):
        state.observe(click(f"s{n}", "a", T0 + 60 * n, reader=f"r{n}"))
        state.observe(click(f"s{n}", "b" if n % 3 else "c", T0 + 60 * n + 30, reader=f"r{n}"))
    state.observe(click("live", "a", T0 + 4000))
    state.save(tmp_path / "state.pickle")
    loaded = RankingState.load(tmp_path / "state.pickle")
    kwargs = {"reader": "r1", "session": "live", "k": 5, "now": T0 + 4010}
    assert recommend(state=loaded, **kwargs) == recommend(state=state, **kwargs)
    assert [item.article_id for item in recommend(state=loaded, **kwargs)][:2] == ["b", "c"]


def test_state_file_of_another_kind_is_refused(tmp_path) -> None:
    import pickle

    path = tmp_path / "bogus.pickle"
    path.write_bytes(pickle.dumps((99, {"not": "a state"})))
    with pytest.raises(ValueError, match="not a ranking state"):
        RankingState.load(path)


def test_decay_reference_moves_without_changing_values() -> None:
    """Transition weights are rescaled when the reference moves; their value now is kept."""
    config = StateConfig(recent_transition_half_life=60.0, maintenance_every=60.0)
    state = RankingState(config=config)
    state.observe(click("s", "a", T0))
    state.observe(click("s", "b", T0 + 1))
    a, b = state.code_of("a"), state.code_of("b")
    before = state.after[a][b] * state.transition_scale(now=T0 + 1)
    state.observe(click("t", "c", T0 + 300 * 60))  # 300 recent half-lives later: a rebase
    after = state.after[a][b] * state.transition_scale(now=T0 + 1)
    assert math.isclose(before, after, rel_tol=1e-9)


def test_a_reader_keeps_only_the_last_reads_without_repeats() -> None:
    state = RankingState(config=StateConfig(reader_memory=3))
    for i, article in enumerate(["a", "a", "b", "c", "d"]):
        state.observe(click(f"s{i}", article, T0 + i))
    codes = state.reader_codes("r1") or []
    assert [state.article_ids[code] for code in codes] == ["b", "c", "d"]
