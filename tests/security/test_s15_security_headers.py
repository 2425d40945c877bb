"""S15: security headers on every response, errors included; a strict CSP; no inline script; HSTS in production."""

import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from caseflow import HSTS_MAX_AGE, create_app
from caseflow.models import Contact
from tests.conftest import csrf_token_from, login
from tests.security.crawl import crawl
from tests.security.world import build_world

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ONE_YEAR = 365 * 24 * 3600


def header_problems(response) -> list[str]:
    """What is missing or weak in one response's security headers."""
    h = response.headers
    problems = []
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff")
    if h.get("Referrer-Policy") != "no-referrer":
        problems.append("referrer")
    csp = h.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    scripts = directives.get("script-src", directives.get("default-src", []))
    if not scripts or "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
        problems.append("script-src")
    if h.get("X-Frame-Options") != "DENY" and directives.get("frame-ancestors") != ["'none'"]:
        problems.append("framing")
    if response.mimetype == "text/html":
        # Pages themselves allow nothing inline at all, styles included, and cannot be framed.
        if "'unsafe-inline'" in csp or directives.get("frame-ancestors") != ["'none'"]:
            problems.append("html-csp")
        if directives.get("object-src") != ["'none'"]:
            problems.append("object-src")
    return problems


@pytest.fixture
def world(app):
    return build_world()


def test_s15_every_page_a_supervisor_reaches_has_the_headers_and_no_store(app, client, world):
    """S15: every crawled page, redirect, download, chart and error carries the headers; none may be cached."""
    login(client, world.user_for("supervisor"))
    pages = crawl(client, "/")
    responses = {path: client.get(path) for path in pages}
    bad = {path: header_problems(r) for path, r in responses.items() if header_problems(r)}
    assert bad == {}
    uncached = sorted(path for path, r in responses.items() if r.headers.get("Cache-Control") != "no-store")
    assert uncached == []
    assert sum(r.status_code == 200 for r in responses.values()) > 50


def _errors(app, client, world, monkeypatch) -> dict:
    """One response of every error kind the app produces."""
    out = {}
    out["static"] = client.get("/static/caseflow.css")
    out["bootstrap static"] = client.get("/bootstrap/static/css/bootstrap.min.css")
    out["anonymous redirect"] = client.get("/cases/1")
    out["health"] = client.get("/health")
    out["413"] = client.post("/login", data={"email": "x" * (9 * 1024 * 1024)})
    login(client, world.user_for("worker"))
    out["404"] = client.get("/no-such-page")
    out["405"] = client.get("/logout")
    contact = next(c for c in world.rows(Contact) if world.may_see("worker", c))
    out["409"] = client.post(
        f"/contacts/{contact.id}/edit",
        data={
            "version": "99",
            "occurred_at": "2026-01-05T10:00",
            "mode": "phone",
            "contact_type": "check_in",
            "outcome": "completed",
            "notes": "Changed meanwhile",
        },
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("caseflow.main.views.my_cases_query", explode)
    out["500"] = client.get("/")
    monkeypatch.undo()
    app.config["WTF_CSRF_ENABLED"] = True
    out["csrf 400"] = client.post("/participants/search", data={"q": "x"})
    out["429"] = _rate_limited(app)
    return out


def _rate_limited(app):
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = None
    for _ in range(3):
        response = client.post("/login", data={"email": "a@example.org", "password": "x", "csrf_token": token})
    return response


def test_s15_error_responses_and_static_files_carry_the_headers_too(app, client, world, monkeypatch):
    """S15: 400 (CSRF), 404, 405, 409, 413, 429, 500, redirects, JSON and static files all carry the headers."""
    responses = _errors(app, client, world, monkeypatch)
    assert {name: r.status_code for name, r in responses.items()} == {
        "404": 404,
        "static": 200,
        "bootstrap static": 200,
        "anonymous redirect": 302,
        "health": 200,
        "413": 413,
        "405": 405,
        "409": 409,
        "500": 500,
        "csrf 400": 400,
        "429": 429,
    }
    assert {name: header_problems(r) for name, r in responses.items() if header_problems(r)} == {}
    # Error pages are the site's own, with a reference for the helpdesk; authenticated ones are not cached.
    for name in ("404", "405", "409", "413", "429", "500", "csrf 400"):
        page = responses[name].get_data(as_text=True)
        assert "Traceback" not in page, name
        assert responses[name].headers["Cache-Control"] == "no-store", name
    for name in ("404", "405", "413", "429", "500", "csrf 400"):
        assert "Reference:" in responses[name].get_data(as_text=True), name


def test_s15_no_template_holds_inline_script_style_or_handlers():
    """S15: the CSP forbids inline code; no template relies on it (scripts come from files, styles from CSS)."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(TEMPLATES))
        if re.search(r"<script(?![^>]*\bsrc=)", text, re.I):
            problems.append((relative, "inline <script>"))
        if re.search(r"\son[a-z]+\s*=", text, re.I):
            problems.append((relative, "event handler attribute"))
        if re.search(r"javascript:", text, re.I):
            problems.append((relative, "javascript: URL"))
        # Print-only templates for WeasyPrint never reach a browser; their <style> is not under the CSP.
        if not relative.startswith("reports/pdf/") and re.search(r"<style|\sstyle\s*=", text, re.I):
            problems.append((relative, "inline style"))
    assert problems == []
    assert len(list(TEMPLATES.rglob("*.html"))) > 50


def test_s15_rendered_pages_carry_no_inline_script(app, client, world):
    """S15: what the browser gets (macros and Bootstrap-Flask included) has no inline script or style."""
    login(client, world.user_for("supervisor"))
    pages = crawl(client, "/")
    inline = sorted(
        path
        for path, page in pages.items()
        if page.mimetype == "text/html"
        and (re.search(r"<script(?![^>]*\bsrc=)", page.text, re.I) or re.search(r"\sstyle\s*=", page.text, re.I))
    )
    assert inline == []


def test_s15_production_sends_hsts(monkeypatch):
    """S15: in production every response tells browsers to use HTTPS only, for at least a year."""
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-from-the-environment")
    monkeypatch.setenv("CASEFLOW_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app("production")
    client = app.test_client()
    for path in ("/login", "/health", "/no-such-page", "/static/caseflow.css"):
        header = client.get(path).headers.get("Strict-Transport-Security", "")
        match = re.match(r"max-age=(\d+)", header)
        assert match and int(match.group(1)) >= ONE_YEAR, path
    assert HSTS_MAX_AGE >= ONE_YEAR


def test_s15_development_sends_no_hsts(app, client):
    """S15: a plain-HTTP development or test server does not pin browsers to HTTPS."""
    assert "Strict-Transport-Security" not in client.get("/login").headers
