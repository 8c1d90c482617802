"""The ICS feed: valid RFC 5545 framing, French summaries, due dates and stage milestones."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from gouvernance.calendars.ics import CalendarEntry, engagement_entries, render
from gouvernance.clock import FrozenClock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import EngagementRow
from gouvernance.engagements.service import LaunchRequest, Territory, launch


def test_engagement_feed_lists_due_dates_and_milestones(db, clock, mini_model, launch_engagement) -> None:
    engagement_id = launch_engagement(mini_model)
    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        entries = engagement_entries(session, engagement)
        mine = engagement_entries(session, engagement, roles=frozenset({"chef_de_projet"}))
        text = render("Échéances — Saint-Jean-de-Braye", entries, now=clock.now())
    assert {e.summary for e in entries} == {
        "Échéance : Un — Saint-Jean-de-Braye",
        "Jalon : fin de « Phase A » — Saint-Jean-de-Braye",
    }
    assert [e.summary for e in mine] == ["Jalon : fin de « Phase A » — Saint-Jean-de-Braye"]
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20260307" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert text.count("BEGIN:VEVENT") == 2
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Échéance : Un — Saint-Jean-de-Braye" in unfolded


def test_due_dates_fall_on_the_day_where_the_people_live(db, mini_model) -> None:
    # In Nouméa (UTC+11), 9:00 on 2 March is 22:00 UTC on 1 March: a feed in UTC days would be a day early.
    noumea = ZoneInfo("Pacific/Noumea")
    clock = FrozenClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tz=noumea)
    with db.transaction() as session:
        launched = launch(
            session,
            LaunchRequest(mini_model, Territory("Nouméa", "commune", "98818"), date(2026, 3, 2), {}),
            actor=ActorRef.of("claire", "consultant"),
            clock=clock,
        )
    with db.reading() as session:
        engagement = session.get(EngagementRow, launched.engagement_id)
        assert engagement is not None
        [due] = [e for e in engagement_entries(session, engagement, tz=noumea) if e.uid.startswith("step-")]
        text = render("Échéances — Nouméa", [due], now=clock.now(), tz=noumea)
    assert due.day == date(2026, 3, 7)  # ready 2 March at 9:00 local, five days to do it
    assert "X-WR-TIMEZONE:Pacific/Noumea" in text.split("\r\n")


# --- escaping and folding (RFC 5545 §3.1, §3.3.11) --------------------------------------------------------

CONTENT_LINE = re.compile(r"^[A-Z][A-Z0-9-]*(;[A-Z0-9-]+=[^:;,]+)*:(.*)$", re.DOTALL)


def parse(text: str) -> list[tuple[str, str]]:
    """Content lines as (name, unescaped value): the text ends with CRLF, folded lines are unfolded, and a
    line must hold no bare CR or LF; any line that is not a content line fails the test."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all(len(line.encode()) <= 75 for line in physical)
    lines: list[str] = []
    for line in physical:
        assert "\r" not in line, repr(line)
        assert "\n" not in line, repr(line)
        if line[:1] in (" ", "\t"):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    parsed = []
    for line in lines:
        found = CONTENT_LINE.match(line)
        assert found, repr(line)
        name = line.split(":", 1)[0].split(";", 1)[0]
        parsed.append((name, _unescape(found.group(2))))
    return parsed


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_a_line_break_in_a_territory_never_starts_a_line_of_its_own(db, clock, mini_model, launch_engagement):
    engagement_id = launch_engagement(mini_model)
    territory = "Saint-Jean\rBEGIN:VEVENT\r\nX-INJECTE:oui\nSUMMARY:faux; ou, pas\\"
    with db.transaction() as session:  # stored before the input rules, or by hand
        session.execute(
            update(EngagementRow).values(territory_name=territory).where(EngagementRow.id == engagement_id)
        )
    with db.reading() as session:
        engagement = session.get(EngagementRow, engagement_id)
        assert engagement is not None
        text = render(f"Échéances — {territory}", engagement_entries(session, engagement), now=clock.now())
    lines = parse(text)
    names = [name for name, _ in lines]
    assert names.count("BEGIN") == 3
    assert "X-INJECTE" not in names
    assert names.count("SUMMARY") == 2
    expected = "Saint-Jean\nBEGIN:VEVENT\nX-INJECTE:oui\nSUMMARY:faux; ou, pas\\"
    assert dict(lines)["X-WR-CALNAME"] == f"Échéances — {expected}"
    assert all(value.endswith(f"— {expected}") for name, value in lines if name == "SUMMARY")


@settings(max_examples=200, deadline=None)
@given(name=st.text(), summary=st.text(min_size=1, max_size=300))
def test_any_text_renders_as_valid_content_lines(name: str, summary: str) -> None:
    entry = CalendarEntry("uid-1@gouvernance", date(2026, 3, 2), summary, "description")
    lines = parse(render(name, [entry], now=datetime(2026, 3, 2, 8, 0, tzinfo=UTC)))
    assert [n for n, _ in lines] == [
        "BEGIN", "VERSION", "PRODID", "CALSCALE", "X-WR-CALNAME", "X-WR-TIMEZONE",
        "BEGIN", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "TRANSP", "END", "END",
    ]  # fmt: skip
    calname = dict(lines)["X-WR-CALNAME"]
    assert "\r" not in calname
    assert calname.replace("\ufffd", "") == clean(name).replace("\ufffd", "")


def clean(text: str) -> str:
    """What an ICS reader gets back: line breaks as LF, other controls and surrogates as U+FFFD."""
    text = re.sub(r"\r\n|\r", "\n", text)
    return re.sub("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]", "\ufffd", text)
