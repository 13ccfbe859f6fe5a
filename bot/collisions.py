"""The revolving-door rules: when two contacts with one partner collide. Pure and deterministic.

Two touchpoints with the same partner collide when all of these hold:
1. They are both live: a contact that happened (`done`), is planned, or is intended. A planned
   meeting whose author answered its check-in "Didn't happen" is not live (`cancelled`): it
   stays on record, and an alert already posted about it stands, but nothing collides with it
   any more. Should its author change that answer, it is live again (and "Moved to…" puts it
   back on at its new date).
2. Their days are at most `window` calendar days apart (workspace setting `config window`,
   default 14 days either side), as a partnership manager reads "14 days either side": the
   times of day do not matter, so a call on Mon 30 Nov at 08:00 and a meeting on Mon 14 Dec at
   17:00 collide, and one on Tue 15 Dec does not. A contact's day (`day_of`) is
   - with a time of day: its date in the workspace's time zone (`config timezone`), one
     calendar for colleagues in every zone, so that all of them get the same answer;
   - without one (`on 2026-12-14`): the day its author named (`bot.dates.contact_day`).
3. Different colleagues: no colleague is on both (author or participant). A colleague who logs the
   meeting they planned does not collide with themselves.
4. At least one side has nobody from the partner's team on it. Owner, deputy and members are
   expected to coordinate among themselves, so a contact any of them took part in (as author or
   participant) is the team's, and collides only with contacts none of them took part in. An
   outsider who takes one of the team along (`log Acme with @owner`) is coordinating with the
   team: their contact does not collide with the deputy's call that week, nor with a member's;
   two such contacts (each outsider with someone of the team) do not collide either. An
   outsider who goes alone collides with the team's contacts and with the outsider who took
   one of the team along.
A collision where both sides met the same person at the partner (one of them, when several were
named) is marked `same_contact`.
Every colliding pair is recorded once; which are alerted is the caller's rule (two authors
already known to each other are not alerted again: `bot.services.touchpoints.known`).

The stored moments a contact's collisions can have (`reach`) cover whole days, so the storage
query reads one index range and `collisions` keeps those whose days are in the window. The
query leaves out what is not live (rule 1) as it reads that range (`storage.touchpoints.
neighbours`), and `collisions` holds to the rule whatever it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.dates import contact_day

DEFAULT_WINDOW_DAYS = 14


@dataclass(frozen=True, kw_only=True)
class Contact:
    """One touchpoint as the rules see it."""

    touchpoint_id: int
    at: datetime
    colleagues: frozenset[str]  # author and participants (Slack user ids)
    contact_ids: frozenset[int] = frozenset()  # the people at the partner it was with
    # Recorded with a day and no time of day (stored at noon of that day in its author's zone).
    day_only: bool = False
    # A plan its author said didn't happen: not live (rule 1).
    cancelled: bool = False


@dataclass(frozen=True, kw_only=True)
class Collision:
    new: Contact
    other: Contact
    same_contact: bool


def day_of(contact: Contact, tz: tzinfo) -> date:
    """The calendar day a contact is on for the window, `tz` being the workspace's zone."""
    return contact_day(contact.at, day_only=contact.day_only, tz=tz)


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def opens(day: date, *, window_days: int, tz: tzinfo) -> datetime:
    """When the window around `day` opens for contacts with a time of day: the start of its
    first day in `tz` (UTC)."""
    return _midnight(day - timedelta(days=window_days), tz)


def reach(day: date, *, window_days: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """The stored moments (UTC, both ends included) of every contact whose day is at most
    `window_days` from `day`: whole days in `tz` for contacts with a time, whole UTC days for
    day-only ones (`contact_day`). Both ranges in one, so a little wider than either needs:
    `within` decides."""
    first, after = day - timedelta(days=window_days), day + timedelta(days=window_days + 1)
    start = min(_midnight(first, tz), _midnight(first, UTC))
    return start, max(_midnight(after, tz), _midnight(after, UTC))


def within(
    new: Contact, existing: Iterable[Contact], *, window_days: int, tz: tzinfo
) -> list[Contact]:
    """Those of `existing` whose days are at most `window_days` from `new`'s (rule 2), `tz`
    being the workspace's time zone, whose calendar the window is counted in."""
    day, span = day_of(new, tz), timedelta(days=window_days)
    first, last = day - span, day + span
    return [other for other in existing if first <= day_of(other, tz) <= last]


def collisions(
    new: Contact,
    existing: Iterable[Contact],
    *,
    team: frozenset[str],
    window_days: int = DEFAULT_WINDOW_DAYS,
    tz: tzinfo = UTC,
) -> list[Collision]:
    """The earlier contacts that `new` collides with, nearest in time first; `tz` is the
    workspace's time zone."""
    if new.cancelled:
        return []
    new_with_team = bool(new.colleagues & team)
    found = []
    for other in within(new, existing, window_days=window_days, tz=tz):
        if other.touchpoint_id == new.touchpoint_id or other.cancelled:
            continue
        if new.colleagues & other.colleagues:
            continue
        if new_with_team and other.colleagues & team:
            continue
        same = bool(new.contact_ids & other.contact_ids)
        found.append(Collision(new=new, other=other, same_contact=same))
    return sorted(found, key=lambda c: (abs(c.other.at - new.at), c.other.touchpoint_id))
