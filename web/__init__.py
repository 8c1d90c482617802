"""The web interface for people (French, server-rendered, every action a plain HTML form), served by the
API's own application, which serves the routes of ``ROUTERS``; ``install`` adds the style sheet."""

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from gouvernance.web import admin, stakeholders
from gouvernance.web.pages import NotSignedIn, router

STATIC_PATH = "/statique"


# The pages' routers, in the order their routes are tried; the application serves their routes as they are.
ROUTERS: tuple[APIRouter, ...] = (router, stakeholders.router, admin.router)


def install(app: FastAPI) -> None:
    """What the pages need besides their routes (``ROUTERS``): the style sheet, and the sign-in redirect."""
    app.mount(STATIC_PATH, StaticFiles(directory=Path(__file__).parent / "static"), name="statique")

    async def sign_in_first(request: Request, _: Exception) -> RedirectResponse:
        return RedirectResponse("/connexion", status_code=303)

    app.add_exception_handler(NotSignedIn, sign_in_first)


__all__ = ["ROUTERS", "STATIC_PATH", "install"]
