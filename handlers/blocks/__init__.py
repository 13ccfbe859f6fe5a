"""Block Kit builders: pure functions from plain values to blocks, tested without Slack."""

from __future__ import annotations

from handlers.reply import Block


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def section(markdown: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": markdown[:3000]}}


def context(*markdown: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": text[:3000]} for text in markdown[:10]],
    }


def divider() -> Block:
    return {"type": "divider"}


def code(lines: list[str] | tuple[str, ...]) -> str:
    """Lines as a mrkdwn code block (syntax and examples)."""
    return "```" + "\n".join(lines) + "```"
