"""The HVIP module through the web client: intake, the funnel, re-injury, compensation, follow-ups."""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.hvip.queries import (
    FunnelCounts,
    bedside_response_minutes,
    compensation_counts,
    funnel_counts,
    reinjury_count,
)
from caseflow.hvip.services import follow_up_schedule
from caseflow.models import AuditEvent, CompensationClaim, Injury, Participant
from caseflow.timezones import local_now, local_today, to_utc
from tests.conftest import PASSWORD, audit_count, csrf_token_from, login

MRN = "MRN-77341"


@pytest.fixture
def hvip(make_program, make_user):
    """An HVIP program and one of its case managers."""
    program = make_program("hvip", "Trauma HVIP", organisation="County General")
    worker = make_user(roles={program: "worker"}, full_name="Hana Bedside")
    return program, worker


@pytest.fixture
def outreach(make_program, make_user):
    program = make_program("street_outreach", "Street Outreach")
    return program, make_user(roles={program: "worker"}, full_name="Rae Street")


@pytest.fixture
def hvip_case(hvip, make_case):
    program, worker = hvip
    return make_case(program, worker, first_name="Jordan", last_name="Keys")


def _local(days_ago: int = 1, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time some days back, as a form would send it."""
    return (local_now() - timedelta(days=days_ago)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _typed(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _intake(**overrides) -> dict:
    data = {
        "injured_at": _typed(_local(2, 1, 30)),
        "arrived_at": _typed(_local(2, 2, 0)),
        "first_bedside_at": _typed(_local(2, 3, 15)),
        "mechanism": "gunshot",
        "hospital": "County General",
        "care_level": "admitted",
        "funnel_stage": "approached",
        "funnel_reason": "",
        "patient_age": "19",
        "patient_gender": "male",
        "discharged_on": "",
        "discharge_plan": "",
        "medical_record_number": MRN,
        "submission_token": "tok-1",
    }
    data.update(overrides)
    return data


def _injury(program, *, case=None, days_ago: int = 5, stage: str = "screened", **fields) -> Injury:
    """An injury row straight in the database, arrived days_ago (local noon)."""
    arrived = to_utc(_local(days_ago, 12))
    injury = Injury(
        program_id=program.id,
        case_id=case.id if case else None,
        participant_id=case.participant_id if case else None,
        injured_at=fields.pop("injured_at", arrived - timedelta(minutes=30)),
        arrived_at=arrived,
        mechanism=fields.pop("mechanism", "gunshot"),
        hospital="County General",
        care_level=fields.pop("care_level", "emergency_department"),
        funnel_stage=stage,
        funnel_reason="reason" if stage in ("ineligible", "not_approached", "declined") else "",
        **fields,
    )
    db.session.add(injury)
    db.session.commit()
    return injury


def _count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


# --- intake --------------------------------------------------------------------------------


def test_intake_for_a_patient_who_is_not_enrolled_keeps_only_age_and_gender(client, hvip):
    """No person record is made; the injury keeps age, gender and the intake facts."""
    program, worker = hvip
    login(client, worker)
    response = client.post(f"/hvip/{program.id}/injuries/new", data=_intake(), follow_redirects=True)
    assert response.status_code == 200 and "Injury saved." in response.get_data(as_text=True)
    injury = db.session.execute(select(Injury)).scalar_one()
    assert (injury.participant_id, injury.case_id) == (None, None)
    assert (injury.patient_age, injury.patient_gender, injury.funnel_stage) == (19, "male", "approached")
    assert injury.arrived_at == to_utc(_local(2, 2, 0)) and injury.recorded_by_id == worker.id
    assert _count(Participant) == 0
    assert audit_count(action="create", record_type="injury", record_id=injury.id) == 1


def test_intake_form_defaults_the_hospital_and_the_screened_stage(client, hvip):
    """A case manager at the bedside starts from the program's hospital and the top of the funnel."""
    program, worker = hvip
    login(client, worker)
    page = client.get(f"/hvip/{program.id}/injuries/new").get_data(as_text=True)
    assert 'value="County General"' in page
    assert re.search(r'<option selected value="screened">', page)
    for name in ("injured_at", "arrived_at", "first_bedside_at", "medical_record_number", "patient_age"):
        assert f'<label class="form-label" for="{name}"' in page


def test_a_double_submitted_intake_makes_one_injury(client, hvip):
    """The same submission token twice saves once and points at the first record."""
    program, worker = hvip
    login(client, worker)
    client.post(f"/hvip/{program.id}/injuries/new", data=_intake())
    response = client.post(f"/hvip/{program.id}/injuries/new", data=_intake(), follow_redirects=True)
    assert "That injury was already saved." in response.get_data(as_text=True)
    assert _count(Injury) == 1


def test_future_times_are_refused_and_what_was_typed_is_kept(client, hvip):
    """An arrival in the future is a typo; the page says so and keeps every field."""
    program, worker = hvip
    login(client, worker)
    response = client.post(
        f"/hvip/{program.id}/injuries/new",
        data=_intake(arrived_at="2999-01-01T10:00", first_bedside_at="", discharge_plan="Home with aunt"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This time cannot be in the future." in page
    for typed in ("2999-01-01T10:00", "Home with aunt", MRN, 'value="19"'):
        assert typed in page
    assert _count(Injury) == 0


def test_bedside_contact_before_arrival_is_refused(client, hvip):
    program, worker = hvip
    login(client, worker)
    response = client.post(f"/hvip/{program.id}/injuries/new", data=_intake(first_bedside_at=_typed(_local(2, 1, 45))))
    assert "Bedside contact cannot be before arrival." in response.get_data(as_text=True)
    assert _count(Injury) == 0


def test_arrival_before_the_injury_is_refused(client, hvip):
    program, worker = hvip
    login(client, worker)
    response = client.post(f"/hvip/{program.id}/injuries/new", data=_intake(injured_at=_typed(_local(2, 5, 0))))
    assert "Arrival cannot be before the injury." in response.get_data(as_text=True)
    assert _count(Injury) == 0


def test_a_declined_patient_needs_a_reason(client, hvip):
    """Declined, not approached and not eligible must say why; the stage chosen stays selected."""
    program, worker = hvip
    login(client, worker)
    response = client.post(f"/hvip/{program.id}/injuries/new", data=_intake(funnel_stage="declined"))
    page = response.get_data(as_text=True)
    assert "Give a reason for this stage." in page
    assert re.search(r'<option selected value="declined">', page)
    assert _count(Injury) == 0


def test_intake_on_an_hvip_case_links_the_person_and_defaults_to_enrolled(client, hvip, hvip_case):
    """Case intake sets participant and case, and asks nothing the person record already holds."""
    _, worker = hvip
    login(client, worker)
    page = client.get(f"/cases/{hvip_case.id}/injuries/new").get_data(as_text=True)
    assert "Jordan Keys" in page and re.search(r'<option selected value="enrolled">', page)
    assert 'name="patient_age"' not in page
    data = _intake(funnel_stage="enrolled", submission_token="tok-case")
    response = client.post(f"/cases/{hvip_case.id}/injuries/new", data=data, follow_redirects=True)
    assert "Injury saved." in response.get_data(as_text=True)
    injury = db.session.execute(select(Injury)).scalar_one()
    assert (injury.participant_id, injury.case_id, injury.is_reinjury) == (
        hvip_case.participant_id,
        hvip_case.id,
        False,
    )
    assert (injury.patient_age, injury.patient_gender) == (None, "")


def test_a_second_injury_for_the_same_person_is_flagged_as_a_reinjury(client, hvip, hvip_case):
    """Re-injury is set from the record, not by hand."""
    _, worker = hvip
    login(client, worker)
    client.post(f"/cases/{hvip_case.id}/injuries/new", data=_intake(submission_token="a"))
    later = _intake(
        injured_at=_typed(_local(1, 1, 0)),
        arrived_at=_typed(_local(1, 1, 30)),
        first_bedside_at="",
        submission_token="b",
    )
    page = client.post(f"/cases/{hvip_case.id}/injuries/new", data=later, follow_redirects=True).get_data(as_text=True)
    assert "Re-injury" in page
    flags = db.session.execute(select(Injury.is_reinjury).order_by(Injury.injured_at)).scalars().all()
    assert flags == [False, True]


def test_an_earlier_injury_in_another_hvip_program_also_makes_a_reinjury(client, hvip, hvip_case, make_program):
    """The person's history counts across hospital programs."""
    _, worker = hvip
    other = make_program("hvip", "Other Hospital HVIP")
    earlier = _injury(other, days_ago=40)
    earlier.participant_id = hvip_case.participant_id
    db.session.commit()
    login(client, worker)
    client.post(f"/cases/{hvip_case.id}/injuries/new", data=_intake())
    assert db.session.execute(select(Injury).where(Injury.case_id == hvip_case.id)).scalar_one().is_reinjury


def test_a_soft_deleted_earlier_injury_does_not_make_a_reinjury(client, hvip, hvip_case):
    program, worker = hvip
    earlier = _injury(program, case=hvip_case, days_ago=40)
    earlier.deleted_at = datetime(2026, 1, 1)
    db.session.commit()
    login(client, worker)
    client.post(f"/cases/{hvip_case.id}/injuries/new", data=_intake())
    assert not db.session.execute(select(Injury).where(Injury.deleted_at.is_(None))).scalar_one().is_reinjury


# --- access --------------------------------------------------------------------------------


def test_an_outreach_worker_gets_404_everywhere_and_changes_nothing(client, hvip, hvip_case, outreach):
    """Not a member of the HVIP program: every page and every save is 'not found'."""
    program, _ = hvip
    _, street = outreach
    injury = _injury(program, case=hvip_case, medical_record_number=MRN)
    claim = CompensationClaim(case_id=hvip_case.id, applied_on=local_today(), status="applied")
    db.session.add(claim)
    db.session.commit()
    login(client, street)
    gets = [
        f"/hvip/{program.id}/injuries",
        f"/hvip/{program.id}/injuries/new",
        f"/cases/{hvip_case.id}/injuries/new",
        f"/injuries/{injury.id}",
        f"/injuries/{injury.id}/edit",
        f"/cases/{hvip_case.id}/compensation/new",
        f"/compensation/{claim.id}/edit",
        f"/cases/{hvip_case.id}/hvip",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = {
        f"/hvip/{program.id}/injuries/new": _intake(),
        f"/cases/{hvip_case.id}/injuries/new": _intake(),
        f"/injuries/{injury.id}/edit": _intake(version="1", funnel_stage="enrolled"),
        f"/cases/{hvip_case.id}/compensation/new": {"applied_on": local_today().isoformat(), "status": "applied"},
        f"/compensation/{claim.id}/edit": {"applied_on": "2026-01-01", "status": "applied", "version": "1"},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 404, url
    assert (_count(Injury), _count(CompensationClaim)) == (1, 1)
    db.session.refresh(injury)
    assert (injury.funnel_stage, injury.version) == ("screened", 1)
    assert audit_count(user_id=street.id, record_type="injury") == 0


def test_case_pages_refuse_a_case_outside_an_hvip_program(client, hvip, outreach, make_case, make_user):
    """A member of both programs still cannot hang injuries or claims on an outreach case."""
    program, _ = hvip
    street_program, _ = outreach
    both = make_user(roles={program: "worker", street_program: "worker"})
    case = make_case(street_program)
    login(client, both)
    for url in (f"/cases/{case.id}/hvip", f"/cases/{case.id}/injuries/new", f"/cases/{case.id}/compensation/new"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cases/{case.id}/injuries/new", data=_intake()).status_code == 404
    assert _count(Injury) == 0


def test_an_outreach_program_id_is_not_an_injury_list(client, outreach):
    """The injury pages exist only for HVIP programs, even for that program's own members."""
    program, worker = outreach
    login(client, worker)
    assert client.get(f"/hvip/{program.id}/injuries").status_code == 404
    assert client.get(f"/hvip/{program.id}/injuries/new").status_code == 404


def test_a_soft_deleted_injury_is_not_found(client, hvip):
    program, worker = hvip
    injury = _injury(program)
    injury.deleted_at = datetime(2026, 1, 1)
    db.session.commit()
    login(client, worker)
    assert client.get(f"/injuries/{injury.id}").status_code == 404


# --- the medical record number -------------------------------------------------------------


def test_the_mrn_shows_on_the_injury_page_for_hvip_staff(client, hvip):
    program, worker = hvip
    injury = _injury(program, medical_record_number=MRN, patient_age=22)
    login(client, worker)
    page = client.get(f"/injuries/{injury.id}").get_data(as_text=True)
    assert MRN in page and "age 22" in page
    assert audit_count(action="view", record_type="injury", record_id=injury.id, user_id=worker.id) == 1


def test_the_mrn_never_shows_in_the_list_or_funnel(client, hvip, hvip_case):
    program, worker = hvip
    _injury(program, case=hvip_case, medical_record_number=MRN)
    login(client, worker)
    page = client.get(f"/hvip/{program.id}/injuries").get_data(as_text=True)
    assert "Jordan Keys" in page
    assert MRN not in page


# --- editing -------------------------------------------------------------------------------


def test_editing_moves_the_patient_down_the_funnel(client, hvip):
    program, worker = hvip
    injury = _injury(program, stage="approached", medical_record_number=MRN)
    login(client, worker)
    page = client.get(f"/injuries/{injury.id}/edit").get_data(as_text=True)
    assert MRN in page and 'name="version" type="hidden" value="1"' in page
    data = _intake(funnel_stage="enrolled", version="1", discharged_on=local_today().isoformat())
    response = client.post(f"/injuries/{injury.id}/edit", data=data, follow_redirects=True)
    assert "Injury updated." in response.get_data(as_text=True)
    db.session.refresh(injury)
    assert (injury.funnel_stage, injury.discharged_on, injury.version) == ("enrolled", local_today(), 2)
    assert audit_count(action="update", record_type="injury", record_id=injury.id) == 1


def test_a_stale_injury_edit_gets_a_conflict_page_that_hides_the_mrn(client, hvip):
    """Both values appear side by side; the MRN is '(hidden)' in the table but kept in the form."""
    program, worker = hvip
    injury = _injury(program, stage="approached", medical_record_number=MRN)
    injury.funnel_reason = "Saved by a colleague"
    db.session.commit()  # version 2 now
    login(client, worker)
    data = _intake(funnel_stage="declined", funnel_reason="Family said no", version="1")
    response = client.post(f"/injuries/{injury.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Family said no" in page and "Saved by a colleague" in page
    table = page[page.index("<table") : page.index("</table>")]
    assert MRN not in table and "(hidden)" in table
    assert f'value="{MRN}"' in page and 'name="version" type="hidden" value="2"' in page
    db.session.refresh(injury)
    assert injury.funnel_stage == "approached"


# --- the list and the funnel ---------------------------------------------------------------


def test_the_funnel_counts_stages_within_the_dates_and_skips_deleted_records(client, hvip):
    """Each level counts everyone who reached it; old and deleted injuries stay out."""
    program, worker = hvip
    for stage in ("screened", "ineligible", "eligible", "not_approached", "approached", "declined", "enrolled"):
        _injury(program, stage=stage, days_ago=3)
    _injury(program, stage="enrolled", days_ago=4)
    _injury(program, stage="enrolled", days_ago=200)  # outside the default 90 days
    gone = _injury(program, stage="enrolled", days_ago=2)
    gone.deleted_at = datetime(2026, 1, 1)
    db.session.commit()
    expected = FunnelCounts(
        screened=8, eligible=6, approached=4, enrolled=2, declined=1, not_approached=1, ineligible=1
    )
    end = local_today()
    assert funnel_counts(program.id, end - timedelta(days=90), end) == expected
    login(client, worker)
    page = client.get(f"/hvip/{program.id}/injuries").get_data(as_text=True)
    funnel = page[page.index('id="funnel"') : page.index("</table>")]
    assert re.findall(r"<td>(\d+)</td>", funnel) == ["8", "6", "4", "2", "1", "1", "1"]


def test_the_funnel_follows_the_date_range_in_the_query(client, hvip):
    program, worker = hvip
    _injury(program, stage="enrolled", days_ago=200)
    _injury(program, stage="screened", days_ago=3)
    start = (local_today() - timedelta(days=210)).isoformat()
    end = (local_today() - timedelta(days=190)).isoformat()
    login(client, worker)
    page = client.get(f"/hvip/{program.id}/injuries?start={start}&end={end}").get_data(as_text=True)
    funnel = page[page.index('id="funnel"') : page.index("</table>")]
    assert re.findall(r"<td>(\d+)</td>", funnel) == ["1", "1", "1", "1", "0", "0", "0"]


def test_the_list_filters_by_stage_and_audits_the_people_shown(client, hvip, hvip_case):
    program, worker = hvip
    _injury(program, case=hvip_case, stage="enrolled", is_reinjury=True)
    _injury(program, stage="declined", mechanism="stabbing")
    login(client, worker)
    page = client.get(f"/hvip/{program.id}/injuries?stage=declined").get_data(as_text=True)
    assert "Stabbing" in page and "Jordan Keys" not in page
    page = client.get(f"/hvip/{program.id}/injuries").get_data(as_text=True)
    assert "Jordan Keys" in page and "Re-injury" in page and "Admitted" not in page
    [latest] = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "list").order_by(AuditEvent.id.desc()).limit(1)
    ).scalars()
    assert (latest.record_type, latest.record_ids) == ("participant", str(hvip_case.participant_id))


# --- victim compensation -------------------------------------------------------------------


def _claim(**overrides) -> dict:
    data = {
        "applied_on": (local_today() - timedelta(days=20)).isoformat(),
        "status": "approved",
        "decided_on": (local_today() - timedelta(days=5)).isoformat(),
        "amount": "1250.50",
        "notes": "Funeral and medical costs",
        "submission_token": "claim-1",
    }
    data.update(overrides)
    return data


def test_an_approved_claim_is_saved_in_cents_once(client, hvip, hvip_case):
    _, worker = hvip
    login(client, worker)
    client.post(f"/cases/{hvip_case.id}/compensation/new", data=_claim())
    response = client.post(f"/cases/{hvip_case.id}/compensation/new", data=_claim(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "$1,250.50" in page and "Approved" in page
    claim = db.session.execute(select(CompensationClaim)).scalar_one()
    assert (claim.amount_cents, claim.status, claim.case_id) == (125050, "approved", hvip_case.id)
    assert audit_count(action="create", record_type="compensation_claim") == 1


def test_a_decision_needs_its_date(client, hvip, hvip_case):
    _, worker = hvip
    login(client, worker)
    page = client.post(
        f"/cases/{hvip_case.id}/compensation/new", data=_claim(status="denied", decided_on="", amount="")
    ).get_data(as_text=True)
    assert "Enter when the claim was decided." in page and "Funeral and medical costs" in page
    assert _count(CompensationClaim) == 0


def test_a_decision_cannot_come_before_the_application(client, hvip, hvip_case):
    _, worker = hvip
    login(client, worker)
    early = (local_today() - timedelta(days=30)).isoformat()
    page = client.post(f"/cases/{hvip_case.id}/compensation/new", data=_claim(decided_on=early)).get_data(as_text=True)
    assert "The decision cannot be before the application." in page
    assert _count(CompensationClaim) == 0


def test_only_an_approved_claim_has_an_amount(client, hvip, hvip_case):
    _, worker = hvip
    login(client, worker)
    page = client.post(
        f"/cases/{hvip_case.id}/compensation/new", data=_claim(status="applied", decided_on="", amount="300")
    ).get_data(as_text=True)
    assert "Enter an amount only for an approved claim." in page and 'value="300"' in page
    assert _count(CompensationClaim) == 0


def test_editing_a_claim_records_the_decision(client, hvip, hvip_case):
    _, worker = hvip
    claim = CompensationClaim(case_id=hvip_case.id, applied_on=local_today() - timedelta(days=10), status="applied")
    db.session.add(claim)
    db.session.commit()
    login(client, worker)
    assert 'name="version" type="hidden" value="1"' in client.get(f"/compensation/{claim.id}/edit").get_data(
        as_text=True
    )
    data = _claim(applied_on=claim.applied_on.isoformat(), amount="80", version="1")
    response = client.post(f"/compensation/{claim.id}/edit", data=data, follow_redirects=True)
    assert "Claim updated." in response.get_data(as_text=True)
    db.session.refresh(claim)
    assert (claim.status, claim.amount_cents, claim.version) == ("approved", 8000, 2)


def test_a_stale_claim_edit_gets_a_conflict_page(client, hvip, hvip_case):
    _, worker = hvip
    claim = CompensationClaim(
        case_id=hvip_case.id, applied_on=local_today() - timedelta(days=10), status="applied", notes="Mailed form"
    )
    db.session.add(claim)
    db.session.commit()
    claim.notes = "Called the board"
    db.session.commit()
    login(client, worker)
    data = _claim(applied_on=claim.applied_on.isoformat(), status="applied", decided_on="", amount="", version="1")
    data["notes"] = "Waiting on police report"
    response = client.post(f"/compensation/{claim.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Waiting on police report" in page and "Called the board" in page
    db.session.refresh(claim)
    assert claim.notes == "Called the board"


# --- the case's HVIP page and follow-ups -----------------------------------------------------


def test_the_follow_up_schedule_counts_from_the_latest_discharge(app, hvip, hvip_case, make_contact, make_user):
    """Checks at 30, 90 and 180 days; a completed contact within 7 days of a due date covers it."""
    program, worker = hvip
    discharged = date(2026, 3, 1)
    _injury(program, case=hvip_case, days_ago=400, discharged_on=date(2025, 6, 1))
    _injury(program, case=hvip_case, days_ago=300, discharged_on=discharged)
    _injury(program, case=hvip_case, days_ago=10)  # latest injury but no discharge yet
    noon = datetime(2026, 1, 1, 12).time()
    make_contact(hvip_case, worker, occurred_at=to_utc(datetime.combine(discharged + timedelta(days=37), noon)))
    make_contact(hvip_case, worker, occurred_at=to_utc(datetime.combine(discharged + timedelta(days=98), noon)))
    make_contact(
        hvip_case,
        worker,
        occurred_at=to_utc(datetime.combine(discharged + timedelta(days=180), noon)),
        is_completed=False,
    )
    schedule = follow_up_schedule(hvip_case)
    assert [(f.due_on, f.done) for f in schedule] == [
        (date(2026, 3, 31), True),
        (date(2026, 5, 30), False),
        (date(2026, 8, 28), False),
    ]
    assert [f.label for f in schedule] == ["30-day follow-up", "90-day follow-up", "180-day follow-up"]


def test_no_discharge_means_no_follow_up_schedule(app, hvip, hvip_case):
    program, _ = hvip
    _injury(program, case=hvip_case)
    assert follow_up_schedule(hvip_case) == []


def test_the_case_hvip_page_lists_injuries_claims_and_follow_ups(client, hvip, hvip_case):
    program, worker = hvip
    _injury(program, case=hvip_case, discharged_on=date(2026, 3, 1), medical_record_number=MRN)
    db.session.add(CompensationClaim(case_id=hvip_case.id, applied_on=date(2026, 3, 5), status="applied"))
    db.session.commit()
    login(client, worker)
    page = client.get(f"/cases/{hvip_case.id}/hvip").get_data(as_text=True)
    assert "Jordan Keys" in page and "Gunshot" in page and "Applied 05 Mar 2026" in page
    assert "30-day follow-up · due 31 Mar 2026" in page and MRN not in page
    assert f"/cases/{hvip_case.id}/injuries/new" in page and f"/cases/{hvip_case.id}/compensation/new" in page
    assert audit_count(action="view", record_type="case", record_id=hvip_case.id) == 1


# --- report queries ------------------------------------------------------------------------


def test_bedside_response_minutes_for_injuries_that_had_a_bedside_contact(app, hvip):
    program, _ = hvip
    for days_ago, minutes in ((3, 45), (4, 10), (5, None), (200, 5)):
        injury = _injury(program, days_ago=days_ago)
        if minutes is not None:
            injury.first_bedside_at = injury.arrived_at + timedelta(minutes=minutes)
    gone = _injury(program, days_ago=2)
    gone.first_bedside_at, gone.deleted_at = gone.arrived_at + timedelta(minutes=1), datetime(2026, 1, 1)
    db.session.commit()
    end = local_today()
    assert bedside_response_minutes(program.id, end - timedelta(days=30), end) == [10, 45]


def test_reinjury_count_counts_live_flagged_injuries_in_range(app, hvip, make_program):
    program, _ = hvip
    other = make_program("hvip", "Elsewhere")
    _injury(program, days_ago=3, is_reinjury=True)
    _injury(program, days_ago=4, is_reinjury=False)
    _injury(program, days_ago=100, is_reinjury=True)
    _injury(other, days_ago=3, is_reinjury=True)
    _injury(program, days_ago=3, is_reinjury=True, deleted_at=datetime(2026, 1, 1))
    end = local_today()
    assert reinjury_count(program.id, end - timedelta(days=30), end) == 1


def test_compensation_counts_by_application_date_on_live_records(app, hvip, hvip_case, make_case):
    program, _ = hvip
    gone_case = make_case(program)
    gone_case.deleted_at = datetime(2026, 1, 1)
    rows = [
        (hvip_case, date(2026, 2, 1), "applied", None, None),
        (hvip_case, date(2026, 2, 2), "approved", date(2026, 3, 1), None),
        (hvip_case, date(2026, 2, 3), "denied", date(2026, 3, 1), None),
        (hvip_case, date(2026, 2, 4), "approved", date(2026, 3, 1), datetime(2026, 3, 2)),  # deleted
        (hvip_case, date(2025, 2, 4), "approved", date(2025, 3, 1), None),  # out of range
        (gone_case, date(2026, 2, 5), "approved", date(2026, 3, 1), None),  # case deleted
    ]
    for case, applied, status, decided, deleted in rows:
        db.session.add(
            CompensationClaim(
                case_id=case.id, applied_on=applied, status=status, decided_on=decided, deleted_at=deleted
            )
        )
    db.session.commit()
    applied, approved, denied = compensation_counts(program.id, date(2026, 1, 1), date(2026, 6, 30))
    assert (applied, approved, denied) == (3, 1, 1)


def test_intake_works_with_csrf_on_and_carries_its_submission_token(csrf_app, hvip):
    """The real form, as a browser sends it: CSRF token and one-time submission token both rendered."""
    program, worker = hvip
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": worker.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/hvip/{program.id}/injuries/new").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    data = _intake(submission_token=token, csrf_token=csrf_token_from(page))
    assert client.post(f"/hvip/{program.id}/injuries/new", data=data).status_code == 302
    assert _count(Injury) == 1


def test_a_linked_injury_follows_the_caseload_only_setting(client, make_program, make_user, make_case):
    """Where workers see only their own caseload, another worker's patient's injury is not found."""
    program = make_program("hvip", "Caseload HVIP", workers_see_own_caseload_only=True)
    owner = make_user(roles={program: "worker"})
    other = make_user(roles={program: "worker"})
    injury = _injury(program, case=make_case(program, owner, first_name="Sam", last_name="Hidden"))
    login(client, other)
    assert client.get(f"/injuries/{injury.id}").status_code == 404
    page = client.get(f"/hvip/{program.id}/injuries").get_data(as_text=True)
    assert "Sam Hidden" not in page and "enrolled participant" in page
