"""What the flows work with, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gouvernance.clock import SystemClock
from gouvernance.db.engine import Database
from gouvernance.db.migrate import is_up_to_date, upgrade
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.evidence.store import FileBlobStore
from gouvernance.notifications.channels import HttpWebhookSender, SmtpMailer
from gouvernance.notifications.dispatch import default_worker_name
from gouvernance.settings import get_settings


@dataclass
class Runtime:
    db: Database
    store: FileBlobStore
    renderer: DocumentRenderer
    mailer: SmtpMailer
    webhooks: HttpWebhookSender
    clock: SystemClock
    worker_id: str


@lru_cache(maxsize=1)
def runtime() -> Runtime:
    settings = get_settings()
    db = Database(settings.resolved_database_url)
    if db.dialect == "sqlite" and not is_up_to_date(db):
        upgrade(db)  # the embedded default migrates itself, as the CLI does
    return Runtime(
        db=db,
        store=FileBlobStore(settings.blob_dir),
        renderer=DocumentRenderer(),
        mailer=SmtpMailer.from_settings(settings),
        webhooks=HttpWebhookSender(),
        clock=SystemClock(),
        worker_id=settings.worker_name or default_worker_name(),
    )
