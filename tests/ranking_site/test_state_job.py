"""The interaction log → live state job (exactly once) and the import command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.ranking_site.conftest import refresh
from tidings.ranking.models import StateCursor
from tidings.ranking.selectors import live_state, live_state_forget
from tidings.ranking.services import state_refresh
from tidings.readers.models import Interaction

pytestmark = pytest.mark.django_db


def _log(count: int, start: int = 0) -> None:
    now = timezone.now()
    Interaction.objects.bulk_create(
        Interaction(
            reader=7,
            session=f"s{(start + i) // 3}",
            article_id=100 + (start + i) % 5,
            kind=Interaction.Kind.READ,
            occurred_at=now + timedelta(seconds=start + i),
        )
        for i in range(count)
    )


def test_the_state_job_is_exactly_once():
    """Run twice → the same counts; new interactions are folded once each."""
    _log(9)
    first = refresh()
    assert (first.version, first.folded) == (1, 9)
    again = refresh()
    assert (again.version, again.folded) == (1, 0)
    assert live_state().clicks_seen == 9
    _log(4, start=9)
    Interaction.objects.create(
        reader=7, article_id=100, kind=Interaction.Kind.FEEDBACK, occurred_at=timezone.now()
    )
    third = refresh()
    assert (third.version, third.folded) == (2, 4)
    state = live_state()
    assert state.clicks_seen == 13
    assert sum(state.clicks) == 13
    cursor = StateCursor.objects.get(name="live")
    assert cursor.events == 13 and cursor.last_interaction_id == Interaction.objects.latest("id").pk


def test_a_rebuild_starts_over_from_the_whole_log():
    _log(6)
    refresh()
    rebuilt = state_refresh(rebuild=True)
    live_state_forget()
    assert rebuilt.folded == 6 and live_state().clicks_seen == 6


def test_web_processes_reload_when_the_version_changes():
    _log(3)
    refresh()
    held = live_state()
    _log(3, start=3)
    state_refresh()
    assert live_state() is held  # within the few seconds a process trusts its copy
    live_state_forget()
    assert live_state().clicks_seen == 6


def test_interactions_import_csv_rebuilds_the_state_and_is_idempotent(tmp_path, capsys):
    log = tmp_path / "clicks.csv"
    log.write_text(
        "user_id,session_id,article_id,timestamp\n"
        "u1,s1,501,1700000000\n"
        "u1,s1,502,1700000060\n"
        "u2,s2,501,2023-11-14T22:15:00Z\n"
        "u2,s2,502,1700000100000\n"
    )
    call_command("interactions", "import", "--format", "csv", str(log))
    assert "imported 4 interactions from 1 file(s)" in capsys.readouterr().out
    assert Interaction.objects.count() == 4
    live_state_forget()
    state = live_state()
    assert state.clicks_seen == 4
    assert state.near[state.code_of(501)][state.code_of(502)] > 0  # co-read in two sessions

    call_command("interactions", "import", "--format", "csv", str(log))
    assert "imported 0 interactions from 0 file(s); 1 already imported" in capsys.readouterr().out
    assert Interaction.objects.count() == 4
    live_state_forget()
    assert live_state().clicks_seen == 4


def test_import_refuses_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("interactions", "import", "--format", "csv", str(tmp_path / "none.csv"))


def test_retrain_learns_a_scorer_from_the_log_and_web_processes_pick_it_up(capsys):
    """Readers who open article n go on to n+1: enough of them and the scorer is learned."""
    from tidings.ranking.model import DefaultScorer, LearnedScorer
    from tidings.ranking.selectors import live_scorer

    assert isinstance(live_scorer(), DefaultScorer)
    start = timezone.now() - timedelta(days=1)
    Interaction.objects.bulk_create(
        Interaction(
            session=f"s{n}",
            article_id=1000 + (n + step) % 40,
            kind=Interaction.Kind.OPEN,
            occurred_at=start + timedelta(seconds=60 * n + step),
        )
        for n in range(700)
        for step in range(3)
    )
    call_command("interactions", "retrain")
    assert "scorer learned" in capsys.readouterr().out
    live_state_forget()
    assert isinstance(live_scorer(), LearnedScorer)
