"""Failed deliveries as admins see them in `/partner config` (pure builders)."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.blocks import context, section
from handlers.reply import Block
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


def failed_delivery_line(row: DeliverySummary) -> str:
    """One failed message: what, to whom, when it was due (a date token: each admin reads it
    in their own zone, older clients in UTC), and why it failed."""
    tries = "1 try" if row.attempts == 1 else f"{row.attempts} tries"
    kind = _KIND_NAMES.get(row.kind, row.kind.replace("_", " ").replace(".", " "))
    due = (
        f"<!date^{int(row.due_at.timestamp())}^{{date_short_pretty}} {{time}}"
        f"|{row.due_at:%-d %b %H:%M} UTC>"
    )
    return (
        f"• {kind} to {_recipient(row)}, due {due}: `{row.last_error or 'unknown error'}` ({tries})"
    )


def failed_deliveries(rows: Sequence[DeliverySummary]) -> list[Block]:
    """The workspace's latest failed deliveries, or a line saying there are none."""
    if not rows:
        return [section("*Failed deliveries:* none. Every message Liaison queued went out.")]
    lines = "\n".join(failed_delivery_line(row) for row in rows)
    return [
        section(f"*Failed deliveries* (latest {len(rows)})\n{lines}"),
        context(
            "Slack refused these messages or stayed unreachable. A channel error usually means "
            "Liaison is not in the channel or it was archived; a person error means they left."
        ),
    ]
