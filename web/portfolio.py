"""« Portefeuille »: the engagements the person may see, with progress per stage, totals and filters."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gouvernance.access.service import visible_engagements
from gouvernance.api.permissions import LAUNCH_ENGAGEMENT
from gouvernance.engagements.portfolio import PortfolioFilter, figures, list_engagements, stage_figures
from gouvernance.spec.catalog import model_for
from gouvernance.web.session import VisitorDep, api_context, render

router = APIRouter(include_in_schema=False)


@router.get("/portefeuille")
def portfolio(
    request: Request,
    visitor: VisitorDep,
    territoire: str = "",
    modele: str = "",
    etat: str = "",
    retard: str = "",
) -> HTMLResponse:
    context = api_context(request)
    now = context.clock.now()
    filters = PortfolioFilter(
        territory=territoire.strip() or None,
        state=etat or None,
        model_key=modele or None,
        overdue={"oui": True, "non": False}.get(retard),
    )
    with context.db.reading() as session:
        rows, total = list_engagements(
            session, now=now, visible=visible_engagements(visitor.principal), filters=filters, limit=100
        )
        ids = [row.id for row in rows]
        numbers = figures(session, ids, now=now)
        per_stage = stage_figures(session, ids)
        models = {
            (r.model_key, r.model_version): model_for(session, r.model_key, r.model_version) for r in rows
        }
    lines = []
    for row in rows:
        model = models[(row.model_key, row.model_version)]
        stages = per_stage.get(row.id, {})
        lines.append(
            {
                "row": row,
                "modele": model.title.text("fr"),
                "chiffres": numbers.get(row.id),
                "etapes": [
                    {
                        "titre": stage.title.text("fr"),
                        "total": stages.get(stage.key, (0, 0))[0],
                        "finies": stages.get(stage.key, (0, 0))[1],
                    }
                    for stage in model.stages
                ],
            }
        )
    totals = {
        "accompagnements": total,
        "en_retard": sum(1 for f in numbers.values() if f.overdue),
        "etapes_en_retard": sum(f.overdue for f in numbers.values()),
    }
    journeys = [(model.key, model.title.text("fr")) for model in context.catalog.latest()]
    return render(
        request,
        "portefeuille.html",
        {
            "lignes": lines,
            "totaux": totals,
            "filtres": {"territoire": territoire, "modele": modele, "etat": etat, "retard": retard},
            "modeles": journeys,
            "peut_lancer": bool(visitor.principal.organisation_roles & LAUNCH_ENGAGEMENT.roles),
            "etats": ["active", "suspended", "completed", "cancelled", "draft"],
        },
        visitor=visitor,
    )
