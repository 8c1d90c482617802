"""The guard vocabulary and its registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

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
    """Base class: the fields common to every rule. Subclasses add their parameters and ``check``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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

G = TypeVar("G", bound=type[Guard])


def register_guard(rule: str) -> Callable[[G], G]:
    def decorate(cls: G) -> G:
        if rule in _REGISTRY:
            raise ValueError(f"guard rule {rule!r} registered twice")
        _REGISTRY[rule] = cls
        return cls

    return decorate


def guard_rules() -> dict[str, type[Guard]]:
    _load_builtin_rules()
    return dict(_REGISTRY)


def parse_guard(data: dict[str, Any]) -> Guard:
    """Build a guard from its YAML mapping. Raises KeyError for an unknown rule and ValidationError for bad
    parameters."""
    _load_builtin_rules()
    cls = _REGISTRY[data["rule"]]
    values = dict(data)
    values.setdefault("on", cls.default_events)
    if isinstance(values["on"], str):
        values["on"] = (values["on"],)
    return cls.model_validate(values)


def _load_builtin_rules() -> None:
    # Imported lazily: the rule modules import the persistence layer, which imports the spec.
    import gouvernance.budget.guards
    import gouvernance.decisions.guards
    import gouvernance.guards.builtin
    import gouvernance.objectives.guards
    import gouvernance.stakeholders.guards  # noqa: F401
