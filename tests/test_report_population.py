"""Who reports count: people served once per period, and demographics that add up to them."""

from datetime import date, datetime, timedelta

import pytest

from caseflow.extensions import db
from caseflow.models import (
    CallIn,
    CallInInvitee,
    Contact,
    Mediation,
    MediationPerson,
    Notification,
    Participant,
    ParticipantRaceEthnicity,
    Referral,
)
from caseflow.models.base import utcnow
from caseflow.reports.population import age_rows, count_people, gender_rows, race_rows, served_people
from caseflow.reports.registry import ReportScope
from caseflow.timezones import to_utc

START, END = date(2026, 4, 1), date(2026, 6, 30)


def _contact(case, when: datetime, completed: bool = True, deleted: bool = False) -> None:
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
def world(make_program, make_user, make_case):
    outreach = make_program("street_outreach", "Outreach")
    fd = make_program("focused_deterrence", "Deterrence")
    worker = make_user(roles={outreach: "worker", fd: "worker"})
    people = {}
    # Served by a completed contact in the period, in both programs: counts once.
    both = make_case(outreach, worker, first_name="Both", date_of_birth=date(2006, 4, 2), gender="male")
    make_case_same = make_case(fd, worker, first_name="Fd", last_name="Twin")
    make_case_same.participant_id = both.participant_id
    people["both"] = (both, make_case_same)
    # Only an attempted contact and a deleted completed contact: not served.
    people["attempted"] = make_case(outreach, worker, first_name="Attempt")
    # Served by a referral connected in the period (made before it); estimated age 30 on 1 Jan 2026.
    people["referred"] = make_case(
        outreach, worker, first_name="Ref", estimated_age=30, estimated_age_on=date(2026, 1, 1), gender="female"
    )
    # Served by a mediation link, by call-in attendance, by a delivered notification.
    people["mediated"] = make_case(outreach, worker, first_name="Med", date_of_birth=date(2013, 3, 31))
    people["called_in"] = make_case(fd, worker, first_name="Call")
    people["notified"] = make_case(fd, worker, first_name="Note")
    # Completed contact outside the period, and a deleted person with a contact inside it.
    people["outside"] = make_case(outreach, worker, first_name="Out")
    people["deleted"] = make_case(outreach, worker, first_name="Gone")
    db.session.commit()

    _contact(both, datetime(2026, 5, 3, 10))
    _contact(make_case_same, datetime(2026, 5, 4, 10))
    _contact(people["attempted"], datetime(2026, 5, 5, 10), completed=False)
    _contact(people["attempted"], datetime(2026, 5, 6, 10), deleted=True)
    db.session.add(
        Referral(
            case_id=people["referred"].id,
            service_category="housing",
            status="connected",
            referred_on=date(2026, 3, 20),
            connected_on=date(2026, 4, 2),
        )
    )
    mediation = Mediation(
        program_id=outreach.id, occurred_at=to_utc(datetime(2026, 6, 1, 15)), area="East", identified_by="tip"
    )
    call_in = CallIn(program_id=fd.id, held_at=to_utc(datetime(2026, 6, 10, 19)), venue="Hall")
    db.session.add_all([mediation, call_in])
    db.session.flush()
    db.session.add_all(
        [
            MediationPerson(mediation_id=mediation.id, participant_id=people["mediated"].participant_id),
            CallInInvitee(
                call_in_id=call_in.id, participant_id=people["called_in"].participant_id, attendance="attended"
            ),
            Notification(
                program_id=fd.id,
                participant_id=people["notified"].participant_id,
                notified_on=date(2026, 6, 12),
                trigger="release",
                delivered=True,
            ),
            ParticipantRaceEthnicity(participant_id=both.participant_id, category="black"),
            ParticipantRaceEthnicity(participant_id=both.participant_id, category="hispanic_latino"),
            ParticipantRaceEthnicity(participant_id=people["referred"].participant_id, category="white"),
        ]
    )
    _contact(people["outside"], datetime(2026, 3, 31, 12))
    _contact(people["deleted"], datetime(2026, 5, 7, 10))
    db.session.get(Participant, people["deleted"].participant_id).deleted_at = utcnow()
    db.session.commit()
    return {"outreach": outreach, "fd": fd, **people}


def _served(world, *programs) -> int:
    return count_people(served_people(ReportScope(tuple(p.id for p in programs), START, END)))


def test_people_served_are_counted_once_by_any_service_in_the_period(world):
    assert _served(world, world["outreach"]) == 3  # both, referred, mediated
    assert _served(world, world["fd"]) == 3  # both (via the shared person), called_in, notified
    assert _served(world, world["outreach"], world["fd"]) == 5


def test_attempts_deleted_records_and_other_periods_do_not_make_someone_served(world):
    scope = ReportScope((world["outreach"].id,), START, END)
    people = served_people(scope)
    from sqlalchemy import select

    served_ids = set(db.session.execute(select(people.c.participant_id)).scalars())
    for key in ("attempted", "outside", "deleted"):
        assert world[key].participant_id not in served_ids, key


def test_demographic_tables_add_up_to_the_people_served(world):
    scope = ReportScope((world["outreach"].id, world["fd"].id), START, END)
    people = served_people(scope)
    ages = dict(age_rows(people, START))
    # Both: born 2 Apr 2006, so 19 on 1 Apr 2026. Ref: estimated 30 in January. Med: 13 on 1 Apr 2026.
    assert (ages["18–24"], ages["25–34"], ages["13–17"], ages["Not reported"]) == (1, 1, 1, 2)
    genders = dict(gender_rows(people))
    assert (genders["Male"], genders["Female"]) == (1, 1)
    races = dict(race_rows(people))
    assert (races["More than one race or ethnicity"], races["White"], races["Not reported"]) == (1, 1, 3)
    for table in (ages, genders, races):
        assert sum(table.values()) == 5


def test_age_bands_turn_over_on_the_birthday(world):
    """Born 2 April 2006: 19 on 1 April 2026, still 18–24 a year on, 25–34 from the 25th birthday."""
    scope = ReportScope((world["outreach"].id,), START, END)
    people = served_people(scope)
    assert dict(age_rows(people, date(2031, 4, 1)))["18–24"] >= 1
    assert dict(age_rows(people, date(2031, 4, 2)))["25–34"] >= 1


@pytest.mark.parametrize("days", [0, 1])
def test_the_period_is_inclusive_of_its_last_local_day(world, days):
    scope = ReportScope((world["outreach"].id,), START, date(2026, 3, 30) + timedelta(days=days))
    outside_served = count_people(served_people(ReportScope((world["outreach"].id,), date(2026, 3, 31), scope.end)))
    assert outside_served == days  # the 31 March contact counts only once the range reaches that day
