"""Who acts: a login and the roles it holds in the engagement at hand."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_LOGIN = "gouvernance"
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class ActorRef:
    login: str
    roles: frozenset[str]

    @classmethod
    def of(cls, login: str, *roles: str) -> ActorRef:
        return cls(login, frozenset(roles))

    @classmethod
    def system(cls) -> ActorRef:
        return cls(SYSTEM_LOGIN, frozenset({SYSTEM_ROLE}))

    @property
    def is_system(self) -> bool:
        return SYSTEM_ROLE in self.roles
