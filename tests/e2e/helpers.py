"""What a person does again and again in the browser tests: log in, use the menu, confirm their password."""

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from caseflow import create_app
from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.models import Case, Participant, Program, User

DEMO_PASSWORD = "demo-password-1234"  # noqa: S105 - the published demo login
DOMAIN = "demo.caseflow.org"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
# Enough people for every demo feature to be in use, few enough to load in a few seconds.
DEMO_PARTICIPANTS = 120


class _QuietHandler(WSGIRequestHandler):
    """No access log: a failing test's output should show the test, not every asset request."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass
class LiveServer:
    url: str
    app: Flask


@contextmanager
def serve_demo(database_uri: str, participants: int = DEMO_PARTICIPANTS) -> Iterator[LiveServer]:
    """caseflow with fresh demo data in `database_uri` (an empty database), served on a free local port.

    CSRF is on as in production; two-step login is off because the demo accounts have no phones,
    and the login rate limit is relaxed because a test run logs in many times from one address.
    """
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "WTF_CSRF_ENABLED": True,
            "REQUIRE_2FA": False,
            "LOGIN_RATE_LIMIT": "1000 per minute",
        },
    )
    with app.app_context():
        db.create_all()
        seed_demo(seed=2026, participants=participants, erase=False)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="caseflow-e2e", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def demo_email(who: str) -> str:
    """outreach -> outreach@demo.caseflow.org; a full address is returned as it is."""
    return who if "@" in who else f"{who}@{DOMAIN}"


def login_as(page: Page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form, by its labels, and wait until the app has let us in."""
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(demo_email(email))
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))


def go(page: Page, live_server, path: str) -> None:
    """Open a page of the app by its path."""
    page.goto(f"{live_server.url}{path}")


def menu(page: Page, *names: str) -> None:
    """Follow the main menu, as a person would: on a phone open the collapsed menu first.

    Each name is a link or a dropdown toggle in the navigation bar, e.g. menu(page, "Outreach", "Mediations").
    """
    nav = page.get_by_role("navigation").first
    # Bootstrap's scripts must be running before a toggle does anything; on a busy machine they may not be yet.
    page.wait_for_load_state("load")
    # Bootstrap's navbar-expand-md collapses the menu below 768 px; asking the viewport, not the
    # button, avoids racing the stylesheet while the page is still loading.
    if page.viewport_size["width"] < 768:
        nav.get_by_role("button", name="Menu").click()
        # "show" comes when the opening animation has ended; a click during it can be lost.
        expect(nav.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))
    for index, name in enumerate(names):
        item = nav.get_by_role("link", name=name, exact=True).or_(nav.get_by_role("button", name=name, exact=True))
        item.click()
        if index + 1 < len(names):
            # A dropdown toggle: its menu must be open before the next item can be chosen; a person
            # whose tap did not register taps again.
            following = nav.get_by_role("link", name=names[index + 1], exact=True)
            try:
                expect(following).to_be_visible(timeout=3000)
            except AssertionError:
                item.click()
                expect(following).to_be_visible()


def confirm_password_if_asked(page: Page, password: str = DEMO_PASSWORD) -> bool:
    """Answer the "Confirm it is you" page when the app shows it; say whether it did."""
    if page.get_by_role("heading", name="Confirm it is you").count() == 0:
        return False
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_have_count(0)
    return True


def age_login(page: Page, live_server, minutes: int = 6) -> None:
    """Make the browser's login look `minutes` old, as if the person logged in earlier in their shift.

    The session cookie is Flask's signed cookie: re-signing it with the app's own serializer is the
    browser-side equivalent of the unit tests' session_transaction().
    """
    app = live_server.app
    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    context = page.context
    cookie = next(c for c in context.cookies(live_server.url) if c["name"] == cookie_name)
    data = serializer.loads(cookie["value"])
    data["fresh_at"] = int(time.time()) - minutes * 60
    context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def open_cases(live_server, worker: str, kind: str = "street_outreach") -> list[tuple[int, str]]:
    """(case id, person's name) of the open cases assigned to a demo worker, oldest case first.

    Tests take different rows from this list so that what one test adds never confuses another.
    """
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Case.id, Participant.first_name, Participant.last_name)
            .join(Participant, Participant.id == Case.participant_id)
            .join(Program, Program.id == Case.program_id)
            .join(User, User.id == Case.assigned_worker_id)
            .where(
                User.email == demo_email(worker),
                Program.kind == kind,
                Case.status.in_(("active", "inactive")),
                Case.deleted_at.is_(None),
                Participant.deleted_at.is_(None),
            )
            .order_by(Case.id)
        ).all()
        db.session.remove()
    named = [(case_id, f"{first} {last}") for case_id, first, last in rows]
    names = [name for _, name in named]
    # A name shared by two people would make "click the person called X" ambiguous.
    return [(case_id, name) for case_id, name in named if names.count(name) == 1]


# What the issue forbids: the two worst of axe's four impact levels.
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page: Page, axe_source: str) -> list[str]:
    """Run axe-core on the page as it stands; one line per serious or critical violation.

    The script is evaluated through the DevTools protocol, not added as a <script> tag, so the
    app's strict Content-Security-Policy stays exactly as it is in production.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"{violation['impact']} {violation['id']}: {violation['help']} at {', '.join(map(str, node['target']))}"
                f" ({node.get('failureSummary', '').splitlines()[-1].strip() if node.get('failureSummary') else ''})"
            )
    return lines


def tab_to(page: Page, target, max_presses: int = 60) -> None:
    """Press Tab until `target` (a locator) has the keyboard focus; fail if it is not in the tab order."""
    for _ in range(max_presses):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} was not reached with {max_presses} presses of Tab")
