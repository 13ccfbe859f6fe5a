"""The example story a newcomer runs first, through the real `liaison simulate --script`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def simulate(script: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "simulate",
            "--fresh",
            "--db",
            str(tmp_path / "sandbox.db"),
            "--start",
            "2026-11-23T08:00",
            "--script",
            str(script),
        ],  # fmt: skip
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "160"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_revolving_door_story(tmp_path: Path) -> None:
    result = simulate(ROOT / "examples" / "revolving-door.txt", tmp_path)
    transcript = result.stdout
    assert result.returncode == 0, transcript + result.stderr
    assert "Traceback" not in transcript + result.stderr
    steps = [
        # Ana registers the partner and it is hers.
        "ana@Acme #partnerships> /partner add Médecins Sans Frontières",
        "Added Médecins Sans Frontières",
        # Ben's misspelling is recognised; logging it tells the owner.
        "ben@Acme #partnerships> /partner log Medecins Sans Frontiers",
        "Did you mean",
        "Logged your meeting with Médecins Sans Frontières",
        "DM to @ana",
        # Chloe's plan collides: she is told at once, the channel gets one alert.
        "chloe@Acme #partnerships> /partner plan MSF",
        "Others are in touch with Médecins Sans Frontières",
        "the same contact person",
        "#partnerships from @liaison",
        "Revolving door at Médecins Sans Frontières",
        "Owner @ana",
        # Chloe's spelling does not create a duplicate.
        "is already registered as Médecins Sans Frontières",
        # The check-in reaches Ben in his working hours; his click reaches the owner.
        "DM to @ben from @liaison · Mon 09:00 America/New_York",
        "How did your meeting with Médecins Sans Frontières",
        "You answered: ✅ Went well",
        # The owner's debrief: one DM, each answer in its thread.
        "Debrief of the meeting with Médecins Sans Frontières",
        "DM to @ana, in the thread of message",
        "@ben answered ✅ Went well",
        # The pulse survey, answered by Dan with reactions, replaced once.
        "Started a pulse survey of Médecins Sans Frontières",
        "react :four: on",
        "Your answer: 4",
        "unreact :three: on",
        "Your answer: 2",
        # The handover reaches Ben.
        "@ben now owns Médecins Sans Frontières",
        # His promise to MSF is reminded on the day, in his morning, then falls overdue.
        "Recorded `#1`: we owe Médecins Sans Frontières “send the draft MoU”, due Wed 25 Nov",
        "DM to @ben from @liaison · Wed 09:00 America/New_York",
        "is due Wed 25 Nov",
        "overdue by 1 day · owner @ben",
        # Its health, part by part; a part without data is left out.
        "ben@Acme #partnerships> /partner health MSF",
        "Health of Médecins Sans Frontières: 68/100",
        "Pulse — · no pulse yet",
        "Commitments 0 · 0 kept on time, 0 late, 1 overdue",
        "Collisions 75 · 1 collision in the last 90 days",
        # Monday 09:00: the weekly digest, one message in the channel, details in its thread.
        "#partnerships from @liaison · Mon 09:00 UTC",
        "Weekly digest · Mon 23 Nov 09:00 – Mon 30 Nov 09:00 (UTC)",
        "#partnerships, in the thread of message",
        "Médecins Sans Frontières: 1 touchpoint (as planned), 1 commitment overdue",
        # Its first snapshot is the Monday after it was registered, not moments after `add`.
        "Trend: ▆ — one weekly score so far; a line shows from next week.",
        "Since Mon 30 Nov (68/100 → 68/100): no part moved.",
        # The pulse round closed with too few answers: it stays anonymous and does not count.
        "Pulse — · left out: in the last round (closed Mon 30 Nov) 1 of 3 people answered",
    ]
    position = 0
    for step in steps:
        found = transcript.find(step, position)
        assert found >= 0, f"{step!r} missing (or out of order) in:\n{transcript}"
        position = found
    assert "Since Mon 23 Nov" not in transcript  # no snapshot the week it was registered


def test_a_failing_line_fails_the_script(tmp_path: Path) -> None:
    script = tmp_path / "broken.txt"
    script.write_text("/partner help\nteleport to Tokyo\n")
    result = simulate(script, tmp_path)
    assert result.returncode == 1
    assert "I don't know `teleport`" in result.stdout
