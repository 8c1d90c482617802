"""Small hand-built stakeholder maps whose answers are known, and a small register in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database
from gouvernance.engagements.actors import ActorRef
from gouvernance.spec.schema import ProcessModel
from gouvernance.spec.validation import load_model_file
from gouvernance.stakeholders import consultations, importing, register_service, relations
from gouvernance.stakeholders.records import RelationData, StakeholderData


def person(identifier: str, power: int = 2, interest: int = 2, **fields: Any) -> StakeholderData:
    """A stakeholder with defaults that make it nobody in particular (surveiller, no salience)."""
    values: dict[str, Any] = {
        "name": identifier.capitalize(),
        "kind": "personne",
        "category": "habitant_usager",
        "power": power,
        "interest": interest,
    }
    values.update(fields)
    return StakeholderData(id=identifier, **values)


def tie(source: str, target: str, kind: str = "partenaire", weight: float = 1.0) -> RelationData:
    return RelationData(source, target, kind, weight)


@pytest.fixture
def two_cliques() -> tuple[list[StakeholderData], list[RelationData]]:
    """Two groups of five that all work together, joined only through « pont » (a go-between)."""
    left = [f"a{index}" for index in range(5)]
    right = [f"b{index}" for index in range(5)]
    stakeholders = [person(node) for node in [*left, *right, "pont"]]
    relations = [tie(x, y) for group in (left, right) for i, x in enumerate(group) for y in group[i + 1 :]]
    relations += [tie("a0", "pont", "membre_de"), tie("pont", "b0", "influence")]
    return stakeholders, relations


# --- registers in the database ----------------------------------------------------------------------------

MODELS = Path(__file__).parent / "models"

# Three key players (« gérer étroitement »: power and interest 4 or 5), one union, residents, associations,
# companies, and a conflict between the residents' collective and the developer that « Maison des
# associations » (tied to both) could mediate.
REGISTER_CSV = (
    "Identifiant;Nom;Catégorie;Pouvoir;Intérêt;Attitude;Courriel\n"
    "maire;Mairie;élu;5;5;favorable;\n"
    "promoteur;Promoteur;entreprise;4;4;neutre;\n"
    "collectif;Collectif riverain;habitant;4;5;opposé;\n"
    "syndicat;Syndicat;organisation syndicale;2;3;neutre;\n"
    "conseil;Conseil de quartier;habitant/usager;2;4;favorable;\n"
    "asso-a;Asso A;association;2;4;favorable;\n"
    "asso-b;Asso B;association;2;3;neutre;\n"
    "asso-c;Asso C;association;1;2;neutre;\n"
    "entreprise-b;Entreprise B;entreprise;2;2;neutre;\n"
    "maison;Maison des associations;association;3;3;favorable;\n"
    "dupont;Jeanne Dupont;habitant;1;3;neutre;jeanne.dupont@courriel.example\n"
)

REGISTER_RELATIONS = (
    ("collectif", "promoteur", "conflit"),
    ("maison", "collectif", "partenaire"),
    ("maison", "promoteur", "partenaire"),
    ("asso-a", "maison", "membre_de"),
)


@pytest.fixture(scope="session")
def parties_model() -> ProcessModel:
    return load_model_file(MODELS / "parties.yaml")


class Register:
    """An engagement of the ``parties`` model with the register above, its relations, and helpers."""

    def __init__(self, db: Database, clock: FrozenClock, engagement_id: str) -> None:
        self.db, self.clock, self.engagement_id = db, clock, engagement_id
        self.chef = ActorRef.of("julien", "chef_de_projet")
        self.ids: dict[str, int] = {}

    def load(self) -> Register:
        with self.db.transaction() as session:
            importing.import_csv(
                session,
                engagement_id=self.engagement_id,
                content=REGISTER_CSV.encode(),
                actor=self.chef,
                clock=self.clock,
            )
            self.ids = {
                row.key: row.id for row in register_service.list_stakeholders(session, self.engagement_id)
            }
            for source, target, kind in REGISTER_RELATIONS:
                relations.add_relation(
                    session,
                    engagement_id=self.engagement_id,
                    source_id=self.ids[source],
                    target_id=self.ids[target],
                    type=kind,
                    actor=self.chef,
                    clock=self.clock,
                )
        return self

    def consult(self, step_key: str, *keys: str, fmt: str = "entretien") -> int:
        with self.db.transaction() as session:
            view = consultations.add_consultation(
                session,
                engagement_id=self.engagement_id,
                step_key=step_key,
                held_on="2026-03-10",
                format=fmt,
                stakeholder_ids=[self.ids[key] for key in keys],
                summary="Entretien",
                outcome="Compte rendu",
                actor=self.chef,
                clock=self.clock,
            )
        return view.row.id


@pytest.fixture
def register(db: Database, clock: FrozenClock, parties_model: ProcessModel, launch_engagement) -> Register:
    """An engagement of the ``parties`` model whose register is still empty (call ``load()``)."""
    return Register(db, clock, launch_engagement(parties_model))
