"""Which channel gets a channel message about a partner (a collision alert, its pulse survey's
results) or about the workspace as a whole (the weekly digest): one rule for every kind.

The candidates, in order: the partner's own channel (`/partner channel`), the workspace's
coordination channel (`config channel`) and the server's default (LIAISON_DEFAULT_CHANNEL). A
message goes to the first that is set and whose latest delivery (for the partner's, since it
was chosen) did not fail for good (archived, Liaison not in it, no such channel): one sent to a
refusing channel would fail too, seen by admins only. Choosing a channel again says hello there,
so a channel that works again is used again. A message Slack refuses at send time goes to the
next candidate after the one that refused it (`reroute`), through `ON_CHANNEL_REFUSED`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.delivery.dispatcher import ChannelRefused, instead_key
from bot.delivery.outbox import MAX_BLOCKS, enqueue
from storage import outbox as outbox_store
from storage.partners import get_partner
from storage.workspaces import get_workspace


@dataclass(frozen=True, kw_only=True)
class Channels:
    """The channels a message about a partner (or about none: `own` unset) may go to."""

    own: str | None = None
    # When the partner's channel was chosen: refusals from before do not count against it.
    own_since: datetime | None = None
    coordination: str | None = None
    default: str | None = None

    @classmethod
    def look_up(
        cls, session: Session, *, team_id: str, partner_id: int | None, default: str | None
    ) -> Channels:
        """The partner's (None: the workspace's alone) channels as stored now."""
        partner = (
            None
            if partner_id is None
            else get_partner(session=session, team_id=team_id, partner_id=partner_id)
        )
        workspace = get_workspace(session=session, team_id=team_id)
        return cls(
            own=None if partner is None else partner.channel_id,
            own_since=None if partner is None else partner.channel_set_at,
            coordination=None if workspace is None else workspace.coordination_channel,
            default=default,
        )

    def order(self) -> list[tuple[str, datetime | None]]:
        """The candidates set, in order, each once, with the moment refusals count from."""
        found: dict[str, datetime | None] = {}
        for channel, since in (
            (self.own, self.own_since),
            (self.coordination, None),
            (self.default, None),
        ):
            if channel is not None and channel not in found:
                found[channel] = since
        return list(found.items())

    def is_own(self, channel: str) -> bool:
        return channel == self.own


@dataclass(frozen=True)
class Route:
    """Where a message goes (None: no channel is set, or every one refuses Liaison), and the
    channels passed over on the way, each with Slack's reason."""

    channel: str | None
    passed_over: tuple[tuple[str, str], ...] = ()


def route(session: Session, *, team_id: str, channels: Channels) -> Route:
    """The first candidate not known to refuse Liaison."""
    return _first_reachable(session, team_id, channels.order())


def reroute(session: Session, *, team_id: str, channels: Channels, refused: str) -> Route | None:
    """Where a message Slack refused in `refused` goes instead: the first candidate after it
    not known to refuse Liaison (`passed_over` names those skipped, not `refused`). None when
    `refused` is no candidate any more (the setting changed since: the message stays failed)."""
    order = channels.order()
    at = next((n for n, (channel, _since) in enumerate(order) if channel == refused), None)
    if at is None:
        return None
    return _first_reachable(session, team_id, order[at + 1 :])


def _first_reachable(
    session: Session, team_id: str, candidates: list[tuple[str, datetime | None]]
) -> Route:
    passed_over: list[tuple[str, str]] = []
    for channel, since in candidates:
        reason = outbox_store.channel_refusal(
            session=session, team_id=team_id, channel_id=channel, since=since
        )
        if reason is None:
            return Route(channel, tuple(passed_over))
        passed_over.append((channel, reason))
    return Route(None, tuple(passed_over))


# A channel passed over: the channel, Slack's reason, and whether it is the partner's own
# (else the coordination channel).
PassedOver = tuple[str, str, bool]
# Blocks saying why a message comes here: one note for all the channels passed over (a note
# each stacked near-identical lines under one message, QA qa21b NIT 3).
Note = Callable[[Sequence[PassedOver]], Sequence[dict[str, Any]]]


def pass_on(refused: ChannelRefused, *, partner_id: int | None, note: Note) -> bool:
    """Queue a channel message Slack refused because of its channel in the next candidate
    (`reroute`), with `note`'s word on each channel it passed over, so that the channel it
    reaches learns why it comes there; True when queued (the refused one is then no failure).
    Idempotent, as `ON_CHANNEL_REFUSED` needs."""
    session, message = refused.session, refused.message
    if message.recipient_channel is None:
        return False
    channels = Channels.look_up(
        session, team_id=message.team_id, partner_id=partner_id, default=refused.default_channel
    )
    found = reroute(
        session, team_id=message.team_id, channels=channels, refused=message.recipient_channel
    )
    if found is None or found.channel is None:
        return False  # no longer a candidate, or the last one refused: nowhere else to go
    why = note(
        [
            (channel, reason, channels.is_own(channel))
            for channel, reason in ((message.recipient_channel, refused.reason), *found.passed_over)
        ]
    )
    enqueue(
        session,
        team_id=message.team_id,
        kind=message.kind,
        recipient_channel=found.channel,
        text=message.text,
        blocks=[*message.blocks, *why][:MAX_BLOCKS],
        due_at=refused.now,
        dedupe_key=instead_key(message.dedupe_key),
        respect_working_hours=False,
        now=refused.now,
    )
    return True  # queued now, or by a pass that crashed before marking the refused one
