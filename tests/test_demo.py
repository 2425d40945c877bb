"""The demo data set: what it loads, that it is repeatable, consistent, loggable-into, and the CLI guard."""

from collections import defaultdict
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import g
from jinja2 import TemplateNotFound
from sqlalchemy import func, select

from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.models import (
    Case,
    CaseStatusChange,
    Consent,
    Contact,
    Participant,
    Program,
    ProgramMembership,
    Referral,
    ReferralStatusChange,
    User,
    can_transition,
)
from caseflow.models.case import OPEN_STATUSES
from caseflow.models.referral import REFERRAL_TRANSITIONS
from caseflow.timezones import to_local
from tests.conftest import login

TODAY = date(2026, 3, 1)
DEMO_PASSWORD = "demo-password-1234"
DEMO_ACCOUNTS = {
    "admin@demo.caseflow.org": (True, {}),
    "outreach@demo.caseflow.org": (False, {"Street Outreach": "worker"}),
    "hvip@demo.caseflow.org": (False, {"HVIP at Mercy General Hospital": "worker"}),
    "fd@demo.caseflow.org": (False, {"Focused Deterrence": "worker"}),
    "supervisor@demo.caseflow.org": (False, {"Street Outreach": "supervisor"}),
    "manager@demo.caseflow.org": (
        False,
        {"Street Outreach": "manager", "HVIP at Mercy General Hospital": "manager", "Focused Deterrence": "manager"},
    ),
}


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def people() -> list[tuple]:
    return list(
        db.session.execute(
            select(Participant.first_name, Participant.last_name, Participant.date_of_birth).order_by(Participant.id)
        ).all()
    )


def test_seed_loads_programs_participants_and_demo_accounts(app):
    summary = seed_demo(seed=7, participants=40, erase=False, today=TODAY)
    db.session.commit()

    programs = {p.name: p for p in db.session.execute(select(Program)).scalars()}
    assert {name: p.kind for name, p in programs.items()} == {
        "Street Outreach": "street_outreach",
        "HVIP at Mercy General Hospital": "hvip",
        "Focused Deterrence": "focused_deterrence",
    }
    assert programs["Focused Deterrence"].contact_frequency_days == 14
    assert count(Participant) == 40
    for email, (is_admin, roles) in DEMO_ACCOUNTS.items():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        assert user.is_admin is is_admin
        memberships = db.session.execute(
            select(Program.name, ProgramMembership.role)
            .join(Program, Program.id == ProgramMembership.program_id)
            .where(ProgramMembership.user_id == user.id)
        ).all()
        assert dict(memberships) == roles
    assert "40 participants" in summary and DEMO_PASSWORD in summary


def test_same_seed_and_day_give_the_same_data(app):
    seed_demo(seed=11, participants=40, erase=False, today=TODAY)
    first, first_contacts = people(), count(Contact)
    seed_demo(seed=11, participants=40, erase=True, today=TODAY)
    assert people() == first
    assert count(Contact) == first_contacts
    assert count(Participant) == 40

    seed_demo(seed=12, participants=40, erase=True, today=TODAY)
    assert people() != first


def forget_cached_user() -> None:
    """The fixture's app context outlives requests, so drop Flask-Login's per-request user cache in g."""
    g.pop("_login_user", None)


def test_every_demo_account_can_log_in(app):
    seed_demo(seed=7, participants=40, erase=False, today=TODAY)
    db.session.commit()
    try:
        app.jinja_env.get_template("main/home.html")
        home_renders = True
    except TemplateNotFound:  # the page templates are still being written
        home_renders = False
    for email in DEMO_ACCOUNTS:
        client = app.test_client()
        forget_cached_user()
        response = login(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        assert urlsplit(response.headers["Location"]).path == "/", email
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        with client.session_transaction() as session:
            assert session.get("_user_id") == user.session_token, email
        if home_renders:
            forget_cached_user()
            assert client.get("/").status_code == 200, email


def test_wrong_password_does_not_log_in_a_demo_account(app):
    seed_demo(seed=7, participants=5, erase=False, today=TODAY)
    db.session.commit()
    client = app.test_client()
    forget_cached_user()
    login(client, "admin@demo.caseflow.org", "not-the-demo-password")
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_demo_data_is_consistent(app):
    seed_demo(seed=2026, participants=300, erase=False, today=TODAY)
    db.session.commit()
    cases = {c.id: c for c in db.session.execute(select(Case)).scalars()}
    assert count(Participant) == 300

    open_per_program = defaultdict(int)
    for case in cases.values():
        if case.status in OPEN_STATUSES:
            open_per_program[(case.participant_id, case.program_id)] += 1
        assert (case.status == "closed") == (case.closed_on is not None) == (case.closure_reason is not None)
        if case.status in ("active", "inactive", "closed"):
            assert case.referred_on <= case.enrolled_on <= (case.closed_on or TODAY)
    assert max(open_per_program.values()) == 1

    history = defaultdict(list)
    for change in db.session.execute(
        select(CaseStatusChange).order_by(CaseStatusChange.case_id, CaseStatusChange.changed_at, CaseStatusChange.id)
    ).scalars():
        history[change.case_id].append(change)
    assert set(history) == set(cases)
    for case_id, changes in history.items():
        assert changes[0].from_status is None and changes[0].to_status == "referred"
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_status == before.to_status
            assert can_transition(after.from_status, after.to_status)
            assert after.changed_at > before.changed_at
        assert changes[-1].to_status == cases[case_id].status

    contacts = db.session.execute(select(Contact.case_id, Contact.occurred_at)).all()
    assert 3000 < len(contacts) < 9000
    for case_id, occurred_at in contacts:
        case = cases[case_id]
        assert case.enrolled_on is not None
        assert case.enrolled_on <= to_local(occurred_at).date() <= (case.closed_on or TODAY)

    referral_history = defaultdict(list)
    for change in db.session.execute(
        select(ReferralStatusChange).order_by(ReferralStatusChange.referral_id, ReferralStatusChange.id)
    ).scalars():
        referral_history[change.referral_id].append(change)
    for referral in db.session.execute(select(Referral)).scalars():
        changes = referral_history[referral.id]
        assert (changes[0].from_status, changes[0].to_status) == (None, "referred")
        assert changes[-1].to_status == referral.status
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.to_status in REFERRAL_TRANSITIONS[before.to_status]
            assert after.changed_on >= before.changed_on
        assert referral.due_on == referral.referred_on + timedelta(days=14)
    assert all(c.expires_on >= c.signed_on for c in db.session.execute(select(Consent)).scalars())

    for email in ("outreach@demo.caseflow.org", "hvip@demo.caseflow.org", "fd@demo.caseflow.org"):
        caseload = db.session.execute(
            select(func.count(Case.id))
            .join(User, User.id == Case.assigned_worker_id)
            .where(User.email == email, Case.status.in_(OPEN_STATUSES))
        ).scalar_one()
        assert 10 <= caseload <= 20, email


def test_seed_demo_command_refuses_to_overwrite_without_force(app):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["seed-demo", "--participants", "20"])
    assert result.exit_code == 0, result.output
    assert count(Participant) == 20
    before = people()

    result = runner.invoke(args=["seed-demo", "--participants", "30"])
    assert result.exit_code != 0
    assert "--force" in result.output
    assert people() == before

    result = runner.invoke(args=["seed-demo", "--participants", "30", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert people() == before

    result = runner.invoke(args=["seed-demo", "--participants", "30", "--force"])
    assert result.exit_code == 0, result.output
    assert count(Participant) == 30
    assert count(User) == 10
