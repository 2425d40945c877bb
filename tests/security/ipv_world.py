"""A hospital program with one IPV-protected person (canary identifiers), one ordinary person, and every role.

Shared by the S24, S2 (IPV column) and S8 tests.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Injury, ParticipantAlias, ProgramMembership, Referral

FIRST, LAST = "Zinnia", "Quarrelwood"
DOB = date(1991, 6, 23)
PHONE = "(773) 555-0142"
AREA = "88 Hollowmere Court"
ALIAS = "Hollowmere Zee"
NOTE = "IPVCANARY contact note"
# Every identifying value planted on the protected person; none may appear where they must not.
CANARIES = (FIRST, LAST, PHONE, AREA, ALIAS, NOTE, DOB.isoformat(), DOB.strftime("%d %b %Y"), "06/23/1991")
CONTROL_FIRST, CONTROL_LAST = "Cyrus", "Controlman"


def make_victim_services(user, program) -> None:
    """Mark the user's membership in program as victim-services (what the admin form does)."""
    membership = db.session.execute(
        select(ProgramMembership).where(
            ProgramMembership.user_id == user.id, ProgramMembership.program_id == program.id
        )
    ).scalar_one()
    membership.is_victim_services = True
    db.session.commit()


def build_ipv_world(make_program, make_user, make_case, make_contact) -> dict:
    """Staff in every role around an HVIP program; the protected person's case is a victim-services worker's."""
    hvip = make_program("hvip", "Mercy HVIP")
    outreach = make_program("street_outreach", "Eastside Outreach")
    users = {
        "vs_worker": make_user(roles={hvip: "worker"}, full_name="Vera Assigned"),
        "vs_worker_unassigned": make_user(roles={hvip: "worker"}, full_name="Val Unassigned"),
        "worker": make_user(roles={hvip: "worker"}, full_name="Wes Worker"),
        "vs_supervisor": make_user(roles={hvip: "supervisor"}, full_name="Sade Victimservices"),
        "supervisor": make_user(roles={hvip: "supervisor"}, full_name="Sam Supervisor"),
        "manager": make_user(roles={hvip: "manager", outreach: "manager"}, full_name="Mona Manager"),
        "outreach_supervisor": make_user(roles={outreach: "supervisor"}, full_name="Otto Supervisor"),
        "outreach_worker": make_user(roles={outreach: "worker"}, full_name="Ola Worker"),
        "admin": make_user(is_admin=True, full_name="Ada Admin"),
    }
    for key in ("vs_worker", "vs_worker_unassigned", "vs_supervisor"):
        make_victim_services(users[key], hvip)
    today = date.today()
    recent = datetime.now() - timedelta(days=2)

    protected_case = make_case(
        hvip, users["vs_worker"], first_name=FIRST, last_name=LAST, date_of_birth=DOB, phone=PHONE, area=AREA
    )
    person = protected_case.participant
    person.is_ipv_protected = True
    db.session.add(ParticipantAlias(participant_id=person.id, name=ALIAS, kind="nickname"))
    control_case = make_case(
        hvip,
        users["worker"],
        first_name=CONTROL_FIRST,
        last_name=CONTROL_LAST,
        date_of_birth=date(1990, 2, 14),
        phone="(773) 555-0177",
    )
    db.session.commit()
    contact = make_contact(protected_case, users["vs_worker"], notes=NOTE, occurred_at=recent)
    make_contact(control_case, users["worker"], notes="control note", occurred_at=recent)
    overdue = dict(service_category="housing", status="referred", referred_on=today - timedelta(days=20))
    referral = Referral(case_id=protected_case.id, due_on=today - timedelta(days=6), notes=NOTE, **overdue)
    control_referral = Referral(case_id=control_case.id, due_on=today - timedelta(days=6), **overdue)
    injury = Injury(
        program_id=hvip.id,
        case_id=protected_case.id,
        participant_id=person.id,
        injured_at=recent - timedelta(days=1, minutes=30),
        arrived_at=recent - timedelta(days=1),
        mechanism="stabbing",
        hospital="Mercy",
        care_level="emergency_department",
        funnel_stage="enrolled",
        discharge_plan=NOTE,
    )
    db.session.add_all([referral, control_referral, injury])
    db.session.commit()
    return {
        "hvip": hvip,
        "outreach": outreach,
        "users": users,
        "person": person,
        "case": protected_case,
        "contact": contact,
        "referral": referral,
        "injury": injury,
        "control_case": control_case,
    }
