"""French labels for the vocabulary that appears in deliverables (one vocabulary, mapped to its French text).

Keys are the English identifiers used by the engine; French spellings of the same values are accepted too,
so a context written by hand ("élevé", "atelier") reads as well as one produced by the engine.
"""

from __future__ import annotations

import re
import unicodedata

STAKEHOLDER_CATEGORIES = {
    "habitant_usager": "Habitant / usager",
    "habitant": "Habitant / usager",
    "usager": "Habitant / usager",
    "citoyen": "Habitant / usager",
    "association": "Association",
    "entreprise": "Entreprise",
    "agent_territorial": "Agent territorial",
    "agent": "Agent territorial",
    "elu": "Élu",
    "partenaire_institutionnel": "Partenaire institutionnel",
    "organisation_syndicale": "Organisation syndicale",
    "syndicat": "Organisation syndicale",
    "autre": "Autre",
}

MENDELOW_QUADRANTS = {
    "manage_closely": "Gérer étroitement",
    "gerer_etroitement": "Gérer étroitement",
    "keep_satisfied": "Satisfaire",
    "satisfaire": "Satisfaire",
    "keep_informed": "Informer",
    "informer": "Informer",
    "monitor": "Surveiller",
    "surveiller": "Surveiller",
}

_QUADRANT_BY_LEVELS = {
    ("high", "high"): "manage_closely",
    ("high", "low"): "keep_satisfied",
    ("low", "high"): "keep_informed",
    ("low", "low"): "monitor",
}

QUADRANT_LEVELS = {quadrant: levels for levels, quadrant in _QUADRANT_BY_LEVELS.items()}
"""(power, interest) for each quadrant."""

LEVELS = {
    "high": "high",
    "eleve": "high",
    "elevee": "high",
    "fort": "high",
    "forte": "high",
    "haut": "high",
    "haute": "high",
    "low": "low",
    "faible": "low",
    "bas": "low",
    "basse": "low",
}

LEVEL_LABELS = {"high": "Élevé", "low": "Faible"}

IAP2_LEVELS = {
    "inform": "Informer",
    "informer": "Informer",
    "consult": "Consulter",
    "consulter": "Consulter",
    "involve": "Impliquer",
    "impliquer": "Impliquer",
    "collaborate": "Collaborer",
    "collaborer": "Collaborer",
    "empower": "Habiliter",
    "habiliter": "Habiliter",
}

SALIENCE_CLASSES = {
    "latent": "Latente",
    "expectant": "En attente",
    "definitive": "Déterminante",
}

CONSULTATION_METHODS = {
    "public_meeting": "Réunion publique",
    "reunion_publique": "Réunion publique",
    "workshop": "Atelier",
    "atelier": "Atelier",
    "questionnaire": "Questionnaire",
    "survey": "Questionnaire",
    "interview": "Entretien",
    "entretien": "Entretien",
    "online_platform": "Plateforme en ligne",
    "plateforme_en_ligne": "Plateforme en ligne",
}

ACTION_STATUSES = {
    "not_started": "À engager",
    "todo": "À engager",
    "planned": "Programmée",
    "a_engager": "À engager",
    "in_progress": "En cours",
    "en_cours": "En cours",
    "done": "Réalisée",
    "completed": "Réalisée",
    "realisee": "Réalisée",
    "late": "En retard",
    "en_retard": "En retard",
    "cancelled": "Abandonnée",
    "abandoned": "Abandonnée",
    "abandonnee": "Abandonnée",
}

DONE_STATUSES = frozenset({"done", "completed", "realisee"})

INDICATOR_DIRECTIONS = {
    "increase": "À la hausse",
    "up": "À la hausse",
    "hausse": "À la hausse",
    "decrease": "À la baisse",
    "down": "À la baisse",
    "baisse": "À la baisse",
    "maintain": "Maintien",
    "maintien": "Maintien",
}

DIRECTION_KEYS = {
    "increase": "increase",
    "up": "increase",
    "hausse": "increase",
    "decrease": "decrease",
    "down": "decrease",
    "baisse": "decrease",
    "maintain": "maintain",
    "maintien": "maintain",
}

FREQUENCIES = {
    "monthly": "Mensuelle",
    "mensuelle": "Mensuelle",
    "quarterly": "Trimestrielle",
    "trimestrielle": "Trimestrielle",
    "half_yearly": "Semestrielle",
    "semestrielle": "Semestrielle",
    "yearly": "Annuelle",
    "annual": "Annuelle",
    "annuelle": "Annuelle",
    "once": "Ponctuelle",
    "ponctuelle": "Ponctuelle",
}

LEGAL_OPINIONS = {
    "favorable": "Favorable",
    "favourable": "Favorable",
    "favorable_with_reservations": "Favorable sous réserves",
    "favorable_avec_reserves": "Favorable sous réserves",
    "favorable_sous_reserves": "Favorable sous réserves",
    "unfavorable": "Défavorable",
    "defavorable": "Défavorable",
    "to_review": "À instruire",
    "a_instruire": "À instruire",
}

LEGAL_BASES = {
    "public_task": "Mission d'intérêt public (art. 6.1.e RGPD)",
    "mission_interet_public": "Mission d'intérêt public (art. 6.1.e RGPD)",
    "consent": "Consentement (art. 6.1.a RGPD)",
    "consentement": "Consentement (art. 6.1.a RGPD)",
    "legal_obligation": "Obligation légale (art. 6.1.c RGPD)",
    "obligation_legale": "Obligation légale (art. 6.1.c RGPD)",
    "contract": "Exécution d'un contrat (art. 6.1.b RGPD)",
    "contrat": "Exécution d'un contrat (art. 6.1.b RGPD)",
}

TRAINING_FORMATS = {
    "in_person": "Présentiel",
    "presentiel": "Présentiel",
    "remote": "Distanciel",
    "distanciel": "Distanciel",
    "hybrid": "Hybride",
    "hybride": "Hybride",
}

PARTY_KINDS = {
    "collectivite": "collectivité territoriale",
    "commune": "commune",
    "epci": "établissement public de coopération intercommunale",
    "departement": "département",
    "region": "région",
    "association": "association régie par la loi du 1er juillet 1901",
    "entreprise": "entreprise",
    "company": "entreprise",
    "partenaire_institutionnel": "partenaire institutionnel",
}

TERRITORY_KINDS = {
    "commune": "commune",
    "epci": "epci",
    "intercommunalite": "epci",
    "communaute_de_communes": "epci",
    "communaute_d_agglomeration": "epci",
    "communaute_urbaine": "epci",
    "metropole": "epci",
    "departement": "departement",
    "region": "region",
}


def normalise_key(value: object) -> str:
    """'Réunion publique' -> 'reunion_publique': lowercase ASCII words joined by underscores."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def lookup(mapping: dict[str, str], value: object) -> str | None:
    """The mapped value for ``value`` once normalised, or None."""
    if value is None or isinstance(value, bool):
        return None
    return mapping.get(normalise_key(value))


def level(value: object) -> str | None:
    """'high' or 'low' from 'high', 'élevé', 'faible', True/False…; None when unknown."""
    if isinstance(value, bool):
        return "high" if value else "low"
    return lookup(LEVELS, value)


def mendelow_quadrant(quadrant: object, power: object, interest: object) -> str | None:
    """The quadrant key from an explicit quadrant, else from the power and interest levels."""
    explicit = lookup(MENDELOW_QUADRANTS, quadrant)
    if explicit is not None:
        return next(key for key, label in MENDELOW_QUADRANTS.items() if label == explicit)
    levels = (level(power), level(interest))
    return _QUADRANT_BY_LEVELS.get(levels) if None not in levels else None  # type: ignore[arg-type]


ROLES = {
    "consultant": "Consultant·e",
    "chef_de_projet": "Chef·fe de projet",
    "elu": "Élu·e référent·e",
    "agent": "Agent territorial",
    "partenaire": "Partenaire",
}
