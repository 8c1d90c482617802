"""Attaching evidence (a file or a link) to a step, with who attached it and when."""

from __future__ import annotations

import difflib
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.records import StepRow
from gouvernance.engagements.subject import Subject, load_subject
from gouvernance.errors import InvalidInput, Message, NotFound
from gouvernance.evidence.records import EvidenceRow
from gouvernance.evidence.store import BlobStore
from gouvernance.guards.builtin import EvidenceAttached
from gouvernance.history.log import append_event
from gouvernance.inputs import check_text

ALLOWED_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/msword",
        "application/vnd.ms-excel",
        "text/plain",
        "text/csv",
        "text/markdown",
        "image/png",
        "image/jpeg",
        "image/svg+xml",
        "application/zip",
    }
)


def attach_file(
    session: Session,
    *,
    engagement_id: str,
    step_key: str,
    label: str,
    filename: str,
    content: bytes,
    content_type: str,
    actor: ActorRef,
    store: BlobStore,
    clock: Clock,
    max_bytes: int,
) -> EvidenceRow:
    subject = load_subject(session, engagement_id, step_key)
    _check_label(label, subject)
    check_text(filename, "file.filename")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in ALLOWED_CONTENT_TYPES:
        raise InvalidInput(
            Message(
                "evidence.content_type",
                f"type de fichier non accepté : {media_type}",
                f"file type not accepted: {media_type}",
                details={"accepted": sorted(ALLOWED_CONTENT_TYPES)},
            )
        )
    if len(content) > max_bytes:
        raise InvalidInput(
            Message(
                "evidence.too_large",
                f"fichier trop volumineux ({len(content)} octets, maximum {max_bytes})",
                f"file too large ({len(content)} bytes, maximum {max_bytes})",
            )
        )
    if not content:
        raise InvalidInput(Message("evidence.empty", "le fichier est vide", "the file is empty"))
    digest = store.put(content)
    assert subject.step is not None
    return _record(
        session,
        subject.engagement.id,
        subject.step,
        actor,
        clock,
        kind="file",
        label=label,
        sha256=digest,
        filename=filename,
        content_type=media_type,
        size_bytes=len(content),
    )


def attach_link(
    session: Session,
    *,
    engagement_id: str,
    step_key: str,
    label: str,
    url: str,
    actor: ActorRef,
    clock: Clock,
) -> EvidenceRow:
    subject = load_subject(session, engagement_id, step_key)
    _check_label(label, subject)
    check_text(url, "url")
    if not _is_web_link(url):
        raise InvalidInput(
            Message(
                "evidence.bad_url",
                f"lien invalide : « {url} » (http ou https attendu)",
                f"invalid link: '{url}' (http or https expected)",
                path="url",
            )
        )
    assert subject.step is not None
    return _record(
        session, subject.engagement.id, subject.step, actor, clock, kind="link", label=label, url=url
    )


def _is_web_link(url: str) -> bool:
    """An http(s) URL with a host, that parses (a malformed IPv6 host or port raises ValueError)."""
    try:
        parsed = urlparse(url)
        _ = parsed.port
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.hostname)


def _check_label(label: str, subject: Subject) -> None:
    if not label.strip():
        raise InvalidInput(
            Message(
                "evidence.label_required",
                "un libellé est obligatoire (ex. « note juridique »)",
                "a label is required (e.g. 'legal note')",
            )
        )
    check_text(label, "label")
    expected = expected_labels(subject)
    if not expected or label.strip().lower() in {e.lower() for e in expected}:
        return
    # A label close to one the step's guards wait for is a typo that would leave the guard failing: say so.
    close = difflib.get_close_matches(label.strip().lower(), [e.lower() for e in expected], n=1, cutoff=0.75)
    if close:
        wanted = next(e for e in expected if e.lower() == close[0])
        raise InvalidInput(
            Message(
                "evidence.label_mistyped",
                f"libellé « {label} » : vouliez-vous dire « {wanted} » ? "
                "C'est le libellé que l'étape attend.",
                f"label '{label}': did you mean '{wanted}'? That is the label the step waits for.",
                path="label",
                details={"expected": expected},
            )
        )


def expected_labels(subject: Subject) -> list[str]:
    """The labels the step's evidence guards wait for."""
    spec = subject.step_spec
    if spec is None:
        return []
    return [g.label for g in spec.compiled_guards if isinstance(g, EvidenceAttached) and g.label]


def _record(
    session: Session, engagement_id: str, step: StepRow, actor: ActorRef, clock: Clock, **fields: object
) -> EvidenceRow:

    now = clock.now()
    row = EvidenceRow(
        engagement_id=engagement_id, step_id=step.id, attached_by=actor.login, attached_at=now, **fields
    )
    session.add(row)
    append_event(
        session,
        engagement_id=engagement_id,
        step=step,
        event="evidence_attached",
        from_state=None,
        to_state=None,
        actor=actor.login,
        actor_role=next(iter(sorted(actor.roles)), None),
        at=now,
        comment=None,
        payload={k: v for k, v in fields.items() if k != "size_bytes"},
        version=None,
        topic="evidence.attached",
    )
    session.flush()
    return row


def evidence_for_step(session: Session, step_id: int) -> list[EvidenceRow]:
    return list(
        session.scalars(select(EvidenceRow).where(EvidenceRow.step_id == step_id).order_by(EvidenceRow.id))
    )


def get_evidence(session: Session, engagement_id: str, evidence_id: int) -> EvidenceRow:
    row = session.get(EvidenceRow, evidence_id)
    if row is None or row.engagement_id != engagement_id:
        raise NotFound(Message("evidence.not_found", "pièce introuvable", "evidence not found"))
    return row
