"""Evidence: attach a file (multipart, size-limited, content checked against its declared type) or a link
to a step, and download it."""

import hashlib
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Response, UploadFile
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import AttachAccess, EngagementIdPath, EvidenceAccess
from gouvernance.api.steps import EvidenceOut, StepKeyPath, evidence_out
from gouvernance.api.uploads import read_upload
from gouvernance.api.writes import WritesDep
from gouvernance.engagements.subject import load_subject
from gouvernance.errors import InvalidInput, Message, NotFound
from gouvernance.evidence.records import EvidenceRow
from gouvernance.evidence.service import attach_file, attach_link, get_evidence

router = APIRouter(prefix="/engagements/{engagement_id}/steps/{step_key}/evidence", tags=["Pièces"])

_OFFICE_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# What a file of each binary type starts with. Text types must be valid UTF-8.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _OFFICE_ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _OFFICE_ZIP,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _OFFICE_ZIP,
    "application/vnd.oasis.opendocument.text": _OFFICE_ZIP,
    "application/vnd.oasis.opendocument.spreadsheet": _OFFICE_ZIP,
    "application/vnd.oasis.opendocument.presentation": _OFFICE_ZIP,
    "application/msword": _OLE,
    "application/vnd.ms-excel": _OLE,
}
_TEXT_TYPES = frozenset({"text/plain", "text/csv", "text/markdown", "image/svg+xml"})


def check_content(content_type: str, content: bytes) -> None:
    """Refuses a file whose bytes do not look like its declared type (a renamed executable, say)."""
    media_type = content_type.split(";")[0].strip().lower()
    signatures = _SIGNATURES.get(media_type)
    if signatures is not None:
        looks_right = content.startswith(signatures)
    elif media_type in _TEXT_TYPES:
        try:
            content.decode("utf-8")
            looks_right = b"\x00" not in content
        except UnicodeDecodeError:
            looks_right = False
    else:
        return  # an unknown type: the domain refuses it with the list of accepted types
    if not looks_right:
        raise InvalidInput(
            Message(
                "evidence.content_mismatch",
                f"le contenu du fichier ne correspond pas à son type déclaré ({media_type})",
                f"the file's content does not match its declared type ({media_type})",
                path="file",
            )
        )


def _exactly_one_of_file_or_url() -> InvalidInput:
    return InvalidInput(
        Message(
            "evidence.one_of",
            "joignez soit un fichier (file), soit un lien (url), pas les deux",
            "attach either a file (file) or a link (url), not both",
            path="file",
        )
    )


@router.post(
    "",
    status_code=201,
    summary="Joindre une pièce à une étape : un fichier (multipart) ou un lien",
    description="Exactement l'un de `file` ou `url` est obligatoire : les deux, ou aucun → 422 "
    "`evidence.one_of`.",
    response_model=EvidenceOut,
    responses={
        201: {
            "description": "Pièce jointe.",
            "headers": {"Location": {"description": "Où la télécharger.", "schema": {"type": "string"}}},
        },
        **errors(404, 413, 415, 422),
    },
)
def attach_evidence(
    engagement_id: EngagementIdPath,
    step_key: StepKeyPath,
    access: AttachAccess,
    writes: WritesDep,
    context: ContextDep,
    label: Annotated[
        SafeText, Form(min_length=1, max_length=200, description="ex. « compte rendu de cadrage »")
    ],
    file: Annotated[
        UploadFile | None,
        File(
            description="Le fichier (PDF, ODT, DOCX, PNG, texte…). Lui ou `url` : l'un des deux "
            "est obligatoire."
        ),
    ] = None,
    url: Annotated[
        SafeText | None,
        Form(
            max_length=2000,
            description="Un lien http(s), au lieu d'un fichier. Lui ou `file` : l'un des deux "
            "est obligatoire.",
        ),
    ] = None,
) -> Response:
    if (file is None) == (url is None):
        raise _exactly_one_of_file_or_url()
    limit = context.settings.max_evidence_bytes
    content = b""
    if file is not None:
        content = read_upload(file, limit, code="evidence.too_large")
        check_content(file.content_type or "application/octet-stream", content)
    request = {
        "label": label,
        "url": url,
        "filename": file.filename if file else None,
        "content_type": file.content_type if file else None,
        "sha256": hashlib.sha256(content).hexdigest() if file else None,
    }

    def work(session: Session) -> Response:
        if file is not None:
            row = attach_file(
                session,
                engagement_id=engagement_id,
                step_key=step_key,
                label=label,
                filename=(file.filename or "piece")[:255],
                content=content,
                content_type=file.content_type or "application/octet-stream",
                actor=access.actor,
                store=context.store,
                clock=context.clock,
                max_bytes=limit,
            )
        else:
            assert url is not None
            row = attach_link(
                session,
                engagement_id=engagement_id,
                step_key=step_key,
                label=label,
                url=url,
                actor=access.actor,
                clock=context.clock,
            )
        out = evidence_out(row, engagement_id, step_key)
        return json_response(out, 201, {"Location": out.download})

    return writes.run(access.user.login, request, work)


def _evidence_of_step(session: Session, engagement_id: str, step_key: str, evidence_id: int) -> EvidenceRow:
    subject = load_subject(session, engagement_id, step_key)
    row = get_evidence(session, engagement_id, evidence_id)
    if subject.step is None or row.step_id != subject.step.id:
        raise NotFound(Message("evidence.not_found", "pièce introuvable", "evidence not found"))
    return row


@router.get(
    "/{evidence_id}",
    summary="Télécharger une pièce (un lien est renvoyé en JSON)",
    responses={
        200: {
            "description": "Le fichier tel qu'il a été joint, ou la description d'un lien.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/EvidenceOut"}},
                "*/*": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **errors(404),
    },
    response_class=Response,
)
def download_evidence(
    engagement_id: EngagementIdPath,
    step_key: StepKeyPath,
    evidence_id: Annotated[int, Path(ge=1, le=2**53, description="Identifiant de la pièce.")],
    access: EvidenceAccess,
    context: ContextDep,
) -> Response:
    with context.db.reading() as session:
        row = _evidence_of_step(session, engagement_id, step_key, evidence_id)
    if row.kind != "file" or row.sha256 is None:
        return json_response(evidence_out(row, engagement_id, step_key))
    if not context.store.exists(row.sha256):
        raise NotFound(
            Message("evidence.content_missing", "contenu de la pièce introuvable", "evidence content missing")
        )
    filename = quote(row.filename or f"piece-{row.id}")
    return Response(
        context.store.get(row.sha256),
        media_type=row.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{filename}",
            "X-Content-Type-Options": "nosniff",
        },
    )
