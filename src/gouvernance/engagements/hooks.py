"""What other features do when an engagement changes state, in the same transaction as the change: opening
the next cycle of a recurring journey, and, once it is open, carrying indicators over to it.

Hooks are registered by the composition root (``gouvernance.composition``), like guard rules, so the door
imports no feature and no feature registers itself by being imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from gouvernance.clock import Clock
from gouvernance.engagements.actors import ActorRef

if TYPE_CHECKING:
    from gouvernance.engagements.transitions import TransitionResult

# (session, the engagement-level transition just saved, who sent it, clock)
EngagementHook = Callable[[Session, "TransitionResult", ActorRef, Clock], None]
# (session, previous cycle's engagement id, next cycle's engagement id, actor, clock)
CycleHook = Callable[[Session, str, str, ActorRef, Clock], None]

_ENGAGEMENT_HOOKS: list[EngagementHook] = []
_CYCLE_HOOKS: list[CycleHook] = []


def register_engagement_hook(hook: EngagementHook) -> None:
    if hook not in _ENGAGEMENT_HOOKS:
        _ENGAGEMENT_HOOKS.append(hook)


def register_cycle_hook(hook: CycleHook) -> None:
    if hook not in _CYCLE_HOOKS:
        _CYCLE_HOOKS.append(hook)


def after_engagement_transition(
    session: Session, result: TransitionResult, actor: ActorRef, clock: Clock
) -> None:
    for hook in _ENGAGEMENT_HOOKS:
        hook(session, result, actor, clock)


def after_next_cycle(session: Session, previous_id: str, next_id: str, actor: ActorRef, clock: Clock) -> None:
    for hook in _CYCLE_HOOKS:
        hook(session, previous_id, next_id, actor, clock)
