"""Failed deliveries as admins see them in `/partner config` (pure builders)."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.blocks import context, section
from handlers.reply import Block
from handlers.texts.config import failure_in_words
from handlers.texts.partners import channel_ref
from storage.outbox import DeliverySummary


def _recipient(row: DeliverySummary) -> str:
    if row.recipient_user is not None:
        return f"<@{row.recipient_user}>"
    return channel_ref(row.recipient_channel or "")


# Kinds whose stored names read badly (the others read with spaces for underscores).
_KIND_NAMES = {
    "checkin": "check-in",
    "checkin.reminder": "check-in reminder",
    "touchpoint_owner_note": "note to an owner",
}


# Kinds queued together with a message of another kind, to the same person at the same moment
# (a digest's thread replies, a survey's statements after its invitation): a failed one is
# counted within the line of that message, not listed as a delivery of its own, so one
# colleague who left cannot fill the few lines an admin is shown. Each with what it is called
# (one, several).
_REPLIES_OF = {
    "weekly_digest_detail": ("weekly_digest", "thread reply", "thread replies"),
    "survey.question": ("survey.invitation", "statement", "statements"),
}


def failed_delivery_line(row: DeliverySummary, *, replies: int = 0) -> str:
    """One failed message (with `replies` of the messages queued with it that failed alike,
    `_REPLIES_OF`: a digest's thread replies, a survey's statements): what, to
    whom, when it was due (a date token: each admin reads it in their own zone, older clients
    in UTC), and why it failed."""
    tries = "1 try" if row.attempts == 1 else f"{row.attempts} tries"
    kind = _KIND_NAMES.get(row.kind, row.kind.replace("_", " ").replace(".", " "))
    if replies:
        one, several = next(
            (one, several) for parent, one, several in _REPLIES_OF.values() if parent == row.kind
        )
        kind += f" and its {one}" if replies == 1 else f" and its {replies} {several}"
    due = (
        f"<!date^{int(row.due_at.timestamp())}^{{date_short_pretty}} {{time}}"
        f"|{row.due_at:%-d %b %H:%M} UTC>"
    )
    why = failure_in_words(
        row.last_error, tries=tries, to_channel=row.recipient_channel is not None
    )
    return f"• {kind} to {_recipient(row)}, due {due}: {why}"


def _same_send(row: DeliverySummary) -> tuple[str | None, str | None, object, str | None]:
    return (row.recipient_user, row.recipient_channel, row.due_at, row.last_error)


def failed_lines(rows: Sequence[DeliverySummary]) -> list[str]:
    """A line per failed message, the failed messages queued with it (same recipient, moment
    and reason: a digest's thread replies, a survey's statements) counted in its line rather
    than listed one by one."""
    replies: dict[int, int] = {}
    folded: set[int] = set()
    for reply in rows:
        parent_kind = _REPLIES_OF.get(reply.kind, (None,))[0]
        parent = next(
            (
                row
                for row in rows
                if parent_kind is not None
                and row.kind == parent_kind
                and _same_send(row) == _same_send(reply)
            ),
            None,
        )
        if parent is not None:
            replies[parent.id] = replies.get(parent.id, 0) + 1
            folded.add(reply.id)
    return [
        failed_delivery_line(row, replies=replies.get(row.id, 0))
        for row in rows
        if row.id not in folded
    ]


def failed_deliveries(rows: Sequence[DeliverySummary]) -> list[Block]:
    """The workspace's latest failed deliveries, or a line saying there are none (messages may
    still wait to go: none has failed)."""
    if not rows:
        return [section("*Failed deliveries:* none.")]
    # Counted as shown: a digest's failed thread replies fold into the digest's line.
    lines = failed_lines(rows)
    shown = "\n".join(lines)
    return [
        section(f"*Failed deliveries* (latest {len(lines)})\n{shown}"),
        context(
            "Slack refused these messages or stayed unreachable. A channel error usually means "
            "Liaison is not in the channel or it was archived; a person error means they left. "
            "A channel's refusal leaves this list once a later message there goes through, "
            "and a failed hello once its channel is no longer chosen."
        ),
    ]
