"""What the stakeholder register brings to four deliverables, in the shapes documented by their builders
(``deliverables/builders/``):

- the stakeholder map (``cartographie_acteurs``): every stakeholder with its category, kind, power and
  interest, Mendelow strategy, Mitchell class and whether it was consulted; the key players; the conflicts
  with the go-betweens the map suggests; the two pictures;
- the RGPD record (``fiche_traitement_rgpd``): how many private persons, residents and contact details the
  register holds, and how many consultations — counts only, never a name or a contact;
- the participation charter (``charte_participation``): the families of actors, the consultation methods in
  use and the participation levels aimed at;
- the consultation summary (``synthese_concertation``): each consultation with its participants counted by
  category, its notes and its outcome;
- the legal memo (``note_securisation_juridique``): the processing of personal data the register makes, and
  the participation schemes in use (consultation methods, digital platform, existing bodies).

Residents registered as private persons appear as « Habitant·e n° 1 »…, never by name (``public_names``).
``documents_context`` is a deliverable context contributor: the composition root registers it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.engagements.records import EngagementRow
from gouvernance.spec.catalog import model_for
from gouvernance.spec.schema import ProcessModel
from gouvernance.stakeholders.analysis.classification import mendelow_quadrant, mitchell_class, threshold_of
from gouvernance.stakeholders.deliverable_context import public_names
from gouvernance.stakeholders.guards import coverage_requirements
from gouvernance.stakeholders.register import Register, load_register
from gouvernance.stakeholders.vocabulary import Category, StakeholderKind

KINDS = frozenset(
    {
        "cartographie_acteurs",
        "fiche_traitement_rgpd",
        "charte_participation",
        "synthese_concertation",
        "note_securisation_juridique",
    }
)


def documents_context(session: Session, engagement: EngagementRow, key: str, today: date) -> dict[str, Any]:
    if key not in KINDS:
        return {}
    if key == "fiche_traitement_rgpd":
        return {"donnees_registre": _data_held(load_register(session, engagement.id, with_contacts=True))}
    if key == "note_securisation_juridique":
        return _legal(load_register(session, engagement.id, with_contacts=True), engagement.parameters or {})
    register = load_register(session, engagement.id)
    public = dataclasses.replace(register, stakeholders=public_names(register.stakeholders))
    model = model_for(session, engagement.model_key, engagement.model_version)
    if key == "cartographie_acteurs":
        return _map(session, engagement.id, public, model, threshold_of(engagement.parameters))
    if key == "charte_participation":
        return _charter(public)
    return {"consultations": _consultations(public, model)}


def _map(
    session: Session, engagement_id: str, register: Register, model: ProcessModel, threshold: float
) -> dict[str, Any]:
    if not register.stakeholders:
        return {}
    # The analysis needs NetworkX: imported when a map is drawn, not when the API starts (cold start).
    from gouvernance.stakeholders.analysis.graph import build_graph
    from gouvernance.stakeholders.analysis.overview import analyse
    from gouvernance.stakeholders.reports import pictures

    consulted = Counter(key for c in register.consultations for key in c.stakeholder_ids)
    analysis = analyse(
        build_graph(register.stakeholders, register.relations, threshold=threshold),
        register.consultations,
        coverage_requirements(model),
    )
    drawn = pictures(session, engagement_id, register=register)
    return {
        "acteurs": [
            {
                "name": s.name,
                "category": s.category.fr,
                "kind": s.kind.fr,
                "power": s.power,
                "interest": s.interest,
                "quadrant": mendelow_quadrant(s.power, s.interest, threshold).fr,
                "mitchell_class": mitchell_class(s.salience).fr,
                "consultations": consulted.get(s.id, 0),
            }
            for s in register.stakeholders
        ],
        "acteurs_cles": [
            {
                "name": profile.party.name,
                "quadrant": profile.quadrant.fr,
                "mitchell_class": profile.salience_class.fr,
                "consulted": consulted.get(profile.party.id, 0) > 0,
            }
            for profile in analysis.key_players
        ],
        "conflits": [
            {
                "first": pair.first.name,
                "second": pair.second.name,
                "weight": pair.weight,
                "mediators": [mediator.party.name for mediator in pair.mediators],
            }
            for pair in analysis.conflicts
        ],
        "relations": len(register.relations),
        "power_interest_svg": drawn.power_interest_svg,
        "stakeholder_map_svg": drawn.stakeholder_map_svg,
    }


def _data_held(register: Register) -> dict[str, Any]:
    persons = [s for s in register.stakeholders if s.kind is StakeholderKind.personne]
    contacts = [s.contact for s in register.stakeholders if s.contact is not None]
    return {
        "parties_prenantes": len(register.stakeholders),
        "organisations": len(register.stakeholders) - len(persons),
        "personnes": len(persons),
        "habitants": sum(1 for s in persons if s.category is Category.habitant_usager),
        "categories_personnes": sorted({s.category.fr for s in persons}),
        "courriels": sum(1 for c in contacts if c.email),
        "telephones": sum(1 for c in contacts if c.phone),
        "consultations": len(register.consultations),
        "participations": sum(len(c.stakeholder_ids) for c in register.consultations),
    }


def _charter(register: Register) -> dict[str, Any]:
    if not register.stakeholders:
        return {}
    categories = Counter(s.category for s in register.stakeholders)
    methods = Counter(c.format for c in register.consultations)
    levels = Counter(s.target_level for s in register.stakeholders if s.target_level is not None)
    return {
        "categories_acteurs": [
            {"category": category.fr, "count": categories[category]}
            for category in Category
            if categories[category]
        ],
        "modalites": [{"method": method.fr, "count": count} for method, count in methods.most_common()],
        "niveaux_participation": [
            {"level": level.fr, "count": count} for level, count in levels.most_common()
        ],
    }


def _consultations(register: Register, model: ProcessModel) -> list[dict[str, Any]]:
    by_key = {s.id: s for s in register.stakeholders}
    entries = []
    for consultation in sorted(register.consultations, key=lambda c: (c.date, int(c.id))):
        heard = Counter(by_key[key].category for key in consultation.stakeholder_ids if key in by_key)
        step = model.steps_by_key.get(consultation.step_key or "")
        stage = model.stages_by_key.get(consultation.stage_key or "")
        entries.append(
            {
                "id": int(consultation.id),
                "date": consultation.date,
                "method": consultation.format.fr,
                "step_key": consultation.step_key or "",
                "step": step.title.fr if step is not None else consultation.step_key or "",
                "stage": stage.title.fr if stage is not None else "",
                "participants": len(consultation.stakeholder_ids),
                "by_category": [
                    {"category": category.fr, "count": heard[category]}
                    for category in Category
                    if heard[category]
                ],
                "notes": consultation.summary,
                "outcome": consultation.outcome,
            }
        )
    return entries


def _legal(register: Register, parameters: dict[str, Any]) -> dict[str, Any]:
    schemes = [
        f"{method.fr.capitalize()} ({count} temps organisé{'s' if count > 1 else ''})"
        for method, count in Counter(c.format for c in register.consultations).most_common()
    ]
    if parameters.get("avec_plateforme_numerique") is True:
        schemes.append("Plateforme numérique de participation")
    if parameters.get("instances_participatives_existantes") is True:
        schemes.append("Instances participatives existantes, associées à la démarche")
    context: dict[str, Any] = {"participation_public": {"dispositifs": schemes}} if schemes else {}
    if register.stakeholders:
        held = _data_held(register)
        context["rgpd"] = {
            "traitements": [
                {
                    "finalite": "Registre des parties prenantes et journal des consultations "
                    f"({held['parties_prenantes']} parties prenantes, dont {held['personnes']} personnes "
                    "physiques)",
                    "base_legale": "public_task",
                    "donnees": "identité, catégorie d'acteur, appréciations (pouvoir, intérêt, attitude), "
                    f"coordonnées ({held['courriels']} courriels, {held['telephones']} téléphones), "
                    "participation aux consultations",
                    "duree_conservation": "non paramétrée dans l'application : à fixer avec le DPO",
                    "destinataires": "agents habilités, élu·e référent·e, cabinet d'accompagnement",
                }
            ]
        }
    return context
