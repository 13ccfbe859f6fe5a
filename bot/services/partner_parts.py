"""What runs in the registry's transaction of a change to a partner: the notes that tell the
people concerned (queued with the change, so they go only if it holds), and the parts later
features add to it by name (HANDOVER_PARTS, DEPUTY_PARTS, MERGE_PARTS, RENAME_PARTS,
END_PARTS).

They take the registry's session; `handlers.partners` calls them with who did what and
without ever holding a session itself (STYLE.md: sessions are the services'). The notes are
worded by the handlers (`Wording`, their texts) and laid out by them (`note_blocks`): a service
knows no wording nor Block Kit."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.delivery.absence import person_zone
from bot.delivery.outbox import enqueue, withdraw
from bot.runtime import Runtime
from bot.services import people
from bot.services.commitments import Commitments
from bot.services.registry import (
    Actor,
    DeputyChange,
    Handover,
    ListChange,
    Merged,
    PartnerFacts,
    Renamed,
    team_note_prefix,
    team_notes_prefix,
)
from bot.services.touchpoints import Touch, Touchpoints
from storage import outbox as outbox_store
from storage.models import PartnerStatus

# The greeting of a channel chosen for alerts, as recorded in the outbox.
from storage.outbox import CHANNEL_HELLO as CHANNEL_HELLO

# What later features do about a handover, by name, in its transaction (questions the old owner
# was asked go to the new one): each takes the runtime, the session, who handed over and what.
HandoverPart = Callable[[Runtime, Session, Actor, Handover], None]
HANDOVER_PARTS: dict[str, HandoverPart] = {}

# What later features do about a change of deputy (named or cleared), by name, in its
# transaction (what waits for an owner who is away goes to whoever covers now): each takes the
# runtime, the session, who changed the deputy and the change.
DeputyPart = Callable[[Runtime, Session, Actor, DeputyChange], None]
DEPUTY_PARTS: dict[str, DeputyPart] = {}

# What later features do about a merge, by name, in its transaction once the history has moved
# (colleagues who were in touch with "two" partners meet): each returns lines for the answer.
MergePart = Callable[[Runtime, Session, Actor, Merged], list[str]]
MERGE_PARTS: dict[str, MergePart] = {}

# What later features do about a rename, by name, in its transaction (what waits to go under
# the old name is worded under the new one): each takes the runtime, the session, who renamed
# it and the rename.
RenamePart = Callable[[Runtime, Session, Actor, Renamed], None]
RENAME_PARTS: dict[str, RenamePart] = {}

# What later features do when a partner is ended, by name, in that transaction (its running
# pulse round closes): each takes the runtime, the session, who ended it and the partner as it
# is now, and returns lines for the answer.
EndPart = Callable[[Runtime, Session, Actor, PartnerFacts], list[str]]
END_PARTS: dict[str, EndPart] = {}


def reader_zone(engine: Engine, *, team_id: str, user_id: str) -> ZoneInfo:
    """The reader's time zone as cached, else the workspace's."""
    with Session(engine) as session:
        return person_zone(session, team_id=team_id, user_id=user_id)


def zone_not_known(engine: Engine, *, team_id: str, user_id: str) -> ZoneInfo | None:
    """While Slack has not told Liaison the reader's zone, the one their times are read in;
    None once it is known."""
    with Session(engine) as session:
        if people.knows_zone(session, team_id=team_id, user_id=user_id):
            return None
        return person_zone(session, team_id=team_id, user_id=user_id)


def known_admins(engine: Engine, *, team_id: str) -> list[str]:
    """The admins Liaison knows of (`people.known_admins`)."""
    with Session(engine) as session:
        return people.known_admins(session, team_id=team_id)


class Wording(Protocol):
    """How the handlers word the notes about a change (`handlers.texts.partners`)."""

    def owner_of_new_partner(self, facts: PartnerFacts, by: str) -> str: ...
    def put_on_team(self, facts: PartnerFacts, by: str) -> str: ...
    def taken_off_team(self, facts: PartnerFacts, by: str) -> str: ...
    def made_deputy(self, facts: PartnerFacts, by: str, old_deputy: str | None) -> str: ...
    def no_longer_deputy(self, facts: PartnerFacts, by: str) -> str: ...
    def deputy_changed_for_owner(
        self, facts: PartnerFacts, by: str, old_deputy: str | None
    ) -> str: ...
    def status_for_owner(self, facts: PartnerFacts, by: str, before: str) -> str: ...
    def plans_cancelled(self, plans: Sequence[Touch], *, by: str, tz: ZoneInfo) -> str: ...
    def renamed_for_owner(self, result: Renamed, by: str) -> str: ...
    def lost_roles(self, result: Merged) -> dict[str, str]: ...
    def merged_away(self, result: Merged, user_id: str, *, by: str) -> str: ...
    def merged_into_yours(self, result: Merged, *, by: str) -> str: ...
    def handover_to_new_owner(
        self, facts: PartnerFacts, old_owner: str | None, by: str, *, was_deputy: bool = ...
    ) -> str: ...
    def handover_to_old_owner(
        self, facts: PartnerFacts, by: str, *, briefly: bool = ...
    ) -> str: ...
    def follow_ups_handed_over(
        self, facts: PartnerFacts, count: int, old_owner: str, *, reader: str | None
    ) -> str: ...


@dataclass(frozen=True, kw_only=True)
class ChangeBy:
    """Who makes a change, in which run: `trigger_id` (Slack's) makes the keys of the notes
    one command queues its own, so a retried request queues nothing new."""

    runtime: Runtime
    actor: Actor
    trigger_id: str | None

    @property
    def team_id(self) -> str:
        return self.actor.team_id

    @property
    def user_id(self) -> str:
        return self.actor.user_id

    def occasion(self) -> str:
        return self.trigger_id or self.runtime.clock.now().isoformat()


class Side(StrEnum):
    """Which note about owning a partner someone has waiting: that they own it now, that it
    went to someone else, or that they owned it for a while they never heard of."""

    NEW = "new"
    OLD = "old"
    BRIEF = "brief"


def _owner_notes(partner_id: int) -> str:
    """The start of the keys of anyone's notes about owning the partner."""
    return f"handover:{partner_id}:"


def _owner_note_key(partner_id: int, user_id: str, side: Side) -> str:
    """The start of the keys of `user_id`'s notes about owning the partner, on one side."""
    return f"{_owner_notes(partner_id)}{user_id}:{side}:"


def _reader_of(key: str) -> str:
    """Whom a note about a team or an owner (`team_note_prefix`, `_owner_note_key`) is for."""
    return key.split(":")[2]


def _by(user_id: str, occasion: str) -> str:
    """The end of the key of a note that says who put its reader on a team or made them a new
    partner's owner: read back (`_by_of`) to word it again when the partner changes before it
    goes."""
    return f"by={user_id}:{occasion}"


def _by_of(key: str) -> str | None:
    """Who a note's key (`_by`) says made the change it tells of; None for a key without."""
    for part in key.split(":"):
        if part.startswith("by="):
            return part.removeprefix("by=")
    return None


def _new_partner_note(key: str) -> bool:
    """Whether an owner's note (`_owner_note_key`) is the one `add` queued ("registered … and
    made you its owner")."""
    return f":{Side.NEW}:by=" in key and key.endswith(":added")


def _left_key(partner_id: int, user_id: str) -> str:
    """The start of the keys of the notes telling `user_id` they were taken off the team."""
    return f"left:{partner_id}:{user_id}:"


def _deputy_key(partner_id: int, user_id: str) -> str:
    """The start of the keys of the notes telling `user_id` they are the partner's deputy."""
    return f"deputy:{partner_id}:{user_id}:"


@dataclass(frozen=True, kw_only=True)
class PartnerNotes:
    """The notes of the registry's changes and the parts later features add to them, worded
    by `wording` and laid out by `note_blocks`. Ending a partner closes its plans ahead and
    quiets its commitments, and reopening it resumes them: the services for that are made per
    runtime by `touchpoints_of` and `commitments_of` (the handlers')."""

    wording: Wording
    note_blocks: Callable[[str], list[dict[str, Any]]]
    touchpoints_of: Callable[[Runtime], Touchpoints]
    commitments_of: Callable[[Runtime], Commitments]

    def queue_note(
        self,
        runtime: Runtime,
        session: Session,
        *,
        team_id: str,
        kind: str,
        user_id: str,
        text: str,
        key: str,
    ) -> None:
        """Queue a direct message about a change to the registry, in the change's transaction:
        it reaches the person in their working hours, or waits while they are away."""
        enqueue(
            session,
            team_id=team_id,
            kind=kind,
            recipient_user=user_id,
            text=text,
            blocks=self.note_blocks(text),
            due_at=runtime.clock.now(),
            dedupe_key=key,
            respect_working_hours=True,
        )

    def _queue_note_by(
        self, by: ChangeBy, session: Session, *, kind: str, user_id: str, text: str, key: str
    ) -> None:
        """`queue_note` about a change `by` makes, in its workspace."""
        self.queue_note(
            by.runtime, session, team_id=by.team_id, kind=kind, user_id=user_id, text=text, key=key
        )

    def _queue_owner_note(
        self,
        runtime: Runtime,
        session: Session,
        *,
        team_id: str,
        partner_id: int,
        user_id: str,
        side: Side,
        text: str,
        occasion: str,
    ) -> None:
        """Queue a note about owning a partner, in the transaction of the change."""
        key = _owner_note_key(partner_id, user_id, side) + occasion
        self.queue_note(
            runtime, session, team_id=team_id, kind="handover", user_id=user_id, text=text, key=key
        )

    def _rewrite(self, session: Session, *, team_id: str, key: str, text: str) -> None:
        """Word a note not sent yet again."""
        outbox_store.rewrite_unsent(
            session=session,
            team_id=team_id,
            dedupe_key=key,
            text=text,
            blocks=self.note_blocks(text),
        )

    def _joined_notes(
        self, session: Session, *, team_id: str, partner_id: int
    ) -> list[tuple[str, str, str]]:
        """The notes not sent yet that tell colleagues they were put on the partner's team or
        made the owner of it by `add`, each as its key, its reader and who did it (notes
        queued before their keys said so are left out)."""
        keys = [
            key
            for prefix in (team_notes_prefix(partner_id), _owner_notes(partner_id))
            for key in outbox_store.unsent_keys_starting(
                session=session, team_id=team_id, prefix=prefix
            )
            if key.startswith("team:") or _new_partner_note(key)
        ]
        return [(key, _reader_of(key), by) for key in keys if (by := _by_of(key)) is not None]

    def _reword_joined(self, session: Session, *, team_id: str, facts: PartnerFacts) -> None:
        """In the transaction of a change to the partner (its status, name or owner): the
        notes not sent yet that tell colleagues they are on its team or own it since `add`
        (`_joined_notes`) are worded as it is now, which they read when they go ("once it is
        active" of an active partner, an old name, an owner who handed it over). One whose
        reader is no longer what it says (made its owner or deputy since, or no longer its
        owner) is withdrawn: the note of that change tells them. An ended partner's are all
        withdrawn: nobody is to follow it, and joining it is no news."""
        for key, reader, by in self._joined_notes(session, team_id=team_id, partner_id=facts.id):
            if key.startswith("team:"):
                now_true = reader not in (facts.owner_id, facts.deputy_id)
                text = self.wording.put_on_team(facts, by)
            else:
                now_true = reader == facts.owner_id
                text = self.wording.owner_of_new_partner(facts, by)
            if facts.status == PartnerStatus.ENDED or not now_true:
                outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=key)
            else:
                self._rewrite(session, team_id=team_id, key=key, text=text)

    def _queue_team_note(
        self,
        runtime: Runtime,
        session: Session,
        actor: Actor,
        facts: PartnerFacts,
        user_id: str,
        *,
        occasion: str,
    ) -> None:
        """Queue the note to a colleague someone else put on the partner's team."""
        # Taken off and put back before the note that they left went: that note is no longer
        # true.
        withdraw(session, team_id=actor.team_id, key_prefix=_left_key(facts.id, user_id))
        self.queue_note(
            runtime,
            session,
            team_id=actor.team_id,
            kind="team",
            user_id=user_id,
            text=self.wording.put_on_team(facts, actor.user_id),
            key=team_note_prefix(facts.id, user_id) + _by(actor.user_id, occasion),
        )

    def added(
        self,
        by: ChangeBy,
        told: list[str],
        members: list[str],
        deputy_told: list[str],
        session: Session,
        facts: PartnerFacts,
        *,
        team: Sequence[str],
    ) -> None:
        """In the transaction of `add` (its line or its form): the owner, the team
        (`_queue_add_notes`) and a deputy named with it hear of it as after `owner`, `team add`
        and `deputy`; the owner, whose note says who the deputy is, reads no second one about
        it."""
        self._queue_add_notes(by.runtime, by.actor, told, members, session, facts, team=team)
        if facts.deputy_id is not None:
            change = DeputyChange(facts=facts, old_deputy_id=None)
            self.deputy_changed(by, deputy_told, session, change, tell_owner=False)

    def _queue_add_notes(
        self,
        runtime: Runtime,
        actor: Actor,
        told: list[str],
        members: list[str],
        session: Session,
        facts: PartnerFacts,
        *,
        team: Sequence[str] = (),
    ) -> None:
        """In the transaction of `add`: an owner someone else named hears that the partner is
        theirs, as after a handover, and is named in `told`; colleagues put on its `team` (but
        the owner, the deputy and the caller) hear that they are on it, and are named in
        `members`."""
        for user_id in dict.fromkeys(team):
            if user_id in (facts.owner_id, facts.deputy_id, actor.user_id):
                continue
            self._queue_team_note(runtime, session, actor, facts, user_id, occasion="added")
            members.append(user_id)
        if facts.owner_id is None or facts.owner_id == actor.user_id:
            return
        self._queue_owner_note(
            runtime,
            session,
            team_id=actor.team_id,
            partner_id=facts.id,
            user_id=facts.owner_id,
            side=Side.NEW,
            text=self.wording.owner_of_new_partner(facts, actor.user_id),
            occasion=_by(actor.user_id, "added"),
        )
        told.append(facts.owner_id)

    def deputy_changed(
        self,
        by: ChangeBy,
        told: list[str],
        session: Session,
        change: DeputyChange,
        *,
        tell_owner: bool = True,
    ) -> None:
        """In the transaction of a change of deputy: the new deputy, the old one and the owner
        (but whoever made the change; the owner only with `tell_owner`) are told, one note
        each, and named in `told`; then later features' parts of naming a deputy
        (`DEPUTY_PARTS`)."""
        facts, caller = change.facts, by.user_id
        old, new = change.old_deputy_id, facts.deputy_id
        this = by.occasion()
        notes: list[tuple[str, str, str]] = []
        if new is not None and new != caller:
            text = self.wording.made_deputy(facts, caller, old)
            notes.append((new, text, _deputy_key(facts.id, new)))
        # A deputy replaced before their note went out (by themselves too) never hears of it.
        unheard = (
            old is not None
            and withdraw(session, team_id=by.team_id, key_prefix=_deputy_key(facts.id, old)) > 0
        )
        if old is not None and old != caller and not unheard:
            text = self.wording.no_longer_deputy(facts, caller)
            notes.append((old, text, f"deputy_ended:{facts.id}:{old}:"))
        if tell_owner and facts.owner_id is not None and facts.owner_id != caller:
            text = self.wording.deputy_changed_for_owner(facts, caller, old)
            notes.append((facts.owner_id, text, f"deputy_owner:{facts.id}:{facts.owner_id}:"))
        for user_id, text, key in notes:
            self._queue_note_by(
                by,
                session,
                kind="deputy",
                user_id=user_id,
                text=text,
                key=key + this,
            )
            told.append(user_id)
        for part in DEPUTY_PARTS.values():
            part(by.runtime, session, by.actor, change)

    def team_added(
        self, by: ChangeBy, told: list[str], session: Session, change: ListChange
    ) -> None:
        """In the transaction of `team add`: each colleague put on the team by someone else is
        told, and named in `told`."""
        for user_id in change.changed:
            if user_id != by.user_id:
                self._queue_team_note(
                    by.runtime, session, by.actor, change.facts, user_id, occasion=by.occasion()
                )
                told.append(user_id)

    def team_removed(
        self, by: ChangeBy, told: list[str], session: Session, change: ListChange
    ) -> None:
        """In the transaction of `team remove`: each colleague taken off the team by someone
        else is told, as `team add` tells them they were put on it, and named in `told`."""
        for user_id in change.changed:
            if user_id == by.user_id or user_id in change.unheard:
                continue
            # Made its deputy, and taken off, before the note of it went: told of neither.
            deputy_note = _deputy_key(change.facts.id, user_id)
            if withdraw(session, team_id=by.team_id, key_prefix=deputy_note):
                continue
            self.queue_note(
                by.runtime,
                session,
                team_id=by.team_id,
                kind="team",
                user_id=user_id,
                text=self.wording.taken_off_team(change.facts, by.user_id),
                key=_left_key(change.facts.id, user_id) + _by(by.user_id, by.occasion()),
            )
            told.append(user_id)

    def status_changed(
        self,
        by: ChangeBy,
        told: list[str],
        closed: list[str],
        session: Session,
        facts: PartnerFacts,
        before: str,
    ) -> None:
        """In the transaction of `status`: the owner hears of it (`tell_owner`). An ended
        partner is followed by nobody: its plans ahead and intents waiting are closed, the
        notes about its open commitments withdrawn, and what later features run for it
        (`END_PARTS`) adds lines to `closed`; reopened, those notes go again."""
        text = self.wording.status_for_owner(facts, by.user_id, before)
        self.tell_owner(by, told, session, facts, text, what="status")
        self._reword_joined(session, team_id=by.team_id, facts=facts)
        runtime = by.runtime
        if facts.status == PartnerStatus.ENDED:
            for part in END_PARTS.values():
                closed.extend(part(runtime, session, by.actor, facts))
            plans = self.touchpoints_of(runtime).close_ahead_of_ended(
                session, actor=by.actor, facts=facts, now=runtime.clock.now()
            )
            if plans:
                # Gone from "Coming up": the caller is told which, and who hears of it.
                tz = person_zone(session, team_id=by.team_id, user_id=by.user_id)
                closed.append(self.wording.plans_cancelled(plans, by=by.user_id, tz=tz))
            self.commitments_of(runtime).quiet_for_ended(
                session, team_id=by.team_id, partner_id=facts.id
            )
        elif before == PartnerStatus.ENDED:
            self.commitments_of(runtime).resume_for_reopened(
                session, team_id=by.team_id, partner_id=facts.id, now=runtime.clock.now()
            )

    def tell_owner(
        self,
        by: ChangeBy,
        told: list[str],
        session: Session,
        facts: PartnerFacts,
        text: str,
        *,
        what: str,
    ) -> None:
        """In the transaction of a change to a partner: its owner hears of it, unless they made
        it, and is named in `told`."""
        owner = facts.owner_id
        if owner is None or owner == by.user_id:
            return
        self._queue_note_by(
            by,
            session,
            kind=what,
            user_id=owner,
            text=text,
            key=f"{what}:{facts.id}:{owner}:{by.occasion()}",
        )
        told.append(owner)

    def renamed(self, by: ChangeBy, told: list[str], session: Session, renamed: Renamed) -> None:
        """In the transaction of `rename`: the owner hears of it, then later features' parts
        (`RENAME_PARTS`)."""
        text = self.wording.renamed_for_owner(renamed, by.user_id)
        self.tell_owner(by, told, session, renamed.facts, text, what="rename")
        self._reword_joined(session, team_id=by.team_id, facts=renamed.facts)
        for part in RENAME_PARTS.values():
            part(by.runtime, session, by.actor, renamed)

    def merged(self, by: ChangeBy, told: list[str], session: Session, merged: Merged) -> list[str]:
        """In the merge's transaction: the duplicate's owner and deputy (but the caller) are
        told that it is gone and what they are now, named in `told`; then later features'
        parts (`MERGE_PARTS`), whose lines go in the answer.

        What waits unsent about the duplicate is out of date (`_merged_notes`). The promises
        the duplicate owes us that its owner followed up go to the kept partner's owner, as
        after a handover (`Commitments.hand_over_follow_ups`), but not the kept partner's own
        that they happened to follow up too: both owners' notes say so (the kept one's, unless
        they made the merge, says only that), and so does a line of the answer."""
        this, kept = by.occasion(), merged.kept
        self._merged_notes(by, session, merged)
        old, new = merged.duplicate_owner_id, kept.owner_id
        among = Commitments.from_duplicate(merged)
        follow_ups = self._follow_ups_to(by, session, kept, old=old, new=new, among=among)
        lost = self.wording.lost_roles(merged)
        for user_id in lost:
            if user_id == by.user_id:
                continue
            text = self.wording.merged_away(merged, user_id, by=by.user_id)
            if user_id in (old, new):
                text += follow_ups(user_id)
            self._queue_note_by(
                by,
                session,
                kind="merge",
                user_id=user_id,
                text=text,
                key=f"merge:{this}:{user_id}",
            )
            told.append(user_id)
        to_new = follow_ups(new)
        if new is not None and to_new and new != by.user_id and new not in lost:
            self._queue_note_by(
                by,
                session,
                kind="merge",
                user_id=new,
                text=self.wording.merged_into_yours(merged, by=by.user_id) + to_new,
                key=f"merge:{this}:{new}",
            )
            told.append(new)
        said = follow_ups(new if new == by.user_id else None).strip()
        return ([said] if said else []) + [
            line
            for part in MERGE_PARTS.values()
            for line in part(by.runtime, session, by.actor, merged)
        ]

    def _follow_ups_to(
        self,
        by: ChangeBy,
        session: Session,
        facts: PartnerFacts,
        *,
        old: str | None,
        new: str | None,
        among: Collection[int] | None = None,
    ) -> Callable[[str | None], str]:
        """The promises the partner owes us that `old` followed up (those of `among`, when
        given) go to its owner `new` (`Commitments.hand_over_follow_ups`); what says so to a
        reader (`follow_ups_handed_over`, after a space), or nothing when none moved."""
        if old is None or new is None or old == new:
            return lambda reader: ""
        moved = len(
            self.commitments_of(by.runtime).hand_over_follow_ups(
                session,
                team_id=by.team_id,
                partner_id=facts.id,
                old_owner_id=old,
                new_owner_id=new,
                now=by.runtime.clock.now(),
                among=among,
            )
        )
        if not moved:
            return lambda reader: ""
        return lambda reader: (
            " " + self.wording.follow_ups_handed_over(facts, moved, old, reader=reader)
        )

    def _merged_notes(self, by: ChangeBy, session: Session, merged: Merged) -> None:
        """In the merge's transaction: the notes not sent yet that make anyone the duplicate's
        owner or deputy are withdrawn (its owner and deputy hear of the merge instead, and
        whoever holds a role on the kept partner needs no word of one on a partner gone). Those
        that put colleagues on its team (`_joined_notes`) are worded under the kept partner,
        whose team they are on now, unless they hold a role there or made the merge. The kept
        partner's own are worded as it is now (`_reword_joined`): a merge may make it active."""
        kept, gone = merged.kept, merged.duplicate_id
        if gone is not None:
            joined = self._joined_notes(session, team_id=by.team_id, partner_id=gone)
            for key in outbox_store.unsent_keys_starting(
                session=session, team_id=by.team_id, prefix=_owner_notes(gone)
            ):
                if f":{Side.NEW}:" in key:
                    outbox_store.cancel_unsent(session=session, team_id=by.team_id, dedupe_key=key)
            withdraw(session, team_id=by.team_id, key_prefix=f"deputy:{gone}:")
            withdraw(session, team_id=by.team_id, key_prefix=team_notes_prefix(gone))
            told = set(self.wording.lost_roles(merged)) | {kept.owner_id, kept.deputy_id}
            for key, reader, who in joined:
                if key.startswith("team:") and reader not in told | {by.user_id}:
                    occasion = _by(who, f"merged:{gone}")
                    self.queue_note(
                        by.runtime,
                        session,
                        team_id=by.team_id,
                        kind="team",
                        user_id=reader,
                        text=self.wording.put_on_team(kept, who),
                        key=team_note_prefix(kept.id, reader) + occasion,
                    )
        self._reword_joined(session, team_id=by.team_id, facts=kept)

    def handed_over(
        self,
        by: ChangeBy,
        told: list[str],
        session: Session,
        handover: Handover,
        *,
        said: list[str] | None = None,
    ) -> None:
        """Queue the handover messages to the new and the old owner (not to whoever did it) in
        the handover's own transaction, naming in `told` who will hear. Later features' parts
        of a handover (`HANDOVER_PARTS`) run in it too.

        A note about an earlier handover of the partner that is still waiting is out of date
        now and is withdrawn: the old owner's "you own it now" (they hear instead that they
        owned it for a while), the new owner's "it went to someone else" (they own it as they
        thought, and hear nothing) and their "you owned it for a while" (they hear that they
        own it).

        The promises the partner owes us that the old owner followed up go to the new owner
        with it (`Commitments.hand_over_follow_ups`): both notes say so, and so does a line
        added to `said` for whoever did it."""
        facts, caller = handover.facts, by.user_id
        new, old = handover.new_owner_id, handover.old_owner_id

        def withdraw_note(user_id: str, side: Side) -> bool:
            key = _owner_note_key(facts.id, user_id, side)
            return withdraw(session, team_id=by.team_id, key_prefix=key) > 0

        briefly = old is not None and withdraw_note(old, Side.NEW)
        still_owned = withdraw_note(new, Side.OLD)
        withdraw_note(new, Side.BRIEF)
        # A deputy made the owner need not read first that they are its deputy.
        withdraw(session, team_id=by.team_id, key_prefix=_deputy_key(facts.id, new))
        follow_ups = self._follow_ups_to(by, session, facts, old=old, new=new)
        notes: list[tuple[str, Side, str]] = []
        if new != caller and not still_owned:
            to_new = self.wording.handover_to_new_owner(
                facts, old, caller, was_deputy=handover.was_deputy
            )
            notes.append((new, Side.NEW, to_new + follow_ups(new)))
        if old is not None and old != caller:
            side = Side.BRIEF if briefly else Side.OLD
            text = self.wording.handover_to_old_owner(facts, caller, briefly=briefly)
            notes.append((old, side, text + follow_ups(old)))
        line = follow_ups(new if new == caller else None).strip()
        if said is not None and line:
            said.append(line)
        this = by.occasion()
        for user_id, side, text in notes:
            self._queue_owner_note(
                by.runtime,
                session,
                team_id=by.team_id,
                partner_id=facts.id,
                user_id=user_id,
                side=side,
                text=text,
                occasion=this,
            )
            told.append(user_id)
        self._reword_joined(session, team_id=by.team_id, facts=facts)
        # After the notes: the new owner reads of the handover before what comes with it.
        for part in HANDOVER_PARTS.values():
            part(by.runtime, session, by.actor, handover)
