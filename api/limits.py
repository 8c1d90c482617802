"""Request bodies are bounded before anything reads them: a file upload may carry the evidence size limit
(plus its multipart envelope), any other body 1 MiB. Over the limit: 413 problem+json."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gouvernance.api.problems import problem_response
from gouvernance.errors import Message as DomainMessage

MAX_JSON_BYTES = 1024 * 1024
_MULTIPART_ENVELOPE = 64 * 1024

TOO_LARGE = DomainMessage(
    "request.too_large",
    "Corps de requête trop volumineux",
    "Request body too large",
)


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, TOO_LARGE.en)
        self.problem = TOO_LARGE


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes + _MULTIPART_ENVELOPE

    def _limit(self, scope: Scope) -> tuple[int, int | None]:
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/")
        length = headers.get(b"content-length", b"")
        return (self.max_upload_bytes if multipart else MAX_JSON_BYTES), (
            int(length) if length.isdigit() else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, declared = self._limit(scope)
        if declared is not None and declared > limit:
            response = problem_response(Request(scope), 413, TOO_LARGE)
            await response(scope, receive, send)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()  # FastAPI lets HTTPExceptions through: answered as a 413 problem
            return message

        await self.app(scope, bounded_receive, send)
