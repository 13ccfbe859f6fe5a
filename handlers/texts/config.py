"""What Liaison says about workspace settings (`/partner config`): each setting's value and
meaning in plain words, changes, refusals and bad input."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.delivery.dispatcher import TOKEN_ERRORS
from bot.delivery.working_hours import WorkingHours, zone
from bot.services.channels import Route
from bot.services.feedback import Cadence
from bot.services.workspace_settings import (
    ANONYMITY,
    CHECKIN_DELAY_HOURS,
    WINDOW_DAYS,
    Admins,
    AdminsChanged,
    BadSetting,
    Changed,
    Digest,
    Problem,
    Setting,
    Values,
)
from handlers.texts.feedback import ROUND_DAY
from handlers.texts.partners import (
    REFUSED_IN_WORDS,
    asking_which_channel,
    channel_kind,
    channel_ref,
    people,
    person,
    refused_in_words,
    which_channel_unanswered,
)
from handlers.verbs import VERBS_BY_NAME

COMMAND = "/partner"
TITLE = "Workspace settings"
WORKING_TIME = "Working days and hours"
OUTBOX_COMMAND = "liaison outbox --failed"
COORDINATION_CHANNEL = "the coordination channel"

LABELS = {
    Setting.CHANNEL: "Coordination channel",
    Setting.WINDOW: "Coordination window",
    Setting.HOURS: "Working hours",
    Setting.DAYS: "Working days",
    Setting.TIMEZONE: "Time zone",
    Setting.PULSE: "Pulse surveys",
    Setting.CHECKIN_DELAY: "Check-in delay",
    Setting.ANONYMITY: "Anonymity",
    Setting.DIGEST: "Weekly digest",
    Setting.ADMINS: "Admins",
}
# Labels that take "are" ("Working hours are now …").
PLURAL = frozenset({Setting.HOURS, Setting.DAYS, Setting.PULSE})
# The order of the settings card; working days and hours share one line there.
ORDER = (
    Setting.CHANNEL,
    Setting.WINDOW,
    Setting.HOURS,
    Setting.TIMEZONE,
    Setting.PULSE,
    Setting.CHECKIN_DELAY,
    Setting.ANONYMITY,
    Setting.DIGEST,
)
EXAMPLES = {
    Setting.CHANNEL: "config channel #partnerships",
    Setting.WINDOW: "config window 21",
    Setting.HOURS: "config hours 8-18",
    Setting.DAYS: "config days sun-thu",
    Setting.PULSE: "config pulse quarterly",
    Setting.CHECKIN_DELAY: "config checkin-delay 4",
    Setting.ANONYMITY: "config anonymity 5",
    Setting.DIGEST: "config digest mon 09:00",
    Setting.TIMEZONE: "config timezone Europe/Berlin",
    Setting.ADMINS: "config admins @ana @dan",
}
# In place of the Slack admins' names while Liaison knows none (their profiles say who is one).
SLACK_ADMINS_UNSEEN = "I haven't met any of them yet, so I can't name them"
_DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def syntax(setting: Setting) -> str:
    """The setting's form as the verb catalogue gives it, so help and answers agree."""
    forms = VERBS_BY_NAME["config"].syntax
    return next(form for form in forms if form.split()[1:2] == [setting.value])


# --- Values in plain words ----------------------------------------------------------------------


def days(numbers: frozenset[int]) -> str:
    """`Mon–Fri`, `Sun–Thu`, `Mon, Tue, Thu` or `every day`."""
    if len(numbers) == 7:
        return "every day"
    starts = [day for day in sorted(numbers) if (day - 1) % 7 not in numbers]
    if len(starts) == 1 and len(numbers) >= 3:
        first = starts[0]
        last = (first + len(numbers) - 1) % 7
        return f"{_DAY_SHORT[first]}–{_DAY_SHORT[last]}"
    return ", ".join(_DAY_SHORT[day] for day in sorted(numbers))


def hours(working: WorkingHours) -> str:
    return f"{working.start_hour}:00–{working.end_hour}:00"


def digest(value: Digest | None, timezone: str) -> str:
    if value is None:
        return "off"
    # No brackets: a change reads "now Fridays at 16:00 UTC (was Mondays at 09:00 UTC)".
    return f"{_DAY_LONG[value.weekday]}s at {value.at:%H:%M} {timezone}"


def next_digest(moment: datetime, timezone: str) -> str:
    """When the digest goes next: said after a change of its schedule or zone, since a moment
    that passed this week waits for the next (`bot.services.digest`)."""
    local = moment.astimezone(zone(timezone))
    return (
        f"The next weekly digest is due on {local:%a %-d %b} at {local:%H:%M} ({timezone}); "
        "a week with nothing to tell sends none."
    )


def zone_renamed(old: str, name: str) -> str:
    """Under `config timezone Asia/Calcutta`'s answer: why it names another zone."""
    return f"`{old}` is an old name of `{name}`, the same time: I keep the current name."


def checkin_delay(value: int | None) -> str:
    if value is None:
        # The start of the first working window after the meeting: with hours 13–17, a 09:00
        # meeting is asked at 13:00 that day, so not "morning" (QA21b NIT 9).
        return "the next start of working hours"
    if value == 0:
        return "right after the meeting"
    return f"{value} hour{'s' if value != 1 else ''} after the meeting"


def channel_value(values: Values, default_channel: str | None) -> str:
    if values.coordination_channel is not None:
        return channel_ref(values.coordination_channel)
    if default_channel is not None:
        return f"{channel_ref(default_channel)} — the server's default; none set here"
    return "none set"


def channel_passed_over(found: Route) -> str | None:
    """Under the coordination channel's line when Slack refuses Liaison there: where its
    messages go meanwhile (`bot.services.channels`); None when it takes them."""
    if not found.passed_over:
        return None
    channel, reason = found.passed_over[0]
    why = (
        f":warning: Slack refused Liaison's last message in {channel_ref(channel)} "
        f"({refused_in_words(reason)})"
    )
    if found.channel is None:
        return (
            f"{why}: collision alerts, survey results and the weekly digest meant for it are "
            "not posted anywhere until an admin chooses a channel Liaison can post in (or this "
            "one again, once it is fixed)."
        )
    return (
        f"{why}: meanwhile they go to {channel_ref(found.channel)}, the server's default, until "
        "an admin chooses a channel Liaison can post in (or this one again, once it is fixed)."
    )


def value(setting: Setting, values: Values, default_channel: str | None) -> str:
    """A setting's current value, short."""
    match setting:
        case Setting.CHANNEL:
            return channel_value(values, default_channel)
        case Setting.WINDOW:
            return f"{values.window_days} day{'s' if values.window_days != 1 else ''}"
        case Setting.HOURS:
            return hours(values.hours)
        case Setting.DAYS:
            return days(values.hours.days)
        case Setting.TIMEZONE:
            return values.timezone
        case Setting.PULSE:
            return values.pulse.value
        case Setting.CHECKIN_DELAY:
            return checkin_delay(values.checkin_delay_hours)
        case Setting.ANONYMITY:
            return f"at least {values.anonymity_threshold} answers"
        case Setting.DIGEST:
            return digest(values.digest, values.timezone)
        case Setting.ADMINS:
            raise ValueError("the admins are shown by admins_line")


def meaning(setting: Setting, values: Values, default_channel: str | None) -> str:
    """What the setting does, with its current value, in a sentence or two."""
    if setting is Setting.CHANNEL:
        if values.coordination_channel is None and default_channel is None:
            return (
                "Collision alerts, survey results and the weekly digest go to a partner's own "
                "channel only: with no channel set here, nothing is posted for partners "
                "without one."
            )
        return (
            "Collision alerts, survey results and the weekly digest go here, unless a partner "
            f"has a channel of its own (`{COMMAND} channel NAME #channel`)."
        )
    if setting is Setting.WINDOW:
        return (
            f"Two colleagues' contacts with one partner on days up to {values.window_days} "
            f"day{'s' if values.window_days != 1 else ''} apart set off the revolving-door "
            "alarm, whatever their times of day. Days are counted in the workspace's time "
            "zone (`config timezone`); a contact logged "
            "without a time is on the day it names. `check` shows the intents of that many "
            "days."
        )
    if setting in (Setting.HOURS, Setting.DAYS):
        return (
            "Liaison's direct messages (check-ins, surveys, reminders) reach people only then, "
            "in their own time zone; one due outside them waits until they next begin. "
            "Channel alerts go at once."
        )
    if setting is Setting.TIMEZONE:
        text = (
            "The time zone of the pulse schedule and the weekly digest, the calendar the "
            "coordination window counts days in, and the zone of colleagues whose Slack time "
            "zone Liaison does not know."
        )
        if (refused := values.timezone_refused) is not None:
            text += f" {_saved_zone_note(refused)}"
        return text
    if setting is Setting.PULSE:
        return {
            Cadence.MONTHLY: (
                f"Each active partner's team gets a pulse survey every month, on its {ROUND_DAY}."
            ),
            Cadence.QUARTERLY: (
                "Each active partner's team gets a pulse survey in January, April, July and "
                f"October, on the month's {ROUND_DAY}."
            ),
            Cadence.OFF: (
                f"No scheduled pulse surveys; `{COMMAND} survey NAME now` still starts a round."
            ),
        }[values.pulse]
    if setting is Setting.CHECKIN_DELAY:
        if values.checkin_delay_hours is None:
            return (
                "Everyone who took part in a meeting, call or event is asked how it went at the "
                "next start of their working hours (after a 09:00 meeting, 13:00 that day with "
                "hours 13-17)."
            )
        return (
            "Everyone who took part in a meeting, call or event is asked how it went "
            f"{checkin_delay(values.checkin_delay_hours)}, in their working hours. "
            f"`{COMMAND} config checkin-delay morning` goes back to the next start of working "
            "hours."
        )
    if setting is Setting.ANONYMITY:
        return (
            f"Survey scores and comments are shown only when at least "
            f"{values.anonymity_threshold} people answered, so no one's answer can be singled "
            "out."
        )
    if values.digest is None:
        return f"No weekly digest. `{COMMAND} config digest mon 09:00` turns it back on."
    text = (
        "A short weekly summary of the partnerships (new partners, contacts, collisions, "
        "commitments, who is at risk) goes to the coordination channel."
    )
    if values.coordination_channel is None and default_channel is None:
        text += (
            f" None is set, so it is posted nowhere until an admin chooses one "
            f"(`{COMMAND} {EXAMPLES[Setting.CHANNEL]}`)."
        )
    return text


def setting_line(
    setting: Setting,
    values: Values,
    default_channel: str | None,
    next_due: datetime | None = None,
) -> str:
    """The setting's label, value and meaning; working days and hours go together. For the
    digest, `next_due`: when the next one is due."""
    if setting in (Setting.HOURS, Setting.DAYS):
        shown = f"*{WORKING_TIME}:* {days(values.hours.days)}, {hours(values.hours)}"
    else:
        shown = f"*{LABELS[setting]}:* {value(setting, values, default_channel)}"
    line = f"{shown}\n{meaning(setting, values, default_channel)}"
    if setting is Setting.DIGEST and values.digest is not None and next_due is not None:
        line += " " + next_digest(next_due, values.timezone)
    return line


def admins_line(admins: Admins) -> str:
    slack = (
        f"Slack admins {people(admins.slack)}"
        if admins.slack
        else f"the Slack workspace's admins and owners ({SLACK_ADMINS_UNSEEN})"
    )
    listed = people(admins.listed) if admins.listed else "nobody"
    return (
        f"*{LABELS[Setting.ADMINS]}:* {slack}; named here {listed}.\n"
        "Admins change these settings and any partner. Slack workspace admins and owners "
        f"always are; `{COMMAND} config admins @user …` replaces the list of the others "
        f"(`{COMMAND} config admins none` empties it)."
    )


def intro(is_admin: bool) -> str:
    if is_admin:
        return (
            "These apply to everyone in this workspace. As an admin you can change any of them "
            f"with `{COMMAND} config SETTING VALUE`; `{COMMAND} help config` lists the forms."
        )
    return (
        "These apply to everyone in this workspace. Anyone may look; admins change them "
        f"(`{COMMAND} help config`)."
    )


def how_to_change(setting: Setting) -> str:
    return (
        f"Admins change it with `{COMMAND} {syntax(setting)}`, "
        f"e.g. `{COMMAND} {EXAMPLES[setting]}`."
    )


def more_failed(more: int) -> str:
    return (
        f"…and {more} more. `{OUTBOX_COMMAND}` on the server lists them all."
        if more
        else f"`{OUTBOX_COMMAND}` on the server lists them with their ids."
    )


# Why Slack refused a message, as an admin can act on it, by Slack's error code and whom the
# message was for. The code itself stays beside the words, for whoever looks it up or reads the
# server's log.
_ANOTHER = "or choose another channel"
_CHANNEL_FIXES = {
    "channel_not_found": f"invite Liaison there {_ANOTHER}",
    "not_in_channel": f"invite Liaison there {_ANOTHER}",
    "is_archived": f"unarchive it {_ANOTHER}",
    "restricted_action": f"a workspace owner can let apps post there, {_ANOTHER}",
}
CHANNEL_FAILURES_IN_WORDS = {
    code: f"{REFUSED_IN_WORDS[code]} — {fix}" for code, fix in _CHANNEL_FIXES.items()
}
PERSON_FAILURES_IN_WORDS = {
    **dict.fromkeys(REFUSED_IN_WORDS, "Slack couldn't open a direct message with them"),
    "user_not_found": "they are no longer in the workspace",
    "user_disabled": "their account is deactivated",
    "messages_tab_disabled": "they turned off direct messages from apps",
    "cannot_dm_bot": "Slack doesn't let apps message a bot",
}
_A_BUG = "a Liaison bug, please report it"
_REINSTALL = "reinstall the app"
FAILURES_IN_WORDS = {
    "invalid_blocks": f"Slack refused the message's layout ({_A_BUG})",
    "msg_too_long": f"the message was too long for Slack ({_A_BUG})",
    **dict.fromkeys(TOKEN_ERRORS, f"Slack no longer accepts Liaison's token: {_REINSTALL}"),
    # Slack's own words: the token is for a deleted user or workspace (Liaison's, not theirs).
    "account_inactive": f"Slack says Liaison's install is inactive: {_REINSTALL}",
}


def failure_in_words(reason: str | None, *, tries: str, to_channel: bool) -> str:
    """A failed delivery's recorded reason (`chat.postMessage: not_in_channel`, `gave up after
    5 attempts over 2 h: chat.postMessage: HTTP 503`) in plain words, with Slack's code and
    how many `tries` were made. A channel's refusals are about a channel only when the message
    went to one: a direct message Slack "can't find" is a person Liaison can't reach."""
    if not reason:
        return f"no reason recorded ({tries})"
    code = reason.rsplit(":", 1)[-1].strip()
    words = (CHANNEL_FAILURES_IN_WORDS if to_channel else PERSON_FAILURES_IN_WORDS).get(code)
    words = words or FAILURES_IN_WORDS.get(code)
    if words is None and reason.startswith("gave up"):
        words = "Slack kept failing or could not be reached, so Liaison gave up"
    return f"`{reason}` ({tries})" if words is None else f"{words} (`{reason}`, {tries})"


# --- Changes ------------------------------------------------------------------------------------


def _channel_cleared(change: Changed) -> str:
    """`config channel none`: whether a channel was set here, and where things go now."""
    default = change.default_channel
    if change.unchanged:
        lead = "No coordination channel is set here, so nothing changed."
    else:
        was = channel_ref(change.before.coordination_channel or "")
        lead = f"*Coordination channel* cleared: {was} no longer gets anything."
    if default is not None:
        return (
            f"{lead} Collision alerts, survey results and the weekly digest go to "
            f"{channel_ref(default)}, the server's default channel, unless a partner has a "
            f"channel of its own. To choose another: `{COMMAND} config channel #channel`."
        )
    return (
        f"{lead} With no server default either, they go to a partner's own channel only: "
        f"nothing is posted for partners without one. To choose one: "
        f"`{COMMAND} config channel #channel`."
    )


def checking_channel(typed: str, current: str) -> str:
    """`config channel #name` typed while the coordination channel is one picked from Slack's
    list: answered once Slack has said whether the name is that channel's."""
    return asking_which_channel(typed, current, kept=COORDINATION_CHANNEL)


def channel_unchecked(typed: str) -> str:
    """Slack could not say whether `config channel #name` names the coordination channel."""
    return which_channel_unanswered(
        typed, kept=COORDINATION_CHANNEL, command=f"{COMMAND} config channel #channel"
    )


def changed(change: Changed) -> str:
    label = LABELS[change.setting]
    if change.setting is Setting.CHANNEL and change.after.coordination_channel is None:
        return _channel_cleared(change)
    now = value(change.setting, change.after, change.default_channel)
    plural = change.setting in PLURAL
    if change.unchanged:
        text = f"*{label}* {'were' if plural else 'was'} already *{now}*; nothing changed."
        if change.setting is Setting.CHANNEL and change.after.coordination_channel is not None:
            text += " I'm saying hello there again, so you can see whether I can post there."
        return text
    was = value(change.setting, change.before, change.default_channel)
    text = f"*{label}* {'are' if plural else 'is'} now *{now}* (was {was}).\n"
    if change.setting in (Setting.HOURS, Setting.DAYS):
        text += setting_line(change.setting, change.after, change.default_channel)
    else:
        text += meaning(change.setting, change.after, change.default_channel)
    if change.next_digest is not None:
        text += " " + next_digest(change.next_digest, change.after.timezone)
    channel = change.after.coordination_channel
    if change.setting is Setting.CHANNEL and channel is not None:
        text += "\n" + channel_kind(channel)
        text += " I'm saying hello there now, and will tell you if Slack won't let me."
    return text


def admins_changed(change: AdminsChanged) -> str:
    listed = people(change.after.listed) if change.after.listed else "nobody"
    if change.before.listed == change.after.listed:
        text = f"The admins named here were already {listed}; nothing changed."
    else:
        text = f"The admins named here are now {listed}."
        parts = []
        if change.added:
            parts.append(f"added {people(change.added)}")
        if change.removed:
            parts.append(f"removed {people(change.removed)}")
        text = text.removesuffix(".") + f" ({'; '.join(parts)})."
    slack = people(change.after.slack) if change.after.slack else SLACK_ADMINS_UNSEEN
    text += f"\nSlack workspace admins and owners are admins anyway ({slack})."
    if change.by_lost_rights:
        text += (
            "\nYou are no longer an admin: a Slack admin or an admin named here can add you back."
        )
    return text


def made_admin(by: str) -> str:
    """To a colleague someone else named in `config admins`."""
    return (
        f"{person(by)} named you an admin of Liaison: you may now change any partner and the "
        f"workspace's settings (`{COMMAND} config`), and colleagues Liaison refuses a change are "
        "told to ask you among the admins."
    )


def no_longer_admin(by: str) -> str:
    """To a colleague someone else took off the admins named in `config admins`."""
    return (
        f"{person(by)} took you off Liaison's admins: the workspace's settings, and partners you "
        "neither own nor deputise for, are now for the admins to change "
        f"(`{COMMAND} config admins` names them)."
    )


def not_an_admin(admins: Admins) -> str:
    who = people(admins.everyone) if admins.everyone else "your Slack workspace's admins and owners"
    return f"Only admins can change workspace settings: {who}. Ask one of them."


# --- Bad input ----------------------------------------------------------------------------------


def admin_not_a_colleague(user_id: str, *, external: bool = False) -> str:
    """`config admins @x` naming someone Slack does not know as a colleague: gone, or an app;
    `external`: someone of another organisation (met through Slack Connect)."""
    if external:
        return (
            f"{person(user_id)} is from another organisation (their Slack account belongs to "
            "another workspace): only colleagues can be Liaison's admins."
        )
    return (
        f"{person(user_id)} is not a member of this workspace (or the account is deactivated), "
        "or is a bot or an app: only colleagues can be Liaison's admins."
    )


def app_as_admin(user_id: str) -> str:
    """`config admins @liaison`: Liaison itself named."""
    return (
        f"{person(user_id)} is Liaison itself: a bot or an app can't be an admin, only colleagues."
    )


def _listing(words: Sequence[str]) -> str:
    return ", ".join(f"`{word}`" for word in words)


def _either(choices: Sequence[str]) -> str:
    """`a`, `b` or `c`."""
    quoted = [f"`{choice}`" for choice in choices]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _place_zone(zones: Sequence[str]) -> str:
    """After zones suggested for a name refused: the line to type, and why a place's zone."""
    other = " (or another of them)" if len(zones) > 1 else ""
    return (
        f"Type `{COMMAND} config timezone {zones[0]}`{other}: a place's zone keeps its summer "
        "time, if it has one, by itself."
    )


def _saved_zone_note(refused: BadSetting) -> str:
    """Under a zone saved before `config timezone` refused such names (`GMT`, `CET`): what is
    amiss with it, and the line to type."""
    typed = refused.value
    what = {
        Problem.FIXED_ZONE: "has no summer time",
        Problem.LEGACY_ZONE: "is an old name whose summer time need not be a place's",
    }.get(refused.problem, "is not the zone of a place")
    if not refused.suggestions:
        return f"`{typed}` {what}."
    return f"`{typed}` {what}. {_place_zone(refused.suggestions)}"


def problem(error: BadSetting) -> str:
    """What was wrong with the value typed, in one or two sentences."""
    typed = error.value
    match error.problem:
        case Problem.UNKNOWN_SETTING:
            text = f"`{typed}` is not a setting I know."
            if error.suggestions:
                commands = [f"{COMMAND} config {name}" for name in error.suggestions]
                text += f" Did you mean {_either(commands)}?"
            return text + f" The settings are {_listing([s.value for s in Setting])}."
        case Problem.NOT_A_NUMBER:
            return {
                Setting.WINDOW: f"`{typed}` is not a number of days.",
                Setting.CHECKIN_DELAY: f"`{typed}` is not a number of hours, nor `morning`.",
            }.get(error.setting or Setting.ANONYMITY, f"`{typed}` is not a whole number.")
        case Problem.OUT_OF_RANGE:
            low, high = {
                Setting.WINDOW: WINDOW_DAYS,
                Setting.CHECKIN_DELAY: CHECKIN_DELAY_HOURS,
                Setting.ANONYMITY: ANONYMITY,
            }[error.setting or Setting.ANONYMITY]
            unit = {Setting.WINDOW: " days", Setting.CHECKIN_DELAY: " hours"}.get(
                error.setting or Setting.ANONYMITY, ""
            )
            if (error.setting or Setting.ANONYMITY) is Setting.ANONYMITY:
                # The bare number says nothing of what it counts: the setting is named.
                return (
                    f"Anonymity must be {low} to {high} answers (a round's scores show once that "
                    f"many people answered), not {typed}."
                )
            return f"It must be {low} to {high}{unit}, not {typed}."
        case Problem.REVEALS_PEOPLE:
            return (
                f"Anonymity must be at least {ANONYMITY[0]}: with {typed}, a round with a single "
                "answer would show that person's own scores."
            )
        case Problem.BAD_HOURS:
            return (
                f"`{typed}` is not a range of whole hours: give the hour the working day starts "
                "and the hour it ends, 0 to 24 (or with am/pm, like `9am-5pm`), joined by `-` "
                "or `to`."
            )
        case Problem.PART_HOURS:
            return (
                f"Working hours are whole hours, and `{typed}` is not: they start and end on the "
                f"hour, like `{COMMAND} config hours {next(iter(error.suggestions), '9-17')}`."
            )
        case Problem.HOURS_ORDER:
            text = f"Working hours must start before they end, and `{typed}` does not."
            if error.suggestions:
                text += f" Did you mean `{COMMAND} config hours {error.suggestions[0]}`?"
            return text
        case Problem.BAD_DAYS:
            return (
                f"`{typed}` is not a day: use mon, tue, wed, thu, fri, sat, sun — joined by `-` or "
                "`to` for a range or by `,` for a list — or `weekdays`, `weekends` or `every day`."
            )
        case Problem.BAD_CADENCE:
            return f"`{typed}` is not a pulse cadence: it can be monthly, quarterly or off."
        case Problem.BAD_DIGEST:
            return (
                f"`{typed}` is not a day and a time: give a weekday and a time of day, like "
                "`mon 09:00` or `fri 4pm`, or `off`."
            )
        case Problem.BAD_TIME:
            return f"`{typed}` is not a time of day like 09:00, 16:30 or 4pm."
        case Problem.DIGEST_ZONE:
            text = (
                "The digest's time is in the workspace's time zone, which "
                f"`{COMMAND} config timezone` sets for everything Liaison schedules: give the day "
                f"and time alone, like `{COMMAND} config digest {error.suggestions[0]}`"
            )
            if error.zone_refused is not None:
                # As `config timezone` answers the name: what it takes instead.
                return f"{text}. {problem(error.zone_refused)}"
            return f"{text}, and the zone with `{COMMAND} config timezone {typed}`."
        case Problem.OFFSET_ZONE:
            text = (
                f"`{typed}` is an offset from UTC, not a time zone: a place's offset changes "
                "with daylight saving time, so give the zone of a city, like `Europe/Berlin` "
                "or `America/New_York`."
            )
            fixed = next(iter(error.suggestions), None)
            if fixed is not None:
                text += f" For `{typed}` all year round: `{COMMAND} config timezone {fixed}`"
                # `Etc/GMT-2` is UTC+2: say so, or it reads as a typo.
                text += " (IANA writes its sign the other way round)." if "/" in fixed else "."
            return text
        case Problem.ABBREVIATED_ZONE:
            return (
                f"`{typed}` is an abbreviation, not a time zone: it names only a place's winter "
                f"or summer time, and some name several places. Did you mean "
                f"{_either(error.suggestions)}? {_place_zone(error.suggestions)}"
            )
        case Problem.LEGACY_ZONE | Problem.FIXED_ZONE:
            what = (
                "a fixed time with no summer time, not the zone of a place: wherever summer "
                "time is kept (in London, Paris, New York), it is an hour off all summer"
                if error.problem is Problem.FIXED_ZONE
                else "an old name kept for old systems, not the zone of a place: its summer "
                "time need not be the one a place keeps"
            )
            return (
                f"`{typed}` is {what}. Did you mean {_either(error.suggestions)}? "
                f"{_place_zone(error.suggestions)}"
            )
        case Problem.UNKNOWN_ZONE:
            text = f"`{typed}` is not a time zone I know."
            if error.suggestions:
                text += f" Did you mean {_either(error.suggestions)}?"
            return text + " Time zones are IANA names like Europe/Berlin, America/New_York or UTC."
