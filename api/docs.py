"""The OpenAPI document (every route's permission and problem responses filled in) and Swagger UI served
from the installed swagger-ui-bundle, so /docs works without internet."""

import base64
import hashlib
import re
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from gouvernance.api.http import ERROR_DESCRIPTIONS
from gouvernance.api.permissions import Permission, Scope, api_routes, permission_of
from gouvernance.api.problems import PROBLEM_MEDIA_TYPE, TITLES, Problem

DESCRIPTION = """\
API du moteur de gouvernance partagée : modèles de processus, accompagnements, étapes, pièces,
chronologie.

- **Authentification** : `Authorization: Bearer <jeton>`. Les jetons se créent en ligne de commande :
  `gouvernance users add LOGIN --org ORG`, `gouvernance users grant LOGIN --role ROLE --org-wide`,
  `gouvernance tokens create LOGIN`. Chaque route déclare sa permission (`x-permission`).
- **Langue** : messages en français ; en anglais avec `Accept-Language: en`.
- **Concurrence** : l'ETag d'une étape est sa version (`"7"`). Un événement d'étape exige `If-Match` :
  absent, vide ou `*` → 428, illisible → 400, périmé → 409 avec l'état et la version actuels et leur
  `ETag`. Sur un accompagnement, `If-Match` est facultatif, mais s'il est envoyé, les mêmes règles valent.
- **Idempotence** : tout POST accepte `Idempotency-Key` ; la même clé renvoie la même réponse sans rien
  réécrire, la même clé avec une autre requête → 422 ; pendant que la première requête est en cours → 409
  `idempotency.in_progress` avec `Retry-After`. Choisissez une clé neuve par opération (un UUID).
- **Erreurs** : `application/problem+json` (RFC 9457), avec un `code` stable et les `reasons`
  (garde non satisfaite, champ invalide…).
"""

TAGS = [
    {"name": "Modèles de processus", "description": "Les parcours types, versionnés."},
    {"name": "Accompagnements", "description": "Lancer, suivre, suspendre, clôturer."},
    {"name": "Étapes", "description": "Où en est chaque étape, et la faire avancer."},
    {"name": "Pièces", "description": "Fichiers et liens joints aux étapes."},
    {"name": "Chronologie", "description": "L'historique, en ajout seul."},
    {"name": "Moi", "description": "Mes rôles et mes tâches."},
    {"name": "Santé", "description": "Sondes de vie et de disponibilité."},
]


KEY_IN_USE = "Conflit : une requête avec la même Idempotency-Key est en cours (réessayez après Retry-After)"


def _permission(route: APIRoute) -> Permission:
    found = [p for d in route.dependant.dependencies if (p := permission_of(d.call)) is not None]
    assert len(found) == 1, f"{route.path}: every route declares exactly one permission, found {len(found)}"
    return found[0]


def _problem(status: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or ERROR_DESCRIPTIONS.get(status) or TITLES.get(status, ("Erreur",))[0],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _document_operation(operation: dict[str, Any], permission: Permission) -> None:
    operation["x-permission"] = permission.describe()
    responses: dict[str, Any] = operation["responses"]
    statuses = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
    statuses |= set(permission.error_statuses) | {500}
    if "requestBody" in operation:
        statuses |= {400, 413}  # an unreadable body (not UTF-8…), a body over the size limit
    if permission.scope is not Scope.PUBLIC:
        statuses.add(503)  # the database is unreachable (a public route that needs it declares it itself)
    if any(parameter["name"] == "Idempotency-Key" for parameter in operation.get("parameters", [])):
        responses.setdefault("409", {"description": KEY_IN_USE})
        statuses.add(409)
    for status in sorted(statuses):
        description = responses.get(str(status), {}).get("description")
        responses[str(status)] = _problem(status, None if description == "Validation Error" else description)


def build_openapi(app: FastAPI, routers: Sequence[APIRouter]) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
    )
    for route in api_routes(app, routers):
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        permission = _permission(route)
        for method in route.methods or ():
            _document_operation(document["paths"][route.path_format][method.lower()], permission)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    return document


def install(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, routers)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        page = _SWAGGER_PAGE.replace("{root}", root)
        return HTMLResponse(page, headers={"Content-Security-Policy": swagger_policy(page)})

    app.add_route("/docs", swagger_ui, include_in_schema=False)


def swagger_policy(page: str) -> str:
    """The page's own inline script (by its hash) and the application's assets; nothing from elsewhere.
    Swagger UI sets inline styles and shows data: images, and "Try it out" calls the API itself."""
    inline = re.search(r"<script>(.*?)</script>", page, re.DOTALL)
    assert inline is not None
    digest = base64.b64encode(hashlib.sha256(inline[1].encode()).digest()).decode()
    return (
        f"default-src 'none'; script-src 'self' 'sha256-{digest}'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


_SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gouvernance — documentation de l'API</title>
<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="{root}/docs/assets/favicon-32x32.png">
</head>
<body>
<main id="swagger-ui"></main>
<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: "{root}/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout"
});
</script>
</body>
</html>
"""
