"""One periodic pass over reminders, the same for the worker's ``sweep-reminders`` flow and for
``gouvernance reminders sweep``: the sweep, then, from 7 o'clock local time, the day's digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from gouvernance.db.engine import Database
from gouvernance.notifications.digest import build_digests
from gouvernance.notifications.reminders import sweep

DIGEST_HOUR = 7  # digests are built from this hour on, in the settings' time zone, once a day each


@dataclass(frozen=True)
class SweepOutcome:
    candidates: int  # open steps due within the reminder horizon
    created: int  # reminders, overdue notices and escalations created
    digests: int  # daily digests created
    skipped: dict[str, str]  # engagement id → why its model could not be read (its steps got nothing)


def digests_due(now: datetime, tz: tzinfo) -> bool:
    """Whether it is late enough in the day, where the people live, to send today's digests."""
    return now.astimezone(tz).hour >= DIGEST_HOUR


def run_sweep(
    db: Database, *, now: datetime, base_url: str, tz: tzinfo, batch_size: int = 1000
) -> SweepOutcome:
    """One transaction: the notifications owed at ``now``, linking to ``base_url``, and the digests when
    they are due. Safe to run again: nothing is created twice."""
    with db.transaction() as session:
        report = sweep(session, now=now, base_url=base_url, batch_size=batch_size, tz=tz)
        digests = build_digests(session, now=now, base_url=base_url, tz=tz) if digests_due(now, tz) else 0
    return SweepOutcome(report.candidates, report.created, digests, report.skipped)
