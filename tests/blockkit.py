"""A Block Kit sanity check for views, from Slack's documented limits (block kit reference):
a Home or modal view holds at most 100 blocks; a section's text at most 3000 characters and its
fields at most 10 of 2000; a header's plain text at most 150; a context block at most 10
elements; an actions block at most 25; a button's text at most 75 characters and its value at
most 2000; an action id or block id at most 255. Action ids are checked to be unique across the
whole view (Slack asks it within a block; across the view a click then names its element
alone), and block ids too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _interactive(block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if block.get("type") == "actions":
        yield from block.get("elements", [])
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            yield block[key]


def view_problems(view: dict[str, Any]) -> list[str]:
    """What Slack would refuse in `view` (empty: nothing)."""
    blocks = view.get("blocks", [])
    problems: list[str] = []
    if len(blocks) > MAX_VIEW_BLOCKS:
        problems.append(f"{len(blocks)} blocks (at most {MAX_VIEW_BLOCKS})")
    action_ids: set[str] = set()
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        kind = block.get("type")
        where = f"block {index} ({kind})"
        if kind == "section":
            if not block.get("text") and not block.get("fields"):
                problems.append(f"{where}: neither text nor fields")
            if len(_text(block.get("text"))) > MAX_SECTION_TEXT:
                problems.append(f"{where}: text over {MAX_SECTION_TEXT} characters")
            fields = block.get("fields", [])
            if len(fields) > MAX_FIELDS or any(len(_text(f)) > MAX_FIELD_TEXT for f in fields):
                problems.append(f"{where}: fields over Slack's limits")
        elif kind == "header":
            if len(_text(block.get("text"))) > MAX_HEADER_TEXT:
                problems.append(f"{where}: text over {MAX_HEADER_TEXT} characters")
        elif kind == "context":
            elements = block.get("elements", [])
            if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
                problems.append(f"{where}: {len(elements)} elements")
            if any(len(_text(e)) > MAX_SECTION_TEXT for e in elements):
                problems.append(f"{where}: an element over {MAX_SECTION_TEXT} characters")
        elif kind == "actions":
            elements = block.get("elements", [])
            if not elements or len(elements) > MAX_ACTIONS_ELEMENTS:
                problems.append(f"{where}: {len(elements)} elements")
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids or len(block_id) > MAX_ID:
                problems.append(f"{where}: block_id {block_id!r} repeated or too long")
            block_ids.add(block_id)
        for element in _interactive(block):
            action_id = str(element.get("action_id") or "")
            if not action_id or len(action_id) > MAX_ID or action_id in action_ids:
                problems.append(f"{where}: action_id {action_id!r} missing, too long or repeated")
            action_ids.add(action_id)
            if element.get("type") == "button":
                if not 0 < len(_text(element.get("text"))) <= MAX_BUTTON_TEXT:
                    problems.append(f"{where}: button text empty or over {MAX_BUTTON_TEXT}")
                if len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
                    problems.append(f"{where}: button value over {MAX_BUTTON_VALUE}")
    return problems
