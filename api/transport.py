"""What every response carries and how long a request body may stall, as pure ASGI middleware.

- A request body whose next piece does not come within ``body_timeout_seconds`` is answered 408 and the
  connection closed: uvicorn itself waits for a body for ever (its ``timeout_keep_alive`` only covers idle
  connections between requests).
- Every response carries ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``; an HTML
  response that set no ``Content-Security-Policy`` gets one that runs no script and loads nothing but
  inline styles and ``data:`` images (the deliverables' HTML). /docs sets its own (``docs.py``)."""

import asyncio

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gouvernance.errors import Message as DomainMessage

BODY_STALLED = DomainMessage(
    "request.timeout",
    "Le corps de la requête n'est pas arrivé à temps : renvoyez la requête.",
    "The request body did not arrive in time: send the request again.",
)
HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


class BodyStalled(HTTPException):
    def __init__(self) -> None:
        super().__init__(408, BODY_STALLED.en, headers={"Connection": "close"})
        self.problem = BODY_STALLED


class BodyTimeout:
    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        body_complete = False

        async def timed_receive() -> Message:
            nonlocal body_complete
            if body_complete:  # what follows is waiting for a disconnect, however long the response takes
                return await receive()
            try:
                async with asyncio.timeout(self.seconds):
                    message = await receive()
            except TimeoutError:
                raise BodyStalled() from None  # FastAPI lets HTTPExceptions through: a 408 problem
            body_complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, timed_receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", HTML_POLICY)
            await send(message)

        await self.app(scope, receive, with_headers)
