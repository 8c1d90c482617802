"""A participatory budget's context, as ``gouvernance.budget.deliverable_context`` gives it, for the seven
budget deliverables: five proposals (one irrecevable, one non faisable, three put to the vote) and a closed
vote whose figures are worked out by hand in ``test_budget_builders``."""

from __future__ import annotations

from typing import Any

BUDGET_KINDS = (
    "reglement_budget_participatif",
    "catalogue_idees",
    "rapport_analyse",
    "liste_projets_vote",
    "resultats_vote",
    "tableau_suivi_realisation",
    "bilan_budget_participatif",
)


def proposal(number: int, title: str, district: str, cost: str | None, status: str, **extra: Any) -> dict:
    return {
        "number": number,
        "title": title,
        "description": f"Description de l'idée {number}.",
        "district": district,
        "estimated_cost": cost,
        "status": status,
        "reason": extra.get("reason", ""),
        "votes": extra.get("votes", {}),
    }


# Envelope 50 000 €: the skatepark (700 voix, 30 000 €) wins and leaves 20 000 €; the bancs (500, 25 000 €)
# no longer fit; the fontaine (300, 8 000 €) does, leaving 12 000 €.
BUDGET: dict[str, Any] = {
    "parameters": {
        "population": 12_000,
        "perimetre": "commune",
        "enveloppe_eur": 50_000,
        "plafond_projet_eur": 30_000,
        "numero_edition": 2,
        "avec_plateforme_numerique": True,
    },
    "budget": {
        "as_of": "2027-03-12",
        "proposals": [
            proposal(
                1,
                "Skatepark du parc Jean-Moulin",
                "Renaudie",
                "30000",
                "realisee",
                votes={"en_ligne": 450, "urne": 250},
            ),
            proposal(
                2,
                "Bancs et ombrières place du marché",
                "Centre",
                "25000",
                "non_retenue",
                votes={"en_ligne": 400, "urne": 100},
            ),
            proposal(
                3,
                "Fontaine à eau au stade",
                "Renaudie",
                "8000",
                "laureate",
                votes={"en_ligne": 100, "urne": 200},
            ),
            proposal(
                4,
                "Embauche d'un médiateur",
                "Centre",
                None,
                "irrecevable",
                reason="dépense de fonctionnement",
            ),
            proposal(
                5,
                "Passerelle sur l'Isère",
                "",
                "35000",
                "non_faisable",
                reason="coût au-delà du plafond ; ouvrage de la métropole",
            ),
        ],
        "vote": {
            "closed_on": "2027-02-20T18:00:00+00:00",
            "envelope": "50000",
            "results": [
                {
                    "number": 1,
                    "title": "Skatepark du parc Jean-Moulin",
                    "cost": "30000",
                    "votes": 700,
                    "by_channel": {"en_ligne": 450, "urne": 250},
                    "won": True,
                },
                {
                    "number": 2,
                    "title": "Bancs et ombrières place du marché",
                    "cost": "25000",
                    "votes": 500,
                    "by_channel": {"en_ligne": 400, "urne": 100},
                    "won": False,
                },
                {
                    "number": 3,
                    "title": "Fontaine à eau au stade",
                    "cost": "8000",
                    "votes": 300,
                    "by_channel": {"en_ligne": 100, "urne": 200},
                    "won": True,
                },
            ],
        },
        "calendar": [
            {
                "stage": "Cadrage et règlement",
                "step": "Rédaction du règlement",
                "due": "2026-10-02T16:00:00+00:00",
            },
            {"stage": "Vote citoyen", "step": "Vote des habitants", "due": "2027-02-19T16:00:00+00:00"},
            {"stage": "Vote citoyen", "step": "Forum des projets", "due": None},
        ],
    },
}

BUDGET_FIRST_HEADINGS = {
    "reglement_budget_participatif": [
        "Article 1 – Objet et enveloppe",
        "Article 2 – Qui peut déposer et voter",
        "Article 3 – Critères de recevabilité",
        "Article 4 – Calendrier",
        "Article 5 – Modalités de dépôt et de vote",
    ],
    "catalogue_idees": ["Synthèse", "Idées par quartier"],
    "rapport_analyse": ["Méthode", "Synthèse", "Recevabilité", "Faisabilité et chiffrage"],
    "liste_projets_vote": ["Projets soumis au vote", "Modalités du vote"],
    "resultats_vote": ["Synthèse", "Voix par projet et par canal", "Projets lauréats et enveloppe"],
    "tableau_suivi_realisation": ["Projets lauréats"],
    "bilan_budget_participatif": [
        "L'édition en bref",
        "Idées et projets",
        "Participation au vote",
        "Enveloppe et réalisation",
        "Enseignements",
    ],
}
