"""The composition root: the one place that builds the outside systems from the settings and registers the
plug-ins. The API (``api/app.py``), the command line (``cli/context.py``) and the flows (``flows/runtime.py``)
all start from ``build_runtime``, so they cannot drift apart: same database, clock and timezone, same mailer,
same catalogue, same guard rules and deliverable contributors.

No module registers itself by being imported: the rule packs and the context contributors are listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from gouvernance.budget.deliverable_context import budget_context
from gouvernance.budget.guards import BUDGET_GUARDS
from gouvernance.clock import Clock, FrozenClock, SystemClock
from gouvernance.communication.deliverable_context import communication_context
from gouvernance.db.engine import Database
from gouvernance.decisions.deliverable_context import decisions_context
from gouvernance.decisions.guards import DECISION_GUARDS
from gouvernance.deliverables.registry import register_context_contributor
from gouvernance.diagnostic.deliverable_context import diagnostic_context
from gouvernance.engagements.deliverable_context import journey_context
from gouvernance.engagements.hooks import register_cycle_hook, register_engagement_hook
from gouvernance.engagements.recurrence import open_next_cycle
from gouvernance.evidence.store import BlobStore, FileBlobStore
from gouvernance.guards.builtin import BUILTIN_GUARDS
from gouvernance.guards.registry import register_rules
from gouvernance.notifications.channels import HttpWebhookSender, Mailer, SmtpMailer, WebhookSender
from gouvernance.notifications.dispatch import default_worker_name
from gouvernance.objectives.deliverable_context import objectives_context
from gouvernance.objectives.framework_context import framework_context
from gouvernance.objectives.guards import OBJECTIVE_GUARDS
from gouvernance.objectives.series import continue_indicators
from gouvernance.partnership.deliverable_context import partnership_context
from gouvernance.settings import Settings
from gouvernance.spec.catalog import Catalog, default_directories
from gouvernance.stakeholders.deliverable_context import stakeholder_context
from gouvernance.stakeholders.documents_context import documents_context
from gouvernance.stakeholders.guards import STAKEHOLDER_GUARDS
from gouvernance.training.deliverable_context import training_context
from gouvernance.training.guards import TRAINING_GUARDS

if TYPE_CHECKING:
    from gouvernance.deliverables.model import DeliverableDocument
    from gouvernance.deliverables.rendering import OutputFormat, RenderedFile, Renderer


def register_plugins() -> None:
    """The guard rule packs and the deliverable context contributors. Safe to call again."""
    for pack in (
        BUILTIN_GUARDS,
        STAKEHOLDER_GUARDS,
        OBJECTIVE_GUARDS,
        DECISION_GUARDS,
        BUDGET_GUARDS,
        TRAINING_GUARDS,
    ):
        register_rules(pack)
    for contributor in (
        stakeholder_context,
        diagnostic_context,
        objectives_context,
        documents_context,
        framework_context,
        decisions_context,
        journey_context,
        budget_context,
        partnership_context,
        training_context,
        communication_context,
    ):
        register_context_contributor(contributor)
    register_engagement_hook(open_next_cycle)  # recurring journeys: a completed cycle opens the next
    register_cycle_hook(continue_indicators)  # … whose indicators continue the series


class DeferredRenderer:
    """The deliverables' DocumentRenderer, built on the first render. WeasyPrint takes about half a second to
    import: every command would pay for it at start-up, and most never render anything."""

    def __init__(self) -> None:
        self._renderer: Renderer | None = None

    def render(self, document: DeliverableDocument, fmt: OutputFormat) -> RenderedFile:
        if self._renderer is None:
            from gouvernance.deliverables.rendering import DocumentRenderer  # deferred: see the docstring

            self._renderer = DocumentRenderer()
        return self._renderer.render(document, fmt)


@dataclass(frozen=True)
class Runtime:
    """Everything outside the process that the domain works with, built once per process."""

    settings: Settings
    db: Database
    clock: Clock
    store: BlobStore
    renderer: Renderer
    mailer: Mailer
    webhooks: WebhookSender
    catalog: Catalog
    worker_id: str

    @property
    def tz(self) -> tzinfo:
        """Where the people live (GOUVERNANCE_TIMEZONE): the clock carries it to the domain."""
        return self.clock.tz

    def clock_at(self, moment: datetime | None) -> Clock:
        """The runtime's clock, or one stopped at ``moment`` (``--now``, a flow's ``now``). A moment without
        an offset is a local time in ``tz``, for the command line and the flows alike: 6:30 means 6:30 where
        the people live, before the day's digests."""
        if moment is None:
            return self.clock
        aware = moment if moment.tzinfo else moment.replace(tzinfo=self.tz)
        return FrozenClock(aware.astimezone(UTC), tz=self.tz)


def build_runtime(
    settings: Settings,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    blob_store: BlobStore | None = None,
    renderer: Renderer | None = None,
    mailer: Mailer | None = None,
    webhooks: WebhookSender | None = None,
    catalog: Catalog | None = None,
) -> Runtime:
    """The runtime of ``settings``; each outside system can be given instead (tests: a frozen clock, an
    in-memory mailer…). A given clock keeps its own timezone."""
    register_plugins()  # before the catalogue: validating a model compiles its guards
    return Runtime(
        settings=settings,
        db=database or Database(settings.resolved_database_url),
        clock=clock or SystemClock(settings.tz),
        store=blob_store or FileBlobStore(settings.blob_dir),
        renderer=renderer or DeferredRenderer(),
        mailer=mailer or SmtpMailer.from_settings(settings),
        webhooks=webhooks or HttpWebhookSender(),
        catalog=catalog or Catalog(default_directories(settings.templates_dir)),
        worker_id=settings.worker_name or default_worker_name(),
    )
