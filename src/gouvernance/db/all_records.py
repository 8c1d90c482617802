"""Imports every table so the metadata is complete (for Alembic and for the schema-drift test)."""

from gouvernance.db.base import Base
from gouvernance.engagements.records import EngagementRow, ProcessModelRow, StepRow
from gouvernance.evidence.records import EvidenceRow
from gouvernance.history.records import EventRow, OutboxRow

__all__ = ["Base", "EngagementRow", "EventRow", "EvidenceRow", "OutboxRow", "ProcessModelRow", "StepRow"]
