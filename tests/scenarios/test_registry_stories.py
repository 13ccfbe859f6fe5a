"""A new partnerships team sets up its registry with `/partner`: registers partners with aliases
and websites, looks them up, lists them by kind, hands them over, renames and merges them,
pauses, ends and reactivates them, and keeps their contacts. Every slip is answered with what
was wrong and the right form, and leaves the registry as it was."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from handlers.blocks import partners as blocks
from storage.models import Partner
from tests.conftest import Slack
from tests.scenarios.test_feedback import ANA, BEN, CHLOE, DAN, MENTION, say
from tests.scenarios.test_partners import deliver_queued, direct, partner_count, submit
from tests.scenarios.test_workspaces import TEAM, snapshot


@pytest.fixture
def registry(slack: Slack) -> Slack:
    """Oxfam (aka "OX", oxfam.org) owned by Ana, Ben its deputy and Chloe on its team; Red
    Cross (aka "RC") owned by Ben."""
    said = say(slack, f'add Oxfam aka "OX" (oxfam.org) deputy {MENTION[BEN]} team {MENTION[CHLOE]}')
    assert "Added *Oxfam*. I've let <@U0BEN> and <@U0CHLOE> know." in said
    assert "Added *Red Cross*" in say(slack, f'add Red Cross aka "RC" owner {MENTION[BEN]}')
    return slack


def test_a_partner_registered_in_one_line_is_found_by_any_of_its_names(registry: Slack) -> None:
    for name in ("Oxfam", "OX", "oxfam", "Oxfam Inc"):
        card = say(registry, f"show {name}", user=DAN)
        assert '"text": "Oxfam"' in card, name
        for field in ("*Owner*\\n<@U0ANA>", "*Deputy*\\n<@U0BEN>", "*Team*\\n<@U0CHLOE>"):
            assert field in card, (name, field)
        assert "<https://oxfam.org|oxfam.org>" in card and "Also known as: “OX”" in card
    # The same website is a likely duplicate, named as such; nothing is added meanwhile.
    said = say(registry, "add Oxfam Novib (oxfam.org)")
    assert "it looks like a partner we already have" in said and "same website" in said
    assert "Oxfam Novib" not in say(registry, "list all")
    assert "I don't know a partner called “Oxfm”. Did you mean" in say(registry, "show Oxfm")


def test_the_list_shows_each_kind_of_partner_as_its_status_changes(registry: Slack) -> None:
    assert "No partners are 🟢 active." in say(registry, "list active")
    assert "*Oxfam*" in say(registry, "list prospect") and "*Red Cross*" in say(
        registry, "list prospect"
    )
    mine = say(registry, "list mine", user=BEN)
    assert "*Red Cross*" in mine and "you own it" in mine
    assert "*Oxfam* is now ⏸️ paused." in say(registry, "status Oxfam paused")
    assert "*Oxfam* is already ⏸️ paused." in say(registry, "status OX paused")
    assert "*Oxfam*" in say(registry, "list paused")
    assert "*Oxfam* is now ⚫ ended." in say(registry, "status Oxfam ended", user=BEN)
    ended = say(registry, "list ended")
    assert "*Oxfam* · ⚫ ended · owner <@U0ANA>" in ended and "Red Cross" not in ended
    # Reactivated: active again, and listed so.
    assert "*Oxfam* is now 🟢 active." in say(registry, "status Oxfam Active")
    assert "*Oxfam* · 🟢 active" in say(registry, "list active")
    assert "No partners are ⚫ ended." in say(registry, "list ended")


def test_ownership_deputy_and_team_change_hands_and_the_people_are_told(
    registry: Slack,
) -> None:
    said = say(registry, f"owner Oxfam {MENTION[CHLOE]}")
    assert "<@U0CHLOE> now owns *Oxfam* (was <@U0ANA>, who stays on the team)." in said
    assert "I've let <@U0CHLOE> know." in said
    said = say(registry, f"deputy Oxfam {MENTION[DAN]}", user=CHLOE)
    assert "<@U0DAN> is now the deputy of *Oxfam* instead of <@U0BEN>." in said
    team = say(registry, "team OX")
    assert "Team of *Oxfam*: <@U0CHLOE> (owner), <@U0DAN> (deputy), " in team
    assert "<@U0ANA>" in team and "<@U0BEN>" in team
    said = say(registry, f"team Oxfam remove {MENTION[BEN]}", user=DAN)
    assert (
        "<@U0BEN> left the team of *Oxfam*.\nTeam now: <@U0CHLOE> (owner), <@U0DAN> (deputy)"
        in (said)
    )
    assert "*Oxfam* has no deputy now (<@U0DAN> was, and stays on the team)." in say(
        registry, "deputy Oxfam none", user=CHLOE
    )
    # Ben, no longer on its team, may no longer change it: he is told who can.
    refused = say(registry, "status Oxfam ended", user=BEN)
    assert refused.startswith("Only <@U0CHLOE> (owner)") and "or an admin" in refused
    assert "🌱 prospect" in say(registry, "status Oxfam")


def test_a_renamed_partner_keeps_its_old_name_and_a_merged_one_brings_its_history(
    registry: Slack,
) -> None:
    say(registry, "contact Oxfam add Jane Doe jane@oxfam.org CEO")
    say(registry, "contact Red Cross add Jane Doe JANE@oxfam.org Director", user=BEN)
    say(registry, "contact Red Cross add Bob Roe", user=BEN)
    say(registry, "commit Red Cross us : send the report by friday", user=BEN)
    say(registry, "log Red Cross with Bob Roe : first call", user=BEN)
    said = say(registry, "rename Oxfam to Oxfam International")
    assert "*Oxfam* is now called *Oxfam International*. The old name still finds it." in said
    assert "“Oxfam” already stands for *Oxfam International*." in say(
        registry, 'alias Oxfam International add "Oxfam"'
    )
    said = say(registry, "merge RC into Oxfam")
    assert "Merged *Red Cross* into *Oxfam International*." in said
    assert "1 contact both knew (kept once)" in said and "1 commitment" in said
    assert "“Red Cross” now finds *Oxfam International*." in said
    card = say(registry, "show Red Cross")
    assert '"text": "Oxfam International"' in card
    assert "send the report" in card and "*Bob Roe*" in card
    assert card.count("*Jane Doe*") == 1
    assert "Red Cross" not in say(registry, "list all").replace("Oxfam International", "")


def test_contacts_are_one_per_email_and_go_when_removed(registry: Slack) -> None:
    said = say(registry, "contact OX add Jane Doe jane@oxfam.org Head of Partnerships")
    assert "Added *Jane Doe* · Head of Partnerships · <mailto:jane@oxfam.org|" in said
    said = say(registry, "contact Oxfam add Janet Doe JANE@OXFAM.ORG", user=CHLOE)
    assert "is already a contact at *Oxfam*; nothing changed." in said
    assert "1 contact at Oxfam" in say(registry, "contacts Oxfam")
    assert "Removed *Jane Doe*" in say(registry, "contact Oxfam remove jane doe")
    assert "No contacts at *Oxfam* yet." in say(registry, "contacts Oxfam")


def test_of_two_contacts_of_one_name_the_one_named_with_their_email_is_removed(
    registry: Slack,
) -> None:
    """QA h8: told to "remove one by their email", a person typing the contact as `add` takes
    it (`Jane Doe jane@oxfam.org`) was told “Jane Doe jane@oxfam.org” is not a contact."""
    say(registry, "contact Oxfam add Jane Doe jane@oxfam.org CEO")
    say(registry, "contact Oxfam add Jane Doe jane.doe@gmail.com")
    said = say(registry, "contact Oxfam remove Jane Doe")
    assert "more than one contact called “Jane Doe”: remove one by their email" in said
    said = say(registry, "contact Oxfam remove Jane Doe <mailto:jane@oxfam.org|jane@oxfam.org>")
    assert "Removed *Jane Doe* · CEO · <mailto:jane@oxfam.org|" in said
    # A name that is not the one of that email removes nobody.
    said = say(registry, "contact Oxfam remove John Roe jane.doe@gmail.com")
    assert "“John Roe jane.doe@gmail.com” is not a contact at *Oxfam*" in said
    assert "Removed *Jane Doe* · <mailto:jane.doe@gmail.com|" in say(
        registry, "contact Oxfam remove jane doe JANE.DOE@gmail.com"
    )
    assert "No contacts at *Oxfam* yet." in say(registry, "contacts Oxfam")


def test_a_name_with_an_address_in_brackets_is_asked_about_the_partner_of_its_name(
    registry: Slack,
) -> None:
    """QA h8: the form keeps a name whole, so "Oxfam (oxfam.org)" (with oxfam.com as its
    website) was registered beside Oxfam without "is it one of these?"; typed, so was
    `add Oxfam (oxfam.org) (oxfam.com)`."""
    registry.command("add")
    (view,) = registry.fake.open_modals(ANA)
    submit(registry, view, name="Oxfam (oxfam.org)", owner=ANA, status="prospect", website="x.com")
    assert view.errors == {
        blocks.NAME_FIELD: "Looks like Oxfam, already registered. To create “Oxfam (oxfam.org)” "
        "anyway, if it really is a different organisation, tick “Create anyway” below and add "
        "it again."
    }
    said = say(registry, "add Oxfam Novib (www.oxfam.org) (novib.nl)")
    assert "*Oxfam* · owner <@U0ANA> · 🌱 prospect · same website, oxfam.org" in said
    assert partner_count(registry) == 2
    # Like no partner, but with two websites: refused, saying which (no name keeps one).
    said = say(registry, "add Zeta (zeta.org) (zeta.com)")
    assert "That names two websites, zeta.org and zeta.com" in said
    assert partner_count(registry) == 2


SYNTAX, EXAMPLE = "*Syntax:*", "*Example:*"

# A slip, and what its answer must say: what was wrong, and (where the line's form was
# wrong) the form and an example.
SLIPS = (
    ('add aka "X"', ("What is the partner called?", SYNTAX, EXAMPLE), ANA),
    ("add Unicef owner", ("`owner` takes one person, e.g. `owner @ana`.", SYNTAX), ANA),
    ("add Unicef owner bob", ("`bob` is not a mention", "Nothing was saved", SYNTAX), ANA),
    ("add Unicef aka", ('`aka` takes the other names in quotes, e.g. `aka "MSF"`.',), ANA),
    ('add Unicef aka "OX"', ("Nothing was saved: “OX” already stands for *Oxfam*",), ANA),
    (f"add Unicef deputy {MENTION[ANA]}", ("cannot be its deputy too", "Nothing was"), ANA),
    (f"add Unicef owner {MENTION[DAN]} owner {MENTION[BEN]}", ("Name exactly one owner",), ANA),
    ('add "Ltd"', ("is only a legal form", "Nothing was saved", SYNTAX, EXAMPLE), ANA),
    ("show", ("Which partner?", SYNTAX, EXAMPLE), ANA),
    ("list bogus", ("`bogus` is not something I can list", SYNTAX, EXAMPLE), ANA),
    ("list mine all", ("one kind of partner at a time", SYNTAX), ANA),
    ("owner Oxfam bob", ("`bob` is not a mention", SYNTAX, EXAMPLE), ANA),
    (f"owner Nope {MENTION[BEN]}", ("I don't know a partner called “Nope”",), ANA),
    (f"owner Oxfam {MENTION[DAN]}", ("Only <@U0ANA> (owner), <@U0BEN> (deputy)",), CHLOE),
    (f"deputy Oxfam {MENTION[ANA]}", ("<@U0ANA> owns *Oxfam*, so cannot be its deputy",), ANA),
    ("team Oxfam add", ("Who? Name the colleagues", SYNTAX, EXAMPLE), ANA),
    ("team Oxfam invite @x", ("is not a Slack mention I can read", SYNTAX), ANA),
    (f"team Oxfam remove {MENTION[ANA]}", ("hand it over first",), ANA),
    ("status Oxfam dead", ("`dead` is not a status; it can be prospect", SYNTAX, EXAMPLE), ANA),
    ("status Oxfam archived", ("Did you mean `/partner status Oxfam ended`?",), ANA),
    ("status Oxfam paused", ("Only <@U0ANA> (owner), <@U0BEN> (deputy)",), DAN),
    ("rename Oxfam", ("Put `to` between the current name and the new one.", SYNTAX), ANA),
    ("rename Oxfam to", ("What is the new name?", SYNTAX, EXAMPLE), ANA),
    ("rename Oxfam to Red Cross", ("“Red Cross” is another partner's name",), ANA),
    ("rename Oxfam to RC", ("“RC” already stands for *Red Cross*",), ANA),
    ('rename Oxfam to "Inc"', ("is only a legal form", "Nothing was saved"), ANA),
    ('alias Oxfam add ""', ("No alias was given", SYNTAX, EXAMPLE), ANA),
    ('alias Oxfam add "RC"', ("already stands for *Red Cross*",), ANA),
    ('alias Oxfam add "Inc"', ("is only a legal form", "Nothing was saved"), ANA),
    ('alias Oxfam remove "Nope"', ("“Nope” is not an alias of *Oxfam*.",), ANA),
    ("merge Oxfam", ("Put `into` between the duplicate and the partner you keep.",), ANA),
    ("merge Oxfam into", ("Which partner do you keep?", SYNTAX, EXAMPLE), ANA),
    ("merge OX into Oxfam", ("Both names are *Oxfam*: there is nothing to merge.",), ANA),
    ("merge Oxfam into Nope", ("I don't know a partner called “Nope”",), ANA),
    ("merge Red Cross into Oxfam", ("Only <@U0BEN> (owner)",), CHLOE),
    ("channel Oxfam general", ("`general` is not a channel", SYNTAX, EXAMPLE), ANA),
    ("cadence Oxfam 30", ("Give two numbers of days", SYNTAX, EXAMPLE), ANA),
    ("cadence Oxfam 30 10", ("IDEAL must be at least 1 and smaller than MAX", SYNTAX), ANA),
    ("contacts", ("Which partner?", SYNTAX, EXAMPLE), ANA),
    ("contact Oxfam remove Nobody", ("“Nobody” is not a contact at *Oxfam*",), ANA),
    ("notes Oxfam", ("`notes` is not something I know how to do.", "The verbs are"), ANA),
    # An address in brackets that is no website, or a second one, is not kept in the name.
    ("add Unicef (https://)", ("“https://” is not a website I can read", SYNTAX, EXAMPLE), ANA),
    ("add Unicef (ftp://unicef.org)", ("“ftp://unicef.org” is not a website", SYNTAX), ANA),
    ("add Zeta (zeta.org) (zeta.com)", ("two websites, zeta.org and zeta.com", SYNTAX), ANA),
    # `add` and `remove` with nothing after them: what is missing, told with the partner's line.
    ("alias Oxfam add", ("No alias was given after `add`", '`/partner alias Oxfam add "OX"`'), ANA),
    ("alias Oxfam remove", ("after `remove`", '`/partner alias Oxfam remove "OX"`', SYNTAX), ANA),
    ("contact Oxfam add", ("`/partner contact Oxfam add Jane Doe jane@example.org`", SYNTAX), ANA),
    ("contact Oxfam remove", ("`/partner contact Oxfam remove Jane Doe`", SYNTAX), ANA),
    ("team Oxfam add", ("`/partner team Oxfam add @ben`", SYNTAX, EXAMPLE), ANA),
)


@pytest.mark.parametrize(("line", "told", "user"), SLIPS, ids=[slip[0] for slip in SLIPS])
def test_a_slip_is_told_what_was_wrong_and_the_form_and_changes_nothing(
    registry: Slack, line: str, told: tuple[str, ...], user: str
) -> None:
    before = snapshot(registry, TEAM)
    said = say(registry, line, user=user)
    for words in told:
        assert words in said, (line, words, said)
    assert snapshot(registry, TEAM) == before, line


def test_the_add_form_refuses_an_address_it_cannot_read_or_a_second_website(
    registry: Slack,
) -> None:
    before = snapshot(registry, TEAM)
    registry.command("add")
    (view,) = registry.fake.open_modals(ANA)
    submit(registry, view, name="Unicef", owner=ANA, status="active", website="ftp://unicef.org")
    assert view.errors is not None and set(view.errors) == {blocks.WEBSITE_FIELD}
    assert "“ftp://unicef.org” is not a website I can read" in view.errors[blocks.WEBSITE_FIELD]
    for name in ("Unicef (https://)", "Unicef (ftp://unicef.org)"):
        submit(registry, view, name=name, owner=ANA, status="active")
        assert view.errors is not None and set(view.errors) == {blocks.NAME_FIELD}, name
        assert "is not a website I can read" in view.errors[blocks.NAME_FIELD], name
    submit(registry, view, name="Zeta (zeta.org)", owner=ANA, status="active", website="zeta.com")
    assert view.errors is not None
    assert "two websites, zeta.org and zeta.com" in view.errors[blocks.NAME_FIELD]
    assert snapshot(registry, TEAM) == before


def test_a_merge_says_what_the_kept_partner_took_over_from_the_duplicate(
    registry: Slack,
) -> None:
    """The kept partner, with no channel, website or notes, takes the duplicate's: the answer
    says so (where alerts about it now go), and the channel keeps when it was chosen."""
    assert "Added *Plan*" in say(registry, "add Plan")
    assert "Added *Save the Children*" in say(
        registry, "add Save the Children (savethechildren.org)"
    )
    say(registry, "channel Save the Children <#C0GENERAL|general>")

    def chosen(name: str) -> object:
        with Session(registry.runtime.engine) as session:
            found = session.exec(select(Partner).where(Partner.name == name)).one()
            assert found.channel_set_at is not None
            return found.channel_set_at

    when = chosen("Save the Children")
    said = say(registry, "merge Save the Children into Plan")
    assert "Merged *Save the Children* into *Plan*." in said
    assert (
        "Alerts about *Plan* now go to <#C0GENERAL>, *Save the Children*'s channel, as *Plan* "
        "had none." in said
    )
    website = "website (<https://savethechildren.org|savethechildren.org>)"
    assert f"*Plan* has *Save the Children*'s {website} now, as it had none." in said
    assert chosen("Plan") == when
    # A partner with its own channel and website keeps them, and the answer takes over nothing.
    say(registry, "add Mercy Corps (mercycorps.org)")
    said = say(registry, "merge Mercy Corps into Plan")
    assert "Alerts about" not in said and "website" not in said


def test_a_colleague_taken_off_a_team_is_told_as_one_put_on_it_is(registry: Slack) -> None:
    deliver_queued(registry, hours=1)
    deliver_queued(registry, hours=15)  # Thu 10:00 in Tokyo: Chloe heard she is on the team
    assert any("put you on the team of *Oxfam*" in text for text in direct(registry, CHLOE))
    said = say(registry, f"team Oxfam remove {MENTION[CHLOE]}")
    assert "<@U0CHLOE> left the team of *Oxfam*." in said and "I've let <@U0CHLOE> know." in said
    deliver_queued(registry, hours=1)
    assert direct(registry, CHLOE)[-1] == (
        "<@U0ANA> took you off the team of *Oxfam*: its pulse surveys will no longer ask you how "
        "the partnership goes. `/partner show Oxfam` shows where things stand."
    )
    # Put back, taken off and put back again before the note of it went: she hears only that
    # she is on the team.
    say(registry, f"team Oxfam add {MENTION[CHLOE]}")
    deliver_queued(registry, hours=1)
    heard = len(direct(registry, CHLOE))
    say(registry, f"team Oxfam remove {MENTION[CHLOE]}")
    say(registry, f"team Oxfam add {MENTION[CHLOE]}")
    deliver_queued(registry, hours=1)
    (again,) = direct(registry, CHLOE)[heard:]
    assert again.startswith("<@U0ANA> put you on the team of *Oxfam*")
    # Put on and taken off before the first note reached him: Dan hears of neither.
    say(registry, f"team Oxfam add {MENTION[DAN]}")
    said = say(registry, f"team Oxfam remove {MENTION[DAN]}")
    assert "I've let" not in said
    # Who takes themselves off is not told.
    assert "I've let" not in say(registry, f"team Oxfam remove {MENTION[BEN]}", user=BEN)
    deliver_queued(registry, hours=24)
    deliver_queued(registry, hours=24)
    assert direct(registry, DAN) == []
