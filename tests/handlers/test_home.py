"""The App Home handler's own rules: repeated openings fold into one publish, and which forms
were opened from the Home."""

from __future__ import annotations

from handlers.home import HOME_METADATA, Openings, from_home


def test_openings_while_a_publish_waits_are_folded_into_it() -> None:
    openings = Openings()
    ana, ben = ("T1", "U0ANA"), ("T1", "U0BEN")
    assert openings.claim(ana) is True
    assert openings.claim(ana) is False  # Ana's Home is about to be published anyway
    assert openings.claim(ben) is True  # someone else's is not
    openings.started(ana)
    assert openings.claim(ana) is True  # once it started reading, a new opening counts


def test_forms_opened_from_the_home_say_so() -> None:
    assert from_home(HOME_METADATA) is True
    assert from_home('{"response_url": "https://hooks.example/1"}') is False
    assert from_home("") is False and from_home(None) is False
    assert from_home("not json") is False and from_home("[1]") is False
