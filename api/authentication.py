"""Who is calling, without a database round trip on every request.

Principals are cached per token digest for a few seconds (a new grant or a revoked token takes effect within
``ttl_seconds``); an engagement's owning organisation never changes, so it is cached for good. Both caches
are bounded and belong to one application instance."""

import time
from collections.abc import Callable
from threading import Lock

from sqlalchemy import select

from gouvernance.access.service import Principal, authenticate, is_feed_token, token_digest
from gouvernance.db.engine import Database
from gouvernance.engagements.records import EngagementRow

MAX_ENTRIES = 10_000
# (principal or None, whether the engagement exists, its owning organisation)
Identity = tuple[Principal | None, bool, str | None]


class Authenticator:
    def __init__(
        self, db: Database, *, ttl_seconds: float = 5.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.db, self.ttl_seconds, self.now = db, ttl_seconds, now
        self._principals: dict[str, tuple[float, Principal]] = {}
        self._owners: dict[str, str | None] = {}
        self._lock = Lock()

    def cached(
        self, token: str, engagement_id: str | None = None
    ) -> tuple[Principal | None, bool, str | None]:
        """(principal, owner known, owner) from the caches alone; None / False where a read is needed."""
        entry = self._principals.get(token_digest(token))
        principal = entry[1] if entry is not None and entry[0] > self.now() else None
        if engagement_id is None:
            return principal, True, None
        known = engagement_id in self._owners
        return principal, known, self._owners.get(engagement_id)

    def forget(self, login: str) -> None:
        """Drops the cached principals of ``login`` (a deleted account): its tokens are read again."""
        with self._lock:
            for digest in [d for d, (_, p) in self._principals.items() if p.login == login]:
                del self._principals[digest]

    def load(self, token: str, engagement_id: str | None = None) -> Identity:
        """Reads what the caches lack, in one read transaction. ``owner known`` is False for an engagement
        that does not exist. Which kind of token is wanted was checked by the caller (``identify``)."""
        with self.db.reading() as session:
            principal = authenticate(session, token, feed=is_feed_token(token))
            owner_row = (
                session.execute(
                    select(EngagementRow.organisation_id).where(EngagementRow.id == engagement_id)
                ).first()
                if engagement_id is not None
                else None
            )
        with self._lock:
            if len(self._principals) >= MAX_ENTRIES:
                self._principals.clear()
            if len(self._owners) >= MAX_ENTRIES:
                self._owners.clear()
            if principal is not None and self.ttl_seconds > 0:
                self._principals[token_digest(token)] = (self.now() + self.ttl_seconds, principal)
            if owner_row is not None:
                self._owners[str(engagement_id)] = owner_row[0]
        if engagement_id is None:
            return principal, True, None
        return principal, owner_row is not None, owner_row[0] if owner_row is not None else None
