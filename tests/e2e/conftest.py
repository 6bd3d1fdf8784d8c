"""Browser tests: Playwright drives the system Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "screenshots"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"REQUIRE_BROWSER is set but Chromium is missing at {CHROMIUM}")
    skip = pytest.mark.skip(reason="system Chromium not installed (apt-get install -y chromium)")
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def console_errors(page):
    """Collects console errors, page errors and CSP violations; tests assert it stays empty."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


def screenshot(page, name: str) -> None:
    """Desktop and phone-width screenshots into ./screenshots when SCREENSHOTS=1."""
    if not os.environ.get("SCREENSHOTS"):
        return
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-phone.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


@pytest.fixture
def seeded_server(live_server, transactional_db):
    from providers.seed import load_seed

    load_seed()
    return live_server


@pytest.fixture
def sample_profile(seeded_server):
    from dashboard.profile_store import ingest_sample

    return ingest_sample(session_key="")


def drawn_traces(page: Page) -> list[int]:
    """Traces plotly actually drew, per drawn chart, read from the rendered SVG (not the JSON)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el =>
             el.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length)"""
    )


def wait_for_charts(page: Page) -> None:
    """Every chart that can be seen is drawn (one inside a closed <details> waits to open)."""
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('[data-plotly-src]'))
             .filter(el => !el.closest('details:not([open])'))
             .every(el => el.classList.contains('js-plotly-plot'))"""
    )
