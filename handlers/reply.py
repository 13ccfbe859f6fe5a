"""What a handler answers: text for notifications and screen readers, plus Block Kit blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """An ephemeral answer to the person who typed the command."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_ack(self) -> dict[str, Any]:
        """Keyword arguments for Bolt's `ack()`: the answer travels in the HTTP response."""
        body: dict[str, Any] = {"text": self.text, "response_type": "ephemeral"}
        if self.blocks:
            body["blocks"] = self.blocks
        return body
