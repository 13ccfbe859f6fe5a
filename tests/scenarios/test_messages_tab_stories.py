"""Stories of Liaison's DM, the Messages tab, as a new colleague meets it: a first message, `help`,
chat that starts with a verb's word, commands typed as messages (one mistyped), an emoji, an
edit, a thread, another bot. Signed `message.im` events through the real app; the answers are
what the fake Slack received."""

from __future__ import annotations

import pytest

from bot.sandbox.fake_slack import FakeMessage
from tests.conftest import Slack
from tests.scenarios.test_home import answers_in_dm, type_in_dm

ANA, BEN = "U0ANA", "U0BEN"
COMMAND_ANSWER = "Commands go through `/partner`, typed in the message box, not sent as a message"
CHAT_ANSWER = "I don't read what is typed here, so nobody sees it."


@pytest.fixture
def acme(slack: Slack) -> None:
    """Acme Corporation (aka ACME) and Médecins Sans Frontières (aka MSF), owned by Ana."""
    for line in ('add Acme Corporation aka "ACME"', 'add Médecins Sans Frontières aka "MSF"'):
        assert slack.command(line, user=ANA).status == 200
    slack.runtime.drain()


def answer_to(slack: Slack, text: str, user: str = BEN) -> FakeMessage | None:
    """What Liaison answers `text` typed in the person's DM (None: nothing)."""
    before = len(answers_in_dm(slack, user))
    type_in_dm(slack, user, text)
    after = answers_in_dm(slack, user)
    assert len(after) <= before + 1
    return after[-1] if len(after) > before else None


# Chat that starts with a verb's word: no command, whatever the verb.
CHAT = [
    "check this out",
    "log off now",
    "plan B?",
    "show me",
    "Show me how this works",
    "help me please",
    "help!",
    "list of things to do",
    "done!",
    "done with the survey",
    "drop it",
    "back in 5",
    "away for lunch",
    "status update?",
    "health check tomorrow",
    "team lunch at 12",
    "contact me later",
    "add more details later",
    "add me to the channel",
    "commit to this",
    "merge conflicts again",
    "rename the file to final.docx",
    "owner?",
    "channel is quiet today",
    "survey says",
    "config is broken",
    "export this please",
    "check the numbers: they look off",
    "plan for tomorrow: call the bank",
    "intend to call them",
    "commitments are hard",
    "Check this out",
    "Done.",
    "List looks good",
    "Log in please",
    "add I think so",
]


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize("text", CHAT)
def test_chat_starting_with_a_verbs_word_gets_the_dms_ordinary_answer(
    slack: Slack, text: str
) -> None:
    # QA: "check this out", "log off now", "plan B?" and "show me" were each answered with a
    # `/partner` line to send, as if they were commands.
    said = answer_to(slack, text)
    assert said is not None and said.text.startswith(CHAT_ANSWER), text
    assert COMMAND_ANSWER not in said.text


# Commands typed as messages: each gets the line to send.
COMMANDS = [
    ("log Acme : met Jane", "`/partner log Acme : met Jane`"),
    ("Log ACME with <@U0ANA> on tuesday : lunch", "`/partner Log ACME with` <@U0ANA>"),
    ("log NewCo : met their CEO", "`/partner log NewCo : met their CEO`"),
    ("plan NewCo on friday : review", "`/partner plan NewCo on friday : review`"),
    ("intend Oxfam : ask about the grant", "`/partner intend Oxfam : ask about the grant`"),
    ("show Acme", "`/partner show Acme`"),
    ("show Acme Corporation", "`/partner show Acme Corporation`"),
    ("check msf", "`/partner check msf`"),
    ("check Acme Corp", "`/partner check Acme Corp`"),  # near a partner's name: Did you mean
    ("contacts Médecins Sans Frontières", "`/partner contacts Médecins Sans Frontières`"),
    ("health", "`/partner health`"),
    ("health Acme", "`/partner health Acme`"),
    ("list", "`/partner list`"),
    ("list mine", "`/partner list mine`"),
    ("commitments overdue", "`/partner commitments overdue`"),
    ("done 12", "`/partner done 12`"),
    ("drop #3 no longer needed", "`/partner drop #3 no longer needed`"),
    ("commit NewCo us : send the deck by friday", "`/partner commit NewCo us : send the deck"),
    ("owner Acme <@U0BEN>", "`/partner owner Acme` <@U0BEN>"),
    ("deputy Oxfam none", "`/partner deputy Oxfam none`"),
    ("team Acme add <@U0BEN>", "`/partner team Acme add` <@U0BEN>"),
    ("status Oxfam active", "`/partner status Oxfam active`"),
    ("channel Oxfam <#C0OXFAM|oxfam>", "`/partner channel Oxfam` <#C0OXFAM|oxfam>"),
    ('alias Oxfam add "Oxfam GB"', '`/partner alias Oxfam add "Oxfam GB"`'),
    ("rename Acme to Acme Group", "`/partner rename Acme to Acme Group`"),
    ("merge ACME Ltd into Acme", "`/partner merge ACME Ltd into Acme`"),
    ("cadence Oxfam 30 60", "`/partner cadence Oxfam 30 60`"),
    ("survey Oxfam now", "`/partner survey Oxfam now`"),
    ("add Oxfam", "`/partner add Oxfam`"),
    ("add The Nature Conservancy", "`/partner add The Nature Conservancy`"),
    ("add oxfam owner <@U0ANA>", "`/partner add oxfam owner` <@U0ANA>"),
    ("away friday", "`/partner away friday`"),
    ("away next week deputy <@U0ANA>", "`/partner away next week deputy` <@U0ANA>"),
    ("away cancel", "`/partner away cancel`"),
    ("back", "`/partner back`"),
    ("config", "`/partner config`"),
    ("config window 21", "`/partner config window 21`"),
    ("export partners", "`/partner export partners`"),
    ("help log", "`/partner help log`"),
    ("help", "`/partner help`"),
    ("/partner check this out", "`/partner check this out`"),  # typed after /partner: one
]


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(("text", "line"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_command_typed_as_a_message_is_answered_with_the_line_to_send(
    slack: Slack, text: str, line: str
) -> None:
    said = answer_to(slack, text)
    assert said is not None and said.text.startswith(COMMAND_ANSWER), text
    assert line in said.text


@pytest.mark.usefixtures("acme")
def test_chat_and_commands_in_one_conversation_each_get_their_answer(slack: Slack) -> None:
    # The hint is said once in a quiet spell; each command gets its line, however many.
    said = [answer_to(slack, text) for text in ("hi!", "check this out", "show Acme", "show me")]
    hint, quiet, command, quiet_again = said
    assert hint is not None and hint.text.startswith(CHAT_ANSWER)
    assert quiet is None and quiet_again is None
    assert command is not None and "`/partner show Acme`" in command.text


# --- A new colleague's first messages -----------------------------------------------------------


def test_a_first_hello_then_help_are_each_answered_with_where_to_go(slack: Slack) -> None:
    hello = answer_to(slack, "hi! what can you do?")
    assert hello is not None and hello.text.startswith(CHAT_ANSWER)
    assert hello.text.endswith("`/partner help` lists everything I do.")
    helped = answer_to(slack, "help")
    assert helped is not None and helped.text.endswith("To run this one, send:\n`/partner help`")


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "/partner lgo Acme : lunch with <@U0ANA>",
            "`lgo` is not something I know how to do; if you meant `log`, send:\n"
            "`/partner log Acme : lunch with` <@U0ANA>\n`/partner help` lists everything I do.",
        ),
        (
            "/partner met Acme : lunch",
            "if you meant `log`, send:\n`/partner log Acme : lunch`",
        ),
        (
            "/partner shwo Acme",
            "`shwo` is not something I know how to do; if you meant `show`, send:\n"
            "`/partner show Acme`",
        ),
        (
            "/partner blorp the thing",
            "nothing was done. `blorp` is not something I know how to do.\n"
            "`/partner help` lists everything I do.",
        ),
        # `/partner` itself mistyped, which Slack then sends as a message.
        ("/partners log Acme : lunch", "To run this one, send:\n`/partner log Acme : lunch`"),
        ("/parnter lgo Acme", "if you meant `log`, send:\n`/partner log Acme`"),
        # A partner's name alone after `/partner` is a command (it shows the partner).
        ("/partner ACME", "To run this one, send:\n`/partner ACME`"),
    ],
)
def test_a_partner_command_with_a_mistyped_verb_is_answered_with_the_verb_meant(
    slack: Slack, text: str, said: str
) -> None:
    # QA: "/partner lgo Acme : lunch" got the DM's general answer, as if it were chat; it is a
    # command, and the line to send has the verb it is closest to.
    answer = answer_to(slack, text)
    assert answer is not None and answer.text.startswith(COMMAND_ANSWER)
    assert said in answer.text
