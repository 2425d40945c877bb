"""The login and the contact log work with the keyboard alone: Tab, typing and Enter, no clicks."""

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Contact
from tests.e2e.helpers import DEMO_PASSWORD, demo_email, go, tab_to

pytestmark = pytest.mark.e2e


def _keyboard_login(page, live_server, who: str) -> None:
    go(page, live_server, "/login")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(demo_email(who))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")


def test_login_with_the_keyboard_alone(desktop, live_server):
    """A worker at a shared workstation tabs to the email field, types, tabs, types and presses Enter."""
    _keyboard_login(desktop, live_server, "hvip")
    expect(desktop.get_by_role("button", name="Log out")).to_be_visible()


def test_log_a_contact_with_the_keyboard_alone(desktop, live_server):
    """From the caseload, Tab to a case's Log contact link, fill the form with keys, and save it with Enter."""
    note = f"Keyboard only {uuid.uuid4().hex[:8]}"
    _keyboard_login(desktop, live_server, "hvip")
    page = desktop

    # The skip link comes first, so the menu need not be tabbed through on every page.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    first_log = page.get_by_role("link", name="Log contact").first
    tab_to(page, first_log, max_presses=20)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log contact · ")
    case_id = int(page.url.rstrip("/").split("/")[-3])

    tab_to(page, page.get_by_label("Mode"))
    page.keyboard.type("Home visit")  # a closed <select> picks the option whose label is typed
    expect(page.get_by_label("Mode")).to_have_value("home_visit")
    tab_to(page, page.get_by_label("Type"))
    page.keyboard.type("Family support")
    expect(page.get_by_label("Type")).to_have_value("family_support")
    tab_to(page, page.get_by_label("Completed"))
    page.keyboard.press("ArrowDown")  # arrows move within the radio group
    expect(page.get_by_label("Attempted, not reached")).to_be_checked()
    tab_to(page, page.get_by_label("Duration (minutes)"))
    page.keyboard.type("15")
    tab_to(page, page.get_by_label("Location area"))
    page.keyboard.type("Mercy General")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Note")).to_be_focused()
    page.keyboard.type(note)
    tab_to(page, page.get_by_role("button", name="Save contact"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_have_text("Contact saved.")
    expect(page.get_by_text(note)).to_be_visible()
    with live_server.app.app_context():
        saved = db.session.execute(select(Contact).where(Contact.case_id == case_id)).scalars().all()
        mine = [(c.mode, c.contact_type, c.is_completed, c.duration_minutes) for c in saved if c.notes == note]
        db.session.remove()
    assert mine == [("home_visit", "family_support", False, 15)]
