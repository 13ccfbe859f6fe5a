"""Tables. Every row carries the Slack workspace it belongs to (`team_id`); times are aware UTC."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

MAX_NAME_LENGTH = 120


def _utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable, index=index)


class PartnerStatus(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class TeamRole(StrEnum):
    OWNER = "owner"
    DEPUTY = "deputy"
    MEMBER = "member"


class TouchpointKind(StrEnum):
    DONE = "done"
    PLANNED = "planned"
    INTENDED = "intended"


class IntentAnswer(StrEnum):
    GO_AHEAD = "go_ahead"
    HANDLE_IT = "handle_it"  # the owner will handle it themselves
    TALK_FIRST = "talk_first"
    LAPSED = "lapsed"  # nobody answered within a working day: the asker may proceed
    LOGGED = "logged"  # its asker logged the contact before an answer: none is needed
    ENDED = "ended"  # the partnership ended before an answer: nobody follows the partner


class TouchpointMedium(StrEnum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    EVENT = "event"


# --- Workspace ------------------------------------------------------------------------------


class Workspace(SQLModel, table=True):
    """One Slack workspace and its `/partner config` settings."""

    team_id: str = Field(primary_key=True, max_length=32)
    name: str | None = Field(default=None, max_length=200)
    coordination_channel: str | None = Field(default=None, max_length=80)
    window_days: int = 14
    work_start_hour: int = 9
    work_end_hour: int = 17
    work_days: str = Field(default="mon,tue,wed,thu,fri", max_length=40)
    timezone: str = Field(default="UTC", max_length=64)
    pulse_cadence: str = Field(default="monthly", max_length=16)
    checkin_delay_hours: int | None = None  # None: the participant's next working morning
    anonymity_threshold: int = 3
    digest_day: str = Field(default="mon", max_length=3)
    digest_time: str = Field(default="09:00", max_length=5)
    # The key of the last weekly digest decided (sent, or skipped as quiet): a quiet week stays
    # skipped when something happens after the digest's moment.
    digest_decided: str | None = Field(default=None, max_length=40)
    # The end of the stretch that digest covered: the next one starts there, so a digest moved
    # to another day or zone neither repeats nor skips anything.
    digest_covered_until: datetime | None = _utc_column(nullable=True)
    created_at: datetime = _utc_column()


class WorkspaceAdmin(SQLModel, table=True):
    """A Liaison admin named with `config admins` (Slack workspace admins are admins anyway)."""

    __tablename__ = "workspace_admin"
    team_id: str = Field(primary_key=True, foreign_key="workspace.team_id", max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)


class UserProfile(SQLModel, table=True):
    """Cache of `users.info`: display name, time zone and admin flag; refreshed when stale.
    People of another organisation (Slack Connect) are kept marked `external`: no colleagues,
    but Slack need not be asked about them again on every command or DM."""

    __tablename__ = "user_profile"
    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    real_name: str | None = Field(default=None, max_length=200)
    tz: str = Field(default="UTC", max_length=64)
    is_admin: bool = False
    is_deleted: bool = False
    external: bool = False
    fetched_at: datetime = _utc_column()


class ZoneLookupFailure(SQLModel, table=True):
    """A person whose time zone Slack has not told yet (users.info failed), while the dispatcher
    holds their working-hours DMs for it: since when, how often; gone once Slack answers."""

    __tablename__ = "zone_lookup_failure"
    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    first_failed_at: datetime = _utc_column()
    failures: int = 1
    last_error: str = Field(max_length=100)


# --- Partners and people --------------------------------------------------------------------


class RegistryVersion(SQLModel, table=True):
    """Bumped by every change to a workspace's partner names or aliases.

    Each process caches a name index per workspace; comparing versions tells a replica that
    another one changed the names, so its cached index is stale.
    """

    __tablename__ = "registry_version"
    team_id: str = Field(primary_key=True, max_length=32)
    version: int = 0


class Partner(SQLModel, table=True):
    """An external organisation; `normalized_name` is unique within the workspace."""

    __table_args__ = (sa.UniqueConstraint("team_id", "normalized_name"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    normalized_name: str = Field(max_length=MAX_NAME_LENGTH)
    status: str = Field(default=PartnerStatus.PROSPECT, max_length=16)
    website_domain: str | None = Field(default=None, max_length=253)
    channel_id: str | None = Field(default=None, max_length=32)
    # When the channel was last chosen: deliveries that failed there before do not count.
    channel_set_at: datetime | None = _utc_column(nullable=True)
    notes: str | None = Field(default=None, max_length=3000)
    created_by: str = Field(max_length=32)
    created_at: datetime = _utc_column()
    last_contact_at: datetime | None = _utc_column(nullable=True)
    last_contact_by: str | None = Field(default=None, max_length=32)
    # That contact was recorded without a time of day: it is on its author's day for every
    # reader (`bot.dates.contact_day`), not on whatever day its moment falls in the reader's zone.
    last_contact_day_only: bool = False
    # The partner's own pulse-survey cadence (`survey NAME monthly|quarterly|off`); None follows
    # the workspace's `config pulse`.
    pulse_cadence: str | None = Field(default=None, max_length=16)


class PartnerAlias(SQLModel, table=True):
    """Another name a partner goes by (acronym, former name, a merged duplicate)."""

    __tablename__ = "partner_alias"
    __table_args__ = (sa.UniqueConstraint("team_id", "normalized"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    alias: str = Field(max_length=MAX_NAME_LENGTH)
    normalized: str = Field(max_length=MAX_NAME_LENGTH)


class TeamMembership(SQLModel, table=True):
    """A colleague's place on a partner's internal team. One owner and at most one deputy."""

    __tablename__ = "team_membership"
    __table_args__ = (
        sa.UniqueConstraint("partner_id", "user_id"),
        sa.Index(
            "uq_team_membership_one_owner",
            "partner_id",
            unique=True,
            sqlite_where=sa.text("role = 'owner'"),
            postgresql_where=sa.text("role = 'owner'"),
        ),
        sa.Index(
            "uq_team_membership_one_deputy",
            "partner_id",
            unique=True,
            sqlite_where=sa.text("role = 'deputy'"),
            postgresql_where=sa.text("role = 'deputy'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    user_id: str = Field(max_length=32, index=True)
    role: str = Field(default=TeamRole.MEMBER, max_length=16)
    added_at: datetime = _utc_column()


# The longest title a contact may have.
MAX_TITLE_LENGTH = 200


class Contact(SQLModel, table=True):
    """A person at the partner organisation; unique by email within a partner."""

    __table_args__ = (sa.UniqueConstraint("partner_id", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    email: str | None = Field(default=None, max_length=254)
    title: str | None = Field(default=None, max_length=MAX_TITLE_LENGTH)
    created_at: datetime = _utc_column()
    # Taken off the partner's contacts while touchpoints still name them: kept for that history,
    # listed nowhere else, and back on the list if someone names them again.
    removed_at: datetime | None = _utc_column(nullable=True)


# --- Touchpoints ----------------------------------------------------------------------------


# A planned meeting still on: not said by its author not to have happened.
LIVE_PLAN = "kind = 'planned' AND cancelled_at IS NULL"


class Touchpoint(SQLModel, table=True):
    """A contact with a partner that happened, is planned, or is intended."""

    __table_args__ = (
        # A key names a request of one workspace: another's may use the same trigger id.
        sa.UniqueConstraint("team_id", "request_key", name="uq_touchpoint_team_request_key"),
        sa.Index("ix_touchpoint_partner_time", "team_id", "partner_id", "at"),
        # The check-in planner's look across workspaces for recent meetings, calls and events
        # reads only this index (a range of `at` per medium; team_id in the entries).
        sa.Index("ix_touchpoint_medium_time", "medium", "at", "team_id"),
        # The planner's look for intents nobody answered in time reads only the open ones.
        sa.Index(
            "ix_touchpoint_open_intent",
            "intent_deadline",
            sqlite_where=sa.text("intent_deadline IS NOT NULL AND intent_answer IS NULL"),
            postgresql_where=sa.text("intent_deadline IS NOT NULL AND intent_answer IS NULL"),
        ),
        # The last-contact planner's look for planned meetings whose time has come reads only
        # the plans still on (`bot.services.touchpoints.Touchpoints.note_passed_plans`).
        sa.Index(
            "ix_touchpoint_live_plan",
            "at",
            "team_id",
            sqlite_where=sa.text(LIVE_PLAN),
            postgresql_where=sa.text(LIVE_PLAN),
        ),
        # The App Home's planned meetings still to come, one workspace's: a range of this
        # index, which SQLite picks without statistics (the team's own index would read every
        # touchpoint of the workspace).
        sa.Index(
            "ix_touchpoint_team_live_plan",
            "team_id",
            "at",
            sqlite_where=sa.text(LIVE_PLAN),
            postgresql_where=sa.text(LIVE_PLAN),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    medium: str | None = Field(default=None, max_length=16)
    at: datetime = _utc_column()
    author_id: str = Field(max_length=32)
    notes: str | None = Field(default=None, max_length=3000)
    # Slack retries a slow request with the same body; this key makes the retry a no-op.
    request_key: str | None = Field(default=None, max_length=128)
    created_at: datetime = _utc_column()
    # True when only the day was given (`on friday`): `at` is then noon of that day, or now.
    day_only: bool = False
    # An intent (`intend`): who was asked (the owner or their stand-in), until when an answer is
    # awaited, and the answer (`IntentAnswer`), by whom and when.
    intent_asked: str | None = Field(default=None, max_length=32)
    intent_deadline: datetime | None = _utc_column(nullable=True)
    intent_answer: str | None = Field(default=None, max_length=16)
    intent_answered_by: str | None = Field(default=None, max_length=32)
    intent_answered_at: datetime | None = _utc_column(nullable=True)
    # A planned meeting its author said didn't happen (their check-in): kept as history, but no
    # longer a contact (collisions, last contact, briefings, health). None: it stands.
    cancelled_at: datetime | None = _utc_column(nullable=True)


class TouchpointParticipant(SQLModel, table=True):
    """A colleague who took part in a touchpoint besides its author."""

    __tablename__ = "touchpoint_participant"
    # The App Home finds the planned meetings someone takes part in by this index.
    __table_args__ = (sa.Index("ix_touchpoint_participant_user_id", "user_id"),)
    touchpoint_id: int = Field(foreign_key="touchpoint.id", ondelete="CASCADE", primary_key=True)
    user_id: str = Field(primary_key=True, max_length=32)


class TouchpointContact(SQLModel, table=True):
    """A person at the partner whom a touchpoint was with (`with Jane Doe and John Roe`), in the
    order they were named (`position`, from 0)."""

    __tablename__ = "touchpoint_contact"
    touchpoint_id: int = Field(foreign_key="touchpoint.id", ondelete="CASCADE", primary_key=True)
    contact_id: int = Field(
        foreign_key="contact.id", ondelete="CASCADE", primary_key=True, index=True
    )
    team_id: str = Field(max_length=32)
    position: int = 0


# --- Delivery: the outbox and absences ------------------------------------------------------


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Refused by its channel and queued for another instead (`ON_CHANNEL_REFUSED`): it reached
    # its readers elsewhere, so it is no failure, yet the channel refused it.
    REROUTED = "rerouted"


# The outbox kinds of a check-in's question and its reminder (`bot.services.checkins`).
CHECKIN_KINDS_SQL = "kind IN ('checkin', 'checkin.reminder')"
# The outbox kind of the alert an owner gets when a check-in is answered Problem.
PROBLEM_ALERT_KIND_SQL = "kind = 'checkin.problem'"


class OutboxMessage(SQLModel, table=True):
    """One message Liaison sends on its own: a DM to a person or a post in a channel.

    `available_at` is when the row may next be claimed: the working-hours slot or retry time of a
    pending row, the lease expiry of a row being sent (by the wall clock, even for a dispatcher
    acting at another moment). `dedupe_key` makes enqueueing idempotent.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "dedupe_key"),
        sa.CheckConstraint(
            "(recipient_user IS NULL) <> (recipient_channel IS NULL)",
            name="ck_outbox_message_one_recipient",
        ),
        # The dispatcher's claim reads only rows still to send, oldest slot first.
        sa.Index(
            "ix_outbox_message_claim",
            "available_at",
            sqlite_where=sa.text("status IN ('pending', 'sending')"),
            postgresql_where=sa.text("status IN ('pending', 'sending')"),
        ),
        # Small partial indexes: a send then updates only the claim index.
        sa.Index(
            "ix_outbox_message_failed",
            "team_id",
            sqlite_where=sa.text("status = 'failed'"),
            postgresql_where=sa.text("status = 'failed'"),
        ),
        sa.Index(
            "ix_outbox_message_held",
            "team_id",
            "recipient_user",
            sqlite_where=sa.text("held"),
            postgresql_where=sa.text("held"),
        ),
        # How the latest deliveries to a channel went (a partner's channel that refuses alerts).
        sa.Index(
            "ix_outbox_message_channel",
            "team_id",
            "recipient_channel",
            "id",
            sqlite_where=sa.text("recipient_channel IS NOT NULL"),
            postgresql_where=sa.text("recipient_channel IS NOT NULL"),
        ),
        # Which check-in a reply in a DM thread answers (`feedback.sent_checkin_keys_at`): only
        # check-in questions and reminders are indexed, so other sends pay nothing for it.
        sa.Index(
            "ix_outbox_message_checkin_ts",
            "team_id",
            "sent_ts",
            sqlite_where=sa.text(CHECKIN_KINDS_SQL),
            postgresql_where=sa.text(CHECKIN_KINDS_SQL),
        ),
        # Which Problem alert a reply in a DM thread answers (`feedback.sent_problem_key_at`).
        sa.Index(
            "ix_outbox_message_problem_ts",
            "team_id",
            "sent_ts",
            sqlite_where=sa.text(PROBLEM_ALERT_KIND_SQL),
            postgresql_where=sa.text(PROBLEM_ALERT_KIND_SQL),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    kind: str = Field(max_length=40)
    recipient_user: str | None = Field(default=None, max_length=32)
    recipient_channel: str | None = Field(default=None, max_length=32)
    text: str = Field(sa_type=sa.Text)
    blocks: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    dedupe_key: str = Field(max_length=200)
    thread_of_dedupe_key: str | None = Field(default=None, max_length=200)
    # Replace that earlier message's content in place (chat.update) instead of posting.
    edit_of_dedupe_key: str | None = Field(default=None, max_length=200)
    respect_working_hours: bool = True
    due_at: datetime = _utc_column()
    available_at: datetime = _utc_column()
    expires_at: datetime | None = _utc_column(nullable=True)
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    # Held back while the recipient is away; `/partner back` releases it at once.
    held: bool = False
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    # When its first try met trouble that passes (a 5xx, a network error, …): retries stop a
    # while later (the dispatcher's policy), or at its expiry.
    retrying_since: datetime | None = _utc_column(nullable=True)
    claim_token: str | None = Field(default=None, max_length=32)
    sent_channel: str | None = Field(default=None, max_length=32)
    sent_ts: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = _utc_column(nullable=True)
    created_at: datetime = _utc_column()


class Absence(SQLModel, table=True):
    """A colleague's time away (`/partner away`): DMs wait, a deputy covers owner alerts.

    `ends_at` is exclusive: away from the start of the first day to the end of the last one,
    in the person's time zone.
    """

    __table_args__ = (
        sa.Index("ix_absence_user_time", "team_id", "user_id", "ends_at"),
        # Time away over and not summed up yet: what the welcome-back planner looks for.
        sa.Index(
            "ix_absence_to_sum_up",
            "ends_at",
            sqlite_where=sa.text("summed_up_at IS NULL"),
            postgresql_where=sa.text("summed_up_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    starts_at: datetime = _utc_column()
    ends_at: datetime = _utc_column()
    deputy_id: str | None = Field(default=None, max_length=32)
    # When it was booked, one moment per booking of the user's: the pieces time away booked
    # over part of it leaves keep it, and `away cancel` cancels a booking by it.
    created_at: datetime = _utc_column()
    # When the person was told what colleagues did meanwhile (`back`'s reply, or a direct
    # message on their first working day back); None: not yet.
    summed_up_at: datetime | None = _utc_column(nullable=True)


# --- Feedback: check-ins after meetings and pulse surveys -----------------------------------


class CheckInAnswer(StrEnum):
    WENT_WELL = "went_well"
    MIXED = "mixed"
    PROBLEM = "problem"
    DIDNT_HAPPEN = "didnt_happen"
    MOVED = "moved"


class CheckInStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"
    # Closed unasked or unanswered: another check-in asks the person about the same meeting
    # (a log of it, or its new date); see `bot.services.checkins`.
    SUPERSEDED = "superseded"


# Tables whose ids go into outbox dedupe keys and whose rows can be deleted: SQLite without
# AUTOINCREMENT hands a deleted largest id to the next row, whose messages' keys would then
# match the deleted row's sent or withdrawn ones and never be queued (PostgreSQL never reuses).
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}

CHECKIN_TO_FOLLOW = "status = 'open' OR (answer = 'problem' AND problem_alerted_at IS NULL)"


class CheckIn(SQLModel, table=True):
    """One colleague asked how one meeting, call or event went, and what they answered.

    `occurrence` counts re-asks: a planned meeting answered "moved to" is asked about again
    after its new date. `version` grows with every answer or note, naming its debrief reply.
    """

    __tablename__ = "check_in"
    __table_args__ = (
        sa.UniqueConstraint("touchpoint_id", "user_id", "occurrence"),
        # The planner's follow-ups read only open check-ins and Problems not yet alerted.
        sa.Index(
            "ix_check_in_to_follow",
            "team_id",
            sqlite_where=sa.text(CHECKIN_TO_FOLLOW),
            postgresql_where=sa.text(CHECKIN_TO_FOLLOW),
        ),
        NEVER_REUSED_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    touchpoint_id: int = Field(foreign_key="touchpoint.id", ondelete="CASCADE")
    user_id: str = Field(max_length=32)
    occurrence: int = 0
    planned: bool = False
    meeting_at: datetime = _utc_column()
    due_at: datetime = _utc_column()
    status: str = Field(default=CheckInStatus.OPEN, max_length=16)
    answer: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, max_length=3000)
    moved_to: datetime | None = _utc_column(nullable=True)
    # The first answer: it may be changed for a day after.
    answered_at: datetime | None = _utc_column(nullable=True)
    changed_at: datetime | None = _utc_column(nullable=True)
    version: int = 0
    # The versions whose debrief reply quotes a note, as last worded (an unsent one may be
    # worded again): the owner has read a note if the latest reply that went out is one.
    quoting_versions: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    reminded_at: datetime | None = _utc_column(nullable=True)
    problem_alerted_at: datetime | None = _utc_column(nullable=True)
    closed_at: datetime | None = _utc_column(nullable=True)
    created_at: datetime = _utc_column()


class CheckInReply(SQLModel, table=True):
    """A reply typed in the thread of a check-in's card and kept in its note: the words it
    added, so that editing the reply in Slack changes them there and deleting it removes them."""

    __tablename__ = "check_in_reply"
    __table_args__ = (sa.Index("ix_check_in_reply_checkin", "checkin_id"),)
    team_id: str = Field(primary_key=True, max_length=32)
    channel: str = Field(primary_key=True, max_length=32)
    ts: str = Field(primary_key=True, max_length=32)
    checkin_id: int = Field(foreign_key="check_in.id", ondelete="CASCADE")
    words: str = Field(sa_type=sa.Text)
    kept_at: datetime = _utc_column()


class SurveyRound(SQLModel, table=True):
    """One pulse survey of a partner's internal team: started, reminded once, closed.

    `round_key` makes starting idempotent (a scheduled period, or the command that started it);
    `respondents` is counted when the round closes.
    """

    __tablename__ = "survey_round"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "round_key"),
        sa.Index("ix_survey_round_partner", "team_id", "partner_id", "started_at"),
        NEVER_REUSED_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    round_key: str = Field(max_length=120)
    started_by: str | None = Field(default=None, max_length=32)
    questions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    started_at: datetime = _utc_column()
    remind_at: datetime = _utc_column()
    closes_at: datetime = _utc_column()
    reminded_at: datetime | None = _utc_column(nullable=True)
    closed_at: datetime | None = _utc_column(nullable=True)
    invited: int = 0
    respondents: int | None = None
    # `config anonymity` when the round started: what its invitations promised (None: a round
    # from before this was kept, which follows the setting as it is now).
    anonymity_threshold: int | None = None


class SurveyDelivery(SQLModel, table=True):
    """One person asked in one round.

    `respondent` is a random token that links the person to their anonymous answers while the
    round is open (so a new reaction replaces their score); closing the round erases it, after
    which nothing links a score to anyone.
    """

    __tablename__ = "survey_delivery"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id"), NEVER_REUSED_IDS)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    round_id: int = Field(foreign_key="survey_round.id", ondelete="CASCADE")
    user_id: str = Field(max_length=32)
    reason: str = Field(max_length=16)
    respondent: str | None = Field(default=None, max_length=32, unique=True)
    created_at: datetime = _utc_column()


class SurveyMessage(SQLModel, table=True):
    """One message of a delivery (0: the introduction; 1…: a question) and where it was sent,
    so that a reaction on it can be found; `reactions_added` once the bot put :one:…:five:."""

    __tablename__ = "survey_message"
    __table_args__ = (
        sa.UniqueConstraint("delivery_id", "question"),
        sa.Index("ix_survey_message_sent", "team_id", "channel", "ts"),
        sa.Index(
            "ix_survey_message_unready",
            "team_id",
            sqlite_where=sa.text("NOT reactions_added"),
            postgresql_where=sa.text("NOT reactions_added"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    delivery_id: int = Field(foreign_key="survey_delivery.id", ondelete="CASCADE")
    question: int
    dedupe_key: str = Field(max_length=200)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    reactions_added: bool = False


class SurveyAnswer(SQLModel, table=True):
    """One score (1–5) to one question, keyed by an anonymous respondent token, never a person.

    A withdrawn score stays as NULL with the time of the event that withdrew it, so an older
    event arriving late cannot bring it back; `event_ts` is erased when the round closes.
    """

    __tablename__ = "survey_answer"
    __table_args__ = (sa.UniqueConstraint("round_id", "respondent", "question"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    round_id: int = Field(foreign_key="survey_round.id", ondelete="CASCADE")
    respondent: str = Field(max_length=32)
    question: int
    score: int | None = None
    event_ts: str | None = Field(default=None, max_length=32)
    # The number reactions (digits) that count for nothing: those left on the message when
    # *Withdraw* was clicked, until added again.
    void_reactions: str | None = Field(default=None, max_length=5)


class SurveyComment(SQLModel, table=True):
    """The optional free-text comment of one anonymous respondent in one round."""

    __tablename__ = "survey_comment"
    __table_args__ = (sa.UniqueConstraint("round_id", "respondent"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    round_id: int = Field(foreign_key="survey_round.id", ondelete="CASCADE")
    respondent: str = Field(max_length=32)
    text: str = Field(sa_type=sa.Text)


class SlackEventReceipt(SQLModel, table=True):
    """A Slack event already handled: a retry with the same `event_id` is handled once."""

    __tablename__ = "slack_event_receipt"
    team_id: str = Field(primary_key=True, max_length=32)
    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = _utc_column(index=True)


# --- Collisions -----------------------------------------------------------------------------


class Collision(SQLModel, table=True):
    """Two touchpoints with one partner that collide (`bot.collisions`), recorded once per pair.

    `earlier_id` was there first; recording `later_id` found the collision. `alert_key` is the
    outbox dedupe key of the channel alert that reported it (None: no alert, e.g. the colleague
    already knew of that contact); `thread_key` is the key of the alert at the root of its
    thread, which later alerts about the partner within a day reply to. `news`: the people on
    either side did not know of each other (`bot.services.touchpoints.known`), so it was
    alerted, or would have been had a channel taken the alert; only these are what health
    counts (`storage.health.collision_pairs`). `alerted_owner_id` is
    the owner that alert mentioned, who knows of everyone it named (a later owner does not);
    `alerted_cover_id` whoever covered for them, away, whom it asked instead, who knows too.
    """

    __table_args__ = (
        sa.UniqueConstraint("earlier_id", "later_id"),
        sa.Index("ix_collision_partner_time", "team_id", "partner_id", "detected_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    earlier_id: int = Field(foreign_key="touchpoint.id", ondelete="CASCADE")
    later_id: int = Field(foreign_key="touchpoint.id", ondelete="CASCADE", index=True)
    same_contact: bool = False
    detected_at: datetime = _utc_column()
    alert_key: str | None = Field(default=None, max_length=200)
    thread_key: str | None = Field(default=None, max_length=200)
    news: bool = True
    alerted_owner_id: str | None = Field(default=None, max_length=32)
    alerted_cover_id: str | None = Field(default=None, max_length=32)


# --- Commitments and the stay-in-touch cadence ----------------------------------------------


class CommitmentSide(StrEnum):
    US = "us"  # our side promised it
    THEM = "them"  # the partner promised it; our owner follows it up


class CommitmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class Commitment(SQLModel, table=True):
    """A promise by our side or by the partner: what, by which day, who on our side owns it
    (for "them", the colleague who follows it up), and how and by whom it was closed.

    `due_set_at` is when the due day was last set: reminders meant for earlier moments are
    skipped. `on_time` is decided when it is closed as done (on or before its due day, in the
    owner's time zone).
    """

    __table_args__ = (
        sa.Index("ix_commitment_partner", "team_id", "partner_id", "status"),
        sa.Index("ix_commitment_owner", "team_id", "owner_id", "status"),
        sa.UniqueConstraint("team_id", "number", name="uq_commitment_team_number"),
        sa.UniqueConstraint("team_id", "request_key", name="uq_commitment_team_request_key"),
        # The reminder planner reads only open commitments, by due day.
        sa.Index(
            "ix_commitment_open_due",
            "due_on",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    # What people type and read (`done #3`): counted per workspace, so that one workspace's
    # numbers neither skip nor reveal another's. Taken from `CommitmentCounter` when inserted
    # (`next_commitment_number`); the id stays internal (buttons, dedupe keys).
    number: int | None = Field(default=None, nullable=False)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    side: str = Field(max_length=8)
    owner_id: str = Field(max_length=32)
    what: str = Field(max_length=1000)
    due_on: date
    status: str = Field(default=CommitmentStatus.OPEN, max_length=16)
    created_by: str = Field(max_length=32)
    created_at: datetime = _utc_column()
    due_set_at: datetime = _utc_column()
    closed_by: str | None = Field(default=None, max_length=32)
    closed_at: datetime | None = _utc_column(nullable=True)
    on_time: bool | None = None
    # Why it was closed, as typed after `done ID` or `drop ID` (None: nothing was said).
    close_note: str | None = Field(default=None, max_length=500)
    # Slack retries a slow request with the same body; this key makes the retry a no-op.
    request_key: str | None = Field(default=None, max_length=128)


class CommitmentCounter(SQLModel, table=True):
    """The last commitment number a workspace gave out.

    A counter row, not MAX(number) + 1: its upsert locks the row until the inserting
    transaction ends, so two commitments recorded at once in one workspace get consecutive
    numbers instead of one failing on the unique (team_id, number); and a number is never
    given again once its commitment is deleted with its partner.
    """

    __tablename__ = "commitment_counter"
    team_id: str = Field(primary_key=True, max_length=32)
    last_number: int


def next_commitment_number(connection: sa.Connection, team_id: str) -> int:
    """The workspace's next commitment number, counted within the caller's transaction (a
    rollback gives it back)."""
    table: sa.Table = CommitmentCounter.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(team_id=team_id, last_number=1)
        .on_conflict_do_update(
            index_elements=["team_id"], set_={"last_number": table.c.last_number + 1}
        )
        .returning(table.c.last_number)
    )
    return int(connection.execute(statement).scalar_one())


@sa.event.listens_for(Commitment, "before_insert")
def _number_commitment(mapper: Any, connection: sa.Connection, target: Commitment) -> None:
    """Number a commitment added through the ORM without one (seeded rows, benchmarks)."""
    if target.number is None:
        target.number = next_commitment_number(connection, target.team_id)


class PartnerCadence(SQLModel, table=True):
    """A partner's own stay-in-touch intervals (None: its status's, else the defaults) and the
    snooze of its nudge.

    Not unique per partner, so that a merge can move the duplicate's row over: readers take the
    latest intervals and the latest snooze.
    """

    __tablename__ = "partner_cadence"
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    ideal_days: int | None = None
    max_days: int | None = None
    snoozed_until: datetime | None = _utc_column(nullable=True)
    changed_by: str = Field(max_length=32)
    changed_at: datetime = _utc_column()


class StatusCadence(SQLModel, table=True):
    """The stay-in-touch intervals a workspace sets for all partners of one status."""

    __tablename__ = "status_cadence"
    team_id: str = Field(primary_key=True, max_length=32)
    status: str = Field(primary_key=True, max_length=16)
    ideal_days: int
    max_days: int
    changed_by: str = Field(max_length=32)
    changed_at: datetime = _utc_column()


# --- Health ---------------------------------------------------------------------------------


class HealthSnapshot(SQLModel, table=True):
    """A partner's health score as it stood in one week (`bot.health`), for the trend.

    Taken once per week, at the planner's first run in it: `week_start` is that week's Monday in
    the workspace's time zone. Each part's own 0–100 is kept beside the score (None: no data),
    so `health NAME` can tell which parts moved.
    """

    __tablename__ = "health_snapshot"
    __table_args__ = (sa.UniqueConstraint("team_id", "partner_id", "week_start"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    week_start: date
    score: int | None = None
    pulse: int | None = None
    checkins: int | None = None
    commitments: int | None = None
    cadence: int | None = None
    collisions: int | None = None
    taken_at: datetime = _utc_column()
