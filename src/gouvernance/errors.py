"""Errors users can read: every domain error carries a stable code, French and English text, and where it
applies the offending field or path. The API maps them to problem+json and the CLI prints them as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """One reason, in both languages, with a machine-readable code."""

    code: str
    fr: str
    en: str
    path: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.text(lang)}
        if self.path is not None:
            data["path"] = self.path
        if self.details:
            data["details"] = self.details
        return data


class DomainError(Exception):
    """Base class: a refusal or a problem the user can act on. Never a bug."""

    status = 400  # the HTTP status the API answers with; the domain does not depend on HTTP otherwise

    def __init__(self, message: Message, *, reasons: list[Message] | None = None) -> None:
        super().__init__(message.fr)
        self.message = message
        self.reasons = reasons or []

    @property
    def code(self) -> str:
        return self.message.code

    def text(self, lang: str = "fr") -> str:
        return self.message.text(lang)


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """A stale version (optimistic locking) or a uniqueness clash: nothing was written."""

    status = 409


class Forbidden(DomainError):
    status = 403


class TransitionRefused(DomainError):
    """The state machine or a guard said no. ``reasons`` lists every rule that refused, not just the first."""

    status = 422


class InvalidInput(DomainError):
    status = 422
