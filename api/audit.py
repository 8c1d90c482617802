"""An engagement's verifiable register: is its chain intact, and where it is not."""

from fastapi import APIRouter
from pydantic import BaseModel

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.permissions import EngagementIdPath, TimelineAccess
from gouvernance.audit.service import verify_engagement


class AuditAnomaly(BaseModel):
    code: str
    message: str
    seq: int | None
    kind: str | None
    ref_id: int | None
    fields: list[str]


class AuditHead(BaseModel):
    seq: int
    hash: str | None


class AuditReport(BaseModel):
    engagement_id: str
    ok: bool
    entries: int
    head: AuditHead
    anomalies: list[AuditAnomaly]


router = APIRouter(prefix="/engagements/{engagement_id}/audit", tags=["Chronologie"])


@router.get("", summary="Vérification de la chaîne d'empreintes (registre vérifiable)")
def get_audit(engagement_id: EngagementIdPath, access: TimelineAccess, context: ContextDep) -> AuditReport:
    """Chaque événement, décision et consultation de l'accompagnement est chaîné ; toute modification,
    insertion, suppression ou réordonnancement est signalé avec son emplacement (numéro, nature et identifiant
    de l'entrée, ce qui diffère)."""
    report = verify_engagement(context.db, engagement_id)
    return AuditReport.model_validate(report.as_dict())
