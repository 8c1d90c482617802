"""Idempotency keys: the first successful response to (principal, key) is stored in the same transaction as
the writes it reports, and a retry gets it back without writing anything. The same key with a different
request is refused, so a client bug cannot silently replay the wrong answer.

Simultaneous retries: the first request claims the key in a short transaction of its own (``claim``), so
the others see it is in progress and wait for its response rather than racing it to the same writes. The
claimant stores its response over the claim (``settle``) or, if it fails, removes the claim (``release``).
A claim older than ``CLAIM_SECONDS`` was left by a request that died: another request may take it over."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gouvernance.db.upsert import insert_ignoring_duplicates
from gouvernance.errors import InvalidInput, Message
from gouvernance.idempotency.records import CLAIMED, IdempotencyRow

MAX_KEY_LENGTH = 255
# Longer than any write request takes: a claim this old belongs to a request that is no more.
CLAIM_SECONDS = 60


@dataclass(frozen=True)
class Claim:
    """The right to do the work of (principal, key): the token proves the claim is still this request's."""

    principal: str
    key: str
    token: str


@dataclass(frozen=True)
class InProgress:
    """Another request holds the claim; ``abandoned`` once it is old enough to be taken over."""

    abandoned: bool


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


def _row(session: Session, principal: str, key: str) -> IdempotencyRow | None:
    return session.scalar(
        select(IdempotencyRow).where(IdempotencyRow.principal == principal, IdempotencyRow.key == key)
    )


def find(
    session: Session, *, principal: str, key: str, request_sha256: str, now: datetime
) -> StoredResponse | InProgress | None:
    """What (principal, key) holds: a stored response, a claim in progress, or nothing (None). Raises
    InvalidInput when the key was used for a different request."""
    row = _row(session, principal, key)
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
    if row.status_code == CLAIMED:
        return InProgress(abandoned=row.created_at <= now - timedelta(seconds=CLAIM_SECONDS))
    return StoredResponse(row.status_code, dict(row.headers), row.body)


def claim(
    session: Session, *, principal: str, key: str, method: str, path: str, request_sha256: str, now: datetime
) -> Claim | StoredResponse | InProgress:
    """Claims (principal, key) for this request, in a transaction of its own so that the claim shows at once.
    Returns what is there instead when another request got it first (an abandoned claim is taken over)."""
    token = secrets.token_hex(16)
    inserted = session.scalar(
        insert_ignoring_duplicates(session, IdempotencyRow)
        .values(
            principal=principal,
            key=key,
            method=method.upper(),
            path=path[:500],
            request_sha256=request_sha256,
            status_code=CLAIMED,
            headers={},
            body=token,
            created_at=now,
        )
        .returning(IdempotencyRow.id)
    )
    if inserted is not None:
        return Claim(principal, key, token)
    found = find(session, principal=principal, key=key, request_sha256=request_sha256, now=now)
    if found is None:  # released between our insert and our read: ask again
        return InProgress(abandoned=False)
    if not (isinstance(found, InProgress) and found.abandoned):
        return found
    taken = session.scalar(
        update(IdempotencyRow)
        .where(
            *_claimed_by(principal, key), IdempotencyRow.created_at <= now - timedelta(seconds=CLAIM_SECONDS)
        )
        .values(body=token, created_at=now)
        .returning(IdempotencyRow.id)
        .execution_options(synchronize_session=False)
    )
    return Claim(principal, key, token) if taken is not None else InProgress(abandoned=False)


def settle(session: Session, claim: Claim, response: StoredResponse, *, now: datetime) -> bool:
    """Stores the response over the claim, in the transaction of the writes it reports. False if the claim
    is no longer this request's (taken over after it was thought abandoned): the caller must roll back."""
    stored = session.scalar(
        update(IdempotencyRow)
        .where(*_claimed_by(claim.principal, claim.key), IdempotencyRow.body == claim.token)
        .values(
            status_code=response.status_code, headers=response.headers, body=response.body, created_at=now
        )
        .returning(IdempotencyRow.id)
        .execution_options(synchronize_session=False)
    )
    return stored is not None


def release(session: Session, claim: Claim) -> None:
    """Removes the claim of a request that failed: nothing was written, so a retry may do the work."""
    session.execute(
        delete(IdempotencyRow)
        .where(*_claimed_by(claim.principal, claim.key), IdempotencyRow.body == claim.token)
        .execution_options(synchronize_session=False)
    )


def _claimed_by(principal: str, key: str) -> tuple[Any, ...]:
    return (
        IdempotencyRow.principal == principal,
        IdempotencyRow.key == key,
        IdempotencyRow.status_code == CLAIMED,
    )
