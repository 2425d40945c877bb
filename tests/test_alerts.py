"""In-app alerts for workers and supervisors, through the web client."""

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import event, select, update

from caseflow.caseload import alerts as alerts_module
from caseflow.extensions import db
from caseflow.models import AuditEvent, CaseStatusChange, ClosureRequest, Injury, ProgramMembership, Referral
from caseflow.timezones import local_today, to_utc
from tests.conftest import login


def _days_ago(days: int) -> datetime:
    return to_utc(datetime.combine(local_today() - timedelta(days=days), time(12, 0)))


def _text(html: str) -> str:
    return " ".join(html.split())


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="mb-4" id="{section_id}">(.*?)</section>', html, re.S)
    assert match, section_id
    return _text(match.group(1))


def _overdue_referral(case, user) -> Referral:
    referral = Referral(
        case_id=case.id,
        service_category="housing",
        status="referred",
        referred_on=local_today() - timedelta(days=20),
        due_on=local_today() - timedelta(days=3),
        created_by_id=user.id,
    )
    db.session.add(referral)
    db.session.commit()
    return referral


def _backdate_status(case, days: int) -> None:
    db.session.execute(
        update(CaseStatusChange).where(CaseStatusChange.case_id == case.id).values(changed_at=_days_ago(days))
    )
    db.session.commit()


def _discharged(case, program, days_ago: int) -> None:
    """An HVIP injury on the case, discharged some days ago: its follow-up checks run from then."""
    db.session.add(
        Injury(
            program_id=program.id,
            participant_id=case.participant_id,
            case_id=case.id,
            injured_at=_days_ago(days_ago + 6),
            arrived_at=_days_ago(days_ago + 6),
            mechanism="gunshot",
            hospital="County General",
            care_level="admitted",
            discharged_on=local_today() - timedelta(days=days_ago),
            funnel_stage="enrolled",
        )
    )
    db.session.commit()


@pytest.fixture
def world(make_program, make_user, make_case, make_contact):
    """Rae (outreach and HVIP worker), her colleague Cy, their supervisor, and another program's closure."""
    outreach = make_program("street_outreach", "Eastside Outreach", contact_frequency_days=7)
    hvip = make_program("hvip", "Trauma HVIP", contact_frequency_days=14)
    other = make_program("street_outreach", "Westside Outreach")
    supervisor = make_user(roles={outreach: "supervisor"}, full_name="Sam Supervisor")
    rae = make_user(roles={outreach: "worker", hvip: "worker"}, full_name="Rae Street")
    cy = make_user(roles={outreach: "worker"}, full_name="Cy Colleague")
    west_worker = make_user(roles={other: "worker"})
    cases = {
        "overdue": make_case(outreach, rae, last_name="Overdue"),
        "ontrack": make_case(outreach, rae, last_name="Ontrack"),
        "hospital": make_case(hvip, rae, last_name="Hospital"),
        "colleague": make_case(outreach, cy, last_name="Colleague"),
        "closing": make_case(outreach, cy, last_name="Closing"),
        "stale": make_case(outreach, cy, last_name="Stalecase"),
        "west": make_case(other, west_worker, last_name="Westcase"),
    }
    cases["hospital"].enrolled_on = local_today() - timedelta(days=2)
    db.session.commit()
    make_contact(cases["overdue"], rae, occurred_at=_days_ago(10))
    make_contact(cases["ontrack"], rae, occurred_at=_days_ago(1))
    _overdue_referral(cases["ontrack"], rae)
    _discharged(cases["hospital"], hvip, 29)
    make_contact(cases["colleague"], cy, occurred_at=_days_ago(10))
    _overdue_referral(cases["colleague"], cy)
    make_contact(cases["closing"], cy, occurred_at=_days_ago(1))
    make_contact(cases["stale"], cy, occurred_at=_days_ago(20))
    _backdate_status(cases["stale"], 30)
    db.session.add(ClosureRequest(case_id=cases["closing"].id, reason="goals_met", requested_by_id=cy.id))
    db.session.add(ClosureRequest(case_id=cases["west"].id, reason="goals_met", requested_by_id=west_worker.id))
    db.session.commit()
    return dict(outreach=outreach, hvip=hvip, other=other, supervisor=supervisor, rae=rae, cy=cy, cases=cases)


def test_worker_alerts_list_their_own_work_with_links(client, world):
    """Rae sees her overdue contact, the overdue referral on her case and the HVIP check due; nothing of Cy's."""
    cases = world["cases"]
    login(client, world["rae"])
    page = client.get("/alerts").get_data(as_text=True)
    counts = _text(re.search(r'<ul class="list-inline mb-3" id="alert-counts">(.*?)</ul>', page, re.S).group(1))
    assert "1 contact overdue" in counts and "1 referral overdue" in counts and "1 follow-up due" in counts
    assert "closure" not in counts and "stale" not in counts
    contacts = _section(page, "overdue-contacts")
    assert f'<a href="/cases/{cases["overdue"].id}">Pat Overdue</a>' in contacts
    assert "Contact overdue by 3 days" in contacts
    referrals = _section(page, "overdue-referrals")
    assert f'<a href="/cases/{cases["ontrack"].id}">Pat Ontrack</a>' in referrals and "Housing" in referrals
    follow_ups = _section(page, "follow-ups")
    assert f'<a href="/cases/{cases["hospital"].id}">Pat Hospital</a>' in follow_ups
    assert "Follow-up due: 30-day check" in follow_ups
    for other in ("Colleague", "Closing", "Stalecase", "Westcase"):
        assert other not in page
    assert 'id="closures"' not in page and 'id="stale"' not in page


def test_supervisor_alerts_add_closures_and_stale_cases(client, world):
    """The supervisor also sees the closure waiting in their program (not another's) and its stale count."""
    cases, outreach = world["cases"], world["outreach"]
    login(client, world["supervisor"])
    page = client.get("/alerts").get_data(as_text=True)
    counts = _text(re.search(r'id="alert-counts">(.*?)</ul>', page, re.S).group(1))
    assert "0 contacts overdue" in counts  # none of their own
    assert "1 closure waiting" in counts and "1 stale case" in counts
    closures = _section(page, "closures")
    assert '<a href="/closure-requests">Pat Closing</a>' in closures and "Eastside Outreach" in closures
    assert "Westcase" not in page
    stale = _section(page, "stale")
    assert f'<a href="/caseload/review/{outreach.id}/cases?measure=stale">Eastside Outreach: 1 stale case</a>' in stale
    # The stale link leads to exactly that case.
    listed = client.get(f"/caseload/review/{outreach.id}/cases?measure=stale").get_data(as_text=True)
    assert "Pat Stalecase" in listed and "Pat Closing" not in listed
    assert cases["colleague"].participant.last_name not in page


def test_alerts_are_audited_with_the_cases_named(client, world):
    cases = world["cases"]
    login(client, world["rae"])
    client.get("/alerts")
    event_ = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "list", AuditEvent.detail == "alerts")
    ).scalar_one()
    expected = sorted(cases[k].id for k in ("overdue", "ontrack", "hospital"))
    assert sorted(int(i) for i in event_.record_ids.split()) == expected


def test_a_long_list_says_how_many_are_not_shown(client, world, monkeypatch, make_case, make_contact):
    monkeypatch.setattr(alerts_module, "ALERT_LIMIT", 2)
    for _ in range(2):
        make_contact(make_case(world["outreach"], world["rae"]), world["rae"], occurred_at=_days_ago(9))
    login(client, world["rae"])
    page = client.get("/alerts").get_data(as_text=True)
    contacts = _section(page, "overdue-contacts")
    assert contacts.count("Contact overdue by") == 2
    assert "Showing the first 2 of 3." in contacts
    assert "3 contacts overdue" in _text(page)


def test_alerts_need_a_casework_role(client, world, make_user):
    """Administrators without membership and police partners have no alerts page."""
    login(client, make_user(is_admin=True))
    assert client.get("/alerts").status_code == 404
    login(client, make_user(roles={world["outreach"]: "partner"}))
    assert client.get("/alerts").status_code == 404


def _statements_for(client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _grow(world, count, make_case, make_contact):
    """More of everything on Rae's caseload and in the supervisor's program."""
    rae, outreach, hvip = world["rae"], world["outreach"], world["hvip"]
    for _ in range(count):
        overdue = make_case(outreach, rae)
        make_contact(overdue, rae, occurred_at=_days_ago(12))
        _overdue_referral(overdue, rae)
        _backdate_status(overdue, 30)
        hospital = make_case(hvip, rae)
        hospital.enrolled_on = local_today() - timedelta(days=2)
        db.session.commit()
        _discharged(hospital, hvip, 29)
        closing = make_case(outreach, world["cy"])
        db.session.add(ClosureRequest(case_id=closing.id, reason="goals_met", requested_by_id=world["cy"].id))
        db.session.commit()


@pytest.mark.parametrize("who", ["rae", "supervisor"])
def test_alerts_query_count_does_not_grow_with_the_data(client, world, make_case, make_contact, who):
    login(client, world[who])
    client.get("/alerts")
    small = _statements_for(client, "/alerts")
    _grow(world, 10, make_case, make_contact)
    large = _statements_for(client, "/alerts")
    assert small == large
    page = _text(client.get("/alerts").get_data(as_text=True))
    if who == "rae":
        assert "11 contacts overdue" in page and "11 referrals overdue" in page and "11 follow-ups due" in page
    else:
        assert "11 closures waiting" in page and "1 stale case" in page


def test_supervisor_who_also_works_cases_sees_both(client, world, make_case, make_contact):
    """A supervisor holding a case of their own gets its overdue contact too."""
    mine = make_case(world["outreach"], world["supervisor"], last_name="Supervisorcase")
    make_contact(mine, world["supervisor"], occurred_at=_days_ago(9))
    db.session.add(ProgramMembership(user_id=world["supervisor"].id, program_id=world["hvip"].id, role="worker"))
    db.session.commit()
    login(client, world["supervisor"])
    page = client.get("/alerts").get_data(as_text=True)
    assert "Pat Supervisorcase" in _section(page, "overdue-contacts")
    assert "Pat Closing" in _section(page, "closures")
