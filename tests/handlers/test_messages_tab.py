"""The Messages tab handler's own rules: which DM messages are a person's, and one answer per
quiet spell (the answer itself is in tests/scenarios/test_home.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.messages_tab import QUIET, LastAnswers, typed_by_a_person

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_only_new_messages_people_type_in_a_dm_count() -> None:
    typed = {"type": "message", "channel_type": "im", "user": "U0BEN", "text": "hi"}
    assert typed_by_a_person(typed)
    assert not typed_by_a_person({**typed, "channel_type": "channel"})
    assert not typed_by_a_person({**typed, "subtype": "message_changed"})
    assert typed_by_a_person({**typed, "subtype": "thread_broadcast", "thread_ts": "1.2"})
    assert not typed_by_a_person({**typed, "bot_id": "B0OTHER"})
    assert not typed_by_a_person({**typed, "user": ""})


def test_a_person_is_answered_again_only_after_a_quiet_spell() -> None:
    answers = LastAnswers()
    assert answers.take_turn(team_id="T1", user_id="U0BEN", now=NOW)
    assert not answers.take_turn(team_id="T1", user_id="U0BEN", now=NOW + QUIET / 2)
    assert answers.take_turn(team_id="T2", user_id="U0BEN", now=NOW)  # another workspace
    assert answers.take_turn(team_id="T1", user_id="U0BEN", now=NOW + QUIET + timedelta(seconds=1))
