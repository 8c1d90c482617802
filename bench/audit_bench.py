"""Benchmark of the audit chain (not a timed test).

1. `audit verify --all` over a large register: ENGAGEMENTS engagements of EVENTS events each (1,000 × 1,000 =
   1M events by default), written in bulk (COPY on PostgreSQL) with their chain, then verified by the same
   service as the CLI (one snapshot; on PostgreSQL the database confirms the event entries in parallel
   workers, and Python recomputes the rest), alternating with the same verification done wholly in Python.
   Prints entries/s, wall and CPU seconds of this process (the rest of the wall time is the database server
   and the other users of the machine), and the time for 1M entries extrapolated linearly from them.
   Target: under 10 s for 1M events on PostgreSQL.
2. The append's cost per transition against the door without the chain: two worker processes on the same
   database, one running this tree's door with a chain module that records nothing (or, with --base REV, the
   door of that revision, extracted with `git archive`: every other change to the door since counts too),
   the other this tree's door; they alternate rounds of the same transitions (submit / request_rework on one
   step, as bench/door_bench.py) and medians are compared, with each round's ratio (its two halves run back
   to back). Then the same through the HTTP application. Target: at most 10 % more per transition.

Usage:
    python bench/audit_bench.py [--database-url URL] [--engagements N] [--events N]
                                [--transitions N] [--rounds R] [--base REV]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from door_bench import door_loop, prepare_in_progress, scratch_database, synthetic_model

from gouvernance.clock import FrozenClock
from gouvernance.db.engine import Database

ROOT = Path(__file__).resolve().parent.parent
# The door to compare with: by default this very tree without its chain (the same door, nothing chained), or
# a git revision (its merge-base with HEAD), e.g. main just before the chain was merged: 52d9954^1.
NO_CHAIN = "no-chain"
CHAINLESS = '''"""The bench's door without the audit chain (it still locks its rows): nothing chained."""


def lock(session, engagement_id):
    return None


def remember(session, engagement_id, seq, head):
    return None


def append(session, kind, values, *, at):
    return 0, ""


def event_entry(session, event_row):
    return None


def event_written(session, entry, event_row, event_id):
    return None
'''


# --- 1. verifying a large register -------------------------------------------------------------------------


def populate(db: Database, engagements: int, events: int) -> None:
    """ENGAGEMENTS engagements of EVENTS chained events each, written in bulk: through the door it would take
    hours."""
    from gouvernance.audit.canonical import canonical, digest, new_salts

    clock = FrozenClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
    model = synthetic_model("bench-audit", 1, 3)
    from door_bench import launch_one

    template = launch_one(db, model, clock)  # registers the model; its own chain stays as the door wrote it
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    event_id = 10_000_000
    is_pg = db.dialect == "postgresql"
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if is_pg:  # the heads are set once per chain below, not by the trigger at each of the million rows
            cursor.execute("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_move_head")
            raw.commit()
        for e in range(engagements):
            engagement_id = str(uuid.uuid4())
            _insert_engagement(cursor, is_pg, engagement_id, template, start)
            prev: str | None = None
            event_rows, entry_rows = [], []
            for n in range(1, events + 1):
                event_id += 1
                at = start + timedelta(seconds=n, microseconds=e)
                name, from_state, to_state = (
                    ("submit", "in_progress", "in_review")
                    if n % 2
                    else ("request_rework", "in_review", "in_progress")
                )
                values: dict[str, Any] = {
                    "id": event_id,
                    "engagement_id": engagement_id,
                    "step_id": None,
                    "step_key": "s0_t0",
                    "event": name,
                    "from_state": from_state,
                    "to_state": to_state,
                    "actor": "claire.martin",
                    "actor_role": "consultant",
                    "occurred_at": at,
                    "comment": None if n % 2 else "À reprendre",
                    "payload": {"round": n // 2 + 1},
                    "version": n + 1,
                }
                salts = new_salts("event", values)
                text = canonical("event", values, seq=n, prev=prev, at=at, salts=salts)
                entry_hash = digest(text)
                event_rows.append(values)
                entry_rows.append((engagement_id, n, "event", event_id, at, prev, entry_hash, text, salts))
                prev = entry_hash
            _bulk(cursor, is_pg, event_rows, entry_rows)
            cursor.execute(
                "UPDATE engagements SET audit_seq = %s, audit_head = %s WHERE id = %s"
                if is_pg
                else "UPDATE engagements SET audit_seq = ?, audit_head = ? WHERE id = ?",
                (events, prev, engagement_id),
            )
            raw.commit()
        if is_pg:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))"
            )
            cursor.execute("ANALYZE events")
            cursor.execute("ANALYZE audit_entries")
            cursor.execute("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_move_head")
            raw.commit()
    finally:
        raw.close()


def _insert_engagement(cursor: Any, is_pg: bool, engagement_id: str, template: str, at: datetime) -> None:
    columns = (
        "id, model_key, model_version, territory_name, territory_kind, territory_insee, start_date, "
        "parameters, "
        "lead, organisation_id, state, version, created_at, updated_at"
    )
    copied = columns.replace("id, ", "", 1)
    mark = "%s" if is_pg else "?"
    cursor.execute(
        f"INSERT INTO engagements ({columns}) SELECT {mark}, {copied} FROM engagements WHERE id = {mark}",
        (engagement_id, template),
    )


def _bulk(cursor: Any, is_pg: bool, events: list[dict[str, Any]], entries: list[tuple[Any, ...]]) -> None:
    import json

    event_columns = (
        "id, engagement_id, step_id, step_key, event, from_state, to_state, actor, actor_role, occurred_at, "
        "comment, payload, version"
    )
    entry_columns = "engagement_id, seq, kind, ref_id, recorded_at, prev_hash, hash, canonical, salts"
    event_tuples = [
        tuple(json.dumps(v[c]) if c == "payload" else v[c] for c in event_columns.split(", ")) for v in events
    ]
    entry_tuples = [(*entry[:8], json.dumps(entry[8])) for entry in entries]
    if is_pg:
        with cursor.copy(f"COPY events ({event_columns}) FROM STDIN") as copy:
            for row in event_tuples:
                copy.write_row(row)
        with cursor.copy(f"COPY audit_entries ({entry_columns}) FROM STDIN") as copy:
            for row in entry_tuples:
                copy.write_row(row)
        return
    naive = [(*row[:9], row[9].replace(tzinfo=None), *row[10:]) for row in event_tuples]
    cursor.executemany(f"INSERT INTO events ({event_columns}) VALUES ({', '.join('?' * 13)})", naive)
    naive_entries = [(*row[:4], row[4].replace(tzinfo=None), *row[5:]) for row in entry_tuples]
    cursor.executemany(
        f"INSERT INTO audit_entries ({entry_columns}) VALUES ({', '.join('?' * 9)})", naive_entries
    )


def calibration() -> float:
    """µs for json.dumps of one canonical event (about 5 µs on an idle core of this kind of machine): how busy
    the machine was, to read the figures by."""
    import json
    import timeit

    from gouvernance.audit.canonical import canonical, new_salts

    values = {
        "id": 1,
        "engagement_id": str(uuid.uuid4()),
        "step_id": None,
        "step_key": "s0_t0",
        "event": "submit",
        "from_state": "in_progress",
        "to_state": "in_review",
        "actor": "claire.martin",
        "actor_role": "consultant",
        "occurred_at": datetime(2026, 1, 5, 8, tzinfo=UTC),
        "comment": None,
        "payload": {"round": 1},
        "version": 2,
    }
    text = canonical(
        "event", values, seq=1, prev="0" * 64, at=values["occurred_at"], salts=new_salts("event", values)
    )
    document = json.loads(text)
    runs = 2000
    seconds = min(
        timeit.repeat(
            lambda: json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            number=runs,
            repeat=5,
        )
    )
    return seconds / runs * 1e6


def verify_all(db: Database, *, in_database: bool = True) -> tuple[float, float, int, int]:
    """Wall and CPU seconds (this process) of verifying every chain, the chains and the entries; with
    ``in_database=False``, every entry recomputed in Python (as before the database confirmed them)."""
    from gouvernance.audit.service import verify_every

    start, cpu = time.perf_counter(), time.process_time()
    chains = entries = altered = 0
    for report in verify_every(db, in_database=in_database):
        chains += 1
        entries += report.entries
        altered += not report.ok
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert altered == 0, f"{altered} chaîne(s) altérée(s)"
    return seconds, cpu, chains, entries


# --- 2. the append's cost per transition, against the door before the chain --------------------------------


class HttpSide:
    """Step events sent to the ASGI application in-process, as uvicorn delivers them (bench/api_cost.py):
    routing, authentication, validation, the door and the JSON answer, without the socket."""

    def __init__(self, db: Database) -> None:
        from api_bench import STEP, prepare
        from api_cost import asgi_request

        from gouvernance.api.app import create_app
        from gouvernance.engagements.subject import load_subject
        from gouvernance.settings import Settings

        token, ids = prepare(db, synthetic_model(f"bench-http-{uuid.uuid4().hex[:6]}", 1, 3), 1)
        with db.reading() as session:
            step = load_subject(session, ids[0], STEP).step
            assert step is not None
            self.version = step.version
        settings = Settings(database_url=db.url, data_dir=Path(tempfile.mkdtemp(prefix="gouvernance-banc-")))
        self.app = create_app(settings, database=db)
        self.send = asgi_request(self.app, token, ids[0])
        self.loop = asyncio.new_event_loop()
        self.lifespan = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self.lifespan.__aenter__())
        self.turn = 0

    def run(self, count: int) -> float:
        async def events() -> None:
            for _ in range(count):
                self.version = await self.send(self.version, self.turn % 2)
                self.turn += 1

        start = time.perf_counter()
        self.loop.run_until_complete(events())
        return time.perf_counter() - start


def worker_main(url: str) -> None:
    """One side of part 2, driven through stdin: `prepare` or `prepare-http`, then `run N` (prints the
    seconds taken by N transitions through the door, or N step events through the HTTP application)."""
    db = Database(url)
    clock = FrozenClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
    model = synthetic_model(f"bench-door-{uuid.uuid4().hex[:6]}", 10, 6)
    target: tuple[str, str] | None = None
    http: HttpSide | None = None
    for line in sys.stdin:
        command, *rest = line.split()
        if command == "prepare":
            target = prepare_in_progress(db, model, clock)
            print("ok", flush=True)
        elif command == "prepare-http":
            http = HttpSide(db)
            print("ok", flush=True)
        elif command == "run" and http is not None:
            print(f"{http.run(int(rest[0])):.6f}", flush=True)
        elif command == "run":
            assert target is not None
            print(f"{door_loop(db, *target, int(rest[0]), clock):.6f}", flush=True)


class Worker:
    def __init__(self, url: str, pythonpath: str | None) -> None:
        env = dict(os.environ)
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--door-worker", "--database-url", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def ask(self, command: str) -> str:
        assert self.process.stdin
        assert self.process.stdout
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=60)


def extract_base(revision: str) -> str:
    directory = tempfile.mkdtemp(prefix="gouvernance-base-")
    if revision == NO_CHAIN:  # this tree, its chain module replaced by one that records nothing
        shutil.copytree(ROOT / "src", Path(directory) / "src", ignore=shutil.ignore_patterns("*.egg-info"))
        (Path(directory) / "src" / "gouvernance" / "audit" / "chain.py").write_text(CHAINLESS)
        return str(Path(directory) / "src")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", directory], input=archive, check=True)
    return str(Path(directory) / "src")


def door_overhead(
    url: str, base: str, transitions: int, rounds: int, *, http: bool = False
) -> tuple[float, float, list[float]]:
    """Median ms per transition: (the door before the chain, this tree's door), and each round's ratio of the
    two (this tree / before, run back to back: the machine's drift cancels within a pair); with ``http``, per
    step event sent through the HTTP application (what a person waits for, less the network)."""
    before, now = Worker(url, extract_base(base)), Worker(url, None)
    try:
        for worker in (before, now):
            worker.ask("prepare-http" if http else "prepare")
            worker.ask(f"run {min(transitions, 200)}")  # warm-up
        times: dict[str, list[float]] = {"before": [], "now": []}
        for r in range(rounds):
            order = [("before", before), ("now", now)] if r % 2 == 0 else [("now", now), ("before", before)]
            for label, worker in order:
                times[label].append(float(worker.ask(f"run {transitions}")) / transitions * 1000)
        ratios = [n / b for n, b in zip(times["now"], times["before"], strict=True)]
        return statistics.median(times["before"]), statistics.median(times["now"]), ratios
    finally:
        before.close()
        now.close()


def _spread(ratios: list[float]) -> str:
    """The rounds' ratios as overheads: median, and the middle half's range."""
    quartiles = statistics.quantiles(ratios, n=4)
    return (
        f"per round: median {(statistics.median(ratios) - 1) * 100:+.1f} %, middle half "
        f"{(quartiles[0] - 1) * 100:+.1f} … {(quartiles[2] - 1) * 100:+.1f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL URL; SQLite in a temp dir by default"
    )
    parser.add_argument("--engagements", type=int, default=1000)
    parser.add_argument("--events", type=int, default=1000, help="events per engagement")
    parser.add_argument("--transitions", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rounds-verify", type=int, default=3, help="verifications of the register")
    parser.add_argument(
        "--base",
        default=NO_CHAIN,
        help=f"the door to compare with: {NO_CHAIN} (default: this tree without the chain), or a git "
        "revision (its merge-base with HEAD; main before the chain: 52d9954^1)",
    )
    parser.add_argument("--door-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument("--skip-door", action="store_true")
    args = parser.parse_args()
    if args.door_worker:
        worker_main(args.database_url)
        return
    db, drop = scratch_database(args.database_url)
    try:
        print(
            f"backend: {db.dialect}; calibration: json.dumps of one entry {calibration():.1f} µs "
            "(idle: ~5 µs)"
        )
        if not args.skip_door:  # a database of its own: the door before the chain leaves events unchained
            base = NO_CHAIN
            if args.base != NO_CHAIN:
                base = subprocess.run(
                    ["git", "-C", str(ROOT), "merge-base", "HEAD", args.base],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.strip()
            door_db, drop_door_db = scratch_database(args.database_url)
            try:
                before, now, ratios = door_overhead(door_db.url, base, args.transitions, args.rounds)
            finally:
                drop_door_db()
            print(
                f"door {'without the chain' if base == NO_CHAIN else 'of ' + base[:8]}: "
                f"{before:.3f} ms per transition; "
                f"this tree (with the chain): {now:.3f} ms "
                f"(median of {args.rounds} alternating rounds of {args.transitions})"
            )
            extra = now / before - 1
            print(
                f"this tree / compared door: {now / before:.3f}; append overhead: {extra * 100:+.1f} %  "
                f"(target <= +10 %: {'met' if extra <= 0.10 else 'NOT met'}); "
                f"{(now - before) * 1000:.0f} µs per transition; {_spread(ratios)}"
            )
            if base == NO_CHAIN:  # an older revision's src/ has no API to match this tree's api/
                http_db, drop_http_db = scratch_database(args.database_url)
                try:
                    before, now, ratios = door_overhead(
                        http_db.url, base, args.transitions, args.rounds, http=True
                    )
                finally:
                    drop_http_db()
                print(
                    f"the same through the HTTP application (ASGI in-process, authentication, validation, "
                    f"JSON): {before:.3f} ms per step event without the chain, {now:.3f} ms with it: "
                    f"{(now / before - 1) * 100:+.1f} % ({(now - before) * 1000:.0f} µs); {_spread(ratios)}"
                )
        if not args.skip_verify:
            total = args.engagements * args.events
            start = time.perf_counter()
            populate(db, args.engagements, args.events)
            print(f"populated {total} events in {time.perf_counter() - start:.1f} s")
            # Alternating, so that both modes meet the same neighbours on a shared machine.
            runs: dict[bool, list[tuple[float, float, int, int]]] = {True: [], False: []}
            for _ in range(args.rounds_verify):
                for in_database in (True, False):
                    runs[in_database].append(verify_all(db, in_database=in_database))
            seconds, cpu, chains, entries = min(runs[True])
            alone = min(runs[False])[0]
            print(f"calibration after: {calibration():.1f} µs")
            print(
                f"audit verify --all (best of {len(runs[True])}): {entries} entries in {chains} chains in "
                f"{seconds:.2f} s wall, {cpu:.2f} s CPU in this process: {entries / seconds:,.0f} entries/s "
                f"({entries / cpu:,.0f} per CPU second)"
            )
            print(
                f"every entry recomputed in Python (in_database=False, as before): {alone:.2f} s wall; "
                f"with the database's confirmation / without: {seconds / alone:.2f}"
            )
            per_million = 1_000_000 / entries
            print(
                f"extrapolated linearly to 1M entries: {seconds * per_million:.1f} s wall, "
                f"{cpu * per_million:.1f} s CPU in this process (target < 10 s: "
                f"{'met' if seconds * per_million < 10 else 'NOT met'})"
            )
    finally:
        drop()


if __name__ == "__main__":
    main()
