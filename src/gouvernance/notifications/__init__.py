"""Notifications: reminders and escalations found by the sweep, events worth telling people about, and their
delivery by e-mail, signed webhook and in the application."""
