"""The home page as the worker's caseload sorted by urgency, through the web client as a worker."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import event

from caseflow.extensions import db
from caseflow.models import CaseAssignment, Injury, ProgramMembership, Referral
from caseflow.models.base import utcnow
from caseflow.timezones import local_today, to_utc
from tests.conftest import audit_count, login


def _days_ago(days: int) -> datetime:
    """Local noon some days back, stored as naive UTC like every contact."""
    return to_utc(datetime.combine(local_today() - timedelta(days=days), time(12, 0)))


def _text(html: str) -> str:
    """The page with its whitespace collapsed, so phrases split over template lines still match."""
    return " ".join(html.split())


def _row(html: str, name: str) -> str:
    """The list row that names one participant."""
    rows = [chunk for chunk in html.split('class="list-group-item') if name in chunk]
    assert len(rows) == 1, name
    return _text(rows[0])


def _overdue_referral(case, user, **fields) -> Referral:
    today = local_today()
    referral = Referral(
        case_id=case.id,
        service_category="housing",
        status=fields.pop("status", "referred"),
        referred_on=today - timedelta(days=20),
        due_on=fields.pop("due_on", today - timedelta(days=3)),
        created_by_id=user.id,
        **fields,
    )
    db.session.add(referral)
    db.session.commit()
    return referral


@pytest.fixture
def outreach(make_program, make_user):
    """A street outreach program expecting contact every 7 days, and one of its workers."""
    program = make_program("street_outreach", "Eastside Outreach", contact_frequency_days=7)
    return program, make_user(roles={program: "worker"}, full_name="Rae Street")


@pytest.fixture
def caseload(outreach, make_program, make_case, make_contact):
    """One case for each kind of urgency, all on the same worker's caseload."""
    program, worker = outreach
    hvip = make_program("hvip", "Trauma HVIP", contact_frequency_days=14)
    db.session.add(ProgramMembership(user_id=worker.id, program_id=hvip.id, role="worker"))
    db.session.commit()
    cases = {
        "ten_days": make_case(program, worker, last_name="Tenday"),
        "eight_days": make_case(program, worker, last_name="Eightday"),
        "high_risk": make_case(program, worker, last_name="Highrisk", first_name="Hal"),
        "referral": make_case(program, worker, last_name="Referralcase"),
        "quiet": make_case(program, worker, last_name="Quietcase"),
        "new": make_case(program, worker, last_name="Newcase"),
        "hvip": make_case(hvip, worker, last_name="Hospitalcase"),
    }
    cases["high_risk"].risk_level = "high"
    cases["hvip"].enrolled_on = local_today() - timedelta(days=2)
    db.session.commit()
    make_contact(cases["ten_days"], worker, occurred_at=_days_ago(10))
    # An attempt is not a contact: it must not reset the clock.
    make_contact(cases["ten_days"], worker, occurred_at=_days_ago(1), is_completed=False)
    make_contact(cases["eight_days"], worker, occurred_at=_days_ago(8))
    # A deleted contact never counts.
    make_contact(cases["eight_days"], worker, occurred_at=_days_ago(1), deleted_at=utcnow())
    make_contact(cases["high_risk"], worker, occurred_at=_days_ago(5))
    make_contact(cases["referral"], worker, occurred_at=_days_ago(1))
    _overdue_referral(cases["referral"], worker)
    make_contact(cases["quiet"], worker, occurred_at=_days_ago(2))
    # Referrals that are not overdue: due later, already connected, or deleted.
    _overdue_referral(cases["quiet"], worker, due_on=local_today() + timedelta(days=3))
    _overdue_referral(cases["quiet"], worker, status="connected")
    _overdue_referral(cases["quiet"], worker, deleted_at=utcnow())
    # An assignment long ago does not make a case new.
    db.session.add(
        CaseAssignment(case_id=cases["quiet"].id, to_worker_id=worker.id, changed_at=utcnow() - timedelta(days=30))
    )
    make_contact(cases["new"], worker, occurred_at=_days_ago(1))
    db.session.add(
        CaseAssignment(case_id=cases["new"].id, to_worker_id=worker.id, changed_at=utcnow() - timedelta(days=2))
    )
    db.session.add(
        Injury(
            program_id=hvip.id,
            participant_id=cases["hvip"].participant_id,
            case_id=cases["hvip"].id,
            injured_at=_days_ago(35),
            arrived_at=_days_ago(35),
            mechanism="gunshot",
            hospital="County General",
            care_level="admitted",
            discharged_on=local_today() - timedelta(days=29),
            funnel_stage="enrolled",
        )
    )
    db.session.commit()
    return worker, cases


def test_home_orders_the_caseload_by_urgency(client, caseload):
    """Overdue contact (most overdue first), then overdue referrals, follow-ups, newly assigned, then the rest."""
    worker, _cases = caseload
    login(client, worker)
    page = client.get("/").get_data(as_text=True)
    order = ["Tenday", "Eightday", "Highrisk", "Referralcase", "Hospitalcase", "Newcase", "Quietcase"]
    positions = [page.index(name) for name in order]
    assert positions == sorted(positions)


def test_contact_overdue_counts_days_against_the_program_target(client, caseload):
    """10 and 8 days in a 7-day program are 3 and 1 days overdue; attempts and deleted contacts don't count."""
    worker, _cases = caseload
    login(client, worker)
    page = client.get("/").get_data(as_text=True)
    assert "Contact overdue by 3 days" in _row(page, "Tenday")
    assert "Contact overdue by 1 day" in _row(page, "Eightday")
    assert "Contact due in 5 days" in _row(page, "Quietcase")


def test_days_are_counted_on_the_local_calendar(client, outreach, make_case, make_contact):
    """A contact late in the local evening counts on that local day, not the next UTC day."""
    program, worker = outreach
    case = make_case(program, worker, last_name="Lateevening")
    make_contact(case, worker, occurred_at=to_utc(datetime.combine(local_today() - timedelta(days=8), time(23, 30))))
    login(client, worker)
    assert "Contact overdue by 1 day" in _row(client.get("/").get_data(as_text=True), "Lateevening")


def test_high_risk_halves_the_contact_target(client, caseload):
    """Five days without contact is overdue for a high-risk person in a 7-day program (target 4)."""
    worker, _cases = caseload
    login(client, worker)
    row = _row(client.get("/").get_data(as_text=True), "Highrisk")
    assert "Contact overdue by 1 day" in row
    assert "risk: High" in row


def test_case_page_uses_the_same_high_risk_target(client, caseload):
    """The case header agrees with the home page: contact was due four days after the last one."""
    worker, cases = caseload
    case = next(c for c in cases.values() if c.participant.last_name == "Highrisk")
    login(client, worker)
    page = _text(client.get(f"/cases/{case.id}").get_data(as_text=True))
    due_on = (local_today() - timedelta(days=1)).strftime("%d %b %Y")
    assert f"overdue</span> Contact · {due_on}" in page


def test_badges_say_why_a_case_is_urgent(client, caseload):
    """Every badge is words, not colour alone, and only where it applies."""
    worker, _cases = caseload
    login(client, worker)
    page = client.get("/").get_data(as_text=True)
    assert "1 overdue referral" in _row(page, "Referralcase")
    assert "overdue referral" not in _row(page, "Quietcase")
    assert "Follow-up due: 30-day check" in _row(page, "Hospitalcase")
    assert "Newly assigned" in _row(page, "Newcase")
    assert "Newly assigned" in _row(page, "Hospitalcase")  # assigned and never contacted
    assert "Newly assigned" not in _row(page, "Quietcase")
    assert "Follow-up due" not in _row(page, "Tenday")


def test_every_row_leads_to_logging_a_contact(client, caseload):
    """One tap from each row to the contact form, and to the case."""
    worker, cases = caseload
    login(client, worker)
    page = client.get("/").get_data(as_text=True)
    for case in cases.values():
        row = _row(page, case.participant.last_name)
        assert f"/cases/{case.id}/contacts/new" in row and "Log contact" in row
        assert f'href="/cases/{case.id}"' in row


def test_summary_line_counts_the_whole_caseload(client, caseload):
    """The line at the top comes from one aggregate: cases, contact overdue, referrals overdue."""
    worker, _cases = caseload
    login(client, worker)
    page = _text(client.get("/").get_data(as_text=True))
    assert "7 cases · 3 contact overdue · 1 referral overdue" in page


def test_summary_line_is_the_same_on_every_page_and_past_the_last(client, caseload, app):
    """The totals come with the page's rows, or from their own query when a page has no rows: never from the page."""
    worker, _cases = caseload
    login(client, worker)
    app.config["PAGE_SIZE"] = 3
    for number in (1, 3):
        page = _text(client.get(f"/?page={number}").get_data(as_text=True))
        assert "7 cases · 3 contact overdue · 1 referral overdue" in page, number
    # Past the last page the totals still know there are cases, so the page offers the first page, not "none yet".
    page = _text(client.get("/?page=99").get_data(as_text=True))
    assert "There are no cases on this page" in page and "No open cases yet" not in page


def test_a_follow_up_covered_by_a_contact_is_not_due(client, caseload, make_contact):
    """A completed contact within the window of the 30-day check covers it."""
    worker, cases = caseload
    make_contact(cases["hvip"], worker, occurred_at=_days_ago(1))
    login(client, worker)
    row = _row(client.get("/").get_data(as_text=True), "Hospitalcase")
    assert "Follow-up due" not in row


def test_the_list_is_audited_with_the_cases_shown(client, caseload):
    """Listing participants is a read of their data: one audit row naming the ids shown."""
    worker, cases = caseload
    login(client, worker)
    before = audit_count(action="list", detail="home caseload")
    client.get("/")
    assert audit_count(action="list", detail="home caseload") == before + 1


def test_caseload_only_worker_sees_only_their_own(client, make_program, make_user, make_case):
    """In a program that limits workers to their own caseload, colleagues' cases and other programs never show."""
    program = make_program("street_outreach", "Own Caseload Only", workers_see_own_caseload_only=True)
    other_program = make_program("street_outreach", "Westside Outreach")
    worker = make_user(roles={program: "worker"})
    colleague = make_user(roles={program: "worker", other_program: "worker"})
    make_case(program, worker, last_name="Mineonly")
    make_case(program, colleague, last_name="Colleaguecase")
    make_case(other_program, colleague, last_name="Otherprogram")
    login(client, worker)
    page = client.get("/").get_data(as_text=True)
    assert "Mineonly" in page
    assert "Colleaguecase" not in page and "Otherprogram" not in page
    assert "1 case · " in _text(page)


def test_colleagues_cases_come_after_my_own(client, make_program, make_user, make_case, make_contact):
    """Where workers see the whole program, a colleague's overdue case still comes after my own quiet one."""
    program = make_program("street_outreach", "Open Program")
    worker = make_user(roles={program: "worker"})
    colleague = make_user(roles={program: "worker"})
    mine = make_case(program, worker, last_name="Mycase")
    make_contact(mine, worker, occurred_at=_days_ago(1))
    make_case(program, colleague, last_name="Theircase")
    login(client, worker)
    page = client.get("/").get_data(as_text=True)
    assert page.index("Mycase") < page.index("Theircase")
    assert "Contact overdue" in _row(page, "Theircase")
    assert "Newly assigned" not in _row(page, "Theircase")


def _add_cases(program, worker, count, make_case, make_contact):
    """Cases with a completed contact, an attempt and an overdue referral each."""
    for _ in range(count):
        case = make_case(program, worker)
        make_contact(case, worker, occurred_at=_days_ago(3))
        make_contact(case, worker, occurred_at=_days_ago(1), is_completed=False)
        _overdue_referral(case, worker)


def _statements_for(client, url: str) -> int:
    """How many SQL statements one GET runs."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_query_count_does_not_grow_with_the_caseload(client, make_program, make_user, make_case, make_contact):
    """3 cases or 30 (with contacts and referrals), the home page runs the same number of SQL statements."""
    program = make_program("hvip", "Count HVIP")
    worker = make_user(roles={program: "worker"})
    _add_cases(program, worker, 3, make_case, make_contact)
    login(client, worker)
    client.get("/")
    small = _statements_for(client, "/")
    _add_cases(program, worker, 27, make_case, make_contact)
    large = _statements_for(client, "/")
    assert small == large
    assert "30 cases" in _text(client.get("/").get_data(as_text=True))
