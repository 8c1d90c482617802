"""A write form sent twice writes once. Each write form carries a one-time id (hidden field ``soumission``,
made when the page is rendered: ``nouvelle_soumission()`` in the templates); its POST handler runs its write
through ``once``, which keys the API's idempotency store (``Idempotency-Key``) by the person and that id.

The first successful answer (the redirection to the result) is stored in the transaction of the writes it
reports. The same form sent again (a double click, a browser re-posting after a slow answer, « renvoyer le
formulaire » after the back button) gets that redirection again and writes nothing, instead of a stale-version
« conflict » with the person's own change or a second comment. A refused form stores nothing and is shown
again with a new id. A form without an id (a page rendered before this) writes as before."""

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gouvernance.api.writes import Writes
from gouvernance.errors import InvalidInput, Message
from gouvernance.web.session import Visitor, api_context, render

FIELD = "soumission"
MAX_LENGTH = 100
# Apart from the keys API clients choose for the same person.
KEY_PREFIX = "web-form:"
SUCCESS_OR_REDIRECTION = range(200, 400)

STILL_SENDING = Message(
    "web.submission_in_progress",
    "Ce formulaire est déjà en cours d'envoi\u00a0: patientez un instant, puis rechargez la page pour voir "
    "le résultat. Rien n'a été enregistré deux fois.",
    "This form is already being sent: wait a moment, then reload the page to see the result.",
)
SENT_ELSEWHERE = Message(
    "web.submission_reused",
    "Ce formulaire a déjà servi pour une autre action\u00a0: rechargez la page, puis réessayez.",
    "This form was already used for another action: reload the page, then try again.",
)


def once(
    request: Request, visitor: Visitor, submission: str | None, work: Callable[[Session], Response]
) -> Response:
    """Runs ``work`` in one write transaction, once per (person, ``submission``): a form sent again gets
    the first successful answer back. ``work``'s domain errors go through to the handler (nothing stored)."""
    context = api_context(request)
    key = KEY_PREFIX + submission.strip() if submission and submission.strip() else None
    writes = Writes(
        request,
        context,
        key,
        stored=SUCCESS_OR_REDIRECTION,
        in_progress=lambda: _message_page(request, visitor, 409, "Envoi en cours", STILL_SENDING),
    )
    try:
        return writes.run(visitor.principal.login, None, work)
    except InvalidInput as error:
        if not error.message.code.startswith("idempotency."):
            raise
        return _message_page(request, visitor, 422, "Formulaire déjà envoyé", SENT_ELSEWHERE)


def _message_page(request: Request, visitor: Visitor, status: int, title: str, message: Message) -> Response:
    return render(
        request, "probleme.html", {"titre": title, "message": message.fr}, status=status, visitor=visitor
    )


__all__ = ["FIELD", "MAX_LENGTH", "once"]
