"""Text people typed, escaped for Slack's mrkdwn: it shows as typed and never pings a channel."""

from __future__ import annotations

import pytest

from bot.mrkdwn import (
    WORD_JOINER,
    as_typed,
    cut,
    escape,
    literal,
    plain,
    plain_shown,
    slack_text,
    unescape,
)


def test_escape_turns_the_three_characters_into_slacks_entities() -> None:
    assert escape("R&D <5k >2k") == "R&amp;D &lt;5k &gt;2k"


def test_unescape_undoes_escape_even_for_an_entity_typed_as_text() -> None:
    for typed in ("R&D <5k >2k", "&lt; typed as such", "&amp;amp;", "plain"):
        assert unescape(escape(typed)) == typed


def test_slack_sends_a_typed_here_as_a_control_sequence_which_shows_as_typed() -> None:
    # Slack sent `<!here> budget &lt;5k &amp; R&amp;D &gt;2k`; the notes were unescaped.
    assert (
        slack_text("“<!here> budget <5k & R&D >2k”")
        == f"“@{WORD_JOINER}here budget &lt;5k &amp; R&amp;D &gt;2k”"
    )


@pytest.mark.parametrize(
    ("broadcast", "shown_as"),
    [
        ("<!here>", "@here"),
        ("<!channel>", "@channel"),
        ("<!everyone>", "@everyone"),
        ("<!here|here>", "@here"),
        ("<!subteam^S0123|@designers>", "@designers"),
        ("<!subteam^S0123>", "@group"),
        # A form's text field keeps what was typed: mrkdwn could parse this one by itself.
        ("@here", "@here"),
        ("@channel", "@channel"),
    ],
)
def test_a_broadcast_shows_as_typed_and_notifies_nobody(broadcast: str, shown_as: str) -> None:
    shown = slack_text(f"Partner {broadcast} note")
    assert "<" not in shown
    assert shown == f"Partner {shown_as.replace('@', '@' + WORD_JOINER)} note"


@pytest.mark.parametrize("text", ["jane@everyone.org", "x@here", "@heres", "@@here"])
def test_an_at_inside_a_word_is_no_broadcast(text: str) -> None:
    assert slack_text(text) == text


def test_the_markup_liaison_writes_stays_markup() -> None:
    text = (
        "<@U0ANA> and <@W0BEN|ben> in <#C0PARTNERS> and <#G0PRIVATE|private> "
        "<!date^1796025600^{date_short_pretty} at {time}|on Mon 30 Nov at 08:00 UTC> "
        "<https://msf.org|msf.org> <mailto:jane@msf.org|jane@msf.org> <https://msf.org/about>"
    )
    assert slack_text(text) == text


def test_a_link_whose_label_hides_where_it_leads_is_text() -> None:
    assert (
        slack_text("see <https://evil.example|click me>")
        == "see &lt;https://evil.example|click me&gt;"
    )


def test_a_quote_liaison_writes_stays_a_quote_while_a_later_angle_bracket_is_text() -> None:
    assert slack_text("said:\n> price >2k & more") == "said:\n> price &gt;2k &amp; more"


def test_text_around_kept_markup_is_escaped() -> None:
    assert slack_text("<@U1> owes R&D <5k to <@U2>") == "<@U1> owes R&amp;D &lt;5k to <@U2>"


def test_a_mention_cannot_smuggle_a_broadcast_in_its_label() -> None:
    assert slack_text("<@U1|<!here>>") == f"&lt;@U1|@{WORD_JOINER}here&gt;"


def test_cut_leaves_no_half_entity_or_half_control_sequence() -> None:
    assert cut("abc", 10) == "abc"
    assert cut("R&amp;D", 3) == "R"
    assert cut("R&amp;D", 6) == "R&amp;"
    assert cut("hi <@U0ANA> there", 8) == "hi "
    assert cut("a; b &lt;", 7) == "a; b "


def test_plain_text_shows_a_broadcast_slack_sent_as_it_was_typed() -> None:
    assert plain_shown("<!here> Foundation") == "@here Foundation"
    assert plain_shown("for <!subteam^S0123|@designers>") == "for @designers"
    assert plain_shown("typed @here & <5k") == "typed @here & <5k"  # plain text never pings


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("met <@U0BEN|ben> and <@U0DAN>", "met @ben and @U0DAN"),
        ("told <!here> and <!channel|channel>", "told @here and @channel"),
        ("ask <!subteam^S1|@designers>", "ask @designers"),
        ("in <#C0GENERAL|general>", "in #general"),
        ("see <https://msf.org|msf.org> or <https://x.org/a>", "see msf.org or https://x.org/a"),
        ("mail <mailto:jane@x.org|jane@x.org>", "mail jane@x.org"),
        ("5 < 7 & 8 > 2", "5 < 7 & 8 > 2"),
    ],
)
def test_as_typed_gives_back_what_slack_turned_into_markup(sent: str, typed: str) -> None:
    assert as_typed(sent) == typed


def test_plain_text_reads_well_without_markup() -> None:
    said = (
        "*Only* <@U0BEN> or <@U0ZED> can move `#4`; _ask them_. <#C1|general> keeps snake_case "
        "and 2*3*4."
    )
    assert plain(said, {"U0BEN": "ben"}) == (
        "Only @ben or @U0ZED can move “#4”; ask them. #general keeps snake_case and 2*3*4."
    )


def test_marks_in_what_people_typed_open_and_close_nothing() -> None:
    # QA: `*A*B Corp*` read as bold cut short. Slack's mrkdwn has no escape: a `_` or `~`
    # inside a word opens nothing and stays (snake_case), any other mark shows as a look-alike.
    assert literal("A*B_C~D`E") == "A\u2217B_C~D\u02cbE"
    assert literal("_Under_ Score ~x~ a_ b") == "\u02cdUnder\u02cd Score \u02dcx\u02dc a\u02cd b"
    assert literal("Acme & Co") == "Acme & Co"
    assert slack_text(f"*{literal('R&D_Labs')}*") == "*R&amp;D_Labs*"


def test_plain_text_keeps_marks_shown_as_typed() -> None:
    name = literal("*NSYNC_ Fan `Club`")
    assert plain(f"Already registered as *{name}* (see `show {name}`).", {}) == (
        "Already registered as *NSYNC_ Fan `Club` (see “show *NSYNC_ Fan `Club`”)."
    )


def test_plain_text_keeps_marks_in_a_code_span() -> None:
    # QA: `/partner show _Under_ Score` in a form's field error read "show Under Score".
    assert plain("see `/partner show _Under_ Score`, *now*", {}) == (
        "see “/partner show _Under_ Score”, now"
    )


def _slack_text_as_written_first(text: str) -> str:
    """`slack_text` as it was before it looked for markup only where markup can start: the
    oracle its faster form must agree with."""
    from bot import mrkdwn

    out: list[str] = []
    done = 0
    for found in mrkdwn._KEPT.finditer(text):
        if found.group("link") and not mrkdwn._shows_its_address(found["target"], found["label"]):
            continue
        out.append(escape(mrkdwn._BROADCAST.sub(mrkdwn._quiet_one, text[done : found.start()])))
        out.append(found.group())
        done = found.end()
    out.append(escape(mrkdwn._BROADCAST.sub(mrkdwn._quiet_one, text[done:])))
    return "".join(out)


def test_slack_text_agrees_with_its_first_form_on_every_mix_of_markup() -> None:
    import random

    pieces = [
        "<", ">", "&", "@", "|", "\n", " ", "!", "^", "#", "x", "U1", "C2", "here", "everyone",
        "<@U1>", "<@W2|ana>", "<#C1|general>", "<!here>", "<!channel|x>", "<!subteam^S1|@d>",
        "<!date^1700000000^{date_short}|Nov 14>", "<https://msf.org|msf.org>", "<https://a.b>",
        "<https://evil.example|click me>", "<mailto:a@b.org|a@b.org>", "https://", "mailto:",
        "> quote", "\n>", "@here", "a@here", "<@U1|a\n>", "<https://x|a\n>",
    ]  # fmt: skip
    rng = random.Random(6)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert slack_text(text) == _slack_text_as_written_first(text), text
