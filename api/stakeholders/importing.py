"""The all-or-nothing import of a stakeholder spreadsheet over HTTP."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Response, UploadFile
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors
from gouvernance.api.permissions import EngagementIdPath
from gouvernance.api.stakeholders.access import (
    ENGAGEMENT_PREFIX,
    TAGS,
    WriteAccess,
)
from gouvernance.api.uploads import read_upload
from gouvernance.api.writes import WritesDep
from gouvernance.stakeholders import importing

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

    def work(session: Session) -> Response:
        summary = importing.import_csv(
            session, engagement_id=engagement_id, content=content, actor=access.actor, clock=context.clock
        )
        return Response(content=_json(summary.as_dict()), media_type="application/json")

    return writes.run(access.user.login, {"file_sha": _sha(content)}, work)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=str).encode()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
