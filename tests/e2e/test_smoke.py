"""The harness itself: the served demo app lets a demo worker log in, at phone and desktop size."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login_as

pytestmark = pytest.mark.e2e


def test_login_and_out(page, live_server):
    """A worker logs in with the form's labels and lands on the home page, then logs out."""
    login_as(page, live_server, "outreach")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Darnell Hughes").first).to_be_attached()


def test_wrong_password_stays_on_login(phone, live_server):
    """A wrong password keeps the person on the login page with a message, not inside the app."""
    phone.goto(f"{live_server.url}/login")
    phone.get_by_label("Email").fill("outreach@demo.caseflow.org")
    phone.get_by_label("Password").fill("not-the-password")
    phone.get_by_role("button", name="Log in").click()
    expect(phone).to_have_url(re.compile(r"/login"))
    expect(phone.get_by_role("alert").first).to_be_visible()
