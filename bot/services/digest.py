"""The weekly digest: once a week, one short message in the coordination channel with the
week's counts and the partners at risk; the per-partner details go into its thread.

When: the workspace's `config digest DAY HH:MM` (default Monday 09:00; `off`: never) in its
`config timezone`. The planner (`plan`) runs at the start of every minute, so a digest goes out
at its minute; `next_moment` tells the sandbox, which runs planners only hourly, when to run it.
A digest is due from its moment for `CATCH_UP`, so a restart soon after still sends it, and a
bot that was down all that time waits for next week rather than posting a stale digest. The
catch-up is for a moment the planner missed, not for one that was never due: a moment before
the workspace's first partner (no planner looks at a workspace without partners), or one that
had passed when `config digest` or `timezone` set the schedule (the settings service marks it
decided), is skipped, and the first digest goes at the next moment. The dedupe key names the
digest's day: one digest per week, however often the planner runs and on however many
replicas, and none on a day that already had one: moved to a later hour of that day, or to a
zone where it is still that day, the digest goes at next week's moment. The planner and
`config` both ask `digest_moment` when it goes, so what `config` says is what happens.

Where: the workspace's coordination channel (`config channel`), else LIAISON_DEFAULT_CHANNEL,
passing over one known to refuse Liaison, as for collision alerts (`bot.services.channels`);
one refused when sent goes to the next (`reroute_refused_digest`). The details are queued
as replies threaded onto the digest (`thread_of_dedupe_key`): the dispatcher posts them into
its thread once the digest itself is sent.

What: over the week before the digest's moment (from where the last digest's stretch ended,
when the digest moved to another day or zone: nothing is told twice or skipped): partners
registered, touchpoints: those logged, and the contacts planned for a moment in the week (not
said not to have happened), which became the partner's last contact as it passed (a meeting,
call or event that two colleagues both logged, either naming the other, or one planned and
logged too, counts once, as its check-ins do: `checkins.recorded_again`), collisions
(events, as the health score counts them: `bot.health.collision_events`), commitments kept
(on time or late) and dropped; at the moment: commitments overdue (an ended partner's too:
its open promises are real, though it is never at risk, and the digest says which are
theirs); the pulse rounds closed in
the week and how many of the people asked answered (counts only); the at-risk list
(`Health.at_risk`); and what is coming up: the contacts planned for the week after its moment.
The thread names each partner behind those figures. Skipped when there is nothing to tell: no
activity in the week, nothing overdue and nobody at risk (plans ahead alone do not make a
digest).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.delivery.dispatcher import ChannelRefused
from bot.delivery.outbox import MAX_BLOCKS, enqueue
from bot.delivery.working_hours import zone
from bot.services.channels import Channels, PassedOver, pass_on, route
from bot.services.checkins import meetings_recorded_again
from bot.services.digest_moments import digest_key, digest_moment, following_moment, weeks_from
from bot.services.feedback import Rendered, settings_of
from bot.services.health import Health, PartnerHealth, collision_counts
from bot.services.workspace_settings import Digest, Values
from storage import health as store
from storage.feedback import meetings_logged, meetings_planned, sent_message
from storage.health import ClosedCommitments, RoundTurnout
from storage.models import PartnerStatus, TouchpointKind
from storage.partners import get_partners
from storage.workspaces import get_workspaces, update_settings

logger = logging.getLogger(__name__)

# Message kinds in the outbox.
DIGEST = "weekly_digest"
DIGEST_DETAIL = "weekly_digest_detail"


@dataclass(frozen=True, kw_only=True)
class PartnerWeek:
    """One partner's week, for the digest's thread."""

    name: str
    # Logged, and planned for a moment in the week (`as_planned` of them).
    touchpoints: int = 0
    as_planned: int = 0
    # Of those logged in the week, how many are dated before it (backdated).
    earlier: int = 0
    collisions: int = 0
    overdue: int = 0
    # The partnership has ended: its overdue commitments are no at-risk signal.
    ended: bool = False
    # Contacts planned for the week after the digest.
    planned: int = 0
    closed: ClosedCommitments = field(default_factory=ClosedCommitments)
    # Its pulse rounds closed in the week (counts of people only).
    turnout: RoundTurnout = field(default_factory=RoundTurnout)


@dataclass(frozen=True, kw_only=True)
class WeeklyDigest:
    """What one workspace's digest tells: the week [start, end) and the state at its end."""

    team_id: str
    start: datetime
    end: datetime
    tz: ZoneInfo
    new_partners: list[str]
    # Logged in the week, and planned for a moment in it (`as_planned` of them): the contacts
    # last week's digest counted as planned for the week ahead come back here.
    touchpoints: int
    as_planned: int = 0
    # Of those logged in the week, how many are dated before it: "logged" counts what was
    # logged in the week, whenever it happened, and says so.
    earlier: int = 0
    # Contacts planned for the week ahead, [end, end + 1 week): what is coming up.
    planned: int
    collisions: int
    closed: ClosedCommitments
    overdue: int
    turnout: RoundTurnout
    # Of `overdue`, those of ended partners (never at risk, their promises still open).
    overdue_ended: int = 0
    at_risk: list[PartnerHealth]
    # Partners with touchpoints, collisions, commitments closed or overdue, or a pulse round
    # closed, busiest first.
    partners: list[PartnerWeek]

    @property
    def quiet(self) -> bool:
        """Nothing happened and nothing needs attention: no digest."""
        happened = (
            self.new_partners or self.touchpoints or self.collisions or self.closed.total
        ) or self.turnout.rounds
        return not happened and not self.overdue and not self.at_risk


class DigestMessages(Protocol):
    """The wording of the digest (`handlers.blocks.health`)."""

    def digest(self, digest: WeeklyDigest) -> Rendered: ...

    def digest_details(self, digest: WeeklyDigest) -> list[Rendered]: ...

    def posted_instead(self, passed: Sequence[PassedOver]) -> Rendered:
        """Under a digest posted in the default channel because the coordination channel
        `passed` over refused Liaison (Slack's reason)."""
        ...


@dataclass(frozen=True)
class Schedule:
    """When and where a workspace's digest goes (`config digest`, `timezone`, `channel`)."""

    team_id: str
    digest: Digest
    tz: ZoneInfo
    # `config channel`, or None: LIAISON_DEFAULT_CHANNEL.
    channel: str | None
    # When the workspace registered its first partner: no digest was due before.
    first_partner: datetime
    # The key of the last digest decided (sent or skipped as quiet), and the end of the stretch
    # it covered.
    decided: str | None = None
    covered_until: datetime | None = None


class Digests:
    """The weekly digests of every workspace, over one database."""

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        health: Health,
        messages: DigestMessages,
        default_channel: str | None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.health = health
        self.messages = messages
        self.default_channel = default_channel

    def week(self, *, team_id: str, end: datetime, since: datetime | None = None) -> WeeklyDigest:
        """What the digest for the week ending at `end` tells (at-risk and overdue as of now):
        from `since`, where the last digest's stretch ended, when that was within two weeks
        (the digest moved to another day or zone), else from a week before `end`."""
        with Session(self.engine) as session:
            timezone = settings_of(session, team_id=team_id).timezone
            tz = zone(timezone)
            # Calendar weeks in the workspace's zone, so a week across a change of clocks runs
            # from the same local hour to the same local hour.
            start = weeks_from(end, -1, tz=tz)
            if since is not None and weeks_from(end, -2, tz=tz) < since < end:
                start = since
            count = partial(
                store.touchpoint_counts, session=session, team_id=team_id, partner_ids=None
            )
            logged = count(start=start, end=end, by_created=True, kinds=[TouchpointKind.DONE])
            backdated = count(
                start=start,
                end=end,
                by_created=True,
                kinds=[TouchpointKind.DONE],
                dated_before=start,
            )
            held = count(start=start, end=end, kinds=[TouchpointKind.PLANNED])
            # A meeting two colleagues both logged is one, as its check-ins count it; so is one
            # planned and logged too (a plan is left out, the log kept).
            logs = meetings_logged(session=session, team_id=team_id, start=start, end=end)
            plans = meetings_planned(session=session, team_id=team_id, start=start, end=end)
            again = meetings_recorded_again(logs, tz=timezone)
            again_too = meetings_recorded_again([*logs, *plans], tz=timezone)
            logged = {partner: n - again.get(partner, 0) for partner, n in logged.items()}
            # A backdated meeting two colleagues both logged is one too: never more than logged.
            backdated = {
                partner: min(n, logged.get(partner, 0)) for partner, n in backdated.items()
            }
            held = {
                partner: n - (again_too.get(partner, 0) - again.get(partner, 0))
                for partner, n in held.items()
            }
            held = {partner: n for partner, n in held.items() if n > 0}
            touches = {
                partner: logged.get(partner, 0) + held.get(partner, 0)
                for partner in set(logged) | set(held)
            }
            planned = count(
                start=end, end=weeks_from(end, 1, tz=tz), kinds=[TouchpointKind.PLANNED]
            )
            collisions = collision_counts(
                session, team_id=team_id, partner_ids=None, start=start, end=end
            )
            closed = store.commitments_closed(
                session=session, team_id=team_id, start=start, end=end
            )
            new_partners = store.partners_added(
                session=session, team_id=team_id, start=start, end=end
            )
            turnouts = store.round_turnouts(session=session, team_id=team_id, start=start, end=end)
            overdue = {
                partner_id: balance.overdue_us + balance.overdue_them
                for partner_id, balance in self.health.commitments.balances(team_id=team_id).items()
                if balance.overdue_us + balance.overdue_them
            }
            busy = set(touches) | set(collisions) | set(overdue) | set(closed) | set(turnouts)
            busy |= set(planned)
            names = get_partners(session=session, team_id=team_id, partner_ids=busy)
        partners = sorted(
            (
                PartnerWeek(
                    name=names[partner_id].name,
                    touchpoints=touches.get(partner_id, 0),
                    as_planned=held.get(partner_id, 0),
                    earlier=backdated.get(partner_id, 0),
                    collisions=collisions.get(partner_id, 0),
                    overdue=overdue.get(partner_id, 0),
                    ended=names[partner_id].status == PartnerStatus.ENDED,
                    planned=planned.get(partner_id, 0),
                    closed=closed.get(partner_id, ClosedCommitments()),
                    turnout=turnouts.get(partner_id, RoundTurnout()),
                )
                for partner_id in busy
                if partner_id in names
            ),
            key=lambda item: (
                -item.collisions,
                -item.overdue,
                -item.touchpoints,
                -item.closed.total,
                -item.planned,
                item.name,
            ),
        )
        return WeeklyDigest(
            team_id=team_id,
            start=start,
            end=end,
            tz=tz,
            new_partners=new_partners,
            touchpoints=sum(touches.values()),
            as_planned=sum(held.values()),
            earlier=sum(backdated.values()),
            planned=sum(planned.values()),
            collisions=sum(collisions.values()),
            closed=sum(closed.values(), ClosedCommitments()),
            overdue=sum(overdue.values()),
            overdue_ended=sum(item.overdue for item in partners if item.ended),
            turnout=sum(turnouts.values(), RoundTurnout()),
            at_risk=self.health.at_risk(team_id=team_id),
            partners=partners,
        )

    def plan(self, *, now: datetime) -> int:
        """Queue each workspace's digest that is due (idempotently); how many were queued."""
        queued = 0
        for schedule in self.schedules():
            moment = digest_moment(now, schedule.digest, schedule.tz, decided=schedule.decided)
            if moment > now:
                continue
            key = digest_key(moment, schedule.tz)
            with Session(self.engine) as session:
                sent = sent_message(session=session, team_id=schedule.team_id, dedupe_key=key)
            if sent is not None:
                continue
            if moment < schedule.first_partner:
                # The workspace had no partner at that moment, so no planner looked at it then:
                # not a digest missed while the bot was down, but one never due. The first goes
                # at the next moment, telling the week the partner arrived.
                self._decide(schedule.team_id, key=key, moment=moment, now=now)
                continue
            with Session(self.engine) as session:
                found = route(
                    session,
                    team_id=schedule.team_id,
                    channels=Channels(coordination=schedule.channel, default=self.default_channel),
                )
            if found.channel is None:
                logger.warning(
                    "no coordination channel for the digest of %s%s",
                    schedule.team_id,
                    " that takes Liaison's messages" if found.passed_over else "",
                )
                continue
            digest = self.week(team_id=schedule.team_id, end=moment, since=schedule.covered_until)
            if not digest.quiet:
                queued += self._queue(
                    digest, channel=found.channel, key=key, now=now, passed_over=found.passed_over
                )
            # Decided at its first look: a quiet week stays skipped when something happens
            # later (the catch-up after downtime is for digests never looked at).
            self._decide(schedule.team_id, key=key, moment=moment, now=now)
        return queued

    def _decide(self, team_id: str, *, key: str, moment: datetime, now: datetime) -> None:
        """Record the digest of `moment` as decided, its stretch as covered up to `moment`."""
        with Session(self.engine) as session:
            update_settings(
                session=session,
                team_id=team_id,
                changes={"digest_decided": key, "digest_covered_until": moment},
                now=now,
            )
            session.commit()

    def next_moment(self, *, after: datetime) -> datetime | None:
        """The first moment after `after` at which a workspace's digest falls due (None: every
        digest is off)."""
        moments = [
            following_moment(after, schedule.digest, schedule.tz, decided=schedule.decided)
            for schedule in self.schedules()
        ]
        return min(moments, default=None)

    def schedules(self) -> list[Schedule]:
        """The digest schedule of every workspace with partners whose digest is not off: one
        read of their settings, so that a planner running every minute stays cheap."""
        with Session(self.engine) as session:
            teams = store.first_partner_added(session=session)
            rows = get_workspaces(session=session, team_ids=teams)
        found = []
        for team_id, first_partner in teams.items():
            values = Values.of(rows.get(team_id), team_id=team_id)
            if values.digest is not None:
                found.append(
                    Schedule(
                        team_id=team_id,
                        digest=values.digest,
                        tz=zone(values.timezone),
                        channel=values.coordination_channel,
                        first_partner=first_partner,
                        decided=None if (row := rows.get(team_id)) is None else row.digest_decided,
                        covered_until=None if row is None else row.digest_covered_until,
                    )
                )
        return found

    def _queue(
        self,
        digest: WeeklyDigest,
        *,
        channel: str,
        key: str,
        now: datetime,
        passed_over: Sequence[tuple[str, str]] = (),
    ) -> int:
        """The digest and, threaded onto it, its details: one transaction, so all or none. A
        digest that comes to the default channel because the coordination channel refuses
        Liaison says so, for its readers to know and an admin to mend."""
        details = self.messages.digest_details(digest)
        first = self.messages.digest(digest)
        if passed_over:
            why = self.messages.posted_instead(
                [(refused, reason, False) for refused, reason in passed_over]
            )
            first = Rendered(text=first.text, blocks=[*first.blocks, *why.blocks])
        messages = [
            (DIGEST, first, key, None),
            *(
                (DIGEST_DETAIL, detail, f"{key}:detail:{number}", key)
                for number, detail in enumerate(details, start=1)
            ),
        ]
        with Session(self.engine) as session:
            queued = [
                enqueue(
                    session,
                    team_id=digest.team_id,
                    kind=kind,
                    recipient_channel=channel,
                    text=message.text,
                    blocks=message.blocks[:MAX_BLOCKS],
                    due_at=now,
                    dedupe_key=dedupe_key,
                    thread_of_dedupe_key=thread,
                    respect_working_hours=False,
                )
                for kind, message, dedupe_key, thread in messages
            ]
            session.commit()
        return int(queued[0])


def reroute_refused_digest(refused: ChannelRefused, *, messages: DigestMessages) -> bool:
    """A digest Slack refused in the coordination channel goes to the default one, saying why
    (`bot.services.channels.pass_on`); its details follow it into its thread there."""

    def note(passed: Sequence[PassedOver]) -> list[dict[str, Any]]:
        return list(messages.posted_instead(passed).blocks)

    return pass_on(refused, partner_id=None, note=note)
