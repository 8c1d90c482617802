"""Producing deliverables: when a step that produces some is done, render them (HTML, PDF, DOCX), store the
files content-addressed and record a new version. Also on demand, for every deliverable of an engagement."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import CursorResult, func, select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.db.engine import Database
from gouvernance.db.upsert import insert_ignoring_duplicates
from gouvernance.deliverables.records import DeliverableRow
from gouvernance.deliverables.registry import CONTEXT_CONTRIBUTORS, build_document
from gouvernance.deliverables.rendering import RenderedFile, Renderer
from gouvernance.engagements.records import EngagementRow, StepRow
from gouvernance.engagements.subject import load_subject
from gouvernance.evidence.records import EvidenceRow
from gouvernance.evidence.store import BlobStore
from gouvernance.history.consumers import acknowledge, pending_for
from gouvernance.spec.schema import ProcessModel

CONSUMER = "deliverables"
DONE_TOPICS = ("step.approve", "step.adopt")


@dataclass(frozen=True)
class Produced:
    engagement_id: str
    key: str
    format: str
    version: int
    sha256: str
    filename: str


def context_for(
    session: Session, engagement: EngagementRow, model: ProcessModel, key: str, *, today: date
) -> dict[str, Any]:
    """What the French document builders are given: the engagement's facts and the evidence gathered, and
    what the registered contributors add. ``today`` is the day where the readers live: an evaluation is as of
    that day."""
    evidence = session.execute(
        select(EvidenceRow, StepRow.step_key)
        .join(StepRow, StepRow.id == EvidenceRow.step_id)
        .where(EvidenceRow.engagement_id == engagement.id)
        .order_by(EvidenceRow.id)
    ).all()
    context: dict[str, Any] = {
        "title": model.deliverables_by_key[key].title.fr if key in model.deliverables_by_key else None,
        "territory": {
            "name": engagement.territory_name,
            "kind": engagement.territory_kind,
            "insee_code": engagement.territory_insee,
        },
        "engagement": {
            "reference": engagement.id,
            "title": model.title.fr,
            "model": f"{model.key} v{model.version}",
            "start_date": engagement.start_date.isoformat(),
        },
        "author": engagement.lead or "",
        "parameters": engagement.parameters,
        "parameter_labels": {parameter.key: parameter.title.fr for parameter in model.parameters},
        "produced_by": [
            step.key for step in model.steps_by_key.values() if key in step.deliverables.produces
        ],
        "evidence": [
            {
                "title": row.label,
                "kind": "fichier" if row.kind == "file" else "lien",
                "step": model.steps_by_key[step_key].title.fr if step_key in model.steps_by_key else step_key,
                "date": row.attached_at.date().isoformat(),
                "reference": row.filename or row.url or "",
            }
            for row, step_key in evidence
        ],
    }
    for contributor in CONTEXT_CONTRIBUTORS:
        context.update(contributor(session, engagement, key, today))
    return {k: v for k, v in context.items() if v is not None}


def render_all(
    renderer: Renderer, key: str, context: dict[str, Any], formats: tuple[str, ...], clock: Clock
) -> list[RenderedFile]:
    document = build_document(key, context, clock=clock)
    return [renderer.render(document, fmt) for fmt in formats]  # type: ignore[arg-type]


def _store(
    session: Session,
    engagement_id: str,
    key: str,
    title: str,
    files: list[RenderedFile],
    source: str,
    store: BlobStore,
    clock: Clock,
) -> list[Produced]:
    produced = []
    statement = insert_ignoring_duplicates(session, DeliverableRow.__table__)
    for file in files:
        digest = store.put(file.content)
        fmt = file.filename.rsplit(".", 1)[-1]
        version = (
            session.scalar(
                select(func.max(DeliverableRow.version)).where(
                    DeliverableRow.engagement_id == engagement_id,
                    DeliverableRow.key == key,
                    DeliverableRow.format == fmt,
                )
            )
            or 0
        ) + 1
        result: CursorResult[Any] = session.execute(
            statement,
            {  # type: ignore[assignment]
                "engagement_id": engagement_id,
                "key": key,
                "title": title,
                "format": fmt,
                "version": version,
                "sha256": digest,
                "filename": file.filename,
                "media_type": file.media_type,
                "size_bytes": len(file.content),
                "source": source,
                "created_at": clock.now(),
            },
        )
        if result.rowcount:
            produced.append(Produced(engagement_id, key, fmt, version, digest, file.filename))
    return produced


def produce_from_outbox(
    db: Database, *, renderer: Renderer, store: BlobStore, clock: Clock, limit: int = 50
) -> list[Produced]:
    """Consumes the outbox: renders what done steps produce. Rendering happens outside any write transaction
    (a PDF takes a fraction of a second); the files and the receipt are then written together, and unique
    keys make a repeat after a crash a no-op."""
    produced: list[Produced] = []
    while True:
        with db.reading() as session:
            rows = pending_for(session, CONSUMER, limit=limit)
            work = [_plan(session, row, local_today(clock)) for row in rows]
        if not rows:
            return produced
        for row, plan in zip(rows, work, strict=True):
            rendered = [
                (key, title, render_all(renderer, key, context, formats, clock))
                for key, title, context, formats in plan
            ]
            with db.transaction() as session:
                for key, title, files in rendered:
                    produced += _store(
                        session, row.engagement_id, key, title, files, f"event:{row.event_id}", store, clock
                    )
                acknowledge(session, CONSUMER, [row.id], now=clock.now())


Plan = tuple[str, str, dict[str, Any], tuple[str, ...]]  # key, title, context, formats


def _plans(
    session: Session, engagement: EngagementRow, model: ProcessModel, keys: Iterable[str], today: date
) -> list[Plan]:
    """What to render for each deliverable key the model declares."""
    return [
        (
            key,
            model.deliverables_by_key[key].title.fr,
            context_for(session, engagement, model, key, today=today),
            tuple(model.deliverables_by_key[key].formats),
        )
        for key in keys
        if key in model.deliverables_by_key
    ]


def _plan(session: Session, row: Any, today: date) -> list[Plan]:
    if (
        row.topic not in DONE_TOPICS
        or not row.payload.get("produces")
        or row.payload.get("to_state") != "done"
    ):
        return []
    subject = load_subject(session, row.engagement_id, None)
    return _plans(session, subject.engagement, subject.model, row.payload["produces"], today)


Rendered = tuple[str, str, list[RenderedFile]]  # key, title, files


def render_on_demand(
    db: Database,
    engagement_id: str,
    *,
    renderer: Renderer,
    clock: Clock,
    keys: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Rendered]:
    """Renders every deliverable the engagement's model declares (or ``keys``), writing nothing."""
    with db.reading() as session:
        subject = load_subject(session, engagement_id, None)  # NotFound for an unknown engagement
        wanted = keys or [d.key for d in subject.model.deliverables]
        plans = _plans(session, subject.engagement, subject.model, wanted, local_today(clock))
    rendered: list[Rendered] = []
    for key, title, context, formats in plans:
        rendered.append((key, title, render_all(renderer, key, context, formats, clock)))
        if progress:
            progress(key)
    return rendered


def store_rendered(
    session: Session, engagement_id: str, rendered: list[Rendered], *, store: BlobStore, clock: Clock
) -> list[Produced]:
    """Records what ``render_on_demand`` rendered as new versions, in the caller's transaction."""
    source = f"demand:{uuid.uuid4().hex[:16]}"
    return [
        produced
        for key, title, files in rendered
        for produced in _store(session, engagement_id, key, title, files, source, store, clock)
    ]


def build_on_demand(
    db: Database,
    engagement_id: str,
    *,
    renderer: Renderer,
    store: BlobStore,
    clock: Clock,
    keys: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Produced]:
    """Renders every deliverable the engagement's model declares (or ``keys``), as a new version."""
    rendered = render_on_demand(
        db, engagement_id, renderer=renderer, clock=clock, keys=keys, progress=progress
    )
    with db.transaction() as session:
        return store_rendered(session, engagement_id, rendered, store=store, clock=clock)


def deliverables_of(session: Session, engagement_id: str) -> list[DeliverableRow]:
    return list(
        session.scalars(
            select(DeliverableRow)
            .where(DeliverableRow.engagement_id == engagement_id)
            .order_by(DeliverableRow.key, DeliverableRow.format, DeliverableRow.version)
        )
    )


def local_today(clock: Clock) -> date:
    """The day it is where the readers live (the clock's timezone)."""
    return clock.now().astimezone(clock.tz).date()
