"""Every example the help shows works when typed: each `/partner …` line of `/partner help` and
`/partner help VERB`, read from the answers the real app gives, typed as Slack sends it (mentions
and channels escaped) into a workspace where it makes sense, and answered without a refusal.

Ana (a Slack admin) types them; the clock is Wednesday 25 Nov 2026, and again a year later, so
an example with a fixed date cannot go stale unnoticed.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session

from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.fake_slack import FakeMessage, FakeSlack
from bot.sandbox.session import escape_as_slack
from bot.services.registry import Actor
from handlers.verbs import VERBS
from storage.models import CommitmentCounter
from tests.conftest import START, Slack
from tests.factories import add_partner
from tests.scenarios.test_partners import ANA, TEAM, registry

# What a refusal or a parse error says (`handlers/blocks/help.py`, `handlers/texts/*`): a usage
# answer, an unknown verb, a line or date not read, a name not found, a permission refused.
REFUSALS = re.compile(
    r"\*Syntax:\*|[Dd]id you mean|not something I know how to do|I can't read|I couldn't read"
    r"|I don't know a partner called|\bOnly .{1,300}? can (?:change|start|set|close|reopen)"
    r"|Nobody to ask|is more than one day|not a member of this workspace"
    r"|Sorry, something went wrong",
    re.DOTALL,
)
# A line of the help that shows a form, not something to type: it has a placeholder of the
# syntax (NAME, ID, VERB…), an ellipsis, alternatives or optional parts.
FORM_MARKS = set("…|[")
PLACEHOLDER = re.compile(r"\b[A-Z]+\b")
PLACEHOLDERS = {
    word for verb in VERBS for form in verb.syntax for word in PLACEHOLDER.findall(form)
} | {"VERB", "SETTING"}
SLASH_LINE = re.compile(r"/partner\b[^`\n]*")
# Partners the examples name, owned by Ana.
PARTNERS = ("Médecins Sans Frontières", "Acme Corp", "Oxfam", "Oxfam GB")


def texts_of(message: FakeMessage) -> list[str]:
    """The mrkdwn a person reads in a message's blocks, but for the syntax (forms, not lines to
    type: `help_blocks.verb_help`)."""
    found = []
    for block in message.blocks:
        for part in [block.get("text"), *block.get("elements", [])]:
            if isinstance(part, dict) and part.get("type") == "mrkdwn":
                found.append(part["text"])
    return [text for text in found if not text.startswith("*Syntax*")]


def examples_in(message: FakeMessage) -> list[str]:
    """The `/partner …` lines of an answer, in code blocks or inline, that are meant to be typed
    as they stand (no placeholder, no `…`); without the `/partner `."""
    lines: list[str] = []
    for text in texts_of(message):
        for line in SLASH_LINE.findall(text):
            line = line.strip()
            if FORM_MARKS & set(line) or PLACEHOLDERS & set(PLACEHOLDER.findall(line)):
                continue
            if line not in lines:
                lines.append(line)
    return [line.removeprefix("/partner").strip() for line in lines]


def shown(slack: Slack, text: str) -> tuple[FakeMessage | None, str]:
    """Type `text` as Ana, as Slack sends it; her last answer and all it shows."""
    before = len(slack.ephemerals_to(ANA))
    delivery = slack.command(escape_as_slack(slack.fake, text), user=ANA)
    assert delivery.status == 200, delivery.body
    answers = slack.ephemerals_to(ANA)[before:]
    said = delivery.body + "".join(
        m.text + json.dumps(m.blocks, ensure_ascii=False) for m in answers
    )
    return (answers[-1] if answers else None), said


def help_answer(slack: Slack, text: str) -> FakeMessage:
    message, _ = shown(slack, text)
    assert message is not None, f"`/partner {text}` showed nothing"
    return message


@pytest.fixture
def colleagues(fake_slack: FakeSlack) -> FakeSlack:
    """Eve too, whom an example puts on a team; a channel an example names."""
    fake_slack.add_user(id="U0EVE", name="eve", real_name="Eve", tz="Europe/Paris")
    fake_slack.add_channel(id="C0MSF", name="msf-partnership")
    return fake_slack


def prepare(slack: Slack, example: str) -> None:
    """A workspace where `example` makes sense: every colleague known, the partners the examples
    name registered (but not the one `add` registers), MSF's contact, commitment #42."""
    for user in ("U0BEN", "U0CHLOE", "U0DAN", "U0EVE"):
        slack.command("help", user=user)
    verb = example.split()[0] if example else ""
    adding = example.removeprefix("add ") if verb == "add" else ""
    for name in PARTNERS:
        if verb == "add" and adding.startswith(name):
            continue
        add_partner(registry(slack), team_id=TEAM, name=name, owner_id=ANA)
    if verb != "add":
        registry(slack).add_aliases(
            actor=Actor(TEAM, ANA), partner="Médecins Sans Frontières", aliases=["MSF"]
        )
    with Session(slack.runtime.engine) as session:
        session.add(CommitmentCounter(team_id=TEAM, last_number=41))
        session.commit()
    slack.command("contact MSF add Jane Doe jane.doe@msf.org", user=ANA)
    slack.command(escape_as_slack(slack.fake, "team MSF add @chloe @eve"), user=ANA)
    slack.command("commit MSF us : send the draft MoU by friday", user=ANA)
    if verb == "reopen":
        slack.command("done 42", user=ANA)


def assert_read(said: str, example: str) -> None:
    refusals = [found.group(0) for found in REFUSALS.finditer(said)]
    assert not refusals, f"`/partner {example}` was refused ({refusals}):\n{said}"


@pytest.fixture(params=[0, 365], ids=["today", "a-year-on"])
def clock(request: pytest.FixtureRequest) -> ManualClock:
    return ManualClock(START + timedelta(days=request.param))


EXAMPLES = [(verb.name, index) for verb in VERBS for index in range(len(verb.examples))]


@pytest.mark.parametrize(("verb", "index"), EXAMPLES, ids=[f"{v}-{i}" for v, i in EXAMPLES])
@pytest.mark.usefixtures("colleagues")
def test_each_example_of_a_verbs_help_is_read(slack: Slack, verb: str, index: int) -> None:
    examples = examples_in(help_answer(slack, f"help {verb}"))
    assert len(examples) > index, f"`/partner help {verb}` shows {examples}"
    example = examples[index]
    prepare(slack, example)
    _, said = shown(slack, example)
    assert_read(said, example)


class TestTheOverview:
    """`/partner help` in a workspace new to Liaison, so that its *Start here* shows too."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, default_channel=None)

    def test_lists_every_verb_whose_help_is_checked(self, slack: Slack) -> None:
        overview = "\n".join(texts_of(help_answer(slack, "help")))
        listed = re.findall(r"^`([a-z]+)` — ", overview, re.MULTILINE)
        assert listed == [verb for verb, index in EXAMPLES if index == 0]

    @pytest.mark.usefixtures("colleagues")
    def test_each_example_is_read(self, slack: Slack) -> None:
        examples = examples_in(help_answer(slack, "help"))
        assert examples, "`/partner help` shows no line to type"
        for example in examples:
            _, said = shown(slack, example)
            assert_read(said, example)


# Forms people type that the parser reads, each with the verb whose help must show it and what
# of it that help shows (an example, or a form quoted in its summary).
NATURAL_FORMS = [
    ("log", "log call MSF yesterday : follow-up on the budget", "log call MSF yesterday : "),
    ("plan", "plan MSF tomorrow 14:00 : budget review", "plan MSF tomorrow 14:00 : "),
    ("commit", "commit MSF us : the report by end of month", "by end of month"),
    ("commit", "commit MSF us : the report by next week", "by next week"),
    ("commit", "commit MSF us : the report by the 15th", "by the 15th"),
    ("commit", "commit MSF we owe the draft MoU by friday", "we owe"),
    ("commit", "commit MSF they owe the signed MoU by friday", "they owe"),
    ("drop", "drop 42 no longer needed", "drop 42 no longer needed"),
    ("commitments", "commitments closed", "commitments closed"),
    ("reopen", "reopen 42", "reopen 42"),
    ("away", "away now to 17:00", "away now to 17:00"),
    ("owner", "owner of MSF", "owner of MSF"),
]


@pytest.mark.parametrize(("verb", "line", "help_shows"), NATURAL_FORMS)
@pytest.mark.usefixtures("colleagues")
def test_a_natural_form_is_read_and_its_verbs_help_shows_it(
    slack: Slack, verb: str, line: str, help_shows: str
) -> None:
    prepare(slack, line)
    _, said = shown(slack, line)
    assert_read(said, line)
    _, help_said = shown(slack, f"help {verb}")
    assert help_shows in help_said, f"`/partner help {verb}` does not show `{help_shows}`"


@pytest.mark.usefixtures("colleagues")
def test_the_example_a_bad_config_value_shows_is_read(slack: Slack) -> None:
    """`config SETTING` with a value it cannot take answers with the setting's example (the
    settings as `help config` lists them); each example is read."""
    forms = "\n".join(
        text
        for block in help_answer(slack, "help config").blocks
        if isinstance(text := block.get("text", {}).get("text"), str)
    )
    settings = re.findall(r"^(?:```)?/partner config ([a-z-]+)", forms, re.MULTILINE)
    assert len(settings) >= 10, forms
    for setting in settings:
        message, said = shown(slack, f"config {setting} ???")
        assert message is not None and "*Example:*" in said, said
        (example,) = {
            line for line in examples_in(message) if line.startswith(f"config {setting} ")
        }
        _, said = shown(slack, example)
        assert_read(said, example)


def forms_quoted(message: FakeMessage, verb: str) -> list[str]:
    """Whole lines a verb's help quotes in its summary (`owner MSF me`), not forms."""
    quoted = re.findall(r"`([^`\n]+)`", "\n".join(texts_of(message)))
    return [
        line
        for line in dict.fromkeys(quoted)
        if line.startswith(f"{verb} ")
        and not FORM_MARKS & set(line)
        and not PLACEHOLDERS & set(PLACEHOLDER.findall(line))
    ]


@pytest.mark.parametrize("verb", [verb.name for verb in VERBS])
@pytest.mark.usefixtures("colleagues")
def test_each_line_a_verbs_help_quotes_is_read(slack: Slack, verb: str) -> None:
    lines = forms_quoted(help_answer(slack, f"help {verb}"), verb)
    prepare(slack, verb)
    for line in lines:
        _, said = shown(slack, line)
        assert_read(said, line)


@pytest.mark.usefixtures("colleagues")
def test_the_merge_example_follows_the_add_and_alias_examples(slack: Slack) -> None:
    """QA: after the help's own `add` and `alias` examples (MSF aka "Doctors Without Borders"),
    `merge Doctors w/o Borders into MSF` could never be typed: that spelling finds MSF, so no
    duplicate by it can be registered, and the answer was "nothing to merge"."""
    for user in ("U0BEN", "U0CHLOE", "U0DAN", "U0EVE"):
        slack.command("help", user=user)
    for verb in ("add", "alias"):
        for example in examples_in(help_answer(slack, f"help {verb}")):
            _, said = shown(slack, example)
            assert_read(said, example)
    (merge,) = examples_in(help_answer(slack, "help merge"))
    duplicate = merge.removeprefix("merge ").split(" into ")[0]
    add_partner(registry(slack), team_id=TEAM, name=duplicate, owner_id=ANA)  # a duplicate
    _, said = shown(slack, merge)
    assert_read(said, merge)
    assert f"Merged *{duplicate}* into" in said, said
