"""Calendars: due dates and stage milestones as ICS feeds, per engagement and per user."""
