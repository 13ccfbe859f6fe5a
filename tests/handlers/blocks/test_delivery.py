"""Failed deliveries as admins see them (the block builder for `/partner config`)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.workspace_settings import FailedDelivery, fold_failures
from handlers.blocks.delivery import failed_deliveries, failed_delivery_line
from storage.outbox import DeliverySummary

DUE = datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
# A direct message's summary fields (the default is a channel alert's).
PERSON = {"recipient_user": "U0BEN", "recipient_channel": None}


def summary(**changes: object) -> FailedDelivery:
    values: dict[str, object] = {
        "id": 1,
        "team_id": "T1",
        "kind": "collision_alert",
        "recipient_user": None,
        "recipient_channel": "C0PARTNERS",
        "due_at": DUE,
        "available_at": DUE,
        "status": "failed",
        "attempts": 1,
        "last_error": "chat.postMessage: not_in_channel",
        "held": False,
        **changes,
    }
    return FailedDelivery(row=DeliverySummary(**values))  # type: ignore[arg-type]


def test_a_failed_channel_alert_names_the_channel_the_time_and_the_reason() -> None:
    line = failed_delivery_line(summary())
    due = int(summary().row.due_at.timestamp())
    assert line == (
        f"• collision alert to <#C0PARTNERS>, due <!date^{due}^{{date_short_pretty}} {{time}}"
        "|25 Nov 09:05 UTC>: Liaison isn't in it — invite Liaison there or choose another "
        "channel (`chat.postMessage: not_in_channel`, 1 try)"
    )


def test_a_failed_check_in_reads_as_one() -> None:
    line = failed_delivery_line(summary(kind="checkin", recipient_user="U0EVE"))
    assert line.startswith("• check-in to <@U0EVE>, due <!date^")


def test_a_failed_dm_mentions_the_person() -> None:
    line = failed_delivery_line(
        summary(recipient_user="U0BEN", recipient_channel=None, attempts=10, last_error=None)
    )
    assert "to <@U0BEN>" in line and "no reason recorded (10 tries)" in line


def test_the_section_lists_them_or_says_there_are_none() -> None:
    (none,) = failed_deliveries([])
    assert "none" in none["text"]["text"]
    listed, hint = failed_deliveries([summary(), summary(id=2)])
    assert listed["text"]["text"].startswith("*Failed deliveries* (latest 2)")
    assert hint["type"] == "context"


def test_the_header_counts_the_lines_shown_when_a_digests_replies_fold_into_it() -> None:
    # QA qa20b s16: a digest and its two failed thread replies read as one line, so five
    # failed rows show as three lines, and the header says three.
    rows = [
        summary(id=5, kind="weekly_digest_detail"),
        summary(id=4, kind="weekly_digest_detail"),
        summary(id=3, kind="weekly_digest"),
        summary(id=2),
        summary(id=1, kind="channel_hello", recipient_channel="C0GHOST"),
    ]
    listed, _hint = failed_deliveries(fold_failures([row.row for row in rows]))
    text = listed["text"]["text"]
    assert text.startswith("*Failed deliveries* (latest 3)\n")
    assert len(text.splitlines()) == 4
    assert "weekly digest and its 2 thread replies" in text


def test_each_failure_says_in_plain_words_what_to_do_and_keeps_slacks_code() -> None:
    to_channel = {
        "chat.postMessage: not_in_channel": "Liaison isn't in it — invite Liaison there or",
        "chat.postMessage: is_archived": "it is archived — unarchive it or choose another",
        "chat.postMessage: restricted_action": "a workspace owner can let apps post there",
        "chat.postMessage: invalid_blocks": "a Liaison bug, please report it",
        "chat.postMessage: account_inactive": "Liaison's install is inactive: reinstall the app",
        "gave up after 7 attempts over 2 h: chat.postMessage: HTTP 503": (
            "Slack kept failing or could not be reached, so Liaison gave up (`gave up after"
        ),
        "gave up after 3 attempts over 2 h: chat.postMessage: token_revoked": (
            "Slack no longer accepts Liaison's token: reinstall the app"
        ),
    }
    to_person = {
        "conversations.open: user_not_found": "they are no longer in the workspace (`",
        "conversations.open: user_disabled": "their account is deactivated (`",
        "chat.postMessage: channel_not_found": "Slack couldn't open a direct message with them",
        "chat.postMessage: account_inactive": "Liaison's install is inactive: reinstall the app",
    }
    for reasons, who in ((to_channel, {}), (to_person, PERSON)):
        for reason, words in reasons.items():
            line = failed_delivery_line(summary(last_error=reason, attempts=3, **who))
            assert words in line, line
            assert f"`{reason}`, 3 tries)" in line
    # A person's codes are not said of a channel, nor a channel's of a person.
    odd = failed_delivery_line(summary(last_error="chat.postMessage: user_not_found"))
    assert odd.endswith(": `chat.postMessage: user_not_found` (1 try)")
    # A reason Liaison has no words for is shown as Slack gave it.
    odd = failed_delivery_line(summary(last_error="chat.postMessage: something_new"))
    assert odd.endswith(": `chat.postMessage: something_new` (1 try)")
