from __future__ import annotations

import json

from handlers.blocks import help as help_blocks
from handlers.verbs import SECTIONS, VERBS, VERBS_BY_NAME


def test_overview_names_every_verb_within_slack_limits() -> None:
    reply = help_blocks.overview()
    rendered = json.dumps(reply.blocks)
    for verb in VERBS:
        assert f"`{verb.name}`" in rendered
    assert len(reply.blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in reply.blocks)
    assert reply.text


def test_verb_help_shows_syntax_example_and_who() -> None:
    reply = help_blocks.verb_help(VERBS_BY_NAME["owner"])
    rendered = json.dumps(reply.blocks)
    assert "/partner owner NAME @user" in rendered
    assert "/partner owner MSF @ben" in rendered
    assert "owner, its deputy, or an admin" in rendered


def test_usage_says_what_was_wrong_the_form_and_an_example() -> None:
    reply = help_blocks.usage(VERBS_BY_NAME["status"], "`sleeping` is not a status.")
    assert reply.text.startswith("`sleeping` is not a status.")
    assert "/partner status NAME prospect|active|paused|ended" in reply.text
    assert "/partner status MSF active" in reply.text


def test_unknown_verb_suggests_and_lists() -> None:
    reply = help_blocks.unknown_verb("lgo", ["log"])
    assert "Did you mean `/partner log`?" in reply.text
    assert "`commitments`" in reply.text


def test_catalogue_covers_the_whole_language() -> None:
    # The verbs of shared/COMMANDS.md, section by section.
    expected = {
        "add", "show", "list", "owner", "deputy", "team", "status", "channel", "alias",
        "rename", "merge", "contact", "contacts", "log", "plan", "intend", "check",
        "commit", "done", "drop", "reopen", "commitments", "survey", "health", "cadence", "away",
        "back", "config", "export", "help",
    }  # fmt: skip
    assert set(VERBS_BY_NAME) == expected
    assert {verb.section for verb in VERBS} == set(SECTIONS)
    assert all(verb.examples and verb.syntax for verb in VERBS)


def test_intend_help_gives_its_with_its_answers_and_its_release() -> None:
    # QA20c BUG 4 and NIT 6: `with` was taken but undocumented; the buttons and the one
    # working day after which the asker may go ahead were said nowhere.
    reply = help_blocks.verb_help(VERBS_BY_NAME["intend"])
    rendered = json.dumps(reply.blocks, ensure_ascii=False)
    assert "/partner intend NAME [with PERSON …] : PURPOSE" in rendered
    assert "*Go ahead*, *I'll handle it* or *Let's talk first*" in rendered
    assert "by the owner's next working day" in rendered
    assert "no `via`" in rendered


def test_help_on_many_verbs_stays_within_slack_limits_and_names_the_rest() -> None:
    reply = help_blocks.verbs_help(list(VERBS))
    assert len(reply.blocks) <= 50
    rendered = json.dumps(reply.blocks)
    assert f"`/partner help {VERBS[-1].name}`" in rendered
