"""Process models: the journeys engagements are launched from, as the catalogue holds them."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from gouvernance.api.dependencies import ContextDep, LangDep
from gouvernance.api.http import errors
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import Access, Permission, ProcessModelsAccess, Scope, requires
from gouvernance.spec.catalog import Catalog
from gouvernance.spec.diagram import mermaid
from gouvernance.spec.diagram_svg import svg
from gouvernance.spec.json_schema import template_schema
from gouvernance.spec.schema import Localized, ProcessModel, StepSpec


class ProcessModelSummary(BaseModel):
    key: str
    version: int = Field(description="The latest version.")
    versions: list[int]
    title: str
    description: str | None
    stages_count: int
    steps_count: int


class RoleOut(BaseModel):
    key: str
    title: str
    description: str | None


class ParameterOut(BaseModel):
    key: str
    type: str
    title: str
    description: str | None
    default: Any = None
    required: bool
    choices: list[str]
    minimum: int | float | None = Field(default=None, description="Integer and number parameters: the least.")
    maximum: int | float | None = Field(default=None, description="Integer and number parameters: the most.")


class DeliverableOut(BaseModel):
    key: str
    title: str
    formats: list[str]


class GuardDescription(BaseModel):
    rule: str
    on: list[str] = Field(description="The events the guard applies to.")
    description: str


class StepSpecOut(BaseModel):
    key: str
    title: str
    description: str | None
    kind: str
    role: str
    reviewer: str
    duration_days: int
    after: list[str]
    skippable: bool
    sends_back: list[str]
    produces: list[str]
    requires: list[str]
    guards: list[GuardDescription]


class StageSpecOut(BaseModel):
    key: str
    title: str
    description: str | None
    after: list[str]
    steps: list[StepSpecOut]


class ProcessModelOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "gouvernance-partagee",
                    "version": 1,
                    "versions": [1],
                    "title": "Accompagnement à la gouvernance partagée",
                    "description": "Parcours complet d'accompagnement…",
                    "default_reviewer": "chef_de_projet",
                    "reopen_roles": ["consultant", "chef_de_projet"],
                    "roles": [{"key": "consultant", "title": "Consultant·e", "description": None}],
                    "parameters": [],
                    "deliverables": [],
                    "stages": [],
                }
            ]
        }
    )

    key: str
    version: int
    versions: list[int]
    title: str
    description: str | None
    default_reviewer: str
    reopen_roles: list[str]
    roles: list[RoleOut]
    parameters: list[ParameterOut]
    deliverables: list[DeliverableOut]
    stages: list[StageSpecOut]


router = APIRouter(prefix="/process-models", tags=["Modèles de processus"])

ModelKey = Annotated[
    SafeText, Path(max_length=80, description="Clé du modèle.", examples=["gouvernance-partagee"])
]
Version = Annotated[int, Path(ge=1, le=1_000_000, description="Version du modèle.")]


def _text(value: Localized | None, lang: str) -> str | None:
    return value.text(lang) if value is not None else None


def _step(model: ProcessModel, step: StepSpec, lang: str) -> StepSpecOut:
    return StepSpecOut(
        key=step.key,
        title=step.title.text(lang),
        description=_text(step.description, lang),
        kind=step.kind,
        role=step.role,
        reviewer=model.reviewer_of(step),
        duration_days=step.duration.days,
        after=list(step.after),
        skippable=step.skippable,
        sends_back=list(step.sends_back),
        produces=list(step.deliverables.produces),
        requires=list(step.deliverables.requires),
        guards=[
            GuardDescription(rule=g.rule, on=list(g.on), description=g.describe().text(lang))
            for g in step.compiled_guards
        ],
    )


def model_out(catalog: Catalog, model: ProcessModel, lang: str) -> ProcessModelOut:
    return ProcessModelOut(
        key=model.key,
        version=model.version,
        versions=catalog.versions(model.key),
        title=model.title.text(lang),
        description=_text(model.description, lang),
        default_reviewer=model.default_reviewer,
        reopen_roles=list(model.reopen_roles),
        roles=[
            RoleOut(key=r.key, title=r.title.text(lang), description=_text(r.description, lang))
            for r in model.roles
        ],
        parameters=[
            ParameterOut(
                key=p.key,
                type=p.type,
                title=p.title.text(lang),
                description=_text(p.description, lang),
                default=p.default,
                required=p.required,
                choices=list(p.choices),
                minimum=p.minimum,
                maximum=p.maximum,
            )
            for p in model.parameters
        ],
        deliverables=[
            DeliverableOut(key=d.key, title=d.title.text(lang), formats=list(d.formats))
            for d in model.deliverables
        ],
        stages=[
            StageSpecOut(
                key=stage.key,
                title=stage.title.text(lang),
                description=_text(stage.description, lang),
                after=list(stage.after),
                steps=[_step(model, step, lang) for step in stage.steps],
            )
            for stage in model.stages
        ],
    )


TEMPLATE_SCHEMA = Permission("process_models.schema", Scope.PUBLIC)
SchemaAccess = Annotated[Access, Depends(requires(TEMPLATE_SCHEMA))]


@router.get(
    "/schema.json",
    summary="Le schéma JSON du format des modèles, pour les éditeurs",
    description="Public (comme le format lui-même) : un éditeur y valide et complète un modèle pendant "
    "la saisie, règles de garde comprises. Aussi : `gouvernance models schema`.",
    response_class=JSONResponse,
    responses={200: {"content": {"application/schema+json": {"schema": {"type": "object"}}}}},
)
def template_format_schema(access: SchemaAccess) -> JSONResponse:
    return JSONResponse(template_schema(), media_type="application/schema+json")


@router.get("", summary="Liste des modèles de processus (dernière version de chacun)")
def list_process_models(
    access: ProcessModelsAccess, context: ContextDep, lang: LangDep
) -> list[ProcessModelSummary]:
    catalog = context.catalog
    return [
        ProcessModelSummary(
            key=model.key,
            version=model.version,
            versions=catalog.versions(model.key),
            title=model.title.text(lang),
            description=_text(model.description, lang),
            stages_count=len(model.stages),
            steps_count=len(model.steps_by_key),
        )
        for model in catalog.latest()
    ]


@router.get("/{key}", summary="Un modèle, dans sa dernière version", responses=errors(404))
def get_process_model(
    key: ModelKey, access: ProcessModelsAccess, context: ContextDep, lang: LangDep
) -> ProcessModelOut:
    return model_out(context.catalog, context.catalog.get(key), lang)


@router.get("/{key}/versions/{version}", summary="Une version précise d'un modèle", responses=errors(404))
def get_process_model_version(
    key: ModelKey, version: Version, access: ProcessModelsAccess, context: ContextDep, lang: LangDep
) -> ProcessModelOut:
    return model_out(context.catalog, context.catalog.get(key, version), lang)


@router.get(
    "/{key}/diagram",
    summary="Le diagramme Mermaid du modèle",
    response_class=PlainTextResponse,
    responses={
        200: {
            "content": {
                "text/plain": {"schema": {"type": "string"}, "example": "flowchart TD\n  subgraph …\n"}
            },
            "description": "Texte Mermaid (flowchart) : phases en sous-graphes, reprises en pointillés.",
        },
        **errors(404),
    },
)
def get_process_model_diagram(
    key: ModelKey,
    access: ProcessModelsAccess,
    context: ContextDep,
    lang: LangDep,
    version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="Dernière version si absent.")
    ] = None,
) -> PlainTextResponse:
    return PlainTextResponse(mermaid(context.catalog.get(key, version), lang))


@router.get(
    "/{key}/diagram.svg",
    summary="Le diagramme SVG du modèle",
    response_class=Response,
    responses={
        200: {
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            "description": "Image SVG : graphe des phases, puis les étapes de chaque phase.",
        },
        **errors(404),
    },
)
def get_process_model_diagram_svg(
    key: ModelKey,
    access: ProcessModelsAccess,
    context: ContextDep,
    lang: LangDep,
    version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="Dernière version si absent.")
    ] = None,
) -> Response:
    return Response(svg(context.catalog.get(key, version), lang), media_type="image/svg+xml")
