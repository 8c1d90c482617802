"""The stakeholder register of an engagement over HTTP, one router per aggregate: the register and contact
details (``register``), the CSV import (``importing``), ``relations``, the consultation log
(``consultations``), and what the register tells (``reports``: exports, analysis, pictures). Each module holds
its routes and the schemas they take and return; ``access`` holds the permissions they share.

Contact details are personal data: they are only returned, or exported, when asked for explicitly, and only
to the engagement's leads; they can be erased."""

from fastapi import APIRouter

from gouvernance.api.stakeholders import consultations, importing, register, relations, reports

# One router of the aggregates' routes, as they are (prefix and tags included), rather than routers included
# in a router: the OpenAPI document and the permission checks read the routes of the routers the app
# includes. Routes are tried in order: the fixed paths (/stakeholders/export, /stakeholders/import) come
# before /stakeholders/{stakeholder_id}, which would otherwise take them.
router = APIRouter(
    routes=[
        route
        for part in (reports, importing, register, relations, consultations)
        for route in part.router.routes
    ]
)
