"""The `/partner` language: every verb's syntax, purpose and example, in one place.

Help texts and usage answers for malformed lines are both rendered from this catalogue, so the
two can never disagree. Mirrors `shared/COMMANDS.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches

from bot.mrkdwn import as_typed as markup_as_typed
from handlers.grammar import as_typed, in_command


@dataclass(frozen=True)
class Verb:
    name: str
    section: str
    syntax: tuple[str, ...]
    summary: str
    examples: tuple[str, ...]
    who: str = "anyone"


PARTNERS = "Partners and ownership"
TOUCHPOINTS = "Touchpoints and coordination"
COMMITMENTS = "Commitments"
FEEDBACK = "Feedback and health"
ADMIN = "Administration"
SECTIONS = (PARTNERS, TOUCHPOINTS, COMMITMENTS, FEEDBACK, ADMIN)
OWNERS = "the partner's owner, its deputy, or an admin"
# A verb that shows what it changes when given the partner's name alone.
OWNERS_LOOK = f"anyone may look; {OWNERS} may change it"
# As `Commitments.close` decides: the commitment's owner (who keeps ours, or follows theirs up)
# and those who may change its partner.
CLOSERS = (
    "the commitment's owner (for their side, who follows it up) or, while they are away, "
    "whoever covers for them; the partner's owner or deputy, or an admin"
)

VERBS: tuple[Verb, ...] = (
    Verb(
        "add",
        PARTNERS,
        (
            'add NAME [(website)] [owner @user] [deputy @user] [team @user …] [aka "X", "Y"]',
            "add  (opens a form)",
        ),
        "Register a partner. You own it unless `owner` names someone else; `deputy` and `team` "
        "name who covers for the owner and who works with it, in any order after the name. "
        "Whoever else is named is told; `me` is you (`owner me`). A website after the name (in "
        "brackets, after the word `website`, or a full `https://` address), or in brackets at the "
        "end of the line, is its "
        "website. A likely duplicate of an existing partner (by name or "
        "website) is shown to you before anything is created.",
        (
            'add Médecins Sans Frontières owner @ana deputy @ben aka "MSF", "Doctors Without '
            'Borders"',
            "add Oxfam (oxfam.org) team @dan @eve",
        ),
    ),
    Verb(
        "show",
        PARTNERS,
        ("show NAME",),
        "The partner's card: owner, deputy, team, status, contacts, the last contact and those "
        "planned next, open commitments and health.",
        ("show MSF",),
    ),
    Verb(
        "list",
        PARTNERS,
        ("list [mine|all|prospect|active|paused|ended|dormant|at-risk]",),
        "Partners, one line each, with owner and last contact.",
        ("list mine", "list at-risk"),
    ),
    Verb(
        "owner",
        PARTNERS,
        ("owner NAME @user", "owner NAME  (shows who owns it)"),
        "Hand the partner over to a new owner; the old and the new owner are told. `me` is "
        "you: `owner MSF me`.",
        ("owner MSF @ben", "owner of MSF"),
        who=OWNERS_LOOK,
    ),
    Verb(
        "deputy",
        PARTNERS,
        ("deputy NAME @user", "deputy NAME none", "deputy NAME  (shows it)"),
        "Set who covers for the owner, or with `none` (or `clear`, `remove`) leave the partner "
        "without a deputy; a former deputy stays on the team. The new and the former deputy and "
        "the owner are told (not whoever made the change). `me` is you: `deputy MSF me`.",
        ("deputy MSF @chloe",),
        who=OWNERS_LOOK,
    ),
    Verb(
        "team",
        PARTNERS,
        (
            "team NAME add @user [@user …]",
            "team NAME remove @user [@user …]",
            "team NAME  (shows it)",
        ),
        "The partner's internal team: the colleagues who are surveyed and kept informed; "
        "whoever someone else adds is told. People straight after the name (`team MSF @ben`) "
        "are added; taking someone off needs `remove`. `+@ben` adds and `-@ben` takes off; "
        "`me` is you (`team MSF add me`). A member may take themselves off it.",
        ("team MSF add @ben @dan",),
        who=f"anyone may look; {OWNERS} may change it, and a member may leave",
    ),
    Verb(
        "status",
        PARTNERS,
        ("status NAME prospect|active|paused|ended", "status NAME  (shows it)"),
        "Move the partner through its lifecycle; `ended` is how a partnership is archived (a "
        "partner is never deleted, so its history stays): nobody follows it any more, so it takes "
        "no `plan`, `intend` or `commit` and is not surveyed (`survey NAME now` is refused), its "
        "open commitments send no reminders, and a contact logged with it is kept as history "
        "without telling or alerting anyone; its intents still waiting for an answer are closed, "
        "and their askers told. Set it back to `active` to follow it again. The owner is told of "
        "a change someone else makes.",
        ("status MSF active",),
        who=OWNERS_LOOK,
    ),
    Verb(
        "channel",
        PARTNERS,
        ("channel NAME #channel", "channel NAME none", "channel NAME  (shows where alerts go)"),
        "The partner's own coordination channel: alerts about it go there (`none`: the "
        "workspace's channel again). Pick it from the list Slack offers as you type `#`; a "
        "public channel may also be typed by name. Liaison says hello there at once, and tells "
        "you if Slack won't let it post (a private channel needs `/invite @Liaison` first).",
        ("channel MSF #msf-partnership",),
        who=OWNERS_LOOK,
    ),
    Verb(
        "alias",
        PARTNERS,
        ('alias NAME add "X"', 'alias NAME remove "X"', "alias NAME  (shows them)"),
        "Other names the partner goes by (acronyms, former names); aliases in quotes straight "
        'after the name (`alias MSF "Doctors Without Borders"`) are added.',
        ('alias Médecins Sans Frontières add "Doctors Without Borders"',),
        who=OWNERS_LOOK,
    ),
    Verb(
        "rename",
        PARTNERS,
        ("rename NAME to NEW",),
        "Change the partner's name; the old name stays as an alias (a change of case or "
        "accents only changes how it is written). The owner is told of a "
        "rename someone else makes.",
        ("rename Acme Corp to Acme Group",),
        who=OWNERS,
    ),
    Verb(
        "merge",
        PARTNERS,
        ("merge DUPLICATE into KEPT",),
        "Fold a duplicate into the partner you keep: aliases, contacts, team and all history "
        "move over, and the duplicate's name becomes an alias. Its owner and deputy join the "
        "team as members and are told; if either partner was active, the kept one is. "
        "Colleagues it shows to be in touch with one partner without knowing it are alerted.",
        ("merge Oxfam GB into Oxfam",),
        who=OWNERS,
    ),
    Verb(
        "contact",
        PARTNERS,
        (
            "contact NAME add PERSON [email] [title…]",
            "contact NAME remove PERSON",
            "contact NAME  (lists them)",
        ),
        "Add a person at the partner organisation; without an email, the title follows a comma "
        "or stands in brackets (`Jane Doe (Head of Partnerships)`): a title typed straight "
        "after the name (`Jane Doe CEO`) is asked about, not saved as the name. Someone there "
        "already (the "
        "same email, or the same name where one of the two has no email) is not added twice: "
        "added again with an email or a title they lacked, they are given it; with their email "
        "and another title, their title changes. Another person of the same name is added with "
        "their own email. A title has at most 200 characters. `remove` takes a person, by "
        "name or email, off the list; touchpoints with them still name them. Colleagues are "
        "no contacts: they go on the partner's `team`.",
        (
            "contact MSF add Jane Doe jane.doe@msf.org Head of Partnerships",
            "contact MSF remove jane.doe@msf.org",
        ),
        who=f"anyone may add; {OWNERS} may remove",
    ),
    Verb(
        "contacts",
        PARTNERS,
        ("contacts NAME",),
        "The people we know at the partner.",
        ("contacts MSF",),
    ),
    Verb(
        "log",
        TOUCHPOINTS,
        (
            "log NAME [with PERSON …] [on DATE] [via meeting|call|email|event] : NOTES",
            "log  (opens a form)",
        ),
        "Record a contact that happened. `with @colleague` adds colleagues who took part; "
        "other names are the people at the partner, as many as met (`with Jane Doe, John Roe "
        "and @ben`). A partner not registered yet can be "
        "registered on the spot, with you as owner: in the answer, or in the form's picker. "
        "Everyone on a meeting, call or event of the last 14 days is asked how it went; "
        "without `via` it is a contact, and the answer offers to make it a meeting. "
        "The kind may come first and a date straight after a partner's name "
        "(`log call MSF yesterday : …`; `yday`, `yest`, `tmrw` and `tmr` are read too). "
        "A date in numbers only (`3/12`, `3.12.`) is asked about, day or month first: give the "
        "month as a word (`3 Dec`). "
        "A date more than ten years back is refused as a likely typo of the year.",
        (
            "log MSF with @ben and Jane Doe on yesterday via meeting : agreed on a pilot",
            "log call MSF yesterday : follow-up on the budget",
        ),
    ),
    Verb(
        "plan",
        TOUCHPOINTS,
        ("plan NAME on DATE [with PERSON …] [via meeting|call|email|event] : PURPOSE",),
        "Record a planned meeting (or `via` call, email, event), so colleagues know before they "
        "reach out; once its date passes, those taking part are asked how it went. `in 3 days`, "
        "`in 2 weeks` or a date straight after a partner's name (`plan MSF tomorrow 14:00 : …`) "
        "needs no `on`. A time is `14:00`, `9:30`, `3pm` or `at 9`; an hour from 1 to 7 "
        "alone (`at 3`) is asked about: 03:00 or 15:00? A date more than five years ahead is "
        "refused as a likely typo of the year.",
        ("plan MSF on friday 14:00 with Jane Doe : pilot kick-off",),
    ),
    Verb(
        "intend",
        TOUCHPOINTS,
        ("intend NAME [with PERSON …] : PURPOSE",),
        "Give a heads-up before you reach out (no date and no `via`: a contact on a given day "
        "is a `plan`). `with` names colleagues reaching out with you and the people at the "
        "partner, as for `log`. The owner (or whoever covers for them while away) is asked to "
        "answer *Go ahead*, *I'll handle it* or *Let's talk first*; you hear their answer, and "
        "if nobody answers by the owner's next working day, you are told you may go ahead. You "
        "also hear if someone else is asked later.",
        (
            "intend MSF : ask about co-hosting the spring event",
            "intend MSF with @ben and Jane Doe : invite them to the gala",
        ),
    ),
    Verb(
        "check",
        TOUCHPOINTS,
        ("check NAME",),
        "Before you reach out: owner, who was in touch lately, what is planned, open commitments.",
        ("check MSF",),
    ),
    Verb(
        "commit",
        COMMITMENTS,
        ("commit NAME us|them [@owner] : WHAT by DATE", "commit  (opens a form)"),
        "Record a promise by our side (`us`, or `we`, `we owe`, `we're`, `I`, `I'll`, `our side`; "
        "you own it unless "
        "you name someone) or by the partner (`them`, or `they`, `they owe`, `their side`, "
        "`partner owes`; you follow it up). The `:` may be left out when the side is said: `commit "
        "MSF we owe the draft MoU by friday`. The due day (`by`, `due`, `deadline`, or a last "
        "`on`) is today or later, at most five years "
        "ahead: `by friday`, `by end of month`, `by end of week` (its Friday), `by next week` (its "
        "Monday), `by the 15th`, `by 3rd of December`, `by 2026-12-04`. An ended partner takes "
        "none (reopen it first); its open ones send no reminders until it is reopened.",
        (
            "commit MSF us @ben : send the draft MoU by friday",
            "commit MSF they owe the signed MoU by end of month",
        ),
    ),
    Verb(
        "done",
        COMMITMENTS,
        ("done ID [NOTE]",),
        "Mark a commitment as kept; words after the number are kept as a note (its owner is "
        "told, with the note, when someone else does). One commitment at a time.",
        ("done 42", "done 42 sent by email"),
        who=CLOSERS,
    ),
    Verb(
        "drop",
        COMMITMENTS,
        ("drop ID [WHY]",),
        "Close a commitment that no longer applies; words after the number are kept as why "
        "(its owner is told, with why, when someone else does). One commitment at a time.",
        ("drop 42 no longer needed",),
        who=CLOSERS,
    ),
    Verb(
        "reopen",
        COMMITMENTS,
        ("reopen ID",),
        "Open again a commitment marked done or dropped by mistake; its reminders resume (its "
        "owner is told when someone else does).",
        ("reopen 42",),
        who=CLOSERS,
    ),
    Verb(
        "commitments",
        COMMITMENTS,
        ("commitments [NAME|all|mine|overdue]", "commitments closed|kept|dropped [NAME|mine]"),
        "Open commitments, with the balance of what we owe and what they owe; or the closed "
        "ones, latest first: how each ended, by whom, when and why.",
        ("commitments overdue", "commitments closed Acme"),
    ),
    Verb(
        "survey",
        FEEDBACK,
        ("survey NAME", "survey NAME now", "survey NAME monthly|quarterly|off|default"),
        "Show the partner's pulse-survey schedule, start a round now, or give the partner its "
        "own cadence (`default` follows the workspace's `config pulse` again).",
        ("survey MSF", "survey MSF now", "survey MSF quarterly"),
        who=(
            "anyone may look; the owner or an admin may start a round; the owner, deputy or an "
            "admin may set the cadence"
        ),
    ),
    Verb(
        "health",
        FEEDBACK,
        ("health [NAME]",),
        "A partner's health score and trend; alone (or `health at-risk`), the partners at risk.",
        ("health MSF", "health"),
    ),
    Verb(
        "cadence",
        FEEDBACK,
        (
            "cadence NAME IDEAL MAX",
            "cadence NAME",
            "cadence status prospect|active IDEAL MAX",
        ),
        "How often to be in touch with the partner, in days: a nudge to its owner at IDEAL, "
        "dormant at MAX (default 30 and 60; paused and ended partners are exempt). Alone, the "
        "partner's cadence and where it stands; `status` sets it for all partners of a status.",
        ("cadence MSF 30 60",),
        who=f"anyone may look; {OWNERS} may set it, admins for a status",
    ),
    Verb(
        "away",
        FEEDBACK,
        (
            "away FROM to UNTIL [deputy @user]",
            "away DAY [deputy @user]",
            "away this|next week|month [deputy @user]",
            "away cancel",
            "away  (shows your time away)",
        ),
        "Out of office: your check-ins and surveys wait for your return, and alerts about "
        "partners you own go to each one's deputy, else to the deputy you name here, else wait "
        "for you too (so do reminders of your commitments; on a partner someone else owns, they "
        "go to the deputy you name, else to its owner or deputy, whoever is here). The deputy "
        "you name is told, once, in their working hours, that they cover and for which "
        "partners; told again only if the time away changes (a deputy it no longer names, "
        "or whose time away you cancel, is told that too). Where it "
        "overlaps time away you "
        "set before, the new one counts; the "
        "earlier one keeps its other days. On your first working morning back you get a "
        "summary of what colleagues did meanwhile with the partners you own (none if nobody "
        "touched them). Time away lasts at most a year and starts at most five years ahead. "
        "`away next week` is its Monday to Sunday, `away next month` its first to last day "
        "(`this week`, `this month`: from today; `the week after next` too), and either may "
        "end a span (`next week to friday`); `until` or `through` may stand for `to`, and so "
        "may a hyphen between two days (`mon-fri`; with spaces around it between dates that "
        "have hyphens of their own: `2026-12-01 - 2026-12-04`); "
        "`away until friday` starts today (`until next week`: back on its Monday); `away now "
        "to 17:00` starts this minute and ends at that time today; the answer names the days. "
        "`away cancel` cancels your next planned time away, as you booked it (time away "
        "booked to follow on from other time away is cancelled on its own, even while you are "
        "in the time away it follows, which stands; `back` ends both).",
        (
            "away dec 21 to jan 4 deputy @dan",
            "away friday",
            "away next week",
            "away cancel",
        ),
    ),
    Verb(
        "back",
        FEEDBACK,
        ("back",),
        "End your time away early; what waited for you arrives in your working hours, the "
        "deputy you named for it is told they cover no more, and "
        "you see what colleagues did meanwhile with the partners you own (then, not again on "
        "your first working morning; also after time away that ended on its own). When you "
        "are not away it changes nothing, and shows the time away you have planned "
        "(`away cancel` cancels it).",
        ("back",),
    ),
    Verb(
        "config",
        ADMIN,
        (
            "config",
            "config channel #channel|none",
            "config window DAYS",
            "config hours 9-17|9am-5pm",
            "config days mon-fri|weekdays|weekends|every day",
            "config pulse monthly|quarterly|off",
            "config checkin-delay HOURS|morning",
            "config anonymity N",
            "config digest DAY HH:MM|off",
            "config timezone TZ",
            "config admins [@user …|none]",
        ),
        "Show or change the workspace's settings. `config` alone shows them all and what each "
        "does; `config SETTING` one of them. Working hours are whole hours, 0 to 24 or with "
        "am/pm (`9-17`, `9am-5pm`, `9:00–17:00`, `9 until 17`); the digest's time too "
        "(`digest fri 16:00`, `digest friday 4pm`). `config admins @ana @dan` replaces "
        "the list of admins named here (Slack workspace admins always are admins; whoever it "
        "adds is told); `config checkin-delay morning` "
        "goes back to asking at the next start of working hours (after a meeting that ends "
        "before they begin, that same day).",
        ("config channel #partnerships", "config hours 9-17", "config checkin-delay morning"),
        who="anyone may look; admins may change",
    ),
    Verb(
        "export",
        ADMIN,
        ("export partners|touchpoints|commitments",),
        "A CSV file of what you may see, sent to you as a direct message.",
        ("export touchpoints",),
    ),
    Verb(
        "help",
        ADMIN,
        ("help", "help VERB"),
        "This overview (`/partner ?` too), or one verb's syntax and an example.",
        ("help log",),
    ),
)

VERBS_BY_NAME: dict[str, Verb] = {verb.name: verb for verb in VERBS}


@dataclass(frozen=True)
class Meant:
    """What a word that is no verb likely means, as whole lines to suggest (without `/partner`).

    `alone` is suggested for the word typed alone. When more follows it, `named` is, with `NAME`
    standing for the partner named there (`score Acme`: `health Acme`); a line of `named`
    without `NAME` drops what follows. Without `named`, what follows is kept after each line of
    `alone` (`met Acme : lunch`: `log Acme : lunch`). `note` says what no command does."""

    alone: tuple[str, ...]
    named: tuple[str, ...] = ()
    note: str = ""


def _same(*lines: str) -> Meant:
    """The same lines whether or not more follows (kept only where a line says `NAME`)."""
    return Meant(lines, named=lines)


# Words people type for something Liaison does under another name, too unlike it for a close
# match to find it (`register` is nothing like `add`). They are only suggested ("Did you mean"),
# never run: the language keeps one word per verb, so help, examples and answers all speak the
# same. Words for getting rid of a partner are answered apart (`blocks.help.ENDING_WORDS`): no
# verb does that, and what to do instead needs saying.
_AT_RISK = Meant(("health at-risk", "list at-risk"), named=("health NAME",))
_DORMANT = Meant(("list dormant",), named=("cadence NAME",))
_DIGEST = Meant(("config digest",))
_REPORT = Meant(("config digest",), named=("show NAME",))
_OWED = Meant(("commitments",), named=("commitments NAME",))
_TODO = Meant(("commitments mine",), named=("commitments NAME",))
_MINE = _same("list mine", "commitments mine")
_HOME_NOTE = (
    " Your own overview (partners, meetings ahead, open commitments, partners at risk) is on "
    "Liaison's *Home* tab: open Liaison under *Apps* in Slack's sidebar."
)
_HOME = Meant(_MINE.alone, named=_MINE.named, note=_HOME_NOTE)
_SCORE = Meant(("health",), named=("health NAME",))
_RESULTS = Meant(("health",), named=("health NAME", "survey NAME"))
_WHO = _same("owner of NAME", "show NAME")
_ALERTS = Meant(("config channel",), named=("channel NAME",))
SYNONYMS: dict[str, Meant] = {
    "register": Meant(("add",)),
    "new": Meant(("add",)),
    "create": Meant(("add",)),
    "met": Meant(("log",)),
    "meet": Meant(("log", "plan")),
    "meeting": Meant(("log", "plan")),
    "record": Meant(("log",)),
    "touchpoint": Meant(("log",)),
    "schedule": Meant(("plan",)),
    "view": Meant(("show",)),
    "info": Meant(("show",)),
    "whois": _WHO,
    "who": _WHO,
    "partners": Meant(("list",)),
    "all": _same("list all", "commitments all"),
    "mine": _MINE,
    "my": _MINE,
    "assign": Meant(("owner",)),
    "transfer": Meant(("owner",)),
    "handover": Meant(("owner",)),
    "alerts": _ALERTS,
    "notifications": _ALERTS,
    "dormant": _DORMANT,
    "quiet": _DORMANT,
    "inactive": _DORMANT,
    "promise": Meant(("commit",)),
    "complete": Meant(("done",)),
    "close": Meant(("done", "drop")),
    "undo": Meant(("reopen",)),
    "overdue": Meant(("commitments overdue",), named=("commitments NAME",)),
    "owe": _OWED,
    "owed": _OWED,
    "promises": _OWED,
    "todo": _TODO,
    "tasks": _TODO,
    "reminders": _TODO,
    "at-risk": _AT_RISK,
    "risk": _AT_RISK,
    "risky": _AT_RISK,
    "score": _SCORE,
    "scores": _SCORE,
    "stats": _SCORE,
    "pulse": Meant(("config pulse",), named=("survey NAME",)),
    "results": _RESULTS,
    "feedback": _RESULTS,
    "vacation": Meant(("away",)),
    "holiday": Meant(("away",)),
    "ooo": Meant(("away",)),
    "out": Meant(("away",)),
    "leave": Meant(("away",)),
    "dashboard": _HOME,
    "home": _HOME,
    "settings": Meant(("config",)),
    "admin": Meant(("config admins",)),
    "admins": Meant(("config admins",)),
    "timezone": Meant(("config timezone",)),
    "tz": Meant(("config timezone",)),
    "window": Meant(("config window",)),
    "hours": Meant(("config hours",)),
    "days": Meant(("config days",)),
    "digest": _DIGEST,
    "weekly": _DIGEST,
    "summary": _REPORT,
    "report": _REPORT,
}
# Words between a `who` and the partner's name (`who owns Acme`), not part of it.
_FILLERS = ("is", "owns", "of", "for", "the", "owner", "with")
# Words after one that takes a name that say which, not name one (`dormant partners`).
_NO_NAMES = ("partners", "partner", "ones", "all", "mine", "my")


def _verb_of(word: str) -> str:
    """The verb a word names: itself, or the first that the word is a synonym of."""
    word = word.lower()
    meant = SYNONYMS.get(word)
    return meant.alone[0].split()[0] if meant is not None else word


def _likeness(typed: str, verb: str) -> float:
    return SequenceMatcher(None, typed, verb).ratio()


def suggestions(word: str, rest: str = "") -> list[str]:
    """The whole lines (without `/partner`) a first word that is no verb may mean, `rest` being
    what was typed after it: the lines of a word in `SYNONYMS`, else the closest verbs, or the
    closest such word, with the rest kept (`lgo Acme : lunch`: `log Acme : lunch`)."""
    word, rest = word.lower(), rest.strip()
    meant = SYNONYMS.get(word)
    if meant is None:
        close = get_close_matches(word, list(VERBS_BY_NAME), n=2, cutoff=0.6)
        # A second verb only when as close as the first (`comit`: `commit`, not `commitments`,
        # which would not read the rest of the line).
        if close:
            best = _likeness(word, close[0])
            close = [verb for verb in close if _likeness(word, verb) == best]
            return [f"{verb} {_kept(rest)}".strip() for verb in close]
        near = get_close_matches(word, list(SYNONYMS), n=1, cutoff=0.8)
        if not near:
            return []
        meant = SYNONYMS[near[0]]
    if not rest:
        return list(meant.alone)
    if not meant.named:
        return [f"{line} {_kept(rest)}" for line in meant.alone]
    words = rest.split()
    if all("NAME" not in line for line in meant.named):
        # `my commitments`: of the lines, those of the verb the next word names.
        verb = _verb_of(words[0])
        return [line for line in meant.named if line.split()[0] == verb] or list(meant.named)
    while len(words) > 1 and words[0].lower() in _FILLERS:
        words = words[1:]
    if len(words) == 1 and (words[0].lower() in _NO_NAMES or words[0].lower() in VERBS_BY_NAME):
        return list(meant.alone)  # `dormant partners`, `overdue commitments`: no name
    name = in_command(" ".join(words))
    return [line.replace("NAME", name) for line in meant.named]


def _kept(rest: str) -> str:
    """The rest of a line as the person typed it, to show in a suggested command: Slack's
    markup as typed (`<@U0BEN|ben>` is `@ben`, which Slack makes a mention again when the line
    is typed), and shown as code, which a backtick would end (as `grammar.in_command` does)."""
    return as_typed(markup_as_typed(rest)).replace("`", "’")


def verbs_in(section: str) -> list[Verb]:
    return [verb for verb in VERBS if verb.section == section]
