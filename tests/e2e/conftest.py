"""Browser fixtures: the app served on a free local port with the demo data, driven by Debian's Chromium.

Playwright cannot download its own browser here, so it drives the system Chromium (apt's
/usr/bin/chromium, or CHROMIUM_PATH). Without one the browser tests are skipped, unless
CASEFLOW_E2E_REQUIRED=1 (CI sets it), where a missing browser is a failure, not a silent skip.
"""

import importlib.util
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import normalise_db_url


def _required() -> bool:
    return os.environ.get("CASEFLOW_E2E_REQUIRED", "").strip().lower() in ("1", "true", "yes", "on")


if importlib.util.find_spec("playwright") is None:
    # The test modules import Playwright, so without it they cannot even be collected.
    if _required():
        raise RuntimeError(
            "Playwright is not installed (pip install -r requirements-dev.txt) and CASEFLOW_E2E_REQUIRED=1"
        )
    warnings.warn("Playwright is not installed: the browser tests are left out", stacklevel=1)
    collect_ignore_glob = ["test_*.py"]
else:
    from tests.e2e.helpers import DEMO_PARTICIPANTS, DESKTOP, PHONE, serve_demo

# Generous for a shared two-core machine, short enough that a missing element fails in seconds, not minutes.
TIMEOUT_MS = 15_000
# axe-core comes from the npm registry through package-lock.json (`npm ci`), never from a CDN.
AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them where CI says a browser must be there."""
    if _required():
        pytest.fail(f"{reason} (CASEFLOW_E2E_REQUIRED is set, so this is a failure)", pytrace=False)
    pytest.skip(reason)


def _scratch_postgres(url: str):
    """A sibling database `<name>_e2e`, so the unit tests' per-test table wipes never touch the served data."""
    base = make_url(normalise_db_url(url))
    name = f"{base.database}_e2e"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def live_server():
    """caseflow on 127.0.0.1:<free port> in a background thread, loaded with the demo data.

    Production-like where it matters to a browser: CSRF on, real sessions and cookies; 2FA is
    off (the demo accounts have no phones) and the login rate limit is relaxed for the suite.
    On PostgreSQL it uses a sibling database `<name>_e2e`, so the unit tests' per-test table
    wipes never touch the data it serves.
    """
    database_url = os.environ.get("DATABASE_URL", "")
    admin = None
    tmp = None
    if database_url.startswith(("postgres://", "postgresql")):
        admin, pg_name, uri = _scratch_postgres(database_url)
    else:
        tmp = tempfile.mkdtemp(prefix="caseflow-e2e-")
        uri = f"sqlite:///{Path(tmp) / 'caseflow.db'}"
    try:
        with serve_demo(uri, participants=DEMO_PARTICIPANTS) as server:
            yield server
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (or CHROMIUM_PATH); Playwright's own download is not reachable here."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not os.path.exists(path):
        _unavailable("no Chromium found: `apt-get install chromium` or set CHROMIUM_PATH")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the whole run; each test gets its own context (cookies, storage)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


def _new_page(browser, options: dict):
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return context, page


@pytest.fixture
def phone(browser):
    """A page in a fresh context at 390x844, as an outreach worker's phone."""
    context, page = _new_page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    """A page in a fresh context at 1366x900, as a hospital workstation."""
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture(params=["phone", "desktop"])
def page(request, browser):
    """The same test at both sizes."""
    context, page = _new_page(browser, PHONE if request.param == "phone" else DESKTOP)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script installed by `npm ci` (the Makefile's test target and .ci/run run it)."""
    if not AXE_PATH.exists():
        _unavailable(f"axe-core is not installed ({AXE_PATH}): run `npm ci` in the repository root")
    return AXE_PATH.read_text(encoding="utf-8")
