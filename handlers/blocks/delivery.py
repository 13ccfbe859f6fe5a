"""Failed deliveries as admins see them in `/partner config` (pure builders)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.digest import DIGEST
from bot.services.message_kinds import in_words
from bot.services.surveys import INVITATION
from bot.services.workspace_settings import FailedDelivery
from handlers.blocks import context, section
from handlers.reply import Block
from handlers.texts.config import failure_in_words
from handlers.texts.partners import channel_ref
from storage.outbox import DeliverySummary


def _recipient(row: DeliverySummary) -> str:
    if row.recipient_user is not None:
        return f"<@{row.recipient_user}>"
    return channel_ref(row.recipient_channel or "")


# What the messages queued with a message of these kinds are called (one, several): a digest's
# thread replies, a survey's statements after its invitation. A failed one is counted within
# that message's line (`bot.services.workspace_settings.fold_failures`), so one colleague who
# left cannot fill the few lines an admin is shown.
_REPLIES_OF = {
    DIGEST: ("thread reply", "thread replies"),
    INVITATION: ("statement", "statements"),
}


def failed_delivery_line(failed: FailedDelivery) -> str:
    """One failed message (with how many of the messages queued with it failed alike,
    `_REPLIES_OF`: a digest's thread replies, a survey's statements): what, to
    whom, when it was due (a date token: each admin reads it in their own zone, older clients
    in UTC), and why it failed."""
    row, replies = failed.row, failed.replies
    tries = "1 try" if row.attempts == 1 else f"{row.attempts} tries"
    kind = in_words(row.kind)
    if replies:
        one, several = _REPLIES_OF[row.kind]
        kind += f" and its {one}" if replies == 1 else f" and its {replies} {several}"
    due = (
        f"<!date^{int(row.due_at.timestamp())}^{{date_short_pretty}} {{time}}"
        f"|{row.due_at:%-d %b %H:%M} UTC>"
    )
    why = failure_in_words(
        row.last_error, tries=tries, to_channel=row.recipient_channel is not None
    )
    return f"• {kind} to {_recipient(row)}, due {due}: {why}"


def failed_deliveries(rows: Sequence[FailedDelivery]) -> list[Block]:
    """The workspace's latest failed deliveries, or a line saying there are none (messages may
    still wait to go: none has failed)."""
    if not rows:
        return [section("*Failed deliveries:* none.")]
    lines = [failed_delivery_line(failed) for failed in rows]
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
