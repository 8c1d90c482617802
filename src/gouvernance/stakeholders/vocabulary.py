"""The stakeholder vocabulary: stable codes (used in the database, the API and exports) with their French and
English labels, and the synonyms that spreadsheets written in France use for them.

Members compare equal to their code (``Category.elu == "elu"``). Codes can repeat across enums
(``Quadrant.informer`` and ``IAP2Level.informer`` are both ``"informer"``), so never mix two enums in one set.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import cache
from typing import Self


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: ``"Habitant/Usager "`` → ``"habitant usager"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^0-9a-z]+", " ", stripped.casefold()).strip()


def french_sort_key(text: str) -> tuple[str, str, str]:
    """Sorts names as a French reader expects: letters first (« Étudiante » among the E, before « Zoé »),
    then accents and case only to break ties. A light stand-in for the Unicode collation (no ICU here)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return letters.replace("œ", "oe").replace("æ", "ae"), text.casefold(), text


class Vocabulary(StrEnum):
    """A code with a French label, an English label and optional synonyms, declared together."""

    fr: str
    en: str
    synonyms: tuple[str, ...]

    def __new__(cls, code: str, fr: str = "", en: str = "", *synonyms: str) -> Self:
        # The defaults only let type checkers accept lookups such as ``Category("elu")``.
        if not (fr and en):
            raise TypeError(f"{cls.__name__}.{code}: a French and an English label are required")
        member = str.__new__(cls, code)
        member._value_ = code
        member.fr = fr
        member.en = en
        member.synonyms = synonyms
        return member

    def label(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr

    @classmethod
    def labels(cls, lang: str = "fr") -> dict[str, str]:
        """The mapping table code → label, in declaration order (for forms and legends)."""
        return {member.value: member.label(lang) for member in cls}

    @classmethod
    def parse(cls, text: str) -> Self | None:
        """The member whose code, label (either language) or synonym matches ``text``, ignoring case,
        accents and punctuation; ``None`` when nothing matches."""
        return _aliases(cls).get(normalize(text))  # type: ignore[return-value]

    @classmethod
    def choices(cls, lang: str = "fr") -> str:
        return ", ".join(member.label(lang) for member in cls)


@cache
def _aliases(cls: type[Vocabulary]) -> dict[str, Vocabulary]:
    table: dict[str, Vocabulary] = {}
    for member in cls:
        for alias in (member.value, member.fr, member.en, *member.synonyms):
            key = normalize(alias)
            if table.setdefault(key, member) is not member:
                raise ValueError(f"{cls.__name__}: alias {alias!r} names two members")
    return table


class StakeholderKind(Vocabulary):
    personne = "personne", "personne", "person", "personne physique", "individu", "individual"
    organisation = (
        "organisation",
        "organisation",
        "organisation",
        "organization",
        "personne morale",
        "structure",
    )


class Category(Vocabulary):
    habitant_usager = (
        "habitant_usager",
        "habitant/usager",
        "resident/service user",
        "habitant",
        "habitants",
        "habitante",
        "usager",
        "usagers",
        "usagère",
        "citoyen",
        "citoyenne",
        "citoyens",
        "resident",
        "service user",
        "user",
        "citizen",
    )
    association = "association", "association", "association", "associations", "asso"
    entreprise = "entreprise", "entreprise", "company", "entreprises", "société", "business"
    agent_territorial = (
        "agent_territorial",
        "agent territorial",
        "local government officer",
        "agent",
        "agents",
        "agente territoriale",
        "agents territoriaux",
        "fonctionnaire",
        "agent public",
    )
    elu = "elu", "élu", "elected official", "élue", "élus", "élu·e", "élu(e)", "elected representative"
    partenaire_institutionnel = (
        "partenaire_institutionnel",
        "partenaire institutionnel",
        "institutional partner",
        "partenaires institutionnels",
        "institution",
        "institutionnel",
    )
    organisation_syndicale = (
        "organisation_syndicale",
        "organisation syndicale",
        "trade union",
        "syndicat",
        "syndicats",
        "organisations syndicales",
        "union",
    )
    autre = "autre", "autre", "other", "autres", "divers"


class Attitude(Vocabulary):
    favorable = "favorable", "favorable", "supportive", "pour", "soutien", "positif", "positive", "favourable"
    neutre = "neutre", "neutre", "neutral", "indifférent", "sans avis"
    oppose = (
        "oppose",
        "opposé",
        "opposed",
        "opposée",
        "opposant",
        "contre",
        "défavorable",
        "hostile",
        "négatif",
    )


class IAP2Level(Vocabulary):
    """The IAP2 spectrum of public participation, from the least to the most participative."""

    informer = "informer", "informer", "inform", "information"
    consulter = "consulter", "consulter", "consult", "consultation"
    impliquer = "impliquer", "impliquer", "involve", "implication"
    collaborer = "collaborer", "collaborer", "collaborate", "collaboration"
    habiliter = "habiliter", "habiliter", "empower", "habilitation", "empowerment", "déléguer"

    @property
    def rank(self) -> int:
        """1 (informer) to 5 (habiliter)."""
        return list(IAP2Level).index(self) + 1


class RelationType(Vocabulary):
    membre_de = "membre_de", "membre de", "member of", "membre", "adhérent de", "member"
    partenaire = "partenaire", "partenaire de", "partner of", "partenaire", "partenariat", "partner"
    finance = "finance", "finance", "funds", "finance", "financeur de", "funder of"
    represente = "represente", "représente", "represents", "représentant de", "represents"
    influence = "influence", "influence", "influences", "influence sur"
    conflit = "conflit", "en conflit avec", "in conflict with", "conflit", "conflict"

    @property
    def directed(self) -> bool:
        """Partnership and conflict bind both parties alike; the other relations point from source to
        target (the member, the funder, the representative, the one who influences)."""
        return self not in (RelationType.partenaire, RelationType.conflit)


class ConsultationFormat(Vocabulary):
    reunion_publique = "reunion_publique", "réunion publique", "public meeting"
    atelier = "atelier", "atelier", "workshop"
    questionnaire = "questionnaire", "questionnaire", "questionnaire", "enquête", "survey"
    entretien = "entretien", "entretien", "interview", "entretiens"
    plateforme_en_ligne = (
        "plateforme_en_ligne",
        "plateforme en ligne",
        "online platform",
        "plateforme",
        "en ligne",
        "online",
    )


class Quadrant(Vocabulary):
    """Mendelow's power/interest grid."""

    gerer_etroitement = (
        "gerer_etroitement",
        "gérer étroitement",
        "manage closely",
        "gérer",
        "gérer de près",
        "acteur clé",
        "acteurs clés",
        "manage",
        "key player",
    )
    satisfaire = "satisfaire", "satisfaire", "keep satisfied", "garder satisfait", "maintenir satisfait"
    informer = "informer", "informer", "keep informed", "tenir informé", "tenir informés"
    surveiller = "surveiller", "surveiller", "monitor", "observer"


class SalienceAttribute(Vocabulary):
    """Mitchell, Agle & Wood: the three attributes whose combination gives a stakeholder's salience."""

    pouvoir = "pouvoir", "pouvoir", "power", "p"
    legitimite = "legitimite", "légitimité", "legitimacy", "l"
    urgence = "urgence", "urgence", "urgency", "u"


class SalienceGroup(Vocabulary):
    latent = "latent", "latente", "latent"
    expectant = "expectant", "en attente", "expectant"
    definitive = "definitive", "définitive", "definitive"


class SalienceClass(Vocabulary):
    """The eight combinations of the three salience attributes (labels agree with « partie prenante »)."""

    dormant = "dormant", "dormante", "dormant"
    discretionary = "discretionary", "discrétionnaire", "discretionary"
    demanding = "demanding", "exigeante", "demanding"
    dominant = "dominant", "dominante", "dominant"
    dangerous = "dangerous", "dangereuse", "dangerous"
    dependent = "dependent", "dépendante", "dependent"
    definitive = "definitive", "définitive", "definitive", "définitif"
    non_stakeholder = "non_stakeholder", "non partie prenante", "non-stakeholder", "aucune", "none"

    @property
    def group(self) -> SalienceGroup | None:
        """Latent (one attribute), expectant (two), definitive (three); ``None`` without any attribute."""
        return _SALIENCE_GROUPS.get(self)

    @property
    def attributes(self) -> frozenset[SalienceAttribute]:
        return _CLASS_ATTRIBUTES[self]

    def explanation(self, lang: str = "fr") -> str:
        """What the class means for the engagement, in a sentence (Mitchell, Agle & Wood, 1997)."""
        fr, en = _CLASS_EXPLANATIONS[self]
        return en if lang == "en" else fr


_P, _L, _U = SalienceAttribute.pouvoir, SalienceAttribute.legitimite, SalienceAttribute.urgence

_CLASS_ATTRIBUTES: dict[SalienceClass, frozenset[SalienceAttribute]] = {
    SalienceClass.non_stakeholder: frozenset(),
    SalienceClass.dormant: frozenset({_P}),
    SalienceClass.discretionary: frozenset({_L}),
    SalienceClass.demanding: frozenset({_U}),
    SalienceClass.dominant: frozenset({_P, _L}),
    SalienceClass.dangerous: frozenset({_P, _U}),
    SalienceClass.dependent: frozenset({_L, _U}),
    SalienceClass.definitive: frozenset({_P, _L, _U}),
}

# « Non partie prenante » alone puzzles readers of a register of stakeholders: it only means that none of
# the three attributes was recorded, which calls for qualifying the stakeholder, not for dropping it.
_CLASS_EXPLANATIONS: dict[SalienceClass, tuple[str, str]] = {
    SalienceClass.non_stakeholder: (
        "aucun attribut renseigné (ni pouvoir, ni légitimité, ni urgence) : à qualifier, pas à écarter",
        "no attribute recorded (neither power, legitimacy nor urgency): to be qualified, not dismissed",
    ),
    SalienceClass.dormant: (
        "du pouvoir seulement : peu présente aujourd'hui, elle peut peser si elle s'en saisit",
        "power only: little involved today, it can weigh in if it takes the matter up",
    ),
    SalienceClass.discretionary: (
        "de la légitimité seulement : à associer de bonne volonté, sans pression de sa part",
        "legitimacy only: to be involved out of goodwill, without pressure on its part",
    ),
    SalienceClass.demanding: (
        "de l'urgence seulement : elle se fait entendre sans pouvoir ni légitimité pour imposer",
        "urgency only: it makes itself heard without the power or legitimacy to prevail",
    ),
    SalienceClass.dominant: (
        "pouvoir et légitimité : ses attentes comptent, à tenir informée et associée",
        "power and legitimacy: its expectations count, to be kept informed and involved",
    ),
    SalienceClass.dangerous: (
        "pouvoir et urgence sans légitimité : elle peut bloquer, à prévenir par la médiation",
        "power and urgency without legitimacy: it can block, to be forestalled by mediation",
    ),
    SalienceClass.dependent: (
        "légitimité et urgence sans pouvoir : elle compte sur d'autres pour se faire entendre",
        "legitimacy and urgency without power: it relies on others to be heard",
    ),
    SalienceClass.definitive: (
        "pouvoir, légitimité et urgence : acteur clé, prioritaire",
        "power, legitimacy and urgency: a key player, the priority",
    ),
}

_SALIENCE_GROUPS: dict[SalienceClass, SalienceGroup] = {
    SalienceClass.dormant: SalienceGroup.latent,
    SalienceClass.discretionary: SalienceGroup.latent,
    SalienceClass.demanding: SalienceGroup.latent,
    SalienceClass.dominant: SalienceGroup.expectant,
    SalienceClass.dangerous: SalienceGroup.expectant,
    SalienceClass.dependent: SalienceGroup.expectant,
    SalienceClass.definitive: SalienceGroup.definitive,
}

SALIENCE_CLASS_BY_ATTRIBUTES: dict[frozenset[SalienceAttribute], SalienceClass] = {
    attributes: salience_class for salience_class, attributes in _CLASS_ATTRIBUTES.items()
}
