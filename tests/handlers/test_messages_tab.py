"""The Messages tab handler's own rules: which DM messages are a person's, and one answer per
quiet spell (the answer itself is in tests/scenarios/test_home.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.sandbox.fake_slack import FakeMessage
from bot.sandbox.requests import SlackRequest
from handlers.messages_tab import (
    QUIET,
    LastAnswers,
    ReplyChange,
    only_emoji,
    reply_change,
    typed_by_a_person,
)
from handlers.texts import home as home_texts
from storage.models import Partner, Touchpoint
from tests.conftest import START, Slack

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_only_new_messages_people_type_in_a_dm_count() -> None:
    typed = {"type": "message", "channel_type": "im", "user": "U0BEN", "text": "hi"}
    assert typed_by_a_person(typed)
    assert not typed_by_a_person({**typed, "channel_type": "channel"})
    assert not typed_by_a_person({**typed, "subtype": "message_changed"})
    assert typed_by_a_person({**typed, "subtype": "thread_broadcast", "thread_ts": "1.2"})
    assert typed_by_a_person({**typed, "subtype": "file_share", "files": [{"id": "F1"}]})
    assert not typed_by_a_person({**typed, "bot_id": "B0OTHER"})
    assert not typed_by_a_person({**typed, "user": ""})


def test_emoji_alone_but_a_surveys_score_is_no_words_to_answer() -> None:
    for text in (":+1:", " :pray: :tada: ", "👍🎉", ":wave::skin-tone-2:", ":white_check_mark:"):
        assert only_emoji(text), text
    for text in (":four:", ":+1: :five:", "?", "...", ":+1: thanks", "4", "1️⃣", "", "  "):
        assert not only_emoji(text), text


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


def test_a_reply_in_a_problem_alerts_thread_names_who_reported_it(slack: Slack) -> None:
    # QA: Dan, covering for Ana, replied "I'll call them tomorrow" in the thread of the Problem
    # alert Ben's check-in sent him, and was told only that Liaison reads nothing typed there.
    # He is told his reply reaches nobody, and that Ben reported it, to write to him directly.
    ana, ben, dan = "U0ANA", "U0BEN", "U0DAN"
    for line in (
        "add Acme",
        "team Acme add <@U0BEN|ben> <@U0DAN|dan>",
        "status Acme active",
        "deputy Acme <@U0DAN|dan>",
        "away today to friday",
    ):
        assert slack.command(line, user=ana).status == 200
    with Session(slack.runtime.engine) as session:
        partner = session.exec(select(Partner).where(Partner.name == "Acme")).one()
        assert partner.id is not None
        session.add(
            Touchpoint(
                team_id="T0ACME",
                partner_id=partner.id,
                kind="done",
                medium="meeting",
                at=datetime(2026, 11, 24, 15, tzinfo=UTC),
                author_id=ben,
                created_at=slack.runtime.clock.now(),
            )
        )
        session.commit()

    def at(moment: datetime) -> None:
        slack.runtime.clock.set(moment)  # type: ignore[attr-defined]
        for _ in range(2):
            assert slack.tick().failed_planners == []

    def dm(user: str) -> list[FakeMessage]:
        return slack.fake.messages_in(slack.fake.im_channel(user).id)

    def send(request: SlackRequest) -> None:
        assert slack.deliver.send(request).status == 200
        slack.runtime.drain()

    at(START.replace(hour=14, minute=1))  # Wednesday 09:01 in New York
    (asked,) = [m for m in dm(ben) if m.text.startswith("How did")]
    send(
        slack.requests.block_action(user_id=ben, action_id="checkin_answer_problem", message=asked)
    )
    slack.fake.dismiss_modals(ben)
    at(START.replace(hour=14, minute=30))  # after the wait for a note, in Dan's hours
    (alert,) = [m for m in dm(dan) if "reports a *problem*" in m.text]

    typed = slack.fake.post_user_message(
        user_id=dan, channel_id=alert.channel, text="I'll call them tomorrow", thread_ts=alert.ts
    )
    request = slack.requests.message_posted(typed)
    send(request)
    send(slack.requests.retry(request, 1))  # Slack's retry is not answered again
    answers = [m.text for m in slack.fake.thread(alert) if m.user == slack.fake.bot_user_id]
    assert answers == [
        "I don't read what is typed in this thread, so your reply reaches nobody, not even "
        "<@U0BEN>, who reported the Problem. To tell them something (\"I'll call them "
        'tomorrow"), write to <@U0BEN> directly.'
    ]
    assert home_texts.MESSAGES_TAB_ANSWER not in [m.text for m in dm(dan)]
