"""The public tables of public engagements, read in a few batched queries: each table is declared once — its
fields, their Table Schema types and French descriptions — and the JSON routes, the Atom feeds and the
open-data package all read the same rows.

What is left out on purpose: contact details, stakeholders' keys, notes and tags, the names of private
persons (« Habitant·e n° 3 » instead), consultations' summaries and outcomes (free text that names people),
non-public decisions and indicators, measurements' comments, and every login (recorded_by, published_by).
The heads of the verifiable record are hashes and numbers only: they reveal nothing of what they chain.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from gouvernance.audit.records import AuditEntryRow
from gouvernance.decisions.records import DecisionRow
from gouvernance.decisions.service import DecidingBody
from gouvernance.engagements.progress import engagement_progress
from gouvernance.objectives.evaluation import Measurement, evaluate_indicator
from gouvernance.objectives.records import IndicatorRow, MeasurementRow, ObjectiveRow
from gouvernance.objectives.views import as_indicator
from gouvernance.publication.service import PublicEngagement
from gouvernance.stakeholders.tables import ConsultationParticipantRow, ConsultationRow, StakeholderRow
from gouvernance.stakeholders.vocabulary import Category, ConsultationFormat, StakeholderKind

Row = dict[str, Any]
T = TypeVar("T")
HASH_ALGORITHM = "sha256"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema: string, integer, number, date, datetime, boolean
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]


def _f(name: str, kind: str, description: str) -> Field:
    return Field(name, kind, description)


ENGAGEMENT = _f("accompagnement", "string", "Identifiant de l'accompagnement.")
CATEGORY_FIELDS = tuple(
    _f(f"participants_{c.value}", "integer", f"Participants de la catégorie « {c.fr} ».") for c in Category
)

TABLES: tuple[Table, ...] = (
    Table(
        "accompagnements",
        "Accompagnements",
        "Les accompagnements publics : territoire, parcours, état et avancement.",
        (
            _f("accompagnement", "string", "Identifiant de l'accompagnement."),
            _f("organisation", "string", "Organisation qui conduit l'accompagnement."),
            _f("territoire", "string", "Nom du territoire."),
            _f("type_territoire", "string", "Commune, EPCI, département ou région."),
            _f("code_territoire", "string", "Code INSEE (commune) ou SIREN (EPCI), s'il est connu."),
            _f("parcours", "string", "Clé du parcours (modèle de processus)."),
            _f("version_parcours", "integer", "Version du parcours."),
            _f("titre_parcours", "string", "Titre du parcours."),
            _f("etat", "string", "État de l'accompagnement (active, completed, cancelled…)."),
            _f("date_debut", "date", "Date de début."),
            _f("avancement_pct", "integer", "Part des étapes terminées, en pour cent."),
            _f("publie_le", "datetime", "Date de publication du registre public (UTC)."),
        ),
        ("accompagnement",),
    ),
    Table(
        "etapes_parcours",
        "Phases",
        "L'avancement de chaque phase du parcours.",
        (
            ENGAGEMENT,
            _f("phase", "string", "Clé de la phase."),
            _f("ordre", "integer", "Rang de la phase dans le parcours."),
            _f("titre", "string", "Titre de la phase."),
            _f(
                "statut",
                "string",
                "not_started (pas commencée), in_progress (en cours), complete (terminée).",
            ),
            _f("avancement_pct", "integer", "Part des étapes terminées de la phase, en pour cent."),
            _f("etapes_total", "integer", "Nombre d'étapes de la phase."),
            _f("etapes_terminees", "integer", "Étapes terminées ou passées."),
        ),
        ("accompagnement", "phase"),
    ),
    Table(
        "etapes",
        "Étapes",
        "Chaque étape du parcours, son état et son échéance.",
        (
            ENGAGEMENT,
            _f("phase", "string", "Clé de la phase."),
            _f("etape", "string", "Clé de l'étape."),
            _f("titre", "string", "Titre de l'étape."),
            _f("nature", "string", "Nature de l'étape (task, review, consultation, decision…)."),
            _f("role", "string", "Rôle qui en a la charge."),
            _f("etat", "string", "État de l'étape (pending, ready, in_progress, done, skipped…)."),
            _f("echeance", "date", "Échéance, si l'étape en a une."),
        ),
        ("accompagnement", "etape"),
    ),
    Table(
        "decisions",
        "Décisions publiques",
        "Le registre des décisions publiques : délibérations et décisions des instances.",
        (
            ENGAGEMENT,
            _f("numero", "string", "Numéro donné par l'instance."),
            _f("titre", "string", "Titre de la décision."),
            _f("texte", "string", "Dispositif ou résumé."),
            _f("date_decision", "date", "Date de la décision."),
            _f("instance", "string", "Instance qui a décidé."),
            _f("base_legale", "string", "Base légale (article du CGCT…)."),
            _f("voix_pour", "integer", "Voix pour."),
            _f("voix_contre", "integer", "Voix contre."),
            _f("abstentions", "integer", "Abstentions."),
            _f("transmise_le", "date", "Transmission au contrôle de légalité."),
            _f("publiee_le", "date", "Date de publication."),
            _f("etape", "string", "Étape du parcours à laquelle la décision se rattache."),
        ),
        ("accompagnement", "numero"),
    ),
    Table(
        "indicateurs",
        "Indicateurs publics",
        "Les indicateurs publics, leur cible et leur évaluation à la date de l'export.",
        (
            ENGAGEMENT,
            _f("indicateur", "string", "Clé de l'indicateur."),
            _f("libelle", "string", "Libellé de l'indicateur."),
            _f("objectif", "string", "Objectif auquel l'indicateur se rattache."),
            _f("unite", "string", "Unité."),
            _f("valeur_reference", "number", "Valeur de référence."),
            _f("date_reference", "date", "Date de la valeur de référence."),
            _f("cible", "number", "Valeur cible."),
            _f("echeance", "date", "Date à laquelle la cible doit être atteinte."),
            _f("sens", "string", "hausse ou baisse : le sens dans lequel l'indicateur doit évoluer."),
            _f("frequence", "string", "Fréquence de mesure."),
            _f("source", "string", "Source des mesures."),
            _f("statut", "string", "atteint, en bonne voie, à risque, non atteint ou sans mesure."),
            _f("explication", "string", "Pourquoi ce statut, avec les chiffres."),
            _f("derniere_valeur", "number", "Dernière valeur mesurée."),
            _f("derniere_mesure_le", "date", "Date de la dernière mesure."),
        ),
        ("accompagnement", "indicateur"),
    ),
    Table(
        "mesures",
        "Mesures",
        "Les mesures des indicateurs publics.",
        (
            ENGAGEMENT,
            _f("indicateur", "string", "Clé de l'indicateur."),
            _f("date", "date", "Date de la mesure."),
            _f("valeur", "number", "Valeur mesurée."),
            _f("source", "string", "Source de la mesure."),
        ),
        ("accompagnement", "indicateur", "date"),
    ),
    Table(
        "consultations",
        "Consultations",
        "Les consultations menées : date, méthode, étape, nombre de participants par catégorie (aucun nom).",
        (
            ENGAGEMENT,
            _f("consultation", "integer", "Numéro de la consultation dans l'accompagnement."),
            _f("date", "date", "Date de la consultation."),
            _f(
                "methode",
                "string",
                "Réunion publique, atelier, questionnaire, entretien, plateforme en ligne…",
            ),
            _f("phase", "string", "Clé de la phase."),
            _f("etape", "string", "Clé de l'étape."),
            _f("participants", "integer", "Nombre de parties prenantes consultées."),
            *CATEGORY_FIELDS,
        ),
        ("accompagnement", "consultation"),
    ),
    Table(
        "parties_prenantes",
        "Parties prenantes",
        "Les parties prenantes : les organisations avec leur nom ; les personnes privées sous un pseudonyme.",
        (
            ENGAGEMENT,
            _f("partie_prenante", "integer", "Numéro de la partie prenante dans l'accompagnement."),
            _f("nom", "string", "Nom de l'organisation, ou pseudonyme d'une personne (« Habitant·e n° 3 »)."),
            _f("type", "string", "organisation ou personne."),
            _f("categorie", "string", "Catégorie (habitant/usager, association, entreprise, élu…)."),
            _f("consultations", "integer", "Nombre de consultations auxquelles elle a pris part."),
        ),
        ("accompagnement", "partie_prenante"),
    ),
    Table(
        "tetes_registre",
        "Têtes du registre vérifiable",
        "La tête du registre vérifiable (chaîne d'empreintes de chaque événement, décision et consultation) "
        "à la fin de chaque jour qui l'a modifié : conservées, elles montrent toute réécriture ultérieure du "
        "passé (« gouvernance audit verify »).",
        (
            ENGAGEMENT,
            _f("date", "date", "Jour (heure locale de la collectivité) à la fin duquel la tête est relevée."),
            _f("numero", "integer", "Numéro de la dernière entrée du registre à la fin de ce jour."),
            _f(
                "empreinte",
                "string",
                "Empreinte de cette entrée (hexadécimal) : elle dépend de toutes les entrées précédentes.",
            ),
            _f("algorithme", "string", "Algorithme d'empreinte (sha256)."),
        ),
        ("accompagnement", "date"),
    ),
)
TABLE_NAMES = tuple(table.name for table in TABLES)


def pseudonym(category: str, number: int) -> str:
    """The public name of a private person: their category and a number, never their name."""
    label = "Habitant·e" if category == Category.habitant_usager else "Personne"
    return f"{label} n° {number}"


def public_tables(
    session: Session,
    engagements: Sequence[PublicEngagement],
    *,
    now: datetime,
    as_of: date,
    tz: tzinfo | None = None,
) -> dict[str, list[Row]]:
    """Every public table's rows for ``engagements``: a fixed number of queries plus one progress read per
    engagement. ``tz`` sets the days of the chain heads (UTC days without it)."""
    ids = [public.engagement.id for public in engagements]
    tables: dict[str, list[Row]] = {name: [] for name in TABLE_NAMES}
    for public in engagements:
        _progress_rows(session, public, tables, now)
    tables["decisions"] = decision_rows(session, ids)
    tables["indicateurs"], tables["mesures"] = indicator_rows(session, ids, as_of=as_of)
    tables["consultations"], tables["parties_prenantes"] = register_rows(session, ids)
    tables["tetes_registre"] = chain_head_rows(session, ids, tz=tz)
    return tables


def _progress_rows(
    session: Session, public: PublicEngagement, tables: dict[str, list[Row]], now: datetime
) -> None:
    engagement = public.engagement
    progress = engagement_progress(session, engagement.id, now=now)
    tables["accompagnements"].append(
        {
            "accompagnement": engagement.id,
            "organisation": public.organisation_name or "",
            "territoire": engagement.territory_name,
            "type_territoire": engagement.territory_kind,
            "code_territoire": engagement.territory_insee or "",
            "parcours": engagement.model_key,
            "version_parcours": engagement.model_version,
            "titre_parcours": progress.model.title.text("fr"),
            "etat": engagement.state,
            "date_debut": engagement.start_date,
            "avancement_pct": progress.percent,
            "publie_le": public.published_at,
        }
    )
    for rank, stage in enumerate(progress.stages, 1):
        tables["etapes_parcours"].append(
            {
                "accompagnement": engagement.id,
                "phase": stage.key,
                "ordre": rank,
                "titre": stage.title,
                "statut": stage.status,
                "avancement_pct": stage.percent,
                "etapes_total": stage.total,
                "etapes_terminees": stage.finished,
            }
        )
        for step in stage.steps:
            tables["etapes"].append(
                {
                    "accompagnement": engagement.id,
                    "phase": stage.key,
                    "etape": step.key,
                    "titre": step.title,
                    "nature": step.kind,
                    "role": step.role,
                    "etat": step.state,
                    "echeance": step.due_at.date() if step.due_at else None,
                }
            )


def decision_rows(session: Session, ids: Sequence[str]) -> list[Row]:
    query = (
        select(DecisionRow)
        .where(DecisionRow.engagement_id.in_(ids), DecisionRow.public.is_(True))
        .order_by(DecisionRow.engagement_id, DecisionRow.decided_on, DecisionRow.id)
    )
    return [
        {
            "accompagnement": row.engagement_id,
            "numero": row.number,
            "titre": row.title,
            "texte": row.text,
            "date_decision": row.decided_on,
            "instance": DecidingBody(row.body).label,
            "base_legale": row.legal_basis,
            "voix_pour": row.votes_for,
            "voix_contre": row.votes_against,
            "abstentions": row.abstentions,
            "transmise_le": row.transmitted_on,
            "publiee_le": row.published_on,
            "etape": row.step_key or "",
        }
        for row in session.scalars(query)
    ]


def indicator_rows(session: Session, ids: Sequence[str], *, as_of: date) -> tuple[list[Row], list[Row]]:
    """The public indicators with their evaluation on ``as_of``, and their measurements."""
    found = session.execute(
        select(IndicatorRow, ObjectiveRow.title)
        .join(ObjectiveRow, ObjectiveRow.id == IndicatorRow.objective_id)
        .where(IndicatorRow.engagement_id.in_(ids), IndicatorRow.public.is_(True))
        .order_by(IndicatorRow.engagement_id, IndicatorRow.id)
    ).all()
    by_id = {indicator.id: indicator for indicator, _ in found}
    measured: dict[int, list[MeasurementRow]] = defaultdict(list)
    for chunk in _chunks(list(by_id)):
        for measurement in session.scalars(
            select(MeasurementRow)
            .where(MeasurementRow.indicator_id.in_(chunk))
            .order_by(MeasurementRow.indicator_id, MeasurementRow.measured_on)
        ):
            measured[measurement.indicator_id].append(measurement)
    indicators: list[Row] = []
    measurements: list[Row] = []
    for indicator, objective_title in found:
        rows = measured[indicator.id]
        evaluation = evaluate_indicator(
            as_indicator(indicator), [Measurement(m.measured_on, m.value) for m in rows], as_of
        )
        latest = evaluation.latest
        indicators.append(
            {
                "accompagnement": indicator.engagement_id,
                "indicateur": indicator.key,
                "libelle": indicator.label,
                "objectif": objective_title,
                "unite": indicator.unit,
                "valeur_reference": indicator.baseline,
                "date_reference": indicator.baseline_on,
                "cible": indicator.target,
                "echeance": indicator.deadline,
                "sens": indicator.direction,
                "frequence": indicator.frequency,
                "source": indicator.source,
                "statut": evaluation.status.label,
                "explication": evaluation.reason,
                "derniere_valeur": latest.value if latest else None,
                "derniere_mesure_le": latest.on if latest else None,
            }
        )
        measurements.extend(
            {
                "accompagnement": indicator.engagement_id,
                "indicateur": indicator.key,
                "date": m.measured_on,
                "valeur": m.value,
                "source": m.source,
            }
            for m in rows
        )
    return indicators, measurements


def register_rows(session: Session, ids: Sequence[str]) -> tuple[list[Row], list[Row]]:
    """Consultations counted by category, and the stakeholders: organisations by name, persons by pseudonym.
    Numbers follow the order of entry within each engagement."""
    stakeholders = session.execute(
        select(
            StakeholderRow.id,
            StakeholderRow.engagement_id,
            StakeholderRow.name,
            StakeholderRow.kind,
            StakeholderRow.category,
        )
        .where(StakeholderRow.engagement_id.in_(ids))
        .order_by(StakeholderRow.engagement_id, StakeholderRow.id)
    ).all()
    category_of = {sid: category for sid, _, _, _, category in stakeholders}
    consultations = session.execute(
        select(
            ConsultationRow.id,
            ConsultationRow.engagement_id,
            ConsultationRow.held_on,
            ConsultationRow.format,
            ConsultationRow.stage_key,
            ConsultationRow.step_key,
        )
        .where(ConsultationRow.engagement_id.in_(ids))
        .order_by(ConsultationRow.engagement_id, ConsultationRow.held_on, ConsultationRow.id)
    ).all()
    participants: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks([c.id for c in consultations]):
        for consultation_id, stakeholder_id in session.execute(
            select(
                ConsultationParticipantRow.consultation_id, ConsultationParticipantRow.stakeholder_id
            ).where(ConsultationParticipantRow.consultation_id.in_(chunk))
        ):
            participants[consultation_id].append(stakeholder_id)
    consulted: Counter[int] = Counter(s for people in participants.values() for s in people)

    consultation_rows: list[Row] = []
    number: Counter[str] = Counter()
    for consultation_id, engagement_id, held_on, method, stage_key, step_key in consultations:
        number[engagement_id] += 1
        counts = Counter(category_of.get(s) for s in participants[consultation_id])
        known_method = ConsultationFormat.parse(method)
        consultation_rows.append(
            {
                "accompagnement": engagement_id,
                "consultation": number[engagement_id],
                "date": held_on,
                "methode": known_method.fr if known_method else method,
                "phase": stage_key,
                "etape": step_key,
                "participants": len(participants[consultation_id]),
                **{f"participants_{c.value}": counts[c.value] for c in Category},
            }
        )

    stakeholder_rows: list[Row] = []
    rank: Counter[str] = Counter()
    persons: Counter[str] = Counter()
    for sid, engagement_id, name, kind, category in stakeholders:
        rank[engagement_id] += 1
        if kind == StakeholderKind.organisation:
            public_name = name
        else:
            persons[engagement_id] += 1
            public_name = pseudonym(category, persons[engagement_id])
        known = Category.parse(category)
        stakeholder_rows.append(
            {
                "accompagnement": engagement_id,
                "partie_prenante": rank[engagement_id],
                "nom": public_name,
                "type": StakeholderKind(kind).fr if kind in StakeholderKind.labels() else kind,
                "categorie": known.fr if known else category,
                "consultations": consulted[sid],
            }
        )
    return consultation_rows, stakeholder_rows


def chain_head_rows(session: Session, ids: Sequence[str], *, tz: tzinfo | None) -> list[Row]:
    """The head of each engagement's verifiable record at the end of every day (in ``tz``) that changed it:
    the number and hash of that day's last entry, by engagement and day."""
    heads: dict[tuple[str, date], Row] = {}
    for chunk in _chunks(list(ids)):
        for engagement_id, seq, hash_, recorded_at in session.execute(
            select(
                AuditEntryRow.engagement_id, AuditEntryRow.seq, AuditEntryRow.hash, AuditEntryRow.recorded_at
            )
            .where(AuditEntryRow.engagement_id.in_(chunk))
            .order_by(AuditEntryRow.engagement_id, AuditEntryRow.seq)
        ):
            day = recorded_at.astimezone(tz).date() if tz else recorded_at.date()
            heads[(engagement_id, day)] = {
                "accompagnement": engagement_id,
                "date": day,
                "numero": seq,
                "empreinte": hash_,
                "algorithme": HASH_ALGORITHM,
            }
    return [heads[key] for key in sorted(heads)]


def _chunks(values: list[T], size: int = 900) -> list[list[T]]:
    """Batches below SQLite's limit on bound parameters."""
    return [values[i : i + size] for i in range(0, len(values), size)] or [[]]
