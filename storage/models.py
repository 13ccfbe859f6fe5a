"""Tables. Every row carries the Slack workspace it belongs to (`team_id`); times are aware UTC."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
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
    created_at: datetime = _utc_column()


class WorkspaceAdmin(SQLModel, table=True):
    """A Liaison admin named with `config admins` (Slack workspace admins are admins anyway)."""

    __tablename__ = "workspace_admin"
    team_id: str = Field(primary_key=True, foreign_key="workspace.team_id", max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)


class UserProfile(SQLModel, table=True):
    """Cache of `users.info`: display name, time zone and admin flag; refreshed when stale."""

    __tablename__ = "user_profile"
    team_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    real_name: str | None = Field(default=None, max_length=200)
    tz: str = Field(default="UTC", max_length=64)
    is_admin: bool = False
    is_deleted: bool = False
    fetched_at: datetime = _utc_column()


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
    notes: str | None = Field(default=None, max_length=3000)
    created_by: str = Field(max_length=32)
    created_at: datetime = _utc_column()
    last_contact_at: datetime | None = _utc_column(nullable=True)
    last_contact_by: str | None = Field(default=None, max_length=32)


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


class Contact(SQLModel, table=True):
    """A person at the partner organisation; unique by email within a partner."""

    __table_args__ = (sa.UniqueConstraint("partner_id", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    email: str | None = Field(default=None, max_length=254)
    title: str | None = Field(default=None, max_length=200)
    created_at: datetime = _utc_column()


# --- Touchpoints ----------------------------------------------------------------------------


class Touchpoint(SQLModel, table=True):
    """A contact with a partner that happened, is planned, or is intended."""

    __table_args__ = (sa.Index("ix_touchpoint_partner_time", "team_id", "partner_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    partner_id: int = Field(foreign_key="partner.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    medium: str | None = Field(default=None, max_length=16)
    at: datetime = _utc_column()
    author_id: str = Field(max_length=32)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    notes: str | None = Field(default=None, max_length=3000)
    # Slack retries a slow request with the same body; this key makes the retry a no-op.
    request_key: str | None = Field(default=None, max_length=128, unique=True)
    created_at: datetime = _utc_column()


class TouchpointParticipant(SQLModel, table=True):
    """A colleague who took part in a touchpoint besides its author."""

    __tablename__ = "touchpoint_participant"
    touchpoint_id: int = Field(foreign_key="touchpoint.id", ondelete="CASCADE", primary_key=True)
    user_id: str = Field(primary_key=True, max_length=32)


# --- Delivery: the outbox and absences ------------------------------------------------------


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(SQLModel, table=True):
    """One message Liaison sends on its own: a DM to a person or a post in a channel.

    `available_at` is when the row may next be claimed: the working-hours slot or retry time of a
    pending row, the lease expiry of a row being sent. `dedupe_key` makes enqueueing idempotent.
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
    respect_working_hours: bool = True
    due_at: datetime = _utc_column()
    available_at: datetime = _utc_column()
    expires_at: datetime | None = _utc_column(nullable=True)
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    # Held back while the recipient is away; `/partner back` releases it at once.
    held: bool = False
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
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

    __table_args__ = (sa.Index("ix_absence_user_time", "team_id", "user_id", "ends_at"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    starts_at: datetime = _utc_column()
    ends_at: datetime = _utc_column()
    deputy_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = _utc_column()
