"""The all-or-nothing imports of spreadsheets over HTTP: the register, and the relations between its
stakeholders and the consultations of the log (stakeholders named, not numbered)."""

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import EngagementIdPath
from gouvernance.api.stakeholders.access import (
    ENGAGEMENT_PREFIX,
    TAGS,
    WriteAccess,
)
from gouvernance.api.uploads import read_upload
from gouvernance.api.writes import WritesDep
from gouvernance.stakeholders import consultations_import, importing, relations_import

router = APIRouter(prefix=ENGAGEMENT_PREFIX, tags=TAGS)


@router.post(
    "/stakeholders/import",
    summary="Importer un tableur CSV (tout ou rien)",
    responses={200: {"description": "Tout le fichier a été importé."}, **errors(404, 413, 422)},
)
def import_stakeholders(
    engagement_id: EngagementIdPath,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
    file: Annotated[UploadFile, File(description="CSV ; ou , en UTF-8 ou Windows-1252, en-têtes français.")],
) -> Response:
    content = read_upload(file, context.settings.max_evidence_bytes, code="stakeholders.import_too_large")
    with context.db.reading() as session:
        threshold = importing.threshold_for(session, engagement_id)
    checked = importing.check_csv(
        content, threshold=threshold
    )  # every row checked before the write transaction

    def work(session: Session) -> Response:
        summary = importing.import_parsed(
            session, engagement_id=engagement_id, parsed=checked, actor=access.actor, clock=context.clock
        )
        return Response(content=_json(summary.as_dict()), media_type="application/json")

    return writes.run(access.user.login, {"file_sha": _sha(content)}, work)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=str).encode()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# A fixed path under /stakeholder-relations: it comes before any route with a parameter there.
@router.post(
    "/stakeholder-relations/import",
    summary="Importer des relations d'un tableur CSV nommant les parties prenantes (tout ou rien)",
    responses={200: {"description": "Tout le fichier a été importé."}, **errors(404, 413, 422)},
)
def import_relations(
    engagement_id: EngagementIdPath,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
    file: Annotated[
        UploadFile, File(description="CSV : Source;Cible;Type;Poids, avec les noms du registre.")
    ],
) -> Response:
    content = read_upload(file, context.settings.max_evidence_bytes, code="stakeholders.import_too_large")

    def work(session: Session) -> Response:
        summary = relations_import.import_relations(
            session, engagement_id=engagement_id, content=content, actor=access.actor, clock=context.clock
        )
        return Response(content=_json(summary.as_dict()), media_type="application/json")

    return writes.run(access.user.login, {"file_sha": _sha(content), "what": "relations"}, work)


# A fixed path: it comes before /consultations/{consultation_id} (the routers' order in __init__).
@router.post(
    "/consultations/import",
    summary="Importer des consultations d'un tableur CSV nommant les parties prenantes (tout ou rien)",
    responses={200: {"description": "Tout le fichier a été importé."}, **errors(404, 413, 422)},
)
def import_consultations(
    engagement_id: EngagementIdPath,
    access: WriteAccess,
    writes: WritesDep,
    context: ContextDep,
    file: Annotated[
        UploadFile,
        File(
            description="CSV : Date;Partie prenante;Méthode;Sujet;Notes (et Étape, facultative), une ligne "
            "par partie prenante consultée, avec les noms du registre."
        ),
    ],
    step_key: Annotated[
        SafeText | None,
        Form(max_length=200, description="L'étape (clé ou titre) des lignes sans colonne « Étape »."),
    ] = None,
) -> Response:
    content = read_upload(file, context.settings.max_evidence_bytes, code="stakeholders.import_too_large")

    def work(session: Session) -> Response:
        summary = consultations_import.import_consultations(
            session,
            engagement_id=engagement_id,
            content=content,
            default_step=step_key,
            actor=access.actor,
            clock=context.clock,
        )
        return Response(content=_json(summary.as_dict()), media_type="application/json")

    request = {"file_sha": _sha(content), "what": "consultations", "step_key": step_key}
    return writes.run(access.user.login, request, work)
