"""« Registre public »: the public record of an engagement its organisation made public, as a page anyone
may read without signing in. It reads exactly what the JSON route reads (``record.engagement_record``):
progress by stage, public decisions, public indicators and their measurements, the verifiable record's heads;
it links to the Atom feed, the open-data package and the JSON. Not public, or unknown: the same 404."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gouvernance.errors import NotFound
from gouvernance.publication import record
from gouvernance.web.french import NNBSP, long_date
from gouvernance.web.session import api_context, render

router = APIRouter(include_in_schema=False)

STAGE_STATUS_FR = {"not_started": "pas commencée", "in_progress": "en cours", "complete": "terminée"}
LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT = 300, 340, 28


@router.get("/registre-public/{engagement_id}")
def public_record_page(request: Request, engagement_id: str) -> HTMLResponse:
    context = api_context(request)
    now = context.clock.now()
    try:
        with context.db.reading() as session:
            data = record.engagement_record(
                session,
                engagement_id,
                now=now,
                as_of=now.astimezone(context.settings.tz).date(),
                tz=context.clock.tz,
            )
    except NotFound as error:
        return render(
            request,
            "probleme.html",
            {"titre": "Page introuvable", "message": error.message.fr, "retour": None},
            status=404,
        )
    json_path = f"/public/engagements/{engagement_id}"
    return render(
        request,
        "registre_public.html",
        {
            "r": data,
            "phases": stage_bars(data["stages"]),
            "statut_phase": lambda status: STAGE_STATUS_FR.get(status, status),
            "valeur": value,
            "jour": lambda iso: long_date(date.fromisoformat(iso)),
            "liens": {
                "json": json_path,
                "tetes": f"{json_path}/chain-heads",
                "atom": f"{json_path}/decisions.atom",
                "zip": f"{json_path}/open-data.zip",
            },
        },
    )


def stage_bars(stages: list[dict[str, Any]]) -> dict[str, Any]:
    """Positions for the SVG progress bars: one row per stage, its finished part filled in."""
    rows = [
        {
            "titre": stage["titre"],
            "y": 10 + index * ROW_HEIGHT,
            "fait": round(BAR_WIDTH * stage["avancement_pct"] / 100, 1),
            "pourcent": stage["avancement_pct"],
        }
        for index, stage in enumerate(stages)
    ]
    return {
        "lignes": rows,
        "x": LABEL_WIDTH + 10,
        "barre": BAR_WIDTH,
        "largeur": LABEL_WIDTH + BAR_WIDTH + 70,
        "hauteur": 20 + len(rows) * ROW_HEIGHT,
    }


def value(number: float | int | None, unit: str = "") -> str:
    """« 12 », « 12,5 », « 1 250 % »: French decimals, a narrow no-break space before the unit."""
    if number is None:
        return "—"
    text = f"{number:,.2f}".rstrip("0").rstrip(".") if number != int(number) else f"{int(number):,}"
    text = text.replace(",", NNBSP).replace(".", ",")
    return f"{text}{NNBSP}{unit}" if unit else text
