"""Fixtures: a fresh database per test (in-memory SQLite, or PostgreSQL via DATABASE_URL)."""

import itertools
import os
import re
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import text

from caseflow import create_app
from caseflow.auth.passwords import hash_password
from caseflow.extensions import db
from caseflow.models import (
    AuditEvent,
    Case,
    CaseStatusChange,
    Contact,
    Participant,
    ParticipantAlias,
    Program,
    ProgramMembership,
    User,
)

PASSWORD = "correct-horse-battery"
# Hashing once, with the testing parameters, keeps factories fast; it is still real argon2id.
with create_app("testing").app_context():
    PASSWORD_HASH = hash_password(PASSWORD)
USING_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql"))
_counter = itertools.count(1)


def _reset_postgres() -> None:
    """Empty every table between tests; DELETE on small tables beats TRUNCATE and DROP/CREATE."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(scope="session")
def _postgres_schema():
    """On PostgreSQL, create the tables once per run (dropping leftovers first)."""
    if not USING_POSTGRES:
        yield
        return
    app = create_app("testing")
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
    yield


def _fresh_g_after_each_request(app) -> None:
    """Requests share the test's app context, so empty g after each one, as production does.

    Otherwise Flask-Login's cached user and Flask-WTF's cached CSRF token outlive the
    request: a later anonymous client would look logged in, a fresh token look stale.
    """

    @app.teardown_request
    def _clear_g(_exc):
        for name in list(g):
            g.pop(name)


@pytest.fixture
def app(_postgres_schema):
    """An app bound to an empty database, with an app context pushed."""
    app = create_app("testing", {"WTF_CSRF_ENABLED": False})
    _fresh_g_after_each_request(app)
    with app.app_context():
        if USING_POSTGRES:
            _reset_postgres()
        else:
            db.create_all()
        yield app
        db.session.remove()


@pytest.fixture
def csrf_app(app):
    """The same app and database with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_program(app):
    def make(kind: str = "street_outreach", name: str | None = None, **settings) -> Program:
        program = Program(kind=kind, name=name or f"Program {next(_counter)}", **settings)
        db.session.add(program)
        db.session.commit()
        return program

    return make


@pytest.fixture
def make_user(app):
    def make(email: str | None = None, roles: dict | None = None, is_admin: bool = False, **fields) -> User:
        """A user; roles maps Program -> role name."""
        user = User(
            email=email or f"user{next(_counter)}@example.org",
            full_name=fields.pop("full_name", "Test User"),
            password_hash=PASSWORD_HASH,
            is_admin=is_admin,
            **fields,
        )
        db.session.add(user)
        db.session.flush()
        for program, role in (roles or {}).items():
            db.session.add(ProgramMembership(user_id=user.id, program_id=program.id, role=role))
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_case(app):
    def make(program: Program, worker: User | None = None, status: str = "active", **person) -> Case:
        """A participant with one case in program."""
        participant = Participant(
            first_name=person.pop("first_name", "Pat"),
            last_name=person.pop("last_name", f"Person{next(_counter)}"),
            **person,
        )
        case = Case(
            participant=participant,
            program=program,
            status=status,
            referred_on=date.today() - timedelta(days=30),
            enrolled_on=date.today() - timedelta(days=20) if status == "active" else None,
            assigned_worker=worker,
        )
        db.session.add_all([participant, case])
        db.session.flush()
        db.session.add(CaseStatusChange(case_id=case.id, from_status=None, to_status=status))
        db.session.commit()
        return case

    return make


@pytest.fixture
def make_contact(app):
    def make(case: Case, author: User | None = None, **fields) -> Contact:
        from datetime import datetime

        contact = Contact(
            case=case,
            author_id=author.id if author else None,
            occurred_at=fields.pop("occurred_at", datetime(2026, 1, 5, 15, 0)),
            mode=fields.pop("mode", "in_person"),
            contact_type=fields.pop("contact_type", "check_in"),
            **fields,
        )
        db.session.add(contact)
        db.session.commit()
        return contact

    return make


@pytest.fixture
def person(make_case):
    """A person with aliases, one case in program; returns the Participant."""

    def make(program, worker=None, aliases=(), **fields) -> Participant:
        case = make_case(program, worker, **fields)
        participant = case.participant
        for name in aliases:
            db.session.add(ParticipantAlias(participant_id=participant.id, name=name))
        db.session.commit()
        return participant

    return make


def login(client, user_or_email, password: str = PASSWORD):
    """Log in through the real form, as a fresh visitor (any earlier session is dropped)."""
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    client.delete_cookie("session")
    return client.post("/login", data={"email": email, "password": password})


def csrf_token_from(html: str) -> str:
    """The CSRF token embedded in a rendered form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


def audit_count(**filters) -> int:
    """How many audit rows match the given column values."""
    stmt = db.select(db.func.count(AuditEvent.id))
    for column, value in filters.items():
        stmt = stmt.where(getattr(AuditEvent, column) == value)
    return db.session.execute(stmt).scalar_one()
