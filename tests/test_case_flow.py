"""Working and moving a case through the web client: header, timeline, screen, close, hand off, restore."""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import (
    Assessment,
    AuditEvent,
    Case,
    CaseAssignment,
    ClosureRequest,
    Consent,
    ConsentCategory,
    Contact,
    Goal,
    Outcome,
    ProgramCriterion,
    Referral,
    Screening,
    ServiceProvider,
)
from caseflow.timezones import local_today
from tests.conftest import login

CONTACT = {"occurred_at": "2026-01-05T10:00", "mode": "phone", "contact_type": "check_in", "outcome": "completed"}


@pytest.fixture
def team(make_program, make_user, make_case):
    outreach = make_program("street_outreach", "Street Outreach", contact_frequency_days=7)
    hvip = make_program("hvip", "HVIP Mercy")
    people = {
        "worker": make_user(roles={outreach: "worker"}, full_name="Wes Worker"),
        "worker2": make_user(roles={outreach: "worker"}, full_name="Val Second"),
        "supervisor": make_user(roles={outreach: "supervisor"}, full_name="Sam Super"),
        "manager": make_user(roles={outreach: "manager"}, full_name="Mo Manager"),
        "hvip_worker": make_user(roles={hvip: "worker"}, full_name="Hana Hvip"),
    }
    case = make_case(outreach, people["worker"], last_name="Okoro")
    return {"outreach": outreach, "hvip": hvip, "case": case, **people}


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- header and timeline ----------------------------------------------------------------


def test_header_shows_days_since_last_completed_contact_and_overdue_contact(client, team, make_contact):
    """Ten days after the last completed contact, with a weekly target, the next contact is overdue."""
    last = datetime.combine(local_today() - timedelta(days=10), datetime.min.time()) + timedelta(hours=18)
    make_contact(team["case"], team["worker"], occurred_at=last)
    make_contact(team["case"], team["worker"], occurred_at=last + timedelta(days=5), is_completed=False)
    login(client, team["worker"])
    page = client.get(f"/cases/{team['case'].id}").get_data(as_text=True)
    assert "10 days ago" in page
    assert re.search(r"overdue</span>\s*Contact", page)


def test_timeline_merges_every_kind_newest_first_and_pages(client, team, make_contact):
    """Thirty contacts and a status change come back 25 per page, newest first."""
    for day in range(30):
        make_contact(
            team["case"],
            team["worker"],
            occurred_at=datetime(2026, 1, 1, 16) + timedelta(days=day),
            notes=f"note-{day:02d}",
        )
    login(client, team["worker"])
    first = client.get(f"/cases/{team['case'].id}").get_data(as_text=True)
    assert "Timeline (31)" in first and "Page 1 of 2" in first
    assert first.index("note-29") < first.index("note-28")
    assert "note-04" not in first
    second = client.get(f"/cases/{team['case'].id}?page=2").get_data(as_text=True)
    assert "note-04" in second and "note-00" in second and "Status" in second


def test_a_page_past_the_last_shows_the_last_page(client, team, make_contact):
    """An old link to a page that no longer exists shows the oldest entries, as the pager would."""
    for day in range(30):
        make_contact(team["case"], team["worker"], occurred_at=datetime(2026, 1, 1, 16) + timedelta(days=day))
    login(client, team["worker"])
    page = client.get(f"/cases/{team['case'].id}?page=9").get_data(as_text=True)
    assert "Timeline (31)" in page and "Page 2 of 2" in page and ">Newer<" in page


def test_timeline_shows_each_kind_with_its_people_and_decrypted_text(client, team):
    """Each kind of record shows its labels, the names it points at and its encrypted text, read in one union."""
    case, today = team["case"], local_today()
    provider = ServiceProvider(name="Job Corps East")
    db.session.add(provider)
    db.session.flush()
    db.session.add_all(
        [
            Referral(
                case_id=case.id,
                provider_id=provider.id,
                service_category="employment",
                referred_on=today,
                due_on=today + timedelta(days=3),
                created_by_id=team["worker"].id,
            ),
            Goal(case_id=case.id, domain="employment", description="goal-secret", set_on=today),
            Outcome(case_id=case.id, outcome_type="employment_started", occurred_on=today, details="outcome-secret"),
            Assessment(
                case_id=case.id, instrument="Risk screen", score=7, risk_level="high", taken_at=datetime(2026, 1, 2)
            ),
            CaseAssignment(
                case_id=case.id, from_worker_id=None, to_worker_id=team["worker2"].id, note="assignment-secret"
            ),
            ClosureRequest(case_id=case.id, reason="goals_met", requested_by_id=team["worker2"].id),
        ]
    )
    db.session.commit()
    login(client, team["worker"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Employment to Job Corps East" in page
    assert "goal-secret" in page and "outcome-secret" in page and "assignment-secret" in page
    assert "Risk screen" in page and "score 7" in page and "High risk" in page
    assert re.search(r"unassigned → Val Second", page)
    assert "Employment referral connection" in page and "Employment goal" not in page  # no target date
    assert re.search(r"Closure requested \(Goals met\) by\s*Val Second", page)


# --- contacts: double submit, stale edit, delete and restore ------------------------------


def test_a_double_tapped_contact_is_saved_once(client, team):
    """The same submission token twice makes one contact and tells the user it was saved."""
    login(client, team["worker"])
    url = f"/cases/{team['case'].id}/contacts/new"
    data = {**CONTACT, "submission_token": "tap-123"}
    client.post(url, data=data)
    second = client.post(url, data=data, follow_redirects=True)
    assert _count(Contact) == 1
    assert "That contact was already saved." in second.get_data(as_text=True)


def test_a_stale_contact_edit_shows_both_versions_and_overwrites_nothing(client, team, make_contact):
    """Two people edit one contact; the second save gets a 409 conflict page with both values."""
    contact = make_contact(team["case"], team["worker"], notes="original")
    login(client, team["worker"])
    form = {**CONTACT, "version": str(contact.version), "notes": "my version"}
    db.session.execute(
        Contact.__table__.update().where(Contact.id == contact.id).values(notes="their version", version=2)
    )
    db.session.commit()
    response = client.post(f"/contacts/{contact.id}/edit", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "my version" in page and "their version" in page
    db.session.refresh(contact)
    assert contact.notes == "their version"
    resend = client.post(f"/contacts/{contact.id}/edit", data={**form, "version": "2"})
    assert resend.status_code == 302
    db.session.refresh(contact)
    assert contact.notes == "my version"


def test_contact_edit_converts_local_time_and_audits(client, team, make_contact):
    """An edit stores UTC and leaves an update row in the trail."""
    contact = make_contact(team["case"], team["worker"])
    login(client, team["worker"])
    client.post(f"/contacts/{contact.id}/edit", data={**CONTACT, "occurred_at": "2026-07-01T09:30", "version": "1"})
    db.session.refresh(contact)
    assert contact.occurred_at == datetime(2026, 7, 1, 14, 30)  # Chicago is UTC-5 in July
    assert _count(AuditEvent.__table__.select().where(AuditEvent.action == "update").subquery()) == 1


def test_deleted_contact_disappears_and_a_supervisor_restores_it(client, team, make_contact):
    """Soft delete hides it from the case page; restore from Deleted items brings it back."""
    contact = make_contact(team["case"], team["worker"], notes="keep me safe")
    login(client, team["worker"])
    client.post(f"/contacts/{contact.id}/delete")
    assert "keep me safe" not in client.get(f"/cases/{team['case'].id}").get_data(as_text=True)
    assert client.post(f"/deleted/contact/{contact.id}/restore").status_code == 404  # workers cannot restore
    login(client, team["supervisor"])
    assert "Okoro" in client.get("/deleted").get_data(as_text=True)
    client.post(f"/deleted/contact/{contact.id}/restore")
    assert "keep me safe" in client.get(f"/cases/{team['case'].id}").get_data(as_text=True)


def test_deleting_a_case_hides_it_with_its_records_and_restore_brings_them_back(client, team, make_contact):
    """Only supervisors delete cases; restore returns exactly what went with the case."""
    make_contact(team["case"], team["worker"], notes="with the case")
    case_id = team["case"].id
    login(client, team["worker"])
    assert client.post(f"/cases/{case_id}/delete").status_code == 403
    login(client, team["supervisor"])
    client.post(f"/cases/{case_id}/delete")
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert db.session.execute(select(Contact.deleted_at)).scalar_one() is not None
    client.post(f"/deleted/case/{case_id}/restore")
    assert "with the case" in client.get(f"/cases/{case_id}").get_data(as_text=True)


# --- intake screen ------------------------------------------------------------------------


@pytest.fixture
def screened_program(team):
    """Street outreach enrols when at least 4 of 7 criteria hold."""
    program = team["outreach"]
    program.eligibility_threshold = 4
    for n in range(7):
        db.session.add(ProgramCriterion(program_id=program.id, position=n, text=f"Criterion {n + 1}"))
    db.session.commit()
    return [c.id for c in db.session.execute(select(ProgramCriterion).order_by(ProgramCriterion.id)).scalars()]


def _screen(client, case_id, criteria, **extra):
    return client.post(
        f"/cases/{case_id}/screen",
        data={"criteria": [str(c) for c in criteria], "screened_on": local_today().isoformat(), **extra},
        follow_redirects=True,
    )


@pytest.mark.parametrize(
    ("met", "declined", "status"), [(4, False, "active"), (3, False, "ineligible"), (7, True, "declined")]
)
def test_screen_applies_the_programs_threshold_and_keeps_the_result(
    client, team, make_case, screened_program, met, declined, status
):
    """4 of 7 enrols; 3 is ineligible; a refusal is declined — and the screen is kept either way."""
    case = make_case(team["outreach"], team["worker"], status="referred")
    login(client, team["worker"])
    extra = {"declined": "y"} if declined else {}
    _screen(client, case.id, screened_program[:met], **extra)
    db.session.refresh(case)
    screening = db.session.execute(select(Screening)).scalar_one()
    assert case.status == status
    assert (screening.criteria_met, screening.threshold) == (met, 4)
    assert [c.to_status for c in case.status_changes][-2:] == ["screening", status]
    assert (case.enrolled_on is not None) == (status == "active")


def test_an_active_case_cannot_be_screened_again(client, team, screened_program):
    """Screening is for referred cases; the refusal is explained."""
    login(client, team["worker"])
    page = _screen(client, team["case"].id, screened_program[:5]).get_data(as_text=True)
    assert "Only a referred case or one in screening can be screened." in page
    assert _count(Screening) == 0


# --- program settings ---------------------------------------------------------------------


def test_manager_configures_the_screen_and_referral_sources(client, team):
    """Managers set the threshold, criteria and which referral sources intake offers."""
    program = team["outreach"]
    login(client, team["manager"])
    client.post(f"/programs/{program.id}/criteria", data={"text": "Recent gunshot injury"})
    response = client.post(
        f"/programs/{program.id}/settings",
        data={
            "version": str(program.version),
            "eligibility_threshold": "1",
            "contact_frequency_days": "7",
            "caseload_target": "15",
            "referral_sources": ["community", "self"],
        },
    )
    assert response.status_code == 302
    db.session.refresh(program)
    assert program.eligibility_threshold == 1
    page = client.get(f"/programs/{program.id}/settings").get_data(as_text=True)
    assert "Recent gunshot injury" in page


def test_stale_program_settings_get_a_conflict_page_and_overwrite_nothing(client, team):
    """Two managers edit the settings at once: the second, from the old version, sees both values."""
    program = team["outreach"]
    stale_version = str(program.version)
    program.caseload_target = 18
    db.session.commit()
    login(client, team["manager"])
    response = client.post(
        f"/programs/{program.id}/settings",
        data={
            "version": stale_version,
            "eligibility_threshold": "0",
            "contact_frequency_days": "7",
            "caseload_target": "12",
        },
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "12" in body and "18" in body
    db.session.expire_all()
    assert db.session.get(type(program), program.id).caseload_target == 18


def test_only_managers_reach_program_settings(client, team):
    """Workers and supervisors get 404; the page does not confirm the program's setup."""
    for who in ("worker", "supervisor"):
        login(client, team[who])
        assert client.get(f"/programs/{team['outreach'].id}/settings").status_code == 404


def test_intake_refuses_a_referral_source_the_program_does_not_take(client, team, make_case):
    """With a configured list, only those sources can open a case."""
    from caseflow.models import ProgramReferralSource

    db.session.add(ProgramReferralSource(program_id=team["hvip"].id, source="emergency_department"))
    db.session.commit()
    from caseflow.models import ProgramMembership

    db.session.add(ProgramMembership(user_id=team["worker"].id, program_id=team["hvip"].id, role="worker"))
    db.session.commit()
    login(client, team["worker"])
    response = client.post(
        f"/participants/{team['case'].participant_id}/cases/new",
        data={
            "program_id": team["hvip"].id,
            "start_status": "referred",
            "referral_source": "school",
            "referred_on": local_today().isoformat(),
        },
    )
    assert "does not take referrals from that source" in response.get_data(as_text=True)
    assert _count(Case) == 1


# --- reassign, closure, reopen ------------------------------------------------------------


def test_supervisor_reassigns_and_the_history_is_kept(client, team):
    """The new worker is on the case; the assignment row names both."""
    login(client, team["supervisor"])
    client.post(f"/cases/{team['case'].id}/reassign", data={"worker_id": team["worker2"].id, "note": "leave"})
    db.session.refresh(team["case"])
    change = db.session.execute(select(CaseAssignment)).scalar_one()
    assert team["case"].assigned_worker_id == team["worker2"].id
    assert (change.from_worker_id, change.to_worker_id) == (team["worker"].id, team["worker2"].id)
    assert "Reassigned" in client.get(f"/cases/{team['case'].id}").get_data(as_text=True)


def test_workers_cannot_reassign(client, team):
    """Reassignment is a supervisor's decision."""
    login(client, team["worker"])
    response = client.post(f"/cases/{team['case'].id}/reassign", data={"worker_id": team["worker2"].id})
    assert response.status_code == 403


def test_a_workers_closure_waits_for_supervisor_approval(client, team):
    """Requested closure leaves the case active; the supervisor's approval closes it with the reason."""
    case = team["case"]
    login(client, team["worker"])
    client.post(f"/cases/{case.id}/closure", data={"reason": "goals_met", "note": "done"})
    db.session.refresh(case)
    assert case.status == "active"
    closure = db.session.execute(select(ClosureRequest)).scalar_one()
    assert client.post(f"/closure-requests/{closure.id}", data={"decision": "approve"}).status_code == 403
    login(client, team["supervisor"])
    assert "Okoro" in client.get("/closure-requests").get_data(as_text=True)
    client.post(f"/closure-requests/{closure.id}", data={"decision": "approve"})
    db.session.refresh(case)
    assert (case.status, case.closure_reason, case.closed_on) == ("closed", "goals_met", local_today())


def test_a_rejected_closure_keeps_the_case_open(client, team):
    """Rejecting returns the case to work; the decision is kept."""
    case = team["case"]
    login(client, team["worker"])
    client.post(f"/cases/{case.id}/closure", data={"reason": "lost_contact"})
    closure = db.session.execute(select(ClosureRequest)).scalar_one()
    login(client, team["supervisor"])
    client.post(f"/closure-requests/{closure.id}", data={"decision": "reject", "note": "try the family"})
    db.session.refresh(case)
    db.session.refresh(closure)
    assert (case.status, closure.status, closure.decision_note) == ("active", "rejected", "try the family")


def test_a_worker_cannot_close_directly_through_the_status_form(client, team):
    """The status form only moves between active and inactive."""
    login(client, team["worker"])
    client.post(f"/cases/{team['case'].id}/status", data={"status": "closed"})
    db.session.refresh(team["case"])
    assert team["case"].status == "active"


def test_a_supervisors_own_closure_takes_effect_and_the_case_can_be_reopened(client, team):
    """Supervisors close at once; anyone in the program can reopen."""
    case = team["case"]
    login(client, team["supervisor"])
    client.post(f"/cases/{case.id}/closure", data={"reason": "moved"})
    db.session.refresh(case)
    assert case.status == "closed"
    login(client, team["worker"])
    client.post(f"/cases/{case.id}/reopen")
    db.session.refresh(case)
    assert (case.status, case.closed_on, case.closure_reason) == ("active", None, None)


# --- warm hand-off ------------------------------------------------------------------------


def _consent_for_program(case, program, **fields):
    consent = Consent(
        participant_id=case.participant_id,
        program_id=case.program_id,
        recipient=program.name,
        recipient_program_id=program.id,
        signed_on=fields.get("signed_on", local_today() - timedelta(days=1)),
        expires_on=fields.get("expires_on", local_today() + timedelta(days=300)),
        categories=[ConsentCategory(category="identity")],
    )
    db.session.add(consent)
    db.session.commit()
    return consent


def test_hand_off_without_consent_is_refused_with_an_explanation(client, team, make_case):
    """No consent to share with the receiving program: nothing is created."""
    hvip_case = make_case(team["hvip"], team["hvip_worker"], last_name="Adeyemi")
    login(client, team["hvip_worker"])
    response = client.post(f"/cases/{hvip_case.id}/handoff", data={"program_id": team["outreach"].id})
    assert "no valid consent" in response.get_data(as_text=True)
    assert _count(Case) == 2


def test_hand_off_with_consent_creates_a_referred_case_the_receiver_sees_without_notes(
    client, team, make_case, make_contact
):
    """The outreach program sees the person and its new case, never the HVIP case or its notes."""
    hvip_case = make_case(team["hvip"], team["hvip_worker"], last_name="Adeyemi")
    make_contact(hvip_case, team["hvip_worker"], notes="bedside details")
    _consent_for_program(hvip_case, team["outreach"])
    login(client, team["hvip_worker"])
    client.post(f"/cases/{hvip_case.id}/handoff", data={"program_id": team["outreach"].id, "note": "going home"})
    new_case = db.session.execute(select(Case).where(Case.handed_off_from_id == hvip_case.id)).scalar_one()
    assert (new_case.program_id, new_case.status, new_case.referral_source) == (
        team["outreach"].id,
        "referred",
        "other_program",
    )
    disclosure = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert "hand-off" in disclosure.detail
    login(client, team["worker"])
    person_page = client.get(f"/participants/{hvip_case.participant_id}").get_data(as_text=True)
    assert "Adeyemi" in person_page and "HVIP Mercy" not in person_page
    assert client.get(f"/cases/{hvip_case.id}").status_code == 404
    assert "bedside details" not in client.get(f"/cases/{new_case.id}").get_data(as_text=True)


def test_an_expired_consent_does_not_allow_a_hand_off(client, team, make_case):
    """Consent must be valid on the day of the hand-off."""
    hvip_case = make_case(team["hvip"], team["hvip_worker"])
    _consent_for_program(hvip_case, team["outreach"], signed_on=date(2024, 1, 1), expires_on=date(2024, 12, 31))
    login(client, team["hvip_worker"])
    client.post(f"/cases/{hvip_case.id}/handoff", data={"program_id": team["outreach"].id})
    assert _count(Case) == 2


def test_out_of_scope_case_actions_answer_404_and_change_nothing(client, team):
    """An HVIP worker cannot screen, close, reassign, reopen or hand off an outreach case."""
    login(client, team["hvip_worker"])
    case_id = team["case"].id
    for url in ("screen", "closure", "reassign", "reopen", "handoff", "status", "delete"):
        assert client.post(f"/cases/{case_id}/{url}", data={"reason": "moved"}).status_code == 404, url
    db.session.refresh(team["case"])
    assert team["case"].status == "active"
    assert _count(ClosureRequest) == 0


def test_a_save_racing_past_the_version_check_still_gets_the_conflict_page(client, team, make_contact):
    """If another save lands between the check and the write, the version column catches it: 409, not 500."""
    contact = make_contact(team["case"], team["worker"], notes="original")
    login(client, team["worker"])
    assert contact.version == 1  # loaded in the shared session, so the request sees version 1 and passes the check
    db.session.execute(Contact.__table__.update().where(Contact.id == contact.id).values(notes="raced in", version=2))
    response = client.post(f"/contacts/{contact.id}/edit", data={**CONTACT, "version": "1", "notes": "mine"})
    assert response.status_code == 409
    assert "mine" in response.get_data(as_text=True)  # the user's input is kept on the conflict page
    db.session.rollback()
    assert db.session.execute(select(Contact.notes)).scalar_one() != "mine"


def test_intake_can_assign_the_case_to_a_colleague(client, team, make_case):
    """A case opened at intake can go straight to another worker of the program."""
    returning = make_case(team["outreach"], team["worker"], status="closed", last_name="Returning")
    login(client, team["supervisor"])
    form_page = client.get(f"/participants/{returning.participant_id}/cases/new").get_data(as_text=True)
    assert "Val Second (Street Outreach)" in form_page
    client.post(
        f"/participants/{returning.participant_id}/cases/new",
        data={
            "program_id": team["outreach"].id,
            "start_status": "referred",
            "referred_on": local_today().isoformat(),
            "assigned_worker_id": team["worker2"].id,
        },
    )
    new_case = db.session.execute(
        select(Case).where(Case.participant_id == returning.participant_id, Case.status == "referred")
    ).scalar_one()
    assert new_case.assigned_worker_id == team["worker2"].id


def test_intake_refuses_a_worker_from_another_program(client, team, make_case):
    """The assigned worker must belong to the case's program."""
    from caseflow.models import ProgramMembership

    db.session.add(ProgramMembership(user_id=team["worker"].id, program_id=team["hvip"].id, role="worker"))
    db.session.commit()
    login(client, team["worker"])
    response = client.post(
        f"/participants/{team['case'].participant_id}/cases/new",
        data={
            "program_id": team["hvip"].id,
            "start_status": "referred",
            "referred_on": local_today().isoformat(),
            "assigned_worker_id": team["worker2"].id,
        },
    )
    assert "The assigned worker must be a member of the program." in response.get_data(as_text=True)
    assert _count(Case) == 1


def test_the_contact_edit_form_shows_local_time_so_an_untouched_save_changes_nothing(client, team, make_contact):
    """A contact stored at 16:00 UTC in January shows as 10:00 in Chicago and saves back unchanged."""
    contact = make_contact(team["case"], team["worker"], occurred_at=datetime(2026, 1, 5, 16, 0))
    login(client, team["worker"])
    page = client.get(f"/contacts/{contact.id}/edit").get_data(as_text=True)
    assert 'value="2026-01-05T10:00"' in page
    client.post(f"/contacts/{contact.id}/edit", data={**CONTACT, "occurred_at": "2026-01-05T10:00", "version": "1"})
    db.session.refresh(contact)
    assert contact.occurred_at == datetime(2026, 1, 5, 16, 0)


def _hvip_injury(case, discharged_on):
    from caseflow.models import Injury

    injury = Injury(
        program_id=case.program_id,
        participant_id=case.participant_id,
        case_id=case.id,
        injured_at=datetime(2026, 1, 1, 3),
        arrived_at=datetime(2026, 1, 1, 4),
        mechanism="gunshot",
        hospital="Mercy",
        care_level="admitted",
        funnel_stage="enrolled",
        discharged_on=discharged_on,
    )
    db.session.add(injury)
    db.session.commit()
    return injury


def test_hvip_case_header_lists_the_post_discharge_checks_due(client, team, make_case):
    """30/90/180-day checks after discharge appear among what is due next, overdue ones flagged."""
    case = make_case(team["hvip"], team["hvip_worker"])
    _hvip_injury(case, local_today() - timedelta(days=40))
    login(client, team["hvip_worker"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Injuries and compensation" in page
    assert re.search(r"overdue</span>\s*30-day", page), "the 30-day check is 10 days late"
    assert "90-day" in page


def test_deleting_an_hvip_case_takes_its_injuries_and_restore_brings_them_back(client, team, make_case, make_user):
    """Injuries and claims are case records too: they go and come back with the case."""
    case = make_case(team["hvip"], team["hvip_worker"])
    injury = _hvip_injury(case, None)
    hvip_supervisor = make_user(roles={team["hvip"]: "supervisor"})
    login(client, hvip_supervisor)
    client.post(f"/cases/{case.id}/delete")
    db.session.refresh(injury)
    assert injury.deleted_at is not None
    client.post(f"/deleted/case/{case.id}/restore")
    db.session.refresh(injury)
    assert injury.deleted_at is None
