"""Notes about a partner that wait for their reader's working hours say what is true when they
go: a change to the partner before then (its status, name, end, a merge) words them again or
withdraws them. Signed commands through the real app; what each person received is read from
the fake Slack once the dispatcher ran."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.scheduler import PlannerRegistry, tick
from storage.models import Commitment
from tests.conftest import Slack

ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"


def answer(slack: Slack, text: str, user: str = ANA) -> str:
    delivery = slack.command(text, user=user)
    assert delivery.status == 200
    (*_, said) = [m for m in slack.fake.messages if m.ephemeral_to == user]
    return said.text


def received(slack: Slack, user: str, *, hours: float) -> list[str]:
    """What `user` was sent on Liaison's own once `hours` passed and the dispatcher ran."""
    clock = slack.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(hours=hours))
    tick(slack.runtime, slack.web_client, planners=PlannerRegistry())
    return [m.text for m in slack.fake.dm_messages(user) if m.ephemeral_to is None]


# Wed 09:00 UTC: 04:00 for Ben in New York, 18:00 for Chloe in Tokyo; their notes wait.
BENS_MORNING, CHLOES_MORNING = 6, 16


def test_a_team_note_waiting_for_the_morning_tells_of_the_partner_as_it_is_then(
    slack: Slack,
) -> None:
    """QA: Ben was told at his 09:00 that Ana put him on the team of Oxfam, "once it is
    active", under its old name, when it had been made active and renamed in the night."""
    answer(slack, "add Oxfam team <@U0BEN|ben>")
    answer(slack, "status Oxfam active")
    answer(slack, "rename Oxfam to Oxfam International")
    (to_ben,) = received(slack, BEN, hours=BENS_MORNING)
    assert to_ben.startswith("<@U0ANA> put you on the team of *Oxfam International*: its pulse")
    assert "once it is active" not in to_ben
    assert "`/partner show Oxfam International`" in to_ben


def test_a_team_note_and_an_owners_note_about_a_partner_ended_before_they_went_are_dropped(
    slack: Slack,
) -> None:
    answer(slack, "add Oxfam owner <@U0CHLOE|chloe> team <@U0BEN|ben>")
    answer(slack, "status Oxfam ended")
    assert received(slack, BEN, hours=BENS_MORNING) == []
    (to_chloe,) = received(slack, CHLOE, hours=CHLOES_MORNING - BENS_MORNING)
    assert "moved *Oxfam*, which you own, from 🌱 prospect to" in to_chloe
    assert "registered" not in to_chloe


def test_a_note_about_a_partner_merged_away_before_it_went_is_withdrawn_or_names_the_kept_one(
    slack: Slack,
) -> None:
    """QA: Chloe was told she owned "Oxfam GB Trading", to run `/partner show Oxfam GB
    Trading`, after it had been merged into Oxfam, which she owns too; Ben, put on its team,
    is on Oxfam's now and is told so."""
    answer(slack, "add Oxfam GB Trading owner <@U0CHLOE|chloe> team <@U0BEN|ben>")
    answer(slack, "add Oxfam owner <@U0CHLOE|chloe>")
    answer(slack, "merge Oxfam GB Trading into Oxfam")
    (to_ben,) = received(slack, BEN, hours=BENS_MORNING)
    assert to_ben.startswith("<@U0ANA> put you on the team of *Oxfam* (owner <@U0CHLOE>)")
    (to_chloe,) = received(slack, CHLOE, hours=CHLOES_MORNING - BENS_MORNING)
    assert to_chloe.startswith("<@U0ANA> registered *Oxfam* in Liaison and made you its owner")
    assert "GB Trading" not in to_chloe


def test_the_owners_note_of_a_partner_its_owner_merged_away_herself_is_withdrawn(
    slack: Slack,
) -> None:
    answer(slack, "add Oxfam GB Trading owner <@U0CHLOE|chloe>")
    answer(slack, "add Oxfam deputy <@U0CHLOE|chloe>")
    assert "Merged" in answer(slack, "merge Oxfam GB Trading into Oxfam", user=CHLOE)
    (to_chloe,) = received(slack, CHLOE, hours=CHLOES_MORNING)
    assert to_chloe.startswith("<@U0ANA> made you the deputy of *Oxfam*.")


def merge_globex_into_acme(slack: Slack) -> None:
    """Ana merges Globex into Acme: of the two promises Dan follows up, the first goes to Ben,
    Acme's owner, and the answer says so; the second stays Dan's."""
    said = answer(slack, "merge Globex into Acme")
    assert (
        "1 promise *Acme* owes us that <@U0DAN> followed up is now <@U0BEN>'s to follow up."
    ) in said
    with Session(slack.runtime.engine) as session:
        owners = session.exec(select(Commitment.owner_id).order_by(Commitment.id)).all()  # type: ignore[arg-type]
    assert owners == [BEN, DAN]


def test_a_merge_gives_the_kept_owner_the_promises_the_duplicates_owner_followed_up(
    slack: Slack,
) -> None:
    answer(slack, "add Globex owner <@U0DAN|dan>")
    answer(slack, "commit Globex them : signed NDA by 2026-12-04", user=DAN)
    answer(slack, "commit Globex us : the deck by 2026-12-04", user=DAN)
    answer(slack, "add Acme owner <@U0BEN|ben>")
    merge_globex_into_acme(slack)
    (to_dan,) = [text for text in received(slack, DAN, hours=1) if "merged *Globex*" in text]
    assert to_dan.endswith(
        "The promise *Acme* owes us that you followed up is now <@U0BEN>'s to follow up."
    )


def test_a_merge_moves_only_the_duplicates_promises_and_tells_the_kept_owner(
    slack: Slack,
) -> None:
    """Review: Dan owned Globex and followed up a promise Acme made us too; merging Globex
    into Acme gave Ben, Acme's owner, both, and Ben was never told of the one that was his."""
    answer(slack, "add Globex owner <@U0DAN|dan>")
    answer(slack, "add Acme owner <@U0BEN|ben>")
    answer(slack, "commit Globex them : signed NDA by 2026-12-04", user=DAN)
    answer(slack, "commit Acme them : the budget by 2026-12-04", user=DAN)
    merge_globex_into_acme(slack)
    (to_ben,) = [text for text in received(slack, BEN, hours=BENS_MORNING) if "merged" in text]
    assert to_ben == (
        "<@U0ANA> merged *Globex* into *Acme*, which you own. 1 promise *Acme* owes us is now "
        "yours to follow up: `/partner commitments Acme` lists them."
    )
