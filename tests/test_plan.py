"""The case plan through the web client: goals, outcomes, program instruments and repeatable assessments."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Assessment, AssessmentAnswer, AuditEvent, Goal, Instrument, InstrumentItem, Outcome
from caseflow.plan.services import assessment_changes
from caseflow.timezones import local_now, local_today, to_utc
from tests.conftest import audit_count, csrf_token_from, login


@pytest.fixture
def world(make_program, make_user, make_case):
    """An outreach program with a worker, a supervisor and a case; an HVIP program with its own worker and case."""
    outreach = make_program("street_outreach", "Outreach A")
    hvip = make_program("hvip", "HVIP B")
    users = {
        "worker": make_user(roles={outreach: "worker"}, full_name="Rae Worker"),
        "supervisor": make_user(roles={outreach: "supervisor"}, full_name="Sam Supervisor"),
        "manager": make_user(roles={outreach: "manager"}, full_name="Mo Manager"),
        "worker_b": make_user(roles={hvip: "worker"}),
        "supervisor_b": make_user(roles={hvip: "supervisor"}),
        "admin": make_user(is_admin=True),
    }
    case = make_case(outreach, users["worker"], last_name="Okafor")
    case_b = make_case(hvip, users["worker_b"], last_name="Reyes")
    return {"program": outreach, "program_b": hvip, "case": case, "case_b": case_b, **users}


def switch_user(client, user) -> None:
    """Log out whoever is logged in on this client, then log in as user."""
    client.post("/logout")
    login(client, user)


def _count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


def _day(value) -> str:
    return value.strftime("%Y-%m-%d")


def _minute(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _make_goal(case, **fields) -> Goal:
    goal = Goal(
        case_id=case.id,
        domain=fields.pop("domain", "employment"),
        description=fields.pop("description", "Find a job"),
        set_on=fields.pop("set_on", local_today() - timedelta(days=10)),
        **fields,
    )
    db.session.add(goal)
    db.session.commit()
    return goal


def _make_instrument(program, name="Risk screen", items=(("Carries a gun", 1), ("Conflicts in the last month", 3))):
    instrument = Instrument(program_id=program.id, name=name)
    db.session.add(instrument)
    db.session.flush()
    for position, (text, max_points) in enumerate(items, start=1):
        db.session.add(InstrumentItem(instrument_id=instrument.id, position=position, text=text, max_points=max_points))
    db.session.commit()
    return instrument


def _answers(instrument, *points) -> dict:
    """Form data answering an instrument's items in order."""
    items = sorted(instrument.items, key=lambda i: i.position)
    return {f"item_{item.id}": str(p) for item, p in zip(items, points, strict=True)}


def _goal_form(**overrides) -> dict:
    data = {
        "domain": "employment",
        "description": "Finish the forklift course",
        "set_on": _day(local_today()),
        "target_on": _day(local_today() + timedelta(days=60)),
        "submission_token": "goal-token-1",
    }
    data.update(overrides)
    return data


# --- goals ----------------------------------------------------------------------------------


def test_worker_sets_a_goal_and_sees_it_on_the_case_plan(client, world):
    """A new goal is saved open, with its dates, and shown on the plan page."""
    login(client, world["worker"])
    response = client.post(f"/cases/{world['case'].id}/goals/new", data=_goal_form(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Goal saved." in page and "Finish the forklift course" in page and "Open" in page
    goal = db.session.execute(select(Goal)).scalar_one()
    assert (goal.case_id, goal.domain, goal.status, goal.set_on) == (
        world["case"].id,
        "employment",
        "open",
        local_today(),
    )
    assert goal.target_on == local_today() + timedelta(days=60)
    assert audit_count(action="create", record_type="goal", record_id=goal.id, user_id=world["worker"].id) == 1


def test_goal_form_renders_its_one_time_token_and_works_with_csrf(csrf_app, world):
    """The real form carries a CSRF token and a submission token; posting them back saves the goal."""
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": world["worker"].email,
            "password": "correct-horse-battery",
            "csrf_token": csrf_token_from(login_page),
        },
    )
    page = client.get(f"/cases/{world['case'].id}/goals/new").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    data = _goal_form(submission_token=token, csrf_token=csrf_token_from(page))
    response = client.post(f"/cases/{world['case'].id}/goals/new", data=data)
    assert response.status_code == 302
    assert _count(Goal) == 1


def test_invalid_goal_shows_errors_and_keeps_what_was_typed(client, world):
    """No domain and a target before the set date are refused; the typed text stays in the form."""
    login(client, world["worker"])
    data = _goal_form(domain="", target_on=_day(local_today() - timedelta(days=3)), description="Get an ID card")
    response = client.post(f"/cases/{world['case'].id}/goals/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a domain." in page
    assert "The target date cannot be before the date the goal was set." in page
    assert "Get an ID card" in page and data["target_on"] in page
    assert _count(Goal) == 0


def test_a_goal_cannot_be_set_in_the_future(client, world):
    """The set-on date is when the plan was agreed, so it cannot be after today."""
    login(client, world["worker"])
    data = _goal_form(set_on=_day(local_today() + timedelta(days=2)), target_on="")
    page = client.post(f"/cases/{world['case'].id}/goals/new", data=data).get_data(as_text=True)
    assert "A goal cannot be set in the future." in page
    assert _count(Goal) == 0


def test_double_submit_of_a_goal_makes_one_row(client, world):
    """The same form sent twice (a double tap) saves one goal and says so the second time."""
    login(client, world["worker"])
    url = f"/cases/{world['case'].id}/goals/new"
    first = client.post(url, data=_goal_form())
    second = client.post(url, data=_goal_form(), follow_redirects=True)
    assert first.status_code == 302
    assert "already saved" in second.get_data(as_text=True)
    assert _count(Goal) == 1
    assert audit_count(action="create", record_type="goal") == 1


def test_extra_goal_fields_are_ignored(client, world):
    """Only declared fields bind: a forged status or case id in the POST changes nothing (S6)."""
    login(client, world["worker"])
    data = _goal_form(status="met", case_id=str(world["case_b"].id), met_on=_day(local_today()))
    client.post(f"/cases/{world['case'].id}/goals/new", data=data)
    goal = db.session.execute(select(Goal)).scalar_one()
    assert (goal.case_id, goal.status, goal.met_on) == (world["case"].id, "open", None)


def test_edit_goal_page_is_prefilled_and_audited(client, world):
    """The edit form shows the saved goal and its version, and the view is recorded."""
    goal = _make_goal(world["case"], description="Stay away from 5th street")
    login(client, world["worker"])
    page = client.get(f"/goals/{goal.id}/edit").get_data(as_text=True)
    assert "Stay away from 5th street" in page
    assert 'name="version" type="hidden" value="1"' in page
    assert audit_count(action="view", record_type="goal", record_id=goal.id) == 1


def _edit(goal, **overrides) -> dict:
    data = {
        "description": goal.description,
        "target_on": _day(goal.target_on) if goal.target_on else "",
        "status": goal.status,
        "met_on": "",
        "version": str(goal.version),
    }
    data.update(overrides)
    return data


def test_marking_a_goal_met_stamps_today(client, world):
    """Moving to met with no date sets met_on to today and bumps the version."""
    goal = _make_goal(world["case"])
    login(client, world["worker"])
    response = client.post(f"/goals/{goal.id}/edit", data=_edit(goal, status="met"), follow_redirects=True)
    assert "Goal updated." in response.get_data(as_text=True)
    db.session.refresh(goal)
    assert (goal.status, goal.met_on, goal.version) == ("met", local_today(), 2)
    [event] = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.record_type == "goal")
    ).scalars()
    assert (event.record_id, event.detail) == (goal.id, "status open -> met")


def test_met_on_can_be_given_and_cannot_precede_the_goal(client, world):
    """A typed met date is kept; one before the goal was set is refused with the typed values kept."""
    goal = _make_goal(world["case"], set_on=local_today() - timedelta(days=10))
    login(client, world["worker"])
    too_early = _day(local_today() - timedelta(days=20))
    page = client.post(f"/goals/{goal.id}/edit", data=_edit(goal, status="met", met_on=too_early)).get_data(
        as_text=True
    )
    assert "A goal cannot be met before the date it was set." in page and too_early in page
    db.session.refresh(goal)
    assert (goal.status, goal.met_on) == ("open", None)
    met = local_today() - timedelta(days=2)
    client.post(f"/goals/{goal.id}/edit", data=_edit(goal, status="met", met_on=_day(met)))
    db.session.refresh(goal)
    assert (goal.status, goal.met_on) == ("met", met)


def test_leaving_met_clears_the_met_date(client, world):
    """A met goal moved back to open (or not met) no longer has a date it was met."""
    goal = _make_goal(world["case"], status="met", met_on=local_today())
    login(client, world["worker"])
    client.post(f"/goals/{goal.id}/edit", data=_edit(goal, status="not_met", met_on=_day(local_today())))
    db.session.refresh(goal)
    assert (goal.status, goal.met_on) == ("not_met", None)


def test_stale_goal_edit_shows_conflict_with_both_values_and_overwrites_nothing(client, world):
    """Someone saved after the form was loaded: 409, both versions side by side, the newer save kept."""
    goal = _make_goal(world["case"], description="Find a job")
    login(client, world["worker"])
    stale = _edit(goal, description="Find a job near home")
    goal.description = "Find a warehouse job"  # the supervisor's save in the meantime
    db.session.commit()
    response = client.post(f"/goals/{goal.id}/edit", data=stale)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this first" in page
    assert "Find a job near home" in page and "Find a warehouse job" in page
    db.session.refresh(goal)
    assert (goal.description, goal.version) == ("Find a warehouse job", 2)
    assert audit_count(action="update", record_type="goal") == 0


def test_resubmitting_from_the_conflict_page_saves_the_users_version(client, world):
    """The conflict page's form carries the current version, so sending it again deliberately wins."""
    goal = _make_goal(world["case"], description="Find a job")
    login(client, world["worker"])
    stale = _edit(goal, description="Find a job near home")
    goal.description = "Find a warehouse job"
    db.session.commit()
    page = client.post(f"/goals/{goal.id}/edit", data=stale).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert version == "2"
    response = client.post(f"/goals/{goal.id}/edit", data={**stale, "version": version})
    assert response.status_code == 302
    db.session.refresh(goal)
    assert (goal.description, goal.version) == ("Find a job near home", 3)


def test_deleted_goal_disappears_from_the_plan_and_cannot_be_edited(client, world):
    """A soft-deleted goal leaves the plan page, its edit page answers 404, and the delete is audited."""
    goal = _make_goal(world["case"], description="Get a driving licence")
    login(client, world["worker"])
    response = client.post(f"/goals/{goal.id}/delete", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Goal deleted." in page and "Get a driving licence" not in page
    assert client.get(f"/goals/{goal.id}/edit").status_code == 404
    db.session.refresh(goal)
    assert goal.deleted_at is not None and goal.deleted_by_id == world["worker"].id
    assert audit_count(action="delete", record_type="goal", record_id=goal.id) == 1


# --- outcomes -------------------------------------------------------------------------------


def _outcome_form(**overrides) -> dict:
    data = {
        "outcome_type": "employment_started",
        "occurred_on": _day(local_today() - timedelta(days=1)),
        "details": "Warehouse, night shift",
        "submission_token": "outcome-token-1",
    }
    data.update(overrides)
    return data


def test_worker_records_an_outcome(client, world):
    """A typed, dated outcome is saved, shown on the plan page and audited."""
    login(client, world["worker"])
    response = client.post(f"/cases/{world['case'].id}/outcomes/new", data=_outcome_form(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Outcome saved." in page and "Employment started" in page and "Warehouse, night shift" in page
    outcome = db.session.execute(select(Outcome)).scalar_one()
    assert (outcome.outcome_type, outcome.occurred_on) == ("employment_started", local_today() - timedelta(days=1))
    assert audit_count(action="create", record_type="outcome", record_id=outcome.id) == 1


def test_outcome_in_the_future_is_refused_and_typed_values_kept(client, world):
    """An outcome has happened already; a future date is an error and nothing is saved."""
    login(client, world["worker"])
    future = _day(local_today() + timedelta(days=3))
    response = client.post(
        f"/cases/{world['case'].id}/outcomes/new", data=_outcome_form(occurred_on=future, details="Starts Monday")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An outcome cannot be in the future." in page
    assert future in page and "Starts Monday" in page
    assert re.search(r'<option selected value="employment_started">', page)
    assert _count(Outcome) == 0


def test_outcome_needs_a_type(client, world):
    """Leaving the type blank is reported next to the field."""
    login(client, world["worker"])
    page = client.post(f"/cases/{world['case'].id}/outcomes/new", data=_outcome_form(outcome_type="")).get_data(
        as_text=True
    )
    assert "Choose an outcome." in page
    assert _count(Outcome) == 0


def test_double_submit_of_an_outcome_makes_one_row(client, world):
    """Two copies of the same outcome form make one outcome."""
    login(client, world["worker"])
    url = f"/cases/{world['case'].id}/outcomes/new"
    client.post(url, data=_outcome_form())
    client.post(url, data=_outcome_form())
    assert _count(Outcome) == 1
    assert audit_count(action="create", record_type="outcome") == 1


def test_deleted_outcome_disappears(client, world):
    """A soft-deleted outcome leaves the plan page; the row stays, marked deleted, and the delete is audited."""
    login(client, world["worker"])
    client.post(f"/cases/{world['case'].id}/outcomes/new", data=_outcome_form(details="Forklift job"))
    outcome = db.session.execute(select(Outcome)).scalar_one()
    page = client.post(f"/outcomes/{outcome.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "Outcome deleted." in page and "Forklift job" not in page
    db.session.refresh(outcome)
    assert outcome.deleted_at is not None
    assert audit_count(action="delete", record_type="outcome", record_id=outcome.id) == 1


# --- instruments ----------------------------------------------------------------------------


def test_supervisor_creates_an_instrument_and_adds_questions(client, world):
    """A supervisor names an instrument, adds a yes/no and a 0-3 question, and sees them listed in order."""
    program = world["program"]
    login(client, world["supervisor"])
    response = client.post(
        f"/programs/{program.id}/instruments", data={"name": "Outreach risk screen", "submission_token": "i-1"}
    )
    instrument = db.session.execute(select(Instrument)).scalar_one()
    assert response.status_code == 302 and response.location.endswith(f"/instruments/{instrument.id}")
    client.post(
        f"/instruments/{instrument.id}",
        data={"text": "Carries a gun", "max_points": "1", "add_item": "y", "submission_token": "q-1"},
    )
    page = client.post(
        f"/instruments/{instrument.id}",
        data={"text": "Conflicts in the last month", "max_points": "3", "add_item": "y", "submission_token": "q-2"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert page.index("Carries a gun") < page.index("Conflicts in the last month")
    assert "up to 4 points" in page
    items = db.session.execute(select(InstrumentItem).order_by(InstrumentItem.position)).scalars().all()
    assert [(i.position, i.text, i.max_points) for i in items] == [
        (1, "Carries a gun", 1),
        (2, "Conflicts in the last month", 3),
    ]
    assert (instrument.program_id, instrument.name, instrument.is_active) == (program.id, "Outreach risk screen", True)
    assert audit_count(action="create", record_type="instrument", record_id=instrument.id) == 1
    assert audit_count(action="update", record_type="instrument", record_id=instrument.id) == 2
    listing = client.get(f"/programs/{program.id}/instruments").get_data(as_text=True)
    assert "Outreach risk screen" in listing and "Conflicts in the last month" in listing


def test_manager_may_configure_instruments_too(client, world):
    """Managers of the program configure instruments like supervisors."""
    login(client, world["manager"])
    assert client.get(f"/programs/{world['program'].id}/instruments").status_code == 200


def test_worker_cannot_configure_instruments(client, world):
    """A worker of the program gets 403 on the pages and the posts, and nothing is created."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    program_id = world["program"].id
    assert client.get(f"/programs/{program_id}/instruments").status_code == 403
    assert client.post(f"/programs/{program_id}/instruments", data={"name": "Mine"}).status_code == 403
    assert client.get(f"/instruments/{instrument.id}").status_code == 403
    response = client.post(f"/instruments/{instrument.id}", data={"text": "Q", "max_points": "2", "add_item": "y"})
    assert response.status_code == 403
    assert client.post(f"/instruments/{instrument.id}", data={"deactivate": "y"}).status_code == 403
    assert _count(Instrument) == 1 and _count(InstrumentItem) == 2
    db.session.refresh(instrument)
    assert instrument.is_active


@pytest.mark.parametrize("outsider", ["supervisor_b", "admin"])
def test_outsiders_get_404_on_another_programs_instruments(client, world, outsider):
    """Another program's supervisor, or an administrator without membership, cannot even see that it exists."""
    instrument = _make_instrument(world["program"])
    login(client, world[outsider])
    assert client.get(f"/programs/{world['program'].id}/instruments").status_code == 404
    assert client.get(f"/instruments/{instrument.id}").status_code == 404
    response = client.post(f"/instruments/{instrument.id}", data={"text": "Q", "max_points": "2", "add_item": "y"})
    assert response.status_code == 404
    assert client.post(f"/programs/{world['program'].id}/instruments", data={"name": "X"}).status_code == 404
    assert _count(InstrumentItem) == 2 and _count(Instrument) == 1


def test_question_points_must_be_1_to_10_and_typed_text_is_kept(client, world):
    """Eleven points is refused next to the field, and the question typed stays in the form."""
    instrument = _make_instrument(world["program"], items=())
    login(client, world["supervisor"])
    response = client.post(
        f"/instruments/{instrument.id}",
        data={"text": "Missed school days", "max_points": "11", "add_item": "y", "submission_token": "q"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter 1 to 10 points." in page and "Missed school days" in page
    assert _count(InstrumentItem) == 0


def test_instrument_names_are_unique_in_a_program(client, world):
    """A second instrument with the same name would make results ambiguous, so it is refused."""
    _make_instrument(world["program"], name="Risk screen")
    login(client, world["supervisor"])
    page = client.post(
        f"/programs/{world['program'].id}/instruments", data={"name": "risk screen", "submission_token": "t"}
    ).get_data(as_text=True)
    assert "already has an instrument with that name" in page
    assert _count(Instrument) == 1


def test_deactivated_instrument_is_no_longer_offered(client, world):
    """Deactivating takes an instrument out of new assessments; the worker is told there is none."""
    instrument = _make_instrument(world["program"])
    login(client, world["supervisor"])
    client.post(f"/instruments/{instrument.id}", data={"deactivate": "y"})
    db.session.refresh(instrument)
    assert not instrument.is_active
    assert audit_count(action="update", record_type="instrument", detail="deactivated") == 1
    switch_user(client, world["worker"])
    page = client.get(f"/cases/{world['case'].id}/assessments/new").get_data(as_text=True)
    assert "no assessment instrument in use" in page and "Carries a gun" not in page


# --- assessments ----------------------------------------------------------------------------


def test_assessment_form_shows_each_question_with_its_answers(client, world):
    """With one instrument in use the form opens directly: yes/no for one-point questions, 0..max otherwise."""
    _make_instrument(world["program"])
    login(client, world["worker"])
    page = client.get(f"/cases/{world['case'].id}/assessments/new").get_data(as_text=True)
    assert "Carries a gun" in page and "Conflicts in the last month" in page
    assert ">Yes</option>" in page and ">No</option>" in page
    assert '<option value="3">3</option>' in page and '<option value="4">' not in page
    for field_id in re.findall(r'<select[^>]*id="([^"]+)"', page):
        assert f'for="{field_id}"' in page, field_id


def test_several_instruments_are_listed_to_choose_from(client, world):
    """With more than one instrument in use and none chosen, the worker picks one."""
    first = _make_instrument(world["program"], name="Risk screen")
    _make_instrument(world["program"], name="Needs check")
    login(client, world["worker"])
    page = client.get(f"/cases/{world['case'].id}/assessments/new").get_data(as_text=True)
    assert "Choose the instrument" in page and "Risk screen" in page and "Needs check" in page
    assert f"instrument_id={first.id}" in page
    chosen = client.get(f"/cases/{world['case'].id}/assessments/new?instrument_id={first.id}").get_data(as_text=True)
    assert "Carries a gun" in chosen


def test_without_an_instrument_supervisors_are_pointed_to_the_setup_page(client, world):
    """No instrument in use: workers are told to ask, supervisors get a link to set one up."""
    login(client, world["worker"])
    page = client.get(f"/cases/{world['case'].id}/assessments/new").get_data(as_text=True)
    assert "no assessment instrument in use" in page and "Ask a supervisor" in page
    switch_user(client, world["supervisor"])
    page = client.get(f"/cases/{world['case'].id}/assessments/new").get_data(as_text=True)
    assert f"/programs/{world['program'].id}/instruments" in page


def _assessment_form(instrument, *points, token="a-1", **overrides) -> dict:  # noqa: S107 - a form token
    data = {
        "taken_at": _minute(local_now() - timedelta(hours=1)),
        "risk_level": "high",
        "submission_token": token,
        **_answers(instrument, *points),
    }
    data.update(overrides)
    return data


def test_worker_takes_an_assessment_and_it_is_scored(client, world):
    """Score is the sum of points; each answer is kept with the question text; the instrument is named."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    taken = (local_now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    response = client.post(
        f"/cases/{world['case'].id}/assessments/new",
        data=_assessment_form(instrument, 1, 2, taken_at=_minute(taken)),
        follow_redirects=True,
    )
    assert "Assessment saved." in response.get_data(as_text=True)
    assessment = db.session.execute(select(Assessment)).scalar_one()
    assert (assessment.score, assessment.risk_level, assessment.instrument, assessment.instrument_id) == (
        3,
        "high",
        "Risk screen",
        instrument.id,
    )
    assert assessment.taken_at == to_utc(taken) and assessment.assessed_by_id == world["worker"].id
    assert [(a.item, a.answer, a.points) for a in assessment.answers] == [
        ("Carries a gun", "Yes", 1),
        ("Conflicts in the last month", "2", 2),
    ]
    assert all(a.item_id is not None for a in assessment.answers)
    assert audit_count(action="create", record_type="assessment", record_id=assessment.id) == 1


def test_score_is_computed_never_taken_from_the_form(client, world):
    """A forged score or assessor in the POST is ignored: the score is the sum of the answers (S6)."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    data = _assessment_form(instrument, 0, 1, score="99", assessed_by_id=str(world["supervisor"].id))
    client.post(f"/cases/{world['case'].id}/assessments/new", data=data)
    assessment = db.session.execute(select(Assessment)).scalar_one()
    assert (assessment.score, assessment.assessed_by_id) == (1, world["worker"].id)


def test_unanswered_question_is_reported_and_other_answers_kept(client, world):
    """Every question needs an answer; the ones given stay selected and nothing is saved."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    data = _assessment_form(instrument, 1, 2)
    data[next(k for k in data if k.startswith("item_") and data[k] == "2")] = ""
    response = client.post(f"/cases/{world['case'].id}/assessments/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Answer this question." in page
    assert '<option selected value="1">Yes</option>' in page
    assert '<option selected value="high">High</option>' in page
    assert _count(Assessment) == 0 and _count(AssessmentAnswer) == 0


def test_points_outside_the_question_range_are_refused(client, world):
    """A forged answer above the question's maximum is not a valid choice."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    response = client.post(f"/cases/{world['case'].id}/assessments/new", data=_assessment_form(instrument, 1, 9))
    assert response.status_code == 200
    assert _count(Assessment) == 0


def test_assessment_in_the_future_is_refused(client, world):
    """An assessment taken tomorrow is an error; the typed time stays in the form."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    tomorrow = _minute(local_now() + timedelta(days=1))
    page = client.post(
        f"/cases/{world['case'].id}/assessments/new", data=_assessment_form(instrument, 0, 1, taken_at=tomorrow)
    ).get_data(as_text=True)
    assert "An assessment cannot be in the future." in page and tomorrow in page
    assert _count(Assessment) == 0


def test_double_submit_of_an_assessment_makes_one_row(client, world):
    """The same assessment form sent twice saves one assessment with one set of answers."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    url = f"/cases/{world['case'].id}/assessments/new"
    client.post(url, data=_assessment_form(instrument, 1, 3))
    second = client.post(url, data=_assessment_form(instrument, 1, 3), follow_redirects=True)
    assert "already saved" in second.get_data(as_text=True)
    assert _count(Assessment) == 1 and _count(AssessmentAnswer) == 2


def test_repeated_assessments_show_change_from_first_to_latest(client, world):
    """Taken twice, the instrument shows first → latest with the change, on the page and from the service."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    url = f"/cases/{world['case'].id}/assessments/new"
    first_at = (local_now() - timedelta(days=90)).replace(second=0, microsecond=0)
    latest_at = (local_now() - timedelta(days=1)).replace(second=0, microsecond=0)
    client.post(url, data=_assessment_form(instrument, 1, 3, token="first", taken_at=_minute(first_at)))
    client.post(url, data=_assessment_form(instrument, 0, 1, token="latest", taken_at=_minute(latest_at)))
    [change] = assessment_changes(world["case"])
    assert (change.instrument_name, change.first_score, change.latest_score, change.change, change.count) == (
        "Risk screen",
        4,
        1,
        -3,
        2,
    )
    assert (change.first_taken_at, change.latest_taken_at) == (to_utc(first_at), to_utc(latest_at))
    page = client.get(f"/cases/{world['case'].id}/assessments").get_data(as_text=True)
    assert "4 → 1 (-3)" in page
    newest, oldest = db.session.execute(select(Assessment.id).order_by(Assessment.taken_at.desc())).scalars()
    assert page.index(f"/assessments/{newest}") < page.index(f"/assessments/{oldest}")


def test_change_ignores_deleted_assessments(client, world):
    """A soft-deleted assessment drops out of the list and of the change summary."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    url = f"/cases/{world['case'].id}/assessments/new"
    client.post(
        url, data=_assessment_form(instrument, 1, 3, token="one", taken_at=_minute(local_now() - timedelta(days=9)))
    )
    client.post(url, data=_assessment_form(instrument, 0, 0, token="two"))
    mistaken = db.session.execute(select(Assessment).where(Assessment.score == 0)).scalar_one()
    client.post(f"/assessments/{mistaken.id}/delete")
    [change] = assessment_changes(world["case"])
    assert (change.count, change.latest_score, change.change) == (1, 4, 0)
    assert client.get(f"/assessments/{mistaken.id}").status_code == 404
    assert audit_count(action="delete", record_type="assessment", record_id=mistaken.id) == 1


def test_assessment_page_shows_the_answers_and_is_audited(client, world):
    """Opening an assessment shows each question, answer and points, and records the view."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    client.post(f"/cases/{world['case'].id}/assessments/new", data=_assessment_form(instrument, 1, 2))
    assessment = db.session.execute(select(Assessment)).scalar_one()
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "Carries a gun" in page and "Yes" in page and "Rae Worker" in page and "High" in page
    assert audit_count(action="view", record_type="assessment", record_id=assessment.id) == 1


def test_assessment_list_records_the_ids_shown(client, world):
    """The list of a case's assessments is audited with the ids on screen."""
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    client.post(f"/cases/{world['case'].id}/assessments/new", data=_assessment_form(instrument, 1, 2))
    assessment = db.session.execute(select(Assessment)).scalar_one()
    client.get(f"/cases/{world['case'].id}/assessments")
    [event] = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "list", AuditEvent.record_type == "assessment")
    ).scalars()
    assert event.record_ids.split() == [str(assessment.id)]


def test_an_instrument_of_another_program_cannot_be_used(client, world):
    """Naming another program's instrument shows the chooser again and saves nothing."""
    foreign = _make_instrument(world["program_b"], name="HVIP screen")
    _make_instrument(world["program"])
    login(client, world["worker"])
    url = f"/cases/{world['case'].id}/assessments/new?instrument_id={foreign.id}"
    page = client.get(url).get_data(as_text=True)
    assert "not available for this case" in page and "HVIP screen" not in page
    client.post(url, data=_assessment_form(foreign, 1, 3))
    assert _count(Assessment) == 0


# --- scope: other programs' records answer 404 and change nothing ------------------------------


def test_out_of_scope_pages_answer_404(client, world):
    """A worker of another program gets 404 on every plan page of this case, and on its records."""
    case = world["case"]
    goal = _make_goal(case)
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    client.post(f"/cases/{case.id}/assessments/new", data=_assessment_form(instrument, 1, 1))
    assessment = db.session.execute(select(Assessment)).scalar_one()
    switch_user(client, world["worker_b"])
    for url in (
        f"/cases/{case.id}/plan",
        f"/cases/{case.id}/goals/new",
        f"/goals/{goal.id}/edit",
        f"/cases/{case.id}/outcomes/new",
        f"/cases/{case.id}/assessments",
        f"/cases/{case.id}/assessments/new",
        f"/assessments/{assessment.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert audit_count(user_id=world["worker_b"].id, record_type="assessment") == 0


def test_out_of_scope_writes_answer_404_and_change_nothing(client, world):
    """Substituting another program's ids in every write changes nothing."""
    case = world["case"]
    goal = _make_goal(case, description="Find a job")
    instrument = _make_instrument(world["program"])
    login(client, world["worker"])
    client.post(f"/cases/{case.id}/outcomes/new", data=_outcome_form())
    client.post(f"/cases/{case.id}/assessments/new", data=_assessment_form(instrument, 1, 1))
    outcome = db.session.execute(select(Outcome)).scalar_one()
    assessment = db.session.execute(select(Assessment)).scalar_one()
    switch_user(client, world["worker_b"])
    posts = {
        f"/cases/{case.id}/goals/new": _goal_form(submission_token="x1"),
        f"/goals/{goal.id}/edit": _edit(goal, description="Hijacked"),
        f"/goals/{goal.id}/delete": {},
        f"/cases/{case.id}/outcomes/new": _outcome_form(submission_token="x2"),
        f"/outcomes/{outcome.id}/delete": {},
        f"/cases/{case.id}/assessments/new?instrument_id={instrument.id}": _assessment_form(
            instrument, 0, 0, token="x3"
        ),
        f"/assessments/{assessment.id}/delete": {},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 404, url
    db.session.refresh(goal)
    assert (goal.description, goal.deleted_at) == ("Find a job", None)
    assert (_count(Goal), _count(Outcome), _count(Assessment)) == (1, 1, 1)
    assert db.session.execute(select(func.count(Outcome.id)).where(Outcome.deleted_at.is_(None))).scalar_one() == 1
    assert (
        db.session.execute(select(func.count(Assessment.id)).where(Assessment.deleted_at.is_(None))).scalar_one() == 1
    )
    for record_type in ("goal", "outcome", "assessment"):
        assert audit_count(user_id=world["worker_b"].id, record_type=record_type) == 0


def test_own_caseload_programs_hide_other_workers_plans(client, world, make_user, make_case, make_program):
    """Where workers see only their own caseload, a colleague's case plan answers 404 too."""
    program = make_program("focused_deterrence", "FD C", workers_see_own_caseload_only=True)
    mine, theirs = make_user(roles={program: "worker"}), make_user(roles={program: "worker"})
    case = make_case(program, theirs)
    goal = _make_goal(case)
    login(client, mine)
    assert client.get(f"/cases/{case.id}/plan").status_code == 404
    assert client.get(f"/goals/{goal.id}/edit").status_code == 404


def test_plan_page_shows_goals_outcomes_and_change_and_is_audited(client, world):
    """The case plan page gathers the plan in one place and records the view of the case."""
    _make_goal(world["case"], description="Enroll in GED classes", domain="education")
    login(client, world["worker"])
    client.post(f"/cases/{world['case'].id}/outcomes/new", data=_outcome_form(outcome_type="school_enrolled"))
    page = client.get(f"/cases/{world['case'].id}/plan").get_data(as_text=True)
    assert "Enroll in GED classes" in page and "School enrolled" in page and "No scored assessments yet." in page
    assert audit_count(action="view", record_type="case", record_id=world["case"].id, detail="case plan") == 1
