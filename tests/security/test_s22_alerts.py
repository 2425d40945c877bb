"""S22: security alerts on unusual volume, break-glass, bulk export, lockout and purge, for administrators."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import SecurityAlert
from caseflow.models.base import utcnow
from tests.conftest import PASSWORD, audit_count, csrf_token_from, login

CANARY_FIRST, CANARY_LAST = "Quenby", "Zarathustrakis"


def _alerts(kind: str | None = None) -> list[SecurityAlert]:
    stmt = select(SecurityAlert).order_by(SecurityAlert.id)
    if kind:
        stmt = stmt.where(SecurityAlert.kind == kind)
    db.session.expire_all()
    return list(db.session.execute(stmt).scalars())


@pytest.fixture
def crowd(make_program, make_user, make_case):
    """A supervisor who can see 53 people, each with one case; the people carry a canary surname."""
    program = make_program()
    supervisor = make_user(roles={program: "supervisor"}, full_name="Sam Supervisor")
    cases = [make_case(program, first_name=CANARY_FIRST, last_name=f"{CANARY_LAST}{n}") for n in range(53)]
    return program, supervisor, cases


def _open_people(client, cases) -> None:
    for case in cases:
        assert client.get(f"/participants/{case.participant_id}").status_code == 200


def test_s22_fifty_distinct_participants_in_an_hour_raise_no_alert(client, crowd):
    """S22: 50 people opened in an hour, each on the participant page and on the case page, is not unusual."""
    _, supervisor, cases = crowd
    login(client, supervisor)
    _open_people(client, cases[:50])
    for case in cases[:50]:
        assert client.get(f"/cases/{case.id}").status_code == 200
    assert _alerts() == []


def test_s22_fifty_first_distinct_participant_raises_exactly_one_volume_alert(client, crowd):
    """S22: the 51st person in the hour raises one alert; the 52nd and 53rd raise no more."""
    _, supervisor, cases = crowd
    login(client, supervisor)
    _open_people(client, cases[:50])
    assert _alerts("volume") == []
    # The 51st person, reached through the case page: case views count by their person.
    assert client.get(f"/cases/{cases[50].id}").status_code == 200
    alerts = _alerts("volume")
    assert len(alerts) == 1
    assert alerts[0].user_id == supervisor.id
    assert "51 distinct participants" in alerts[0].detail
    _open_people(client, cases[51:53])
    assert len(_alerts("volume")) == 1


def test_s22_views_older_than_an_hour_do_not_count(client, crowd, monkeypatch):
    """S22: 30 people yesterday evening and 30 this hour is not 51 in an hour."""
    _, supervisor, cases = crowd
    login(client, supervisor)
    earlier = utcnow() - timedelta(minutes=61)
    monkeypatch.setattr("caseflow.audit.services.utcnow", lambda: earlier)
    _open_people(client, cases[:30])
    monkeypatch.undo()
    _open_people(client, cases[30:53])
    assert _alerts("volume") == []


def test_s22_a_second_volume_alert_comes_only_after_an_hour(app, crowd, monkeypatch):
    """S22: one alert per user per hour, not one per view beyond the limit."""
    _, supervisor, cases = crowd
    start = utcnow()
    clock = {"now": start}
    monkeypatch.setattr("caseflow.audit.services.utcnow", lambda: clock["now"])
    with app.test_request_context():
        for case in cases[:51]:
            record_event(supervisor, "view", "participant", case.participant_id)
        clock["now"] = start + timedelta(minutes=30)
        for case in cases[:51]:
            record_event(supervisor, "view", "participant", case.participant_id)
        assert len(_alerts("volume")) == 1
        clock["now"] = start + timedelta(minutes=61)
        for case in cases[:51]:
            record_event(supervisor, "view", "participant", case.participant_id)
        db.session.commit()
    assert len(_alerts("volume")) == 2


def test_s22_break_glass_raises_an_alert_without_the_reason(app, make_user, make_program, make_case):
    """S22: break-glass always alerts; the written reason (which may name the person) stays out of it."""
    program = make_program()
    supervisor = make_user(roles={program: "supervisor"})
    case = make_case(program, first_name=CANARY_FIRST, last_name=CANARY_LAST)
    with app.test_request_context():
        record_event(supervisor, "break_glass", "case", case.id, detail=f"reason: {CANARY_FIRST} {CANARY_LAST} shot")
        db.session.commit()
    [alert] = _alerts()
    assert (alert.kind, alert.user_id) == ("break_glass", supervisor.id)
    assert alert.detail == f"case {case.id}"
    assert CANARY_LAST not in alert.detail


def test_s22_funder_report_export_raises_one_alert_per_export(client, make_user, make_program):
    """S22: each funder report file sent is a bulk export and alerts, a repeated download too."""
    program = make_program()
    manager = make_user(roles={program: "manager"})
    login(client, manager)
    data = {
        "template": "program-summary",
        "programs": [str(program.id)],
        "period_kind": "quarter",
        "year": "2026",
        "quarter": "1",
        "format": "csv",
        "recipient": "City grants office",
        "purpose": "Quarterly report",
        "submission_token": "tok-s22-export",
    }
    assert client.post("/reports", data=data).status_code == 200
    assert [(a.kind, a.user_id) for a in _alerts()] == [("export", manager.id)]
    assert client.post("/reports", data=data).status_code == 200
    assert len(_alerts("export")) == audit_count(action="export", record_type="report") == 2


def test_s22_lockout_raises_an_alert_about_the_locked_account(client, make_user):
    """S22: the fifth failed login locks the account and raises one alert naming it."""
    user = make_user(full_name="Lee Locked")
    for _ in range(5):
        login(client, user, "not-the-password-at-all")
    [alert] = _alerts()
    assert (alert.kind, alert.user_id) == ("lockout", user.id)
    login(client, user, "not-the-password-at-all")
    assert len(_alerts("lockout")) == 1


def test_s22_purge_raises_one_alert_per_run(app, make_user, make_program, make_case):
    """S22: a purge of many records is one alert with counts, not one per row."""
    from caseflow.retention.purge import execute_purge, plan_purge

    program = make_program(retention_years=1)
    manager = make_user(roles={program: "manager"})
    for _ in range(3):
        case = make_case(program, status="closed")
        case.closed_on = utcnow().date() - timedelta(days=800)
    db.session.commit()
    with app.test_request_context():
        execute_purge(manager, program, plan_purge(program))
        db.session.commit()
    [alert] = _alerts()
    assert (alert.kind, alert.user_id) == ("purge", manager.id)
    assert alert.detail == f"program {program.id}: 3 case records, 3 participant records purged"


def test_s22_an_alert_is_not_kept_when_its_event_rolls_back(app, make_user):
    """S22: alerts share the event's transaction: a failed request leaves neither behind."""
    user = make_user()
    with app.test_request_context():
        record_event(user, "break_glass", "case", 1)
        db.session.rollback()
    assert _alerts() == []


def test_s22_admin_page_lists_alerts_newest_first_with_account_names_and_no_participant_data(client, crowd, make_user):
    """S22 with S7: administrators see who and how many, never the people behind the counts."""
    _, supervisor, cases = crowd
    login(client, supervisor)
    _open_people(client, cases[:51])
    with client.application.test_request_context():
        record_event(supervisor, "break_glass", "participant", cases[0].participant_id, detail=CANARY_LAST)
        db.session.commit()
    admin = make_user(is_admin=True, full_name="Ada Admin")
    login(client, admin)
    page = client.get("/admin/security-alerts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sam Supervisor" in html
    assert "51 distinct participants" in html
    assert html.index("Break-glass access") < html.index("Unusual volume")
    assert CANARY_LAST not in html and CANARY_FIRST not in html
    assert 'id="nav-security-alerts">2<' in html


def test_s22_admin_acknowledges_an_alert_with_csrf_and_it_is_audited(client, csrf_app, make_user):
    """S22: acknowledging is a CSRF-protected POST, audited as an update of the alert, and shown as done."""
    admin = make_user(is_admin=True, full_name="Ada Admin")
    locked = make_user(full_name="Lee Locked")
    with csrf_app.test_request_context():
        record_event(locked, "lockout", "user", locked.id)
        db.session.commit()
    [alert] = _alerts()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/admin/security-alerts/{alert.id}/acknowledge").status_code == 400
    assert _alerts()[0].acknowledged_at is None

    page = client.get("/admin/security-alerts?show=open").get_data(as_text=True)
    assert "Lee Locked" in page and "Account locked out" in page
    response = client.post(
        f"/admin/security-alerts/{alert.id}/acknowledge?show=open", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302
    [alert] = _alerts()
    assert alert.acknowledged_by_id == admin.id and alert.acknowledged_at is not None
    assert audit_count(action="update", record_type="security_alert", record_id=alert.id) == 1

    open_page = client.get(response.location).get_data(as_text=True)
    assert "No alerts waiting." in open_page
    assert "nav-security-alerts" not in open_page
    assert "Ada Admin" in client.get("/admin/security-alerts").get_data(as_text=True)
    # A second acknowledgement changes nothing and writes nothing.
    client.post(f"/admin/security-alerts/{alert.id}/acknowledge", data={"csrf_token": csrf_token_from(page)})
    assert audit_count(action="update", record_type="security_alert") == 1


@pytest.mark.parametrize("role", ["worker", "supervisor", "manager"])
def test_s22_only_administrators_reach_the_alerts(client, make_user, make_program, role):
    """S22: programme staff get 403 on the page and on acknowledge, and nothing changes."""
    program = make_program()
    staff = make_user(roles={program: role})
    with client.application.test_request_context():
        record_event(staff, "lockout", "user", staff.id)
        db.session.commit()
    [alert] = _alerts()
    login(client, staff)
    assert client.get("/admin/security-alerts").status_code == 403
    assert client.post(f"/admin/security-alerts/{alert.id}/acknowledge").status_code == 403
    assert _alerts()[0].acknowledged_at is None
    assert "Security alerts" not in client.get("/").get_data(as_text=True)


def test_s22_alert_pages_need_login(client):
    """S22 with S1: an anonymous visitor is sent to log in."""
    assert client.get("/admin/security-alerts").status_code == 302
    assert db.session.execute(select(func.count(SecurityAlert.id))).scalar_one() == 0


def test_s22_the_volume_limit_may_only_be_tightened(monkeypatch):
    """S22: a deployment may lower the 50-an-hour limit, never raise it."""
    from config import CONFIGS

    monkeypatch.setenv("CASEFLOW_ALERT_PARTICIPANTS_PER_HOUR", "20")
    assert CONFIGS["development"].from_env()["ALERT_PARTICIPANTS_PER_HOUR"] == 20
    monkeypatch.setenv("CASEFLOW_ALERT_PARTICIPANTS_PER_HOUR", "51")
    with pytest.raises(ValueError, match="never raised above 50"):
        CONFIGS["development"].from_env()


def test_s22_reopening_a_record_within_the_hour_does_not_recount_the_hour(app, crowd):
    """A record reopened within the hour costs two index probes, not a count over the user's hour of views."""
    from tests.test_query_budgets import QueryCounter

    _, supervisor, cases = crowd
    with app.test_request_context():
        for case in cases[:3]:
            record_event(supervisor, "view", "participant", case.participant_id)
        with QueryCounter() as counter:
            record_event(supervisor, "view", "participant", cases[0].participant_id)
        db.session.commit()
    counts = [s for s in counter.statements if "count(" in s.lower()]
    assert counts == [], "a reopened record was counted again"
    assert _alerts("volume") == []
