"""/docs as a person sees it: headless Chromium loads the page from a real server, with every asset served
by the application itself (the machine has no internet), and Swagger UI renders the operations."""

from __future__ import annotations

import shutil

from tests.processes import run

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=10000",
]


def test_swagger_ui_renders_every_tag_offline(live_url, tmp_path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "headless Chromium is required (bin/setup installs it with apt)"
    dom = run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            f"{live_url}/docs",
        ]
    ).stdout
    assert 'lang="fr"' in dom
    assert "Unable to render this definition" not in dom
    assert "gouvernance — API" in dom
    assert dom.count('class="opblock-tag-section') >= 8  # one section per feature, rendered by Swagger UI
    assert "/engagements/{engagement_id}/steps/{step_key}/events" in dom
