"""ICS (RFC 5545) feeds of due dates: people live in their calendars."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import DEFAULT_TIMEZONE
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.engagements.settings import role_title
from gouvernance.lifecycle.machines import TERMINAL_STEP_STATES
from gouvernance.spec.catalog import model_for


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    day: date
    summary: str
    description: str


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# What TEXT cannot hold (RFC 5545 §3.3.11: controls other than tab) or UTF-8 cannot encode (lone surrogates).
_NOT_TEXT = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, every line break (CRLF, a bare
    CR or LF) written as ``\\n``, so that no value can start a line of its own; other controls become
    U+FFFD."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _NOT_TEXT.sub("\ufffd", _LINE_BREAK.sub(r"\\n", text))


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def render(
    name: str, entries: Iterable[CalendarEntry], *, now: datetime, tz: tzinfo = DEFAULT_TIMEZONE
) -> str:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//gouvernance//échéances//FR",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
        f"X-WR-TIMEZONE:{tz}",
    ]
    for entry in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{entry.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{entry.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{entry.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(entry.summary)}",
            f"DESCRIPTION:{_escape(entry.description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def engagement_entries(
    session: Session,
    engagement: EngagementRow,
    *,
    roles: frozenset[str] | None = None,
    tz: tzinfo = DEFAULT_TIMEZONE,
) -> list[CalendarEntry]:
    """Due dates of the open steps (only those of ``roles`` when given) and the expected end of each stage,
    as days where the people live (``tz``)."""
    model = model_for(session, engagement.model_key, engagement.model_version)
    rows = list(session.scalars(select(StepRow).where(StepRow.engagement_id == engagement.id)))
    entries = []
    stage_ends: dict[str, date] = {}
    for row in rows:
        if row.due_at is None:
            continue
        local_day = row.due_at.astimezone(tz).date()
        stage_ends[row.stage_key] = max(stage_ends.get(row.stage_key, local_day), local_day)
        if row.state in TERMINAL_STEP_STATES or (roles is not None and row.role not in roles):
            continue
        spec = model.steps_by_key[row.step_key]
        entries.append(
            CalendarEntry(
                uid=f"step-{row.id}-{row.round}@gouvernance",
                day=local_day,
                summary=f"Échéance : {spec.title.fr} — {engagement.territory_name}",
                description=f"{model.title.fr}\nResponsable : "
                f"{role_title(model, engagement.parameters, spec.role)}",
            )
        )
    for stage_key, day in stage_ends.items():
        stage = model.stages_by_key[stage_key]
        entries.append(
            CalendarEntry(
                uid=f"stage-{engagement.id}-{stage_key}@gouvernance",
                day=day,
                summary=f"Jalon : fin de « {stage.title.fr} » — {engagement.territory_name}",
                description=model.title.fr,
            )
        )
    return sorted(entries, key=lambda e: (e.day, e.uid))
