"""What each kind of message Liaison queues is called in words, wherever people read of one:
admins in `/partner config`'s failed deliveries, operators in `liaison outbox`."""

from __future__ import annotations

from bot.delivery.absence import (
    DEPUTY_NAMED,
    DEPUTY_RELEASED,
    DEPUTY_UNNAMED,
    OWNER_LEFT_UNCOVERED,
)
from bot.services import checkins, touchpoints
from bot.services.commitments import ORPHANED
from bot.services.workspace_settings import ADMIN_NOTE

# Kinds whose stored names read badly (the others read with spaces for underscores and dots):
# what an admin reads before "to @ben" (QA: "commitment orphaned to #partnerships").
_KIND_NAMES = {
    checkins.ASK_KIND: "check-in",
    checkins.REMINDER_KIND: "check-in reminder",
    checkins.CLOSED_KIND: "closed check-in's card",
    checkins.PROBLEM_KIND: "check-in Problem alert",
    checkins.DEBRIEF_KIND: "check-in debrief",
    touchpoints.OWNER_NOTE: "note to an owner",
    touchpoints.REVIVED_NOTE: "note to an owner",
    touchpoints.INTENT_ASK: "intent question",
    touchpoints.MOVED_NEAR: "note on a meeting moved near other contacts",
    touchpoints.REVIVED_NEAR: "note on a meeting put back near other contacts",
    ORPHANED: "note on promises nobody follows up",
    OWNER_LEFT_UNCOVERED: "warning of days no deputy covers",
    DEPUTY_NAMED: "word that a colleague named you to cover",
    DEPUTY_RELEASED: "word that a colleague covered for is back",
    DEPUTY_UNNAMED: "word that you no longer cover for a colleague",
    ADMIN_NOTE: "note on admin rights",
}


def in_words(kind: str) -> str:
    """The message kind `kind` (as stored) as people read it: `note on promises nobody
    follows up` for `commitment_orphaned`, `welcome back` for `welcome_back`."""
    return _KIND_NAMES.get(kind, kind.replace("_", " ").replace(".", " "))
