"""The offline replay contract, on hand-written logs and on a few hours of the Globo log."""

from __future__ import annotations

import io
import json
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import shared_path
from tidings.ranking.events import Click, read_clicks, read_globo
from tidings.ranking.replay import replay_score, run_replay

T0 = 1_700_000_000

HISTORY_CSV = "user_id,session_id,article_id,timestamp\n" + "".join(
    # Readers who open "a" go on to "b" (often) or "c" (less often); "x" leads to "y".
    f"h{n},hs{n},a,{T0 + 60 * n}\nh{n},hs{n},{'b' if n % 4 else 'c'},{T0 + 60 * n + 30}\n"
    f"h{n},hx{n},x,{T0 + 60 * n + 5}\nh{n},hx{n},y,{T0 + 60 * n + 35}\n"
    for n in range(40)
)
LATER = T0 + 4000
TEST_CSV = (
    "user_id,session_id,article_id,timestamp\n"
    f"r1,t1,a,{LATER}\n"
    f"r1,t1,b,{LATER + 30}\n"
    f"r1,t1,zzz-new,{LATER + 60}\n"
    f"r2,t2,b,{LATER + 10}\n"  # a one-click session: never predicted
    # Two clicks with the same time: the file's row order decides which came first.
    f"r3,t3,q,{LATER + 20}\n"
    f"r3,t3,x,{LATER + 90}\n"
    f"r3,t3,a,{LATER + 90}\n"
)


@pytest.fixture
def logs(tmp_path: Path) -> tuple[Path, Path]:
    history, test = tmp_path / "history.csv", tmp_path / "test.csv"
    history.write_text(HISTORY_CSV)
    test.write_text(TEST_CSV)
    return history, test


def replay(history: Path, test: Path, k: int = 3) -> list[dict]:
    out = io.StringIO()
    run_replay(
        history=read_clicks(format="csv", paths=[history]),
        test=read_clicks(format="csv", paths=[test]),
        k=k,
        out=out,
    )
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_line_per_click_after_the_first_of_its_session(logs) -> None:
    lines = replay(*logs)
    assert [(line["session_id"], line["position"]) for line in lines] == [
        ("t1", 2),
        ("t1", 3),
        ("t3", 2),
        ("t3", 3),
    ]
    assert all(set(line) == {"session_id", "position", "recommended"} for line in lines)
    assert all(len(line["recommended"]) <= 3 for line in lines)


def test_what_readers_open_next_comes_first(logs) -> None:
    """After "a", "b" is what most readers opened next, then "c"."""
    lines = {(line["session_id"], line["position"]): line for line in replay(*logs)}
    assert lines[("t1", 2)]["recommended"][:2] == ["b", "c"]


def test_ties_keep_row_order_and_predictions_come_before_the_click(logs) -> None:
    """t3's tied clicks are x then a: at position 3 the last click is x, so y leads."""
    lines = {(line["session_id"], line["position"]): line for line in replay(*logs)}
    assert lines[("t3", 3)]["recommended"][0] == "y"
    assert "x" not in lines[("t3", 3)]["recommended"]  # the click just made is never offered


def test_an_article_first_seen_at_the_predicted_click_cannot_be_recommended(logs) -> None:
    """Computed before the click is observed: the unseen article is unknown at that moment."""
    lines = {(line["session_id"], line["position"]): line for line in replay(*logs)}
    assert "zzz-new" not in lines[("t1", 3)]["recommended"]
    assert "a" not in lines[("t1", 3)]["recommended"]  # read earlier in the session


def test_scoring_counts_hits_ranks_and_missing_lines(tmp_path: Path) -> None:
    test = [
        Click("r", "s", "a", 1.0),
        Click("r", "s", "b", 2.0),
        Click("r", "s", "c", 3.0),
        Click("r", "u", "d", 1.5),
        Click("r", "u", "e", 2.5),
    ]
    predictions = tmp_path / "p.jsonl"
    predictions.write_text(
        '{"session_id": "s", "position": 2, "recommended": ["x", "b"]}\n'
        '{"session_id": "s", "position": 3, "recommended": ["c"]}\n'
    )
    score = replay_score(predictions=predictions, test=test, k=10)
    assert (score.expected, score.missing) == (3, 1)
    assert score.hit_rate == pytest.approx(2 / 3)
    assert score.mrr == pytest.approx((1 / 2 + 1) / 3)


def test_the_command_needs_no_database_and_writes_the_file(logs, tmp_path: Path) -> None:
    history, test = logs
    out = tmp_path / "predictions.jsonl"
    stdout = io.StringIO()
    call_command(
        "replay",
        "--format=csv",
        f"--history={history}",
        f"--test={test}",
        "--k=10",
        f"--out={out}",
        "--score",
        stdout=stdout,
    )
    assert len(out.read_text().splitlines()) == 4
    assert "4 predictions" in stdout.getvalue()
    assert "HR@10" in stdout.getvalue()


def test_globo_files_are_merged_in_time_order_with_stable_ties(tmp_path: Path) -> None:
    header = "user_id,session_id,session_start,session_size,click_article_id,click_timestamp\n"
    (tmp_path / "h0.csv").write_text(header + "1,10,0,2,100,5000\n1,10,0,2,101,9000\n")
    (tmp_path / "h1.csv").write_text(header + "2,20,0,2,200,5000\n2,20,0,2,201,7000\n")
    log = read_globo(paths=[tmp_path / "h0.csv", tmp_path / "h1.csv"])
    assert [c.article_id for c in log] == [100, 200, 201, 101]
    assert log[0] == Click(1, 10, 100, 5.0)


def test_mind_behaviours_become_sessions_after_the_reader_history() -> None:
    path = shared_path("interactions", "mind-small-sample", "behaviors.tsv")
    if not path.exists():
        pytest.skip(f"{path} is absent (research data is not shipped)")
    clicks = read_clicks(format="mind", paths=[path])
    assert len(clicks) > 5000
    assert all(a.at <= b.at for a, b in pairwise(clicks))
    assert any(str(c.session_id).endswith("-history") for c in clicks)


GLOBO = shared_path("interactions", "globo-clicks", "clicks")


@pytest.mark.slow
def test_a_few_hours_of_globo_beat_a_floor(tmp_path: Path) -> None:
    """Four hours of history, one of test: the ranker must find the next click often."""
    files = [GLOBO / f"clicks_hour_{h:03d}.csv.gz" for h in range(202, 207)]
    if not all(path.exists() for path in files):
        pytest.skip(f"Globo click log absent under {GLOBO} (research data is not shipped)")
    history, test = read_globo(paths=files[:4]), read_globo(paths=files[4:])
    out = tmp_path / "globo.jsonl"
    counts = run_replay(history=history, test=test, k=10, out=out)
    score = replay_score(predictions=out, test=test, k=10)
    assert counts.scorer == "learned"
    assert score.missing == 0 and score.expected > 1000
    assert score.hit_rate > 0.40
    assert score.mrr > 0.18


def test_late_history_clicks_are_not_known_before_their_time(tmp_path: Path) -> None:
    """A long history session's click after the first test click waits for its moment."""
    history, test = tmp_path / "history.csv", tmp_path / "test.csv"
    history.write_text(
        HISTORY_CSV + f"h0,late,a,{LATER + 5}\nh0,late,from-the-future,{LATER + 500}\n"
    )
    test.write_text(TEST_CSV + f"r4,t4,a,{LATER + 600}\nr4,t4,b,{LATER + 630}\n")
    lines = {(line["session_id"], line["position"]): line for line in replay(history, test, k=10)}
    assert "from-the-future" not in lines[("t1", 2)]["recommended"]
    assert "from-the-future" in lines[("t4", 2)]["recommended"]
    assert ("late", 2) not in lines  # history clicks are observed, never predicted
