"""One transaction per write request, with ``Idempotency-Key`` handled around it.

With a key, the first successful response is stored in the same transaction as the writes it reports; a
retry gets that response back (header ``Idempotent-Replayed: true``) and writes nothing. Failed requests
write nothing and store nothing, so retrying them is safe. The same key with a different request is
refused (422). Two concurrent requests with one key: the unique (principal, key) lets one commit; the
other's transaction rolls back and it answers with the stored response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.idempotency.service import (
    MAX_KEY_LENGTH,
    StoredResponse,
    check_key,
    fingerprint,
    remember,
    replay,
)

REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("location", "etag", "content-type", "content-language")


class Writes:
    def __init__(self, request: Request, context: ContextDep, key: str | None) -> None:
        self.request, self.context, self.key = request, context, key

    def run(self, principal: str, request_body: Any, work: Callable[[Session], Response]) -> Response:
        """Runs ``work`` in one write transaction; ``request_body`` is what identifies the request (parsed
        and canonical, so that a retry encoded differently is still the same request)."""
        if self.key is None:
            with self.context.write_lock, self.context.db.transaction() as session:
                return work(session)
        check_key(self.key)
        digest = fingerprint(self.request.method, self.request.url.path, request_body)
        try:
            with self.context.write_lock, self.context.db.transaction() as session:
                stored = replay(session, principal=principal, key=self.key, request_sha256=digest)
                if stored is not None:
                    return _replayed(stored)
                response = work(session)
                if 200 <= response.status_code < 300:
                    remember(
                        session,
                        principal=principal,
                        key=self.key,
                        method=self.request.method,
                        path=self.request.url.path,
                        request_sha256=digest,
                        response=_stored(response),
                        now=self.context.clock.now(),
                    )
                return response
        except IntegrityError:
            with self.context.db.reading() as session:
                stored = replay(session, principal=principal, key=self.key, request_sha256=digest)
            if stored is None:
                raise
            return _replayed(stored)


def _stored(response: Response) -> StoredResponse:
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    return StoredResponse(response.status_code, headers, bytes(response.body).decode())


def _replayed(stored: StoredResponse) -> Response:
    headers = {name: value for name, value in stored.headers.items() if name != "content-type"}
    return Response(
        stored.body.encode(),
        status_code=stored.status_code,
        headers={**headers, REPLAYED_HEADER: "true"},
        media_type=stored.headers.get("content-type", "application/json"),
    )


async def get_writes(
    request: Request,
    context: ContextDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=MAX_KEY_LENGTH,
            description="Clé unique choisie par le client (ex. un UUID) : une nouvelle tentative avec la "
            "même clé renvoie la même réponse sans rien réécrire.",
            examples=["5f0c7b3e-2d4a-4c1e-9a53-0b7d1f0e8c21"],
        ),
    ] = None,
) -> Writes:
    return Writes(request, context, idempotency_key)


WritesDep = Annotated[Writes, Depends(get_writes)]
