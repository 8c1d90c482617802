"""What the training sessions bring to the deliverables, in the shapes documented by their builders:

- the plan de formation (``plan_formation``): one module per session (public, objectives, duration, trainer
  and whether it is an organisme agréé, date, place), the audiences with the number of people expected, the
  DIF financing where there is some;
- the feuilles d'émargement (``feuille_emargement``): one sheet per session that is not cancelled, listing its
  expected attendees with a signature column;
- the bilan des formations (``bilan_formation``): sessions held, planned and cancelled, attendance per session
  and per audience.

Registered by the composition root (``gouvernance.composition``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow
from gouvernance.messages import plural
from gouvernance.training.service import Audience, SessionStatus
from gouvernance.training.views import Attendance, SessionView, training_review, training_views

KINDS = frozenset({"plan_formation", "feuille_emargement", "bilan_formation"})


def training_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key not in KINDS:
        return {}
    if key == "bilan_formation":
        return _review(session, engagement.id)
    views = training_views(session, engagement.id)
    if key == "feuille_emargement":
        return {
            "seances": [_sheet(view) for view in views if view.session.status != SessionStatus.ANNULEE.value],
            "responsable_traitement": engagement.territory_name,
        }
    return _plan(views)


def _plan(views: list[SessionView]) -> dict[str, Any]:
    planned = [view for view in views if view.session.status != SessionStatus.ANNULEE.value]
    objectives = list(dict.fromkeys(item for view in planned for item in view.session.objectives))
    audiences: dict[Audience, set[str]] = {}
    for view in planned:
        names = audiences.setdefault(Audience(view.session.audience), set())
        names.update(attendee.name for attendee in view.attendees)
    dif = [view for view in planned if view.session.dif_funded]
    return {
        "objectifs": objectives or ["aucun objectif pédagogique enregistré pour les séances"],
        "publics": [
            {
                "public": audience.label.capitalize(),
                "effectif": len(names) if names else "aucune personne inscrite",
                "besoins": "non renseignés (séances : "
                + ", ".join(view.session.title for view in planned if view.session.audience == audience.value)
                + ")",
            }
            for audience, names in sorted(audiences.items(), key=lambda item: list(Audience).index(item[0]))
        ],
        "modules": [_module(view) for view in planned],
        "evaluation": [
            "Émargement de chaque séance (feuilles d'émargement signées jointes à l'étape)",
            "Taux de présence par séance et par public, repris dans le bilan des formations",
        ],
        "financement": {
            "budget": "budget non renseigné dans la démarche",
            "sources": [
                f"Droit individuel à la formation des élus (DIFE) : {plural(len(dif), 'séance')}, dispensée"
                f"{'s' if len(dif) > 1 else ''} par un organisme agréé"
            ]
            if dif
            else ["aucun financement enregistré pour les séances"],
        },
    }


def _trainer(view: SessionView) -> str:
    row = view.session
    return f"{row.trainer} (organisme agréé)" if row.trainer_approved else row.trainer


def _module(view: SessionView) -> dict[str, Any]:
    row = view.session
    return {
        "title": row.title,
        "public": Audience(row.audience).label.capitalize(),
        "objectifs": row.objectives or ["aucun objectif pédagogique enregistré"],
        "duree": str(row.duration_hours),
        "intervenant": _trainer(view),
        "date": row.held_on.isoformat(),
        "lieu": row.place or "lieu non fixé",
        "statut": SessionStatus(row.status).label,
    }


def _sheet(view: SessionView) -> dict[str, Any]:
    row = view.session
    return {
        "objet": row.title,
        "date": row.held_on.isoformat(),
        "duree": str(row.duration_hours),
        "lieu": row.place or "lieu non fixé",
        "animation": _trainer(view),
        "public": Audience(row.audience).label.capitalize(),
        "participants": [
            {"name": person.name, "qualite": person.quality, "structure": person.organisation}
            for person in view.attendees
        ],
    }


def _rate(attendance: Attendance) -> dict[str, Any]:
    return {
        "inscrits": attendance.expected,
        "presents": attendance.present,
        "absents": attendance.absent,
        "taux": str(attendance.rate) if attendance.rate is not None else None,
    }


def _review(session: Session, engagement_id: str) -> dict[str, Any]:
    review = training_review(session, engagement_id)
    overall = review.overall
    return {
        "seances": [
            {
                "title": view.session.title,
                "date": view.session.held_on.isoformat(),
                "public": Audience(view.session.audience).label.capitalize(),
                "statut": SessionStatus(view.session.status).label,
                "tenue": view.session.status == SessionStatus.TENUE.value,
                "duree": str(view.session.duration_hours),
                "intervenant": _trainer(view),
                **_rate(view.attendance),
            }
            for view in review.sessions
        ],
        "par_public": [
            {"public": audience.label.capitalize(), **_rate(attendance)}
            for audience, attendance in review.by_audience.items()
        ],
        "synthese": {
            "tenues": review.held,
            "prevues": review.planned,
            "annulees": review.cancelled,
            "taux_global": str(overall.rate) if overall.rate is not None else None,
            "heures_stagiaires": str(review.trainee_hours.quantize(Decimal("0.1"))),
        },
    }
