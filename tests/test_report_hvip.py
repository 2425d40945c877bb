"""The hvip-annual measures: hand-built records with known answers, through the registry's computations."""

from datetime import date, datetime, timedelta

import pytest

from caseflow.extensions import db
from caseflow.models import Case, CompensationClaim, Contact, Injury, Participant, Referral
from caseflow.models.base import utcnow
from caseflow.participants.merge import merge_participants
from caseflow.reports.measures.hvip_annual import (
    APPROACHED_WAITING,
    DECLINED,
    ELIGIBLE_WAITING,
    ENROLLED,
    NOT_APPROACHED,
    NOT_ELIGIBLE,
    OTHER_REASONS,
    OTHER_SERVICES,
    REASON_NOT_RECORDED,
    SCREENED_ONLY,
)
from caseflow.reports.registry import MEASURES, ReportScope
from caseflow.reports.templates import TEMPLATES, check_templates
from caseflow.timezones import to_utc

START, END = date(2025, 1, 1), date(2025, 12, 31)


def compute(measure_id: str, *programs, start: date = START, end: date = END):
    return MEASURES[measure_id].compute(ReportScope(tuple(p.id for p in programs), start, end))


def _person(**fields) -> Participant:
    person = Participant(first_name="Pat", last_name="Person", **fields)
    db.session.add(person)
    db.session.flush()
    return person


def _case(program, person=None, enrolled_on=date(2025, 1, 1), status="active", closed_on=None, deleted=False):
    case = Case(
        participant_id=(person or _person()).id,
        program_id=program.id,
        status=status,
        referred_on=date(2024, 1, 1),
        enrolled_on=enrolled_on,
        closed_on=closed_on,
        deleted_at=utcnow() if deleted else None,
    )
    db.session.add(case)
    db.session.flush()
    return case


def _injury(
    program,
    arrived: datetime,
    stage="screened",
    reason="",
    bedside_minutes=None,
    case=None,
    person=None,
    discharged_on=None,
    deleted=False,
) -> Injury:
    """An injury arriving at a local wall-clock time (injured an hour before)."""
    injury = Injury(
        program_id=program.id,
        case_id=case.id if case else None,
        participant_id=case.participant_id if case else (person.id if person else None),
        injured_at=to_utc(arrived - timedelta(hours=1)),
        arrived_at=to_utc(arrived),
        first_bedside_at=to_utc(arrived + timedelta(minutes=bedside_minutes)) if bedside_minutes is not None else None,
        mechanism="gunshot",
        hospital="County General",
        care_level="admitted",
        funnel_stage=stage,
        funnel_reason=reason,
        discharged_on=discharged_on,
        deleted_at=utcnow() if deleted else None,
    )
    db.session.add(injury)
    db.session.flush()
    return injury


def _contact(case, when: datetime, completed=True, deleted=False):
    db.session.add(
        Contact(
            case_id=case.id,
            occurred_at=to_utc(when),
            mode="in_person",
            contact_type="check_in",
            is_completed=completed,
            deleted_at=utcnow() if deleted else None,
        )
    )


@pytest.fixture
def programs(make_program):
    """Two hospital programs in scope, a street outreach program in scope, and a hospital program outside it."""
    return (
        make_program("hvip", "Hospital"),
        make_program("hvip", "Second hospital"),
        make_program("street_outreach", "Outreach"),
        make_program("hvip", "Elsewhere"),
    )


# --- funnel, reasons, bedside response ------------------------------------------------------------------------


@pytest.fixture
def funnel(programs):
    hvip, hvip2, outreach, other = programs
    day = datetime(2025, 5, 1, 10)
    # hvip: one of each stage, with reasons typed loosely.
    _injury(hvip, datetime(2025, 12, 31, 23, 30))  # the period's last local evening: counts
    _injury(hvip, day, "ineligible", "Not violent")
    _injury(hvip, day, "eligible", bedside_minutes=30)
    _injury(hvip, day, "not_approached", "Patient sedated")
    _injury(hvip, day, "not_approached", "  Patient sedated")
    _injury(hvip, day, "approached", bedside_minutes=60)
    for reason in ("Not interested", "Not interested", "Not interested", "Not interested  ", " Not interested"):
        _injury(hvip, day, "declined", reason)
    _injury(hvip, day, "declined", "Family said no")
    _injury(hvip, day, "declined", "   ")  # no real reason
    _injury(hvip, day, "enrolled", case=_case(hvip), bedside_minutes=120)
    _injury(hvip, day, "enrolled", case=_case(hvip))
    # hvip2: adds to the totals.
    _injury(hvip2, day, "enrolled", case=_case(hvip2), bedside_minutes=240)
    _injury(hvip2, day, "screened")
    # None of these count.
    _injury(hvip, day, "declined", "Not interested", bedside_minutes=1000, deleted=True)
    _injury(hvip, day, "enrolled", case=_case(hvip, deleted=True), bedside_minutes=1000)
    _injury(hvip, datetime(2024, 12, 31, 23, 30), "declined", "Not interested", bedside_minutes=1000)
    _injury(hvip, datetime(2026, 1, 1, 0, 30), "declined", "Not interested")
    _injury(other, day, "enrolled", case=_case(other), bedside_minutes=1000)
    _injury(other, day, "declined", "Not interested")
    db.session.commit()


def test_funnel_levels_and_rows(programs, funnel):
    hvip, hvip2, outreach, _ = programs
    result = compute("hvip.screened", hvip, hvip2, outreach)
    assert result.value == 17
    assert result.rows == (
        (SCREENED_ONLY, 2),
        (NOT_ELIGIBLE, 1),
        (ELIGIBLE_WAITING, 1),
        (NOT_APPROACHED, 2),
        (APPROACHED_WAITING, 1),
        (DECLINED, 7),
        (ENROLLED, 3),
    )
    assert result.total_shown and sum(n for _, n in result.rows) == result.value
    assert compute("hvip.eligible", hvip, hvip2, outreach).value == 14
    assert compute("hvip.approached", hvip, hvip2, outreach).value == 11
    assert compute("hvip.enrolled", hvip, hvip2, outreach).value == 3
    # One program alone.
    assert compute("hvip.screened", hvip2).value == 2
    assert compute("hvip.enrolled", hvip).value == 2


def test_reach_is_enrolled_over_eligible(programs, funnel):
    hvip, hvip2, _, _ = programs
    result = compute("hvip.reach", hvip, hvip2)
    assert result.value == pytest.approx(3 / 14)
    assert result.denominator == 14
    assert MEASURES["hvip.reach"].unit == "rate" and not MEASURES["hvip.reach"].suppress


def test_reasons_grouped_by_trimmed_text_with_rare_ones_added_up(programs, funnel):
    hvip, hvip2, _, _ = programs
    result = compute("hvip.not_enrolled_reasons", hvip, hvip2)
    # k = 5: only a wording shared by five injuries is printed; the two "Patient sedated" and the one-off go
    # into Other; the blank reason is not recorded.
    assert result.value == 9
    assert result.rows == (("Not interested", 5), (OTHER_REASONS, 3), (REASON_NOT_RECORDED, 1))
    assert result.total_shown


def test_reasons_top_ten_at_a_lower_threshold(app, programs, funnel):
    hvip, hvip2, _, _ = programs
    app.config["SMALL_CELL_THRESHOLD"] = 2
    result = compute("hvip.not_enrolled_reasons", hvip, hvip2)
    assert result.rows == (
        ("Not interested", 5),
        ("Patient sedated", 2),
        (OTHER_REASONS, 1),
        (REASON_NOT_RECORDED, 1),
    )
    # Twelve more wordings, two injuries each: only ten are listed, most frequent first then alphabetical.
    for i in range(12):
        for _ in range(2):
            _injury(hvip, datetime(2025, 6, 1, 10), "declined", f"Reason {i:02d}")
    db.session.commit()
    result = compute("hvip.not_enrolled_reasons", hvip, hvip2)
    assert result.value == 33
    labels = [label for label, _ in result.rows]
    assert labels == ["Not interested", "Patient sedated"] + [f"Reason {i:02d}" for i in range(8)] + [
        OTHER_REASONS,
        REASON_NOT_RECORDED,
    ]
    assert dict(result.rows)[OTHER_REASONS] == 1 + 4 * 2
    assert sum(n for _, n in result.rows) == 33


def test_median_hours_from_arrival_to_bedside(programs, funnel):
    hvip, hvip2, _, _ = programs
    result = compute("hvip.bedside_median_hours", hvip, hvip2)
    # 30, 60, 120 and 240 minutes: the median is 90 minutes.
    assert result.value == 1.5
    assert result.denominator == 4
    assert compute("hvip.bedside_median_hours", hvip).value == 1.0  # 30, 60, 120
    assert MEASURES["hvip.bedside_median_hours"].suppress is False
    assert MEASURES["hvip.bedside_median_hours"].unit == "hours"


def test_no_hospital_program_in_scope(programs, funnel):
    _, _, outreach, _ = programs
    assert compute("hvip.screened", outreach).value == 0
    assert compute("hvip.reach", outreach).value is None
    assert compute("hvip.bedside_median_hours", outreach).value is None
    assert compute("hvip.not_enrolled_reasons", outreach).rows == ((OTHER_REASONS, 0), (REASON_NOT_RECORDED, 0))
    assert compute("hvip.retention_30", outreach).value is None
    assert compute("hvip.reinjury_rate", outreach).value is None
    assert compute("hvip.compensation", outreach).value == 0


# --- referrals connected by domain ----------------------------------------------------------------------------


def _referral(case, category, connected_on=None, status="connected", deleted=False):
    db.session.add(
        Referral(
            case_id=case.id,
            service_category=category,
            status=status,
            referred_on=date(2024, 12, 1),
            connected_on=connected_on,
            deleted_at=utcnow() if deleted else None,
        )
    )


def test_people_with_a_referral_connected_by_domain(programs):
    hvip, hvip2, outreach, other = programs
    c1 = _case(hvip)
    _referral(c1, "mental_health", date(2025, 3, 1))
    _referral(c1, "substance_use", date(2025, 4, 1), status="completed")
    _referral(c1, "housing", status="referred")
    c2 = _case(hvip2)
    _referral(c2, "relocation", date(2025, 5, 1))
    _referral(c2, "benefits", date(2025, 5, 2))
    _referral(c2, "medical", date(2024, 12, 31))  # before the period
    _referral(c2, "legal", date(2025, 5, 3), deleted=True)
    _referral(c2, "medical", date(2025, 6, 1), status="no_show")  # connected once, not now
    # One person in both hospital programs: counted once, education counting as employment.
    both = _person()
    _referral(_case(hvip, both), "employment", date(2025, 2, 1))
    _referral(_case(hvip2, both), "employment", date(2025, 2, 2))
    _referral(_case(hvip2, both, status="closed", closed_on=date(2024, 6, 1)), "education", date(2025, 2, 3))
    # None of these count.
    _referral(_case(hvip, deleted=True), "housing", date(2025, 3, 1))
    _referral(_case(outreach), "housing", date(2025, 3, 1))
    _referral(_case(other), "legal", date(2025, 3, 1))
    gone = _person(deleted_at=utcnow())
    _referral(_case(hvip, gone), "legal", date(2025, 3, 1))
    db.session.commit()

    result = compute("hvip.referrals_connected", hvip, hvip2, outreach)
    assert result.value == 3
    assert result.rows == (
        ("Safety", 1),
        ("Mental health", 1),
        ("Housing", 0),
        ("Employment", 1),
        ("Legal", 0),
        ("Medical follow-up", 0),
        (OTHER_SERVICES, 1),
    )
    assert not result.total_shown


# --- retention ------------------------------------------------------------------------------------------------


@pytest.fixture
def retention(programs):
    hvip, hvip2, outreach, other = programs

    def enrolled(program, discharged_on, enrolled_on=None, person=None, **case_fields):
        case = _case(program, person, enrolled_on=enrolled_on or discharged_on, **case_fields)
        arrived = datetime.combine(discharged_on, datetime.min.time())
        _injury(program, arrived, "enrolled", case=case, discharged_on=discharged_on)
        return case

    # P1: marks 31 Mar, 30 May, 28 Aug. An attempted contact only before the first; a contact ten days before the
    # second; one on the third mark's last local evening.
    p1 = enrolled(hvip, date(2025, 3, 1))
    _contact(p1, datetime(2025, 3, 15, 10), completed=False)
    _contact(p1, datetime(2025, 5, 20, 10))
    _contact(p1, datetime(2025, 8, 28, 23, 30))
    # P2: marks 1 Jul, 30 Aug, 28 Nov; closed 1 Aug, so only the first counts although a contact falls in the
    # second's window.
    p2 = enrolled(hvip, date(2025, 6, 1), status="closed", closed_on=date(2025, 8, 1))
    _contact(p2, datetime(2025, 6, 25, 10))
    _contact(p2, datetime(2025, 7, 31, 10))
    # P3: discharged 1 Dec 2024 (a later injury on the case does not move the clock): marks 31 Dec 2024
    # (outside), 1 Mar, 30 May. A contact on the 90-day mark; for 180 days a deleted contact and one 31 days early.
    p3 = enrolled(hvip, date(2024, 12, 1))
    _injury(hvip, datetime(2025, 1, 20, 10), "enrolled", case=p3, discharged_on=date(2025, 2, 1))
    _contact(p3, datetime(2025, 3, 1, 9))
    _contact(p3, datetime(2025, 5, 15, 10), deleted=True)
    _contact(p3, datetime(2025, 4, 29, 10))
    # P4: discharged 15 Nov: only the 30-day mark (15 Dec) is in the period; a contact on 1 Dec.
    p4 = enrolled(hvip2, date(2025, 11, 15))
    _contact(p4, datetime(2025, 12, 1, 10))
    # P9: enrolled after the 30-day mark, so only the later marks count; no contacts.
    enrolled(hvip, date(2025, 1, 1), enrolled_on=date(2025, 2, 15))
    # P10: in both hospital programs, discharged 1 Jul from each: counted once; a contact on one case for 30 days.
    both = _person()
    p10 = enrolled(hvip, date(2025, 7, 1), person=both)
    enrolled(hvip2, date(2025, 7, 1), person=both)
    _contact(p10, datetime(2025, 7, 20, 10))
    # None of these count: deleted case, never enrolled, deleted injury, outside the scope.
    gone = enrolled(hvip, date(2025, 3, 1), deleted=True)
    _contact(gone, datetime(2025, 3, 20, 10))
    never = _case(hvip, enrolled_on=None, status="screening")
    _injury(hvip, datetime(2025, 3, 1), "approached", case=never, discharged_on=date(2025, 3, 1))
    _contact(never, datetime(2025, 3, 20, 10))
    hidden = _case(hvip, enrolled_on=date(2025, 3, 1))
    _injury(hvip, datetime(2025, 3, 1), "enrolled", case=hidden, discharged_on=date(2025, 3, 1), deleted=True)
    _contact(hidden, datetime(2025, 3, 20, 10))
    elsewhere = enrolled(other, date(2025, 3, 1))
    _contact(elsewhere, datetime(2025, 3, 20, 10))
    db.session.commit()


@pytest.mark.parametrize(("days", "kept", "total"), [(30, 3, 4), (90, 2, 5), (180, 1, 5)])
def test_retention_at_each_mark(programs, retention, days, kept, total):
    hvip, hvip2, outreach, _ = programs
    result = compute(f"hvip.retention_{days}", hvip, hvip2, outreach)
    assert result.denominator == total
    assert result.value == pytest.approx(kept / total)
    assert MEASURES[f"hvip.retention_{days}"].unit == "rate"


def test_retention_mark_outside_a_short_period(programs, retention):
    hvip, hvip2, _, _ = programs
    # First quarter: the 30-day marks of P1 (31 Mar, not retained) only; P9's fell before its enrolment.
    result = compute("hvip.retention_30", hvip, hvip2, end=date(2025, 3, 31))
    assert (result.value, result.denominator) == (0, 1)
    # Of the 90-day marks, P3's (1 Mar, retained) is in the quarter; P9's (1 Apr) is not.
    result = compute("hvip.retention_90", hvip, hvip2, end=date(2025, 3, 31))
    assert (result.value, result.denominator) == (1, 1)


# --- re-injury ------------------------------------------------------------------------------------------------


@pytest.fixture
def reinjury(programs, make_user):
    hvip, hvip2, outreach, other = programs

    def person_with(*injuries, program=hvip, **fields):
        person = _person(**fields)
        for when, *flags in injuries:
            _injury(program, when, "enrolled", person=person, deleted="deleted" in flags)
        return person

    person_with((datetime(2024, 3, 10, 12),), (datetime(2025, 3, 1, 12),))  # R1: 356 days: re-injured
    person_with((datetime(2024, 2, 1, 12),), (datetime(2025, 2, 15, 12),))  # R2: 380 days: not
    person_with((datetime(2024, 6, 1, 12),))  # R3: once only
    person_with((datetime(2023, 6, 1, 12),), (datetime(2024, 5, 1, 12),))  # R4: index before the cohort year
    person_with((datetime(2025, 2, 1, 12),), (datetime(2025, 3, 1, 12),))  # R5: index in the period itself
    # R6: a deleted earlier injury is not the index; re-injured a month after the live one.
    person_with((datetime(2024, 4, 1, 12), "deleted"), (datetime(2024, 8, 1, 12),), (datetime(2024, 9, 1, 12),))
    # R8: index on the cohort year's last local evening, again exactly 365 local days later.
    person_with((datetime(2025, 1, 1, 0, 30),), (datetime(2026, 1, 1, 0, 30),))
    # R9: index on the evening before the cohort year (already the next day in UTC): not in the cohort.
    person_with((datetime(2024, 1, 1, 0, 30),), (datetime(2024, 6, 1, 12),))
    # R12: second injury in the other in-scope hospital program.
    r12 = person_with((datetime(2024, 10, 1, 12),))
    _injury(hvip2, datetime(2025, 4, 1, 12), "enrolled", person=r12)
    # Not counted: outside the scope, a deleted person, a patient with no person record.
    person_with((datetime(2024, 5, 1, 12),), (datetime(2024, 6, 1, 12),), program=other)
    person_with((datetime(2024, 5, 1, 12),), (datetime(2024, 6, 1, 12),), deleted_at=utcnow())
    _injury(hvip, datetime(2024, 5, 1, 12), "declined", "Not interested")
    # R10: two records of one person merged: the retired record's injury becomes the index.
    kept = person_with((datetime(2025, 1, 15, 12),))
    retired = person_with((datetime(2024, 7, 1, 12),))
    db.session.commit()
    boss = make_user(roles={hvip: "supervisor", hvip2: "supervisor"})
    merge_participants(boss, db.session.get(Participant, kept.id), db.session.get(Participant, retired.id))
    db.session.commit()


def test_reinjury_within_twelve_months(programs, reinjury):
    hvip, hvip2, outreach, _ = programs
    # Cohort (index injury in 2024, local time): R1, R2, R3, R6, R8, R12, R10; re-injured: R1, R6, R8, R12, R10.
    assert compute("hvip.reinjured", hvip, hvip2, outreach).value == 5
    rate = compute("hvip.reinjury_rate", hvip, hvip2, outreach)
    assert rate.denominator == 7
    assert rate.value == pytest.approx(5 / 7)


def test_reinjury_counts_only_the_chosen_programs(programs, reinjury):
    hvip, hvip2, _, _ = programs
    # Without the second hospital, R12 has no re-injury on record.
    assert compute("hvip.reinjured", hvip).value == 4
    assert compute("hvip.reinjury_rate", hvip).denominator == 7
    assert compute("hvip.reinjury_rate", hvip2).denominator == 0


# --- victim compensation --------------------------------------------------------------------------------------


def test_compensation_applications(programs):
    hvip, hvip2, outreach, other = programs

    def claim(case, applied_on, status="applied", decided_on=None, deleted=False):
        db.session.add(
            CompensationClaim(
                case_id=case.id,
                applied_on=applied_on,
                status=status,
                decided_on=decided_on,
                deleted_at=utcnow() if deleted else None,
            )
        )

    a, b = _case(hvip), _case(hvip2)
    claim(a, date(2025, 2, 1), "approved", date(2025, 3, 1))
    claim(a, date(2025, 5, 1), "denied", date(2025, 6, 1))
    claim(a, date(2025, 6, 1))
    claim(b, date(2025, 12, 31), "approved", date(2026, 1, 5))
    claim(a, date(2025, 7, 1), deleted=True)
    claim(_case(hvip, deleted=True), date(2025, 7, 1))
    claim(a, date(2024, 12, 31), "approved", date(2025, 1, 5))
    claim(_case(other), date(2025, 7, 1))
    db.session.commit()
    result = compute("hvip.compensation", hvip, hvip2, outreach)
    assert result.value == 4
    assert result.rows == (("Approved", 2), ("Denied", 1), ("Awaiting a decision", 1))
    assert result.total_shown


# --- the template ---------------------------------------------------------------------------------------------


def test_template_lists_registered_measures():
    check_templates()
    template = TEMPLATES["hvip-annual"]
    assert template.title == "HVIP annual report"
    assert template.program_kinds == ("hvip",)
    assert {"hvip.retention_30", "hvip.retention_90", "hvip.retention_180"} <= set(template.measure_ids)
    for measure_id in template.measure_ids:
        m = MEASURES[measure_id]
        assert m.definition and m.source == "REPORTS.md: hvip-annual"
        # Counts of people and of events about people are suppressed; rates, hours are not.
        assert m.suppress == (m.unit == "count")
