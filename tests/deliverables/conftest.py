"""Shared fixtures for deliverables: one realistic context per kind, a frozen clock, and small parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from gouvernance.clock import FrozenClock

from .budget_samples import BUDGET, BUDGET_FIRST_HEADINGS, BUDGET_KINDS
from .governance_samples import GOVERNANCE_HEADINGS, GOVERNANCE_SAMPLES

GENERATED_AT = datetime(2026, 11, 21, 13, 30, tzinfo=UTC)  # 14 h 30 in Paris

HOSTILE_NAME = "<script>alert('x')</script> Saint-Martin"

POWER_INTEREST_SVG = """<svg xmlns="http://www.w3.org/2000/svg"
    width="480" height="360" viewBox="0 0 480 360">
  <rect x="40" y="10" width="200" height="150" fill="#fef4f2" stroke="#7b7b7b"/>
  <rect x="240" y="10" width="200" height="150" fill="#e3e3fd" stroke="#7b7b7b"/>
  <rect x="40" y="160" width="200" height="150" fill="#f6f6f6" stroke="#7b7b7b"/>
  <rect x="240" y="160" width="200" height="150" fill="#e8f5e9" stroke="#7b7b7b"/>
  <text x="140" y="30" text-anchor="middle" font-size="12">Satisfaire</text>
  <text x="340" y="30" text-anchor="middle" font-size="12">Gérer étroitement</text>
  <text x="140" y="180" text-anchor="middle" font-size="12">Surveiller</text>
  <text x="340" y="180" text-anchor="middle" font-size="12">Informer</text>
  <circle cx="380" cy="70" r="7" fill="#000091"/>
  <text x="392" y="74" font-size="10">Conseil municipal</text>
  <circle cx="300" cy="230" r="7" fill="#000091"/>
  <text x="312" y="234" font-size="10">Comité de quartier</text>
  <text x="240" y="340" text-anchor="middle" font-size="12">Intérêt →</text>
  <text x="16" y="160" font-size="12" transform="rotate(-90 16 160)" text-anchor="middle">Pouvoir →</text>
</svg>"""

MAP_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 240">
  <line x1="80" y1="120" x2="200" y2="60" stroke="#7b7b7b"/>
  <line x1="200" y1="60" x2="320" y2="140" stroke="#ce0500" stroke-dasharray="4 3"/>
  <circle cx="80" cy="120" r="24" fill="#e3e3fd"/>
  <text x="80" y="124" text-anchor="middle" font-size="10">Mairie</text>
  <circle cx="200" cy="60" r="24" fill="#e3e3fd"/>
  <text x="200" y="64" text-anchor="middle" font-size="10">MJC</text>
  <circle cx="320" cy="140" r="24" fill="#e3e3fd"/>
  <text x="320" y="144" text-anchor="middle" font-size="10">Bailleur</text>
</svg>"""

COMMON: dict[str, Any] = {
    "territory": {"name": "Saint-Martin-d'Hères", "kind": "commune", "insee_code": "38421"},
    "engagement": {"reference": "ACC-2026-014", "title": "Gouvernance partagée du quartier Renaudie"},
    "author": "Claire Dupont",
    "organisation": "DiaPPason",
    "generated_at": GENERATED_AT,
    "evidence": [
        {
            "title": "Délibération du conseil municipal",
            "kind": "délibération",
            "step": "gestation",
            "date": "2026-09-14",
            "reference": "DCM-2026-087",
        },
        {
            "title": "Compte rendu de l'atelier du 3 octobre",
            "kind": "compte rendu",
            "date": date(2026, 10, 3),
        },
    ],
}

INDICATOR_DELAY = {
    "name": "Délai du premier rendez-vous RSA",
    "unit": "jours",
    "baseline": 90,
    "target": 15,
    "value": 20,
    "direction": "decrease",
    "frequency": "quarterly",
    "measured_at": "2026-10-01",
    "source": "Logiciel métier du CCAS",
}
INDICATOR_PARTICIPANTS = {
    "name": "Habitants ayant participé à au moins un atelier",
    "unit": "participants",
    "baseline": 40,
    "target": 150,
    "value": 162,
    "frequency": "yearly",
    "source": "Feuilles d'émargement",
}

SAMPLES: dict[str, dict[str, Any]] = {
    "rapport_etat_des_lieux": {
        **COMMON,
        "contexte": "Le quartier Renaudie fait l'objet d'un projet de renouvellement urbain ; les habitants "
        "demandent à être associés aux choix d'aménagement.",
        "forces_vives": [
            {
                "name": "Maison des jeunes et de la culture",
                "category": "association",
                "role": "Animation, 350 adhérents",
            },
            {
                "name": "Régie de quartier",
                "category": "entreprise",
                "role": "Insertion, entretien des espaces",
            },
            {"name": "Conseil citoyen", "category": "habitant_usager", "role": "Relais des habitants"},
        ],
        "projets_developpement": [
            {
                "title": "Rénovation du groupe scolaire",
                "porteur": "Commune",
                "status": "En études",
                "echeance": "2028-09-01",
            },
            {"title": "Jardins partagés", "porteur": "Association Les Pousses", "status": "En cours"},
        ],
        "diagnostic": {
            "besoins": ["Lieux de rencontre intergénérationnels", "Information sur le projet urbain"],
            "atouts": ["Tissu associatif dense", "Équipe municipale volontaire"],
            "points_critiques": ["Défiance envers les concertations passées"],
        },
        "stakeholders": [
            {
                "name": "Conseil municipal",
                "category": "elu",
                "power": "high",
                "interest": "high",
                "participation_level": "empower",
            },
            {
                "name": "Bailleur social",
                "category": "entreprise",
                "power": "élevé",
                "interest": "faible",
                "participation_level": "consult",
            },
            {
                "name": "Comité de quartier",
                "category": "habitant_usager",
                "quadrant": "keep_informed",
                "participation_level": "collaborate",
            },
        ],
        "power_interest_svg": POWER_INTEREST_SVG,
        "stakeholder_map_svg": MAP_SVG,
        "consultations": [
            {
                "date": "2026-10-03",
                "method": "workshop",
                "public": "Habitants",
                "participants": 34,
                "step": "état des lieux",
                "outcome": "Priorité donnée aux espaces publics",
            },
        ],
        "synthese": "Le territoire dispose de ressources associatives fortes "
        "mais d'une confiance à reconstruire.",
        "perspectives": [
            "Sécuriser le cadre juridique",
            "Formaliser le plan d'action avec le conseil citoyen",
        ],
    },
    "note_securisation_juridique": {
        **COMMON,
        "objet": "Création d'un conseil citoyen élargi et d'un budget participatif de quartier.",
        "competences": {
            "exercees": ["Politique de la ville (volet animation)", "Vie associative"],
            "transferees": [
                {"competence": "Aménagement de l'espace", "beneficiaire": "Grenoble-Alpes Métropole"}
            ],
            "analyse": "La démarche relève des compétences communales, sauf le volet aménagement.",
        },
        "participation_public": {
            "dispositifs": ["Conseil citoyen", "Budget participatif"],
            "analyse": "Conforme.",
        },
        "rgpd": {
            "traitements": [
                {
                    "finalite": "Gestion des inscriptions aux ateliers",
                    "base_legale": "public_task",
                    "donnees": ["nom", "courriel"],
                    "duree_conservation": "1 an",
                    "destinataires": "Service démocratie locale",
                }
            ],
            "dpo": "DPO mutualisé du centre de gestion",
            "aipd_requise": False,
            "analyse": "Registre à compléter avant l'ouverture des inscriptions.",
        },
        "commande_publique": {
            "achats": [
                {
                    "objet": "Plateforme de participation en ligne",
                    "montant": 18000,
                    "procedure": "Marché sans publicité ni mise en concurrence",
                }
            ]
        },
        "avis": [
            {"domaine": "Compétences", "avis": "favorable"},
            {
                "domaine": "RGPD",
                "avis": "favorable_with_reservations",
                "reserves": ["Inscrire le traitement au registre"],
            },
        ],
        "avis_global": "favorable_with_reservations",
        "conclusion": "La démarche peut être engagée.",
        "reserves": ["Mettre à jour le registre des traitements"],
    },
    "plan_action": {
        **COMMON,
        "besoins": ["Associer les habitants au projet urbain", "Coordonner les associations"],
        "objectifs": [
            {
                "title": "Réduire les délais d'accès aux droits",
                "description": "Premier rendez-vous RSA rapide.",
                "indicators": [INDICATOR_DELAY],
            },
            {"title": "Élargir la participation", "indicators": [INDICATOR_PARTICIPANTS]},
        ],
        "moyens": {
            "budget_lines": [
                {"poste": "Animation des ateliers", "montant": 12500, "financeur": "Commune"},
                {"poste": "Plateforme numérique", "montant": "18 000", "financeur": "État (ANCT)"},
            ],
            "etp": [{"role": "Chef de projet", "etp": 0.5}, {"role": "Médiatrice", "etp": 1}],
            "autres": ["Salle polyvalente Renaudie"],
        },
        "actions": [
            {
                "title": "Atelier de lancement",
                "objective": "Élargir la participation",
                "responsible": "Chef de projet",
                "echeance": "2027-01-15",
                "status": "done",
            },
            {
                "title": "Ouverture de la plateforme",
                "responsible": "DSI",
                "echeance": "2027-03-01",
                "status": "in_progress",
            },
        ],
        "suivi": {"instance": "Comité de pilotage", "frequence": "quarterly"},
    },
    "plan_formation": {
        **COMMON,
        "objectifs": ["Connaître le rôle de chacun", "Animer un atelier participatif"],
        "publics": [
            {"public": "Élus", "effectif": 12, "besoins": "Posture d'écoute"},
            {"public": "Agents d'accueil", "effectif": 25, "besoins": "Orientation des habitants"},
        ],
        "modules": [
            {
                "title": "Les fondamentaux de la gouvernance partagée",
                "public": "Élus et agents",
                "duree": 3,
                "format": "in_person",
                "intervenant": "DiaPPason",
                "date": "2027-02-10",
                "lieu": "Hôtel de ville",
                "objectifs": ["Situer la démarche"],
                "contenu": ["Échelle de la participation", "Études de cas"],
            },
            {
                "title": "Animer un atelier",
                "public": "Agents",
                "duree": "1 jour",
                "format": "hybride",
                "date": "2027-01-20",
            },
        ],
        "evaluation": ["Questionnaire à chaud", "Retour d'expérience à six mois"],
        "financement": {"budget": 4800, "sources": ["Plan de formation de la collectivité", "CNFPT"]},
    },
    "feuille_emargement": {
        **COMMON,
        "reunion": {
            "objet": "Atelier de co-construction du plan d'action",
            "date": "2026-12-05",
            "debut": "18:00",
            "fin": "20:30",
            "lieu": "Salle polyvalente Renaudie",
            "instance": "Atelier",
            "etape": "Formalisation",
            "animation": "Claire Dupont (DiaPPason)",
        },
        "participants": [
            {"name": "Amina Benali", "qualite": "Habitante", "structure": "Conseil citoyen"},
            {"name": "Jean Morel", "qualite": "Adjoint au maire", "structure": "Commune"},
        ],
        "lignes_vierges": 3,
        "responsable_traitement": "la commune de Saint-Martin-d'Hères",
        "duree_conservation": "deux ans",
    },
    "convention_partenariat": {
        **COMMON,
        "parties": [
            {
                "name": "Commune de Saint-Martin-d'Hères",
                "kind": "commune",
                "address": "111 avenue Ambroise-Croizat",
                "represented_by": "M. le Maire",
                "qualite": "Maire",
                "designation": "la Commune",
            },
            {
                "name": "Maison des jeunes et de la culture",
                "kind": "association",
                "represented_by": "Mme Laure Petit",
                "qualite": "Présidente",
                "designation": "l'Association",
            },
        ],
        "objet": "Animation des ateliers de quartier de la démarche de gouvernance partagée.",
        "objectifs": ["Associer 150 habitants", "Former 10 habitants-relais"],
        "moyens": [
            {
                "party": "Commune",
                "contributions": ["Mise à disposition de salles", "Subvention"],
                "valorisation": 15000,
            },
            {"party": "Association", "contributions": ["Deux animateurs"]},
        ],
        "obligations": [
            {"party": "La Commune", "obligations": ["Verser la subvention"]},
            {"party": "L'Association", "obligations": ["Animer six ateliers", "Remettre un bilan annuel"]},
        ],
        "financement": {"montant": 15000, "modalites": "70 % à la signature, le solde sur bilan"},
        "duree": {"start": "2027-01-01", "months": 24},
        "suivi": {
            "comite": "comité de suivi paritaire",
            "frequence": "semestrielle",
            "indicateurs": ["Nombre d'ateliers", "Nombre de participants"],
        },
        "lieu_signature": "Saint-Martin-d'Hères",
    },
    "rapport_evaluation": {
        **COMMON,
        "periode": {"start": "2027-01-01", "end": "2027-12-31"},
        "methode": "Entretiens, analyse des indicateurs et questionnaire aux participants.",
        "objectifs": [
            {"title": "Réduire les délais d'accès aux droits", "indicators": [INDICATOR_DELAY]},
            {
                "title": "Élargir la participation",
                "indicators": [
                    INDICATOR_PARTICIPANTS,
                    {"name": "Taux de satisfaction", "unit": "%", "target": 80},
                ],
            },
        ],
        "moyens_alloues": {
            "budget_prevu": 30500,
            "budget_consomme": 27450,
            "etp_prevus": 1.5,
            "etp_mobilises": 1.2,
        },
        "actions": [
            {"title": "Atelier de lancement", "status": "done", "responsible": "Chef de projet"},
            {"title": "Ouverture de la plateforme", "status": "late", "commentaire": "Retard du prestataire"},
        ],
        "effets_escomptes": [
            {"effet": "Confiance accrue", "constat": "Perceptible dans les ateliers"},
            "Coopération entre associations",
        ],
        "recommandations": ["Pérenniser le conseil citoyen", "Publier les indicateurs chaque trimestre"],
        "conclusion": "La démarche a atteint l'essentiel de ses objectifs.",
    },
    "bilan_formation": {
        **COMMON,
        "seances": [
            {
                "title": "Le rôle de l'élu dans la gouvernance partagée",
                "date": "2027-02-10",
                "public": "Élus",
                "statut": "tenue",
                "tenue": True,
                "duree": 3,
                "intervenant": "Institut Territoires (organisme agréé)",
                "inscrits": 12,
                "presents": 9,
                "absents": 3,
                "taux": "75.0",
            },
            {"title": "Animer un atelier", "date": "2027-03-02", "public": "Agents", "statut": "prévue"},
        ],
        "par_public": [{"public": "Élus", "inscrits": 12, "presents": 9, "absents": 3, "taux": "75.0"}],
        "synthese": {
            "tenues": 1,
            "prevues": 1,
            "annulees": 0,
            "taux_global": "75.0",
            "heures_stagiaires": 27,
        },
        "enseignements": ["Prévoir les séances des élus en soirée"],
    },
    "plan_communication": {
        **COMMON,
        "actions": [
            {
                "title": "Article de lancement dans le bulletin municipal",
                "public": "Tous les habitants",
                "canal": "bulletin municipal",
                "debut": "2027-02-01",
                "porteur": "Service communication",
                "statut": "prévue",
                "budget": 1200,
                "message": "La commune lance sa démarche de gouvernance partagée.",
            },
            {
                "title": "Réunion publique de lancement",
                "public": "Habitants du quartier Renaudie",
                "canal": "réunion publique",
                "debut": "2027-01-15",
                "fin": "2027-01-20",
                "porteur": "Élue référente",
                "statut": "réalisée",
            },
        ],
    },
}

SAMPLES.update({kind: {**COMMON, **BUDGET} for kind in BUDGET_KINDS})

FIRST_HEADINGS = {
    "rapport_etat_des_lieux": [
        "Objet et méthode",
        "Les forces vives du territoire",
        "Diagnostic territorial",
        "Cartographie des parties prenantes",
    ],
    "note_securisation_juridique": [
        "Compétences de la collectivité",
        "Participation du public",
        "Protection des données personnelles (RGPD)",
        "Commande publique",
        "Avis et réserves",
    ],
    "plan_action": ["Besoins identifiés", "Objectifs et indicateurs", "Moyens", "Actions"],
    "plan_formation": ["Objectifs pédagogiques", "Publics concernés", "Modules de formation", "Calendrier"],
    "feuille_emargement": ["Réunion", "Participants", "Protection des données personnelles"],
    "convention_partenariat": [
        "Entre les soussignés",
        "Préambule",
        "Article 1 – Objet de la convention",
        "Article 4 – Obligations des parties",
        "Signatures",
    ],
    "bilan_formation": ["Synthèse", "Présence par séance", "Présence par public", "Retour d'expérience"],
    "plan_communication": ["Enjeux", "Actions de communication", "Canaux", "Budget"],
    "rapport_evaluation": [
        "Objectifs visés",
        "Moyens alloués",
        "Actions menées",
        "Résultats obtenus",
        "Effets escomptés",
        "Recommandations",
    ],
}

FIRST_HEADINGS.update(BUDGET_FIRST_HEADINGS)
SAMPLES.update(GOVERNANCE_SAMPLES)
FIRST_HEADINGS.update(GOVERNANCE_HEADINGS)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(GENERATED_AT)


class ParsedHtml(HTMLParser):
    """Tags seen, text per heading, and all text: enough to check structure without a DOM library."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.text_parts: list[str] = []
        self.attributes: list[tuple[str, dict[str, str | None]]] = []
        self._heading: str | None = None
        self._heading_text: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.append((tag, dict(attrs)))
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._heading, self._heading_text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._heading_text).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._heading:
            self._heading_text.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def heading_texts(self) -> list[str]:
        return [text for _, text in self.headings]
