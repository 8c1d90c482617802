"""« Portefeuille »: the engagements the person may see, with progress per stage, totals and filters."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gouvernance.access.service import visible_engagements
from gouvernance.api.permissions import LAUNCH_ENGAGEMENT
from gouvernance.engagements.portfolio import (
    PortfolioFilter,
    figures,
    late_totals,
    list_engagements,
    stage_figures,
)
from gouvernance.spec.catalog import model_for
from gouvernance.web.session import VisitorDep, api_context, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@router.get("/portefeuille")
def portfolio(
    request: Request,
    visitor: VisitorDep,
    territoire: str = "",
    modele: str = "",
    etat: str = "",
    retard: str = "",
    page: str = "1",
) -> HTMLResponse:
    context = api_context(request)
    now = context.clock.now()
    filters = PortfolioFilter(
        territory=territoire.strip() or None,
        state=etat or None,
        model_key=modele or None,
        overdue={"oui": True, "non": False}.get(retard),
    )
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    visible = visible_engagements(visitor.principal)
    with context.db.reading() as session:
        rows, total = list_engagements(
            session,
            now=now,
            visible=visible,
            filters=filters,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        late_engagements, late_steps = late_totals(session, now=now, visible=visible, filters=filters)
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
    totals = {"accompagnements": total, "en_retard": late_engagements, "etapes_en_retard": late_steps}
    chosen = {"territoire": territoire, "modele": modele, "etat": etat, "retard": retard}

    def page_link(target: int) -> str:
        return "/portefeuille?" + urlencode({**{k: v for k, v in chosen.items() if v}, "page": target})

    pages = {
        "premier": (number - 1) * PAGE_SIZE + 1 if rows else 0,
        "dernier": (number - 1) * PAGE_SIZE + len(rows),
        "precedente": page_link(number - 1) if number > 1 else None,
        "suivante": page_link(number + 1) if number * PAGE_SIZE < total else None,
    }
    journeys = [(model.key, model.title.text("fr")) for model in context.catalog.latest()]
    return render(
        request,
        "portefeuille.html",
        {
            "lignes": lines,
            "totaux": totals,
            "filtres": chosen,
            "pages": pages,
            "modeles": journeys,
            "peut_lancer": bool(visitor.principal.organisation_roles & LAUNCH_ENGAGEMENT.roles),
            "etats": ["active", "suspended", "completed", "cancelled", "draft"],
        },
        visitor=visitor,
    )
