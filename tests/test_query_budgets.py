"""Query budgets: each key page issues the same number of SQL statements whatever the data size, and at most a dozen.

A page whose statement count grows with its rows (an N+1) gets slow exactly when a program has years of
data; counting statements catches it with a few rows, where timing could not. Each page is requested
at two sizes built with the same helpers, a small one and one several times larger (more cases than a
caseload page holds, more contacts, referrals, goals and search hits), and the two counts must match.
"""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event

from caseflow.extensions import db
from caseflow.models import Goal, Outcome, Participant, Referral, ServiceProvider
from tests.conftest import login

BUDGET = 12


class QueryCounter:
    """Counts the statements the app sends to the database while active."""

    def __init__(self):
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def world(app, make_program, make_user, make_case, make_contact):
    """A street outreach program with a worker and a manager, and a builder that adds rows to it."""
    program = make_program("street_outreach", name="Budget Outreach")
    worker = make_user("worker@example.org", {program: "worker"})
    manager = make_user("manager@example.org", {program: "manager"})
    provider = ServiceProvider(name="Budget Provider")
    db.session.add(provider)
    db.session.commit()
    state = {"program": program, "worker": worker, "manager": manager, "cases": []}

    def grow(cases: int, contacts: int, extras: int) -> None:
        """Add cases to the worker's caseload, and contacts, referrals, goals and outcomes to the first case."""
        for _ in range(cases):
            state["cases"].append(make_case(program, worker, last_name="Washington"))
        case = state["cases"][0]
        for index in range(contacts):
            make_contact(case, worker, occurred_at=datetime(2026, 1, 5, 15, 0) - timedelta(days=index))
        for index in range(extras):
            on = date.today() - timedelta(days=10 + index)
            db.session.add_all(
                [
                    Referral(
                        case_id=case.id,
                        provider_id=provider.id,
                        service_category="employment",
                        referred_on=on,
                        is_anonymous=True,
                        created_by_id=worker.id,
                    ),
                    Goal(case_id=case.id, domain="employment", description="A job", set_on=on),
                    Outcome(case_id=case.id, outcome_type="employment_started", occurred_on=on),
                ]
            )
        db.session.commit()

    state["grow"] = grow
    return state


def _pages(world):
    """(name, account, method, path, form) for each key page."""
    case = world["cases"][0]
    return [
        ("caseload list", world["worker"], "GET", "/", None),
        ("case page", world["worker"], "GET", f"/cases/{case.id}", None),
        ("participant search", world["worker"], "POST", "/participants/search", {"q": "Washington"}),
        ("program dashboard", world["manager"], "GET", f"/programs/{world['program'].id}/dashboard", None),
        (
            "contact-log POST",
            world["worker"],
            "POST",
            f"/cases/{case.id}/contacts/new",
            {
                "occurred_at": "2026-01-10T10:00",
                "mode": "in_person",
                "contact_type": "check_in",
                "outcome": "completed",
                "duration_minutes": "15",
                "notes": "Checked in.",
            },
        ),
    ]


def _measure(client, world, submission: str) -> dict[str, int]:
    """Statements each page issues for one request, logged in as the account that uses it."""
    counts = {}
    for name, user, method, path, form in _pages(world):
        login(client, user)
        if form is not None and "contacts" in path:
            form = dict(form, submission_token=f"{submission}-token")  # a fresh form each time, as a browser has
        with QueryCounter() as counter:
            response = client.open(path, method=method, data=form)
        assert response.status_code in (200, 302), f"{name}: HTTP {response.status_code}"
        if name == "participant search":
            assert "Washington" in response.get_data(as_text=True)
        counts[name] = counter.count
    return counts


@pytest.fixture
def two_sizes(client, world):
    """Statement counts per page with a little data, then with several times more."""
    world["grow"](cases=3, contacts=3, extras=1)
    small = _measure(client, world, "small")
    world["grow"](cases=30, contacts=40, extras=6)
    large = _measure(client, world, "large")
    assert len(world["cases"]) > 25  # more than one caseload page
    return small, large


def test_key_pages_issue_the_same_number_of_queries_at_two_data_sizes(two_sizes):
    """No key page's statement count grows with its rows (no N+1)."""
    small, large = two_sizes
    for name in small:
        assert large[name] == small[name], f"{name}: {small[name]} statements with little data, {large[name]} with more"


# Pages over the dozen today, with their counts on SQLite (PostgreSQL adds one: the chain's advisory lock).
# Strict: when a page is brought within budget this fails, and the mark comes off.
OVER_BUDGET = {
    "case page": "25 statements: header figures, a query per kind of record on the timeline page, the audit row",
    "program dashboard": "21 statements: one aggregate per figure on the page, and the audit row",
}


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=OVER_BUDGET[name]))
        if name in OVER_BUDGET
        else name
        for name in ("caseload list", "case page", "participant search", "program dashboard", "contact-log POST")
    ],
)
def test_key_page_stays_within_a_dozen_queries(two_sizes, page):
    """Each key page needs at most a dozen statements, whatever the data size."""
    small, large = two_sizes
    assert max(small[page], large[page]) <= BUDGET, f"{page}: {large[page]} statements, budget {BUDGET}"


def test_the_counter_sees_an_n_plus_one(app, world):
    """The counter is not blind: loading each participant on its own costs one statement per participant."""
    world["grow"](cases=4, contacts=0, extras=0)
    ids = [case.participant_id for case in world["cases"]]
    db.session.expunge_all()
    with QueryCounter() as counter:
        for participant_id in ids:
            db.session.get(Participant, participant_id)
    assert counter.count == len(ids)
