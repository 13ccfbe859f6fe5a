"""`/partner config` in the offline sandbox, through the real `liaison simulate --script`."""

from __future__ import annotations

from pathlib import Path

from tests.test_examples import simulate

STORY = Path(__file__).with_name("config-story.txt")


def test_settings_changed_in_the_sandbox_change_what_happens(tmp_path: Path) -> None:
    result = simulate(STORY, tmp_path)
    transcript = result.stdout
    assert result.returncode == 0, transcript + result.stderr
    assert "Traceback" not in transcript + result.stderr
    steps = [
        "Coordination window is now 3 days (was 14 days)",
        "Coordination channel is now #general",
        "Anonymity must be at least 2",
        "The admins named here are now @dan (added @dan).",
        "ben@Acme #partnerships> /partner config window 30",
        "Only admins can change workspace settings: @ana, @dan.",
        "chloe@Acme #partnerships> /partner log Globex",
        "Logged your contact with Globex today",
        "dan@Acme #partnerships> /partner config window 7",
        "Coordination window is now 7 days (was 3 days)",
        "Others are in touch with Globex",
        "#general from @liaison",
        "Revolving door at Globex",
        "Admins: Slack admins @ana; named here @dan.",
        "Failed deliveries: none.",
    ]
    position = 0
    for step in steps:
        found = transcript.find(step, position)
        assert found >= 0, f"{step!r} missing after position {position}:\n{transcript}"
        position = found + len(step)
    chloe = transcript[transcript.index("chloe@Acme") : transcript.index("dan@Acme")]
    assert "Others are in touch" not in chloe
