"""The ICS feed: valid RFC 5545 framing, French summaries, due dates and stage milestones."""

from __future__ import annotations

from gouvernance.calendars.ics import engagement_entries, render
from gouvernance.engagements.records import EngagementRow


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
