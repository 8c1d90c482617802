"""Sample contexts for the shared-governance deliverables (cartographie, RGPD record, indicator framework,
draft resolution, charter, consultation summary), in the shapes their contributors produce."""

from __future__ import annotations

from typing import Any

COMMON: dict[str, Any] = {
    "territory": {"name": "Saint-Martin-d'Hères", "kind": "commune", "insee_code": "38421"},
    "engagement": {"reference": "ACC-2026-014", "title": "Gouvernance partagée du quartier Renaudie"},
    "author": "Claire Dupont",
    "organisation": "DiaPPason",
    "generated_at": "2026-11-21T13:30:00+00:00",
    "parameters": {
        "population": 38_000,
        "perimetre": "commune",
        "instances_participatives_existantes": True,
        "avec_plateforme_numerique": False,
    },
}

OBJECTIVE = {
    "title": "Rapprocher le CCAS des habitants",
    "description": "Réduire les délais d'accès aux droits.",
    "version": 2,
    "approved_by": ["elu"],
    "approvals": [
        {"role": "chef_de_projet", "login": "julien.robert", "version": 1, "date": "2026-03-02"},
        {"role": "elu", "login": "sophie.bernard", "version": 2, "date": "2026-04-10"},
    ],
    "indicators": [
        {
            "name": "Délai du premier rendez-vous RSA",
            "unit": "jours",
            "baseline": 90,
            "baseline_on": "2027-03-01",
            "target": 15,
            "deadline": "2028-03-01",
            "direction": "decrease",
            "frequency": "quarterly",
            "source": "Logiciel métier du CCAS",
            "public": True,
            "value": None,
            "measured_at": None,
        },
        {
            "name": "Habitants reçus en permanence",
            "unit": "personnes",
            "baseline": 40,
            "baseline_on": "2026-03-01",
            "target": 120,
            "deadline": "2027-03-01",
            "direction": "increase",
            "frequency": "monthly",
            "source": "Registre des permanences",
            "public": False,
            "value": 85,
            "measured_at": "2026-10-01",
        },
    ],
}

CONSULTATION = {
    "id": 7,
    "date": "2026-10-03",
    "method": "atelier",
    "step": "Atelier citoyen de co-construction",
    "stage": "Animation des réseaux de proximité",
    "participants": 12,
    "by_category": [{"category": "habitant/usager", "count": 9}, {"category": "association", "count": 3}],
    "notes": "Les habitants demandent une permanence le samedi matin à la Maison de quartier.",
    "outcome": "Permanence du samedi à l'essai dès janvier.",
}

GOVERNANCE_SAMPLES: dict[str, dict[str, Any]] = {
    "cartographie_acteurs": {
        **COMMON,
        "acteurs": [
            {
                "name": "MJC Renaudie",
                "category": "association",
                "kind": "organisation",
                "power": 4,
                "interest": 5,
                "quadrant": "gérer étroitement",
                "mitchell_class": "définitive",
                "consultations": 2,
            },
            {
                "name": "Bailleur Alpes Habitat",
                "category": "entreprise",
                "kind": "organisation",
                "power": 4,
                "interest": 2,
                "quadrant": "satisfaire",
                "mitchell_class": "dominante",
                "consultations": 0,
            },
        ],
        "acteurs_cles": [
            {
                "name": "MJC Renaudie",
                "quadrant": "gérer étroitement",
                "mitchell_class": "définitive",
                "consulted": True,
            },
            {
                "name": "Conseil citoyen",
                "quadrant": "gérer étroitement",
                "mitchell_class": "dominante",
                "consulted": False,
            },
        ],
        "conflits": [
            {
                "first": "Bailleur Alpes Habitat",
                "second": "Amicale des locataires",
                "weight": 3,
                "mediators": ["MJC Renaudie"],
            }
        ],
        "relations": 4,
    },
    "fiche_traitement_rgpd": {
        **COMMON,
        "donnees_registre": {
            "parties_prenantes": 31,
            "organisations": 26,
            "personnes": 5,
            "habitants": 1,
            "categories_personnes": ["élu", "habitant/usager"],
            "courriels": 4,
            "telephones": 3,
            "consultations": 15,
            "participations": 54,
        },
    },
    "referentiel_indicateurs": {**COMMON, "referentiel": [OBJECTIVE]},
    "projet_deliberation": {
        **COMMON,
        "referentiel": [OBJECTIVE],
        "decisions": [
            {
                "number": "COPIL-2026-03",
                "title": "Avis favorable sur le plan d'action",
                "date": "2026-07-24",
                "body": "copil",
                "body_label": "comité de pilotage",
                "step_key": "seminaire_elus",
            },
            {
                "number": "2025-112",
                "title": "Création du conseil citoyen Renaudie",
                "date": "2025-11-20",
                "body": "conseil_municipal",
                "body_label": "conseil municipal",
                "legal_basis": "la loi n° 2014-173 du 21 février 2014 de programmation pour la ville",
                "step_key": "",
            },
        ],
    },
    "charte_participation": {
        **COMMON,
        "categories_acteurs": [
            {"category": "habitant/usager", "count": 6},
            {"category": "association", "count": 5},
        ],
        "modalites": [{"method": "atelier", "count": 6}, {"method": "réunion publique", "count": 1}],
        "niveaux_participation": [{"level": "consulter", "count": 12}, {"level": "habiliter", "count": 1}],
        "referentiel": [OBJECTIVE],
    },
    "synthese_concertation": {
        **COMMON,
        "consultations": [CONSULTATION],
        "constats": [
            {
                "kind": "besoin",
                "title": "Une permanence le samedi",
                "detail": "Pour les actifs.",
                "consultation_ids": [7],
            },
            {"kind": "atout", "title": "Une MJC très fréquentée", "consultation_ids": [99]},
        ],
    },
}

GOVERNANCE_HEADINGS: dict[str, list[str]] = {
    "cartographie_acteurs": [
        "Carte des parties prenantes",
        "Registre des parties prenantes",
        "Acteurs clés",
        "Conflits et médiateurs pressentis",
    ],
    "fiche_traitement_rgpd": [
        "Identification du traitement",
        "Finalités et base légale",
        "Personnes concernées et données traitées",
        "Destinataires",
        "Durée de conservation",
        "Mesures de sécurité",
        "Droits des personnes",
    ],
    "referentiel_indicateurs": [
        "Objet du référentiel",
        "Objectif 1 : Rapprocher le CCAS des habitants",
        "Validations par les acteurs locaux",
    ],
    "projet_deliberation": ["Objet", "Note de synthèse", "Délibération", "Résultat du vote"],
    "charte_participation": [
        "Préambule",
        "Nos valeurs",
        "Qui participe",
        "Comment participer",
        "Les rôles de chacun",
        "Les règles du jeu",
        "Le retour aux habitants",
        "L'évaluation",
    ],
    "synthese_concertation": ["Objet de la synthèse", "Les temps de concertation", "Ce qui a été dit"],
}
