"""The sandbox as a newcomer drives it: lines in, what each person sees out."""

from __future__ import annotations

import io
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from bot.sandbox import render
from bot.sandbox.cli import run_script
from bot.sandbox.session import FORMS, Sandbox

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def output() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def sandbox(tmp_path: Path, output: io.StringIO) -> Iterator[Sandbox]:
    console = Console(file=output, width=120, emoji=False, highlight=False, color_system=None)
    sandbox = Sandbox(db_path=tmp_path / "sandbox.db", console=console, fresh=True, start=START)
    yield sandbox
    sandbox.close()


def test_commands_are_answered_to_the_person_who_typed_them(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    assert sandbox.prompt == "ana@Acme #partnerships> "
    assert sandbox.run_line("/partner help log")
    transcript = output.getvalue()
    assert "only @ana sees, in #partnerships" in transcript
    assert "/partner log NAME [with PERSON …]" in transcript
    assert "Mon 10:00 Europe/Berlin" in transcript  # ana's own time


def test_switching_person_and_place(sandbox: Sandbox, output: io.StringIO) -> None:
    assert sandbox.run_line("as ben")
    assert sandbox.run_line("in dm")
    assert sandbox.prompt == "ben@Acme dm> "
    assert sandbox.run_line("/partner frobnicate")
    transcript = output.getvalue()
    assert "only @ben sees, in DM" in transcript
    assert "Mon 04:00 America/New_York" in transcript
    assert "`frobnicate` is not something I know how to do" in transcript


def test_a_message_written_in_the_dm_is_answered(sandbox: Sandbox, output: io.StringIO) -> None:
    assert sandbox.run_line("in dm")
    assert sandbox.run_line("say it went well, they want a proposal")
    assert "I don't read what is typed here" in output.getvalue()
    assert "DM to @liaison from @ana" in output.getvalue()  # what ana wrote, to Liaison
    assert not sandbox.run_line("say")  # nothing to write: the right form is shown
    assert "e.g. `say thanks, it went well`" in output.getvalue()


def test_another_person_in_the_dm_writes_in_their_own(sandbox: Sandbox) -> None:
    assert sandbox.run_line("in dm")
    assert sandbox.run_line("as ben")
    assert sandbox.channel_id == sandbox.fake.im_channel(sandbox.user_id).id
    assert sandbox.run_line("say hi")
    ben_dm = sandbox.fake.messages_in(sandbox.fake.im_channel(sandbox.user_id).id)
    assert [m.text for m in ben_dm if m.user == sandbox.user_id] == ["hi"]


def test_a_reply_in_a_checkins_thread_is_kept_as_its_note(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    assert sandbox.run_line("/partner add Acme")
    assert sandbox.run_line("/partner log Acme with @ben via meeting : kickoff")
    assert sandbox.run_line("advance 1d")
    assert sandbox.run_line("as ben")
    # QA: a command's answer, shown only to Ben, was `last`, and the reply failed.
    assert sandbox.run_line("/partner help")
    assert sandbox.run_line("reply last They want a proposal")
    transcript = output.getvalue()
    assert "DM to @ben, in the thread of message" in transcript
    assert "Your note: They want a proposal" in transcript
    assert "Kept as your note on the meeting with Acme" in transcript
    assert not sandbox.run_line("reply last")  # nothing to write: the right form is shown
    assert "e.g. `reply last it went well`" in output.getvalue()
    bens = sandbox.fake.im_channel("U0BEN").id
    (card,) = [m for m in sandbox.fake.messages if m.channel == bens and "How did" in m.text]
    assert sandbox.run_line("as dan")
    assert not sandbox.run_line(f"reply {card.number} mine")  # not Dan's to reply in
    assert "is not in a conversation you can reply in" in output.getvalue()


def test_mentions_are_escaped_as_slack_does(sandbox: Sandbox) -> None:
    assert sandbox.escape_mentions("owner MSF @ben in #general") == (
        "owner MSF <@U0BEN|ben> in <#C0GENERAL|general>"
    )
    assert sandbox.escape_mentions("mail jane@msf.org @nobody") == (
        "mail <mailto:jane@msf.org|jane@msf.org> @nobody"
    )


def test_typed_addresses_become_links_as_slack_makes_them(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    # QA21b NIT 10: Slack (should_escape) links a typed domain; the sandbox sent it as text, so
    # `add Oxfam GB (oxfam.org.uk)` named a partner "Oxfam GB (oxfam.org.uk)".
    assert sandbox.escape_mentions("add Oxfam GB (oxfam.org.uk)") == (
        "add Oxfam GB (<http://oxfam.org.uk|oxfam.org.uk>)"
    )
    assert sandbox.escape_mentions("see https://msf.org/about. or www.msf.org, ask @ben") == (
        "see <https://msf.org/about>. or <http://www.msf.org|www.msf.org>, ask <@U0BEN|ben>"
    )
    # Conservative: what only looks a little like an address stays text.
    for text in ("e.g. v1.2 i.e. Acme Inc.", "A.o.G.", "Doctors w/o Borders", "notes.txt"):
        assert sandbox.escape_mentions(text) == text
    # Markup already in the line is kept as it is.
    assert sandbox.escape_mentions("add MSF (<http://msf.org|msf.org>)") == (
        "add MSF (<http://msf.org|msf.org>)"
    )
    assert sandbox.run_line("/partner add Oxfam GB (oxfam.org.uk)")
    shown = output.getvalue()
    assert "Added Oxfam GB." in shown and "oxfam.org.uk" in shown.split("Website")[1]


def test_a_typed_link_ends_where_slacks_does(sandbox: Sandbox, output: io.StringIO) -> None:
    # QA: the linker took the closing bracket into the link, `(<https://www.savethechildren.net)>`,
    # so `add Save the Children (https://…)` named a partner with the address in its name.
    assert sandbox.escape_mentions("add Save the Children (https://www.savethechildren.net)") == (
        "add Save the Children (<https://www.savethechildren.net>)"
    )
    assert sandbox.escape_mentions(
        "see https://x.org, then (msf.org/about). Or https://a.org!"
    ) == ("see <https://x.org>, then (<http://msf.org/about|msf.org/about>). Or <https://a.org>!")
    assert sandbox.escape_mentions("read https://x.org/a?b=1; or (see https://x.org/c):") == (
        "read <https://x.org/a?b=1>; or (see <https://x.org/c>):"
    )
    # A port is the address's (`add Zeta (zeta.org:8080)`).
    assert sandbox.escape_mentions("(zeta.org:8080)") == "(<http://zeta.org:8080|zeta.org:8080>)"
    # A bracket the address opened is its own.
    assert sandbox.escape_mentions("(https://en.wikipedia.org/wiki/MSF_(charity))") == (
        "(<https://en.wikipedia.org/wiki/MSF_(charity)>)"
    )
    assert sandbox.run_line("/partner add Save the Children (https://www.savethechildren.net)")
    assert sandbox.run_line("/partner add Amnesty (http://amnesty.org)")
    shown = output.getvalue()
    assert "Added Save the Children." in shown and "Added Amnesty." in shown
    assert [part.split("\n")[0] for part in shown.split("Website ")[1:]] == [
        "savethechildren.net",
        "amnesty.org",
    ]


def test_typed_text_shows_as_slack_shows_it_escaped(sandbox: Sandbox, output: io.StringIO) -> None:
    assert sandbox.run_line('/partner add Oxfam International aka "Oxfam Intl"')
    # What Slack sends when chloe types `@here budget <5k & R&D >2k`.
    assert sandbox.run_line(
        "/partner intend Oxfam Intl : <!here> budget &lt;5k &amp; R&amp;D &gt;2k"
    )
    assert "“@\u2060here budget <5k & R&D >2k”" in output.getvalue()
    # Typed as a person types it, the sandbox sends what Slack would.
    assert sandbox.escape_mentions("@here budget <5k & R&D >2k, ask @ben") == (
        "<!here> budget &lt;5k &amp; R&amp;D &gt;2k, ask <@U0BEN|ben>"
    )
    assert sandbox.run_line("/partner intend Oxfam Intl : @channel costs <3k & more")
    assert "“@\u2060channel costs <3k & more”" in output.getvalue()


def test_the_clock_moves_forward_only(sandbox: Sandbox, output: io.StringIO) -> None:
    assert sandbox.run_line("advance 2d")
    assert sandbox.clock.now() == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert "chloe Wed 18:00" in output.getvalue()
    assert sandbox.run_line("advance to 2026-12-01 10:00")
    assert sandbox.clock.now() == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert not sandbox.run_line("advance to 2026-11-01 10:00")
    assert "only moves forward" in output.getvalue()


@pytest.mark.parametrize(
    "line",
    [
        "bogus",
        "as nobody",
        "in #nowhere",
        "advance soon",
        "react :four: on 999",
        "react four",
        'click "Went well" on last',
        "submit name=Acme",
        "channel #nowhere",
        "/giphy cats",
    ],
)
def test_bad_lines_explain_themselves_and_never_crash(
    sandbox: Sandbox, output: io.StringIO, line: str
) -> None:
    assert sandbox.run_line(line) is False
    transcript = output.getvalue()
    assert "✗" in transcript
    assert "advance 2d" in transcript  # the valid forms follow


def test_a_script_prints_its_transcript_and_fails_on_a_bad_line(
    sandbox: Sandbox, output: io.StringIO, tmp_path: Path
) -> None:
    script = tmp_path / "story.txt"
    script.write_text("# Ana asks for help\n/partner help\nas ben\nfly away\n")
    assert run_script(sandbox, script) == 1
    transcript = output.getvalue()
    assert "Ana asks for help" in transcript
    assert "ana@Acme #partnerships> /partner help" in transcript
    assert "ben@Acme #partnerships> fly away" in transcript
    assert "(line 4 of" in transcript


def test_a_script_opens_the_home_tab_and_clicks_on_it(
    sandbox: Sandbox, output: io.StringIO, tmp_path: Path
) -> None:
    script = tmp_path / "home.txt"
    script.write_text(
        "/partner add Acme\n"
        "/partner commit Acme us : the deck by friday\n"
        "home @ana\n"
        'click "Done" on home\n'
        "as ben\n"
        "home\n"
    )
    assert run_script(sandbox, script) == 0
    transcript = output.getvalue()
    ana = transcript[transcript.index("App Home of @ana") :]
    assert "Your open commitments (1)" in ana
    assert "`#1` we owe Acme “the deck” · due Fri 27 Nov" in ana
    assert "[Done]" in ana
    updated = transcript[transcript.index('click "Done" on home') :]
    assert "App Home of @ana  (updated)" in updated
    assert "Marked `#1` done — we kept our promise, on time" in updated
    assert "No open commitments." in updated
    ben = transcript[transcript.index("ben@Acme #partnerships> home") :]
    assert "App Home of @ben" in ben
    assert "You are not on any partner's team yet." in ben
    assert "Across the workspace" not in ben  # ana is an admin, ben is not


def test_clicking_on_a_home_not_opened_yet_explains_itself(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    assert sandbox.run_line('click "Done" on home') is False
    assert "ana has no Home tab yet; open it with `home`." in output.getvalue()


def test_the_digest_comes_at_its_minute_in_the_workspaces_zone(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    # The sandbox runs planners hourly; the digest's planner says when it is next due.
    for line in (
        "/partner config timezone America/New_York",
        "/partner config digest tue 09:30",
        "/partner add Foo",
        "advance to 2026-11-24 14:29",  # Tuesday 09:29 in New York
        "channel #partnerships",
    ):
        assert sandbox.run_line(line)
    assert "#partnerships (0 messages)" in output.getvalue()
    assert sandbox.run_line("advance to 2026-11-24 16:00")
    transcript = output.getvalue()
    assert (
        "#partnerships from @liaison · Tue 14:30 UTC\n"
        "│ Weekly digest · Tue 17 Nov 09:30 – Tue 24 Nov 09:30 (America/New_York)" in (transcript)
    )
    assert sandbox.run_line("channel #general")
    assert "#general (0 messages)" in output.getvalue()
    assert sandbox.run_line("/partner config channel #general")
    assert sandbox.run_line("channel #general")
    assert "#general (1 message)" in output.getvalue()  # its greeting


def test_a_problem_without_a_note_reaches_the_owner_ten_minutes_later(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    # Production checks every minute; the sandbox asks the planner when the alert falls due.
    for line in (
        "/partner add Oxfam",
        "/partner team Oxfam add @ben",
        "as ben",
        "/partner log Oxfam via meeting : tense meeting",
        "advance to 2026-11-23 15:30",  # 16:30 in Berlin, the owner's working hours
        'click "Problem" on "How did your meeting"',
        "advance 1h",
    ):
        assert sandbox.run_line(line), line
    transcript = output.getvalue()
    assert "DM to @ana from @liaison · Mon 16:40 Europe/Berlin\n│ ⚠️ @ben reports a problem" in (
        transcript
    )


def test_a_date_token_reads_in_the_zone_of_the_one_who_sees_it() -> None:
    token = "due <!date^1796029200^{date_short_pretty} {time}|30 Nov 09:00 UTC>"
    names: dict[str, render.NameOf] = {"user_name": str, "channel_name": str}
    assert render.mrkdwn(token, **names) == "due 30 Nov 09:00 UTC"  # a channel: no one reader

    def berlin(timestamp: str) -> str:
        moment = datetime.fromtimestamp(int(timestamp), UTC).astimezone(ZoneInfo("Europe/Berlin"))
        return f"{moment:%-d %b %H:%M}"

    assert render.mrkdwn(token, **names, date_of=berlin) == "due 30 Nov 10:00"


def test_a_contacts_email_shows_as_slack_shows_it(sandbox: Sandbox, output: io.StringIO) -> None:
    """QA: `contact MSF add Jane Doe jane@msf.org` was answered in the sandbox with
    `<mailto:jane@msf.org|jane@msf.org>`, Slack's markup, where Slack shows the address."""
    assert sandbox.run_line("/partner add MSF")
    assert sandbox.run_line("/partner contact MSF add Jane Doe jane@msf.org")
    assert sandbox.run_line("/partner show MSF")
    transcript = output.getvalue()
    assert "mailto:" not in transcript
    assert "Added Jane Doe · jane@msf.org as a contact at MSF." in transcript
    names: dict[str, render.NameOf] = {"user_name": str, "channel_name": str}
    assert render.mrkdwn("write to <mailto:jane@msf.org>", **names) == "write to jane@msf.org"


def test_an_admin_reads_failed_deliveries_in_their_own_zone(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    for line in ("/partner config channel #nosuchchannel", "/partner config"):
        assert sandbox.run_line(line)
    # The greeting was refused at 09:00 UTC; ana is in Berlin.
    assert "channel hello to #nosuchchannel, due 23 Nov 10:00:" in output.getvalue()


def test_nothing_of_the_sandbox_touches_its_database_after_close(
    tmp_path: Path, output: io.StringIO
) -> None:
    """QA: `liaison simulate --script` once failed to remove its throwaway directory: a thread
    of the closed sandbox (SQLite's checkpoints) opened story.db again, creating it empty."""
    before = set(threading.enumerate())
    console = Console(file=output, width=120, emoji=False, highlight=False, color_system=None)
    story = tmp_path / "story"
    story.mkdir()
    sandbox = Sandbox(db_path=story / "story.db", console=console, fresh=True, start=START)
    assert sandbox.run_line("/partner help")
    sandbox.close()
    left = {thread.name for thread in set(threading.enumerate()) - before if thread.is_alive()}
    assert left == set()
    shutil.rmtree(story)


def test_click_on_last_takes_the_last_message_with_that_button_where_you_are(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    """QA: after `in dm`, `click "Problem" on last` took a later #partnerships post and failed
    "Message 8 has no button 'Problem'"."""
    for line in (
        "/partner add Oxfam",
        "/partner team Oxfam add @ben",
        "as ben",
        "/partner log Oxfam via meeting : tense meeting",
        "advance to 2026-11-23 15:30",
        "as ana",
        "say a word in the channel after the check-in",
        "as ben",
        "in dm",
        'click "Problem" on last',
        "advance 1h",
    ):
        assert sandbox.run_line(line), line
    transcript = output.getvalue()
    assert "has no button" not in transcript
    assert "⚠️ @ben reports a problem" in transcript


def test_click_on_last_with_that_button_nowhere_says_so(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    """QA: `click "Went well" on last` with no check-in anywhere failed "Message 9 has no button
    'Went well'", naming a digest nobody had meant."""
    assert sandbox.run_line("/partner add Acme")
    assert sandbox.run_line("/partner log Acme : a call")  # no `via`: no check-in
    assert not sandbox.run_line('click "Went well" on last')
    transcript = output.getvalue()
    assert "No message ana can see has a button 'Went well'." in transcript
    assert "The last buttons here, on message 2: [It was a meeting]." in transcript
    assert "Message 2 has no button" not in transcript


def test_a_buttons_label_may_be_typed_without_its_curly_quotes(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    """QA: *Create “Oxfam GB” anyway* could be pressed only by typing its curly quotes."""
    assert sandbox.run_line("/partner add Oxfam")
    assert sandbox.run_line("/partner add Oxfam GB")
    assert sandbox.run_line('click "create oxfam gb anyway" on last')
    assert "Added Oxfam GB." in output.getvalue()


def test_help_shows_every_way_to_name_a_message() -> None:
    """QA: help showed `unreact … on last | on N` and `click … on last | on N`, while both
    also take quoted words, as the README says."""
    assert 'unreact :four: on last | N | "text"' in FORMS
    assert 'click "Label" on last | N | "text"' in FORMS


def test_a_reaction_that_changes_nothing_fails_its_line(
    sandbox: Sandbox, output: io.StringIO
) -> None:
    """QA: `unreact :four: on last` with no :four: there (a typo of the emoji or the message
    number, say) printed nothing and passed, and the app was sent a reaction_removed event
    Slack never sends; `react` twice sent reaction_added twice."""
    assert sandbox.run_line("say hi")
    assert sandbox.run_line("unreact :four: on last") is False
    assert "You have no :four: on message 1 to take back." in output.getvalue()
    assert sandbox.run_line("react :four: on last")
    assert sandbox.run_line("react :four: on last") is False
    assert "You have already reacted :four: to message 1." in output.getvalue()
    assert sandbox.run_line("unreact :four: on last")
    assert sandbox.fake.message_by_number(1).reactions == {}
    # QA: a reaction Liaison does not answer printed nothing: it is said where it went.
    assert "ana reacted :four: on message 1" in output.getvalue()
    assert "ana took back :four: on message 1" in output.getvalue()
    assert sandbox.run_line("/partner help")
    assert sandbox.run_line("unreact :four: on last") is False
    assert "Message 2 is shown only to you: it takes no reactions." in output.getvalue()


def test_people_and_channels_are_found_whatever_their_case(sandbox: Sandbox) -> None:
    """QA: `as Ben` and `in #General` failed (there is no colleague called 'Ben'), though
    Slack's handles and channel names are lower case and its pickers find them as typed."""
    assert sandbox.run_line("as Ben")
    assert sandbox.run_line("in #General")
    assert sandbox.prompt == "ben@Acme #general> "
    assert sandbox.run_line("channel #Partnerships")
    assert sandbox.run_line("inbox @Dan")


def test_the_clock_advances_by_durations_said_in_words(sandbox: Sandbox) -> None:
    """QA: `advance 1 day` failed ('1 day' is not a duration); only `1d` was read."""
    start = sandbox.clock.now()
    for line in ("advance 1 day", "advance 2 hours", "advance 30 min", "advance 1 week"):
        assert sandbox.run_line(line), line
    assert sandbox.clock.now() - start == timedelta(days=8, hours=2, minutes=30)
    assert sandbox.run_line("advance 2 fortnights") is False
