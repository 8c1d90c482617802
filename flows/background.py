"""The background flows: launching engagements, sweeping reminders, producing deliverables, dispatching
notifications. Each is a flow with one or two tasks that work in batches inside the domain services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import flow, task

from gouvernance.access.purge import purge_expired_access
from gouvernance.audit.nightly import verify_and_alert
from gouvernance.clock import Clock
from gouvernance.deliverables.production import produce_from_outbox
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.bulk import launch_many
from gouvernance.engagements.service import LaunchRequest, Territory
from gouvernance.flows.runtime import runtime
from gouvernance.notifications.dispatch import run_dispatch
from gouvernance.notifications.sweeping import run_sweep
from gouvernance.privacy.retention import apply_retention
from gouvernance.stakeholders.importing import importer_for


def _clock(now: datetime | None) -> Clock:
    return runtime().clock_at(now)


@task(name="launch-batch")
def _launch(
    model_key: str,
    model_version: int | None,
    territories: list[dict[str, Any]],
    start_date: date,
    parameters: dict[str, Any],
    idempotency_key: str,
    organisation: str | None,
    lead: str | None,
    actor_login: str,
    stakeholders_csv: str | None,
) -> list[dict[str, Any]]:
    model = runtime().catalog.get(model_key, model_version)
    requests = [
        (
            f"{idempotency_key}:{index}:{item['name']}",
            LaunchRequest(
                model,
                Territory(item["name"], item.get("kind", "commune"), item.get("insee")),
                start_date,
                {**parameters, **item.get("parameters", {})},
                lead=lead,
                organisation_id=organisation,
            ),
        )
        for index, item in enumerate(territories)
    ]
    rt = runtime()
    actor = ActorRef.of(actor_login, "consultant")
    # A bad spreadsheet is refused here, before anything is launched, with every bad row listed.
    with_register = importer_for(stakeholders_csv, actor=actor, clock=rt.clock) if stakeholders_csv else None
    outcomes = launch_many(rt.db, requests, actor=actor, clock=rt.clock, after_launch=with_register)
    return [
        {"territory": key.split(":", 2)[2], "engagement_id": o.engagement_id, "created": o.created}
        for key, o in zip([k for k, _ in requests], outcomes, strict=True)
    ]


@flow(name="launch-engagements", log_prints=True)
def launch_engagements(
    model_key: str,
    territories: list[dict[str, Any]],
    start_date: date,
    idempotency_key: str,
    parameters: dict[str, Any] | None = None,
    organisation: str | None = None,
    lead: str | None = None,
    model_version: int | None = None,
    actor_login: str = "flow:launch-engagements",
    stakeholders_csv: str | None = None,
) -> list[dict[str, Any]]:
    """One engagement per territory, each with the stakeholder register of ``stakeholders_csv`` (the text of
    a CSV file) when given; a retried run with the same key creates nothing new."""
    results = _launch(
        model_key,
        model_version,
        territories,
        start_date,
        parameters or {},
        idempotency_key,
        organisation,
        lead,
        actor_login,
        stakeholders_csv,
    )
    print(f"{sum(r['created'] for r in results)} accompagnement(s) créé(s), {len(results)} au total")
    return results


@task(name="sweep")
def _sweep(now: datetime | None, batch_size: int) -> dict[str, int]:
    rt = runtime()
    outcome = run_sweep(
        rt.db,
        now=_clock(now).now(),
        base_url=rt.settings.base_url,
        tz=rt.tz,
        batch_size=batch_size,
    )
    for engagement_id, why in sorted(outcome.skipped.items()):
        print(f"accompagnement {engagement_id} ignoré : {why}")
    return {
        "candidates": outcome.candidates,
        "created": outcome.created,
        "digests": outcome.digests,
        "skipped": len(outcome.skipped),
    }


@flow(name="sweep-reminders", log_prints=True)
def sweep_reminders(now: datetime | None = None, batch_size: int = 1000) -> dict[str, int]:
    """Reminders before due dates, overdue notices and escalations, each once per step, level and round;
    the daily digests from 7 o'clock local time."""
    result = _sweep(now, batch_size)
    print(
        f"{result['created']} notification(s) créée(s) pour {result['candidates']} étape(s) à échéance ; "
        f"{result['digests']} récapitulatif(s) quotidien(s)"
    )
    return result


@task(name="produce")
def _produce(limit: int) -> list[dict[str, Any]]:
    rt = runtime()
    produced = produce_from_outbox(rt.db, renderer=rt.renderer, store=rt.store, clock=rt.clock, limit=limit)
    return [{"key": p.key, "format": p.format, "version": p.version} for p in produced]


@flow(name="produce-deliverables", log_prints=True)
def produce_deliverables(limit: int = 50) -> list[dict[str, Any]]:
    """Renders the deliverables of the steps that were completed since the last run."""
    produced = _produce(limit)
    print(f"{len(produced)} fichier(s) de livrable produit(s)")
    return produced


@task(name="notify")
def _notify(now: datetime | None, batch_size: int) -> dict[str, int]:
    rt = runtime()
    clock = _clock(now)
    handled, report = run_dispatch(
        rt.db, mailer=rt.mailer, webhooks=rt.webhooks, clock=clock, worker=rt.worker_id, batch_size=batch_size
    )
    return {"events": handled, "sent": report.sent, "failed": report.failed, "retry": report.retried_later}


@flow(name="dispatch-notifications", log_prints=True)
def dispatch_notifications(now: datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """E-mails, signed webhooks and in-app notifications for what happened and what is due."""
    result = _notify(now, batch_size or runtime().settings.dispatch_batch_size)
    print(
        f"{result['sent']} envoi(s), {result['failed']} échec(s) définitif(s), {result['retry']} à réessayer"
    )
    return result


@task(name="verify-chains")
def _verify_chains(now: datetime | None) -> dict[str, int]:
    rt = runtime()
    outcome = verify_and_alert(rt.db, clock=_clock(now))
    return {
        "verified": outcome.verified,
        "entries": outcome.entries,
        "altered": len(outcome.altered),
        "notified": outcome.notified,
    }


@flow(name="verify-audit-chains", log_prints=True)
def verify_audit_chains(now: datetime | None = None) -> dict[str, int]:
    """Verifies every engagement's audit chain; the admins of an altered one's organisation are notified."""
    result = _verify_chains(now)
    print(
        f"{result['verified']} chaîne(s) vérifiée(s) ({result['entries']} entrée(s)) ; "
        f"{result['altered']} altérée(s), {result['notified']} alerte(s) créée(s)"
    )
    return result


@task(name="retention")
def _retention(now: datetime | None) -> dict[str, int]:
    rt = runtime()
    report = apply_retention(
        rt.db,
        blobs=rt.store,
        clock=_clock(now),
        contacts_days=rt.settings.retention_contacts_days,
        evidence_days=rt.settings.retention_evidence_days,
    )
    purged = purge_expired_access(rt.db, clock=_clock(now), days=rt.settings.access_purge_days)
    return {
        "engagements": len(report.engagements),
        "contacts": report.contacts,
        "evidence": report.evidence,
        "attendees": report.attendees,
        "web_sessions": purged.web_sessions,
        "login_attempts": purged.login_attempts,
        "access_links": purged.access_links,
        "stored_responses": purged.stored_responses,
    }


@flow(name="apply-retention", log_prints=True)
def apply_retention_flow(now: datetime | None = None) -> dict[str, int]:
    """Deletes stakeholder contact details and evidence files past their retention after their engagement
    closed, and the names on its training attendance lists (each engagement concerned gets a
    ``retention_applied`` event), then the web sessions, failed sign-ins and e-mailed links past theirs."""
    result = _retention(now)
    print(
        f"{result['contacts']} coordonnée(s) et {result['evidence']} pièce(s) supprimée(s), "
        f"{result['attendees']} ligne(s) d'émargement anonymisée(s) dans "
        f"{result['engagements']} accompagnement(s) ; {result['web_sessions']} session(s) web, "
        f"{result['login_attempts']} tentative(s) de connexion, {result['access_links']} lien(s) "
        f"d'invitation ou de réinitialisation et {result['stored_responses']} réponse(s) conservée(s) pour "
        "des requêtes rejouées, périmés, supprimés"
    )
    return result


ALL_FLOWS = (
    launch_engagements,
    sweep_reminders,
    produce_deliverables,
    dispatch_notifications,
    verify_audit_chains,
    apply_retention_flow,
)
