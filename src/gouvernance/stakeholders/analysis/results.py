"""What the analyses return: plain frozen records with ``as_dict(lang)`` for JSON (labels in ``lang``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gouvernance.stakeholders.analysis.classification import HIGH_SCORE_THRESHOLD, is_key_player
from gouvernance.stakeholders.records import SCORE_MAX, SCORE_MIN
from gouvernance.stakeholders.vocabulary import Category, Quadrant, SalienceClass, french_sort_key


@dataclass(frozen=True)
class Party:
    id: str
    name: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Betweenness:
    """Normalised betweenness (0 to 1) on the cooperation network, exact or estimated from ``sources``
    sampled source nodes (``seed``)."""

    scores: dict[str, float]
    exact: bool
    sources: int
    seed: int

    def method(self) -> dict[str, Any]:
        return {"algorithm": "brandes", "exact": self.exact, "sources": self.sources, "seed": self.seed}


@dataclass(frozen=True)
class Community:
    index: int
    members: tuple[str, ...]  # ids, sorted
    categories: dict[Category, int]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def number(self) -> int:
        """How readers name it, from 1 (API, command line, graph exports); ``index`` counts from 0."""
        return self.index + 1

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "number": self.number,
            "size": self.size,
            "members": list(self.members),
            "categories": {category.label(lang): count for category, count in self.categories.items()},
        }


@dataclass(frozen=True)
class Broker:
    """A go-between: lies on many shortest paths of the cooperation network."""

    party: Party
    score: float
    degree: int
    communities_linked: int | None  # distinct communities among its partners, when communities are known

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            **self.party.as_dict(),
            "score": self.score,
            "degree": self.degree,
            "communities_linked": self.communities_linked,
        }


@dataclass(frozen=True)
class IsolatedKeyPlayer:
    party: Party
    quadrant: Quadrant
    salience_class: SalienceClass
    conflicts: int  # conflict relations it does have

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            **self.party.as_dict(),
            "quadrant": self.quadrant.label(lang),
            "salience_class": self.salience_class.label(lang),
            "conflicts": self.conflicts,
        }


@dataclass(frozen=True)
class Mediator:
    party: Party
    score: float  # the weights of its ties to both sides, added up
    weight_to_first: float
    weight_to_second: float

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            **self.party.as_dict(),
            "score": self.score,
            "weight_to_first": self.weight_to_first,
            "weight_to_second": self.weight_to_second,
        }


@dataclass(frozen=True)
class ConflictPair:
    first: Party
    second: Party
    weight: float
    mediators: tuple[Mediator, ...]  # the best ones, best first
    mediator_count: int  # how many candidates there were in all

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "first": self.first.as_dict(),
            "second": self.second.as_dict(),
            "weight": self.weight,
            "mediators": [mediator.as_dict(lang) for mediator in self.mediators],
            "mediator_count": self.mediator_count,
        }


@dataclass(frozen=True)
class StageCoverage:
    stage_key: str
    consultation_ids: tuple[str, ...]
    consulted: tuple[Party, ...]
    required_categories: tuple[Category, ...]
    missing_categories: tuple[Category, ...]
    required_key_players: tuple[Party, ...]
    missing_key_players: tuple[Party, ...]

    @property
    def complete(self) -> bool:
        return not self.missing_categories and not self.missing_key_players

    @property
    def ratio(self) -> float:
        """Share of the requirements met (each category and each named key player counts once)."""
        required = len(self.required_categories) + len(self.required_key_players)
        missing = len(self.missing_categories) + len(self.missing_key_players)
        return 1.0 if required == 0 else (required - missing) / required

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "stage_key": self.stage_key,
            "complete": self.complete,
            "ratio": self.ratio,
            "consultation_ids": list(self.consultation_ids),
            "consulted": [party.as_dict() for party in self.consulted],
            "required_categories": [category.label(lang) for category in self.required_categories],
            "missing_categories": [category.label(lang) for category in self.missing_categories],
            "required_key_players": [party.as_dict() for party in self.required_key_players],
            "missing_key_players": [party.as_dict() for party in self.missing_key_players],
        }


@dataclass(frozen=True)
class Profile:
    party: Party
    quadrant: Quadrant
    salience_class: SalienceClass
    betweenness: float
    community: int | None  # the community's index (from 0); readers see its number, from 1

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            **self.party.as_dict(),
            "quadrant": self.quadrant.label(lang),
            "salience_class": self.salience_class.label(lang),
            "betweenness": self.betweenness,
            "community": None if self.community is None else self.community + 1,
        }


@dataclass(frozen=True)
class Analysis:
    stakeholder_count: int
    relation_count: int
    counts: dict[str, Counter[Any]]  # by quadrant, category, salience_class, attitude
    profiles: tuple[Profile, ...]
    brokers: tuple[Broker, ...]
    communities: tuple[Community, ...]
    isolated_key_players: tuple[IsolatedKeyPlayer, ...]
    conflicts: tuple[ConflictPair, ...]
    coverage: tuple[StageCoverage, ...]
    method: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        """Where Mendelow's "high" starts: the engagement's setting the map was built with."""
        return float(self.method.get("high_score_threshold", HIGH_SCORE_THRESHOLD))

    @property
    def key_players(self) -> tuple[Profile, ...]:
        """The stakeholders to manage closely: « gérer étroitement » (Mendelow) or « définitive » (Mitchell),
        by name in French order."""
        found = (p for p in self.profiles if is_key_player(p.quadrant, p.salience_class))
        return tuple(
            sorted(found, key=lambda profile: (french_sort_key(profile.party.name), profile.party.id))
        )

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        """Plain JSON types only; labels in ``lang`` (ids stay codes)."""
        salience_counts: Counter[Any] = self.counts.get("salience_class", Counter())
        return {
            "stakeholder_count": self.stakeholder_count,
            "relation_count": self.relation_count,
            "counts": {
                name: {member.label(lang): count for member, count in counter.items()}
                for name, counter in self.counts.items()
            },
            "key_players": [_key_player(profile, lang) for profile in self.key_players],
            "mendelow": {
                "high_score_threshold": self.threshold,
                "scale": [SCORE_MIN, SCORE_MAX],
                "explanation": _mendelow_explanation(lang, self.threshold),
            },
            "salience_classes": [
                {
                    "code": salience_class.value,
                    "label": salience_class.label(lang),
                    "count": salience_counts.get(salience_class, 0),
                    "explanation": salience_class.explanation(lang),
                }
                for salience_class in SalienceClass
            ],
            "profiles": [profile.as_dict(lang) for profile in self.profiles],
            "brokers": [broker.as_dict(lang) for broker in self.brokers],
            "communities": [community.as_dict(lang) for community in self.communities],
            "isolated_key_players": [player.as_dict(lang) for player in self.isolated_key_players],
            "conflicts": [pair.as_dict(lang) for pair in self.conflicts],
            "coverage": [stage.as_dict(lang) for stage in self.coverage],
            "method": self.method,
        }


def _key_player(profile: Profile, lang: str) -> dict[str, Any]:
    why = []
    if profile.quadrant is Quadrant.gerer_etroitement:
        why.append(f"Mendelow : {profile.quadrant.label(lang)}")
    if profile.salience_class is SalienceClass.definitive:
        why.append(f"Mitchell : {profile.salience_class.label(lang)}")
    return {**profile.as_dict(lang), "why": why}


def _mendelow_explanation(lang: str, high: float) -> str:
    threshold = f"{high:g}"
    middle = (SCORE_MIN + SCORE_MAX) // 2
    is_high = "l'est" if middle >= high else "ne l'est pas"
    if lang == "en":
        return (
            f"Power and interest are scored from {SCORE_MIN} to {SCORE_MAX}; {threshold} and above is high "
            f"({middle}, the middle of the scale, {'is' if middle >= high else 'is not'}). "
            "High power and high interest: manage closely."
        )
    return (
        f"Pouvoir et intérêt sont notés de {SCORE_MIN} à {SCORE_MAX} ; élevé à partir de "
        f"{threshold.replace('.', ',')} ({middle}, le milieu de l'échelle, {is_high}). "
        "Pouvoir et intérêt élevés : gérer étroitement."
    )
