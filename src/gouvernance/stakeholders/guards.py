"""Guards that read the stakeholder register: who was consulted, which categories were heard, whether every
conflict was mediated. Refusals name the stakeholders (or the conflicting pairs) still missing, and their
details say what would satisfy the rule (``to_consult``, ``sessions``), for a user interface or the demo.

Consultations count for the stage of the step they served (``scope: stage``, the default) or for the whole
engagement (``scope: engagement``). An empty register never satisfies ``stakeholders_consulted`` nor
``categories_represented``: a stage cannot be said to have heard its stakeholders before anyone has listed
them.

``conflicts_mediated``: a conflict (a ``conflit`` relation) is mediated when a consultation of a meeting
format (``formats``: atelier or entretien by default; a questionnaire or an online platform never brings two
parties together) involved both sides, and, with ``with_mediator``, a third party as well: one of the
mediators the map suggests for that pair (a stakeholder tied to both sides and in conflict with neither), or,
when the map suggests none, any stakeholder in conflict with neither side.

``coverage_requirements`` turns a model's stage-scoped guards into the coverage requirements of the
analysis (``StageRequirement``): the quadrants every member of which must be consulted, and the categories
that must be heard.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, NamedTuple

from pydantic import BeforeValidator, Field
from sqlalchemy import ColumnElement, and_, or_, select, tuple_

from gouvernance.engagements.records import EngagementRow
from gouvernance.errors import Message
from gouvernance.guards.registry import Guard, GuardContext
from gouvernance.messages import plural
from gouvernance.stakeholders.analysis.classification import (
    HIGH_SCORE_THRESHOLD,
    mendelow_quadrant,
    threshold_of,
)
from gouvernance.stakeholders.analysis.results import ConflictPair
from gouvernance.stakeholders.records import SCORE_MAX, SCORE_MIN, StageRequirement
from gouvernance.stakeholders.register import (
    Person,
    consultation_sessions,
    consulted_by_stage,
    consulted_ids,
    load_register,
    people,
    people_by_engagement,
)
from gouvernance.stakeholders.tables import StakeholderRow
from gouvernance.stakeholders.vocabulary import Category, ConsultationFormat, Quadrant, Vocabulary

_CONSULTED = "parties prenantes consultées"

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gouvernance.spec.schema import ProcessModel, StepSpec

MAX_NAMED = 12  # a refusal names at most this many stakeholders, then says how many more


def _as_codes(enum: type[Vocabulary]) -> BeforeValidator:
    """One value or a list; labels and synonyms (« gérer étroitement », « syndicat ») become codes. Unknown
    values are kept as written, for ``validate_against`` to report in the template's terms."""

    def convert(value: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list | tuple):
            return value
        return tuple(_code(enum, item) for item in values)

    return BeforeValidator(convert)


def _code(enum: type[Vocabulary], value: Any) -> Any:
    member = enum.parse(value) if isinstance(value, str) else None
    return member.value if member is not None else value


Quadrants = Annotated[tuple[str, ...], _as_codes(Quadrant)]
Categories = Annotated[tuple[str, ...], _as_codes(Category)]
Formats = Annotated[tuple[str, ...], _as_codes(ConsultationFormat)]


def _unknown(enum: type[Vocabulary], values: Iterable[str], path: str, fr: str, en: str) -> list[Message]:
    codes = [member.value for member in enum]
    return [
        Message(
            "unknown_value",
            f"{fr} inconnu(e) « {value} » (valeurs : {', '.join(codes)})",
            f"unknown {en} '{value}' (values: {', '.join(codes)})",
            path=path,
        )
        for value in values
        if value not in codes
    ]


def _names(persons: Sequence[Person]) -> str:
    shown = ", ".join(person.name for person in persons[:MAX_NAMED])
    return shown + (f" … (+{len(persons) - MAX_NAMED})" if len(persons) > MAX_NAMED else "")


def _by_importance(persons: Iterable[Person]) -> list[Person]:
    return sorted(persons, key=lambda person: (-person.power, -person.interest, person.name, person.id))


@functools.cache
def _quadrant(power: int, interest: int, threshold: float = HIGH_SCORE_THRESHOLD) -> str:
    """Mendelow's quadrant of a (power, interest) pair, high from the engagement's ``threshold``: 25 pairs
    per threshold, asked about for every stakeholder."""
    return mendelow_quadrant(power, interest, threshold).value


def _labels(enum: type[Vocabulary], codes: Iterable[str], lang: str, joiner: str) -> str:
    return joiner.join(enum(code).label(lang) for code in codes)


class _RegisterGuard(Guard):
    scope: Literal["stage", "engagement"] = Field(
        default="stage", description="Consultations of the step's stage, or of the whole engagement."
    )

    def counted_stage(self, stage_key: str | None) -> str | None:
        """The stage whose consultations count for a step of ``stage_key``; None: the whole engagement's."""
        return stage_key if self.scope == "stage" else None

    def _stage(self, ctx: GuardContext) -> str | None:
        return self.counted_stage(ctx.step.stage_key if ctx.step is not None else None)

    def _when(self, lang: str) -> str:
        if self.scope == "engagement":
            return "depuis le début de l'accompagnement" if lang == "fr" else "since the engagement began"
        return "pendant cette phase" if lang == "fr" else "during this stage"

    def _empty_register(self) -> Message:
        return Message(
            "guard.stakeholder_register_empty",
            "le registre des parties prenantes est vide : importez ou saisissez d'abord la cartographie "
            "des acteurs",
            "the stakeholder register is empty: import or enter the stakeholder map first",
            details={"to_consult": []},
        )


class Shortfall(NamedTuple):
    """A group the rule selects (a category, or the whole selection: None) that was not heard enough."""

    group: str | None
    total: int
    heard: int
    required: int
    waiting: list[Person]  # not consulted yet, most important first


class StakeholdersConsulted(_RegisterGuard):
    """The stakeholders selected by ``quadrant`` and/or ``category`` (everyone when neither is given) were
    consulted: all of them, or at least ``min_share`` of each selected category (of the selection as a whole
    when no category is given). A selection nobody in the register falls into is satisfied."""

    rule_name: ClassVar[str] = "stakeholders_consulted"

    quadrant: Quadrants = ()
    category: Categories = ()
    min_share: float = Field(default=1.0, gt=0, le=1)

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        return _unknown(Quadrant, self.quadrant, "quadrant", "quadrant", "quadrant") + _unknown(
            Category, self.category, "category", "catégorie", "category"
        )

    def selects(self, person: Person, threshold: float = HIGH_SCORE_THRESHOLD) -> bool:
        if self.category and person.category not in self.category:
            return False
        return not self.quadrant or _quadrant(person.power, person.interest, threshold) in self.quadrant

    def selection(self, threshold: float = HIGH_SCORE_THRESHOLD) -> ColumnElement[bool] | None:
        """``selects`` as a condition on stakeholder rows (None: everyone), to read only who may be named."""
        conditions = []
        if self.category:
            conditions.append(StakeholderRow.category.in_(self.category))
        if self.quadrant:
            scores = range(SCORE_MIN, SCORE_MAX + 1)
            pairs = [(p, i) for p in scores for i in scores if _quadrant(p, i, threshold) in self.quadrant]
            conditions.append(tuple_(StakeholderRow.power, StakeholderRow.interest).in_(pairs))
        return and_(*conditions) if conditions else None

    def check(self, ctx: GuardContext) -> Message | None:
        register = people(ctx.session, ctx.engagement.id)
        if not register:
            return self._empty_register()
        consulted = consulted_ids(ctx.session, ctx.engagement.id, self._stage(ctx))
        shortfalls = self.shortfalls(register, consulted, threshold_of(ctx.engagement.parameters))
        return self._refusal(shortfalls, ctx) if shortfalls else None

    def shortfalls(
        self, register: Iterable[Person], consulted: Set[int], threshold: float = HIGH_SCORE_THRESHOLD
    ) -> list[Shortfall]:
        """The selected groups not heard enough, given the register, the ids of who was consulted and the
        engagement's Mendelow threshold."""
        groups: defaultdict[str | None, list[Person]] = defaultdict(list)
        for person in register:
            if self.selects(person, threshold):
                groups[person.category if self.category else None].append(person)
        order = {category.value: index for index, category in enumerate(Category)}
        shortfalls = []
        for group, members in sorted(groups.items(), key=lambda item: order.get(item[0] or "", -1)):
            heard = sum(1 for member in members if member.id in consulted)
            required = math.ceil(self.min_share * len(members) - 1e-9)
            if heard < required:
                waiting = _by_importance(member for member in members if member.id not in consulted)
                shortfalls.append(Shortfall(group, len(members), heard, required, waiting))
        return shortfalls

    def _refusal(self, shortfalls: list[Shortfall], ctx: GuardContext) -> Message:
        missing = [person for *_, waiting in shortfalls for person in waiting]
        to_consult = [
            p.id for _, _, heard, required, waiting in shortfalls for p in waiting[: required - heard]
        ]
        groups = [
            {"category": group, "total": total, "consulted": heard, "required": required}
            for group, total, heard, required, _ in shortfalls
        ]
        details = {
            "scope": self.scope,
            "stage_key": self._stage(ctx),
            "missing": [person.as_dict() for person in missing],
            "to_consult": to_consult,
            "groups": groups,
        }
        who_fr, who_en = self._selection("fr"), self._selection("en")
        if self.min_share >= 1:
            return Message(
                "guard.stakeholders_not_consulted",
                f"parties prenantes {who_fr} non consultées {self._when('fr')} : {_names(missing)}",
                f"stakeholders {who_en} not consulted {self._when('en')}: {_names(missing)}",
                details=details,
            )
        share = f"{round(self.min_share * 100)} %"
        parts_fr = " ; ".join(self._shortfall_text(item, "fr") for item in shortfalls)
        parts_en = "; ".join(self._shortfall_text(item, "en") for item in shortfalls)
        return Message(
            "guard.stakeholders_not_consulted",
            f"part des parties prenantes {who_fr} consultées {self._when('fr')} inférieure à {share} : "
            f"{parts_fr}",
            f"share of stakeholders {who_en} consulted {self._when('en')} below {share}: {parts_en}",
            details=details,
        )

    @staticmethod
    def _shortfall_text(item: Shortfall, lang: str) -> str:
        group, total, heard, required, waiting = item
        label = f"{Category(group).label(lang)} " if group else ""
        if lang == "en":
            return f"{label}{heard} of {total}, {required - heard} more among: {_names(waiting)}"
        return f"{label}{heard} sur {total}, encore {required - heard} parmi : {_names(waiting)}"

    def _selection(self, lang: str) -> str:
        parts = []
        if self.quadrant:
            joiner = " ou " if lang == "fr" else " or "
            quadrants = _labels(Quadrant, self.quadrant, lang, joiner)
            parts.append(f"à « {quadrants} »" if lang == "fr" else f"to '{quadrants}'")
        if self.category:
            categories = _labels(Category, self.category, lang, ", ")
            parts.append(f"({categories})")
        return " ".join(parts) if parts else ("du registre" if lang == "fr" else "of the register")

    def describe(self) -> Message:
        share_fr = "toutes" if self.min_share >= 1 else f"au moins {round(self.min_share * 100)} %"
        share_en = "all" if self.min_share >= 1 else f"at least {round(self.min_share * 100)} %"
        return Message(
            "guard.stakeholders_consulted",
            f"parties prenantes {self._selection('fr')} consultées ({share_fr}) {self._when('fr')}",
            f"stakeholders {self._selection('en')} consulted ({share_en}) {self._when('en')}",
        )


class CategoriesRepresented(_RegisterGuard):
    """At least ``min_per_category`` distinct stakeholders of each of ``categories`` were consulted."""

    rule_name: ClassVar[str] = "categories_represented"

    categories: Categories = Field(min_length=1)
    min_per_category: int = Field(default=1, ge=1)

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        return _unknown(Category, self.categories, "categories", "catégorie", "category")

    def check(self, ctx: GuardContext) -> Message | None:
        register = people(ctx.session, ctx.engagement.id)
        if not register:
            return self._empty_register()
        consulted = consulted_ids(ctx.session, ctx.engagement.id, self._stage(ctx))
        shortfalls = []
        for category in self.categories:
            members = [person for person in register if person.category == category]
            heard = sum(1 for person in members if person.id in consulted)
            if heard < self.min_per_category:
                waiting = _by_importance(person for person in members if person.id not in consulted)
                shortfalls.append((category, heard, waiting))
        if not shortfalls:
            return None
        to_consult = [
            p.id for _, heard, waiting in shortfalls for p in waiting[: self.min_per_category - heard]
        ]
        return Message(
            "guard.categories_not_represented",
            "catégories insuffisamment représentées parmi les parties prenantes consultées "
            f"{self._when('fr')} : " + " ; ".join(self._shortfall_text(item, "fr") for item in shortfalls),
            f"categories under-represented among the stakeholders consulted {self._when('en')}: "
            + "; ".join(self._shortfall_text(item, "en") for item in shortfalls),
            details={
                "scope": self.scope,
                "stage_key": self._stage(ctx),
                "categories": [
                    {
                        "category": category,
                        "consulted": heard,
                        "required": self.min_per_category,
                        "candidates": [person.as_dict() for person in waiting],
                    }
                    for category, heard, waiting in shortfalls
                ],
                "missing": [person.as_dict() for _, _, waiting in shortfalls for person in waiting],
                "to_consult": to_consult,
            },
        )

    def _shortfall_text(self, item: tuple[str, int, list[Person]], lang: str) -> str:
        category, heard, waiting = item
        label = Category(category).label(lang)
        if lang == "en":
            who = f"to consult: {_names(waiting)}" if waiting else "none in the register"
            return f"{label} ({heard} of {self.min_per_category}; {who})"
        who = f"à consulter : {_names(waiting)}" if waiting else "aucune au registre"
        return f"{label} ({heard} sur {self.min_per_category} ; {who})"

    def describe(self) -> Message:
        return Message(
            "guard.categories_represented",
            f"au moins {plural(self.min_per_category, 'partie prenante consultée', _CONSULTED)} "
            f"{self._when('fr')} pour "
            f"chaque catégorie : {_labels(Category, self.categories, 'fr', ', ')}",
            f"at least {self.min_per_category} stakeholder(s) consulted {self._when('en')} in each category: "
            f"{_labels(Category, self.categories, 'en', ', ')}",
        )


class ConflictsMediated(_RegisterGuard):
    """Every conflict of the map was the subject of a meeting that brought both sides together (see the
    module docstring), with a mediator when ``with_mediator``."""

    rule_name: ClassVar[str] = "conflicts_mediated"

    formats: Formats = ("atelier", "entretien")
    with_mediator: bool = False

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        return _unknown(ConsultationFormat, self.formats, "formats", "format", "format")

    def check(self, ctx: GuardContext) -> Message | None:
        # The map's algorithms need NetworkX and NumPy: imported when this guard runs, not at start-up.
        from gouvernance.stakeholders.analysis.algorithms import conflict_pairs
        from gouvernance.stakeholders.analysis.graph import build_graph

        register = load_register(ctx.session, ctx.engagement.id)
        graph = build_graph(
            register.stakeholders, register.relations, threshold=threshold_of(ctx.engagement.parameters)
        )
        pairs = conflict_pairs(graph, max_mediators=max(1, graph.number_of_nodes()))
        if not pairs:
            return None
        meetings = [
            participants
            for _, participants in consultation_sessions(
                ctx.session, ctx.engagement.id, stage_key=self._stage(ctx), formats=self.formats
            )
        ]
        id_of = register.id_of
        open_pairs = [pair for pair in pairs if not self._mediated(pair, meetings, id_of, graph)]
        return self._refusal(open_pairs, id_of, graph, ctx) if open_pairs else None

    def _mediated(
        self, pair: ConflictPair, meetings: list[frozenset[int]], id_of: dict[str, int], graph: Any
    ) -> bool:
        sides = {id_of[pair.first.id], id_of[pair.second.id]}
        thirds = {id_of[key] for key in self._third_parties(pair, graph)}
        return any(
            sides <= participants and (not self.with_mediator or bool(participants & thirds))
            for participants in meetings
        )

    @staticmethod
    def _third_parties(pair: ConflictPair, graph: Any) -> list[str]:
        """The keys of who may sit between the two sides: the suggested mediators, best first, or, without
        any, every stakeholder in conflict with neither side, most powerful first."""
        if pair.mediators:
            return [mediator.party.id for mediator in pair.mediators]
        sides = {pair.first.id, pair.second.id}
        opponents = {
            other
            for source, target, kind in graph.edges(keys=True)
            if kind == "conflit"
            for side, other in ((source, target), (target, source))
            if side in sides
        }
        neutral = [node for node in graph if node not in sides | opponents]
        return sorted(
            neutral, key=lambda node: (-graph.nodes[node]["power"], graph.nodes[node]["name"], node)
        )

    def _refusal(
        self, pairs: list[ConflictPair], id_of: dict[str, int], graph: Any, ctx: GuardContext
    ) -> Message:
        texts_fr, texts_en, unmediated = [], [], []
        for pair in pairs:
            thirds = self._third_parties(pair, graph)
            names = ", ".join(graph.nodes[key]["name"] for key in thirds[:3])
            who = f"{pair.first.name} ↔ {pair.second.name}"
            if pair.mediators:
                texts_fr.append(f"{who} (médiateurs possibles : {names})")
                texts_en.append(f"{who} (possible mediators: {names})")
            else:
                texts_fr.append(f"{who} (aucun médiateur identifié dans la cartographie)")
                texts_en.append(f"{who} (no mediator found in the map)")
            session = [id_of[pair.first.id], id_of[pair.second.id]]
            if self.with_mediator and thirds:
                session.append(id_of[thirds[0]])
            unmediated.append(
                {
                    "first": {"id": id_of[pair.first.id], "key": pair.first.id, "name": pair.first.name},
                    "second": {"id": id_of[pair.second.id], "key": pair.second.id, "name": pair.second.name},
                    "mediators": [
                        {"id": id_of[key], "key": key, "name": graph.nodes[key]["name"]} for key in thirds[:5]
                    ],
                    "session": session,
                }
            )
        meeting_fr = " et un médiateur" if self.with_mediator else ""
        meeting_en = " and a mediator" if self.with_mediator else ""
        return Message(
            "guard.conflicts_not_mediated",
            f"conflits sans séance de médiation réunissant les deux parties{meeting_fr} {self._when('fr')} : "
            + " ; ".join(texts_fr),
            f"conflicts without a mediation meeting of both parties{meeting_en} {self._when('en')}: "
            + "; ".join(texts_en),
            details={
                "scope": self.scope,
                "stage_key": self._stage(ctx),
                "formats": list(self.formats),
                "with_mediator": self.with_mediator,
                "unmediated": unmediated,
                "sessions": [item["session"] for item in unmediated],
            },
        )

    def describe(self) -> Message:
        formats_fr = _labels(ConsultationFormat, self.formats, "fr", " ou ")
        formats_en = _labels(ConsultationFormat, self.formats, "en", " or ")
        mediator_fr = " et un médiateur" if self.with_mediator else ""
        mediator_en = " and a mediator" if self.with_mediator else ""
        return Message(
            "guard.conflicts_mediated",
            f"chaque conflit a fait l'objet d'une séance ({formats_fr}) réunissant les deux "
            f"parties{mediator_fr} {self._when('fr')}",
            f"every conflict was the subject of a meeting ({formats_en}) with both parties{mediator_en} "
            f"{self._when('en')}",
        )


@dataclass(frozen=True)
class StillToConsult:
    """Who a step's ``stakeholders_consulted`` rules still wait for, most important first, and how many
    more of them must be heard (fewer than listed when a rule asks only for a share of a group)."""

    persons: tuple[Person, ...]
    needed: int


def still_to_consult(
    session: Session, steps: Sequence[tuple[str, str, Iterable[Guard]]]
) -> list[StillToConsult | None]:
    """For each (engagement id, stage key, guards) of ``steps``, who its ``stakeholders_consulted`` guards
    would name in a refusal; None when they are satisfied, the register is empty or there are none. Three
    queries whatever the number of steps (the engagements' Mendelow thresholds, their registers, who was
    heard), none when no step has such a guard."""
    rules = [[g for g in guards if isinstance(g, StakeholdersConsulted)] for _, _, guards in steps]
    engagement_ids = {step[0] for step, found in zip(steps, rules, strict=True) if found}
    if not engagement_ids:
        return [None] * len(steps)
    thresholds = {
        engagement_id: threshold_of(parameters)
        for engagement_id, parameters in session.execute(
            select(EngagementRow.id, EngagementRow.parameters).where(EngagementRow.id.in_(engagement_ids))
        )
    }
    selections = [
        rule.selection(threshold)
        for rule in dict.fromkeys(rule for found in rules for rule in found)
        for threshold in set(thresholds.values())
    ]
    chosen = [selection for selection in selections if selection is not None]
    only = or_(*chosen) if len(chosen) == len(selections) else None  # None: someone selects everyone
    registers = people_by_engagement(session, engagement_ids, only=only)
    heard = consulted_by_stage(session, engagement_ids)
    known: dict[tuple[str, str | None, StakeholdersConsulted], list[Shortfall]] = {}

    def shortfalls(engagement_id: str, stage: str | None, rule: StakeholdersConsulted) -> list[Shortfall]:
        # Several steps of one engagement often ask the same question.
        if (engagement_id, stage, rule) not in known:
            by_stage = heard.get(engagement_id, {})
            consulted = by_stage.get(stage, set()) if stage else set[int]().union(*by_stage.values())
            known[engagement_id, stage, rule] = rule.shortfalls(
                registers[engagement_id], consulted, thresholds.get(engagement_id, HIGH_SCORE_THRESHOLD)
            )
        return known[engagement_id, stage, rule]

    results: list[StillToConsult | None] = []
    for (engagement_id, stage_key, _), found in zip(steps, rules, strict=True):
        waiting: dict[int, Person] = {}
        needed = 0
        for rule in found if engagement_id in registers else []:
            for shortfall in shortfalls(engagement_id, rule.counted_stage(stage_key), rule):
                needed += shortfall.required - shortfall.heard
                waiting.update((person.id, person) for person in shortfall.waiting)
        persons = tuple(_by_importance(waiting.values()))
        results.append(StillToConsult(persons, min(needed, len(persons))) if persons else None)
    return results


STAKEHOLDER_GUARDS: tuple[type[Guard], ...] = (
    StakeholdersConsulted,
    CategoriesRepresented,
    ConflictsMediated,
)


def coverage_requirements(model: ProcessModel) -> list[StageRequirement]:
    """What the model's stage-scoped guards require each stage to have heard, as the analysis' coverage
    requirements: the quadrants of ``stakeholders_consulted`` rules that ask for every member (no category
    filter, no share below 1), and the categories of ``categories_represented`` rules."""
    quadrants: defaultdict[str, set[str]] = defaultdict(set)
    categories: defaultdict[str, set[str]] = defaultdict(set)
    for stage in model.stages:
        for step in stage.steps:
            for guard in step.compiled_guards:
                if getattr(guard, "scope", None) != "stage":
                    continue
                if isinstance(guard, StakeholdersConsulted) and not guard.category and guard.min_share >= 1:
                    quadrants[stage.key].update(guard.quadrant)
                elif isinstance(guard, CategoriesRepresented):
                    categories[stage.key].update(guard.categories)
    return [
        StageRequirement(
            stage.key,
            frozenset(Category(code) for code in categories[stage.key]),
            frozenset(Quadrant(code) for code in quadrants[stage.key]),
        )
        for stage in model.stages
        if quadrants[stage.key] or categories[stage.key]
    ]
