"""Two weeks of time away as a team lives them: deputies told they cover, time away booked
again, changed, ended twice, deputies away themselves, zones whose days do not match, and what
waits for someone away. Signed commands through the real app; the scheduler's tick delivers to
the fake Slack.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: Ana (Berlin) owns Acme; Ben is in New
York, Chloe in Tokyo, Dan in London.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.delivery.operations import list_outbox
from bot.sandbox.fake_slack import FakeMessage
from bot.services import people
from tests.conftest import Slack
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)
from tests.scenarios.test_touchpoints import at, deliver_outbox, dms

# 10:30 in Berlin, 09:30 in London, 04:30 in New York, 18:30 in Tokyo.
THURSDAY_MORNING = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)  # 09:30 in New York


def named_notes(slack: Slack, user: str) -> list[FakeMessage]:
    """What told `user` they cover for a colleague's time away."""
    return [m for m in dms(slack, user) if "named you to cover for them" in m.text]


@pytest.mark.usefixtures("acme")
def test_the_deputy_named_for_time_away_is_told_once_which_partners_they_cover(
    slack: Slack,
) -> None:
    """Ana books time away naming Ben; Ben learnt it only when alerts came. Globex has a
    deputy of its own (Dan), so Ben covers Acme only. The same line typed again (or retried by
    Slack) tells nothing more; Ben, in New York, reads it in his working hours."""
    answer(slack, "add Globex deputy <@U0DAN|dan>")
    line = "away 2026-12-01 to 2026-12-10 deputy <@U0BEN|ben>"
    answer(slack, line)
    answer(slack, line)
    deliver_outbox(slack)
    assert named_notes(slack, BEN) == []  # 04:00 in New York: his day has not begun
    at(slack, datetime(2026, 11, 25, 14, 30, tzinfo=UTC))  # 09:30 in New York
    (note,) = named_notes(slack, BEN)
    assert note.text == (
        "<@U0ANA> is away from *Tue 1 Dec* to *Thu 10 Dec* (Europe/Berlin time) and named you "
        "to cover for them: alerts about *Acme Corporation*, which they own, and reminders of "
        "their commitments come to you meanwhile, in your working hours. You get this because "
        "they named you to cover for that time away."
    )
    answer(slack, line)
    at(slack, datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    assert named_notes(slack, BEN) == [note]
    assert named_notes(slack, DAN) == []  # Globex's own deputy was named for nothing


@pytest.mark.usefixtures("acme")
def test_time_away_changed_tells_the_deputy_of_the_change_and_what_did_not_go_is_withdrawn(
    slack: Slack,
) -> None:
    """Dan (London) is told, then Ana adds two days: he reads the change. Changed again before
    that note reached him, he reads only what stands."""
    answer(slack, "away 2026-12-01 to 2026-12-04 deputy <@U0DAN|dan>")
    at(slack, THURSDAY_MORNING)
    (first,) = named_notes(slack, DAN)
    assert "is away from *Tue 1 Dec* to *Fri 4 Dec* (Europe/Berlin time)" in first.text
    at(slack, datetime(2026, 11, 26, 18, 0, tzinfo=UTC))  # his evening
    answer(slack, "away 2026-12-01 to 2026-12-07 deputy <@U0DAN|dan>")
    answer(slack, "away 2026-12-01 to 2026-12-08 deputy <@U0DAN|dan>")
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    assert [m.text for m in named_notes(slack, DAN)][1:] == [
        "<@U0ANA> has changed their time away: they're now away from *Tue 1 Dec* to *Tue 8 Dec* "
        "(Europe/Berlin time) and named you to cover for them: alerts about *Acme "
        "Corporation*, which they own, and reminders of their commitments come to you "
        "meanwhile, in your working hours. You get this because they named you to cover for "
        "that time away."
    ]


@pytest.mark.usefixtures("acme")
def test_time_away_called_off_or_ended_before_the_deputy_heard_tells_them_nothing(
    slack: Slack,
) -> None:
    """Ben (New York) is named at 04:00 his time; Ana calls it off before his day begins: he
    never hears of it. Named again and Ana back before he heard: nothing either."""
    answer(slack, "away 2026-12-01 to 2026-12-10 deputy <@U0BEN|ben>")
    answer(slack, "away cancel")
    answer(slack, "away today to friday deputy <@U0BEN|ben>")
    at(slack, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))  # 07:00 in New York
    said = answer(slack, "back")
    assert "I'm telling" not in said
    at(slack, datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    assert dms(slack, BEN) == []


def unnamed_notes(slack: Slack, user: str) -> list[str]:
    return [m.text for m in dms(slack, user) if "so you no longer cover for them then" in m.text]


@pytest.mark.usefixtures("acme")
def test_a_deputy_replaced_or_whose_time_away_is_called_off_is_told_they_no_longer_cover(
    slack: Slack,
) -> None:
    """Dan is told he covers Ana's 1–4 Dec; Ana books it again naming Ben: Dan reads that Ben
    covers instead, Ben that he covers. Ana then books 7–8 Dec naming Dan and calls it off:
    Dan reads that too. The same lines typed again say nothing more."""
    answer(slack, "away 2026-12-01 to 2026-12-04 deputy <@U0DAN|dan>")
    at(slack, THURSDAY_MORNING)
    for _ in range(2):
        answer(slack, "away 2026-12-01 to 2026-12-04 deputy <@U0BEN|ben>")
    at(slack, datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # 10:00 in New York
    assert unnamed_notes(slack, DAN) == [
        "<@U0ANA> has changed their time away from *Tue 1 Dec* to *Fri 4 Dec* (Europe/Berlin "
        "time) and named <@U0BEN> to cover it instead, so you no longer cover for them then. "
        "You get this because they had named you to cover for that time away."
    ]
    (ben,) = named_notes(slack, BEN)
    assert "is away from *Tue 1 Dec* to *Fri 4 Dec*" in ben.text
    answer(slack, "away 2026-12-07 to 2026-12-08 deputy <@U0DAN|dan>")
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    assert len(named_notes(slack, DAN)) == 2
    answer(slack, "away cancel")  # 1–4 Dec
    answer(slack, "away cancel")  # 7–8 Dec
    at(slack, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    assert unnamed_notes(slack, BEN) == [
        "<@U0ANA> has called off their time away from *Tue 1 Dec* to *Fri 4 Dec* (Europe/Berlin "
        "time), so you no longer cover for them then. You get this because they had named you "
        "to cover for that time away."
    ]
    assert unnamed_notes(slack, DAN)[1:] == [
        "<@U0ANA> has called off their time away from *Mon 7 Dec* to *Tue 8 Dec* (Europe/Berlin "
        "time), so you no longer cover for them then. You get this because they had named you "
        "to cover for that time away."
    ]


@pytest.mark.usefixtures("acme")
def test_a_deputy_named_for_two_bookings_hears_of_the_change_to_the_earlier_one(
    slack: Slack,
) -> None:
    """Ana names Dan for 1–2 Dec and for 20–21 Dec; Dan reads both. She then names Ben for
    1–2 Dec: Dan reads that Ben covers those days instead (the note he read last was about
    20–21 Dec, which still stand), and nothing about 20–21 Dec."""
    answer(slack, "away 2026-12-01 to 2026-12-02 deputy <@U0DAN|dan>")
    answer(slack, "away 2026-12-20 to 2026-12-21 deputy <@U0DAN|dan>")
    at(slack, THURSDAY_MORNING)
    assert len(named_notes(slack, DAN)) == 2
    answer(slack, "away 2026-12-01 to 2026-12-02 deputy <@U0BEN|ben>")
    at(slack, datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    assert unnamed_notes(slack, DAN) == [
        "<@U0ANA> has changed their time away from *Tue 1 Dec* to *Wed 2 Dec* (Europe/Berlin "
        "time) and named <@U0BEN> to cover it instead, so you no longer cover for them then. "
        "You get this because they had named you to cover for that time away."
    ]
    assert len(named_notes(slack, DAN)) == 2


@pytest.mark.usefixtures("acme")
def test_a_deputy_of_someone_who_owns_no_partner_covers_their_commitments(slack: Slack) -> None:
    """Chloe (Tokyo), who owns no partner, names Ana (Berlin): Ana reads Chloe's days as
    Tokyo's, and that she covers her commitments only."""
    answer(slack, "away 2026-12-01 deputy <@U0ANA|ana>", user=CHLOE)
    at(slack, THURSDAY_MORNING)
    (note,) = named_notes(slack, ANA)
    assert note.text.startswith("<@U0CHLOE> is away on *Tue 1 Dec* (Asia/Tokyo time) and")
    assert "for them: reminders of their commitments come to you meanwhile" in note.text


@pytest.mark.usefixtures("acme")
def test_liaison_outbox_names_each_kind_in_words_as_config_does(slack: Slack) -> None:
    """An operator read `deputy_named` and `commitment_orphaned`; admins read words in
    `/partner config`. The stored name stays beside the words: `--retry-failed --kind` takes it."""
    answer(slack, "away 2026-12-01 to 2026-12-10 deputy <@U0BEN|ben>")
    printed: list[str] = []
    list_outbox(slack.runtime, failed=False, limit=10, echo=printed.append)
    (line,) = printed[1:]
    assert "word that a colleague named you to cover (deputy_named)" in line
    assert " deputy_named " not in line
    slack.fake.fail_next("chat.postMessage", error="account_inactive")
    at(slack, datetime(2026, 11, 25, 14, 30, tzinfo=UTC))  # 09:30 in New York
    printed.clear()
    list_outbox(slack.runtime, failed=True, limit=10, echo=printed.append)
    assert "word that a colleague named you to cover (deputy_named)" in printed[1]
    assert "• word that a colleague named you to cover to <@U0BEN>, due" in answer(slack, "config")


def user_change(slack: Slack, user: str) -> None:
    """Slack's `user_change` event, signed, carrying the user as Slack now has them."""
    event = {"type": "user_change", "user": slack.fake.user_json(slack.fake.users[user])}
    delivery = slack.deliver.send(slack.requests.event(event))
    assert delivery.status == 200
    slack.runtime.drain()


@pytest.mark.usefixtures("acme")
def test_a_colleague_reactivated_is_one_again_once_slack_says_so_though_they_type_nothing(
    slack: Slack,
) -> None:
    """Ben was deactivated when Ana named him to cover: Slack said he was gone, and Liaison
    remembered. Reactivated, he typed nothing, and stayed gone: a meeting logged with him was
    refused, his reminders went to Ana. Slack's `user_change` brings him back at once."""
    answer(slack, "commit Acme us : send the draft MoU by 2026-12-04", user=BEN)
    slack.fake.users[BEN].deleted = True
    assert "can't cover" in answer(slack, "away 2026-12-08 deputy <@U0BEN|ben>")
    log = "log Acme with <@U0BEN|ben> on today via meeting : kick-off"
    assert "Logged" not in answer(slack, log, user=CHLOE)
    slack.fake.users[BEN].deleted = False
    user_change(slack, BEN)
    assert "Logged your meeting" in answer(slack, log, user=CHLOE)
    at(slack, datetime(2026, 11, 25, 19, 0, tzinfo=UTC))  # 14:00 in New York
    (asked,) = dms(slack, BEN)
    assert asked.text == "How did your meeting with *Acme Corporation* on Wed 25 Nov go?"
    at(slack, datetime(2026, 12, 1, 14, 20, tzinfo=UTC))  # 09:20 in New York
    assert "“send the draft MoU” is due Fri 4 Dec, in 3 working days" in dms(slack, BEN)[-1].text
    assert not any("has left" in m.text for m in dms(slack, ANA))


@pytest.mark.usefixtures("acme")
def test_a_colleague_reactivated_where_slack_sends_no_user_change_is_asked_about_again(
    slack: Slack,
) -> None:
    """The workspace has not pasted the manifest that brings `user_change`: Ben, deactivated
    when Chloe named him, then reactivated, was refused the first time he was named again.
    A "gone" Liaison learnt more than a few minutes ago is asked of Slack (after the ack)
    before it refuses; one just learnt still refuses without asking."""
    slack.fake.users[BEN].deleted = True
    assert "can't cover" in answer(slack, "away 2026-12-08 deputy <@U0BEN|ben>")
    log = "log Acme with <@U0BEN|ben> on today via meeting : kick-off"
    slack.fake.users[BEN].deleted = False
    assert "is not a colleague here" in answer(slack, log, user=CHLOE)  # learnt just now
    at(slack, datetime(2026, 11, 25, 9, 30, tzinfo=UTC))
    assert "Logged your meeting" in answer(slack, log, user=CHLOE)


@pytest.mark.usefixtures("acme")
def test_someone_liaison_never_heard_of_is_not_cached_from_user_change(slack: Slack) -> None:
    slack.fake.add_user(id="U0EVE", name="eve", tz="Europe/Paris")
    user_change(slack, "U0EVE")
    engine, team_id = slack.runtime.engine, slack.fake.team_id
    assert people.display_name(engine, team_id=team_id, user_id="U0EVE") is None


# --- Two weeks of a team's time away ------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_time_away_booked_again_while_away_shows_who_covers_only_part_of_it(
    slack: Slack,
) -> None:
    """Ana, away Wed–Fri with Ben covering, books Thu–Tue again with nobody: the new booking
    wins from Thursday, and Ben covers the Wednesday only (QA: `away` said "through Tue 1 Dec,
    with Ben covering"). `back` ends it all; typed twice, the second changes nothing."""
    answer(slack, "away today to friday deputy <@U0BEN|ben>")
    said = answer(slack, "away 2026-11-26 to 2026-12-01")
    assert "Your time away from *Wed 25 Nov* to *Fri 27 Nov* overlapped it" in said
    assert answer(slack, "away").startswith(
        "You're away now, through *Tue 1 Dec*, with <@U0BEN> covering for part of it;"
    )
    at(slack, datetime(2026, 11, 25, 14, 30, tzinfo=UTC))  # 09:30 in New York
    (note,) = named_notes(slack, BEN)
    assert "is away on *Wed 25 Nov* (Europe/Berlin time)" in note.text  # not through Friday
    at(slack, THURSDAY_MORNING)
    assert answer(slack, "back").startswith("Welcome back! Your time away has ended.")
    assert answer(slack, "back").startswith("You're not marked away, and no time away is planned.")


@pytest.mark.usefixtures("acme")
def test_a_deputy_away_themselves_reads_that_they_cover_once_back_or_never_if_it_is_over(
    slack: Slack,
) -> None:
    """Ben is away to Tuesday 1 Dec. Ana names him for Mon 30 Nov to Wed 2 Dec: his note waits
    for his return, and he reads it on Wednesday. Dan, away all week, named for Ana's Friday
    only, never reads of a Friday over before he is back."""
    answer(slack, "away today to 2026-12-01", user=BEN)
    answer(slack, "away today to friday", user=DAN)
    said = answer(slack, "away 2026-11-30 to 2026-12-02 deputy <@U0BEN|ben>")
    assert "<@U0BEN> is away too from *Mon 30 Nov* to *Tue 1 Dec*" in said
    answer(slack, "away 2026-11-27 deputy <@U0DAN|dan>")
    at(slack, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    assert named_notes(slack, BEN) == [] and named_notes(slack, DAN) == []
    at(slack, datetime(2026, 12, 2, 15, 0, tzinfo=UTC))  # Wednesday, 10:00 in New York
    (note,) = named_notes(slack, BEN)
    assert "is away from *Mon 30 Nov* to *Wed 2 Dec*" in note.text
    assert named_notes(slack, DAN) == []


@pytest.mark.usefixtures("acme")
def test_a_day_away_in_tokyo_reads_as_tokyos_day_to_a_deputy_in_new_york(slack: Slack) -> None:
    """Chloe, at 18:00 on Wednesday in Tokyo, books tomorrow: Thursday in Tokyo, which begins
    at 10:00 on Wednesday in New York. Ben, her deputy, reads the day as Tokyo's."""
    answer(slack, "add Globex owner <@U0CHLOE|chloe>")
    said = answer(slack, "away tomorrow deputy <@U0BEN|ben>", user=CHLOE)
    assert said.startswith("You're away on *Thu 26 Nov* (Asia/Tokyo).")
    at(slack, datetime(2026, 11, 25, 14, 30, tzinfo=UTC))  # 09:30 Wed in New York
    (note,) = named_notes(slack, BEN)
    assert note.text.startswith(
        "<@U0CHLOE> is away on *Thu 26 Nov* (Asia/Tokyo time) and named you to cover for them: "
        "alerts about *Globex*, which they own,"
    )


@pytest.mark.usefixtures("acme")
def test_what_waits_for_someone_away_is_dropped_when_it_expires_before_they_are_back(
    slack: Slack,
) -> None:
    """Ana is away to Friday 4 Dec. A pulse survey of Acme she starts closes on Wednesday 2
    Dec, before she is back: she is not asked, and its results wait for her with the check-in
    about Dan's meeting with her, for her first morning back, after her summary."""
    answer(slack, "team Acme add <@U0BEN|ben> <@U0CHLOE|chloe> <@U0DAN|dan>")
    answer(slack, "away today to 2026-12-04")
    said = answer(slack, "log Acme with <@U0ANA|ana> on today via meeting : the visit", user=DAN)
    assert "Logged your meeting" in said
    said = answer(slack, "survey Acme now")
    assert (
        "You're away through Fri 4 Dec, after it closes: you're not asked unless back sooner"
    ) in said
    for moment in (
        datetime(2026, 11, 26, 1, 0, tzinfo=UTC),  # 10:00 in Tokyo
        datetime(2026, 11, 26, 15, 0, tzinfo=UTC),  # 10:00 in New York
        datetime(2026, 12, 3, 15, 0, tzinfo=UTC),  # the survey closed on Wednesday
    ):
        at(slack, moment)
    assert dms(slack, ANA) == []
    at(slack, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # Monday, 10:00 in Berlin
    back, checkin, results = (m.text for m in dms(slack, ANA))
    assert back.startswith("Welcome back! Your time away from *Wed 25 Nov* to *Fri 4 Dec*")
    assert checkin == "How did your meeting with *Acme Corporation* on Wed 25 Nov go?"
    assert results.startswith("The pulse survey about *Acme Corporation* has closed: 0 of 3")


@pytest.mark.usefixtures("acme")
def test_a_deputy_told_of_an_early_return_is_told_again_when_the_time_away_is_booked_again(
    slack: Slack,
) -> None:
    """Dan covers Ana to Friday and reads, on Thursday, that she is back. Called away again that
    afternoon, she types the same line: Dan reads that he covers again, not nothing."""
    line = "away today to friday deputy <@U0DAN|dan>"
    answer(slack, line)
    at(slack, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    at(slack, THURSDAY_MORNING)
    assert "I'm telling <@U0DAN>" in answer(slack, "back")
    at(slack, datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    answer(slack, line)
    at(slack, datetime(2026, 11, 26, 10, 30, tzinfo=UTC))
    first, released, again = (m.text for m in dms(slack, DAN))
    assert "no longer cover for them" in released
    assert again.startswith("<@U0ANA> is away from *Thu 26 Nov* to *Fri 27 Nov*")
    assert "named you to cover for them" in again


@pytest.mark.usefixtures("acme")
def test_time_away_booked_to_follow_on_from_the_one_you_are_in_is_called_off_on_its_own(
    slack: Slack,
) -> None:
    """Ana, away until next week, books next week too, naming Dan: the answer says `away
    cancel` calls it off, and `away` alone says so too. `away cancel` did not: it said nothing
    was planned after the time away she is in. It calls off next week now, tells Dan, and
    leaves this week; `back` would have ended both."""
    at(slack, MONDAY_MORNING)
    answer(slack, "away until next week")
    booked = answer(slack, "away next week to friday deputy <@U0DAN|dan>")
    assert "Type `/partner away cancel` to call it off." in booked
    assert answer(slack, "away").startswith(
        "You're away now, through *Fri 11 Dec*, with <@U0DAN> covering for part of it; "
        "`/partner back` ends it. Your time away from *Mon 7 Dec* to *Fri 11 Dec* was booked to "
        "follow on from it; `/partner away cancel` calls it off.\n"
    )
    at(slack, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    assert len(named_notes(slack, DAN)) == 1
    assert answer(slack, "away cancel").startswith(
        "I cancelled your time away from *Mon 7 Dec* to *Fri 11 Dec*. The time away you're in "
        "now, through *Sun 6 Dec*, stands; `/partner back` ends it.\n"
    )
    assert answer(slack, "away").startswith(
        "You're away now, through *Sun 6 Dec*; `/partner back` ends it.\n"
    )
    at(slack, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    assert unnamed_notes(slack, DAN) == [
        "<@U0ANA> has called off their time away from *Mon 7 Dec* to *Fri 11 Dec* (Europe/Berlin "
        "time), so you no longer cover for them then. You get this because they had named you "
        "to cover for that time away."
    ]
