"""Imports every table so the metadata is complete (for Alembic and for the schema-drift test)."""

from gouvernance.access.records import (
    AccessLinkRow,
    ApiTokenRow,
    GrantRow,
    LoginAttemptRow,
    OrganisationEventRow,
    OrganisationRow,
    PasswordRow,
    UserRow,
    WebSessionRow,
)
from gouvernance.audit.records import AuditEntryRow
from gouvernance.budget.records import ClosedVoteRow, ProposalRow, VoteCountRow
from gouvernance.communication.records import CommunicationActionRow
from gouvernance.db.base import Base
from gouvernance.decisions.records import DecisionRow
from gouvernance.deliverables.records import DeliverableRow
from gouvernance.diagnostic.records import FindingRow
from gouvernance.engagements.records import EngagementRow, ProcessModelRow, StepRow
from gouvernance.evidence.records import EvidenceRow
from gouvernance.history.records import EventRow, OutboxReceiptRow, OutboxRow
from gouvernance.idempotency.records import IdempotencyRow
from gouvernance.notifications.records import ContactRow, DeliveryRow, NotificationRow, WebhookRow
from gouvernance.objectives.records import (
    ActionRow,
    IndicatorRow,
    MeansRow,
    MeasurementRow,
    ObjectiveApprovalRow,
    ObjectiveRow,
)
from gouvernance.partnership.records import ConventionPartyRow
from gouvernance.publication.records import PublicEngagementRow
from gouvernance.stakeholders.tables import (
    ConsultationParticipantRow,
    ConsultationRow,
    StakeholderContactRow,
    StakeholderRelationRow,
    StakeholderRow,
)
from gouvernance.training.records import AttendeeRow, TrainingSessionRow

__all__ = [
    "AccessLinkRow",
    "ActionRow",
    "ApiTokenRow",
    "AttendeeRow",
    "AuditEntryRow",
    "Base",
    "ClosedVoteRow",
    "CommunicationActionRow",
    "ConsultationParticipantRow",
    "ConsultationRow",
    "ContactRow",
    "ConventionPartyRow",
    "DecisionRow",
    "DeliverableRow",
    "DeliveryRow",
    "EngagementRow",
    "EventRow",
    "EvidenceRow",
    "FindingRow",
    "GrantRow",
    "IdempotencyRow",
    "IndicatorRow",
    "LoginAttemptRow",
    "MeansRow",
    "MeasurementRow",
    "NotificationRow",
    "ObjectiveApprovalRow",
    "ObjectiveRow",
    "OrganisationEventRow",
    "OrganisationRow",
    "OutboxReceiptRow",
    "OutboxRow",
    "PasswordRow",
    "ProcessModelRow",
    "ProposalRow",
    "PublicEngagementRow",
    "StakeholderContactRow",
    "StakeholderRelationRow",
    "StakeholderRow",
    "StepRow",
    "TrainingSessionRow",
    "UserRow",
    "VoteCountRow",
    "WebSessionRow",
    "WebhookRow",
]
