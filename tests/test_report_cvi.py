"""The CVI performance measures: hand-built records with known answers, through the registry's computations."""

from datetime import date, datetime, timedelta

import pytest

from caseflow.extensions import db
from caseflow.models import (
    Case,
    CaseAssignment,
    Contact,
    Goal,
    Incident,
    Mediation,
    Outcome,
    OutreachActivity,
    Participant,
    Referral,
    ShootingResponse,
)
from caseflow.participants.merge import merge_participants
from caseflow.reports.measures import cvi
from caseflow.reports.registry import MEASURES, ReportScope
from caseflow.reports.templates import TEMPLATES, check_templates
from caseflow.timezones import to_utc

START, END = date(2026, 4, 1), date(2026, 6, 30)
DELETED = datetime(2026, 8, 1)


def _compute(measure_id: str, *programs, start: date = START, end: date = END):
    return MEASURES[measure_id].compute(ReportScope(tuple(p.id for p in programs), start, end))


def _case(program, participant=None, *, enrolled_on=date(2026, 3, 1), worker=None, **fields) -> Case:
    person = participant or Participant(first_name="Pat", last_name="Person")
    case = Case(
        participant=person,
        program=program,
        status=fields.pop("status", "active"),
        referred_on=date(2026, 1, 1),
        enrolled_on=enrolled_on,
        assigned_worker_id=worker.id if worker else None,
        **fields,
    )
    db.session.add(case)
    db.session.flush()
    return case


def _contact(case, when: datetime, *, completed: bool = True, deleted: bool = False) -> None:
    db.session.add(
        Contact(
            case_id=case.id,
            occurred_at=to_utc(when),
            mode="in_person",
            contact_type="check_in",
            is_completed=completed,
            deleted_at=DELETED if deleted else None,
        )
    )


def _outcome(case, kind: str, on: date, *, deleted: bool = False) -> None:
    db.session.add(Outcome(case_id=case.id, outcome_type=kind, occurred_on=on, deleted_at=DELETED if deleted else None))


def _goal(case, set_on: date, *, deleted: bool = False, status: str = "open") -> None:
    db.session.add(
        Goal(
            case_id=case.id,
            domain="safety",
            description="Stay safe",
            set_on=set_on,
            status=status,
            deleted_at=DELETED if deleted else None,
        )
    )


@pytest.fixture
def people(make_program, make_user):
    """Participants of two street outreach programs, with known answers for the people measures."""
    east = make_program("street_outreach", "East outreach")
    west = make_program("street_outreach", "West outreach")
    supervisor = make_user(roles={east: "supervisor", west: "supervisor"})

    # In both programs, newly enrolled in each: one person. Goal set in the period; two arrests.
    both_east = _case(east, enrolled_on=date(2026, 4, 10))
    both_west = _case(west, both_east.participant, enrolled_on=date(2026, 5, 1))
    _contact(both_east, datetime(2026, 4, 12, 10))
    _contact(both_west, datetime(2026, 5, 2, 10))
    _goal(both_east, date(2026, 4, 12))
    _outcome(both_east, "arrested", date(2026, 5, 2))
    _outcome(both_west, "arrested", date(2026, 6, 1))
    _outcome(both_west, "re_injured", date(2026, 6, 2))
    _outcome(both_west, "employment_started", date(2026, 6, 3))  # not one of the three types

    # Enrolled before the period; only an attempted and a deleted completed contact: neither new nor served.
    # Their live goal does not count (not served), nor their deleted re-injury.
    attempted = _case(east, enrolled_on=date(2026, 3, 1))
    _contact(attempted, datetime(2026, 5, 5, 10), completed=False)
    _contact(attempted, datetime(2026, 5, 6, 10), deleted=True)
    _goal(attempted, date(2026, 3, 2))
    _outcome(attempted, "re_injured", date(2026, 5, 7), deleted=True)

    # Two records of one person, each newly enrolled and served, merged: one person. Goal met before the period.
    kept = _case(east, enrolled_on=date(2026, 4, 15))
    retired = _case(west, enrolled_on=date(2026, 4, 20))
    _contact(kept, datetime(2026, 4, 16, 10))
    _contact(retired, datetime(2026, 4, 21, 10))
    _goal(retired, date(2025, 12, 1), status="met")
    _outcome(kept, "incarcerated", date(2026, 4, 30))
    _outcome(retired, "incarcerated", date(2026, 6, 30))

    # Enrolled after the period, contact the day before it, arrest the day before it: counts nowhere.
    outside = _case(east, enrolled_on=date(2026, 7, 1))
    _contact(outside, datetime(2026, 3, 31, 23, 30))
    _outcome(outside, "arrested", date(2026, 3, 31))

    # A deleted person and a deleted case, each enrolled and served in the period with a re-injury.
    gone_person = _case(east, enrolled_on=date(2026, 4, 5))
    gone_person.participant.deleted_at = DELETED
    gone_case = _case(east, enrolled_on=date(2026, 4, 6), deleted_at=DELETED)
    for gone in (gone_person, gone_case):
        _contact(gone, datetime(2026, 4, 7, 10))
        _goal(gone, date(2026, 4, 7))
        _outcome(gone, "re_injured", date(2026, 4, 8))

    # Served on the period's last local evening (already 1 July in UTC); goals only deleted or after the period.
    late = _case(west, enrolled_on=date(2026, 1, 10))
    _contact(late, datetime(2026, 6, 30, 23, 30))
    _goal(late, date(2026, 4, 2), deleted=True)
    _goal(late, date(2026, 7, 1))
    db.session.commit()

    merge_participants(supervisor, kept.participant, retired.participant)
    db.session.commit()
    return {"east": east, "west": west, "both": both_east, "late": late}


def test_newly_enrolled_counts_people_once_across_programs_and_merges(people):
    # both (two cases, two programs) + the merged person; not: before/after the period, deleted person or case.
    assert _compute("cvi.newly_enrolled", people["east"], people["west"]).value == 2
    assert _compute("cvi.newly_enrolled", people["east"]).value == 2
    assert _compute("cvi.newly_enrolled", people["west"]).value == 2
    assert _compute("cvi.newly_enrolled", people["east"], start=date(2026, 4, 11)).value == 1


def test_actively_served_ignores_attempts_deleted_records_and_other_periods(people):
    # both, the merged person, late (last local evening); not attempted, outside, deleted person or case.
    assert _compute("cvi.actively_served", people["east"], people["west"]).value == 3
    assert _compute("cvi.actively_served", people["east"], people["west"], end=date(2026, 6, 29)).value == 2


def test_service_plan_counts_served_people_with_a_live_goal_set_by_period_end(people):
    # both (goal in period) and the merged person (goal met before the period, moved with the case);
    # late's goals are deleted or set after the period; attempted has a goal but was not served.
    assert _compute("cvi.service_plan", people["east"], people["west"]).value == 2
    # Scope matters: the merged person's goal is on the West case, both's on the East case.
    assert _compute("cvi.service_plan", people["east"]).value == 1
    assert _compute("cvi.service_plan", people["west"]).value == 1


def test_demographics_list_every_category_and_add_up_to_people_served(people):
    both = db.session.get(Participant, people["both"].participant_id)
    both.date_of_birth, both.gender = date(2006, 4, 2), "male"
    db.session.commit()
    for measure_id, first_labels in (
        ("cvi.age", ["0–12", "13–17", "18–24", "25–34", "35–59", "60+", "Not reported"]),
        ("cvi.gender", ["Male", "Female"]),
        ("cvi.race", ["American Indian or Alaska Native", "Asian"]),
    ):
        result = _compute(measure_id, people["east"], people["west"])
        assert result.value == 3
        assert sum(n for _, n in result.rows) == 3
        assert [label for label, _ in result.rows][: len(first_labels)] == first_labels
        assert result.rows[-1] == ("Not reported", 2 if measure_id != "cvi.race" else 3)
    assert dict(_compute("cvi.age", people["east"], people["west"]).rows)["18–24"] == 1
    assert dict(_compute("cvi.gender", people["east"], people["west"]).rows)["Male"] == 1


def test_violence_events_count_every_event_of_the_three_types_in_the_period(people):
    result = _compute("cvi.violence_events", people["east"], people["west"])
    # Arrested: both twice. Re-injured: both once. Incarcerated: the merged person twice (one on the last day).
    assert result.rows == (("Re-injured", 1), ("Arrested", 2), ("Incarcerated", 2))
    assert result.value == 5
    # East alone: both's East arrest and the kept record's incarceration; the retired record's case stays in West.
    assert _compute("cvi.violence_events", people["east"]).rows == (
        ("Re-injured", 0),
        ("Arrested", 1),
        ("Incarcerated", 1),
    )


def test_violence_people_count_each_person_once(people):
    result = _compute("cvi.violence_people", people["east"], people["west"])
    assert result.value == 2  # both, and the merged person
    assert result.rows == (("Re-injured", 1), ("Arrested", 1), ("Incarcerated", 1))
    assert result.total_shown is False
    assert _compute("cvi.violence_people", people["east"], end=date(2026, 4, 29)).value == 0


@pytest.fixture
def outreach_work(make_program, make_user):
    """Mediations, shooting responses and community activity of two outreach programs and an HVIP."""
    east = make_program("street_outreach", "East outreach")
    west = make_program("street_outreach", "West outreach")
    hospital = make_program("hvip", "Hospital")
    responder = make_user(roles={east: "worker", west: "worker", hospital: "worker"})

    def mediation(program, when, source, outcome, deleted=False):
        db.session.add(
            Mediation(
                program_id=program.id,
                occurred_at=to_utc(when),
                area="Area",
                identified_by=source,
                outcome=outcome,
                deleted_at=DELETED if deleted else None,
            )
        )

    mediation(east, datetime(2026, 4, 10, 12), "tip", "resolved")
    mediation(east, datetime(2026, 5, 10, 12), "incident", "ongoing")
    mediation(west, datetime(2026, 6, 30, 23, 30), "tip", "violence_occurred")  # last local evening
    mediation(west, datetime(2026, 5, 1, 12), "release", "resolved", deleted=True)
    mediation(east, datetime(2026, 3, 31, 23, 30), "social_media", "resolved")  # before the period
    mediation(hospital, datetime(2026, 5, 1, 12), "other", "resolved")  # not a street outreach program

    def response(program, shot_at, minutes_later, deleted=False, incident_deleted=False):
        incident = Incident(
            occurred_at=to_utc(shot_at), area="Area", source="police", deleted_at=DELETED if incident_deleted else None
        )
        db.session.add(incident)
        db.session.flush()
        db.session.add(
            ShootingResponse(
                program_id=program.id,
                incident_id=incident.id,
                responder_id=responder.id,
                location="scene",
                first_response_at=to_utc(shot_at) + timedelta(minutes=minutes_later),
                deleted_at=DELETED if deleted else None,
            )
        )

    response(east, datetime(2026, 5, 1, 10), 30)
    response(east, datetime(2026, 5, 2, 0), 30 * 60)  # 30 hours: not within 24
    response(west, datetime(2026, 6, 1, 12), 90)
    response(west, datetime(2026, 6, 2, 12), 24 * 60)  # exactly 24 hours counts as within
    response(east, datetime(2026, 5, 3, 12), 5, deleted=True)
    response(east, datetime(2026, 5, 4, 12), 5, incident_deleted=True)
    response(east, datetime(2026, 3, 31, 12), 60)  # first response before the period
    response(hospital, datetime(2026, 5, 5, 12), 5)

    def activity(program, on, kind, minutes, reached, deleted=False):
        db.session.add(
            OutreachActivity(
                program_id=program.id,
                occurred_on=on,
                kind=kind,
                staff_minutes=minutes,
                people_reached=reached,
                deleted_at=DELETED if deleted else None,
            )
        )

    activity(east, date(2026, 4, 1), "canvassing", 90, 40)
    activity(west, date(2026, 5, 5), "community_event", 120, 100)
    activity(west, date(2026, 6, 30), "canvassing", 30, 3)
    activity(west, date(2026, 5, 6), "norm_change", 600, 50, deleted=True)
    activity(east, date(2026, 7, 1), "other", 60, 10)  # after the period
    activity(hospital, date(2026, 5, 7), "other", 60, 10)
    db.session.commit()
    return {"east": east, "west": west, "hospital": hospital}


def test_mediations_are_summed_over_the_street_outreach_programs(outreach_work):
    programs = (outreach_work["east"], outreach_work["west"], outreach_work["hospital"])
    by_source = _compute("cvi.mediations_by_source", *programs)
    assert by_source.value == 3
    assert by_source.rows == (
        ("Tip", 2),
        ("Incident", 1),
        ("Release from custody", 0),
        ("Social media", 0),
        ("Other", 0),
    )
    by_outcome = _compute("cvi.mediations_by_outcome", *programs)
    assert by_outcome.rows == (
        ("Resolved", 1),
        ("Temporarily resolved", 0),
        ("Ongoing", 1),
        ("Violence occurred", 1),
    )
    assert _compute("cvi.mediations_by_outcome", outreach_work["hospital"]).value == 0


def test_shooting_response_count_median_and_share_within_a_day(outreach_work):
    programs = (outreach_work["east"], outreach_work["west"], outreach_work["hospital"])
    assert _compute("cvi.shooting_responses", *programs).value == 4
    # Minutes 30, 90, 1440, 1800 across both programs: the median of all four, not of per-program medians.
    assert _compute("cvi.response_median_minutes", *programs).value == 765
    share = _compute("cvi.responses_within_24h", *programs)
    assert (share.value, share.denominator) == (0.75, 4)
    assert _compute("cvi.response_median_minutes", outreach_work["east"]).value == 915


def test_community_activity_counts_hours_and_people_reached(outreach_work):
    programs = (outreach_work["east"], outreach_work["west"], outreach_work["hospital"])
    activities = _compute("cvi.activities", *programs)
    assert activities.rows == (("Canvassing", 2), ("Community event", 1), ("Norm-change activity", 0), ("Other", 0))
    assert activities.value == 3
    hours = _compute("cvi.activity_hours", *programs)
    assert hours.value == 4.0
    assert dict(hours.rows) == {"Canvassing": 2.0, "Community event": 2.0, "Norm-change activity": 0, "Other": 0}
    reached = _compute("cvi.people_reached", *programs)
    assert (reached.value, dict(reached.rows)["Canvassing"]) == (143, 43)


def test_empty_scope_gives_zeros_and_blanks_with_every_row(make_program):
    program = make_program("street_outreach", "Quiet")
    assert _compute("cvi.response_median_minutes", program).value is None
    share = _compute("cvi.responses_within_24h", program)
    assert (share.value, share.denominator) == (None, 0)
    assert _compute("cvi.caseload_average", program).value is None
    assert _compute("cvi.caseload_maximum", program).value is None
    assert len(_compute("cvi.referrals_made", program).rows) == 12
    assert _compute("cvi.violence_people", program).rows == (("Re-injured", 0), ("Arrested", 0), ("Incarcerated", 0))


def test_referrals_made_by_category_and_how_many_were_received(people):
    case = people["both"]
    for category, status, referred_on, connected_on, deleted in (
        ("housing", "connected", date(2026, 4, 3), date(2026, 4, 20), False),
        ("housing", "completed", date(2026, 4, 4), date(2026, 4, 25), False),
        ("housing", "referred", date(2026, 5, 1), None, False),
        ("employment", "connected", date(2026, 6, 20), date(2026, 7, 2), False),  # received after the period
        ("legal", "connected", date(2026, 3, 25), date(2026, 4, 5), False),  # made before the period
        ("mental_health", "connected", date(2026, 4, 3), date(2026, 4, 4), True),
    ):
        db.session.add(
            Referral(
                case_id=case.id,
                service_category=category,
                status=status,
                referred_on=referred_on,
                connected_on=connected_on,
                deleted_at=DELETED if deleted else None,
            )
        )
    db.session.commit()
    made = _compute("cvi.referrals_made", people["east"], people["west"])
    assert made.value == 4
    assert made.rows[:3] == (("Housing", 3), ("Employment", 1), ("Education", 0))
    assert dict(made.rows)["Legal"] == dict(made.rows)["Mental health"] == 0
    received = _compute("cvi.referrals_received", people["east"], people["west"])
    assert received.value == 2
    assert received.rows[:2] == (("Housing", 2), ("Employment", 0))
    assert _compute("cvi.referrals_received", people["east"], end=date(2026, 7, 31)).value == 3
    assert _compute("cvi.referrals_made", people["west"]).value == 0


@pytest.fixture
def caseloads(make_program, make_user):
    """Active cases at 30 June 2026 by the worker who held them then."""
    east = make_program("street_outreach", "East outreach")
    west = make_program("street_outreach", "West outreach")
    first = make_user(roles={east: "worker", west: "worker"})
    second = make_user(roles={east: "worker"})
    _case(east, worker=first)  # first: 1
    _case(west, worker=first)  # first: 2 (one worker across programs)
    _case(east, worker=second)  # second: 1
    _case(east, worker=second, status="closed", closed_on=date(2026, 6, 15))
    _case(east, worker=second, status="closed", closed_on=date(2026, 6, 30))  # closed on the day: not active
    _case(east, worker=second, enrolled_on=date(2026, 7, 2))  # not yet enrolled
    _case(east, worker=second, enrolled_on=None, status="screening")
    _case(east, worker=second, deleted_at=DELETED)
    _case(east, worker=None)  # unassigned: left out
    # Reassigned after the period: it counts for the worker who held it on 30 June.
    later = _case(east, worker=second)
    db.session.add(
        CaseAssignment(
            case_id=later.id, from_worker_id=first.id, to_worker_id=second.id, changed_at=datetime(2026, 7, 5, 12)
        )
    )  # first: 3
    # Taken off second's caseload after the period and left unassigned: still second's on 30 June.
    dropped = _case(east, worker=None)
    db.session.add(
        CaseAssignment(
            case_id=dropped.id, from_worker_id=second.id, to_worker_id=None, changed_at=datetime(2026, 7, 2, 12)
        )
    )  # second: 2
    # Reassigned within the period, and again on its last local evening (05:00 UTC on 1 July is local midnight).
    moved = _case(east, worker=first)
    db.session.add_all(
        [
            CaseAssignment(
                case_id=moved.id, from_worker_id=second.id, to_worker_id=first.id, changed_at=datetime(2026, 5, 1)
            ),
            CaseAssignment(
                case_id=moved.id,
                from_worker_id=first.id,
                to_worker_id=second.id,
                changed_at=to_utc(datetime(2026, 6, 30, 23)),
            ),
            CaseAssignment(
                case_id=moved.id,
                from_worker_id=second.id,
                to_worker_id=first.id,
                changed_at=to_utc(datetime(2026, 7, 1, 0, 30)),
            ),
        ]
    )  # second: 3
    db.session.commit()
    return {"east": east, "west": west}


def test_caseload_per_worker_at_period_end(caseloads):
    assert _compute("cvi.caseload_average", caseloads["east"], caseloads["west"]).value == 3.0
    assert _compute("cvi.caseload_maximum", caseloads["east"], caseloads["west"]).value == 3
    # East alone: first holds 2 there (the West case is out of scope), second 3.
    assert _compute("cvi.caseload_average", caseloads["east"]).value == 2.5
    assert _compute("cvi.caseload_maximum", caseloads["east"]).value == 3


def test_template_lists_only_registered_measures_and_the_questionnaire_maps_onto_them():
    check_templates()
    template = TEMPLATES["cvi-performance"]
    assert template.program_kinds == ()
    mine = {mid for mid in MEASURES if mid.startswith("cvi.")}
    assert set(template.measure_ids) == mine
    assert set(template.summary) <= mine
    charted = {mid for section in template.sections for mid in section.charts}
    assert charted <= set(template.measure_ids)
    assert all(MEASURES[mid].compute and len(MEASURES[mid].definition) > 40 for mid in mine)
    ids = [qid for qid, _, _ in cvi.QUESTIONNAIRE]
    assert len(ids) == len(set(ids))
    assert {mid for _, _, mid in cvi.QUESTIONNAIRE} == mine


def test_suppression_flags_follow_what_is_counted():
    not_suppressed = {
        "cvi.response_median_minutes",
        "cvi.responses_within_24h",
        "cvi.caseload_average",
        "cvi.caseload_maximum",
        "cvi.activities",
        "cvi.activity_hours",
        "cvi.people_reached",
    }
    for mid, item in MEASURES.items():
        if mid.startswith("cvi."):
            assert item.suppress is (mid not in not_suppressed), mid
    assert MEASURES["cvi.responses_within_24h"].unit == "rate"
    assert MEASURES["cvi.activity_hours"].unit == "hours"
    assert MEASURES["cvi.response_median_minutes"].unit == "minutes"
