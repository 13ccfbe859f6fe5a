"""The Messages tab handler's own rules: which DM messages are a person's, and one answer per
quiet spell (the answer itself is in tests/scenarios/test_home.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.messages_tab import QUIET, LastAnswers, ReplyChange, reply_change, typed_by_a_person

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


def test_an_edit_or_deletion_of_a_reply_in_a_dm_thread_is_a_change_of_it() -> None:
    reply = {"type": "message", "user": "U0BEN", "text": "was", "ts": "5.1", "thread_ts": "4.1"}
    changed = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": "D0BEN",
        "channel_type": "im",
        "ts": "6.1",
        "message": {**reply, "text": "now &amp; then", "edited": {"user": "U0BEN", "ts": "6.1"}},
        "previous_message": reply,
    }
    assert reply_change(changed) == ReplyChange("D0BEN", "5.1", "U0BEN", "now & then")
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": "D0BEN",
        "channel_type": "im",
        "ts": "7.1",
        "deleted_ts": "5.1",
        "previous_message": reply,
    }
    assert reply_change(deleted) == ReplyChange("D0BEN", "5.1", "U0BEN", None)
    # Without the message as it was, the deleted one is still known by its ts.
    no_previous = {k: v for k, v in deleted.items() if k != "previous_message"}
    assert reply_change(no_previous) == ReplyChange("D0BEN", "5.1", None, None)
    # Not a reply in a DM's thread: elsewhere, the thread's first message, a bot's, a new one.
    assert reply_change({**changed, "channel_type": "channel"}) is None
    assert reply_change({**changed, "message": {**reply, "thread_ts": "5.1"}}) is None
    assert reply_change({**changed, "message": {**reply, "bot_id": "B1"}}) is None
    assert (
        reply_change({**changed, "message": {k: v for k, v in reply.items() if k != "thread_ts"}})
        is None
    )
    assert reply_change({**reply, "channel": "D0BEN", "channel_type": "im"}) is None
