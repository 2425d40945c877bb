"""The program dashboard and the cross-program view: figures against a hand-built fixture, charts, access, queries."""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest
from sqlalchemy import event

from caseflow.dashboard.queries import (
    active_caseload,
    contacts_by_week,
    enrollments_by_month,
    outcome_counts,
    program_headlines,
    referral_funnel,
)
from caseflow.extensions import db
from caseflow.models import Contact, Injury, Mediation, Outcome, Referral
from caseflow.models.base import utcnow
from caseflow.timezones import to_utc
from tests.conftest import audit_count, login

START, END = date(2026, 1, 1), date(2026, 3, 31)
PERIOD = "start=2026-01-01&end=2026-03-31"


def _text(html: str) -> str:
    """The page's visible text with tags stripped and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _table(html: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert match, f"no table {table_id}"
    return _text(match.group(0))


def _local(*parts) -> datetime:
    """A wall-clock time where the program works, stored as UTC."""
    return to_utc(datetime(*parts))


def _case(make_case, program, enrolled_on=None, closed_on=None, status="active", deleted=False, **person):
    case = make_case(program, status=status, **person)
    case.enrolled_on = enrolled_on
    case.closed_on = closed_on
    case.referred_on = enrolled_on or date(2026, 1, 2)
    if deleted:
        case.deleted_at = utcnow()
    db.session.commit()
    return case


def _contact(case, when, mode="in_person", completed=True, deleted=False):
    contact = Contact(case_id=case.id, occurred_at=when, mode=mode, contact_type="check_in", is_completed=completed)
    if deleted:
        contact.deleted_at = utcnow()
    db.session.add(contact)


def _referral(case, referred_on, connected_on=None, status="referred", deleted=False):
    referral = Referral(
        case_id=case.id,
        service_category="employment",
        referred_on=referred_on,
        connected_on=connected_on,
        status=status,
    )
    if deleted:
        referral.deleted_at = utcnow()
    db.session.add(referral)


def _outcome(case, kind, occurred_on, deleted=False):
    outcome = Outcome(case_id=case.id, outcome_type=kind, occurred_on=occurred_on)
    if deleted:
        outcome.deleted_at = utcnow()
    db.session.add(outcome)


@pytest.fixture
def programs(make_program, make_user):
    """A street outreach program and an HVIP program, with their staff."""
    outreach = make_program("street_outreach", "Eastside Outreach")
    hvip = make_program("hvip", "Trauma HVIP")
    return {
        "outreach": outreach,
        "hvip": hvip,
        "supervisor": make_user(roles={outreach: "supervisor"}),
        "worker": make_user(roles={outreach: "worker"}),
        "partner": make_user(roles={outreach: "partner"}),
        "hvip_supervisor": make_user(roles={hvip: "supervisor"}),
        "manager": make_user(roles={outreach: "manager", hvip: "manager"}),
        "admin": make_user(is_admin=True),
    }


@pytest.fixture
def figures(programs, make_case):
    """Known answers for 1 Jan - 31 Mar 2026 in the outreach program (dates are local, America/Chicago).

    Enrollments: Jan 1, Feb 1, Mar 0 (one enrolled in December, one on a deleted case).
    Active at month end: 31 Jan 2, 28 Feb 2, 31 Mar 1 (a case closed on 31 Mar no longer counts).
    Contacts: week of 29 Dec 1 in person (Sunday 23:30 local is Monday in UTC); week of 5 Jan 1 in person,
    1 phone, 1 attempt; week of 2 Feb 1 text; week of 2 Mar 1 attempt. Deleted contacts, a deleted case's
    contact and one before the period never count. People served: 2.
    Referrals: 3 made, 2 connected (after 4 and 10 days: median 7), 1 completed.
    Outcomes: 1 employment started, 1 arrest.
    """
    program = programs["outreach"]
    c1 = _case(make_case, program, enrolled_on=date(2026, 1, 10))
    c2 = _case(make_case, program, enrolled_on=date(2025, 12, 15), closed_on=date(2026, 2, 10), status="closed")
    c3 = _case(make_case, program, enrolled_on=date(2026, 2, 20), closed_on=date(2026, 3, 31), status="closed")
    gone = _case(make_case, program, enrolled_on=date(2026, 1, 15), deleted=True)
    _case(make_case, program, status="screening")

    _contact(c1, _local(2026, 1, 4, 23, 30))
    _contact(c1, _local(2026, 1, 5, 10, 0))
    _contact(c1, _local(2026, 1, 6, 10, 0), mode="phone")
    _contact(c1, _local(2026, 1, 7, 10, 0), mode="phone", completed=False)
    _contact(c1, _local(2026, 1, 8, 10, 0), deleted=True)
    _contact(c1, _local(2025, 12, 20, 10, 0))
    _contact(c2, _local(2026, 2, 2, 10, 0), mode="text")
    _contact(c3, _local(2026, 3, 2, 10, 0), mode="phone", completed=False)
    _contact(gone, _local(2026, 1, 20, 10, 0))

    _referral(c1, date(2026, 1, 10), date(2026, 1, 14), "connected")
    _referral(c2, date(2026, 1, 20), date(2026, 1, 30), "completed")
    _referral(c1, date(2026, 2, 1))
    _referral(gone, date(2026, 1, 20), date(2026, 1, 21), "connected")
    _referral(c1, date(2026, 1, 11), date(2026, 1, 12), "connected", deleted=True)
    _referral(c1, date(2025, 12, 1), date(2026, 1, 5), "connected")

    _outcome(c1, "employment_started", date(2026, 2, 1))
    _outcome(c2, "arrested", date(2026, 3, 1))
    _outcome(c1, "housing_secured", date(2026, 2, 2), deleted=True)
    _outcome(gone, "employment_started", date(2026, 2, 3))
    _outcome(c1, "employment_started", date(2025, 12, 31))
    db.session.commit()
    return programs


# --- the queries --------------------------------------------------------------------------------------------


def test_enrollments_per_month(figures):
    months = enrollments_by_month([figures["outreach"].id], START, END)
    assert [(m.month, m.count) for m in months] == [
        (date(2026, 1, 1), 1),
        (date(2026, 2, 1), 1),
        (date(2026, 3, 1), 0),
    ]


def test_active_caseload_at_each_month_end(figures):
    points = active_caseload([figures["outreach"].id], START, END)
    assert [(p.as_of, p.active) for p in points] == [
        (date(2026, 1, 31), 2),
        (date(2026, 2, 28), 2),
        (date(2026, 3, 31), 1),
    ]


def test_active_caseload_ends_on_the_last_day_of_a_partial_month(figures):
    points = active_caseload([figures["outreach"].id], START, date(2026, 2, 15))
    assert [(p.as_of, p.active) for p in points] == [(date(2026, 1, 31), 2), (date(2026, 2, 15), 1)]


def test_contacts_per_week_by_mode_on_local_days(figures):
    weekly = contacts_by_week([figures["outreach"].id], START, END)
    assert weekly.weeks[0].week_start == date(2025, 12, 29)
    assert weekly.weeks[-1].week_start == date(2026, 3, 30)
    by_week = {w.week_start: w for w in weekly.weeks}
    modes = [value for value, _ in weekly.modes]
    in_person, phone, text = modes.index("in_person"), modes.index("phone"), modes.index("text")
    assert by_week[date(2025, 12, 29)].completed_by_mode[in_person] == 1
    assert by_week[date(2026, 1, 5)].completed_by_mode[in_person] == 1
    assert by_week[date(2026, 1, 5)].completed_by_mode[phone] == 1
    assert by_week[date(2026, 1, 5)].attempted == 1
    assert by_week[date(2026, 2, 2)].completed_by_mode[text] == 1
    assert by_week[date(2026, 3, 2)].attempted == 1
    assert (weekly.completed, weekly.attempted) == (4, 2)
    assert weekly.modes_used == (in_person, phone, text)


def test_referral_funnel_and_median_days(figures):
    funnel = referral_funnel([figures["outreach"].id], START, END)
    assert (funnel.referred, funnel.connected, funnel.completed) == (3, 2, 1)
    assert funnel.days_to_connection == (4, 10)
    assert funnel.median_days == 7


def test_outcomes_by_type(figures):
    outcomes = outcome_counts([figures["outreach"].id], START, END)
    counts = {o.value: o.count for o in outcomes.by_type}
    assert counts["employment_started"] == 1
    assert counts["arrested"] == 1
    assert counts["housing_secured"] == 0
    assert outcomes.total == 2


def test_headlines_count_people_once_and_ignore_attempts(figures, make_case):
    hvip = figures["hvip"]
    other = _case(make_case, hvip, enrolled_on=date(2026, 1, 5))
    _contact(other, _local(2026, 1, 6, 9, 0))
    _contact(other, _local(2026, 1, 7, 9, 0))
    db.session.commit()
    headlines = program_headlines([figures["outreach"].id, hvip.id], START, END)
    outreach = headlines[figures["outreach"].id]
    assert outreach.people_served == 2
    assert (outreach.enrollments, outreach.active_at_end) == (2, 1)
    assert (outreach.contacts_completed, outreach.contacts_attempted) == (4, 2)
    assert (outreach.referrals_made, outreach.referrals_connected, outreach.median_days_to_connection) == (3, 2, 7)
    assert headlines[hvip.id].people_served == 1
    assert headlines[hvip.id].contacts_completed == 2
    assert headlines[hvip.id].median_days_to_connection is None


def test_an_empty_program_has_zeros(programs):
    ids = [programs["hvip"].id]
    assert [m.count for m in enrollments_by_month(ids, START, END)] == [0, 0, 0]
    assert referral_funnel(ids, START, END).median_days is None
    assert contacts_by_week(ids, START, END).modes_used == ()


# --- the pages ----------------------------------------------------------------------------------------------


def test_program_page_shows_the_figures_as_tables(client, figures):
    login(client, figures["supervisor"])
    html = client.get(f"/programs/{figures['outreach'].id}/dashboard?{PERIOD}").get_data(as_text=True)
    assert "Jan 2026 1 Feb 2026 1 Mar 2026 0 Total 2" in _table(html, "enrollments-table")
    assert "31 Jan 2026 2 28 Feb 2026 2 31 Mar 2026 1" in _table(html, "caseload-table")
    contacts = _table(html, "contacts-table")
    assert "Week of In person Phone Text Completed Attempted" in contacts
    assert "05 Jan 2026 1 1 0 2 1" in contacts
    assert "Total 2 1 1 4 2" in contacts
    referrals = _table(html, "referrals-table")
    assert "Referred 3 Connected 2 Completed 1" in referrals
    assert "Median days from referral to connection 7" in referrals
    outcomes = _table(html, "outcomes-table")
    assert "Employment started 1" in outcomes and "Arrested 1" in outcomes and "Total 2" in outcomes
    assert "People served (completed contact, counted once) 2" in _table(html, "summary")
    # Every table is labelled for screen readers.
    assert html.count("<caption>") >= 6
    assert 'scope="row"' in html and 'scope="col"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script"
    assert "style=" not in html


def test_program_page_links_each_chart_with_alt_text(client, figures):
    login(client, figures["supervisor"])
    pid = figures["outreach"].id
    html = client.get(f"/programs/{pid}/dashboard?{PERIOD}").get_data(as_text=True)
    for name in ("enrollments", "caseload", "contacts", "referrals", "outcomes"):
        src = f"/programs/{pid}/dashboard/{name}.svg?start=2026-01-01&amp;end=2026-03-31"
        assert re.search(rf'<img [^>]*src="{re.escape(src)}"[^>]*alt="[^"]+"', html), name


def test_program_page_shows_the_module_figures(client, figures):
    program = figures["outreach"]
    db.session.add(
        Mediation(
            program_id=program.id,
            occurred_at=_local(2026, 2, 3, 20, 0),
            area="Eastside",
            identified_by="tip",
            outcome="resolved",
            weapons_present=True,
        )
    )
    db.session.add(
        Mediation(
            program_id=program.id,
            occurred_at=_local(2026, 2, 4, 20, 0),
            area="Eastside",
            identified_by="tip",
            outcome="resolved",
            deleted_at=utcnow(),
        )
    )
    db.session.commit()
    login(client, figures["supervisor"])
    html = client.get(f"/programs/{program.id}/dashboard?{PERIOD}").get_data(as_text=True)
    mediations = _table(html, "mediations-table")
    assert "Mediations 1 Weapons present 1 Outcome: Resolved 1" in mediations
    assert "Shooting responses" in html and "hvip-funnel-table" not in html


def test_hvip_program_page_shows_the_screening_funnel(client, figures):
    hvip = figures["hvip"]
    arrived = _local(2026, 1, 10, 2, 0)
    db.session.add(
        Injury(
            program_id=hvip.id,
            injured_at=arrived,
            arrived_at=arrived,
            first_bedside_at=_local(2026, 1, 10, 3, 30),
            mechanism="gunshot",
            hospital="County General",
            care_level="admitted",
            funnel_stage="enrolled",
        )
    )
    db.session.commit()
    login(client, figures["hvip_supervisor"])
    html = client.get(f"/programs/{hvip.id}/dashboard?{PERIOD}").get_data(as_text=True)
    assert "Screened 1 Eligible 1 Approached 1 Enrolled 1" in _table(html, "hvip-funnel-table")
    assert "Median minutes from arrival to first bedside contact 90" in _table(html, "hvip-response-table")


def test_default_period_is_the_last_twelve_months(client, figures):
    login(client, figures["supervisor"])
    html = client.get(f"/programs/{figures['outreach'].id}/dashboard").get_data(as_text=True)
    table = re.search(r'<table[^>]*id="enrollments-table".*?</table>', html, re.S).group(0)
    assert len(re.findall(r'<th scope="row">\w{3} \d{4}</th>', table)) == 12


def test_reversed_period_says_so_and_shows_no_figures(client, figures):
    login(client, figures["supervisor"])
    response = client.get(f"/programs/{figures['outreach'].id}/dashboard?start=2026-03-31&end=2026-01-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The last day cannot be before the first" in html
    assert 'value="2026-03-31"' in html and 'value="2026-01-01"' in html
    assert "enrollments-table" not in html


def test_page_view_is_audited(client, figures):
    login(client, figures["supervisor"])
    client.get(f"/programs/{figures['outreach'].id}/dashboard?{PERIOD}")
    assert audit_count(action="view", record_type="dashboard", record_id=figures["outreach"].id) == 1


def test_page_shows_no_names(client, figures, make_case):
    _case(make_case, figures["outreach"], enrolled_on=date(2026, 1, 3), first_name="Zebulon", last_name="Quartz")
    login(client, figures["supervisor"])
    html = client.get(f"/programs/{figures['outreach'].id}/dashboard?{PERIOD}").get_data(as_text=True)
    assert "Zebulon" not in html and "Quartz" not in html


# --- the charts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["enrollments", "caseload", "contacts", "referrals", "outcomes"])
def test_chart_is_inert_svg_with_its_own_csp(client, figures, name):
    login(client, figures["supervisor"])
    response = client.get(f"/programs/{figures['outreach'].id}/dashboard/{name}.svg?{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    body = response.get_data(as_text=True)
    root = ET.fromstring(body)  # noqa: S314 - our own chart, parsed to prove it is well-formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in body.lower()
    assert root.get("width") and root.get("height")


def test_chart_draws_the_numbers(client, figures):
    login(client, figures["supervisor"])
    body = client.get(f"/programs/{figures['outreach'].id}/dashboard/referrals.svg?{PERIOD}").get_data(as_text=True)
    assert "median 7 days" in body
    labels = ET.fromstring(body).iter("{http://www.w3.org/2000/svg}text")  # noqa: S314 - our own chart
    assert {"Referred", "Connected", "Completed"} <= {t.text for t in labels}


def test_unknown_chart_is_404(client, figures):
    login(client, figures["supervisor"])
    assert client.get(f"/programs/{figures['outreach'].id}/dashboard/names.svg?{PERIOD}").status_code == 404


def test_chart_with_a_bad_period_is_400(client, figures):
    login(client, figures["supervisor"])
    url = f"/programs/{figures['outreach'].id}/dashboard/outcomes.svg?start=2026-03-31&end=2026-01-01"
    assert client.get(url).status_code == 400


def test_the_html_page_keeps_the_strict_csp(client, figures):
    login(client, figures["supervisor"])
    response = client.get(f"/programs/{figures['outreach'].id}/dashboard?{PERIOD}")
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


# --- access -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["worker", "partner", "hvip_supervisor", "admin"])
def test_only_the_programs_supervisors_and_managers_get_in(client, figures, who):
    login(client, figures[who])
    pid = figures["outreach"].id
    assert client.get(f"/programs/{pid}/dashboard?{PERIOD}").status_code == 404
    assert client.get(f"/programs/{pid}/dashboard/enrollments.svg?{PERIOD}").status_code == 404


def test_manager_gets_in(client, figures):
    login(client, figures["manager"])
    assert client.get(f"/programs/{figures['outreach'].id}/dashboard?{PERIOD}").status_code == 200


def test_unknown_or_deleted_program_is_404(client, figures):
    login(client, figures["supervisor"])
    assert client.get("/programs/99999/dashboard").status_code == 404
    figures["outreach"].deleted_at = utcnow()
    db.session.commit()
    assert client.get(f"/programs/{figures['outreach'].id}/dashboard").status_code == 404


def test_overview_lists_each_program_with_headline_figures(client, figures, make_case):
    other = _case(make_case, figures["hvip"], enrolled_on=date(2026, 1, 5))
    _contact(other, _local(2026, 1, 6, 9, 0))
    db.session.commit()
    login(client, figures["manager"])
    html = client.get(f"/dashboard?{PERIOD}").get_data(as_text=True)
    table = _table(html, "programs-table")
    assert "Eastside Outreach 2 2 1 4 3 2 7" in table
    assert "Trauma HVIP 1 1 1 1 0 0 –" in table
    pid = figures["outreach"].id
    assert f'href="/programs/{pid}/dashboard?start=2026-01-01&amp;end=2026-03-31"' in html
    assert audit_count(action="view", record_type="dashboard") == 1


def test_overview_sends_a_one_program_supervisor_to_their_dashboard(client, figures):
    login(client, figures["supervisor"])
    response = client.get(f"/dashboard?{PERIOD}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/programs/{figures['outreach'].id}/dashboard?{PERIOD}")


@pytest.mark.parametrize("who", ["worker", "partner", "admin"])
def test_overview_is_404_without_a_supervised_program(client, figures, who):
    login(client, figures[who])
    assert client.get("/dashboard").status_code == 404


# --- the number of statements -------------------------------------------------------------------------------


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


def _add_activity(program, make_case, count: int) -> None:
    """Cases, each with contacts, referrals and an outcome in the period."""
    for i in range(count):
        case = _case(make_case, program, enrolled_on=date(2026, 1, 1 + i % 28))
        _contact(case, _local(2026, 1, 1 + i % 28, 10, 0))
        _contact(case, _local(2026, 2, 1 + i % 28, 10, 0), mode="phone", completed=False)
        _referral(case, date(2026, 1, 2), date(2026, 1, 3 + i % 20), "connected")
        _outcome(case, "employment_started", date(2026, 3, 1))
    db.session.commit()


@pytest.mark.parametrize("kind", ["street_outreach", "hvip", "focused_deterrence"])
def test_statement_count_does_not_grow_with_the_data(client, make_program, make_user, make_case, kind):
    program = make_program(kind, "Counted")
    supervisor = make_user(roles={program: "supervisor"})
    _add_activity(program, make_case, 3)
    login(client, supervisor)
    url = f"/programs/{program.id}/dashboard?{PERIOD}"
    client.get(url)
    small = _statements_for(client, url)
    _add_activity(program, make_case, 30)
    large = _statements_for(client, url)
    assert small == large
    assert "Enrollments 33" in _text(client.get(url).get_data(as_text=True))


def test_overview_statement_count_does_not_grow_with_the_data(client, figures, make_case):
    login(client, figures["manager"])
    url = f"/dashboard?{PERIOD}"
    client.get(url)
    small = _statements_for(client, url)
    _add_activity(figures["hvip"], make_case, 20)
    assert _statements_for(client, url) == small
