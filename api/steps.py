"""Steps: where each stands, what the caller may do next (and why not), and sending an event with If-Match."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gouvernance.api.context import ApiContext
from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.engagements import state_label
from gouvernance.api.events import TransitionOut, send_event
from gouvernance.api.http import ETAG_HEADER, errors, etag, expected_version
from gouvernance.api.inputs import FREE_JSON_LIMITS, FreeJson, MultilineText, SafeText
from gouvernance.api.permissions import Access, EngagementIdPath, StepEventAccess, StepsAccess
from gouvernance.api.problems import ProblemReason
from gouvernance.api.process_models import GuardDescription
from gouvernance.api.writes import WritesDep
from gouvernance.engagements.actions import EventOption, event_options, step_subjects
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.settings import role_title
from gouvernance.engagements.subject import Subject, load_subject
from gouvernance.evidence.records import EvidenceRow
from gouvernance.evidence.service import evidence_for_step
from gouvernance.lifecycle.machines import ACTIONABLE_STEP_STATES


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
                            "description": "fichier « compte rendu de cadrage » joint à l'étape",
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
                                    "message": "fichier « compte rendu de cadrage » joint à l'étape "
                                    "(0 sur 1)",
                                }
                            ],
                            "refusals": [
                                {
                                    "code": "guard.evidence_missing",
                                    "message": "fichier « compte rendu de cadrage » joint à l'étape "
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


class StepEventIn(BaseModel):
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
                {
                    "event": "send_back",
                    "comment": "Une action excède les compétences de la commune",
                    "steps": ["plan_action"],
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
    steps: list[Annotated[SafeText, Field(max_length=80)]] | None = Field(
        default=None,
        max_length=50,
        description="send_back only: which of the steps the review lists (sends_back) go back for rework; "
        "every one of them when absent. A step not listed, or not done, is a 422.",
    )


router = APIRouter(prefix="/engagements/{engagement_id}/steps", tags=["Étapes"])

StepKeyPath = Annotated[
    SafeText,
    Path(max_length=80, description="Clé de l'étape dans le modèle.", examples=["cadrage_accompagnement"]),
]


def _option(option: EventOption, lang: str) -> EventOptionOut:
    fr, en = option.label
    return EventOptionOut(
        event=option.event,
        label=en if lang == "en" else fr,
        requires_comment=option.requires_comment,
        possible=option.possible,
        guards=[
            GuardStatus(
                rule=g.rule,
                passed=g.passed,
                code=g.message.code,
                message=g.message.text(lang),
                details=g.message.details or None,
            )
            for g in option.guards
        ],
        refusals=[ProblemReason(**reason.as_dict(lang)) for reason in option.refusals],
    )


def step_out(
    session: Session, subject: Subject, actor: ActorRef, context: ApiContext, lang: str, now: datetime
) -> StepOut:
    step, spec, model = subject.step, subject.step_spec, subject.model
    assert step is not None
    assert spec is not None
    stage = model.stages_by_key[step.stage_key]
    return StepOut(
        key=step.step_key,
        title=spec.title.text(lang),
        stage=stage.key,
        stage_title=stage.title.text(lang),
        kind=step.kind,
        state=step.state,
        state_label=state_label(step.state, lang),
        role=step.role,
        role_title=role_title(model, subject.engagement.parameters, step.role, lang),
        reviewer=model.reviewer_of(spec),
        due_at=step.due_at,
        overdue=step.due_at is not None and step.state in ACTIONABLE_STEP_STATES and step.due_at < now,
        version=step.version,
        round=step.round,
        actions=[_option(o, lang) for o in event_options(session, subject, actor, context.clock)],
    )


def evidence_out(row: EvidenceRow, engagement_id: str, step_key: str) -> EvidenceOut:
    return EvidenceOut(
        id=row.id,
        kind=row.kind,
        label=row.label,
        filename=row.filename,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        url=row.url,
        attached_by=row.attached_by,
        attached_at=row.attached_at,
        download=f"/engagements/{engagement_id}/steps/{step_key}/evidence/{row.id}",
    )


@router.get("", summary="Les étapes : état, rôle, échéance, version et ce que vous pouvez faire")
def list_steps(
    engagement_id: EngagementIdPath,
    access: StepsAccess,
    context: ContextDep,
    lang: LangDep,
) -> list[StepOut]:
    now = context.clock.now()
    with context.db.reading() as session:
        return [
            step_out(session, subject, access.actor, context, lang, now)
            for subject in step_subjects(session, engagement_id)
        ]


@router.get(
    "/{step_key}",
    summary="Une étape, ses gardes et ses pièces ; l'ETag porte sa version",
    responses={200: {"headers": ETAG_HEADER}, **errors(404)},
)
def get_step(
    engagement_id: EngagementIdPath,
    step_key: StepKeyPath,
    access: StepsAccess,
    context: ContextDep,
    lang: LangDep,
    response: Response,
) -> StepDetailOut:
    with context.db.reading() as session:
        return _step_detail(session, engagement_id, step_key, access, context, lang, response)


def _step_detail(
    session: Session,
    engagement_id: str,
    step_key: str,
    access: Access,
    context: ApiContext,
    lang: str,
    response: Response,
) -> StepDetailOut:
    subject = load_subject(session, engagement_id, step_key)
    assert subject.step is not None
    assert subject.step_spec is not None
    base = step_out(session, subject, access.actor, context, lang, context.clock.now())
    response.headers["ETag"] = etag(subject.step.version)
    return StepDetailOut(
        **base.model_dump(),
        description=subject.step_spec.description.text(lang) if subject.step_spec.description else None,
        ready_at=subject.step.ready_at,
        started_at=subject.step.started_at,
        completed_at=subject.step.completed_at,
        guards=[
            GuardDescription(rule=g.rule, on=list(g.on), description=g.describe().text(lang))
            for g in subject.step_spec.compiled_guards
        ],
        evidence=[
            evidence_out(row, engagement_id, step_key) for row in evidence_for_step(session, subject.step.id)
        ],
    )


@router.post(
    "/{step_key}/events",
    summary="Envoyer un événement à une étape (If-Match obligatoire)",
    response_model=TransitionOut,
    responses={
        200: {"description": "La transition et ce qu'elle a déclenché.", "headers": ETAG_HEADER},
        **errors(400, 404, 409, 422, 428),
    },
)
def send_step_event(
    engagement_id: EngagementIdPath,
    step_key: StepKeyPath,
    body: StepEventIn,
    access: StepEventAccess,
    writes: WritesDep,
    context: ContextDep,
    if_match: Annotated[
        str,
        Header(
            alias="If-Match",
            description='L\'ETag lu sur l\'étape, "7" (W/"7" et 7 sont acceptés). Absent : 428 ; '
            "périmé : 409 avec l'état et la version actuels.",
            examples=['"3"'],
        ),
    ],
) -> Response:
    return send_event(
        context,
        writes,
        access,
        engagement_id=engagement_id,
        step_key=step_key,
        event=body.event,
        expected_version=expected_version(if_match),
        comment=body.comment,
        payload=body.data if body.steps is None else {**body.data, "steps": body.steps},
    )
