"""The clock is an outside system: code asks a Clock for the time so tests and the demo can move it.

A clock also knows the timezone of the people it serves (as java.time.Clock carries a zone): the domain
reads local time there (work on a journey starts at 9:00 local time), and the composition root builds the
clock with the configured ``GOUVERNANCE_TIMEZONE``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = ZoneInfo("Europe/Paris")


class Clock(Protocol):
    @property
    def tz(self) -> tzinfo:
        """Where the people live: local times (the start of the working day…) are read in this zone."""
        ...

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def __init__(self, tz: tzinfo = DEFAULT_TIMEZONE) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to: for tests, the demo and `--now` on the command line."""

    def __init__(self, start: datetime, tz: tzinfo = DEFAULT_TIMEZONE) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self._now = start.astimezone(UTC)
        self.tz = tz

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)
