"""The guard vocabulary and its registry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from gouvernance.errors import Message

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gouvernance.clock import Clock
    from gouvernance.engagements.records import EngagementRow, StepRow
    from gouvernance.spec.schema import ProcessModel, StepSpec


@dataclass
class GuardContext:
    """What a guard may look at. Guards read; they never write."""

    session: Session
    model: ProcessModel
    engagement: EngagementRow
    step: StepRow | None
    step_spec: StepSpec | None
    event: str
    actor: str
    actor_roles: frozenset[str]
    payload: dict[str, Any]
    clock: Clock


@dataclass(frozen=True)
class GuardOutcome:
    rule: str
    passed: bool
    message: Message

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {"rule": self.rule, "passed": self.passed, **self.message.as_dict(lang)}


class Guard(BaseModel):
    """Base class: the fields common to every rule. Subclasses name their rule (``rule_name``, the YAML's
    ``rule``) and add their parameters and ``check``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_name: ClassVar[str]

    rule: str
    on: tuple[str, ...] = Field(default=("submit",), description="The events this guard applies to.")

    default_events: ClassVar[tuple[str, ...]] = ("submit",)

    def applies_to(self, event: str) -> bool:
        return event in self.on

    def evaluate(self, ctx: GuardContext) -> GuardOutcome:
        refusal = self.check(ctx)
        if refusal is None:
            return GuardOutcome(self.rule, True, self.describe())
        return GuardOutcome(self.rule, False, refusal)

    def check(self, ctx: GuardContext) -> Message | None:  # pragma: no cover - abstract
        """None when satisfied, otherwise the reason it is not."""
        raise NotImplementedError

    def validate_against(self, model: ProcessModel, step: StepSpec) -> list[Message]:
        """Static problems with the rule's parameters in this model (unknown role, parameter…)."""
        return []

    def describe(self) -> Message:  # pragma: no cover - abstract
        """What the rule requires, for listings ("a legal note is attached")."""
        raise NotImplementedError


_REGISTRY: dict[str, type[Guard]] = {}


def register_rules(pack: Iterable[type[Guard]]) -> None:
    """Makes a rule pack's guards usable in process models. Called by the composition root
    (``gouvernance.composition``) for every pack, so no module registers itself by being imported.
    Registering the same class again changes nothing; another class under a taken name is refused."""
    for cls in pack:
        known = _REGISTRY.setdefault(cls.rule_name, cls)
        if known is not cls:
            raise ValueError(f"guard rule {cls.rule_name!r} registered twice")


def guard_rules() -> dict[str, type[Guard]]:
    return dict(_REGISTRY)


def parse_guard(data: dict[str, Any]) -> Guard:
    """Build a guard from its YAML mapping. Raises KeyError for an unknown rule and ValidationError for bad
    parameters."""
    cls = _REGISTRY[data["rule"]]
    values = dict(data)
    values.setdefault("on", cls.default_events)
    if isinstance(values["on"], str):
        values["on"] = (values["on"],)
    return cls.model_validate(values)
