"""Request and response bodies, with the examples the OpenAPI document shows. Field names are the domain's
(the same words as in the YAML models and the database); labels come in the caller's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gouvernance.api.inputs import FREE_JSON_LIMITS, FreeJson, MultilineText, SafeDate, SafeText
from gouvernance.api.problems import ProblemReason

KEY = r"^[a-z][a-z0-9_\-]*$"
TerritoryKind = Literal["commune", "epci", "departement", "region", "autre"]
EngagementState = Literal["draft", "active", "suspended", "completed", "cancelled"]
EngagementEvent = Literal["suspend", "resume", "cancel", "complete"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- process models -------------------------------------------------------------------------------------


class ProcessModelSummary(BaseModel):
    key: str
    version: int = Field(description="The latest version.")
    versions: list[int]
    title: str
    description: str | None
    stages_count: int
    steps_count: int


class RoleOut(BaseModel):
    key: str
    title: str
    description: str | None


class ParameterOut(BaseModel):
    key: str
    type: str
    title: str
    description: str | None
    default: Any = None
    required: bool
    choices: list[str]
    minimum: int | float | None = Field(default=None, description="Integer and number parameters: the least.")
    maximum: int | float | None = Field(default=None, description="Integer and number parameters: the most.")


class DeliverableOut(BaseModel):
    key: str
    title: str
    formats: list[str]


class GuardDescription(BaseModel):
    rule: str
    on: list[str] = Field(description="The events the guard applies to.")
    description: str


class StepSpecOut(BaseModel):
    key: str
    title: str
    description: str | None
    kind: str
    role: str
    reviewer: str
    duration_days: int
    after: list[str]
    skippable: bool
    sends_back: list[str]
    produces: list[str]
    requires: list[str]
    guards: list[GuardDescription]


class StageSpecOut(BaseModel):
    key: str
    title: str
    description: str | None
    after: list[str]
    steps: list[StepSpecOut]


class ProcessModelOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "gouvernance-partagee",
                    "version": 1,
                    "versions": [1],
                    "title": "Accompagnement à la gouvernance partagée",
                    "description": "Parcours complet d'accompagnement…",
                    "default_reviewer": "chef_de_projet",
                    "reopen_roles": ["consultant", "chef_de_projet"],
                    "roles": [{"key": "consultant", "title": "Consultant·e", "description": None}],
                    "parameters": [],
                    "deliverables": [],
                    "stages": [],
                }
            ]
        }
    )

    key: str
    version: int
    versions: list[int]
    title: str
    description: str | None
    default_reviewer: str
    reopen_roles: list[str]
    roles: list[RoleOut]
    parameters: list[ParameterOut]
    deliverables: list[DeliverableOut]
    stages: list[StageSpecOut]


# --- engagements ----------------------------------------------------------------------------------------


class TerritoryIn(_In):
    name: SafeText = Field(min_length=1, max_length=200, examples=["Communauté de communes du Val Fleuri"])
    kind: TerritoryKind = "commune"
    insee: SafeText | None = Field(
        default=None,
        max_length=10,
        description="Code INSEE (COG) de la commune, ou SIREN de l'EPCI.",
        examples=["45284", "200071876"],
    )


class LaunchIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "model_key": "gouvernance-partagee",
                    "territory": {
                        "name": "Communauté de communes du Val Fleuri",
                        "kind": "epci",
                        "insee": "200071876",
                    },
                    "start_date": "2026-01-05",
                    "parameters": {"population": 23400, "perimetre": "epci"},
                    "lead": "julien.robert",
                }
            ]
        },
    )

    model_key: str = Field(max_length=80, pattern=KEY, examples=["gouvernance-partagee"])
    model_version: int | None = Field(default=None, ge=1, le=1_000_000, description="Latest if omitted.")
    territory: TerritoryIn
    start_date: SafeDate
    parameters: FreeJson = Field(
        default_factory=dict, description=f"The model's launch parameters. {FREE_JSON_LIMITS}"
    )
    lead: SafeText | None = Field(default=None, max_length=120, description="Login of the project lead.")


class ModelRef(BaseModel):
    key: str
    version: int
    title: str


class TerritoryOut(BaseModel):
    name: str
    kind: str
    insee: str | None


class StageProgress(BaseModel):
    key: str
    title: str
    status: Literal["not_started", "in_progress", "complete"]
    percent_done: int
    steps_total: int
    steps_finished: int
    next_due_at: datetime | None
    overdue_steps: list[str]


class EngagementSummary(BaseModel):
    id: str
    model: ModelRef
    territory: TerritoryOut
    organisation: str | None
    state: str
    state_label: str
    start_date: date
    lead: str | None
    percent_done: int
    next_due_at: datetime | None
    overdue_count: int
    created_at: datetime


class EngagementOut(EngagementSummary):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2a9e-4b7d-4d0e-9a51-3c2f8e7d1b20",
                    "model": {
                        "key": "gouvernance-partagee",
                        "version": 1,
                        "title": "Accompagnement à la gouvernance partagée",
                    },
                    "territory": {
                        "name": "Communauté de communes du Val Fleuri",
                        "kind": "epci",
                        "insee": "200071876",
                    },
                    "organisation": "cabinet-horizons",
                    "state": "active",
                    "state_label": "actif",
                    "start_date": "2026-01-05",
                    "lead": "julien.robert",
                    "percent_done": 12,
                    "next_due_at": "2026-01-12T08:00:00Z",
                    "overdue_count": 0,
                    "created_at": "2026-01-05T08:00:00Z",
                    "updated_at": "2026-01-05T08:00:00Z",
                    "version": 2,
                    "parameters": {"population": 23400, "perimetre": "epci"},
                    "your_roles": ["consultant"],
                    "stages": [
                        {
                            "key": "etat_des_lieux",
                            "title": "État des lieux",
                            "status": "in_progress",
                            "percent_done": 25,
                            "steps_total": 4,
                            "steps_finished": 1,
                            "next_due_at": "2026-01-12T08:00:00Z",
                            "overdue_steps": [],
                        }
                    ],
                }
            ]
        }
    )

    version: int = Field(description="The engagement's version (its ETag).")
    updated_at: datetime
    parameters: dict[str, Any]
    your_roles: list[str] = Field(description="The roles the caller holds on this engagement.")
    stages: list[StageProgress]


class EngagementPage(BaseModel):
    items: list[EngagementSummary]
    total: int
    limit: int
    offset: int


class EngagementEventIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"event": "suspend", "comment": "Période de réserve électorale"}]},
    )

    event: EngagementEvent
    comment: MultilineText | None = Field(
        default=None, max_length=4000, description="Required to suspend or cancel."
    )


class Change(BaseModel):
    engagement_id: str
    step_key: str | None
    event: str
    from_state: str
    to_state: str
    version: int
    event_id: int


class TransitionOut(Change):
    """The transition, then every change it set off (steps becoming ready, reopened work…)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "engagement_id": "6f1c2a9e-4b7d-4d0e-9a51-3c2f8e7d1b20",
                    "step_key": "cadrage_accompagnement",
                    "event": "start",
                    "from_state": "ready",
                    "to_state": "in_progress",
                    "version": 3,
                    "event_id": 42,
                    "then": [],
                }
            ]
        }
    )

    then: list[Change]


# --- steps ----------------------------------------------------------------------------------------------


class GuardStatus(BaseModel):
    rule: str
    passed: bool
    code: str
    message: str
    details: dict[str, Any] | None = Field(default=None, description="What is missing, e.g. the label.")


class EventOptionOut(BaseModel):
    event: str
    label: str
    requires_comment: bool
    possible: bool = Field(description="Whether the door would accept it now.")
    guards: list[GuardStatus] = Field(description="Every guard on this event, passed or not.")
    refusals: list[ProblemReason] = Field(description="Why it is not possible now, if it is not.")


class StepOut(BaseModel):
    key: str
    title: str
    stage: str
    stage_title: str
    kind: str
    state: str
    state_label: str
    role: str = Field(description="The responsible role.")
    role_title: str
    reviewer: str
    due_at: datetime | None
    overdue: bool
    version: int = Field(description="The step's version: send it back in If-Match.")
    round: int
    actions: list[EventOptionOut] = Field(description="The events the caller may send now.")


class EvidenceOut(BaseModel):
    id: int
    kind: Literal["file", "link"]
    label: str
    filename: str | None
    content_type: str | None
    size_bytes: int | None
    sha256: str | None
    url: str | None
    attached_by: str
    attached_at: datetime
    download: str = Field(description="Where to download it (GET).")


class StepDetailOut(StepOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "cadrage_accompagnement",
                    "title": "Réunion de cadrage de l'accompagnement",
                    "stage": "etat_des_lieux",
                    "stage_title": "État des lieux des forces vives et des projets",
                    "kind": "task",
                    "state": "in_progress",
                    "state_label": "en cours",
                    "role": "consultant",
                    "role_title": "Consultant·e",
                    "reviewer": "chef_de_projet",
                    "due_at": "2026-01-12T08:00:00Z",
                    "overdue": False,
                    "version": 3,
                    "round": 1,
                    "description": "Calendrier, interlocuteurs, périmètre…",
                    "ready_at": "2026-01-05T08:00:00Z",
                    "started_at": "2026-01-05T09:00:00Z",
                    "completed_at": None,
                    "guards": [
                        {
                            "rule": "evidence_attached",
                            "on": ["submit"],
                            "description": "fichier « compte rendu de cadrage » joint(e) à l'étape",
                        }
                    ],
                    "evidence": [],
                    "actions": [
                        {
                            "event": "submit",
                            "label": "Soumettre",
                            "requires_comment": False,
                            "possible": False,
                            "guards": [
                                {
                                    "rule": "evidence_attached",
                                    "passed": False,
                                    "code": "guard.evidence_missing",
                                    "message": "fichier « compte rendu de cadrage » joint(e) à l'étape "
                                    "(0 sur 1)",
                                }
                            ],
                            "refusals": [
                                {
                                    "code": "guard.evidence_missing",
                                    "message": "fichier « compte rendu de cadrage » joint(e) à l'étape "
                                    "(0 sur 1)",
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )

    description: str | None
    ready_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    guards: list[GuardDescription]
    evidence: list[EvidenceOut]


class StepEventIn(_In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"event": "start"},
                {"event": "request_rework", "comment": "Compléter la liste des associations sportives"},
                {
                    "event": "endorse",
                    "comment": "Validé en comité de pilotage",
                    "data": {"instance": "copil"},
                },
            ]
        },
    )

    event: str = Field(
        pattern=r"^[a-z][a-z_]{0,39}$",
        description="start, submit, approve, request_rework, endorse, skip, reopen, open_consultation…",
    )
    comment: MultilineText | None = Field(
        default=None, max_length=4000, description="Required for rework, skip…"
    )
    data: FreeJson = Field(default_factory=dict, description=f"Recorded with the event. {FREE_JSON_LIMITS}")


# --- timeline, me, health -------------------------------------------------------------------------------


class TimelineEvent(BaseModel):
    id: int
    occurred_at: datetime
    event: str
    label: str
    step_key: str | None
    from_state: str | None
    to_state: str | None
    actor: str
    actor_role: str | None
    comment: str | None
    version: int | None
    payload: dict[str, Any]


class TimelinePage(BaseModel):
    items: list[TimelineEvent]
    total: int
    limit: int
    offset: int


class GrantOut(BaseModel):
    role: str
    engagement_id: str | None = Field(description="None: every engagement of the organisation.")


class MeOut(BaseModel):
    login: str
    organisation: str
    grants: list[GrantOut]


class TaskOut(BaseModel):
    engagement_id: str
    territory: str
    model_key: str
    step_key: str
    step_title: str
    stage_title: str
    state: str
    state_label: str
    role: str
    due_at: datetime | None
    overdue: bool
    version: int


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ok"]
    database: str
