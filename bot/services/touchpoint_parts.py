"""The touchpoint service's parts of the registry's transactions: a handover of ownership, a
change of deputy, a merge (`bot.services.partner_parts`' HANDOVER_PARTS, DEPUTY_PARTS,
MERGE_PARTS).

They run inside the registry's session, so they take it; the handlers register them without
ever holding a session themselves (STYLE.md: sessions are the services'). The service is made
per runtime by `service_of`, and a merge's findings are worded by `say_findings`, both the
handlers' (a service knows no Block Kit nor wording)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.delivery.absence import person_zone
from bot.runtime import Runtime
from bot.services.registry import Actor, DeputyChange, Handover, Merged, PartnerFacts
from bot.services.touchpoints import MergeFinding, Touchpoints

# How the handlers word a merge's findings for the person merging: (the kept partner, the
# findings, their zone, now, who reads) -> the answer's lines.
SayFindings = Callable[[PartnerFacts, Sequence[MergeFinding], ZoneInfo, datetime, str], list[str]]


@dataclass(frozen=True, kw_only=True)
class TouchpointParts:
    service_of: Callable[[Runtime], Touchpoints]
    say_findings: SayFindings

    def hand_over_intents(
        self, runtime: Runtime, session: Session, actor: Actor, handover: Handover
    ) -> None:
        """In a handover's transaction: the intents the old owner was asked about go to the
        new."""
        self.service_of(runtime).hand_over_intents(session, actor=actor, handover=handover)

    def hand_over_notes(
        self, runtime: Runtime, session: Session, actor: Actor, handover: Handover
    ) -> None:
        """In a handover's transaction: the notes not sent yet to the old owner go to the new."""
        self.service_of(runtime).hand_over_notes(session, actor=actor, handover=handover)

    def cover_for_away_owner(
        self, runtime: Runtime, session: Session, actor: Actor, change: DeputyChange
    ) -> None:
        """In the transaction of a change of deputy: what was handed to the former deputy and
        has not reached them goes to whoever covers now, or back to the owner; what waits for
        an owner who is away, unread (the notes and the questions about intents), goes to
        whoever covers for them now, as when their time away is recorded
        (`handlers.absence`); nothing moves while the owner is not away."""
        owner_id = change.facts.owner_id
        if owner_id is None:
            return
        service = self.service_of(runtime)
        if change.old_deputy_id is not None:
            service.take_back(
                session,
                team_id=actor.team_id,
                deputy_id=change.old_deputy_id,
                partner_id=change.facts.id,
                now=runtime.clock.now(),
            )
        service.cover_unread(
            session, team_id=actor.team_id, user_id=owner_id, now=runtime.clock.now()
        )

    def collide_after_merge(
        self, runtime: Runtime, session: Session, actor: Actor, merged: Merged
    ) -> list[str]:
        """In a merge's transaction: colleagues in touch with "two" partners that are one are
        alerted, and the person merging is told."""
        findings = self.service_of(runtime).merged(session, actor=actor, partner_id=merged.kept.id)
        tz = person_zone(session, team_id=actor.team_id, user_id=actor.user_id)
        return self.say_findings(merged.kept, findings, tz, runtime.clock.now(), actor.user_id)

    def hand_over_after_merge(
        self, runtime: Runtime, session: Session, actor: Actor, merged: Merged
    ) -> list[str]:
        """In a merge's transaction, after its collisions: questions and notes waiting for the
        duplicate's owner go to the kept partner's."""
        self.service_of(runtime).hand_over_after_merge(
            session, actor=actor, partner_id=merged.kept.id, duplicate_name=merged.duplicate_name
        )
        return []
