"""The web pages on SQLite, over HTTP (not a timed test): the portfolio's server time, and each page's weight.

    .venv/bin/python bench/web_pages.py                     # 50 and 500 engagements, 200 requests each
    .venv/bin/python bench/web_pages.py --sizes 50,500,1000 --requests 300

For each size, a fresh SQLite database in a temporary data directory is seeded through the domain services:
the demonstration engagement (with its stakeholder register) and the rest launched with ``launch_many``, the
shared-governance journey for communes of a few client collectivités, started between July 2026 and
February 2027 (against today's clock: some have overdue steps, some not), all owned by one consultancy.
Its consultant holds the organisation-wide consultant role and administers the consultancy. A real
``gouvernance serve`` (without the access log) serves each database on a loopback port, and the consultant
signs in through the sign-in form (a web session cookie).

1. **Portfolio.** The servers are up side by side; the requests alternate between them, one at a time over
   one keep-alive connection, so that a noisy neighbour on the shared host weighs on every size alike. Each
   variant — all engagements, overdue only (``retard=oui``), one territory (``territoire=…``) — is asked
   ``--requests`` times per size after a warm-up. The time is measured on the client, from the request to the
   last byte over loopback: what a person behind a fast network gets. p50/p95/p99, and the ratio of each
   size's p95 to the smallest size's. Target: p95 < 150 ms with 500 engagements.
2. **Weight.** Each page (portfolio, the demonstration engagement, Mes tâches, its parties prenantes and
   livrables, lancer, administration, connexion) with the stylesheets, scripts and images it names: bytes
   transferred as served (the application does not compress), and gzipped as the nginx of Debian would
   (``gzip on`` at level 1, for text/html only: deploy/nginx.conf sets nothing of its own, so the CSS goes
   out raw). Target: < 150 KB (150 × 1024 bytes) per page with its assets, downloads aside.

The tables are printed and written to bench/results/web_pages.md.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from api_bench import Server, percentiles, start_server

from gouvernance.access.service import add_user, grant
from gouvernance.access.web_login import set_password
from gouvernance.clock import FrozenClock
from gouvernance.composition import register_plugins
from gouvernance.db.engine import Database
from gouvernance.db.migrate import upgrade
from gouvernance.demo.scenario import DEMO_MODEL, launch_demo
from gouvernance.demo.server import DEMO_TERRITORY
from gouvernance.engagements.actors import ActorRef
from gouvernance.engagements.bulk import launch_many
from gouvernance.engagements.service import LaunchRequest, Territory
from gouvernance.spec.catalog import Catalog, shipped_directory

CONSULTANCY = "cabinet-banc"
LOGIN = "banc.consultant"
PASSWORD = "un mot de passe de banc d'essai"
# Client collectivités and their communes: the engagements are spread over them.
CLIENTS = {
    "Orléans Métropole": ("Saint-Jean-de-Braye", "Fleury-les-Aubrais", "Olivet", "Saran"),
    "CC des Terres du Val de Loire": ("Beaugency", "Meung-sur-Loire", "Cléry-Saint-André"),
    "CC du Pithiverais": ("Pithiviers", "Dadonville", "Bondaroy"),
    "Tours Métropole": ("Joué-lès-Tours", "Saint-Cyr-sur-Loire", "Chambray-lès-Tours"),
}
TERRITORY_FILTER = "Olivet"
VARIANTS: dict[str, dict[str, str]] = {
    "all": {},
    "overdue only": {"retard": "oui"},
    f"territory {TERRITORY_FILTER}": {"territoire": TERRITORY_FILTER},
}
BUDGET = 150 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')


@dataclass
class Site:
    size: int
    server: Server
    http: httpx.Client
    demo_id: str
    data_dir: str


def seed(db: Database, size: int) -> str:
    """The consultancy, its consultant, the demo engagement and ``size - 1`` others; the demo's id."""
    register_plugins()
    clock = FrozenClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    catalog = Catalog([shipped_directory()])
    model = catalog.get(DEMO_MODEL)
    demo_id = launch_demo(db, model, DEMO_TERRITORY).engagement_id
    with db.transaction() as session:
        add_user(
            session, LOGIN, organisation=CONSULTANCY, organisation_kind="cabinet", clock=clock, org_admin=True
        )
        grant(session, LOGIN, "consultant", clock=clock)
        grant(session, LOGIN, "consultant", engagement_id=demo_id, clock=clock)
        set_password(session, LOGIN, PASSWORD, now=clock.now())
    communes = [commune for group in CLIENTS.values() for commune in group]
    first = date(2026, 7, 1)
    requests = [
        (
            f"banc-{n}",
            LaunchRequest(
                model,
                Territory(communes[n % len(communes)], "commune"),
                first + timedelta(days=(n * 7) % 240),
                organisation_id=CONSULTANCY,
            ),
        )
        for n in range(size - 1)
    ]
    launch_many(db, requests, actor=ActorRef.of(LOGIN, "consultant"), clock=clock)
    return demo_id


def sign_in(http: httpx.Client) -> None:
    form = re.search(r'name="jeton_formulaire" value="([^"]+)"', http.get("/connexion").text)
    assert form, "no sign-in form"
    response = http.post(
        "/connexion", data={"identifiant": LOGIN, "mot_de_passe": PASSWORD, "jeton_formulaire": form.group(1)}
    )
    if response.status_code != 303:
        raise SystemExit(f"sign-in refused: {response.status_code}")


def open_site(size: int) -> Site:
    data_dir = tempfile.mkdtemp(prefix="gouvernance-web-bench-")
    url = f"sqlite:///{data_dir}/bench.db"
    db = Database(url)
    upgrade(db)
    started = time.perf_counter()
    demo_id = seed(db, size)
    db.dispose()
    print(f"{size} engagements launched in {time.perf_counter() - started:.0f} s", flush=True)
    server = start_server(url, data_dir)
    http = httpx.Client(base_url=server.base, timeout=30)
    sign_in(http)
    return Site(size, server, http, demo_id, data_dir)


def close_site(site: Site) -> None:
    site.http.close()
    site.server.stop()
    shutil.rmtree(site.data_dir, ignore_errors=True)


def timed_get(http: httpx.Client, params: dict[str, str]) -> tuple[float, int, int]:
    """Seconds to the last byte, the number of rows shown, the body's size."""
    started = time.perf_counter()
    response = http.get("/portefeuille", params=params)
    body = response.content
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"/portefeuille answered {response.status_code}")
    return elapsed, body.count(b'<th scope="row">'), len(body)


def portfolio_table(sites: list[Site], requests: int, warmup: int = 20) -> list[str]:
    lines = [
        "| engagements | variant | rows shown | page bytes | p50 ms | p95 ms | p99 ms | p95 / smallest |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for variant, params in VARIANTS.items():
        for _ in range(warmup):
            for site in sites:
                timed_get(site.http, params)
        latencies: dict[int, list[float]] = {site.size: [] for site in sites}
        shown: dict[int, tuple[int, int]] = {}
        for _ in range(requests):
            for site in sites:
                elapsed, rows, size = timed_get(site.http, params)
                latencies[site.size].append(elapsed)
                shown[site.size] = (rows, size)
        smallest = percentiles(latencies[sites[0].size])[1]
        for site in sites:
            p50, p95, p99 = percentiles(latencies[site.size])
            rows, size = shown[site.size]
            lines.append(
                f"| {site.size} | {variant} | {rows} | {size:,} | {p50:.1f} | {p95:.1f} | {p99:.1f} "
                f"| {p95 / smallest:.2f} |"
            )
    return lines


def pages(site: Site) -> dict[str, str]:
    engagement = f"/accompagnements/{site.demo_id}"
    return {
        "portefeuille": "/portefeuille",
        "accompagnement": engagement,
        "mes tâches": "/mes-taches",
        "parties prenantes": f"{engagement}/parties-prenantes",
        "livrables": f"{engagement}/livrables",
        "lancer": "/accompagnements/nouveau",
        "administration": "/administration",
        "connexion": "/connexion",
    }


def nginx_bytes(body: bytes, content_type: str) -> int:
    """What Debian's nginx would send: gzip level 1 for text/html (its default gzip_types), else raw."""
    return len(gzip.compress(body, compresslevel=1)) if content_type.startswith("text/html") else len(body)


def weight_table(sites: list[Site]) -> list[str]:
    lines = [
        "| engagements | page | status | HTML bytes | assets | asset bytes | total | total, nginx gzip | "
        "HTML gzip -6 | under 150 KB |",
        "|---:|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    anonymous = {"connexion"}
    for site in sites:
        with httpx.Client(base_url=site.server.base, timeout=30) as stranger:
            for name, path in pages(site).items():
                http = stranger if name in anonymous else site.http
                page = http.get(path)
                assets = [http.get(src) for src in dict.fromkeys(ASSET.findall(page.text))]
                raw = len(page.content) + sum(len(a.content) for a in assets)
                served = nginx_bytes(page.content, page.headers.get("content-type", "")) + sum(
                    nginx_bytes(a.content, a.headers.get("content-type", "")) for a in assets
                )
                names = ", ".join(a.url.path.rsplit("/", 1)[-1] for a in assets) or "—"
                encoded = page.headers.get("content-encoding")
                note = f" ({encoded})" if encoded else ""
                lines.append(
                    f"| {site.size} | {name} | {page.status_code} | {len(page.content):,}{note} | {names} "
                    f"| {raw - len(page.content):,} | {raw:,} | {served:,} "
                    f"| {len(gzip.compress(page.content, compresslevel=6)):,} "
                    f"| {'yes' if raw < BUDGET else '**no**'} |"
                )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50,500", help="numbers of engagements, comma-separated")
    parser.add_argument("--requests", type=int, default=200, help="requests per size and variant")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sizes.split(","))
    sites: list[Site] = []
    try:
        for size in sizes:
            sites.append(open_site(size))
        load = Path("/proc/loadavg").read_text().split()[:3]
        lines = [
            f"# Web pages on SQLite — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {' '.join(load)}",
            "",
            f"## Portfolio, {args.requests} requests per size and variant, alternating between the servers",
            "",
            *portfolio_table(sites, args.requests),
            "",
            "## Weight of each page with its assets (bytes; 150 KB = 153,600)",
            "",
            *weight_table(sites),
        ]
    finally:
        for site in sites:
            close_site(site)
    report = "\n".join(lines)
    print(report)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "web_pages.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
