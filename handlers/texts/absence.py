"""What Liaison says about time away (`/partner away`, `/partner back`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.absence import AwayResult, BackResult, Period

BAD_ORDER = "Your time away must end after it starts."
ALREADY_OVER = "That time is already over; give dates from today on."
TOO_LONG = "Time away can be at most a year; set it again when you know more."
SELF_DEPUTY = "Your deputy must be someone else."
MISSING_TO = "Say when you are away from and until, joined by `to`."
BAD_DEPUTY = "After `deputy`, mention one colleague, e.g. `deputy @dan`."


def deputy_dropped(deputy_id: str) -> str:
    return (
        f"<@{deputy_id}> can't cover for you: Slack knows them as no colleague here (an app, "
        "or someone who left). Your time away stands without that deputy: alerts go to each "
        "partner's deputy, else wait for you. `/partner away … deputy @colleague` names another."
    )


def _day(moment: datetime, tz: ZoneInfo, today: date) -> str:
    local = moment.astimezone(tz)
    text = f"{local:%a} {local.day} {local:%b}"
    if local.year != today.year:
        text += f" {local.year}"
    if (local.hour, local.minute) != (0, 0):
        text += f" {local:%H:%M}"
    return text


def _last_day(period: Period, tz: ZoneInfo, today: date) -> str:
    """The end as people say it: the last day away when the absence ends at midnight."""
    local_end = period.ends_at.astimezone(tz)
    if (local_end.hour, local_end.minute) == (0, 0):
        return _day(local_end - timedelta(days=1), tz, today)
    return _day(period.ends_at, tz, today)


def span(period: Period, tz: ZoneInfo, today: date) -> str:
    """`from *Mon 30 Nov* to *Fri 4 Dec*`, or `on *Wed 2 Dec*` for one whole day."""
    first, last = _day(period.starts_at, tz, today), _last_day(period, tz, today)
    return f"on *{first}*" if first == last else f"from *{first}* to *{last}*"


def away_recorded(result: AwayResult, *, tz: ZoneInfo, now: datetime) -> str:
    today = now.astimezone(tz).date()
    period = Period(result.starts_at, result.ends_at)
    cover = "each partner's deputy"
    if result.deputy_id:
        cover += f", or else <@{result.deputy_id}>"
    text = (
        f"You're away {span(period, tz, today)} ({tz.key}). Until then your check-ins and "
        f"surveys wait for you, and alerts about partners you own go to {cover}. "
        "Type `/partner back` to end it early."
    )
    if result.replaced:
        times = "time" if len(result.replaced) == 1 else "times"
        spans = " and ".join(span(earlier, tz, today) for earlier in result.replaced)
        text += f"\nThis replaces your {times} away {spans}, which it covers."
    for shortened in result.shortened:
        left = " and ".join(span(stretch, tz, today) for stretch in shortened.left)
        text += (
            f"\nYour time away {span(shortened.before, tz, today)} overlapped it; it now "
            f"stays {left} only."
        )
    return text


def back(result: BackResult, *, tz: ZoneInfo, now: datetime) -> str:
    today = now.astimezone(tz).date()
    if result.ended is not None:
        text = "Welcome back! Your time away has ended"
        if result.released:
            waited = "message" if result.released == 1 else "messages"
            text += f"; {result.released} {waited} that waited for you will arrive shortly"
        return text + "."
    if result.cancelled is not None:
        return (
            "You weren't away, so I cancelled your planned time away "
            f"{span(result.cancelled, tz, today)}."
        )
    return "You're not marked away, and no time away is planned."


READING_ZONE = "Reading those dates in your time zone… I'll answer here in a moment."
