"""`/partner config`'s Block Kit and words, built from plain values: the settings card within
Slack's limits, values in plain words, changes, refusals, and bad input with form and example."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time

import pytest

from bot.delivery.working_hours import WorkingHours
from bot.services.feedback import Cadence
from bot.services.workspace_settings import (
    Admins,
    AdminsChanged,
    BadSetting,
    Changed,
    Digest,
    FailedDeliveries,
    FailedDelivery,
    Problem,
    Setting,
    SettingsView,
    Values,
    fold_failures,
)
from handlers.blocks import config as blocks
from handlers.blocks.delivery import failed_delivery_line
from handlers.reply import Reply
from handlers.texts import config as texts
from handlers.verbs import VERBS_BY_NAME
from storage.outbox import DeliverySummary

DEFAULTS = Values.of(None, team_id="T1")
DUE = datetime(2026, 11, 25, 9, 5, tzinfo=UTC)


def everything(reply: Reply) -> str:
    return reply.text + "\n" + json.dumps(reply.blocks, ensure_ascii=False)


def row(number: int) -> DeliverySummary:
    return DeliverySummary(
        id=number,
        team_id="T1",
        kind="collision_alert",
        recipient_user=None,
        recipient_channel="#gone",
        due_at=DUE,
        available_at=DUE,
        status="failed",
        attempts=1,
        last_error="chat.postMessage: channel_not_found",
        held=False,
    )


def failed(number: int) -> FailedDelivery:
    return FailedDelivery(row=row(number))


def view(*, admin: bool, failures: int = 0, shown: int = 5) -> SettingsView:
    return SettingsView(
        values=DEFAULTS,
        default_channel=None,
        admins=Admins(slack=("U0ANA",), listed=("U0DAN",)),
        viewer_is_admin=admin,
        failed=(
            FailedDeliveries(
                latest=tuple(failed(n) for n in range(min(failures, shown))), total=failures
            )
            if admin
            else None
        ),
    )


def test_every_setting_has_its_form_in_the_catalogue_and_an_example() -> None:
    forms = VERBS_BY_NAME["config"].syntax
    for setting in Setting:
        assert texts.syntax(setting) in forms
        assert texts.EXAMPLES[setting].startswith(f"config {setting.value} ")
    assert set(texts.ORDER) | {Setting.ADMINS, Setting.DAYS} == set(Setting)


def test_the_card_shows_every_setting_and_stays_within_slacks_limits() -> None:
    card = blocks.settings_card(view(admin=True, failures=12))
    assert len(card.blocks) <= 50
    assert all(len(json.dumps(block)) < 3100 for block in card.blocks)
    text = everything(card)
    for setting in set(texts.ORDER) - {Setting.HOURS}:
        assert f"*{texts.LABELS[setting]}:*" in text
    assert "*Working days and hours:* Mon–Fri, 9:00–17:00" in text
    assert "*Admins:* Slack admins <@U0ANA>; named here <@U0DAN>." in text
    assert "none set" in text  # no channel here and no server default
    assert "nothing is posted for partners without one" in text
    assert "*Failed deliveries* (latest 5)" in text
    assert "collision alert to #gone" in text  # a channel kept by name shows as typed
    assert "…and 7 more. `liaison outbox --failed` on the server lists them all." in text


def test_non_admins_see_no_failed_deliveries_and_admins_see_none_said() -> None:
    assert "Failed deliveries" not in everything(blocks.settings_card(view(admin=False)))
    quiet = everything(blocks.settings_card(view(admin=True)))
    assert "*Failed deliveries:* none" in quiet and "liaison outbox" not in quiet
    assert failed_delivery_line(failed(1)).startswith("• collision alert to #gone, due")


@pytest.mark.parametrize(
    ("numbers", "said"),
    [
        (frozenset(range(5)), "Mon–Fri"),
        (frozenset({6, 0, 1, 2, 3}), "Sun–Thu"),
        (frozenset({0, 1, 3}), "Mon, Tue, Thu"),
        (frozenset({5, 6}), "Sat, Sun"),
        (frozenset({2}), "Wed"),
        (frozenset(range(7)), "every day"),
    ],
)
def test_days_in_plain_words(numbers: frozenset[int], said: str) -> None:
    assert texts.days(numbers) == said


def test_values_in_plain_words() -> None:
    values = replace(
        DEFAULTS,
        coordination_channel="C0PARTNERS",
        hours=WorkingHours(days=frozenset({6, 0, 1, 2, 3}), start_hour=0, end_hour=24),
        pulse=Cadence.QUARTERLY,
        checkin_delay_hours=1,
        digest=Digest(weekday=4, at=time(16, 30)),
        timezone="Asia/Tokyo",
    )

    def line(setting: Setting) -> str:
        return texts.setting_line(setting, values, "#partnerships")

    assert line(Setting.CHANNEL).startswith("*Coordination channel:* <#C0PARTNERS>\n")
    assert line(Setting.HOURS) == line(Setting.DAYS)
    assert line(Setting.DAYS).startswith("*Working days and hours:* Sun–Thu, 0:00–24:00\n")
    assert "January, April, July and October" in line(Setting.PULSE)
    assert "*Check-in delay:* 1 hour after the meeting" in line(Setting.CHECKIN_DELAY)
    assert "`/partner config checkin-delay morning` goes back" in line(Setting.CHECKIN_DELAY)
    assert "*Weekly digest:* Fridays at 16:30 Asia/Tokyo" in line(Setting.DIGEST)
    off = replace(values, digest=None, pulse=Cadence.OFF, checkin_delay_hours=0)
    assert "No weekly digest" in texts.setting_line(Setting.DIGEST, off, None)
    assert "still starts a round" in texts.setting_line(Setting.PULSE, off, None)
    assert "right after the meeting" in texts.setting_line(Setting.CHECKIN_DELAY, off, None)


def test_the_default_checkin_delay_reads_as_a_sentence() -> None:
    """QA: `/partner config` read "is asked how it went the next start of working hours, in
    their working hours", and offered `checkin-delay morning` as "the next morning"."""
    said = texts.setting_line(Setting.CHECKIN_DELAY, DEFAULTS, None)
    assert "is asked how it went at the next start of their working hours" in said
    assert "in their working hours." not in said
    hourly = texts.setting_line(
        Setting.CHECKIN_DELAY, replace(DEFAULTS, checkin_delay_hours=2), None
    )
    assert "2 hours after the meeting, in their working hours." in hourly
    assert "goes back to the next start of working hours" in hourly


def test_a_change_says_the_new_value_the_old_one_and_what_it_affects() -> None:
    longer = replace(DEFAULTS, hours=replace(DEFAULTS.hours, start_hour=8))
    said = everything(blocks.changed(Changed(Setting.HOURS, DEFAULTS, longer, None)))
    assert "*Working hours* are now *8:00–17:00* (was 9:00–17:00)." in said
    assert "*Working days and hours:* Mon–Fri, 8:00–17:00" in said
    after = replace(DEFAULTS, anonymity_threshold=5)
    said = everything(blocks.changed(Changed(Setting.ANONYMITY, DEFAULTS, after, None)))
    assert "*Anonymity* is now *at least 5 answers* (was at least 3 answers)." in said
    assert "shown only when at least 5 people answered" in said
    same = everything(blocks.changed(Changed(Setting.ANONYMITY, after, after, None)))
    assert "was already *at least 5 answers*; nothing changed" in same
    typed = replace(DEFAULTS, coordination_channel="#alerts")
    said = everything(blocks.changed(Changed(Setting.CHANNEL, DEFAULTS, typed, "#partnerships")))
    assert "is now *#alerts* (was #partnerships — the server's default; none set here)" in said
    assert "it must be a public channel" in said


def test_a_digest_with_no_channel_to_go_to_says_it_is_posted_nowhere() -> None:
    """QA: `config digest fri 16:00` said it "goes to the coordination channel" when there was
    none (no `config channel`, no LIAISON_DEFAULT_CHANNEL): the planner skips it."""
    friday = replace(DEFAULTS, digest=Digest(weekday=4, at=time(16, 0)))
    said = everything(blocks.changed(Changed(Setting.DIGEST, DEFAULTS, friday, None)))
    assert "it is posted nowhere until an admin chooses one" in said
    assert "`/partner config channel #partnerships`" in said
    with_default = everything(blocks.changed(Changed(Setting.DIGEST, DEFAULTS, friday, "#p")))
    assert "posted nowhere" not in with_default


def test_a_change_of_the_digest_says_when_the_next_one_goes() -> None:
    tokyo = replace(DEFAULTS, timezone="Asia/Tokyo")
    next_one = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    said = everything(
        blocks.changed(Changed(Setting.TIMEZONE, DEFAULTS, tokyo, "#p", next_digest=next_one))
    )
    assert "The next weekly digest is due on Mon 30 Nov at 09:00 (Asia/Tokyo);" in said


def test_emptying_an_empty_admin_list_says_nobody() -> None:
    """QA: `config admins none` with nobody named answered "were already —"."""
    nobody = Admins(slack=("U0ANA",), listed=())
    said = everything(blocks.admins_changed(AdminsChanged(nobody, nobody, by="U0ANA")))
    assert "The admins named here were already nobody; nothing changed." in said
    assert "—" not in said


def test_admin_changes_and_refusals_name_people() -> None:
    before = Admins(slack=("U0ANA",), listed=("U0DAN",))
    after = Admins(slack=("U0ANA",), listed=("U0BEN",))
    said = everything(blocks.admins_changed(AdminsChanged(before, after, by="U0DAN")))
    assert "now <@U0BEN> (added <@U0BEN>; removed <@U0DAN>)." in said
    assert "You are no longer an admin" in said
    assert texts.not_an_admin(after) == (
        "Only admins can change workspace settings: <@U0ANA>, <@U0BEN>. Ask one of them."
    )
    nobody = Admins(slack=(), listed=())
    assert "your Slack workspace's admins and owners" in texts.not_an_admin(nobody)


def test_bad_input_gives_the_problem_the_settings_form_and_an_example() -> None:
    said = everything(blocks.bad_value(BadSetting(Setting.ANONYMITY, Problem.REVEALS_PEOPLE, "1")))
    assert "with 1, a round with a single answer would show that person's own scores" in said
    assert "*Syntax:* `/partner config anonymity N`" in said
    assert "*Example:* `/partner config anonymity 5`" in said
    unknown = everything(
        blocks.bad_value(
            BadSetting(None, Problem.UNKNOWN_SETTING, "zone", suggestions=("timezone", "window"))
        )
    )
    assert "Did you mean `/partner config timezone` or `/partner config window`?" in unknown
    assert unknown.count("`/partner config ") >= len(Setting)


def test_a_failed_digest_is_one_line_with_its_thread_replies_and_none_claims_nothing() -> None:
    digest = replace(row(3), kind="weekly_digest")
    details = [replace(row(number), kind="weekly_digest_detail") for number in (4, 5)]
    lines = [failed_delivery_line(line) for line in fold_failures([*details, digest, row(1)])]
    assert len(lines) == 2
    assert lines[0].startswith("• weekly digest and its 2 thread replies to #gone, due")
    assert lines[1].startswith("• collision alert to #gone")
    # Messages may still wait to go: "none" says nothing about them.
    quiet = everything(blocks.settings_card(view(admin=True)))
    assert "*Failed deliveries:* none." in quiet and "went out" not in quiet


def test_clearing_the_channel_says_plainly_where_things_go() -> None:
    again = everything(
        blocks.changed(Changed(Setting.CHANNEL, DEFAULTS, DEFAULTS, "#partnerships"))
    )
    assert "No coordination channel is set here, so nothing changed." in again
    assert "go to #partnerships, the server's default channel" in again
    assert "already" not in again
    alone = everything(blocks.changed(Changed(Setting.CHANNEL, DEFAULTS, DEFAULTS, None)))
    assert "nothing is posted for partners without one" in alone
