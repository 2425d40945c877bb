"""Helpers for the second-factor tests: a controllable TOTP clock, enrolment, and logging in with a code."""

import re

import pyotp
from sqlalchemy import select

from caseflow.auth import twofactor
from caseflow.extensions import db
from caseflow.models import User
from tests.conftest import login

# A moment on a 30-second boundary, so each test's steps are predictable.
START = 1_800_000_000


class Clock:
    """The time the code checks read; moved by hand instead of sleeping."""

    def __init__(self, now: float = START) -> None:
        self.now = float(now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(twofactor, "current_time", lambda: clock.now)
    return clock


def secret_of(user: User) -> str | None:
    """The TOTP secret as stored in the database (what an authenticator app was given)."""
    return db.session.execute(select(User.totp_secret).where(User.id == user.id)).scalar_one()


def code_at(user: User, moment: float) -> str:
    """The code the user's authenticator app shows at that moment."""
    return pyotp.TOTP(secret_of(user)).at(moment)


def enrol(user: User, clock: Clock) -> list[str]:
    """Switch two-step login on for a user directly; returns their recovery codes.

    The clock moves on one step afterwards: the confirmation used up the current code.
    """
    twofactor.start_enrolment(user)
    codes = twofactor.confirm_enrolment(user, code_at(user, clock.now))
    db.session.commit()
    clock.advance(30)
    return codes


def login_with_code(client, user: User, code: str, **query):
    """Password first (which must lead to the code page), then the code."""
    first = login(client, user)
    assert first.status_code == 302, first.status_code
    assert first.headers["Location"].startswith("/login/code"), first.headers["Location"]
    return client.post("/login/code", query_string=query, data={"code": code})


def alerts(response) -> list[str]:
    """The flash and error banners a user sees on the page."""
    return [a.strip() for a in re.findall(r'role="alert">(.*?)</div>', response.get_data(as_text=True), re.S)]


def field_errors(response) -> list[str]:
    """The error messages shown next to form fields."""
    body = response.get_data(as_text=True)
    return [e.strip() for e in re.findall(r'class="invalid-feedback[^"]*">(.*?)</div>', body, re.S)]


def is_logged_in(client) -> bool:
    """A logged-in client gets their account page; an anonymous one is sent to /login."""
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/login"), response.headers.get(
        "Location"
    )
    return False
