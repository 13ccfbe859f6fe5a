"""Colleagues as Liaison knows them: mentions checked against Slack, a cache of `users.info`
(name, time zone, admin flag) refreshed when older than a day, and who counts as an admin.

People of another organisation (Slack Connect) are cached too, marked `external`: never
taken for colleagues, but known, so that Slack is not asked about them again and again.

Nothing here may call Slack before a request is acknowledged. Code on the ack path reads only
the cache; when the answer depends on someone the cache does not know, it raises
`PeopleToLookUp` and the handler asks Slack after the ack (`look_up`) and tries again.
"""

from __future__ import annotations

import http.client
import logging
import re
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.mrkdwn import slack_text
from bot.slack_errors import SLACK_CALL_ERRORS
from storage import people as store
from storage import workspaces as workspaces_store
from storage.models import UserProfile

logger = logging.getLogger(__name__)

# A cached profile older than this is refreshed after the ack, and is not trusted to grant
# (or refuse) admin rights: it may predate a promotion or a demotion.
PROFILE_MAX_AGE = timedelta(days=1)
# A cached "deactivated" older than this is asked again (after the ack) before a mention is
# refused: a workspace whose app predates `user_change` hears of no reactivation otherwise.
GONE_MAX_AGE = timedelta(minutes=10)
# users.info errors that mean "this id is no one in this workspace".
NOT_IN_WORKSPACE_ERRORS = frozenset({"user_not_found", "users_not_found", "user_not_visible"})
# users.info calls in flight at once when several people are looked up: Slack's tier 4 takes
# bursts of this size, and the first dispatch to 200 new recipients waits ~4× less.
LOOKUP_CONCURRENCY = 4
# users.list pages (of ADMIN_PAGE_SIZE people) read at most to find someone to name as an admin.
ADMIN_PAGES = 5
ADMIN_PAGE_SIZE = 200
# What Slack puts in `error`; anything else (an HTML page a 5xx came with) is no code.
_ERROR_CODE = re.compile(r"^[a-z0-9_.]{1,80}$")


@dataclass(frozen=True)
class Unanswered:
    """users.info gave no answer about someone (an error other than "no such user"): Slack's
    refusal, or None when Slack could not be reached. Its caller judges whether asking again
    later may help (the dispatcher does, to wait for a recipient's time zone)."""

    error: SlackApiError | None


@dataclass(frozen=True)
class PeopleCheck:
    """What one command learned from Slack about people the cache could not vouch for."""

    # Looked up with users.info during this command (answered or not).
    asked: frozenset[str] = field(default_factory=frozenset)
    # Slack says they are not in the workspace, or their account is deactivated.
    missing: frozenset[str] = field(default_factory=frozenset)
    # Among `missing`: people of another organisation, whose accounts belong to another
    # workspace (met in a Slack Connect channel). No colleagues, however Slack shows them.
    external: frozenset[str] = field(default_factory=frozenset)

    def __or__(self, other: PeopleCheck) -> PeopleCheck:
        return PeopleCheck(
            asked=self.asked | other.asked,
            missing=self.missing | other.missing,
            external=self.external | other.external,
        )


class PeopleToLookUp(Exception):
    """The answer depends on people Liaison has no fresh profile of: ask Slack, then retry."""

    def __init__(self, user_ids: Iterable[str]) -> None:
        self.user_ids = tuple(dict.fromkeys(user_ids))
        super().__init__(f"look up {', '.join(self.user_ids)}")


class NotInWorkspace(Exception):
    """A mentioned user is not (or no longer) a member of the workspace; `external` when they
    are someone of another organisation (their account belongs to another workspace)."""

    def __init__(self, user_id: str, *, external: bool = False) -> None:
        self.user_id = user_id
        self.external = external
        super().__init__(f"{user_id} is not in the workspace")


def is_fresh(profile: UserProfile | None, now: datetime) -> bool:
    """True when the cached profile exists and is younger than `PROFILE_MAX_AGE`."""
    return profile is not None and now - profile.fetched_at < PROFILE_MAX_AGE


def admin_status(
    session: Session, *, team_id: str, user_id: str, now: datetime, check: PeopleCheck
) -> bool | None:
    """Whether the user is an admin (Slack workspace admin, or named with `config admins`).

    None means the cache cannot tell and Slack has not been asked yet during this command.
    Someone Slack could not tell us about is not an admin.
    """
    if store.is_listed_admin(session=session, team_id=team_id, user_id=user_id):
        return True
    profile = store.get_profile(session=session, team_id=team_id, user_id=user_id, external=True)
    if is_fresh(profile, now) or user_id in check.asked:
        return (
            profile is not None
            and profile.is_admin
            and not (profile.is_deleted or profile.external)
        )
    return None


def display_name(engine: Engine, *, team_id: str, user_id: str) -> str | None:
    """How Slack names the person, from the profile cache (None: not cached): for plain text,
    where a mention does not render (a form's field errors)."""
    with Session(engine) as session:
        profile = store.get_profile(
            session=session, team_id=team_id, user_id=user_id, external=True
        )
    if profile is None:
        return None
    return f"{profile.real_name} (@{profile.name})" if profile.real_name else f"@{profile.name}"


def handles(engine: Engine, *, team_id: str, user_ids: Collection[str]) -> dict[str, str]:
    """The Slack handles (`ana`) of those of `user_ids` in the profile cache, colleagues or of
    another organisation, by user id: for plain text, where a mention does not render (a form's
    field errors)."""
    with Session(engine) as session:
        profiles = store.get_profiles(
            session=session, team_id=team_id, user_ids=user_ids, external=True
        )
    return {user_id: profile.name for user_id, profile in profiles.items()}


def known_admins(session: Session, *, team_id: str) -> list[str]:
    """The admins Liaison knows of, to name in a refusal: the Slack admins and owners among the
    cached profiles, then those named with `config admins`."""
    slack = store.cached_slack_admins(session=session, team_id=team_id)
    return list(
        dict.fromkeys([*slack, *workspaces_store.listed_admins(session=session, team_id=team_id)])
    )


def require_admin(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    check: PeopleCheck,
    refusal: Exception,
) -> None:
    """Raise `refusal` unless the user is an admin, or `PeopleToLookUp` while Slack must say."""
    admin = admin_status(session, team_id=team_id, user_id=user_id, now=now, check=check)
    if admin is None:
        raise PeopleToLookUp([user_id])
    if not admin:
        raise refusal


def vet_mentions(
    session: Session,
    *,
    team_id: str,
    user_ids: Collection[str],
    check: PeopleCheck,
    now: datetime,
) -> list[str]:
    """Check that mentioned users belong to the workspace, as far as Liaison knows.

    Raises `NotInWorkspace` for the first one known to be missing, deactivated or of another
    organisation; returns the ones that still need looking up. A cached profile of any age
    vouches for membership, or refuses someone marked of another organisation (it is
    refreshed after the ack); one marked deactivated refuses only while younger than
    `GONE_MAX_AGE`, else Slack is asked first (they may have been reactivated since). Someone
    Slack could not answer about is given the benefit of the doubt, so the command still works
    and shows them by id.
    """
    profiles = store.get_profiles(
        session=session, team_id=team_id, user_ids=user_ids, external=True
    )
    unknown: list[str] = []
    for user_id in user_ids:
        profile = profiles.get(user_id)
        if user_id in check.external or (profile is not None and profile.external):
            raise NotInWorkspace(user_id, external=True)
        if user_id in check.missing:
            raise NotInWorkspace(user_id)
        if profile is not None and profile.is_deleted:
            if user_id in check.asked or now - profile.fetched_at < GONE_MAX_AGE:
                raise NotInWorkspace(user_id)
            unknown.append(user_id)
        elif profile is None and user_id not in check.asked:
            unknown.append(user_id)
    return unknown


def look_up(
    client: WebClient, *, engine: Engine, clock: Clock, team_id: str, user_ids: Iterable[str]
) -> PeopleCheck:
    """Ask Slack about each user (users.info) and cache the answers. Call only after the ack.

    A user Slack does not know, or whose account is deactivated, is reported as missing; a
    person of another organisation as missing and external, and is cached marked `external`,
    so that no later command takes them for a colleague, nor asks Slack about them again. Any
    other failure is logged and the user stays unknown: the command goes on, showing the id.
    Several users are asked `LOOKUP_CONCURRENCY` at a time (the dispatcher's first batch to
    new recipients asks about hundreds), and their answers are saved in one transaction.
    """
    check, _unanswered = look_up_each(
        client, engine=engine, clock=clock, team_id=team_id, user_ids=user_ids
    )
    return check


def look_up_each(
    client: WebClient, *, engine: Engine, clock: Clock, team_id: str, user_ids: Iterable[str]
) -> tuple[PeopleCheck, dict[str, Unanswered]]:
    """`look_up`, also telling why Slack gave no answer about each user it did not answer
    about (by user id)."""
    wanted = list(dict.fromkeys(user_ids))
    ask = partial(_ask_about, client, limited=_RateLimited())
    if len(wanted) > 1:
        with ThreadPoolExecutor(
            max_workers=min(LOOKUP_CONCURRENCY, len(wanted)), thread_name_prefix="users.info"
        ) as pool:
            answers = list(pool.map(ask, wanted))
    else:
        answers = [ask(user_id) for user_id in wanted]
    missing = {user_id for user_id, answer in zip(wanted, answers, strict=True) if answer is None}
    found = [answer for answer in answers if isinstance(answer, dict)]
    external = {str(user["id"]) for user in found if is_external(user, team_id=team_id)}
    _save_all(engine, clock, team_id, found, external=external)
    missing.update(str(user["id"]) for user in found if user.get("deleted"))
    missing.update(external)
    unanswered = {
        user_id: answer
        for user_id, answer in zip(wanted, answers, strict=True)
        if isinstance(answer, Unanswered)
    }
    check = PeopleCheck(
        asked=frozenset(wanted), missing=frozenset(missing), external=frozenset(external)
    )
    return check, unanswered


def is_external(user: dict[str, Any], *, team_id: str) -> bool:
    """Whether Slack's user object is someone of another organisation rather than a member of
    workspace `team_id`: a stranger (`is_stranger`: another workspace, no channel shared with
    Liaison), or an account whose `team_id` is another workspace's, as Slack shows a partner's
    people in a Slack Connect channel. On Enterprise Grid a colleague's `team_id` may be a
    sibling workspace's: one whose `enterprise_user.teams` lists this workspace is a member.
    Guests (`is_restricted`, `is_ultra_restricted`) are accounts of this workspace: members.
    No `team_id` at all (an answer cut short) is given the benefit of the doubt."""
    if user.get("is_stranger"):
        return True
    home = user.get("team_id")
    if not home or home == team_id:
        return False
    teams = (user.get("enterprise_user") or {}).get("teams") or []
    return team_id not in teams


class _RateLimited:
    """The 429 Slack answered in one round of lookups, if any: the rest of the round is not
    asked (Slack said to wait Retry-After) and is unanswered with that 429."""

    error: SlackApiError | None = None


def _ask_about(
    client: WebClient, user_id: str, *, limited: _RateLimited
) -> dict[str, Any] | None | Unanswered:
    """users.info's `user`; None when Slack says this is no one in the workspace, or a bot."""
    if limited.error is not None:
        return Unanswered(limited.error)
    try:
        user = client.users_info(user=user_id).get("user")
    except SlackApiError as error:
        code = error_code(error)
        if rate_limited(error):
            limited.error = error
        if code in NOT_IN_WORKSPACE_ERRORS:
            return None
        logger.warning("users.info failed for %s: %s", user_id, code)
        return Unanswered(error)
    except (OSError, http.client.HTTPException):
        # A connection cut mid-answer (`IncompleteRead`) is no OSError: it must not end the
        # dispatcher's pass (its batch would stay claimed until the lease ran out).
        logger.warning("users.info could not reach Slack for %s", user_id, exc_info=True)
        return Unanswered(None)
    if not isinstance(user, dict) or not user.get("id"):
        # Slack said ok without the user (it never should): unanswered, as if unreachable.
        logger.warning("users.info answered without the user for %s", user_id)
        return Unanswered(None)
    if user.get("is_bot") or user.get("id") == "USLACKBOT":
        return None  # an app or Slackbot: no colleague to team up with or to cover
    return user


def find_admins(client: WebClient, *, engine: Engine, clock: Clock, team_id: str) -> list[str]:
    """Ask Slack (users.list) who the workspace's admins and owners are, when Liaison knows of
    none to name in a refusal; cache their profiles and return their ids. Reads pages until
    one names an admin, `ADMIN_PAGES` at most; [] when Slack names none or will not answer.
    Call only after the ack."""
    admins: list[dict[str, Any]] = []
    cursor: str | None = None
    try:
        for _ in range(ADMIN_PAGES):
            page = client.users_list(limit=ADMIN_PAGE_SIZE, cursor=cursor)
            admins += [
                user
                for user in page.get("members") or []
                if _is_admin(user)
                and not (user.get("deleted") or user.get("is_bot"))
                and not is_external(user, team_id=team_id)
            ]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if admins or cursor is None:
                break
    except SlackApiError as error:
        logger.warning("users.list failed: %s", error_code(error))
    except SLACK_CALL_ERRORS:
        # A connection cut mid-answer (`IncompleteRead`) is no OSError.
        logger.warning("users.list could not reach Slack", exc_info=True)
    _save_all(engine, clock, team_id, admins)
    return [str(user["id"]) for user in admins]


def remember(engine: Engine, clock: Clock, user: dict[str, Any], *, team_id: str) -> None:
    """Cache Slack's user object of someone found otherwise than by `look_up` (`liaison
    import`'s owners, by users.lookupByEmail), marked when of another organisation: what
    Liaison shows or exports of them then names them, and no command asks Slack again."""
    external = [str(user["id"])] if is_external(user, team_id=team_id) else []
    _save_all(engine, clock, team_id, [user], external=external)


def changed_in_slack(engine: Engine, clock: Clock, user: dict[str, Any], *, team_id: str) -> bool:
    """Cache Slack's user object from a `user_change` event, for someone Liaison knows
    (colleague or not): deactivated, reactivated, moved to another zone, renamed. No Slack
    call, so it may run before the ack. Someone reactivated is a colleague again at once for
    alerts, notes, check-ins, surveys and reminders, however long since anyone mentioned them
    (QA: an owner reactivated who typed nothing stayed gone). Someone Liaison never heard of is
    not cached: a large workspace changes profiles all day. True when the cache changed."""
    user_id = str(user.get("id") or "")
    if not user_id or user.get("is_bot") or user_id == "USLACKBOT":
        return False
    with Session(engine) as session:
        known = store.get_profile(session=session, team_id=team_id, user_id=user_id, external=True)
    if known is None:
        return False
    remember(engine, clock, user, team_id=team_id)
    return True


def uncached(engine: Engine, *, team_id: str, user_ids: Iterable[str]) -> list[str]:
    """Those of `user_ids` the profile cache has never heard of, colleagues or not: people
    picked in a form, saved on the word of Slack's menu, whom Slack is asked about after the
    ack (`found_elsewhere`)."""
    wanted = list(dict.fromkeys(user_ids))
    with Session(engine) as session:
        known = store.get_profiles(session=session, team_id=team_id, user_ids=wanted, external=True)
    return [user_id for user_id in wanted if user_id not in known]


def unconfirmed(
    engine: Engine, now: datetime, *, team_id: str, user_ids: Iterable[str]
) -> list[str]:
    """`uncached`, and those whose cached profile is stale: Slack's menu may list someone
    deactivated since Liaison last heard of them, as it lists apps."""
    wanted = list(dict.fromkeys(user_ids))
    with Session(engine) as session:
        known = store.get_profiles(session=session, team_id=team_id, user_ids=wanted, external=True)
    return [user_id for user_id in wanted if not is_fresh(known.get(user_id), now)]


def found_elsewhere(
    client: WebClient, *, engine: Engine, clock: Clock, team_id: str, user_ids: Sequence[str]
) -> list[str]:
    """Ask Slack about `user_ids` (`uncached` people picked in a form) and cache the answers;
    those it says are of another organisation. Call only after the ack."""
    if not user_ids:
        return []
    check = look_up(client, engine=engine, clock=clock, team_id=team_id, user_ids=user_ids)
    return [user_id for user_id in user_ids if user_id in check.external]


def found_no_colleagues(
    client: WebClient, *, engine: Engine, clock: Clock, team_id: str, user_ids: Sequence[str]
) -> tuple[list[str], list[str]]:
    """`found_elsewhere`, and also those Slack says are no active member: an app (a bot),
    a deactivated account or no one it knows. Call only after the ack."""
    if not user_ids:
        return [], []
    check = look_up(client, engine=engine, clock=clock, team_id=team_id, user_ids=user_ids)
    elsewhere = [user_id for user_id in user_ids if user_id in check.external]
    gone = [
        user_id
        for user_id in user_ids
        if user_id in check.missing and user_id not in check.external
    ]
    return elsewhere, gone


def knows_zone(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether Slack has told Liaison about the user (their time zone, or that they have none):
    until then, what is dated for them is on the workspace's calendar (`person_zone`)."""
    return user_id in store.zones_of(session=session, team_id=team_id, user_ids=[user_id])


def warm(
    client: WebClient, *, engine: Engine, clock: Clock, team_id: str, user_ids: Iterable[str]
) -> None:
    """Refresh the cached profiles among `user_ids` that are missing or stale (after the ack)."""
    wanted = set(user_ids)
    with Session(engine) as session:
        profiles = store.get_profiles(
            session=session, team_id=team_id, user_ids=wanted, external=True
        )
    now = clock.now()
    stale = sorted(user_id for user_id in wanted if not is_fresh(profiles.get(user_id), now))
    if stale:
        look_up(client, engine=engine, clock=clock, team_id=team_id, user_ids=stale)


def send_direct_message(
    client: WebClient, *, user_id: str, text: str, blocks: list[dict[str, Any]]
) -> bool:
    """Message one person directly; True when Slack accepted it. Call only after the ack.

    Only for an answer to something the person just did (a form whose save failed after the
    ack); what Liaison sends on its own goes through the outbox. Failures are logged with
    Slack's error code.
    """
    try:
        client.chat_postMessage(channel=user_id, text=slack_text(text), blocks=blocks)
    except SlackApiError as error:
        logger.warning("direct message to %s failed: %s", user_id, error_code(error))
        return False
    except SLACK_CALL_ERRORS as error:
        logger.warning(
            "direct message to %s could not reach Slack: %s", user_id, type(error).__name__
        )
        return False
    return True


def rate_limited(error: SlackApiError) -> bool:
    """Whether Slack said to wait (a 429, or the `ratelimited` error some methods answer)."""
    return error.response.status_code == 429 or error_code(error) == "ratelimited"


def error_code(error: SlackApiError) -> str:
    """Slack's error code (`user_not_found`, …), or `http_STATUS` when the body had none."""
    data = error.response.data
    code = str(data.get("error") or "") if isinstance(data, dict) else ""
    # slack_sdk puts the whole body in `error` when it was no JSON (an HTML error page).
    return code if _ERROR_CODE.match(code) else f"http_{error.response.status_code}"


def _is_admin(user: dict[str, Any]) -> bool:
    """Whether Slack's user object is a workspace admin or owner."""
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def _save_all(
    engine: Engine,
    clock: Clock,
    team_id: str,
    users: list[dict[str, Any]],
    *,
    external: Collection[str] = (),
) -> None:
    """Cache what Slack said about `users` (those in `external` marked of another
    organisation), in one transaction."""
    if not users:
        return
    with Session(engine) as session:
        store.save_profiles(
            session=session,
            team_id=team_id,
            profiles=[_facts(user, external=str(user["id"]) in external) for user in users],
            fetched_at=clock.now(),
        )
        session.commit()


def _facts(user: dict[str, Any], *, external: bool = False) -> store.ProfileFacts:
    profile = user.get("profile") or {}
    return store.ProfileFacts(
        user_id=str(user["id"]),
        name=str(profile.get("display_name") or user.get("name") or user["id"])[:200],
        real_name=str(profile.get("real_name") or user.get("real_name") or "")[:200] or None,
        # No zone in Slack's answer: left empty, so the workspace's `config timezone` stands in.
        tz=str(user.get("tz") or "")[:64],
        is_admin=_is_admin(user),
        is_deleted=bool(user.get("deleted")),
        external=external,
    )
