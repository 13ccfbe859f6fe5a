"""Texts about partners' and the workspace's channels."""

from __future__ import annotations

from handlers.texts.partners import cannot_post


def test_a_refused_coordination_channel_says_where_its_messages_go_meanwhile() -> None:
    said = cannot_post("#nope", "channel_not_found", default_channel="#partnerships")
    assert (
        "The setting stands. Meanwhile collision alerts, survey results and the weekly digest go "
        "to #partnerships, the server's default channel (partners with a channel of their own "
        "still get theirs there), until you choose a channel Liaison can post in (#nope again, "
        "once it is fixed)."
    ) in said
    # No default (or the default is the one refused): they fail, and it says so.
    for default in (None, "#nope"):
        said = cannot_post("#nope", "channel_not_found", default_channel=default)
        assert "fail until it works: the server has no other channel" in said
    said = cannot_post("C0ACME", "is_archived", partners=True, default_channel="#partnerships")
    assert (
        "The setting stands. Meanwhile the partner's alerts and survey results go to the "
        "workspace's coordination channel, until you choose a channel Liaison can post in "
        "(<#C0ACME> again, once it is fixed)."
    ) in said  # QA qa21b NIT 4: said plainly
