"""Idempotency keys: the first successful response to (principal, key) is stored in the same transaction as
the writes it reports, and a retry gets it back without writing anything. The same key with a different
request is refused, so a client bug cannot silently replay the wrong answer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.errors import InvalidInput, Message
from gouvernance.idempotency.records import IdempotencyRow

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: dict[str, str]
    body: str


def fingerprint(method: str, path: str, body: Any) -> str:
    """A digest of what the request asks for: its method, path and (parsed, canonical) body."""
    canonical = json.dumps(
        {"method": method.upper(), "path": path, "body": body},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> None:
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            Message(
                "idempotency.key_invalid",
                f"clé d'idempotence invalide (1 à {MAX_KEY_LENGTH} caractères)",
                f"invalid idempotency key (1 to {MAX_KEY_LENGTH} characters)",
                path="Idempotency-Key",
            )
        )


def replay(session: Session, *, principal: str, key: str, request_sha256: str) -> StoredResponse | None:
    """The stored response for (principal, key); None if the key is new. Raises InvalidInput when the key
    was used for a different request."""
    row = session.scalar(
        select(IdempotencyRow).where(IdempotencyRow.principal == principal, IdempotencyRow.key == key)
    )
    if row is None:
        return None
    if row.request_sha256 != request_sha256:
        raise InvalidInput(
            Message(
                "idempotency.key_reused",
                "Cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé.",
                "This idempotency key was already used for a different request: use a new key.",
                path="Idempotency-Key",
                details={"first_used_for": f"{row.method} {row.path}"},
            )
        )
    return StoredResponse(row.status_code, dict(row.headers), row.body)


def remember(
    session: Session,
    *,
    principal: str,
    key: str,
    method: str,
    path: str,
    request_sha256: str,
    response: StoredResponse,
    now: datetime,
) -> None:
    """Stores the response; the unique (principal, key) makes a concurrent duplicate fail at flush."""
    session.add(
        IdempotencyRow(
            principal=principal,
            key=key,
            method=method.upper(),
            path=path[:500],
            request_sha256=request_sha256,
            status_code=response.status_code,
            headers=response.headers,
            body=response.body,
            created_at=now,
        )
    )
    session.flush()
