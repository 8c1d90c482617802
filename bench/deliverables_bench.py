"""Benchmark of the deliverables (not a timed test): builds every deliverable of one demo engagement of each
shipped template (gouvernance-partagee: 15 documents, budget-participatif: 7; 22 in all), in every format the
template declares, and extrapolates to a consultant's portfolio of 50 engagements × 22 documents rebuilt
overnight on one machine.

Usage:
    python bench/deliverables_bench.py [--rounds 3] [--engagements 50] [--documents 22] [--cores N]

Each deliverable is timed in its phases, wall clock and CPU of this process: the context (database reads and
the contributors), the builder, then each format as the renderer makes it (PDF includes its HTML). The first
render of each format (imports, fonts) is measured apart as the cold start, paid once per process. Figures
are the median over the rounds. The host is shared: CPU time is the steadier figure; wall time shows waits.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from gouvernance.composition import register_plugins
from gouvernance.db.engine import Database
from gouvernance.db.migrate import upgrade
from gouvernance.deliverables.production import context_for, local_today
from gouvernance.deliverables.registry import build_document
from gouvernance.deliverables.rendering import DocumentRenderer
from gouvernance.demo.budget_demo import walk_budget_demo
from gouvernance.demo.scenario import DEMO_MODEL, launch_demo
from gouvernance.demo.walkthrough import JourneyWalker
from gouvernance.engagements.subject import load_subject
from gouvernance.evidence.store import MemoryBlobStore
from gouvernance.spec.catalog import Catalog, shipped_directory

T = TypeVar("T")
PHASES = ("context", "build", "html", "pdf", "docx")


@dataclass
class Sample:
    """Wall and CPU seconds of each phase of one deliverable, one list entry per round."""

    template: str
    key: str
    formats: tuple[str, ...]
    wall: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    size: dict[str, int] = field(default_factory=dict)

    def median(self, clock: str, phase: str) -> float:
        values = (self.wall if clock == "wall" else self.cpu).get(phase)
        return statistics.median(values) if values else 0.0

    def total(self, clock: str) -> float:
        return sum(self.median(clock, phase) for phase in PHASES)


def timed(sample: Sample, phase: str, action: Callable[[], T]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    sample.wall[phase].append(time.perf_counter() - wall)
    sample.cpu[phase].append(time.process_time() - cpu)
    return result


def demo_engagements(db: Database, catalog: Catalog) -> list[tuple[str, Any]]:
    """One engagement of each template, walked to its end as the demo does: (engagement id, clock)."""
    store = MemoryBlobStore()
    model = catalog.get(DEMO_MODEL)
    demo = launch_demo(db, model, "Communauté de communes du Val Fleuri")
    JourneyWalker(db, model, demo.engagement_id, demo.clock, store).run()
    budget = walk_budget_demo(db, catalog.get("budget-participatif"), store)
    return [(demo.engagement_id, demo.clock), (budget.engagement_id, budget.clock)]


def measure(db: Database, engagements: list[tuple[str, Any]], rounds: int) -> list[Sample]:
    renderer = DocumentRenderer()
    samples: dict[tuple[str, str], Sample] = {}
    for _ in range(rounds):
        for engagement_id, clock in engagements:
            with db.reading() as session:
                subject = load_subject(session, engagement_id, None)
                model = subject.model
                for spec in model.deliverables:
                    sample = samples.setdefault(
                        (model.key, spec.key), Sample(model.key, spec.key, tuple(spec.formats))
                    )
                    today = local_today(clock)
                    context = timed(
                        sample,
                        "context",
                        partial(context_for, session, subject.engagement, model, spec.key, today=today),
                    )
                    document = timed(sample, "build", partial(build_document, spec.key, context, clock=clock))
                    for fmt in spec.formats:
                        rendered = timed(sample, fmt, partial(renderer.render, document, fmt))
                        sample.size[fmt] = len(rendered.content)
    return list(samples.values())


def cold_start(db: Database, engagements: list[tuple[str, Any]]) -> dict[str, tuple[float, float]]:
    """The first render of each format in this process: imports, templates, fonts."""
    engagement_id, clock = engagements[1]
    with db.reading() as session:
        subject = load_subject(session, engagement_id, None)
        context = context_for(
            session, subject.engagement, subject.model, "resultats_vote", today=local_today(clock)
        )
    document = build_document("resultats_vote", context, clock=clock)
    renderer = DocumentRenderer()
    firsts = {}
    for fmt in ("html", "pdf", "docx"):
        wall, cpu = time.perf_counter(), time.process_time()
        renderer.render(document, fmt)  # type: ignore[arg-type]
        firsts[fmt] = (time.perf_counter() - wall, time.process_time() - cpu)
    return firsts


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def report(samples: list[Sample], firsts: dict[str, tuple[float, float]], args: argparse.Namespace) -> None:
    print("\nCold start (first render of each format in the process, once per process):")
    for fmt, (wall, cpu) in firsts.items():
        print(f"  {fmt:5} wall {wall * 1000:7.0f} ms   CPU {cpu * 1000:7.0f} ms")

    print(f"\nPer deliverable, median of {args.rounds} rounds, CPU ms (wall ms in the last column):")
    print(f"  {'template':20} {'deliverable':30} {'context':>8} {'build':>8} {'html':>8} {'pdf':>8} "
          f"{'docx':>8} {'total':>8} {'wall':>8}")  # fmt: skip
    for sample in sorted(samples, key=lambda s: -s.total("cpu")):
        cells = [ms(sample.median("cpu", phase)) if phase in (*sample.formats, "context", "build") else
                 f"{'–':>8}" for phase in PHASES]  # fmt: skip
        print(f"  {sample.template:20} {sample.key:30} {' '.join(cells)} {ms(sample.total('cpu'))} "
              f"{ms(sample.total('wall'))}")  # fmt: skip

    print("\nBy phase, all 22 documents of the two engagements (share of the CPU):")
    cpu_total = sum(s.total("cpu") for s in samples)
    wall_total = sum(s.total("wall") for s in samples)
    for phase in PHASES:
        cpu = sum(s.median("cpu", phase) for s in samples)
        wall = sum(s.median("wall", phase) for s in samples)
        count = sum(1 for s in samples if phase in (*s.formats, "context", "build"))
        print(f"  {phase:8} CPU {cpu:7.2f} s ({100 * cpu / cpu_total:4.1f} %)  wall {wall:7.2f} s  "
              f"over {count} documents, {1000 * cpu / max(count, 1):6.1f} ms CPU each")  # fmt: skip

    per_template: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        per_template[sample.template].append(sample)
    print("\nOne engagement:")
    for template, group in per_template.items():
        files = sum(len(s.formats) for s in group)
        print(f"  {template:20} {len(group):2} documents, {files:2} files: "
              f"CPU {sum(s.total('cpu') for s in group):6.2f} s, "
              f"wall {sum(s.total('wall') for s in group):6.2f} s")  # fmt: skip

    documents = len(samples)
    per_doc_cpu, per_doc_wall = cpu_total / documents, wall_total / documents
    portfolio = args.engagements * args.documents
    cores = args.cores
    print(f"\nPortfolio: {args.engagements} engagements × {args.documents} documents = {portfolio} documents "
          f"(each in its template's formats; mean of the {documents} measured documents)")  # fmt: skip
    print(f"  per document:   CPU {per_doc_cpu * 1000:6.0f} ms, wall {per_doc_wall * 1000:6.0f} ms")
    print(f"  one process:    CPU {portfolio * per_doc_cpu / 60:6.1f} min, "
          f"wall {portfolio * per_doc_wall / 60:6.1f} min "
          f"(+ {sum(cpu for _, cpu in firsts.values()):.1f} s of cold start)")  # fmt: skip
    print(f"  {cores} processes:    about {portfolio * per_doc_cpu / cores / 60:6.1f} min of wall time "
          f"if the {cores} cores are free (rendering is CPU-bound: one document per process)")  # fmt: skip
    night = 8 * 3600
    print(f"  share of an 8-hour night on one core: {100 * portfolio * per_doc_cpu / night:.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engagements", type=int, default=50)
    parser.add_argument("--documents", type=int, default=22)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    register_plugins()
    with tempfile.TemporaryDirectory() as directory:
        db = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
        upgrade(db)
        catalog = Catalog([shipped_directory()])
        began = time.perf_counter()
        engagements = demo_engagements(db, catalog)
        print(f"Two demo engagements walked in {time.perf_counter() - began:.1f} s "
              f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs seen)")  # fmt: skip
        load_before = os.getloadavg()[0]
        firsts = cold_start(db, engagements)
        samples = measure(db, engagements, args.rounds)
        load_after = os.getloadavg()[0]
        db.dispose()
    report(samples, firsts, args)
    print(f"\nLoad average (1 min) {load_before:.1f} before, {load_after:.1f} after, {os.cpu_count()} CPUs: "
          "wall time above CPU time is time spent waiting for a core")  # fmt: skip


if __name__ == "__main__":
    main()
