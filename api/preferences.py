"""The caller's notification preferences: e-mail address, language, and how notifications reach them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict
from sqlalchemy.orm import Session

from gouvernance.api.dependencies import ContextDep
from gouvernance.api.http import errors, json_response
from gouvernance.api.inputs import SafeText
from gouvernance.api.permissions import Access, MeAccess, Permission, Scope, requires
from gouvernance.api.writes import WritesDep
from gouvernance.notifications.preferences import Delivery, Language, Preferences
from gouvernance.notifications.preferences import preferences_of as read_preferences
from gouvernance.notifications.preferences import set_preferences as write_preferences

WRITE_PREFERENCES = Permission("me.preferences.write", Scope.AUTHENTICATED)
PreferencesWriteAccess = Annotated[Access, Depends(requires(WRITE_PREFERENCES))]

router = APIRouter(prefix="/me", tags=["Moi"])

_EXAMPLE: JsonDict = {"email": "julien.robert@val-fleuri.fr", "language": "fr", "delivery": "daily_digest"}


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    email: SafeText | None = Field(
        max_length=254, description="Adresse des courriels de notification ; null : aucun courriel."
    )
    language: Language = Field(default="fr", description="Langue des messages : fr ou en.")
    delivery: Delivery = Field(
        default="immediate",
        description="immediate : un courriel par notification ; daily_digest : un récapitulatif par jour ; "
        "none : dans l'application seulement.",
    )


class PreferencesOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    email: str | None
    language: Language
    delivery: Delivery


def _out(preferences: Preferences) -> PreferencesOut:
    return PreferencesOut.model_validate(preferences, from_attributes=True)


@router.get("/preferences", summary="Mes préférences de notification")
def get_preferences(access: MeAccess, context: ContextDep) -> PreferencesOut:
    with context.db.reading() as session:
        return _out(read_preferences(session, access.user.login))


@router.put(
    "/preferences",
    summary="Changer mes préférences de notification (toutes à la fois)",
    responses=errors(422),
)
def put_preferences(
    body: PreferencesIn, access: PreferencesWriteAccess, writes: WritesDep, context: ContextDep
) -> Response:
    def work(session: Session) -> Response:
        saved = write_preferences(
            session, access.user.login, preferences=Preferences(body.email, body.language, body.delivery)
        )
        return json_response(_out(saved))

    return writes.run(access.user.login, body.model_dump(mode="json"), work)
