"""Supervisor caseload review, its drill-down and bulk reassignment, through the web client."""

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select, update

from caseflow.extensions import db
from caseflow.models import AuditEvent, Case, CaseAssignment, CaseStatusChange, ClosureRequest, Referral
from caseflow.models.base import utcnow
from caseflow.timezones import local_today, to_utc
from tests.conftest import PASSWORD, audit_count, csrf_token_from, login


def _days_ago(days: int, at: time = time(12, 0)) -> datetime:
    """A local wall-clock time some days back, stored as naive UTC like every contact."""
    return to_utc(datetime.combine(local_today() - timedelta(days=days), at))


def _text(html: str) -> str:
    return " ".join(html.split())


def _cells(html: str, worker: str) -> list[str]:
    """The cells of one worker's row of the review table (worker: a user id, "none" or "all"), as plain text."""
    match = re.search(rf'<tr data-worker="{worker}">(.*?)</tr>', html, re.S)
    assert match, worker
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [_text(re.sub(r"<[^>]+>", " ", cell)) for cell in cells]


def _names(html: str) -> list[str]:
    """The participant names a drill-down lists, in order."""
    return re.findall(r'<a class="fw-semibold" href="/cases/\d+">([^<]+)</a>', html)


def _backdate_status(case, days: int) -> None:
    db.session.execute(
        update(CaseStatusChange).where(CaseStatusChange.case_id == case.id).values(changed_at=_days_ago(days))
    )
    db.session.commit()


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


@pytest.fixture
def team(make_program, make_user, make_case, make_contact):
    """A 7-day outreach program with a target of 2 active cases, two workers with known caseloads, and another program.

    Ada: Alpha (contacted 2 days ago), Bravo (high risk, 5 days ago: overdue on the halved target), Charlie
    (10 days ago: overdue) -> 3 active, over target by 1, 3 contacts in 30 days, 1 of 3 within target.
    Ben: Delta (very high risk, never contacted), Echo (inactive, contacted 20 days ago, status unchanged for 30
    days: stale, with an overdue referral), Foxtrot (contacted yesterday, closure requested), Golf (closed long
    ago) -> 2 active, 2 contacts, 1 of 3 within target, 1 overdue referral, 1 high risk without contact,
    1 pending closure, 1 stale. Unassigned: Hotel (contacted yesterday).
    """
    program = make_program("street_outreach", "Eastside Outreach", contact_frequency_days=7, caseload_target=2)
    other = make_program("street_outreach", "Westside Outreach")
    supervisor = make_user(roles={program: "supervisor"}, full_name="Sam Supervisor")
    ada = make_user(roles={program: "worker"}, full_name="Ada Worker")
    ben = make_user(roles={program: "worker"}, full_name="Ben Worker")
    west_supervisor = make_user(roles={other: "supervisor"}, full_name="Wes Supervisor")
    west_worker = make_user(roles={other: "worker"}, full_name="Wendy Worker")
    cases = {
        "alpha": make_case(program, ada, last_name="Alpha"),
        "bravo": make_case(program, ada, last_name="Bravo", first_name="Bo"),
        "charlie": make_case(program, ada, last_name="Charlie"),
        "delta": make_case(program, ben, last_name="Delta"),
        "echo": make_case(program, ben, status="inactive", last_name="Echo"),
        "foxtrot": make_case(program, ben, last_name="Foxtrot"),
        "golf": make_case(program, ben, status="closed", last_name="Golf"),
        "hotel": make_case(program, None, last_name="Hotel"),
        "west": make_case(other, west_worker, last_name="Westcase"),
    }
    cases["bravo"].risk_level = "high"
    cases["delta"].risk_level = "very_high"
    cases["echo"].enrolled_on = local_today() - timedelta(days=40)
    db.session.commit()
    make_contact(cases["alpha"], ada, occurred_at=_days_ago(2))
    make_contact(cases["alpha"], ada, occurred_at=_days_ago(1), is_completed=False)  # an attempt never counts
    make_contact(cases["alpha"], ada, occurred_at=_days_ago(1), deleted_at=utcnow())  # nor a deleted contact
    make_contact(cases["bravo"], ada, occurred_at=_days_ago(5))
    make_contact(cases["charlie"], ada, occurred_at=_days_ago(10))
    make_contact(cases["charlie"], ada, occurred_at=_days_ago(40))  # outside the 30 days
    make_contact(cases["echo"], ben, occurred_at=_days_ago(20))
    make_contact(cases["foxtrot"], ben, occurred_at=_days_ago(1))
    make_contact(cases["hotel"], supervisor, occurred_at=_days_ago(1))
    make_contact(cases["west"], west_worker, occurred_at=_days_ago(1))
    _backdate_status(cases["echo"], 30)
    _backdate_status(cases["golf"], 30)  # closed: never stale, never open
    _overdue_referral(cases["echo"], ben)
    _overdue_referral(cases["west"], west_worker)
    db.session.add(ClosureRequest(case_id=cases["foxtrot"].id, reason="goals_met", requested_by_id=ben.id))
    db.session.add(ClosureRequest(case_id=cases["west"].id, reason="goals_met", requested_by_id=west_worker.id))
    db.session.commit()
    return dict(
        program=program,
        other=other,
        supervisor=supervisor,
        ada=ada,
        ben=ben,
        west_supervisor=west_supervisor,
        west_worker=west_worker,
        cases=cases,
    )


# --- the review table -------------------------------------------------------------------------


def test_review_figures_per_worker(client, team):
    """Each worker's row against the hand-counted fixture: active vs target, contacts, compliance, flags."""
    login(client, team["supervisor"])
    page = client.get("/caseload/review").get_data(as_text=True)
    ada, ben = team["ada"].id, team["ben"].id
    assert _cells(page, str(ada)) == [
        "Ada Worker Reassign",
        "3 Over target by 1",
        "3",
        "1 of 3 (33%) 2 overdue",
        "0",
        "0",
        "0",
        "0",
    ]
    assert _cells(page, str(ben)) == ["Ben Worker Reassign", "2", "2", "1 of 3 (33%) 2 overdue", "1", "1", "1", "1"]
    assert _cells(page, "none") == ["Unassigned Reassign", "1", "1", "1 of 1 (100%)", "0", "0", "0", "0"]
    assert _cells(page, "all") == ["All", "6", "6", "3 of 7 (43%)", "1", "1", "1", "1"]
    assert "Caseload target: 2 active cases per worker" in _text(page)
    # Another program's cases, workers and names never appear.
    assert "Westside" not in page and "Wendy" not in page and "Westcase" not in page


def test_every_nonzero_figure_links_to_its_cases(client, team):
    """A number above zero is a link to the drill-down for that worker and measure; a zero is not."""
    login(client, team["supervisor"])
    page = client.get("/caseload/review").get_data(as_text=True)
    program_id, ben = team["program"].id, team["ben"].id
    row = re.search(rf'<tr data-worker="{ben}">(.*?)</tr>', page, re.S).group(1)
    for measure in ("active", "contacted", "within_target", "overdue_contact", "overdue_referrals"):
        assert f"/caseload/review/{program_id}/cases?worker_id={ben}&amp;measure={measure}" in row
    for measure in ("high_risk_no_contact", "pending_closure", "stale"):
        assert f"worker_id={ben}&amp;measure={measure}" in row
    ada_row = re.search(rf'<tr data-worker="{team["ada"].id}">(.*?)</tr>', page, re.S).group(1)
    assert "measure=stale" not in ada_row and "measure=pending_closure" not in ada_row


def test_a_worker_holding_cases_outside_the_worker_role_gets_a_row(client, team, make_case):
    """The supervisor holding a case of their own shows as a row, as does every worker with no cases."""
    make_case(team["program"], team["supervisor"], last_name="Supercase")
    login(client, team["supervisor"])
    page = client.get("/caseload/review").get_data(as_text=True)
    assert _cells(page, str(team["supervisor"].id))[1] == "1"


def test_program_filter_and_scope(client, team, make_user):
    """A supervisor of A sees A; asking for B is 404; a supervisor of both can choose one."""
    login(client, team["supervisor"])
    assert client.get(f"/caseload/review?program_id={team['program'].id}").status_code == 200
    assert client.get(f"/caseload/review?program_id={team['other'].id}").status_code == 404
    both = make_user(roles={team["program"]: "manager", team["other"]: "supervisor"})
    login(client, both)
    everything = client.get("/caseload/review").get_data(as_text=True)
    assert "Eastside Outreach" in everything and "Westside Outreach" in everything
    only_west = client.get(f"/caseload/review?program_id={team['other'].id}").get_data(as_text=True)
    assert f'id="program-{team["other"].id}"' in only_west
    assert f'id="program-{team["program"].id}"' not in only_west


@pytest.mark.parametrize("who", ["ada", "west_worker", "admin", "partner"])
def test_review_is_404_for_people_who_supervise_nothing(client, team, make_user, who):
    """Workers, administrators without membership, and partners get 404 on the review and its drill-down."""
    if who == "admin":
        user = make_user(is_admin=True)
    elif who == "partner":
        user = make_user(roles={team["program"]: "partner"})
    else:
        user = team[who]
    login(client, user)
    assert client.get("/caseload/review").status_code == 404
    assert client.get(f"/caseload/review/{team['program'].id}/cases?measure=active").status_code == 404


# --- drill-down ---------------------------------------------------------------------------------


def _drill(client, team, measure: str, worker=None) -> list[str]:
    url = f"/caseload/review/{team['program'].id}/cases?measure={measure}"
    if worker is not None:
        url += f"&worker_id={worker}"
    response = client.get(url)
    assert response.status_code == 200
    return _names(response.get_data(as_text=True))


def test_drill_down_lists_exactly_the_cases_behind_each_number(client, team):
    """Every figure of the fixture, opened: the same cases the hand count names."""
    login(client, team["supervisor"])
    ada, ben = team["ada"].id, team["ben"].id
    assert _drill(client, team, "active", ada) == ["Pat Alpha", "Bo Bravo", "Pat Charlie"]
    assert _drill(client, team, "active", ben) == ["Pat Delta", "Pat Foxtrot"]
    assert _drill(client, team, "contacted", ben) == ["Pat Echo", "Pat Foxtrot"]
    assert _drill(client, team, "within_target", ada) == ["Pat Alpha"]
    assert _drill(client, team, "overdue_contact", ada) == ["Bo Bravo", "Pat Charlie"]
    assert _drill(client, team, "overdue_referrals", ben) == ["Pat Echo"]
    assert _drill(client, team, "high_risk_no_contact", ben) == ["Pat Delta"]
    assert _drill(client, team, "pending_closure", ben) == ["Pat Foxtrot"]
    assert _drill(client, team, "stale", ben) == ["Pat Echo"]
    assert _drill(client, team, "active", "none") == ["Pat Hotel"]
    # Without a worker: the whole program, never another program's cases.
    assert _drill(client, team, "overdue_contact") == ["Bo Bravo", "Pat Charlie", "Pat Delta", "Pat Echo"]
    assert _drill(client, team, "pending_closure") == ["Pat Foxtrot"]


def test_drill_down_shows_status_risk_and_last_contact(client, team):
    login(client, team["supervisor"])
    page = _text(
        client.get(
            f"/caseload/review/{team['program'].id}/cases?measure=high_risk_no_contact&worker_id={team['ben'].id}"
        ).get_data(as_text=True)
    )
    assert "Active · risk: Very high · Ben Worker" in page
    assert "No completed contact yet" in page
    assert f'href="/cases/{team["cases"]["delta"].id}"' in page


def test_drill_down_is_audited_with_the_cases_listed(client, team):
    login(client, team["supervisor"])
    client.get(f"/caseload/review/{team['program'].id}/cases?measure=active&worker_id={team['ada'].id}")
    event_ = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "list", AuditEvent.detail.like("caseload review%"))
    ).scalar_one()
    expected = sorted(team["cases"][k].id for k in ("alpha", "bravo", "charlie"))
    assert sorted(int(i) for i in event_.record_ids.split()) == expected
    assert event_.user_id == team["supervisor"].id


@pytest.mark.parametrize(
    "query", ["measure=bogus", "", "measure=active&worker_id=abc", "measure=active&worker_id=99999"]
)
def test_drill_down_refuses_unknown_arguments(client, team, query):
    login(client, team["supervisor"])
    assert client.get(f"/caseload/review/{team['program'].id}/cases?{query}").status_code == 404


def test_drill_down_of_another_program_is_404(client, team):
    login(client, team["supervisor"])
    assert client.get(f"/caseload/review/{team['other'].id}/cases?measure=active").status_code == 404
    assert client.get("/caseload/review/99999/cases?measure=active").status_code == 404


def test_drill_down_pages(client, app, team, make_case):
    """More cases than a page: the first page holds PAGE_SIZE, the next one the rest."""
    app.config["PAGE_SIZE"] = 2
    login(client, team["supervisor"])
    first = client.get(f"/caseload/review/{team['program'].id}/cases?measure=active&worker_id={team['ada'].id}")
    html = first.get_data(as_text=True)
    assert _names(html) == ["Pat Alpha", "Bo Bravo"] and "Page 1 of 2" in html
    url = f"/caseload/review/{team['program'].id}/cases?measure=active&worker_id={team['ada'].id}&page=2"
    assert _names(client.get(url).get_data(as_text=True)) == ["Pat Charlie"]


# --- stale --------------------------------------------------------------------------------------


def test_stale_means_more_than_14_local_days_without_status_change_or_contact(client, team, make_case, make_contact):
    """Contact 14 local days ago (even late evening) is not stale yet; 15 days is; a recent status change resets it."""
    program, ada = team["program"], team["ada"]
    fourteen = make_case(program, ada, last_name="Fourteen")
    make_contact(fourteen, ada, occurred_at=_days_ago(14, time(0, 30)))
    fifteen = make_case(program, ada, last_name="Fifteen")
    make_contact(fifteen, ada, occurred_at=_days_ago(15, time(23, 30)))
    recent_status = make_case(program, ada, last_name="Recentstatus")
    make_contact(recent_status, ada, occurred_at=_days_ago(30))
    for case in (fourteen, fifteen):
        _backdate_status(case, 30)
    login(client, team["supervisor"])
    assert _drill(client, team, "stale", ada.id) == ["Pat Fifteen"]


# --- bulk reassignment --------------------------------------------------------------------------


def _reassign_url(team, worker) -> str:
    return f"/caseload/{team['program'].id}/reassign?from={worker}"


def test_bulk_reassign_lists_the_workers_open_cases_as_labelled_checkboxes(client, team):
    login(client, team["supervisor"])
    page = client.get(_reassign_url(team, team["ben"].id)).get_data(as_text=True)
    for key in ("delta", "echo", "foxtrot"):
        case_id = team["cases"][key].id
        assert re.search(rf'<input[^>]*name="case_ids"[^>]*value="{case_id}"', page)
        assert f"Pat {key.capitalize()}" in page
    assert "Golf" not in page  # closed
    assert "Alpha" not in page  # someone else's
    assert '<label class="form-label" for="to_worker_id">New worker</label>' in page


def test_bulk_reassign_moves_every_selected_case_with_history_and_audit(client, team):
    cases, ada, ben = team["cases"], team["ada"], team["ben"]
    login(client, team["supervisor"])
    updates = audit_count(action="update", record_type="case", detail="reassigned")
    response = client.post(
        _reassign_url(team, ada.id),
        data={"case_ids": [cases["alpha"].id, cases["charlie"].id], "to_worker_id": ben.id, "note": "leave"},
        follow_redirects=True,
    )
    assert "2 cases reassigned to Ben Worker." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, cases["alpha"].id).assigned_worker_id == ben.id
    assert db.session.get(Case, cases["charlie"].id).assigned_worker_id == ben.id
    assert db.session.get(Case, cases["bravo"].id).assigned_worker_id == ada.id
    moves = db.session.execute(select(CaseAssignment).order_by(CaseAssignment.case_id)).scalars().all()
    assert [(m.case_id, m.from_worker_id, m.to_worker_id, m.changed_by_id, m.note) for m in moves] == [
        (cases["alpha"].id, ada.id, ben.id, team["supervisor"].id, "leave"),
        (cases["charlie"].id, ada.id, ben.id, team["supervisor"].id, "leave"),
    ]
    assert audit_count(action="update", record_type="case", detail="reassigned") == updates + 2


def test_bulk_reassign_of_unassigned_cases(client, team):
    login(client, team["supervisor"])
    response = client.post(
        _reassign_url(team, "none"),
        data={"case_ids": [team["cases"]["hotel"].id], "to_worker_id": team["ada"].id},
        follow_redirects=True,
    )
    assert "1 case reassigned to Ada Worker." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, team["cases"]["hotel"].id).assigned_worker_id == team["ada"].id


def test_a_case_from_another_program_moves_nothing(client, team):
    """All or nothing: one foreign case in the selection refuses the whole move, keeping the selection."""
    cases, ada, ben = team["cases"], team["ada"], team["ben"]
    login(client, team["supervisor"])
    response = client.post(
        _reassign_url(team, ada.id),
        data={"case_ids": [cases["alpha"].id, cases["west"].id], "to_worker_id": ben.id},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 of the selected cases is not an open case of Eastside Outreach. Nothing was reassigned." in page
    assert re.search(rf'<input[^>]*checked[^>]*value="{cases["alpha"].id}"', page) or re.search(
        rf'<input[^>]*value="{cases["alpha"].id}"[^>]*checked', page
    )
    assert "Westcase" not in page
    db.session.expire_all()
    assert db.session.get(Case, cases["alpha"].id).assigned_worker_id == ada.id
    assert db.session.get(Case, cases["west"].id).assigned_worker_id == team["west_worker"].id
    assert db.session.execute(select(func.count(CaseAssignment.id))).scalar_one() == 0
    assert audit_count(action="update", record_type="case", detail="reassigned") == 0


def test_a_closed_case_or_another_workers_case_moves_nothing(client, team):
    cases, ada, ben = team["cases"], team["ada"], team["ben"]
    login(client, team["supervisor"])
    closed = client.post(_reassign_url(team, ben.id), data={"case_ids": [cases["golf"].id], "to_worker_id": ada.id})
    assert "Nothing was reassigned" in closed.get_data(as_text=True)
    not_theirs = client.post(
        _reassign_url(team, ben.id),
        data={"case_ids": [cases["delta"].id, cases["alpha"].id], "to_worker_id": team["supervisor"].id},
    )
    assert "No longer with the chosen worker: Pat Alpha" in not_theirs.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, cases["delta"].id).assigned_worker_id == ben.id
    assert db.session.execute(select(func.count(CaseAssignment.id))).scalar_one() == 0


def test_bulk_reassign_asks_for_a_worker_and_a_case(client, team):
    login(client, team["supervisor"])
    ada = team["ada"]
    page = client.post(_reassign_url(team, ada.id), data={"case_ids": [team["cases"]["alpha"].id]}).get_data(
        as_text=True
    )
    assert "Choose the new worker." in page
    page = client.post(_reassign_url(team, ada.id), data={"to_worker_id": team["ben"].id}).get_data(as_text=True)
    assert "Choose at least one case to reassign." in page
    assert db.session.execute(select(func.count(CaseAssignment.id))).scalar_one() == 0


def test_bulk_reassign_needs_a_csrf_token(csrf_app, team):
    """With CSRF on, as in production: a POST without the token moves nothing; the rendered form's token works."""
    cases, ada, ben = team["cases"], team["ada"], team["ben"]
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": team["supervisor"].email, "password": PASSWORD, "csrf_token": token})
    response = client.post(_reassign_url(team, ada.id), data={"case_ids": [cases["alpha"].id], "to_worker_id": ben.id})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Case, cases["alpha"].id).assigned_worker_id == ada.id
    token = csrf_token_from(client.get(_reassign_url(team, ada.id)).get_data(as_text=True))
    client.post(
        _reassign_url(team, ada.id),
        data={"csrf_token": token, "case_ids": [cases["alpha"].id], "to_worker_id": ben.id},
    )
    db.session.expire_all()
    assert db.session.get(Case, cases["alpha"].id).assigned_worker_id == ben.id


def test_bulk_reassign_access(client, team, make_user):
    """403 for a worker of the program (even for their own cases), 404 for anyone outside it."""
    url = _reassign_url(team, team["ada"].id)
    login(client, team["ada"])
    assert client.get(url).status_code == 403
    response = client.post(url, data={"case_ids": [team["cases"]["alpha"].id], "to_worker_id": team["ben"].id})
    assert response.status_code == 403
    for outsider in (team["west_supervisor"], make_user(is_admin=True), make_user(roles={team["program"]: "partner"})):
        login(client, outsider)
        assert client.get(url).status_code == 404
    login(client, team["supervisor"])
    assert client.get(f"/caseload/{team['other'].id}/reassign").status_code == 404
    assert client.get(f"/caseload/{team['program'].id}/reassign?from=99999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Case, team["cases"]["alpha"].id).assigned_worker_id == team["ada"].id


# --- query count --------------------------------------------------------------------------------


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


def _grow(team, count, make_case, make_contact, make_user):
    """More workers, cases, contacts, referrals, closure requests and stale cases."""
    program = team["program"]
    for _ in range(count):
        worker = make_user(roles={program: "worker"})
        for risk in ("high", None):
            case = make_case(program, worker)
            case.risk_level = risk
            db.session.commit()
            make_contact(case, worker, occurred_at=_days_ago(3))
            make_contact(case, worker, occurred_at=_days_ago(20), is_completed=False)
            _overdue_referral(case, worker)
            db.session.add(ClosureRequest(case_id=case.id, reason="goals_met", requested_by_id=worker.id))
            _backdate_status(case, 30)


def test_review_query_count_does_not_grow_with_the_data(client, team, make_case, make_contact, make_user):
    login(client, team["supervisor"])
    client.get("/caseload/review")
    small = _statements_for(client, "/caseload/review")
    drill_small = _statements_for(client, f"/caseload/review/{team['program'].id}/cases?measure=active")
    _grow(team, 12, make_case, make_contact, make_user)
    large = _statements_for(client, "/caseload/review")
    drill_large = _statements_for(client, f"/caseload/review/{team['program'].id}/cases?measure=active")
    assert small == large
    assert drill_small == drill_large
    page = client.get("/caseload/review").get_data(as_text=True)
    assert _cells(page, "all")[1] == "30"  # 6 active in the fixture + 24 new


def test_home_page_marks_stale_cases(client, team):
    """The worker's own list flags the stale case with a badge in words, and only that one."""
    login(client, team["ben"])
    page = client.get("/").get_data(as_text=True)
    rows = {
        name: _text(chunk)
        for chunk in page.split('class="list-group-item')
        for name in ("Echo", "Delta")
        if name in chunk
    }
    assert "Stale: no status change or contact for over 14 days" in rows["Echo"]
    assert "Stale" not in rows["Delta"]


def test_drill_down_never_names_staff_of_other_programs(client, team):
    """A user id from another program answers 404, so the page is no directory of staff names."""
    login(client, team["supervisor"])
    url = f"/caseload/review/{team['program'].id}/cases?measure=active&worker_id={team['west_worker'].id}"
    assert client.get(url).status_code == 404


def test_former_holders_of_closed_cases_get_no_row(client, team, make_user, make_case):
    """Someone outside the worker role who only held a case closed long ago adds no empty row."""
    former = make_user(full_name="Former Person")
    old = make_case(team["program"], former, status="closed", last_name="Oldclosed")
    _backdate_status(old, 400)
    login(client, team["supervisor"])
    assert "Former Person" not in client.get("/caseload/review").get_data(as_text=True)
