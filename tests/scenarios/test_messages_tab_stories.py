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
    "Add Tom to the thread",
    "away from keyboard",
    "help Tom with the deck",
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
    ("away until monday", "`/partner away until monday`"),
    ("away mon-fri", "`/partner away mon-fri`"),
    ("add Oxfam (oxfam.org)", "`/partner add Oxfam (oxfam.org)`"),
    ("help /partner log", "`/partner help /partner log`"),
    ("help Acme", "`/partner help Acme`"),
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
        ("/partner mine", "if you meant `list`, send:\n`/partner list mine`"),
        ("/partner who", "`who` is not something I know how to do.\n`/partner help`"),
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


def test_a_message_of_emoji_alone_is_not_answered_but_a_typed_score_is(slack: Slack) -> None:
    # QA: a :+1: typed to Liaison got a paragraph back ("I don't read what is typed here, so
    # nobody sees it…"): it has no words to lose. A score typed rather than reacted has.
    for text in (":+1:", ":pray: :tada:", "👍", ":wave::skin-tone-2:"):
        assert answer_to(slack, text) is None, text
    score = answer_to(slack, ":four:")
    assert score is not None and "react :one: to :five: on it" in score.text


def test_a_question_mark_alone_is_answered(slack: Slack) -> None:
    said = answer_to(slack, "?")
    assert said is not None and said.text.startswith(CHAT_ANSWER)


def test_an_emoji_takes_no_turn_of_the_answer(slack: Slack) -> None:
    assert answer_to(slack, ":+1:") is None
    said = answer_to(slack, "where do I log a meeting?")
    assert said is not None and said.text.startswith(CHAT_ANSWER)


@pytest.mark.usefixtures("acme")
def test_edits_are_not_answered(slack: Slack) -> None:
    typed = type_in_dm(slack, BEN, "hello")
    dm = slack.fake.im_channel(BEN).id
    before = len(answers_in_dm(slack, BEN))
    original = {"type": "message", "user": BEN, "text": "hello", "ts": typed.ts}
    for thread_ts in (None, answers_in_dm(slack, BEN)[-1].ts):
        message = {**original, "text": "show Acme"}
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        edited = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": dm,
            "channel_type": "im",
            "ts": "9999.1",
            "message": {**message, "edited": {"user": BEN, "ts": "9999.1"}},
            "previous_message": original,
        }
        assert slack.deliver.send(slack.requests.event(edited)).status == 200
    slack.runtime.drain()
    assert len(answers_in_dm(slack, BEN)) == before


@pytest.mark.usefixtures("acme")
def test_a_message_in_a_thread_of_the_dm_is_answered_in_that_thread(slack: Slack) -> None:
    hint = answer_to(slack, "hello")
    assert hint is not None
    type_in_dm(slack, BEN, "show Acme", thread_ts=hint.ts)
    command = answers_in_dm(slack, BEN)[-1]
    assert command.thread_ts == hint.ts and "`/partner show Acme`" in command.text
    # Chat in the thread, within the quiet spell: no second hint.
    type_in_dm(slack, BEN, "thanks, that helps", thread_ts=hint.ts)
    assert answers_in_dm(slack, BEN)[-1] == command


@pytest.mark.usefixtures("acme")
def test_bots_and_liaisons_own_messages_are_never_answered(slack: Slack) -> None:
    dm = slack.fake.im_channel(BEN).id
    posted_before = len(slack.fake.calls_to("chat.postMessage"))
    for event in (
        # Another app posting in the DM, with a command's words.
        {"type": "message", "bot_id": "B0OTHER", "user": "U0OTHER", "text": "show Acme"},
        {"type": "message", "subtype": "bot_message", "bot_id": "B0OTHER", "text": "hi"},
        # Liaison's own answer, as Slack may send it: its user, no bot_id (Bolt drops it).
        {"type": "message", "user": slack.fake.bot_user_id, "text": CHAT_ANSWER},
    ):
        envelope = {**event, "channel": dm, "channel_type": "im", "ts": "1795000000.000100"}
        assert slack.deliver.send(slack.requests.event(envelope)).status == 200
    slack.runtime.drain()
    assert len(slack.fake.calls_to("chat.postMessage")) == posted_before
