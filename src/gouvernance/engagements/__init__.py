"""Engagements: a journey launched from a process model for one territory, and its steps."""
