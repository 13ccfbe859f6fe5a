"""One `/partner` line as Slack sent it, and the shape of a verb handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.runtime import Runtime
from handlers.reply import Reply


@dataclass(frozen=True, kw_only=True)
class Invocation:
    """Who typed what, where. `trigger_id` opens a modal; it is also unique per invocation."""

    team_id: str
    user_id: str
    channel_id: str
    text: str
    trigger_id: str | None = None
    response_url: str | None = None
    # When the person typed the line, if earlier than now: a "Did you mean" or "Register it"
    # clicked later runs it as of then ("yesterday", or no date at all, mean what they meant).
    typed_at: datetime | None = None
    # Liaison's own user in the workspace (Bolt learns it at start-up): never a colleague.
    bot_user_id: str | None = None

    def typed(self, now: datetime) -> datetime:
        """When the line was typed: `typed_at`, else `now` (it is being typed now)."""
        return self.typed_at or now

    @classmethod
    def from_command(cls, command: dict[str, Any], *, bot_user_id: str | None = None) -> Invocation:
        return cls(
            bot_user_id=bot_user_id,
            team_id=command["team_id"],
            user_id=command["user_id"],
            channel_id=command.get("channel_id", ""),
            text=command.get("text") or "",
            trigger_id=command.get("trigger_id"),
            response_url=command.get("response_url"),
        )


# A verb handler gets the rest of the line after the verb and answers with a Reply.
VerbHandler = Callable[[Runtime, Invocation, str], Reply]
