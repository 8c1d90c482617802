"""One transaction per write request, with ``Idempotency-Key`` handled around it.

With a key, the first successful response is stored in the same transaction as the writes it reports; a
retry gets that response back (header ``Idempotent-Replayed: true``) and writes nothing. Failed requests
write nothing and store nothing, so retrying them is safe. The same key with a different request is
refused (422).

Simultaneous requests with one key: the first claims the key before it starts; the others wait up to
``WAIT_SECONDS`` for its response and replay it, or, if it is still at work, get 409
``idempotency.in_progress`` with ``Retry-After``. They never race it to the same writes (which would give
them a 409 of the domain: duplicate id, stale version).
"""

import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.problems import problem_response
from gouvernance.errors import Message
from gouvernance.idempotency.service import (
    MAX_KEY_LENGTH,
    Claim,
    InProgress,
    StoredResponse,
    check_key,
    claim,
    find,
    fingerprint,
    release,
    settle,
)

REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("location", "etag", "content-type", "content-language")
# How long a request waits for another one holding its key, and how often it looks. Short: it waits in
# one of the few threads of the API (``api_threads``).
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05
IN_PROGRESS = Message(
    "idempotency.in_progress",
    "Une requête avec cette clé d'idempotence est en cours : réessayez dans un instant.",
    "A request with this idempotency key is in progress: retry in a moment.",
    path="Idempotency-Key",
)


class _ClaimTakenOver(Exception):
    """Rolls the work back: the claim on its key is no longer this request's."""


class Writes:
    """``stored``: the statuses whose response is kept for a retry (successes; the web pages also keep their
    redirection after a successful form). ``in_progress``: the answer while another request holds the key
    (problem+json by default; a page for people)."""

    def __init__(
        self,
        request: Request,
        context: ContextDep,
        key: str | None,
        *,
        stored: range = range(200, 300),
        in_progress: Callable[[], Response] | None = None,
    ) -> None:
        self.request, self.context, self.key = request, context, key
        self.stored = stored
        self.in_progress = in_progress or self._in_progress

    def run(self, principal: str, request_body: Any, work: Callable[[Session], Response]) -> Response:
        """Runs ``work`` in one write transaction; ``request_body`` is what identifies the request (parsed
        and canonical, so that a retry encoded differently is still the same request)."""
        if self.key is None:
            with self.context.write_lock, self.context.db.transaction() as session:
                return work(session)
        check_key(self.key)
        digest = fingerprint(self.request.method, self.request.url.path, request_body)
        outcome = self._claim_or_wait(principal, self.key, digest)
        if isinstance(outcome, StoredResponse):
            return _replayed(outcome)
        if isinstance(outcome, InProgress):
            return self.in_progress()
        settled = False
        try:
            with self.context.write_lock, self.context.db.transaction() as session:
                response = work(session)
                if response.status_code in self.stored:
                    settled = settle(session, outcome, _stored(response), now=self.context.clock.now())
                    if not settled:
                        raise _ClaimTakenOver
                return response
        except _ClaimTakenOver:
            # Taken over as abandoned while we worked: the other request's writes stand, ours roll back.
            return self.in_progress()
        finally:
            if not settled:
                self._release(outcome)

    def _claim_or_wait(self, principal: str, key: str, digest: str) -> Claim | StoredResponse | InProgress:
        deadline = time.monotonic() + WAIT_SECONDS
        outcome = self._claim(principal, key, digest)
        while isinstance(outcome, InProgress) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            with self.context.db.reading() as session:
                now = self.context.clock.now()
                seen = find(session, principal=principal, key=key, request_sha256=digest, now=now)
            if seen is None or (isinstance(seen, InProgress) and seen.abandoned):
                outcome = self._claim(principal, key, digest)
            else:
                outcome = seen
        return outcome

    def _claim(self, principal: str, key: str, digest: str) -> Claim | StoredResponse | InProgress:
        with self.context.write_lock, self.context.db.transaction() as session:
            return claim(
                session,
                principal=principal,
                key=key,
                method=self.request.method,
                path=self.request.url.path,
                request_sha256=digest,
                now=self.context.clock.now(),
            )

    def _release(self, outcome: Claim) -> None:
        with self.context.write_lock, self.context.db.transaction() as session:
            release(session, outcome)

    def _in_progress(self) -> Response:
        return problem_response(self.request, 409, IN_PROGRESS, headers={"Retry-After": "1"})


def _stored(response: Response) -> StoredResponse:
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    return StoredResponse(response.status_code, headers, bytes(response.body).decode())


def _replayed(stored: StoredResponse) -> Response:
    headers = {name: value for name, value in stored.headers.items() if name != "content-type"}
    return Response(
        stored.body.encode(),
        status_code=stored.status_code,
        headers={**headers, REPLAYED_HEADER: "true"},
        media_type=stored.headers.get("content-type"),  # none stored: none sent (a redirection, a 204)
    )


async def get_writes(
    request: Request,
    context: ContextDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=MAX_KEY_LENGTH,
            # No example: Swagger UI would fill it in, and every trial of every route would share it.
            description="Clé unique choisie par le client pour cette opération (un UUID neuf, par "
            "exemple) : une nouvelle tentative avec la même clé renvoie la même réponse sans rien "
            "réécrire ; si la première requête est encore en cours, 409 avec Retry-After.",
        ),
    ] = None,
) -> Writes:
    return Writes(request, context, idempotency_key)


WritesDep = Annotated[Writes, Depends(get_writes)]
