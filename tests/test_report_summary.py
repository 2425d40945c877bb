"""The program-summary measures: hand-built records with known answers, through the registry's computations."""

from datetime import date, datetime

import pytest

from caseflow.extensions import db
from caseflow.models import (
    Case,
    CaseAssignment,
    Contact,
    Goal,
    Outcome,
    Participant,
    ParticipantRaceEthnicity,
    Referral,
    ReferralStatusChange,
)
from caseflow.models.base import utcnow
from caseflow.participants.merge import merge_participants
from caseflow.reports.population import MORE_THAN_ONE, NOT_REPORTED
from caseflow.reports.registry import MEASURES, ReportScope
from caseflow.reports.templates import TEMPLATES, check_templates
from caseflow.timezones import to_utc

START, END = date(2026, 4, 1), date(2026, 6, 30)


def compute(measure_id: str, *programs, start: date = START, end: date = END):
    return MEASURES[measure_id].compute(ReportScope(tuple(p.id for p in programs), start, end))


def rows(result) -> dict:
    return dict(result.rows)


def _person(**fields) -> Participant:
    person = Participant(first_name="Pat", last_name="Person", **fields)
    db.session.add(person)
    db.session.flush()
    return person


def _case(program, person, enrolled_on, worker=None, status="active", **fields) -> Case:
    case = Case(
        participant_id=person.id,
        program_id=program.id,
        status=status,
        referred_on=date(2025, 1, 1),
        enrolled_on=enrolled_on,
        assigned_worker_id=worker.id if worker else None,
        **fields,
    )
    db.session.add(case)
    db.session.flush()
    return case


def _contact(case, when: datetime, mode="in_person", kind="check_in", minutes=None, completed=True, deleted=False):
    db.session.add(
        Contact(
            case_id=case.id,
            occurred_at=to_utc(when),
            mode=mode,
            contact_type=kind,
            duration_minutes=minutes,
            is_completed=completed,
            deleted_at=utcnow() if deleted else None,
        )
    )


def _referral(case, category, referred_on, status="referred", due_on=None, connected_on=None, deleted=False):
    referral = Referral(
        case_id=case.id,
        service_category=category,
        status=status,
        referred_on=referred_on,
        due_on=due_on,
        connected_on=connected_on,
        deleted_at=utcnow() if deleted else None,
    )
    db.session.add(referral)
    db.session.flush()
    return referral


@pytest.fixture
def world(make_program, make_user):
    """Two programs in scope and one outside it, with records inside, outside and at the edges of the period."""
    outreach = make_program("street_outreach", "Outreach", caseload_target=2)
    hvip = make_program("hvip", "Hospital", caseload_target=15)
    other = make_program("street_outreach", "Elsewhere")
    worker1 = make_user(roles={outreach: "worker", hvip: "worker"})
    worker2 = make_user(roles={outreach: "worker", hvip: "worker"})
    boss = make_user(roles={outreach: "supervisor", hvip: "supervisor"})

    # A: in both programs, both cases enrolled in the period; counted once, as new.
    a = _person(date_of_birth=date(2000, 5, 1), gender="male")
    db.session.add(ParticipantRaceEthnicity(participant_id=a.id, category="black"))
    a_out = _case(outreach, a, date(2026, 4, 10), worker1)
    a_hvip = _case(hvip, a, date(2026, 5, 1), worker2)
    _contact(a_out, datetime(2026, 5, 3, 10), "in_person", "check_in", 90)
    _contact(a_hvip, datetime(2026, 5, 4, 10), "phone", "crisis_response", 30)

    # B: an attempted contact and a deleted completed one only: not served. Reassigned to worker1 in the period.
    b = _person(gender="male")
    b_case = _case(outreach, b, date(2026, 1, 15), worker1)
    _contact(b_case, datetime(2026, 5, 5, 10), completed=False, minutes=60)
    _contact(b_case, datetime(2026, 5, 6, 10), minutes=500, deleted=True)
    db.session.add(
        CaseAssignment(
            case_id=b_case.id, from_worker_id=worker2.id, to_worker_id=worker1.id, changed_at=datetime(2026, 5, 1)
        )
    )

    # C: continuing; estimated 16 in January; two races; served on the period's last local evening.
    c = _person(estimated_age=16, estimated_age_on=date(2026, 1, 1), gender="female")
    db.session.add_all(
        [
            ParticipantRaceEthnicity(participant_id=c.id, category="black"),
            ParticipantRaceEthnicity(participant_id=c.id, category="white"),
        ]
    )
    # Held by worker1 at the period's end, reassigned to worker2 after it.
    c_case = _case(outreach, c, date(2025, 11, 1), worker2)
    db.session.add(
        CaseAssignment(
            case_id=c_case.id, from_worker_id=worker1.id, to_worker_id=worker2.id, changed_at=datetime(2026, 7, 5)
        )
    )
    _contact(c_case, datetime(2026, 6, 30, 23, 30), "text", "check_in", 45)
    _contact(c_case, datetime(2026, 6, 2, 9), completed=False)

    # D: completed contacts just outside the period on both sides (local time); unassigned.
    d = _person()
    d_case = _case(outreach, d, date(2025, 6, 1))
    _contact(d_case, datetime(2026, 7, 1, 0, 30), minutes=30)
    _contact(d_case, datetime(2026, 3, 31, 23, 59), minutes=30)

    # E1 and E2: one person recorded twice, merged below; both records served and enrolled in the period.
    e1 = _person()
    e2 = _person(date_of_birth=date(1990, 1, 1), gender="male")
    db.session.add(ParticipantRaceEthnicity(participant_id=e2.id, category="hispanic_latino"))
    e1_case = _case(outreach, e1, date(2026, 4, 20), worker2)
    e2_case = _case(hvip, e2, date(2026, 5, 20), worker2)
    _contact(e1_case, datetime(2026, 4, 21, 12), "in_person", "family_support", 15)
    _contact(e2_case, datetime(2026, 5, 21, 12), "phone", "check_in")

    # Closed cases: two in the period (one without a reason), one before it, one deleted.
    for closed_on, reason, deleted in [
        (date(2026, 5, 15), "goals_met", False),
        (date(2026, 6, 1), None, False),
        (date(2026, 3, 31), "moved", False),
        (date(2026, 5, 10), "moved", True),
    ]:
        _case(
            outreach,
            _person(),
            date(2025, 10, 1),
            worker1,
            status="closed",
            closed_on=closed_on,
            closure_reason=reason,
            deleted_at=utcnow() if deleted else None,
        )
    # Enrolled after the period; a deleted case enrolled in it, with a contact; a program outside the scope.
    _case(outreach, _person(), date(2026, 7, 1), worker1)
    gone = _case(outreach, _person(), date(2026, 4, 2), worker1, deleted_at=utcnow())
    _contact(gone, datetime(2026, 4, 3, 10), minutes=120)
    elsewhere = _case(other, _person(), date(2026, 4, 2), worker1)
    _contact(elsewhere, datetime(2026, 4, 3, 10), minutes=120)
    _referral(elsewhere, "housing", date(2026, 4, 3), due_on=date(2026, 4, 5))
    db.session.add(Outcome(case_id=elsewhere.id, outcome_type="arrested", occurred_on=date(2026, 5, 1)))

    # Referrals made in the period: 7 live (4 connected), one deleted; one made before it, still overdue.
    _referral(a_out, "housing", date(2026, 4, 1), "connected", connected_on=date(2026, 4, 5))
    _referral(a_out, "housing", date(2026, 4, 10), "completed", connected_on=date(2026, 4, 20))
    _referral(a_out, "employment", date(2026, 5, 1), due_on=date(2026, 5, 15))
    _referral(a_out, "legal", date(2026, 4, 2), due_on=date(2026, 4, 9), deleted=True)
    _referral(c_case, "mental_health", date(2026, 3, 1), due_on=date(2026, 3, 8))
    _referral(a_out, "education", date(2026, 6, 1), due_on=date(2026, 7, 1))
    # Waiting and overdue at the period's end, connected after it.
    late = _referral(
        a_out, "basic_needs", date(2026, 5, 1), "connected", due_on=date(2026, 5, 8), connected_on=date(2026, 7, 10)
    )
    db.session.add_all(
        [
            ReferralStatusChange(
                referral_id=late.id, from_status=None, to_status="referred", changed_on=late.referred_on
            ),
            ReferralStatusChange(
                referral_id=late.id, from_status="referred", to_status="connected", changed_on=date(2026, 7, 10)
            ),
        ]
    )
    # Due on the period's last day: not yet overdue then.
    _referral(a_hvip, "benefits", date(2026, 6, 29), due_on=date(2026, 6, 30))
    # Connected in the period, past its due date: not overdue.
    early = _referral(
        a_hvip, "medical", date(2026, 5, 1), "connected", due_on=date(2026, 5, 10), connected_on=date(2026, 6, 1)
    )
    db.session.add(
        ReferralStatusChange(
            referral_id=early.id, from_status="referred", to_status="connected", changed_on=date(2026, 6, 1)
        )
    )

    # Goals: set and met in the period, met in it but set before, set in it and open, deleted, set after.
    db.session.add_all(
        [
            Goal(
                case_id=a_out.id,
                domain="safety",
                description="x",
                status="met",
                set_on=date(2026, 4, 5),
                met_on=date(2026, 5, 1),
            ),
            Goal(
                case_id=a_out.id,
                domain="housing",
                description="x",
                status="met",
                set_on=date(2026, 1, 10),
                met_on=date(2026, 6, 1),
            ),
            Goal(case_id=c_case.id, domain="employment", description="x", set_on=date(2026, 5, 5)),
            Goal(case_id=c_case.id, domain="family", description="x", set_on=date(2026, 4, 5), deleted_at=utcnow()),
            Goal(case_id=c_case.id, domain="legal", description="x", set_on=date(2026, 7, 2)),
        ]
    )
    # Outcomes: two in the period, one after it, one deleted.
    db.session.add_all(
        [
            Outcome(case_id=a_out.id, outcome_type="employment_started", occurred_on=date(2026, 5, 1)),
            Outcome(case_id=c_case.id, outcome_type="arrested", occurred_on=date(2026, 6, 30)),
            Outcome(case_id=c_case.id, outcome_type="arrested", occurred_on=date(2026, 7, 1)),
            Outcome(case_id=c_case.id, outcome_type="re_injured", occurred_on=date(2026, 5, 1), deleted_at=utcnow()),
        ]
    )
    db.session.commit()
    merge_participants(boss, db.session.get(Participant, e1.id), db.session.get(Participant, e2.id))
    db.session.commit()
    return {"outreach": outreach, "hvip": hvip, "other": other}


def test_template_lists_only_registered_measures():
    check_templates()
    template = TEMPLATES["program-summary"]
    assert template.funder == "Any funder"
    assert [s.title for s in template.sections] == [
        "People served",
        "Demographics",
        "Contacts",
        "Referrals",
        "Goals and outcomes",
        "Caseload",
    ]
    assert set(template.summary) <= set(template.measure_ids)
    charts = {mid for s in template.sections for mid in s.charts}
    assert charts == {"summary.contacts_by_mode", "summary.referrals_made", "summary.outcomes"}
    assert all(mid.startswith("summary.") for mid in template.measure_ids)
    assert all(MEASURES[mid].definition for mid in template.measure_ids)


def test_people_served_once_new_and_continuing(world):
    result = compute("summary.people_served", world["outreach"], world["hvip"])
    # A (two programs), C (last local evening), E (merged): not B (attempted only), D, deleted or other programs.
    assert result.value == 3
    assert result.rows == (("New (enrolled in the period)", 2), ("Continuing (enrolled before the period)", 1))
    assert MEASURES["summary.people_served"].suppress is True


def test_people_served_in_one_program(world):
    result = compute("summary.people_served", world["hvip"])
    assert result.value == 2  # A and the merged E
    assert rows(result)["New (enrolled in the period)"] == 2


def test_newly_enrolled_cases_and_people(world):
    assert compute("summary.newly_enrolled", world["outreach"], world["hvip"]).value == 4
    # A's two cases and E's two (now one person's) cases.
    assert compute("summary.newly_enrolled_people", world["outreach"], world["hvip"]).value == 2
    assert compute("summary.newly_enrolled_people", world["outreach"]).value == 2


def test_cases_closed_by_reason(world):
    result = compute("summary.cases_closed", world["outreach"], world["hvip"])
    assert result.value == 2
    assert rows(result)["Goals met"] == 1
    assert rows(result)["Reason not recorded"] == 1
    assert rows(result)["Moved away"] == 0
    assert len(result.rows) == 9


def test_demographics_of_people_served(world):
    scope = (world["outreach"], world["hvip"])
    age = compute("summary.age", *scope)
    assert age.value == 3
    # A is 25 on 1 April; C estimated 16; E takes the merged record's 1990 birth date.
    assert age.rows == (
        ("0–12", 0),
        ("13–17", 1),
        ("18–24", 0),
        ("25–34", 1),
        ("35–59", 1),
        ("60+", 0),
        (NOT_REPORTED, 0),
    )
    gender = compute("summary.gender", *scope)
    assert rows(gender)["Male"] == 2 and rows(gender)["Female"] == 1 and rows(gender)[NOT_REPORTED] == 0
    race = compute("summary.race", *scope)
    assert rows(race)["Black or African American"] == 1
    assert rows(race)["Hispanic or Latino"] == 1
    assert rows(race)[MORE_THAN_ONE] == 1
    assert sum(n for _, n in race.rows) == race.value == 3


def test_contacts_by_mode_type_and_completion(world):
    scope = (world["outreach"], world["hvip"])
    by_mode = compute("summary.contacts_by_mode", *scope)
    assert by_mode.value == 5
    assert rows(by_mode) == {
        "In person": 2,
        "Phone": 2,
        "Text": 1,
        "Video": 0,
        "Home visit": 0,
        "Hospital bedside": 0,
        "Court": 0,
        "Other": 0,
    }
    by_type = compute("summary.contacts_by_type", *scope)
    assert by_type.rows == (
        ("Check-in", 3),
        ("Crisis response", 1),
        ("Conflict-related", 0),
        ("Service navigation", 0),
        ("Family support", 1),
    )
    assert compute("summary.contacts", *scope).rows == (("Completed", 5), ("Attempted", 2))


def test_contact_hours_count_completed_contacts_only(world):
    result = compute("summary.contact_hours", world["outreach"], world["hvip"])
    # 90 + 30 + 45 + 15 minutes; the attempted hour, deleted and outside contacts add nothing.
    assert result.value == 3.0
    assert MEASURES["summary.contact_hours"].suppress is False
    assert MEASURES["summary.contact_hours"].unit == "hours"
    assert compute("summary.contact_hours", world["outreach"]).value == 2.5


def test_referrals_made_connected_and_median(world):
    scope = (world["outreach"], world["hvip"])
    made = compute("summary.referrals_made", *scope)
    assert made.value == 7
    assert rows(made)["Housing"] == 2
    assert rows(made)["Legal"] == 0  # deleted
    assert rows(made)["Mental health"] == 0  # made before the period
    assert len(made.rows) == 12
    share = compute("summary.referrals_connected_share", *scope)
    assert share.denominator == 7
    assert share.value == pytest.approx(4 / 7)
    # 4, 10, 31 and 70 days.
    assert compute("summary.median_days_to_connection", *scope).value == 20.5
    assert MEASURES["summary.median_days_to_connection"].suppress is False


def test_no_referrals_gives_no_rate(world, make_program):
    empty = make_program("hvip", "Empty")
    share = compute("summary.referrals_connected_share", empty)
    assert share.value is None and share.denominator == 0
    assert compute("summary.median_days_to_connection", empty).value is None


def test_referrals_overdue_at_period_end(world):
    # Employment (due 15 May), mental health (made before the period) and basic needs (connected only in July).
    assert compute("summary.referrals_overdue", world["outreach"], world["hvip"]).value == 3
    # A month earlier the employment referral was not yet due and the later ones were not made.
    assert compute("summary.referrals_overdue", world["outreach"], end=date(2026, 5, 15)).value == 2


def test_goals_set_and_met_by_domain(world):
    scope = (world["outreach"], world["hvip"])
    set_ = compute("summary.goals_set", *scope)
    assert set_.value == 2
    assert rows(set_) == {
        "Safety": 1,
        "Housing": 0,
        "Employment": 1,
        "Education": 0,
        "Health": 0,
        "Legal": 0,
        "Family": 0,
    }
    met = compute("summary.goals_met", *scope)
    assert met.value == 2
    assert rows(met)["Safety"] == 1 and rows(met)["Housing"] == 1 and rows(met)["Employment"] == 0


def test_outcomes_by_type(world):
    result = compute("summary.outcomes", world["outreach"], world["hvip"])
    assert result.value == 2
    assert rows(result)["Employment started"] == 1
    assert rows(result)["Arrested"] == 1
    assert rows(result)["Re-injured"] == 0
    assert len(result.rows) == 9


def test_caseload_per_worker_at_period_end(world):
    result = compute("summary.caseload_per_worker", world["outreach"], world["hvip"])
    # Outreach: worker 1 held A, B and C (C moved away only after the end); worker 2 held E.
    # Hospital: worker 2 held A and E's second case. Closed, deleted, later and unassigned cases are left out.
    assert result.rows == (("Worker 1", 3), ("Worker 2", 2), ("Worker 3", 1))
    assert result.value == 2.0
    assert result.total_shown is False
    assert MEASURES["summary.caseload_per_worker"].suppress is False
    assert compute("summary.workers_over_target", world["outreach"], world["hvip"]).value == 1
    target = compute("summary.caseload_target", world["outreach"], world["hvip"])
    assert target.value == 8.5
    assert target.rows == (("Hospital", 15), ("Outreach", 2))
    assert compute("summary.caseload_target", world["outreach"]).value == 2


def test_no_report_row_carries_a_name(world):
    scope = (world["outreach"], world["hvip"])
    for measure_id in TEMPLATES["program-summary"].measure_ids:
        result = compute(measure_id, *scope)
        for label, _ in result.rows:
            assert "Pat" not in label and "Person" not in label and "Test User" not in label
