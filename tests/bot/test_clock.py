from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.clock import ManualClock, SystemClock


def test_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 11, 25, 10, 0, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert clock.advance(timedelta(days=2)) == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    clock.set(datetime(2026, 12, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 12, 1, tzinfo=UTC)


def test_manual_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 11, 25))
