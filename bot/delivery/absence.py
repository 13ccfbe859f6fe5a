"""Absences: who is away, who covers their alerts, and what happens to their messages.

While someone is away, direct messages to them wait in the outbox (held) until they are back,
and are cancelled if they expire first; alerts meant for them as a partner's owner go to the
partner's deputy, or else to the deputy they named when they went away. Who is away is judged
at the moment a message would reach them (their first working slot), not when it is queued: an
alert raised on a Friday evening for an owner who is off all next week goes to their deputy
(with nobody to cover, it reaches the owner after that week). A cover whose DM would arrive
only once the owner is back is passed over: the owner has it, once back.

Once time away is over, what colleagues did meanwhile is summed up for the person once: in the
reply to `back`, or else in a direct message at their first working moment back
(`returns_to_sum_up`, for a planner). Pieces of one time away (an absence booked over part of
another splits it) count as one, and so does time away booked again before the first was summed
up: the summary waits until the person is back from it all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.delivery import outbox
from bot.delivery.outbox import Schedule, schedule_of
from bot.delivery.working_hours import person_tz, zone
from storage import absences as store
from storage import outbox as outbox_store
from storage import partners as partner_store
from storage.models import Absence
from storage.partners import OwnedPartner
from storage.people import get_profile
from storage.workspaces import get_workspaces


def is_away(session: Session, *, team_id: str, user_id: str, at: datetime) -> bool:
    """True when the user marked themselves away for a time that includes `at`."""
    return store.absence_at(session=session, team_id=team_id, user_id=user_id, at=at) is not None


def absence_when_reached(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    schedule: Schedule | None = None,
) -> Absence | None:
    """The user's absence at the moment a DM queued for them at `now` would reach them (their
    first working slot, as `enqueue` computes it), if they are away then.

    A DM that falls due while its person is away is held until they are back: someone present
    now but off duty until a morning inside their time away is, for a message, away.

    Its `ends_at` is when they are back from it all: time away booked to follow on (from the
    next day, or before their first working moment after it) is held through as well, so what
    callers say of their return ("away through …") is when the DM reaches them (QA: with
    Monday and Tuesday booked apart, `intend` said the owner was "away through Mon 7 Dec").
    """
    if schedule is None:
        schedule = schedule_of(session, team_id=team_id, user_id=user_id)
    reached = reached_at(session, team_id=team_id, user_id=user_id, now=now, schedule=schedule)
    absence = store.absence_at(session=session, team_id=team_id, user_id=user_id, at=reached)
    if absence is None:
        return None
    ends_at = absence.ends_at
    while (
        more := store.absence_at(
            session=session,
            team_id=team_id,
            user_id=user_id,
            at=schedule.first_slot(ends_at, key=user_id),
        )
    ) is not None:
        ends_at = more.ends_at
    if ends_at == absence.ends_at:
        return absence
    # A copy, never added to the session: the stored pieces stay as they were booked.
    return absence.model_copy(update={"ends_at": ends_at})


def reached_at(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    schedule: Schedule | None = None,
) -> datetime:
    """When a DM queued for the user at `now` would reach them: their first working slot, as
    `enqueue` computes it."""
    if schedule is None:
        schedule = schedule_of(session, team_id=team_id, user_id=user_id)
    return schedule.first_slot(now, key=user_id)


def reached_back_at(session: Session, *, team_id: str, user_id: str, now: datetime) -> datetime:
    """When a DM queued for the user at `now` reaches them, held as the dispatcher holds it:
    their first working slot when they are not away then, else their first slot after the
    time away (and after any that follows it)."""
    schedule = schedule_of(session, team_id=team_id, user_id=user_id)
    reached = schedule.first_slot(now, key=user_id)
    while (
        absence := store.absence_at(session=session, team_id=team_id, user_id=user_id, at=reached)
    ) is not None:
        reached = schedule.first_slot(absence.ends_at, key=user_id)
    return reached


def recipient_for_owner_alert(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    partner_deputy_id: str | None,
    now: datetime,
    schedule: Callable[[str], Schedule] | None = None,
) -> str:
    """Who gets an alert meant for a partner's owner, queued at `now`.

    Each person is judged at the moment the DM would reach them (`absence_when_reached`): the
    owner unless they are away then; else the partner's deputy unless they are away when it
    would reach them, or the owner is back by then; else the deputy the owner named for that
    absence, on the same terms; else, should both be away, whichever of them is back first,
    their DM held until then (`reached_back_at`), unless the owner is back by then; else the
    owner, whose DM then waits until they are back.
    A cover whose DM would arrive once the owner is back is not told that they cover for an
    owner who "is away", and two people do not handle one thing. `schedule` gives a person's
    schedule when the caller has it at hand (else it is read).
    """

    def schedule_for(user_id: str) -> Schedule:
        known = None if schedule is None else schedule(user_id)
        return known or schedule_of(session, team_id=team_id, user_id=user_id)

    def away(user_id: str, at: datetime) -> Absence | None:
        return store.absence_at(session=session, team_id=team_id, user_id=user_id, at=at)

    def reaches_back(user_id: str) -> datetime:
        # As the dispatcher holds a DM: their first working slot, else the first after their
        # time away (and any that follows it).
        theirs = schedule_for(user_id)
        reached = theirs.first_slot(now, key=user_id)
        while (own := away(user_id, reached)) is not None:
            reached = theirs.first_slot(own.ends_at, key=user_id)
        return reached

    absence = away(owner_id, schedule_for(owner_id).first_slot(now, key=owner_id))
    if absence is None:
        return owner_id
    covers = [
        user
        for user in dict.fromkeys((partner_deputy_id, absence.deputy_id))
        if user and user != owner_id
    ]
    # When the DM would reach each cover, held while they are away themselves.
    reached = {cover: reaches_back(cover) for cover in covers}
    here = [
        cover
        for cover in covers
        if reached[cover] == schedule_for(cover).first_slot(now, key=cover)
    ]
    # A cover who is not away first; else the one back soonest, before the owner is: a short
    # absence at the start of the owner's does not hide a cover for all of it.
    for cover in here or sorted(covers, key=lambda cover: reached[cover]):
        owner_back = reached[cover] >= absence.ends_at and not away(owner_id, reached[cover])
        if not owner_back:
            return cover
    return owner_id


def person_zone(session: Session, *, team_id: str, user_id: str) -> ZoneInfo:
    """The user's time zone as cached from Slack, else the workspace's, else UTC."""
    profile = get_profile(session=session, team_id=team_id, user_id=user_id)
    workspace = get_workspaces(session=session, team_ids=[team_id]).get(team_id)
    return zone(person_tz(profile, workspace))


@dataclass(frozen=True)
class Period:
    """A stretch of time away: from `starts_at` up to (not including) `ends_at`."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Shortened:
    """An earlier absence a new one covered in part, and the stretches of it that are left."""

    before: Period
    left: tuple[Period, ...]


@dataclass(frozen=True)
class AwayResult:
    """An absence as recorded, and the earlier ones it overlapped: those it covered (replaced)
    and those it covered in part (shortened: they keep their other days)."""

    starts_at: datetime
    ends_at: datetime
    deputy_id: str | None
    replaced: tuple[Period, ...] = ()
    shortened: tuple[Shortened, ...] = ()


class Retime(Protocol):
    """Times again, in the caller's transaction, what waits for the person's working days
    (`bot.delivery.working_days`) now that their time away changed."""

    def __call__(self, session: Session, *, team_id: str, user_id: str, now: datetime) -> None: ...


class SummedUp(Protocol):
    """Runs in `back`'s transaction once the person's time away (`away`) is summed up for them
    until `now`, before what waited for them is released: what the summary tells them need
    not reach them again."""

    def __call__(
        self, session: Session, *, team_id: str, user_id: str, away: Period, now: datetime
    ) -> None: ...


def go_away(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    starts_at: datetime,
    ends_at: datetime,
    deputy_id: str | None,
    now: datetime,
    retime: Sequence[Retime] = (),
    tell_owner: OwnerLeftUncovered | None = None,
    tell_deputies: DeputyWords | None = None,
) -> AwayResult:
    """Record time away (winning over earlier absences where they overlap), time again what
    waits for the person (`retime`), tell the owners whose partners it leaves with nobody
    covering (`tell_owner` words the DM), tell the deputies it names that they cover, and
    those it leaves out that they no longer do (`tell_deputies` words the DMs), and commit."""
    with Session(engine) as session:
        overlapped = store.record_absence(
            session=session,
            team_id=team_id,
            user_id=user_id,
            starts_at=starts_at,
            ends_at=ends_at,
            deputy_id=deputy_id,
            created_at=now,
        )
        for again in retime:
            again(session, team_id=team_id, user_id=user_id, now=now)
        if tell_owner is not None:
            _tell_owners_left_uncovered(
                session,
                team_id=team_id,
                user_id=user_id,
                period=Period(starts_at, ends_at),
                now=now,
                text=tell_owner,
            )
        if tell_deputies is not None:
            window = Period(
                min([starts_at, *(o.starts_at for o in overlapped)]),
                max([ends_at, *(o.ends_at for o in overlapped)]),
            )
            _tell_deputies(
                session,
                team_id=team_id,
                user_id=user_id,
                window=window,
                now=now,
                words=tell_deputies,
            )
        session.commit()
    return AwayResult(
        starts_at=starts_at,
        ends_at=ends_at,
        deputy_id=deputy_id,
        replaced=tuple(Period(o.starts_at, o.ends_at) for o in overlapped if not o.left),
        shortened=tuple(
            Shortened(
                before=Period(o.starts_at, o.ends_at),
                left=tuple(Period(start, end) for start, end in o.left),
            )
            for o in overlapped
            if o.left
        ),
    )


class OwnerLeftUncovered(Protocol):
    """The DM to an owner whose partners' deputy `deputy_id` is away on `days` of their own
    time away (`covering`), with nobody else covering."""

    def __call__(self, covering: Covering, *, deputy_id: str, days: tuple[Period, ...]) -> str: ...


# The outbox kind of the DM telling an owner their partner's deputy is away during their time away.
OWNER_LEFT_UNCOVERED = "owner_left_uncovered"


def _tell_owners_left_uncovered(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    period: Period,
    now: datetime,
    text: OwnerLeftUncovered,
) -> None:
    """Queue, in the caller's transaction, one DM to each owner whose partners `user_id` (their
    deputy) leaves with nobody covering on days of the owner's time away `period` overlaps (QA:
    the deputy was told, the owner not). Keyed by the days, so booking them again says nothing."""
    for covering in _coverings(session, team_id=team_id, user_id=user_id, period=period):
        if not covering.partners or covering.taker is not None:
            continue
        both = _overlap((covering.period,), (period,))
        days = _in_days(both, covering.period, covering.tz)
        if not days:
            continue
        spans = ",".join(f"{day.starts_at.isoformat()}/{day.ends_at.isoformat()}" for day in days)
        outbox.enqueue(
            session,
            team_id=team_id,
            kind=OWNER_LEFT_UNCOVERED,
            recipient_user=covering.owner_id,
            text=text(covering, deputy_id=user_id, days=days),
            due_at=now,
            dedupe_key=f"{OWNER_LEFT_UNCOVERED}:{covering.owner_id}:{user_id}:{spans}",
            respect_working_hours=True,
            # News to act on before the uncovered days begin. A DM not sent by then waits for
            # the owner's return, when those days are over and its alerts reach them anyway (QA:
            # back on Thursday, the owner read the deputy "will be away from Mon 30 Nov to Tue
            # 1 Dec", with advice to book a cover for days gone).
            expires_at=min(day.starts_at for day in days),
            now=now,
        )


class DeputyNamed(Protocol):
    """The DM to the deputy `owner_id` named for time away (`period`, read in `tz`: the
    owner's zone; `deputy_tz`: the deputy's own): they cover for `partners` (those the owner
    owns with no deputy of their own, or with them as it) and the owner's commitments;
    `changed`: they were told of other days of it before."""

    def __call__(
        self,
        *,
        owner_id: str,
        period: Period,
        tz: ZoneInfo,
        deputy_tz: ZoneInfo,
        partners: Sequence[str],
        changed: bool,
    ) -> str: ...


class DeputyUnnamed(Protocol):
    """The DM to a deputy told they cover `owner_id`'s time away (`told`, read in `tz`, the
    owner's zone; `deputy_tz`: the deputy's own) who covers none of it any more: it was
    called off (`called_off`), or booked again naming `taker` (None: nobody) instead."""

    def __call__(
        self,
        *,
        owner_id: str,
        told: Period,
        tz: ZoneInfo,
        deputy_tz: ZoneInfo,
        taker: str | None,
        called_off: bool,
    ) -> str: ...


@dataclass(frozen=True)
class DeputyWords:
    """How the DMs to deputies about time away booked, changed or called off are worded."""

    named: DeputyNamed
    unnamed: DeputyUnnamed


# The outbox kind of the DM telling a colleague they were named to cover someone's time away.
DEPUTY_NAMED = "deputy_named"
# The outbox kind of the DM telling a deputy told so that they cover none of it any more.
DEPUTY_UNNAMED = "deputy_unnamed"


def _named_prefix(owner_id: str, deputy_id: str | None = None) -> str:
    """The keys of the notes telling deputies they cover `owner_id`'s time away (of one)."""
    return f"{DEPUTY_NAMED}:{owner_id}:" + ("" if deputy_id is None else f"{deputy_id}:")


def _named_key(owner_id: str, deputy_id: str, period: Period, now: datetime) -> str:
    """A note's key: the time away still to come it tells of (begun: from `now`, whenever
    that is, so that the same line typed again a minute later is the same news)."""
    start = period.starts_at.isoformat() if period.starts_at > now else "now"
    return f"{_named_prefix(owner_id, deputy_id)}{start}/{period.ends_at.isoformat()}"


def _named_period(key: str, owner_id: str, now: datetime) -> tuple[str, Period] | None:
    """The deputy and the time away a note's key (`_named_key`) stands for, begun ones from
    `now`; None for a key of another shape."""
    deputy_id, _, span_key = key.removeprefix(_named_prefix(owner_id)).partition(":")
    start, _, end = span_key.partition("/")
    end = end.partition("#")[0]  # told again after being told they no longer cover
    try:
        ends_at = datetime.fromisoformat(end)
        starts_at = now if start == "now" else datetime.fromisoformat(start)
    except ValueError:
        return None
    return deputy_id, Period(min(starts_at, ends_at), ends_at)


def _meets(first: Period, second: Period) -> bool:
    return first.starts_at < second.ends_at and second.starts_at < first.ends_at


def _withdraw_named(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    now: datetime,
    period: Period | None = None,
    deputy_id: str | None = None,
) -> set[str]:
    """Withdraw, in the caller's transaction, the notes not sent yet that told deputies (or
    `deputy_id`) they cover `owner_id`'s time away (that overlapping `period`, when given):
    what they said may no longer be so, and the deputy hears only what stands. Their keys are
    forgotten, so the same time away may be told afresh. Returns the deputies whose note was
    withdrawn."""
    withdrawn: set[str] = set()
    prefix = _named_prefix(owner_id, deputy_id)
    for key in outbox_store.unsent_keys_starting(session=session, team_id=team_id, prefix=prefix):
        told = _named_period(key, owner_id, now)
        if told is None or (period is not None and not _meets(told[1], period)):
            continue
        outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=key)
        outbox_store.forget_cancelled(session=session, team_id=team_id, dedupe_key=key)
        withdrawn.add(told[0])
    return withdrawn


def _covered_by(
    session: Session, *, team_id: str, owner_id: str, window: Period, now: datetime
) -> dict[str, list[Period]]:
    """Who the owner named to cover their time away that meets `window`, with the stretches
    each covers (the pieces naming them, those that follow on joined), still to come."""
    pieces = store.absences_between(
        session=session,
        team_id=team_id,
        user_id=owner_id,
        start=window.starts_at,
        end=window.ends_at,
    )
    found: dict[str, list[Period]] = {}
    for piece in pieces:  # earliest first
        if piece.deputy_id is None or piece.deputy_id == owner_id or piece.ends_at <= now:
            continue
        stretches = found.setdefault(piece.deputy_id, [])
        if stretches and stretches[-1].ends_at >= piece.starts_at:
            last = stretches[-1]
            stretches[-1] = Period(last.starts_at, max(last.ends_at, piece.ends_at))
        else:
            stretches.append(Period(piece.starts_at, piece.ends_at))
    return found


def _told_no_more(
    session: Session, *, team_id: str, user_id: str, deputy_id: str, key: str
) -> bool:
    """Whether the deputy told they cover (by the note under `key`) was told since that they
    no longer do: left out or called off (`DEPUTY_UNNAMED`), or the owner back early
    (`DEPUTY_RELEASED`)."""
    told = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=key)
    if told is None:
        return False
    if outbox_store.get_message(
        session=session, team_id=team_id, dedupe_key=f"{DEPUTY_UNNAMED}:{key}"
    ):
        return True
    released = outbox_store.latest_with_prefix(
        session=session, team_id=team_id, key_prefix=f"{DEPUTY_RELEASED}:{user_id}:{deputy_id}:"
    )
    return released is not None and (released.id or 0) > (told.id or 0)


def _taker(covered: dict[str, list[Period]], told: Period) -> str | None:
    """Who covers some of the days a deputy left out was told of (`_covered_by`), if anyone."""
    return next(
        (who for who, theirs in covered.items() if any(_meets(told, t) for t in theirs)), None
    )


def _tell_deputies(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    window: Period,
    now: datetime,
    words: DeputyWords,
    called_off: bool = False,
) -> None:
    """Queue, in the caller's transaction, what the deputies of `user_id`'s time away that
    meets `window` (just booked, booked again, or called off) need to hear, in their working
    hours (QA: Ben learnt he covered only when alerts came): to each now named, the stretch
    they cover (the stretches next to it naming them too, joined), once; to one told before
    who covers none of what they were told of any more, that they no longer do. What has not
    reached them yet is withdrawn first, so they read only what stands. Keyed by what is told,
    so the same line typed again (or retried by Slack) tells nothing more."""
    covered = _covered_by(session, team_id=team_id, owner_id=user_id, window=window, now=now)
    window = Period(
        min([window.starts_at, *(s.starts_at for each in covered.values() for s in each)]),
        max([window.ends_at, *(s.ends_at for each in covered.values() for s in each)]),
    )
    withdrawn = _withdraw_named(session, team_id=team_id, owner_id=user_id, now=now, period=window)
    ever_told = {
        told[0]
        for key in outbox_store.keys_starting(
            session=session, team_id=team_id, prefix=_named_prefix(user_id)
        )
        if (told := _named_period(key, user_id, now)) is not None
    }
    tz = person_zone(session, team_id=team_id, user_id=user_id)
    owned = partner_store.owned_by(session=session, team_id=team_id, user_id=user_id)
    for deputy_id in sorted(set(covered) | withdrawn | ever_told):
        # What they read last of this time away: a note since about other days of the owner's
        # (another booking naming them too) says nothing of these.
        latest, before = next(
            (
                (key, told[1])
                for key in outbox_store.told_keys(
                    session=session, team_id=team_id, key_prefix=_named_prefix(user_id, deputy_id)
                )
                if (told := _named_period(key, user_id, now)) is not None
                and _meets(told[1], window)
            ),
            (None, None),
        )
        if latest is not None and _told_no_more(
            session, team_id=team_id, user_id=user_id, deputy_id=deputy_id, key=latest
        ):
            before = None  # what they were told last is that they cover no more
        stretches = covered.get(deputy_id, [])
        deputy_tz = person_zone(session, team_id=team_id, user_id=deputy_id)
        for stretch in stretches:
            key = _named_key(user_id, deputy_id, stretch, now)
            if _told_no_more(
                session, team_id=team_id, user_id=user_id, deputy_id=deputy_id, key=key
            ):
                # Told these very days, then that they no longer cover them (called off, or
                # the owner back early): named again, told again.
                key += f"#{now.isoformat()}"
            outbox.enqueue(
                session,
                team_id=team_id,
                kind=DEPUTY_NAMED,
                recipient_user=deputy_id,
                text=words.named(
                    owner_id=user_id,
                    period=stretch,
                    tz=tz,
                    deputy_tz=deputy_tz,
                    partners=[p.name for p in owned if p.deputy_id in (None, deputy_id)],
                    changed=before is not None and _meets(before, stretch),
                ),
                due_at=now,
                dedupe_key=key,
                respect_working_hours=True,
                # Once the time away is over there is nothing left to cover.
                expires_at=stretch.ends_at,
                now=now,
            )
        if before is None or before.ends_at <= now or any(_meets(before, s) for s in stretches):
            continue
        outbox.enqueue(
            session,
            team_id=team_id,
            kind=DEPUTY_UNNAMED,
            recipient_user=deputy_id,
            text=words.unnamed(
                owner_id=user_id,
                told=before,
                tz=tz,
                deputy_tz=deputy_tz,
                taker=None if called_off else _taker(covered, before),
                called_off=called_off,
            ),
            due_at=now,
            dedupe_key=f"{DEPUTY_UNNAMED}:{latest}",
            respect_working_hours=True,
            expires_at=before.ends_at,
            now=now,
        )


def drop_deputy(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    deputy_id: str,
    now: datetime,
    retime: Sequence[Retime] = (),
) -> bool:
    """Take a deputy who cannot cover (no colleague: gone, unknown, a bot) off the user's
    absences; whether any named them. Alerts then go as if no deputy was named; `retime` runs
    in the same transaction when any did (what waits says who covers now)."""
    with Session(engine) as session:
        dropped = store.drop_deputy(
            session=session, team_id=team_id, user_id=user_id, deputy_id=deputy_id
        )
        if dropped:
            # Not a colleague to cover: what told them they cover does not go.
            _withdraw_named(
                session, team_id=team_id, owner_id=user_id, now=now, deputy_id=deputy_id
            )
            for again in retime:
                again(session, team_id=team_id, user_id=user_id, now=now)
        session.commit()
    return dropped > 0


class DeputyReleased(Protocol):
    """The DM to the deputy `owner_id` named for time away (`booked`, read in `tz`: the owner's
    zone) that `back` ended early: they cover no more for `partners` (those the owner owns
    with no deputy of their own, or with them as it), nor for the owner's commitments."""

    def __call__(
        self, *, owner_id: str, booked: Period, tz: ZoneInfo, partners: Sequence[str]
    ) -> str: ...


# The outbox kind of the DM telling a deputy named for time away that its person came back early.
DEPUTY_RELEASED = "deputy_released"


@dataclass(frozen=True)
class BackResult:
    """What `back` did: ended the current absence (or summed up one that ended on its own);
    else `planned` is the time away still to come, which `back` leaves alone."""

    ended: Period | None
    released: int
    # The time away `back` sums up what colleagues did in: from the start of what was not
    # summed up yet to now (None: nothing ended).
    summed_up: Period | None = None
    planned: tuple[Period, ...] = ()
    # The time away `back` ended as it stood, through what followed on from the piece the user
    # was in with no gap, when there was such (None: that piece alone, or nothing ended).
    through: Period | None = None
    # The deputies named for the time away `back` ended early, told that they cover no more.
    deputies_told: tuple[str, ...] = ()


def come_back(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    retime: Sequence[Retime] = (),
    summed: Sequence[SummedUp] = (),
    tell_deputy: DeputyReleased | None = None,
) -> BackResult:
    """End the user's current absence, with what follows on from it with no gap (`away_now`),
    release held DMs, time again what waits for the person (`retime`), tell the deputies named
    for it that they cover no more (`tell_deputy` words the DM), and commit. Back from
    time away that ended on its own and was not summed up yet, the user is summed up now (the
    planner's DM then has nothing left to say). Time away still to come after a gap is never
    cancelled by `back`, which people type out of habit: it is only reported
    (`cancel_next_absence` cancels it). Time away summed up is handed to `summed`
    before the held DMs are released."""
    ended: Period | None = None
    through: Period | None = None
    told: tuple[str, ...] = ()
    with Session(engine) as session:
        stretch = _going_on(session, team_id=team_id, user_id=user_id, now=now)
        current = stretch[0] if stretch else None
        if current is not None and current.id is not None:
            following = stretch[1:]
            ended = Period(current.starts_at, now)
            booked = Period(current.starts_at, max(piece.ends_at for piece in stretch))
            if following:
                # `away` shows what follows on with no gap as the time away one is in, which
                # `back` ends (QA: back at 10:00 from a morning inside a whole day booked, the
                # afternoon stood and she was away again at 13:00).
                through = booked
            store.end_absence(session=session, team_id=team_id, absence_id=current.id, at=now)
            for piece in following:  # not begun: nothing to sum up
                if piece.id is not None:
                    store.delete_absence(session=session, team_id=team_id, absence_id=piece.id)
            if tell_deputy is not None:
                told = _tell_deputies_released(
                    session,
                    team_id=team_id,
                    user_id=user_id,
                    deputies=[piece.deputy_id for piece in stretch],
                    booked=booked,
                    now=now,
                    text=tell_deputy,
                )
        summed_up = sum_up(session, team_id=team_id, user_id=user_id, now=now)
        planned = planned_absences(session, team_id=team_id, user_id=user_id, now=now)
        if summed_up is not None:
            for then in summed:
                then(session, team_id=team_id, user_id=user_id, away=summed_up, now=now)
        released = outbox_store.release_held(
            session=session, team_id=team_id, user_id=user_id, now=now
        )
        for again in retime:
            again(session, team_id=team_id, user_id=user_id, now=now)
        session.commit()
    return BackResult(
        ended=ended,
        released=released,
        summed_up=summed_up,
        planned=planned,
        through=through,
        deputies_told=told,
    )


def _tell_deputies_released(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    deputies: Sequence[str | None],
    booked: Period,
    now: datetime,
    text: DeputyReleased,
) -> tuple[str, ...]:
    """Queue, in the caller's transaction, one DM to each deputy named for the time away
    (`booked`) that `user_id` ended early at `now`: they would go on believing they cover
    (QA h5: "Dan covers" was never undone); returns those told. One the DM would reach only
    once the time away was over anyway (in their hours, after their own time away) is not told
    (QA h5: back on a Friday evening from time away booked to Saturday, "I'm telling Dan" was
    said, and the DM waited for his Monday, then expired)."""
    # A deputy whose note that they cover has not reached them yet is not told they cover no
    # more: the note is withdrawn, and they hear nothing of time away they never knew of.
    unheard = _withdraw_named(session, team_id=team_id, owner_id=user_id, now=now, period=booked)
    named = dict.fromkeys(
        d
        for d in deputies
        if d is not None
        and d != user_id
        and not (
            d in unheard
            and outbox_store.latest_told_key(
                session=session, team_id=team_id, key_prefix=_named_prefix(user_id, d)
            )
            is None
        )
    )
    told = tuple(
        deputy_id
        for deputy_id in named
        if reached_back_at(session, team_id=team_id, user_id=deputy_id, now=now) < booked.ends_at
    )
    tz = person_zone(session, team_id=team_id, user_id=user_id)
    owned = partner_store.owned_by(session=session, team_id=team_id, user_id=user_id)
    for deputy_id in told:
        partners = [p.name for p in owned if p.deputy_id in (None, deputy_id)]
        outbox.enqueue(
            session,
            team_id=team_id,
            kind=DEPUTY_RELEASED,
            recipient_user=deputy_id,
            text=text(owner_id=user_id, booked=booked, tz=tz, partners=partners),
            due_at=now,
            dedupe_key=f"{DEPUTY_RELEASED}:{user_id}:{deputy_id}:{now.isoformat()}",
            respect_working_hours=True,
            expires_at=booked.ends_at,
            now=now,
        )
    return told


def planned_absences(
    session: Session, *, team_id: str, user_id: str, now: datetime
) -> tuple[Period, ...]:
    """The user's time away still to come as it was booked, soonest first (`planned_bookings`)."""
    return _as_periods(planned_bookings(session, team_id=team_id, user_id=user_id, now=now))


def _as_periods(bookings: Sequence[Sequence[Absence]]) -> tuple[Period, ...]:
    return tuple(
        Period(booking[0].starts_at, max(piece.ends_at for piece in booking))
        for booking in bookings
    )


def planned_bookings(
    session: Session, *, team_id: str, user_id: str, now: datetime
) -> list[list[Absence]]:
    """The user's absences still to come, by the time away they were booked as, soonest first;
    each one's pieces earliest first. Time away booked over part of another splits it, and the
    pieces left keep its booking (`created_at`): they stay together, with whatever was booked
    within its days (a Wednesday with a deputy of its own, inside a week booked before). Time
    away booked to follow on from other time away is its own, with its own deputy (QA: `away
    cancel` cancelled Tuesday to Thursday and the Friday to Monday booked after it as one)."""
    upcoming = store.upcoming_absences(session=session, team_id=team_id, user_id=user_id, after=now)
    # What follows on from the time away the user is in, with no gap, is part of it: not time
    # away to come (QA: after `away now to 17:00` inside a whole day booked, `away cancel`
    # cancelled that day's evening as "the next" time away, not the Friday booked after it).
    going_on = {piece.id for piece in _going_on(session, team_id=team_id, user_id=user_id, now=now)}
    upcoming = [absence for absence in upcoming if absence.id not in going_on]
    return _bookings(session, team_id=team_id, user_id=user_id, pieces=upcoming)


def following_bookings(
    session: Session, *, team_id: str, user_id: str, now: datetime
) -> list[list[Absence]]:
    """Time away booked on its own to follow on, with no gap, from the time away the user is
    in, by booking, soonest first (as `planned_bookings`): part of the time away they are in
    (`away_now`), which `back` ends, yet not begun, so `away cancel` calls it off (QA: away
    until next week, then away next week too: `away cancel` said nothing was planned). What
    was booked inside the days of time away begun is not: calling it off would leave a hole."""
    stretch = _going_on(session, team_id=team_id, user_id=user_id, now=now)
    booked = store.absences_booked(
        session=session,
        team_id=team_id,
        user_id=user_id,
        booked_at=[piece.created_at for piece in stretch],
    )
    begun = {piece.created_at for piece in booked if piece.starts_at <= now}
    begun_end = max((piece.ends_at for piece in booked if piece.created_at in begun), default=now)
    follows = [
        piece for piece in stretch if piece.created_at not in begun and piece.starts_at >= begun_end
    ]
    return _bookings(session, team_id=team_id, user_id=user_id, pieces=follows)


def _bookings(
    session: Session, *, team_id: str, user_id: str, pieces: Sequence[Absence]
) -> list[list[Absence]]:
    """`pieces` (absences not begun), by the time away they were booked as (`planned_bookings`)."""
    upcoming = list(pieces)
    # The days of each booking, its pieces begun or over too: a day booked inside a week
    # already begun is still part of it.
    days: dict[datetime, Period] = {}
    for piece in store.absences_booked(
        session=session,
        team_id=team_id,
        user_id=user_id,
        booked_at=[absence.created_at for absence in upcoming],
    ):
        booked = days.get(piece.created_at, Period(piece.starts_at, piece.ends_at))
        days[piece.created_at] = Period(
            min(booked.starts_at, piece.starts_at), max(booked.ends_at, piece.ends_at)
        )
    found: list[tuple[Period, list[Absence]]] = []
    for booked_at, booked in sorted(days.items(), key=lambda each: each[1].starts_at):
        pieces = [absence for absence in upcoming if absence.created_at == booked_at]
        if found and booked.starts_at < found[-1][0].ends_at:  # within the days of the last
            last, together = found[-1]
            found[-1] = (Period(last.starts_at, max(last.ends_at, booked.ends_at)), together)
            together.extend(pieces)
        else:
            found.append((booked, pieces))
    return [sorted(pieces, key=lambda piece: piece.starts_at) for _, pieces in found]


def _going_on(session: Session, *, team_id: str, user_id: str, now: datetime) -> list[Absence]:
    """The absence the user is in at `now`, then each that follows on from it with no gap."""
    current = store.absence_at(session=session, team_id=team_id, user_id=user_id, at=now)
    if current is None:
        return []
    stretch, end = [current], current.ends_at
    upcoming = store.upcoming_absences(session=session, team_id=team_id, user_id=user_id, after=now)
    for piece in upcoming:  # soonest first
        if piece.starts_at > end:
            break
        stretch.append(piece)
        end = max(end, piece.ends_at)
    return stretch


def away_now(session: Session, *, team_id: str, user_id: str, now: datetime) -> Period | None:
    """The time away the user is in at `now` (None: not away), through what follows on from it
    with no gap: `away now to 13:00` inside a whole day booked is away all that day."""
    stretch = _going_on(session, team_id=team_id, user_id=user_id, now=now)
    if not stretch:
        return None
    return Period(stretch[0].starts_at, max(piece.ends_at for piece in stretch))


@dataclass(frozen=True)
class CancelResult:
    """What `away cancel` did: the time away it cancelled (None: none was planned),
    what is still planned after it, and the time away the user is in now, which `back` ends."""

    cancelled: Period | None
    still_planned: tuple[Period, ...]
    away_now: Period | None


def cancel_next_absence(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    retime: Sequence[Retime] = (),
    tell_deputies: DeputyWords | None = None,
) -> CancelResult:
    """Cancel the user's next planned time away as it was booked (every piece of it, and what
    was booked within its days: `planned_bookings`), time again what waits for the person
    (`retime`: a deadline it had pushed back comes forward), tell the deputies told they
    cover it that they do not (`tell_deputies` words the DMs), and commit. Time away already
    begun is not planned: `back` ends it, and names what still stands. What was booked on its
    own to follow on from it with no gap (`following_bookings`) is the next to cancel."""
    with Session(engine) as session:
        # Time away booked to follow on from the time away the user is in comes first.
        bookings = [
            *following_bookings(session, team_id=team_id, user_id=user_id, now=now),
            *planned_bookings(session, team_id=team_id, user_id=user_id, now=now),
        ]
        planned = _as_periods(bookings)
        if not planned:
            going_on = away_now(session, team_id=team_id, user_id=user_id, now=now)
            return CancelResult(cancelled=None, still_planned=(), away_now=going_on)
        cancelled = planned[0]
        for absence in bookings[0]:
            if absence.id is not None:
                store.delete_absence(session=session, team_id=team_id, absence_id=absence.id)
        going_on = away_now(session, team_id=team_id, user_id=user_id, now=now)
        if tell_deputies is not None:
            _tell_deputies(
                session,
                team_id=team_id,
                user_id=user_id,
                window=cancelled,
                now=now,
                words=tell_deputies,
                called_off=True,
            )
        for again in retime:
            again(session, team_id=team_id, user_id=user_id, now=now)
        session.commit()
    return CancelResult(cancelled=cancelled, still_planned=planned[1:], away_now=going_on)


@dataclass(frozen=True)
class TimeAway:
    """The user's time away now (None: not away) with whom they named to cover its pieces
    (`deputies_now`, in order; None for a piece with none named: time away booked again over
    the rest of it may name nobody), and the time away still to come as booked, soonest first
    (`away` alone shows it), with the deputies named for each (`planned_deputies`, likewise)."""

    now: Period | None
    deputies_now: tuple[str | None, ...]
    planned: tuple[Period, ...]
    planned_deputies: tuple[tuple[str | None, ...], ...] = ()
    # Within `now`: the time away booked on its own to follow on, which `away cancel` calls
    # off (`following_bookings`), soonest first.
    following: tuple[Period, ...] = ()


def time_away_of(engine: Engine, *, team_id: str, user_id: str, now: datetime) -> TimeAway:
    with Session(engine) as session:
        going_on = _going_on(session, team_id=team_id, user_id=user_id, now=now)
        bookings = planned_bookings(session, team_id=team_id, user_id=user_id, now=now)
        planned = _as_periods(bookings)
        deputies = tuple(
            tuple(dict.fromkeys(absence.deputy_id for absence in booking)) for booking in bookings
        )
        return TimeAway(
            now=away_now(session, team_id=team_id, user_id=user_id, now=now),
            # QA: away Wed–Fri with Ben, then Thu–Tue with nobody: `away` said "through Tue 1
            # Dec, with Ben covering", who covered the Wednesday only.
            deputies_now=tuple(dict.fromkeys(piece.deputy_id for piece in going_on)),
            planned=planned,
            planned_deputies=deputies,
            following=_as_periods(
                following_bookings(session, team_id=team_id, user_id=user_id, now=now)
            ),
        )


@dataclass(frozen=True)
class Gap:
    """A partner someone owns that would have nobody covering for part of their time away,
    though it has a deputy or one was named for the time away: `covers`, in the order they are
    asked, are all away too in `stretches`."""

    name: str
    covers: tuple[str, ...]
    stretches: tuple[Period, ...]


@dataclass(frozen=True)
class Cover:
    """Who would take the alerts about the partners someone owns during their time away, as
    things stand: the partners (`owned`), the days of it the deputy named for it is away too
    (`deputy_away`), and the partners a deputy's own time away leaves uncovered (`gaps`). A
    partner with no deputy while none is named has no gap here: nobody covers it at all."""

    owned: tuple[OwnedPartner, ...]
    deputy_away: tuple[Period, ...] = ()
    gaps: tuple[Gap, ...] = ()


def cover_while_away(
    engine: Engine, *, team_id: str, user_id: str, period: Period, deputy_id: str | None
) -> Cover:
    """Who would cover for the user during `period` (time away they just booked, naming
    `deputy_id`), as `recipient_for_owner_alert` routes their alerts: the partner's deputy,
    else `deputy_id`, whoever is not away; a partner is uncovered where all it has are away.

    Judged on the days booked, in whole days of the user's time zone (a deputy's day ends at
    their midnight, read as the user's nearest one); `period`'s own ends are kept as they are.
    """
    with Session(engine) as session:
        owned = tuple(partner_store.owned_by(session=session, team_id=team_id, user_id=user_id))
        tz = person_zone(session, team_id=team_id, user_id=user_id)
        covers = {partner.deputy_id for partner in owned} | {deputy_id}
        away = {
            cover: tuple(
                Period(absence.starts_at, absence.ends_at)
                for absence in store.absences_between(
                    session=session,
                    team_id=team_id,
                    user_id=cover,
                    start=period.starts_at,
                    end=period.ends_at,
                )
            )
            for cover in covers
            if cover is not None and cover != user_id
        }

    def uncovered(named: Sequence[str]) -> tuple[Period, ...]:
        """Where everyone `named` is away during `period`."""
        stretches: tuple[Period, ...] = (period,)
        for cover in named:
            stretches = _overlap(stretches, away[cover])
        return _in_days(stretches, period, tz)

    gaps = []
    for partner in owned:
        named = tuple(dict.fromkeys(c for c in (partner.deputy_id, deputy_id) if c in away))
        stretches = uncovered(named) if named else ()
        if stretches:
            gaps.append(Gap(name=partner.name, covers=named, stretches=stretches))
    deputy_away = uncovered([deputy_id]) if deputy_id in away else ()
    return Cover(owned=owned, deputy_away=deputy_away, gaps=tuple(gaps))


@dataclass(frozen=True)
class Covering:
    """Someone else's time away that a person covers and that their own overlaps: as the
    deputy of `partners` (which `owner_id` owns), or as the deputy named for it (`named`);
    `taker`: who else the owner named to cover, here during the overlap (None: nobody);
    `tz`: the owner's time zone, in which their time away reads as the days they booked."""

    owner_id: str
    period: Period
    partners: tuple[str, ...]
    named: bool
    taker: str | None
    tz: ZoneInfo


def covering_while_away(
    engine: Engine, *, team_id: str, user_id: str, period: Period
) -> tuple[Covering, ...]:
    """The time away of others that `user_id` covers and that `period` (their own time away)
    overlaps, earliest first (QA: a partner's deputy booking time away while its owner was
    away was not told whom they left uncovered)."""
    with Session(engine) as session:
        return _coverings(session, team_id=team_id, user_id=user_id, period=period)


def _coverings(
    session: Session, *, team_id: str, user_id: str, period: Period
) -> tuple[Covering, ...]:
    found = store.covered_between(
        session=session,
        team_id=team_id,
        user_id=user_id,
        start=period.starts_at,
        end=period.ends_at,
    )
    groups: dict[tuple[str, datetime, datetime], list[store.Covered]] = {}
    for each in found:
        groups.setdefault((each.owner_id, each.starts_at, each.ends_at), []).append(each)
    coverings = []
    for (owner_id, starts_at, ends_at), rows in groups.items():
        other = rows[0].deputy_id
        overlap_start, overlap_end = (
            max(starts_at, period.starts_at),
            min(ends_at, period.ends_at),
        )
        here = other not in (None, user_id) and not store.absences_between(
            session=session,
            team_id=team_id,
            user_id=str(other),
            start=overlap_start,
            end=overlap_end,
        )
        coverings.append(
            Covering(
                owner_id=owner_id,
                period=Period(starts_at, ends_at),
                partners=tuple(row.partner for row in rows if row.partner is not None),
                named=any(row.partner is None for row in rows),
                taker=other if here else None,
                tz=person_zone(session, team_id=team_id, user_id=owner_id),
            )
        )
    return tuple(coverings)


def _overlap(first: Sequence[Period], second: Sequence[Period]) -> tuple[Period, ...]:
    """The stretches in both `first` and `second` (each in time order, none overlapping)."""
    both = (
        Period(max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at))
        for a in first
        for b in second
    )
    return tuple(stretch for stretch in both if stretch.starts_at < stretch.ends_at)


def _in_days(stretches: Sequence[Period], period: Period, tz: ZoneInfo) -> tuple[Period, ...]:
    """`stretches` from and to the nearest midnight in `tz`, within `period`; the adjacent
    joined, the emptied dropped."""
    days: list[Period] = []
    for stretch in stretches:
        day = Period(
            max(_nearest_midnight(stretch.starts_at, tz), period.starts_at),
            min(_nearest_midnight(stretch.ends_at, tz), period.ends_at),
        )
        if day.starts_at >= day.ends_at:
            continue
        if days and days[-1].ends_at >= day.starts_at:
            days[-1] = Period(days[-1].starts_at, max(days[-1].ends_at, day.ends_at))
        else:
            days.append(day)
    return tuple(days)


def _nearest_midnight(moment: datetime, tz: ZoneInfo) -> datetime:
    local = moment.astimezone(tz)
    midnight = datetime.combine(local.date(), time(0, 0), tz)
    if local - midnight >= timedelta(hours=12):
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 0), tz)
    return midnight


def released_reach_at(engine: Engine, *, team_id: str, user_id: str, now: datetime) -> datetime:
    """When DMs released at `now` reach the user: at once inside their working hours, else at
    their next working window's slot (the dispatcher defers them as it would any DM)."""
    with Session(engine) as session:
        return schedule_of(session, team_id=team_id, user_id=user_id).first_slot(now, key=user_id)


# Time away over longer ago than this is not summed up any more (a bot down for longer lets it go).
SUM_UP_WITHIN = timedelta(days=7)
# The outbox kind of the summary: what colleagues did while the person was away, once back.
WELCOME_BACK = "welcome_back"


def _as_one(session: Session, team_id: str, user_id: str, absences: Sequence[Absence]) -> Period:
    """One person's time away over and not summed up yet, as one stretch: from the start of
    the time away its earliest absence continues, to its latest end."""
    start = min(absence.starts_at for absence in absences)
    start = store.stretch_start(session=session, team_id=team_id, user_id=user_id, starts_at=start)
    return Period(start, max(absence.ends_at for absence in absences))


def sum_up(session: Session, *, team_id: str, user_id: str, now: datetime) -> Period | None:
    """Mark the user's time away over by `now` as summed up, in the caller's transaction;
    returns what ended within `SUM_UP_WITHIN` as one stretch (None: nothing did)."""
    over = store.time_away_over(
        session=session, team_id=team_id, user_id=user_id, since=now - SUM_UP_WITHIN, now=now
    )
    mark_summed_up(session, team_id=team_id, user_id=user_id, now=now)
    return _as_one(session, team_id, user_id, over) if over else None


def mark_summed_up(session: Session, *, team_id: str, user_id: str, now: datetime) -> None:
    """The user's time away over by `now` is summed up, in the caller's transaction."""
    store.mark_summed_up(session=session, team_id=team_id, user_id=user_id, now=now)


@dataclass(frozen=True)
class Return:
    """Someone back from time away that nobody summed up for them yet."""

    user_id: str
    away: Period


def workspaces_with_returns(engine: Engine, *, now: datetime) -> list[str]:
    """The workspaces where someone's time away is over and not summed up yet."""
    with Session(engine) as session:
        return store.workspaces_with_time_away_over(
            session=session, since=now - SUM_UP_WITHIN, now=now
        )


def returns_to_sum_up(session: Session, *, team_id: str, now: datetime) -> list[Return]:
    """The workspace's people whose time away is over and not summed up yet, once their first
    working moment after it has come (`Schedule.first_slot`, as a DM due at its end would
    reach them) and unless they are away again (then their summary waits for that time away
    to end too, and covers both)."""
    over = store.time_away_over(
        session=session, team_id=team_id, since=now - SUM_UP_WITHIN, now=now
    )
    by_user: dict[str, list[Absence]] = {}
    for absence in over:
        by_user.setdefault(absence.user_id, []).append(absence)
    found = []
    for user_id, absences in by_user.items():
        if store.absence_at(session=session, team_id=team_id, user_id=user_id, at=now):
            continue
        away = _as_one(session, team_id, user_id, absences)
        schedule = schedule_of(session, team_id=team_id, user_id=user_id)
        if schedule.first_slot(away.ends_at, key=user_id) <= now:
            found.append(Return(user_id=user_id, away=away))
    return found


def next_return(engine: Engine, *, after: datetime) -> datetime | None:
    """The next first working moment back, after `after`, of someone whose time away is not
    summed up yet (for the sandbox, which runs planners only now and then)."""
    soonest: datetime | None = None
    with Session(engine) as session:
        for team_id in store.workspaces_with_time_away_over(
            session=session, since=after - SUM_UP_WITHIN
        ):
            for user_id, ends_at in store.ends_to_sum_up(
                session=session, team_id=team_id, since=after - SUM_UP_WITHIN
            ):
                schedule = schedule_of(session, team_id=team_id, user_id=user_id)
                back = schedule.first_slot(ends_at, key=user_id)
                if back > after and (soonest is None or back < soonest):
                    soonest = back
    return soonest


def zone_of(engine: Engine, *, team_id: str, user_id: str) -> ZoneInfo:
    """`person_zone` in a session of its own: the zone someone's dates of time away are read
    and shown in."""
    with Session(engine) as session:
        return person_zone(session, team_id=team_id, user_id=user_id)


def not_known_as_colleagues(engine: Engine, *, team_id: str, user_ids: Sequence[str]) -> list[str]:
    """Those of `user_ids`, in order, the profile cache does not know as colleagues (never looked
    up, or of another organisation): time away waits for Slack to say who they are and their time
    zone (asked after the ack) before it is booked."""
    with Session(engine) as session:
        return [
            user_id
            for user_id in user_ids
            if get_profile(session=session, team_id=team_id, user_id=user_id) is None
        ]
