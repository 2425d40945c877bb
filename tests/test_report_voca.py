"""The victim-services (VOCA-style) measures: hand-built records with known answers, through the registry."""

from datetime import date, datetime, timedelta

import pytest

from caseflow.extensions import db
from caseflow.models import (
    Case,
    CompensationClaim,
    Contact,
    Incident,
    IncidentPerson,
    Injury,
    Mediation,
    MediationPerson,
    Outcome,
    Participant,
    ParticipantRaceEthnicity,
    Referral,
)
from caseflow.models.base import utcnow
from caseflow.participants.merge import merge_participants
from caseflow.reports.measures import voca
from caseflow.reports.population import MORE_THAN_ONE, NOT_REPORTED
from caseflow.reports.registry import MEASURES, ReportScope
from caseflow.reports.templates import TEMPLATES, check_templates
from caseflow.timezones import to_utc

# Federal fiscal year 2026: Q1 October–December 2025, Q2 January–March 2026, Q3 April–June 2026.
Q1 = (date(2025, 10, 1), date(2025, 12, 31))
Q2 = (date(2026, 1, 1), date(2026, 3, 31))
Q3 = (date(2026, 4, 1), date(2026, 6, 30))
DELETED = datetime(2026, 1, 1)


def compute(measure_id: str, *programs, period=Q3):
    start, end = period
    return MEASURES[measure_id].compute(ReportScope(tuple(p.id for p in programs), start, end))


def rows(result) -> dict:
    return dict(result.rows)


def _person(**fields) -> Participant:
    person = Participant(first_name="Pat", last_name="Person", **fields)
    db.session.add(person)
    db.session.flush()
    return person


def _case(program, person, deleted=False, closed_on=None) -> Case:
    case = Case(
        participant_id=person.id,
        program_id=program.id,
        status="closed" if closed_on else "active",
        closed_on=closed_on,
        referred_on=date(2025, 1, 1),
        enrolled_on=date(2025, 1, 10),
        deleted_at=DELETED if deleted else None,
    )
    db.session.add(case)
    db.session.flush()
    return case


def _contact(case, when: datetime, kind="check_in", mode="in_person", completed=True, deleted=False):
    db.session.add(
        Contact(
            case_id=case.id,
            occurred_at=to_utc(when),
            mode=mode,
            contact_type=kind,
            is_completed=completed,
            deleted_at=DELETED if deleted else None,
        )
    )
    db.session.flush()


def _served_in(case, *days: date):
    """A completed check-in at noon on each day: the plainest way to be served."""
    for day in days:
        _contact(case, datetime.combine(day, datetime.min.time()) + timedelta(hours=12))


# --- new and continuing --------------------------------------------------------------------------------------


@pytest.fixture
def year(make_program, make_user):
    """People served across fiscal year 2026 and the end of fiscal year 2025, in two programs and one outside."""
    home = make_program("street_outreach", "Home")
    hospital = make_program("hvip", "Hospital")
    elsewhere = make_program("street_outreach", "Elsewhere")
    boss = make_user(roles={home: "supervisor", hospital: "supervisor"})
    p = {}

    # Served in Q2 and Q3: new in Q2, continuing in Q3. 66 at the start of Q3, male.
    p["returning"] = _person(date_of_birth=date(1960, 1, 1), gender="male")
    _served_in(_case(home, p["returning"]), date(2026, 2, 10), date(2026, 5, 10))

    # Served first in Q3: new. 16, female, two races.
    p["first"] = _person(date_of_birth=date(2010, 1, 1), gender="female")
    db.session.add_all(
        [
            ParticipantRaceEthnicity(participant_id=p["first"].id, category="black"),
            ParticipantRaceEthnicity(participant_id=p["first"].id, category="white"),
        ]
    )
    _served_in(_case(home, p["first"]), date(2026, 4, 2))

    # Only an attempted and a deleted contact in Q2, served in Q3: new in Q3. 30 at Q3, no gender.
    p["tried"] = _person(date_of_birth=date(1996, 1, 1))
    db.session.add(ParticipantRaceEthnicity(participant_id=p["tried"].id, category="asian"))
    tried = _case(home, p["tried"])
    _contact(tried, datetime(2026, 2, 1, 12), completed=False)
    _contact(tried, datetime(2026, 2, 2, 12), deleted=True)
    _served_in(tried, date(2026, 6, 1))

    # Served in Q2 by a program outside the scope, in Q3 by Home: new to Home, continuing to both together.
    p["moved"] = _person(estimated_age=20, estimated_age_on=date(2026, 1, 1), gender="male")
    _served_in(_case(elsewhere, p["moved"]), date(2026, 3, 1))
    _served_in(_case(hospital, p["moved"]), date(2026, 3, 2))
    _served_in(_case(home, p["moved"]), date(2026, 4, 20))

    # Served on the last local evening of Q2 (already 1 April in UTC) and in Q3: continuing.
    p["late"] = _person(gender="female")
    late = _case(home, p["late"])
    _contact(late, datetime(2026, 3, 31, 23, 30))
    _served_in(late, date(2026, 5, 1))

    # Served in September 2025 (fiscal year 2025), October 2025 and in Q3: new in Q1, continuing in Q3.
    p["september"] = _person(gender="male")
    _served_in(_case(home, p["september"]), date(2025, 9, 30), date(2025, 10, 1), date(2026, 4, 5))

    # Served in fiscal year 2025 only and again in Q3 of 2026: new in Q3 (the count starts afresh each 1 October).
    p["last_year"] = _person(gender="male")
    _served_in(_case(home, p["last_year"]), date(2025, 9, 15), date(2026, 6, 15))

    # One person recorded twice: one record served in Q2, the other in Q3, then merged: continuing, once.
    p["twin_a"] = _person(gender="female")
    p["twin_b"] = _person(gender="female")
    _served_in(_case(home, p["twin_a"], closed_on=date(2026, 2, 1)), date(2026, 1, 20))
    _served_in(_case(home, p["twin_b"]), date(2026, 4, 25))

    # Served in Q2 on a case deleted since, and in Q3 on a live one: new in Q3.
    p["deleted_case"] = _person(gender="male")
    _served_in(_case(home, p["deleted_case"], deleted=True), date(2026, 2, 5))
    _served_in(_case(hospital, p["deleted_case"]), date(2026, 5, 5))

    # A deleted person served in Q3 never counts.
    p["gone"] = _person(gender="male", deleted_at=DELETED)
    _served_in(_case(home, p["gone"]), date(2026, 5, 6))
    db.session.commit()

    merge_participants(boss, db.session.get(Participant, p["twin_a"].id), db.session.get(Participant, p["twin_b"].id))
    db.session.commit()
    return {"home": home, "hospital": hospital, "elsewhere": elsewhere, **p}


def test_new_victims_are_those_not_served_earlier_in_the_fiscal_year(year):
    # Q3, Home: served = returning, first, tried, moved, late, september, last_year, twin, deleted_case? no (Home
    # case deleted), so 8; new = first, tried, moved, last_year.
    served = compute("voca.victims_served", year["home"])
    assert served.value == 8
    assert rows(served) == {voca.NEW: 4, voca.CONTINUING: 4}
    assert compute("voca.new_victims", year["home"]).value == 4


def test_a_person_served_earlier_in_another_program_of_the_scope_is_continuing(year):
    both = compute("voca.victims_served", year["home"], year["hospital"])
    # deleted_case joins through Hospital (new: its Q2 service was on a deleted case); moved is now continuing.
    assert both.value == 9
    assert rows(both) == {voca.NEW: 4, voca.CONTINUING: 5}


def test_the_same_people_are_new_in_the_first_quarter_they_were_served(year):
    q2 = compute("voca.victims_served", year["home"], period=Q2)
    # returning, twin (merged), late (local evening of 31 March); all new in Q2.
    assert q2.value == 3
    assert rows(q2) == {voca.NEW: 3, voca.CONTINUING: 0}


def test_a_period_starting_on_1_october_has_nobody_continuing(year):
    q1 = compute("voca.victims_served", year["home"], period=Q1)
    assert q1.value == 1  # september, served on 1 October as well as on 30 September
    assert rows(q1) == {voca.NEW: 1, voca.CONTINUING: 0}
    # The last quarter of fiscal year 2025 is a different year: served then, new then.
    q4 = compute("voca.victims_served", year["home"], period=(date(2025, 7, 1), date(2025, 9, 30)))
    assert rows(q4) == {voca.NEW: 2, voca.CONTINUING: 0}


def test_a_month_looks_back_to_1_october_not_only_to_the_quarter(year):
    # May 2026: returning (served in February) and late and september are continuing.
    may = compute("voca.victims_served", year["home"], period=(date(2026, 5, 1), date(2026, 5, 31)))
    assert may.value == 2  # returning, late
    assert rows(may) == {voca.NEW: 0, voca.CONTINUING: 2}
    april = compute("voca.victims_served", year["home"], period=(date(2026, 4, 1), date(2026, 4, 30)))
    # first, moved, september (served in October), twin (served in January): new = first, moved.
    assert rows(april) == {voca.NEW: 2, voca.CONTINUING: 2}


def test_demographics_are_of_new_victims_only_and_total_them(year):
    new = compute("voca.new_victims", year["home"]).value
    age = compute("voca.new_age", year["home"])
    gender = compute("voca.new_gender", year["home"])
    race = compute("voca.new_race", year["home"])
    for table in (age, gender, race):
        assert table.value == new == sum(rows(table).values())
        assert table.total_shown is True
    # first 16; tried 30; moved estimated 20 in January; last_year not reported. The 66-year-old is continuing.
    assert rows(age) == {"0–12": 0, "13–17": 1, "18–24": 1, "25–59": 1, "60+": 0, NOT_REPORTED: 1}
    assert rows(gender)["Male"] == 2  # moved, last_year (returning is continuing)
    assert rows(gender)["Female"] == 1
    assert rows(gender)[NOT_REPORTED] == 1
    assert rows(race)[MORE_THAN_ONE] == 1
    assert rows(race)["Asian"] == 1
    assert rows(race)[NOT_REPORTED] == 2
    assert [label for label, _ in age.rows] == ["0–12", "13–17", "18–24", "25–59", "60+", NOT_REPORTED]


def test_demographics_in_the_first_quarter_cover_everyone_served(year):
    assert compute("voca.new_gender", year["home"], period=Q2).value == 3
    assert rows(compute("voca.new_age", year["home"], period=Q2))["60+"] == 1


# --- victimization types -------------------------------------------------------------------------------------


def _injury(program, person, injured_at: datetime, mechanism="gunshot", deleted=False, bedside=None, case=None):
    db.session.add(
        Injury(
            program_id=program.id,
            participant_id=person.id,
            case_id=case.id if case else None,
            injured_at=to_utc(injured_at),
            arrived_at=to_utc(injured_at + timedelta(minutes=30)),
            first_bedside_at=to_utc(bedside) if bedside else None,
            mechanism=mechanism,
            hospital="General",
            care_level="admitted",
            funnel_stage="enrolled",
            deleted_at=DELETED if deleted else None,
        )
    )
    db.session.flush()


def _incident_link(person, when: datetime, role="victim", deleted=False):
    incident = Incident(occurred_at=to_utc(when), area="East", source="police", deleted_at=DELETED if deleted else None)
    db.session.add(incident)
    db.session.flush()
    db.session.add(IncidentPerson(incident_id=incident.id, participant_id=person.id, role=role))
    db.session.flush()


def _outcome(case, kind, on: date, deleted=False):
    db.session.add(Outcome(case_id=case.id, outcome_type=kind, occurred_on=on, deleted_at=DELETED if deleted else None))
    db.session.flush()


@pytest.fixture
def victims(make_program):
    """Served people with the records the victimization map reads, inside and outside the rules."""
    hospital = make_program("hvip", "Hospital")
    outreach = make_program("street_outreach", "Outreach")
    other_hospital = make_program("hvip", "Other hospital")
    p = {}

    def served(name, **fields):
        p[name] = _person(**fields)
        case = _case(hospital, p[name])
        _served_in(case, date(2026, 5, 1))
        return case

    served("adult_shot", date_of_birth=date(1990, 1, 1))
    _injury(hospital, p["adult_shot"], datetime(2026, 4, 10, 22))
    _injury(hospital, p["adult_shot"], datetime(2025, 2, 1, 22), mechanism="stabbing")  # twice: counted once

    served("minor_stabbed", date_of_birth=date(2010, 1, 1))
    _injury(hospital, p["minor_stabbed"], datetime(2026, 4, 10, 22), mechanism="stabbing")

    # 17 on the day of the injury, 18 by the period: the age at injury decides.
    served("turned_18", date_of_birth=date(2008, 3, 1))
    _injury(hospital, p["turned_18"], datetime(2026, 2, 28, 12), mechanism="blunt_assault")

    # An estimated age only: 25 estimated in 2024, so an adult at the injury.
    served("estimated_adult", estimated_age=25, estimated_age_on=date(2024, 1, 1))
    _injury(hospital, p["estimated_adult"], datetime(2026, 5, 2, 12))

    served("unknown_age")
    _injury(hospital, p["unknown_age"], datetime(2026, 5, 2, 12))

    served("other_mechanism", date_of_birth=date(1980, 1, 1))
    _injury(hospital, p["other_mechanism"], datetime(2026, 5, 2, 12), mechanism="other")

    served("shooting_victim", date_of_birth=date(1985, 1, 1))
    _incident_link(p["shooting_victim"], datetime(2026, 3, 1, 2))

    served("witness", date_of_birth=date(1985, 1, 1))
    _incident_link(p["witness"], datetime(2026, 3, 1, 2), role="witness")

    case = served("victimized_and_shot", date_of_birth=date(1970, 1, 1))
    _outcome(case, "victimized", date(2026, 6, 1))
    _injury(hospital, p["victimized_and_shot"], datetime(2026, 4, 1, 12))

    # Records that must not count: deleted, in another program, after the period, a deleted incident, a deleted
    # outcome, an unrelated outcome. These people all count as Other.
    served("deleted_injury", date_of_birth=date(1990, 1, 1))
    _injury(hospital, p["deleted_injury"], datetime(2026, 4, 10, 22), deleted=True)
    served("deleted_case", date_of_birth=date(1990, 1, 1))
    old_case = _case(hospital, p["deleted_case"], deleted=True)
    _injury(hospital, p["deleted_case"], datetime(2026, 4, 10, 22), case=old_case)
    served("elsewhere", date_of_birth=date(1990, 1, 1))
    _injury(other_hospital, p["elsewhere"], datetime(2026, 4, 10, 22))
    served("later", date_of_birth=date(1990, 1, 1))
    _injury(hospital, p["later"], datetime(2026, 7, 2, 12))
    _incident_link(p["later"], datetime(2026, 7, 2, 12))
    served("deleted_incident", date_of_birth=date(1990, 1, 1))
    _incident_link(p["deleted_incident"], datetime(2026, 4, 2, 12), deleted=True)
    case = served("deleted_outcome", date_of_birth=date(1990, 1, 1))
    _outcome(case, "victimized", date(2026, 5, 2), deleted=True)
    _outcome(case, "arrested", date(2026, 5, 3))

    # Shot before the period, and only an attempted contact in it: not served, so not counted at all.
    p["unserved"] = _person(date_of_birth=date(1990, 1, 1))
    _contact(_case(hospital, p["unserved"]), datetime(2026, 5, 1, 12), completed=False)
    _injury(hospital, p["unserved"], datetime(2026, 3, 1, 12))
    db.session.commit()
    return {"hospital": hospital, "outreach": outreach, "other_hospital": other_hospital, **p}


def test_victimization_types_follow_the_map(victims):
    result = compute("voca.victimization_types", victims["hospital"])
    assert result.value == 15  # everyone served; unserved is not
    assert result.total_shown is False
    assert [label for label, _ in result.rows] == list(voca.VICTIMIZATION_TYPES)
    found = rows(result)
    # adult_shot, estimated_adult, shooting_victim, victimized_and_shot.
    assert found[voca.ADULT_ASSAULT] == 4
    # minor_stabbed, turned_18, unknown_age, other_mechanism, victimized_and_shot (outcome), and with no mapped
    # record: witness, deleted_injury, deleted_case, elsewhere, later, deleted_incident, deleted_outcome.
    assert found[voca.OTHER] == 12
    assert sum(found.values()) == 16  # one person (victimized_and_shot) is in two rows, the rest in one
    assert all(found[label] == 0 for label in voca.VICTIMIZATION_TYPES if label not in (voca.ADULT_ASSAULT, voca.OTHER))


def test_victimization_types_count_only_the_scope_programs_records(victims):
    # Outreach serves nobody: no victims, no types.
    result = compute("voca.victimization_types", victims["outreach"])
    assert result.value == 0
    assert sum(rows(result).values()) == 0


def test_the_victimization_map_is_data(victims, monkeypatch):
    child = "Child physical abuse or neglect"
    edited = dict(voca.VICTIMIZATION_MAP["injury_mechanism"], stabbing=(voca.ADULT_ASSAULT, child))
    monkeypatch.setitem(voca.VICTIMIZATION_MAP, "injury_mechanism", edited)
    found = rows(compute("voca.victimization_types", victims["hospital"]))
    # The stabbed minor moves to the type the edited map names for under 18; nobody else moves.
    assert found[child] == 1
    assert found[voca.ADULT_ASSAULT] == 4
    assert found[voca.OTHER] == 11


def test_the_maps_are_checked_against_the_stored_values(monkeypatch):
    voca.check_maps()
    monkeypatch.setitem(voca.SERVICE_MAP, "contact_type", {"crisis_responce": voca.EMOTIONAL_SAFETY})
    with pytest.raises(ValueError, match="crisis_responce"):
        voca.check_maps()
    monkeypatch.setitem(voca.SERVICE_MAP, "contact_type", {"crisis_response": "Counselling"})
    with pytest.raises(ValueError, match="Counselling"):
        voca.check_maps()


# --- services ------------------------------------------------------------------------------------------------


def _referral(case, category, referred_on, connected_on=None, deleted=False):
    db.session.add(
        Referral(
            case_id=case.id,
            service_category=category,
            status="connected" if connected_on else "referred",
            referred_on=referred_on,
            connected_on=connected_on,
            deleted_at=DELETED if deleted else None,
        )
    )
    db.session.flush()


@pytest.fixture
def services(make_program):
    """People served by each kind of record the service map reads, in and out of the period."""
    outreach = make_program("street_outreach", "Outreach")
    hospital = make_program("hvip", "Hospital")
    p = {}

    def person(name, program=outreach):
        p[name] = _person()
        return _case(program, p[name])

    crisis = person("crisis")
    _contact(crisis, datetime(2026, 4, 5, 12), kind="crisis_response")
    _contact(crisis, datetime(2026, 4, 6, 12), kind="crisis_response")  # twice: once
    _contact(crisis, datetime(2026, 4, 7, 12), kind="service_navigation", completed=False)  # attempted: no

    navigation = person("navigation")
    _contact(navigation, datetime(2026, 5, 5, 12), kind="service_navigation")
    _contact(navigation, datetime(2026, 3, 31, 12), kind="crisis_response")  # before the period: no
    _contact(navigation, datetime(2026, 5, 6, 12), kind="crisis_response", deleted=True)  # deleted: no

    court = person("court")
    _contact(court, datetime(2026, 5, 5, 12), kind="check_in", mode="court")

    housing = person("housing")
    _referral(housing, "housing", date(2026, 4, 10))

    legal = person("legal")
    _referral(legal, "legal", date(2026, 3, 1), connected_on=date(2026, 4, 15))  # made before, connected in

    employment = person("employment")
    _referral(employment, "employment", date(2026, 6, 30))
    _referral(employment, "mental_health", date(2026, 6, 1), deleted=True)

    check_in = person("check_in")
    _contact(check_in, datetime(2026, 5, 5, 12), kind="check_in")  # served, but no VOCA category

    person("mediated")
    mediation = Mediation(
        program_id=outreach.id, occurred_at=to_utc(datetime(2026, 6, 1, 15)), area="East", identified_by="tip"
    )
    db.session.add(mediation)
    db.session.flush()
    db.session.add(MediationPerson(mediation_id=mediation.id, participant_id=p["mediated"].id))
    # The patient has no case in Outreach, so Outreach's mediation gives the patient no service.

    patient = person("patient", hospital)
    _injury(hospital, p["patient"], datetime(2026, 5, 1, 12), bedside=datetime(2026, 5, 1, 14))
    db.session.add(MediationPerson(mediation_id=mediation.id, participant_id=p["patient"].id))
    db.session.add(CompensationClaim(case_id=patient.id, applied_on=date(2026, 5, 20)))

    # A compensation claim alone does not make someone served, so it gives no service either.
    claimant = person("claimant", hospital)
    db.session.add(CompensationClaim(case_id=claimant.id, applied_on=date(2026, 5, 20)))
    db.session.commit()
    return {"outreach": outreach, "hospital": hospital, **p}


def test_services_are_people_per_voca_category(services):
    result = compute("voca.services", services["outreach"], services["hospital"])
    assert result.value == 9  # everyone except claimant
    assert result.total_shown is False
    assert [label for label, _ in result.rows] == list(voca.VOCA_SERVICE_CATEGORIES)
    assert rows(result) == {
        voca.INFORMATION_REFERRAL: 2,  # housing, employment (legal was made before the period)
        voca.ADVOCACY: 2,  # navigation, patient (bedside and claim: once)
        voca.EMOTIONAL_SAFETY: 2,  # crisis, mediated
        voca.SHELTER_HOUSING: 1,  # housing
        voca.JUSTICE: 2,  # court, legal
    }


def test_services_count_only_the_scope_and_the_period(services):
    hospital_only = rows(compute("voca.services", services["hospital"]))
    assert hospital_only == {
        voca.INFORMATION_REFERRAL: 0,
        voca.ADVOCACY: 1,
        voca.EMOTIONAL_SAFETY: 0,
        voca.SHELTER_HOUSING: 0,
        voca.JUSTICE: 0,
    }
    earlier = rows(compute("voca.services", services["outreach"], period=Q2))
    # In Q2: navigation's crisis contact on 31 March, legal's referral made on 1 March.
    assert earlier[voca.EMOTIONAL_SAFETY] == 1
    assert earlier[voca.INFORMATION_REFERRAL] == 1
    assert earlier[voca.JUSTICE] == 1


# --- victim compensation -------------------------------------------------------------------------------------


def test_compensation_applications_assisted_approved_and_denied(make_program):
    hospital = make_program("hvip", "Hospital")
    second = make_program("hvip", "Second hospital")
    outside = make_program("hvip", "Outside")
    cases = {}
    for name, program in (("a", hospital), ("b", second), ("c", outside)):
        cases[name] = _case(program, _person())
    gone = _case(hospital, _person(), deleted=True)

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

    claim(cases["a"], date(2026, 4, 1), "approved", date(2026, 7, 15))  # decided after the period: still counts
    claim(cases["a"], date(2026, 6, 30), "denied", date(2026, 6, 30))
    claim(cases["b"], date(2026, 5, 1))
    claim(cases["b"], date(2026, 5, 2), deleted=True)
    claim(cases["b"], date(2026, 3, 31), "approved", date(2026, 4, 10))  # applied before the period
    claim(cases["c"], date(2026, 5, 1))  # program outside the scope
    claim(gone, date(2026, 5, 1))  # deleted case
    db.session.commit()

    result = compute("voca.compensation", hospital, second)
    assert result.value == 3
    assert rows(result) == {voca.APPROVED: 1, voca.DENIED: 1, voca.WAITING: 1}
    assert sum(rows(result).values()) == result.value
    assert compute("voca.compensation", hospital).value == 2
    assert compute("voca.compensation", make_program("street_outreach")).value == 0


# --- the template --------------------------------------------------------------------------------------------


def test_the_template_lists_registered_measures():
    check_templates()
    template = TEMPLATES["victim-services"]
    assert template.title == "Victim services quarterly report"
    assert template.funder == "VOCA victim assistance (state administering agency)"
    for measure_id in template.measure_ids:
        definition = MEASURES[measure_id].definition
        assert MEASURES[measure_id].source == voca.SOURCE
        assert len(definition) > 80, measure_id
    assert set(template.summary) <= set(template.measure_ids)
    assert all(MEASURES[mid].suppress for mid in template.measure_ids)
