"""Help and usage answers for `/partner`, rendered from the verb catalogue."""

from __future__ import annotations

from bot.services.workspace_settings import FirstSteps
from handlers.blocks import code, context, divider, header, section
from handlers.grammar import in_command
from handlers.reply import Block, Reply
from handlers.verbs import SECTIONS, SYNONYMS, VERBS_BY_NAME, Verb, verbs_in

COMMAND = "/partner"
# The partner the verbs' examples name (`handlers.verbs`), for an example built here.
EXAMPLE_PARTNER = "MSF"


def overview(first_steps: FirstSteps | None = None) -> Reply:
    """Every verb, grouped, one line each; first, what a workspace new to Liaison has still
    to do (`first_steps`)."""
    blocks = [
        header("Liaison — keep partnerships coordinated"),
        section(
            f"Type `{COMMAND} VERB …`. Every answer is visible only to you unless it says "
            "otherwise. A verb that takes a form opens one when you type it alone."
        ),
    ]
    if first_steps:
        blocks.append(section(_start_here(first_steps)))
    for name in SECTIONS:
        lines = [
            f"`{verb.name}` — {verb.summary.split('. ')[0].rstrip('.')}" for verb in verbs_in(name)
        ]
        blocks.append(divider())
        blocks.append(section(f"*{name}*\n" + "\n".join(lines)))
    blocks.append(context(f"`{COMMAND} help VERB` shows a verb's syntax and an example."))
    return Reply(text=f"Liaison: type `{COMMAND} help VERB` for a verb's syntax.", blocks=blocks)


def _start_here(steps: FirstSteps) -> str:
    lines = ["*Start here*"]
    if steps.no_partners:
        lines.append(
            f"• No partners yet: register the first with `{COMMAND} add NAME` (or "
            f"`{COMMAND} add` alone for a form), then record each contact with "
            f"`{COMMAND} log NAME : what happened`."
        )
    if steps.no_channel:
        lines.append(
            "• Collision alerts have no channel to go to yet: an admin chooses one with "
            f"`{COMMAND} config channel #partnerships`."
        )
    return "\n".join(lines)


def verb_help(verb: Verb) -> Reply:
    """One verb: what it does, its syntax, an example and who may use it."""
    blocks = [
        header(f"{COMMAND} {verb.name}"),
        section(verb.summary),
        section("*Syntax*\n" + code([f"{COMMAND} {form}" for form in verb.syntax])),
        section("*Example*\n" + code([f"{COMMAND} {example}" for example in verb.examples])),
        context(f"Who can use it: {verb.who}."),
    ]
    return Reply(text=f"{COMMAND} {verb.syntax[0]}", blocks=blocks)


# Verbs one `help` shows at most (each takes five blocks, of Slack's fifty).
MAX_VERBS_SHOWN = 6


def verbs_help(verbs: list[Verb]) -> Reply:
    """Several verbs asked about at once (`help log plan`), one after the other: each was
    asked for, so none is left out silently (QA20c NIT 6)."""
    shown, left = verbs[:MAX_VERBS_SHOWN], verbs[MAX_VERBS_SHOWN:]
    blocks: list[Block] = []
    for verb in shown:
        if blocks:
            blocks.append(divider())
        blocks += verb_help(verb).blocks
    if left:
        rest = ", ".join(f"`{COMMAND} help {verb.name}`" for verb in left)
        blocks.append(context(f"{MAX_VERBS_SHOWN} verbs at a time; the rest: {rest}."))
    text = "\n".join(f"{COMMAND} {verb.syntax[0]}" for verb in shown)
    return Reply(text=text, blocks=blocks)


def usage(verb: Verb, problem: str) -> Reply:
    """A malformed line: what was wrong, the right form, an example."""
    text = (
        f"{problem}\n"
        f"*Syntax:* {code([f'{COMMAND} {form}' for form in verb.syntax])}\n"
        f"*Example:* `{COMMAND} {verb.examples[0]}`"
    )
    return Reply(text=text, blocks=[section(text)])


# Words for getting rid of a partner: Liaison keeps its history, so it ends or merges instead.
ENDING_WORDS = ("remove", "delete", "archive", "end", "retire", "deactivate")


def partner_named_alone(line: str) -> Reply:
    """A line that is only a registered partner's name or alias (`line`, ready to type after
    the verb): whoever types it wants to see that partner. Its first word is no verb, but
    saying so (in lower case) of a name would read as if the name were not known."""
    text = (
        f"Did you mean `{COMMAND} show {line}`? A line starts with what to do, then the "
        f"partner; `{COMMAND} help` lists what you can do."
    )
    return Reply(text=text, blocks=[section(text)])


def unknown_verb(word: str, suggestions: list[str], *, rest: str = "") -> Reply:
    """A first word that is no verb: say so, suggest the whole lines it may mean (or, for a
    word of getting rid of a partner, how to end or merge it: `rest` is what was typed after
    it), say what no command does, list the verbs."""
    lead = f"`{word}` is not something I know how to do."
    if word.lower() in ENDING_WORDS and not rest:
        return _ending_alone(word)
    if word.lower() in ENDING_WORDS:
        name = in_command(rest)
        lead += (
            " A partner is never deleted, so its history stays: to mark it as over, "
            f"`{COMMAND} status {name} ended`; if it is a duplicate of another, "
            f"`{COMMAND} merge {name} into KEPT`."
        )
    elif any("NAME" in line for line in suggestions):
        # A word typed alone that stands for a verb taking a partner (`who`): its lines say
        # `NAME`, which a line offered to copy should not hold. What is missing, and examples.
        examples = " or ".join(
            f"`{COMMAND} {line.replace('NAME', EXAMPLE_PARTNER)}`" for line in suggestions
        )
        lead += f" Which partner do you mean? Give its name, e.g. {examples}."
    elif suggestions:
        lead += " Did you mean " + " or ".join(f"`{COMMAND} {s}`" for s in suggestions) + "?"
    meant = SYNONYMS.get(word.lower())
    if meant is not None:
        lead += meant.note
    verbs = ", ".join(
        f"`{verb.name}`" for section_name in SECTIONS for verb in verbs_in(section_name)
    )
    text = f"{lead}\nThe verbs are: {verbs}.\nType `{COMMAND} help VERB` for one verb's syntax."
    return Reply(text=text, blocks=[section(text)])


def _ending_alone(word: str) -> Reply:
    """A word for getting rid of a partner typed alone, or asked about with `help`: no verb does
    that (a partner is never deleted, so its history stays); the lines that end or merge one,
    which need the partner's name, each with an example."""
    merge = VERBS_BY_NAME["merge"]
    text = (
        f"`{word}` is not something I know how to do: a partner is never deleted, so its "
        "history stays. Name the partner in one of these:\n"
        f"• to mark it as over, `{COMMAND} status NAME ended`, e.g. "
        f"`{COMMAND} status {EXAMPLE_PARTNER} ended`\n"
        f"• if it is a duplicate of another, `{COMMAND} {merge.syntax[0]}`, e.g. "
        f"`{COMMAND} {merge.examples[0]}`\n"
        f"Type `{COMMAND} help status` or `{COMMAND} help merge` for more."
    )
    return Reply(text=text, blocks=[section(text)])


def not_yet_available(verb: Verb) -> Reply:
    """A verb of the language that this build of Liaison does not carry yet."""
    text = (
        f"`{COMMAND} {verb.name}` is part of Liaison's language but not available in this "
        f"version yet. Its syntax will be: {code([f'{COMMAND} {form}' for form in verb.syntax])}"
    )
    return Reply(text=text, blocks=[section(text)])
