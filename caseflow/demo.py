"""A deterministic, realistic demo data set, so the app can be shown and tried without real people's data."""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from caseflow.auth.passwords import hash_password
from caseflow.extensions import db
from caseflow.models import (
    REFERRAL_TRANSITIONS,
    Assessment,
    AssessmentAnswer,
    Case,
    CaseStatusChange,
    Consent,
    ConsentCategory,
    Contact,
    Goal,
    Outcome,
    Participant,
    ParticipantAlias,
    ParticipantRaceEthnicity,
    Program,
    ProgramMembership,
    ProviderCategory,
    Referral,
    ReferralStatusChange,
    ServiceProvider,
    User,
    can_transition,
)
from caseflow.models.case import OPEN_STATUSES
from caseflow.models.choices import SERVICE_CATEGORIES, values
from caseflow.timezones import to_utc

DEMO_PASSWORD = "demo-password-1234"  # noqa: S105 - published demo login, never a real secret
DOMAIN = "demo.caseflow.org"
HISTORY_DAYS = 545  # about 18 months

# The data tables below are laid out by hand for reading; the formatter would put one item per line.
# fmt: off
# (key, kind, name, organisation, contact_frequency_days, caseload_target)
PROGRAMS = [
    ("outreach", "street_outreach", "Street Outreach", "Safe Streets Collaborative", 7, 15),
    ("hvip", "hvip", "HVIP at Mercy General Hospital", "Mercy General Hospital Trauma Services", 7, 12),
    ("fd", "focused_deterrence", "Focused Deterrence", "City Office of Violence Prevention", 14, 20),
]

# (email local part, full name, is_admin, {program key: role}); the first six are the documented demo logins.
ACCOUNTS = [
    ("admin", "Dana Whitfield", True, {}),
    ("outreach", "Darnell Hughes", False, {"outreach": "worker"}),
    ("hvip", "Renee Alvarado", False, {"hvip": "worker"}),
    ("fd", "Curtis Langston", False, {"fd": "worker"}),
    ("supervisor", "Tanya Brooks", False, {"outreach": "supervisor"}),
    ("manager", "Gloria Whitaker", False, {"outreach": "manager", "hvip": "manager", "fd": "manager"}),
    ("jordan.reyes", "Jordan Reyes", False, {"outreach": "worker"}),
    ("keon.matthews", "Keon Matthews", False, {"outreach": "worker"}),
    ("priya.raman", "Priya Raman", False, {"hvip": "worker"}),
    ("samuel.adeyemi", "Samuel Adeyemi", False, {"fd": "worker"}),
]
DEMO_WORKERS = {"outreach": "outreach", "hvip": "hvip", "fd": "fd"}  # program key -> demo login holding its caseload

MALE_FIRST = [
    "Marcus", "DeShawn", "Jamal", "Andre", "Malik", "Terrell", "Darius", "Tyrone", "Isaiah", "Xavier",
    "Jose", "Luis", "Carlos", "Miguel", "Angel", "Juan", "Diego", "Anthony", "Brandon", "Kevin",
    "Michael", "Christopher", "Jaylen", "Cameron", "Devonte", "Elijah", "Khalil", "Omar", "Tariq", "Minh",
    "Ricardo", "Demetrius", "Trevon", "Rashad", "Antoine", "Emmanuel", "Kwame",
]
FEMALE_FIRST = [
    "Aaliyah", "Destiny", "Jasmine", "Imani", "Keisha", "Tiana", "Maria", "Guadalupe", "Sofia", "Valeria",
    "Brianna", "Ashley", "Nia", "Shanice", "Yesenia", "Amara", "Fatima", "Linh", "Kayla", "Monique",
]
NEUTRAL_FIRST = ["Taylor", "Alex", "Riley", "Morgan", "Casey"]
LAST_NAMES = [
    "Washington", "Jackson", "Johnson", "Williams", "Brown", "Davis", "Robinson", "Harris", "Thompson", "Walker",
    "Coleman", "Jenkins", "Mitchell", "Franklin", "Simmons", "Hayes", "Bryant", "Gaines", "Pierce", "Dawson",
    "Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres",
    "Flores", "Rivera", "Morales", "Ortiz", "Castillo", "Reyes", "Vargas", "Mendoza", "Nguyen", "Tran",
    "Pham", "Kim", "Park", "Chen", "Patel", "Khan", "Ali", "Hassan", "Haddad", "Okafor",
    "Mensah", "Diallo", "Baptiste", "Pierre", "Kowalski", "Novak", "Sullivan", "O'Brien", "Begay", "Yazzie",
]
STREET_NAMES = [
    "Lil D", "Smoke", "Tank", "Boogie", "Scooter", "Bird", "Peanut", "Red", "Man-Man", "Shorty",
    "Tiny", "Ace", "Bam", "Dro", "Nook", "Pooh", "Shine", "Cash", "Loco", "Trey",
]
NICKNAMES = ["Junior", "Chris", "Mikey", "Ant", "Dre", "Meech", "Tay", "Boo", "Pepe", "Chuy", "Lupe", "Nene", "Kiki"]
AREAS = [
    "Riverside", "Eastgate", "Northfield", "Westbrook", "Southside Flats",
    "Cedar Park", "Mill District", "Harbor Point", "Oak Hollow", "Lincoln Heights",
]
LANGUAGES = [("English", 82), ("Spanish", 15), ("Haitian Creole", 1), ("Vietnamese", 1), ("Arabic", 1)]
GENDER_WEIGHTS = [
    ("male", 70), ("female", 24), ("transgender_male", 1), ("transgender_female", 1),
    ("non_binary", 2), ("another", 0.5), ("not_reported", 1.5),
]
RACE_WEIGHTS = [
    ("black", 55), ("hispanic_latino", 30), ("white", 8), ("asian", 3),
    ("middle_eastern_north_african", 2), ("american_indian_alaska_native", 1), ("native_hawaiian_pacific_islander", 1),
]

# How each program's cases arrive, and how long an enrolment usually lasts (days).
CASE_SHARE = [("outreach", 45), ("hvip", 35), ("fd", 20)]
REFERRAL_SOURCE_WEIGHTS = {
    "outreach": [("community", 30), ("self", 15), ("family", 15), ("school", 10), ("police", 8),
                 ("probation_court", 10), ("other", 7), ("emergency_department", 5)],
    "hvip": [("emergency_department", 90), ("community", 5), ("family", 5)],
    "fd": [("probation_court", 55), ("police", 35), ("community", 5), ("self", 5)],
}
ENROLMENT_DAYS = {"outreach": (75, 330), "hvip": (45, 240), "fd": (90, 330)}
CLOSE_FROM_ACTIVE = [
    ("goals_met", 70), ("moved", 8), ("declined_further", 7), ("incarcerated", 4),
    ("transferred", 4), ("other", 6), ("deceased", 1),
]
CLOSE_FROM_INACTIVE = [
    ("lost_contact", 50), ("moved", 14), ("incarcerated", 14), ("declined_further", 14), ("other", 6), ("deceased", 2),
]

CLOSURE_NOTES = {
    "goals_met": "Plan goals met; closing with a follow-up call in 30 days.",
    "transferred": "Handed to street outreach after discharge.",
    "lost_contact": "No contact after repeated attempts.",
    "moved": "Family moved out of the area.",
}

CONTACT_TYPE_WEIGHTS = {
    "outreach": [("check_in", 45), ("conflict_related", 15), ("service_navigation", 20),
                 ("family_support", 10), ("crisis_response", 10)],
    "hvip": [("check_in", 45), ("service_navigation", 25), ("family_support", 15),
             ("crisis_response", 10), ("conflict_related", 5)],
    "fd": [("check_in", 40), ("service_navigation", 30), ("family_support", 15),
           ("conflict_related", 10), ("crisis_response", 5)],
}
CONTACT_MODE_WEIGHTS = {
    "outreach": [("in_person", 45), ("phone", 20), ("text", 15), ("home_visit", 12), ("video", 2),
                 ("court", 3), ("other", 3)],
    "hvip": [("phone", 30), ("in_person", 25), ("home_visit", 20), ("text", 15), ("video", 5), ("other", 5)],
    "fd": [("in_person", 35), ("phone", 25), ("text", 10), ("home_visit", 10), ("court", 15), ("video", 5)],
}
ATTEMPT_MODE_WEIGHTS = [("phone", 45), ("text", 25), ("home_visit", 20), ("in_person", 10)]
CONTACT_GAPS = {
    "outreach": [1, 2, 3, 3, 4, 5, 6, 7, 7, 7, 8, 9, 10, 12, 14, 21],
    "hvip": [2, 3, 4, 5, 6, 7, 7, 7, 8, 9, 10, 12, 14, 18],
    "fd": [4, 5, 7, 9, 10, 12, 14, 14, 14, 16, 18, 21],
}
DURATIONS = {
    "text": (5, 10), "phone": (5, 30), "video": (15, 45), "in_person": (15, 90), "home_visit": (20, 90),
    "hospital_bedside": (20, 75), "court": (30, 90), "other": (10, 45),
}
CONTACT_NOTES = {
    "check_in": [
        "Checked in about job interview; confirmed Tuesday ride.",
        "Quick check-in; doing okay and staying close to home this week.",
        "Met at the corner store; talked about plans for the weekend.",
        "Checked in after court date; next hearing set for next month.",
        "Talked about sleep and stress; agreed to try the counselling intake.",
        "Caught up over lunch; says things are calmer on the block.",
        "Reviewed goals; GED class attendance going well.",
        "Checked in by phone; asked for help with a bus pass.",
        "Brief check-in; mom says he has been home every night.",
        "Followed up on clinic appointment; went and got stitches checked.",
    ],
    "crisis_response": [
        "Called late after a threat on social media; talked it through and made a plan to stay in.",
        "Responded to call from family; stayed until things were calm.",
        "Met after a friend was hurt; listened, checked safety plan, followed up next morning.",
        "Helped arrange a safe place to stay for a few nights.",
    ],
    "conflict_related": [
        "Talked through a dispute with neighbours; agreed to keep distance.",
        "Mediation follow-up; both sides holding to the agreement.",
        "Heard about rumours from the park; talked him out of going over there.",
        "Worked with another outreach worker to calm a disagreement over a car.",
        "Checked that the agreement from last week is holding; no new incidents.",
    ],
    "service_navigation": [
        "Went with participant to the ID office; birth certificate ordered.",
        "Helped complete the housing application and gathered pay stubs.",
        "Drove to job training orientation; enrolled in the spring cohort.",
        "Called legal aid together to book an appointment about old fines.",
        "Helped fill out the victim compensation form.",
        "Set up first counselling appointment and a reminder text.",
        "Picked up food box and signed up for SNAP interview.",
    ],
    "family_support": [
        "Met with grandmother to plan school re-enrolment.",
        "Talked with mom about curfew and safety at home.",
        "Family meeting about moving to an aunt's place for the summer.",
        "Connected partner with the parenting group.",
    ],
}
ATTEMPT_NOTES = [
    "No answer; left voicemail.",
    "Went by the house; not home. Left card with sister.",
    "Text not returned.",
    "Phone disconnected; asked family for a new number.",
    "Stopped by usual spot; not around today.",
]
BEDSIDE_NOTES = [
    "Met at bedside with family present; explained the program and what we can help with.",
    "Bedside visit; talked about safety after discharge and worries about retaliation.",
    "Follow-up at bedside; helped with discharge paperwork and a ride home.",
]

# (name, categories, address); phones and emails are made up from the name.
PROVIDERS = [
    ("Harbor House Shelter", ["housing", "basic_needs"], "1200 Lakeshore Ave"),
    ("Northside Housing Partnership", ["housing", "relocation"], "415 Northfield Rd"),
    ("Second Chance Jobs Center", ["employment", "education"], "88 Mill St"),
    ("Eastgate Workforce Alliance", ["employment"], "2301 Eastgate Blvd"),
    ("Riverbend Adult Learning Center", ["education"], "730 River St"),
    ("Lakeview Community Mental Health", ["mental_health", "substance_use"], "19 Cedar Park Way"),
    ("Clearwater Recovery Services", ["substance_use"], "560 Westbrook Ave"),
    ("Justice Access Legal Aid", ["legal"], "100 Court Plaza, Suite 4"),
    ("Mercy General Trauma Recovery Clinic", ["medical", "mental_health"], "1 Mercy Way"),
    ("Southside Family Health Center", ["medical", "benefits"], "3400 Southside Dr"),
    ("Safe Passage Relocation Fund", ["relocation"], "PO Box 2210"),
    ("County Crime Victim Compensation Office", ["victim_compensation", "legal"], "50 Civic Center Sq"),
    ("Neighbors' Pantry Network", ["basic_needs"], "712 Oak Hollow Ln"),
    ("Benefits Navigation Project", ["benefits"], "240 Lincoln Heights Ave"),
    ("Brothers Rising Mentoring", ["mentoring"], "95 Harbor Point Rd"),
    ("Young Women's Leadership Circle", ["mentoring", "education"], "1411 Riverside Dr"),
]
REFERRAL_CATEGORY_WEIGHTS = {
    "outreach": [("employment", 20), ("education", 12), ("housing", 10), ("mental_health", 10), ("legal", 10),
                 ("basic_needs", 8), ("mentoring", 10), ("relocation", 5), ("substance_use", 6), ("benefits", 5),
                 ("medical", 2), ("victim_compensation", 2)],
    "hvip": [("victim_compensation", 18), ("mental_health", 18), ("medical", 14), ("relocation", 10),
             ("housing", 8), ("benefits", 8), ("employment", 8), ("basic_needs", 6), ("legal", 4),
             ("education", 3), ("mentoring", 2), ("substance_use", 1)],
    "fd": [("employment", 30), ("education", 12), ("legal", 14), ("housing", 10), ("substance_use", 8),
           ("mental_health", 8), ("mentoring", 8), ("basic_needs", 4), ("benefits", 4), ("relocation", 2)],
}
# Referral histories as walks through REFERRAL_TRANSITIONS; a walk stops early when it reaches today.
REFERRAL_PATHS = [
    (("referred", "scheduled", "connected", "completed"), 18),
    (("referred", "connected", "completed"), 12),
    (("referred", "scheduled", "connected"), 12),
    (("referred", "connected"), 10),
    (("referred", "scheduled"), 6),
    (("referred",), 8),
    (("referred", "declined"), 6),
    (("referred", "scheduled", "no_show"), 6),
    (("referred", "scheduled", "no_show", "scheduled", "connected"), 4),
    (("referred", "unable_to_reach"), 6),
]
REFERRAL_STEP_DAYS = {
    "scheduled": (2, 10), "connected": (3, 20), "completed": (30, 120), "declined": (2, 14),
    "no_show": (3, 14), "unable_to_reach": (10, 30), "referred": (3, 14),
}
TERMINAL_REFERRAL = ("completed", "declined", "no_show", "unable_to_reach")
REFERRAL_NOTES = [
    "", "", "Warm hand-off; worker attended first appointment.", "Participant asked for a Spanish-speaking contact.",
    "Needs evening appointments because of work.", "Transport arranged by the program.",
]

GOAL_TEXTS = {
    "safety": ["Make a safety plan with family for the next 90 days.",
               "Avoid the block where the conflict started; check in before going out at night."],
    "housing": ["Move into stable housing.", "Complete a housing application and attend the interview."],
    "employment": ["Get a job or a paid training placement.", "Finish a resume and apply to five jobs."],
    "education": ["Re-enrol in school.", "Earn a GED."],
    "health": ["Attend follow-up clinic appointments after discharge.", "Start counselling and attend four sessions."],
    "legal": ["Attend every court date.", "Clear old fines with help from legal aid."],
    "family": ["Reconnect with daughter and set up regular visits.", "Support younger brother's school attendance."],
}
OUTCOME_DETAILS = {
    "employment_started": ["Started part-time at a warehouse.", "Hired at a grocery store through the job program.",
                           "Began a paid construction apprenticeship."],
    "school_enrolled": ["Re-enrolled at the alternative high school.", "Started GED classes.",
                        "Enrolled in a community college certificate course."],
    "housing_secured": ["Moved into a one-bedroom apartment with a rent subsidy.", "Signed a lease with family."],
    "re_injured": ["Treated in the emergency department for a new injury; team followed up."],
    "arrested": ["Arrested; worker attended the first court date."],
    "incarcerated": ["Sentenced; program will reconnect on release."],
    "victimized": ["Reported being robbed; no serious injury."],
    "deceased": ["Program notified by family."],
    "program_completed": ["Completed the program with goals met."],
}

# (instrument, [(item, [(answer, points, weight)])], risk cut-offs as (max score, level))
INSTRUMENTS = {
    "outreach": (
        "Outreach eligibility screen",
        [
            ("Aged 14 to 35", [("Yes", 1, 95), ("No", 0, 5)]),
            ("Lives in or spends time in the service area", [("Yes", 1, 90), ("No", 0, 10)]),
            ("Shot or injured by violence in the past year", [("Yes", 1, 35), ("No", 0, 65)]),
            ("Involved in an ongoing group conflict", [("Yes", 1, 50), ("No", 0, 50)]),
            ("Close friend or family member recently shot", [("Yes", 1, 45), ("No", 0, 55)]),
            ("Recently released from jail or prison", [("Yes", 1, 25), ("No", 0, 75)]),
        ],
        [(2, "low"), (3, "moderate"), (4, "high"), (99, "very_high")],
    ),
    "hvip": (
        "HVIP risk and needs screen",
        [
            ("Injury type", [("Gunshot wound", 2, 45), ("Stab wound", 2, 20), ("Assault injury", 1, 35)]),
            ("Previous violent injury", [("Yes", 2, 30), ("No", 0, 70)]),
            ("Worried about retaliation", [("Yes", 2, 35), ("Unsure", 1, 20), ("No", 0, 45)]),
            ("Safe place to stay after discharge", [("Yes", 0, 75), ("No", 2, 25)]),
            ("Trouble sleeping or intrusive memories", [("Yes", 1, 40), ("No", 0, 60)]),
            ("In school or working", [("Yes", 0, 45), ("No", 1, 55)]),
        ],
        [(2, "low"), (4, "moderate"), (7, "high"), (99, "very_high")],
    ),
    "fd": (
        "Focused deterrence needs assessment",
        [
            ("Identified group affiliation", [("Yes", 2, 70), ("No", 0, 30)]),
            ("On probation or parole", [("Yes", 1, 60), ("No", 0, 40)]),
            ("Stable housing", [("Yes", 0, 60), ("No", 1, 40)]),
            ("Employed or in training", [("Yes", 0, 30), ("No", 1, 70)]),
            ("Accepted the offer of services", [("Yes", 0, 80), ("No", 1, 20)]),
        ],
        [(1, "low"), (3, "moderate"), (5, "high"), (99, "very_high")],
    ),
}
# fmt: on


def _pick(rng: random.Random, weighted):
    """One value from (value, weight) pairs."""
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _at(rng: random.Random, on: date, first_hour: int = 9, last_hour: int = 20) -> datetime:
    """A wall-clock time on a working day or evening, stored as naive UTC like the forms do."""
    local = datetime.combine(on, time(rng.randint(first_hour, last_hour), rng.randrange(0, 60, 5)))
    return to_utc(local)


@dataclass
class _CasePlan:
    """A case's planned history before it becomes rows: statuses, dates and active/inactive spells."""

    person: int
    program: str
    referral_source: str
    referred_on: date
    status: str | None = None
    history: list = field(default_factory=list)  # (date, from_status, to_status, note)
    enrolled_on: date | None = None
    closed_on: date | None = None
    closure_reason: str | None = None
    spells: list = field(default_factory=list)  # (start, end, "active" | "inactive"), where contacts happen
    worker: int | None = None
    risk_level: str | None = None

    def step(self, on: date, new: str, note: str = "") -> None:
        """Move through the state machine, refusing anything it forbids."""
        if self.status is not None and not can_transition(self.status, new):
            raise RuntimeError(f"demo plan made a forbidden move {self.status} -> {new}")
        self.history.append((on, self.status, new, note))
        self.status = new

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def end(self) -> date | None:
        """The last day of enrolment so far (closing day or the seed's horizon)."""
        return self.spells[-1][1] if self.spells else None


def _plan_case(
    rng: random.Random,
    person: int,
    program: str,
    referred_on: date,
    last: date,
    source: str | None = None,
    handoff: bool = False,
) -> _CasePlan:
    """Walk one case from referral to its current status, dated and consistent with the state machine."""
    plan = _CasePlan(person, program, source or _pick(rng, REFERRAL_SOURCE_WEIGHTS[program]), referred_on)
    plan.step(referred_on, "referred", "Warm hand-off from HVIP" if source == "other_program" else "")
    hvip = program == "hvip"
    screen_on = referred_on + _days(rng.randint(0, 2) if hvip else rng.randint(1, 10))
    fate = rng.random()
    if screen_on > last:
        return plan
    if fate < 0.04:
        plan.step(screen_on, "declined", "Not interested right now.")
        return plan
    plan.step(screen_on, "screening")
    enrol_on = screen_on + _days(rng.randint(0, 3) if hvip else rng.randint(2, 14))
    if enrol_on > last:
        return plan
    if fate < 0.09:
        plan.step(enrol_on, "declined", "Declined services after screening.")
        return plan
    if fate < 0.14:
        plan.step(enrol_on, "ineligible", "Injury not violence-related." if hvip else "Lives outside the service area.")
        return plan
    plan.step(enrol_on, "active")
    plan.enrolled_on = enrol_on

    close_on = enrol_on + _days(rng.randint(*ENROLMENT_DAYS[program]))
    events: list[tuple[date, str]] = []
    if rng.random() < 0.35:
        off = enrol_on + _days(rng.randint(21, 180))
        if off < min(close_on, last):
            events.append((off, "inactive"))
            back = off + _days(rng.randint(14, 75))
            if rng.random() < 0.5 and back < min(close_on, last):
                events.append((back, "active"))
            else:
                close_on = min(close_on, off + _days(rng.randint(45, 150)))
    if close_on <= last:
        events.append((close_on, "closed"))
        if rng.random() < 0.04:
            reopen = close_on + _days(rng.randint(20, 90))
            if reopen <= last - _days(7):
                events.append((reopen, "active"))

    if (not events or events[-1][1] == "active") and rng.random() < 0.15:
        quiet_from = last - _days(rng.randint(10, 40))
        if quiet_from > max([enrol_on] + [on for on, _ in events]):
            events.append((quiet_from, "inactive"))  # an open case that has gone quiet lately

    start = enrol_on
    for on, new in events:
        if plan.status != "closed":
            plan.spells.append((start, on, plan.status))
        note = ""
        if new == "closed":
            if handoff and plan.status == "active":
                reason = "transferred"
            else:
                reason = _pick(rng, CLOSE_FROM_ACTIVE if plan.status == "active" else CLOSE_FROM_INACTIVE)
            plan.closed_on, plan.closure_reason = on, reason
            note = CLOSURE_NOTES.get(reason, "")
        elif new == "active" and plan.status == "closed":
            plan.closed_on, plan.closure_reason = None, None
            note = "Reopened: participant reached out again."
        elif new == "inactive":
            note = "No completed contact for several weeks."
        plan.step(on, new, note)
        start = on
    if plan.status != "closed":
        plan.spells.append((start, last, plan.status))
    return plan


def _assign_workers(
    rng: random.Random, plans: list[_CasePlan], workers: dict[str, list[int]], demo_worker: dict[str, int]
) -> None:
    """Give each program's demo login a realistic open caseload and spread the rest."""
    for key, ids in workers.items():
        mine = [p for p in plans if p.program == key]
        open_plans = [p for p in mine if p.is_open]
        rng.shuffle(open_plans)
        demo = demo_worker[key]
        others = [w for w in ids if w != demo]
        # The demo login holds a fair share, at least 12 and at most 20 open cases when there are enough.
        share = min(len(open_plans), 20, max(12, math.ceil(len(open_plans) / len(ids))))
        for i, plan in enumerate(open_plans):
            plan.worker = demo if i < share or not others else others[(i - share) % len(others)]
        for plan in mine:
            if plan.worker is None:
                plan.worker = rng.choice(ids)


def _erase() -> None:
    """Delete every row, children first, and forget objects whose rows are gone."""
    db.session.flush()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.expunge_all()


def _staff(pw_hash: str):
    """Programs, the demo accounts and their memberships."""
    programs = {
        key: Program(kind=kind, name=name, organisation=org, contact_frequency_days=freq, caseload_target=target)
        for key, kind, name, org, freq, target in PROGRAMS
    }
    users = {
        local: User(email=f"{local}@{DOMAIN}", full_name=name, password_hash=pw_hash, is_admin=is_admin)
        for local, name, is_admin, _ in ACCOUNTS
    }
    db.session.add_all([*programs.values(), *users.values()])
    db.session.flush()
    memberships = [
        ProgramMembership(user_id=users[local].id, program_id=programs[key].id, role=role)
        for local, _, _, roles in ACCOUNTS
        for key, role in roles.items()
    ]
    db.session.add_all(memberships)
    workers = {
        key: [users[local].id for local, _, _, roles in ACCOUNTS if roles.get(key) == "worker"] for key in programs
    }
    return programs, users, workers, len(memberships)


def _providers(rng: random.Random) -> dict[str, list[ServiceProvider]]:
    """The referral directory, indexed by service category."""
    by_category: dict[str, list[ServiceProvider]] = {c: [] for c in values(SERVICE_CATEGORIES)}
    objects = []
    for name, categories, address in PROVIDERS:
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        provider = ServiceProvider(
            name=name,
            phone=f"(312) 555-{rng.randint(100, 199):04d}",
            email=f"referrals@{slug}.example.org",
            address=f"{address}, Rivertown",
            notes="Fictional demo organisation.",
            categories=[ProviderCategory(category=c) for c in categories],
        )
        objects.append(provider)
        for c in categories:
            by_category[c].append(provider)
    missing = [c for c, found in by_category.items() if not found]
    if missing:
        raise RuntimeError(f"demo directory lacks categories {missing}")
    db.session.add_all(objects)
    db.session.flush()
    return by_category


def _person(rng: random.Random, today: date) -> Participant:
    """One fictional participant with aliases and demographics."""
    gender = _pick(rng, GENDER_WEIGHTS)
    if gender in ("male", "transgender_male"):
        first = rng.choice(MALE_FIRST)
    elif gender in ("female", "transgender_female"):
        first = rng.choice(FEMALE_FIRST)
    else:
        first = rng.choice(NEUTRAL_FIRST + MALE_FIRST + FEMALE_FIRST)
    last = rng.choice(LAST_NAMES)
    person = Participant(first_name=first, last_name=last, gender=gender)
    age = min(60, max(13, round(rng.triangular(14, 40, 20))))
    if rng.random() < 0.92:
        person.date_of_birth = today - _days(age * 365 + rng.randint(0, 364))
    elif rng.random() < 0.8:
        person.estimated_age = age
        person.estimated_age_on = today - _days(rng.randint(0, HISTORY_DAYS))
    person.preferred_language = _pick(rng, LANGUAGES)
    if rng.random() < 0.75:
        person.phone = f"({rng.choice(['312', '773', '872'])}) 555-{rng.randint(100, 199):04d}"
    person.area = rng.choice(AREAS)
    if rng.random() < 0.4:
        names: list[str] = []
        for _ in range(rng.choice((1, 1, 2))):
            kind = _pick(rng, [("street_name", 50), ("nickname", 30), ("alias", 20)])
            if kind == "street_name":
                name = rng.choice(STREET_NAMES)
            elif kind == "nickname":
                name = rng.choice(NICKNAMES)
            else:
                name = f"{first} {rng.choice(LAST_NAMES)}" if rng.random() < 0.5 else f"{first[0]}. {last}"
            if name not in names and name != f"{first} {last}":
                names.append(name)
                person.aliases.append(ParticipantAlias(name=name, kind=kind))
    count = _pick(rng, [(0, 8), (1, 77), (2, 15)])
    chosen: list[str] = []
    while len(chosen) < count:
        category = _pick(rng, RACE_WEIGHTS)
        if category not in chosen:
            chosen.append(category)
    person.race_ethnicities = [ParticipantRaceEthnicity(category=c) for c in chosen]
    return person


def _status_changes(rng: random.Random, case: Case, plan: _CasePlan) -> list[CaseStatusChange]:
    """The case's history as rows, times strictly increasing."""
    rows, previous = [], None
    for on, old, new, note in plan.history:
        at = _at(rng, on, 9, 17)
        if previous is not None and at <= previous:
            at = previous + timedelta(minutes=rng.randint(5, 40))
        previous = at
        rows.append(
            CaseStatusChange(
                case=case, from_status=old, to_status=new, changed_at=at, changed_by_id=plan.worker, note=note
            )
        )
    return rows


def _contacts(rng: random.Random, case: Case, plan: _CasePlan, area: str, colleagues: list[int]) -> list[Contact]:
    """Roughly weekly contacts while active, a few attempts while inactive; HVIP starts at the bedside."""
    rows = []

    def add(on: date, mode: str, completed: bool, contact_type: str, note: str) -> None:
        author = plan.worker if rng.random() < 0.9 or len(colleagues) < 2 else rng.choice(colleagues)
        if mode == "hospital_bedside":
            where = "Mercy General Hospital"
        elif mode == "court":
            where = "County Courthouse"
        elif mode in ("phone", "text", "video"):
            where = ""
        else:
            where = area if rng.random() < 0.8 else rng.choice(AREAS)
        low, high = DURATIONS[mode]
        rows.append(
            Contact(
                case=case,
                author_id=author,
                occurred_at=_at(rng, on),
                mode=mode,
                contact_type=contact_type,
                duration_minutes=rng.randint(low, high) if completed else 5,
                is_completed=completed,
                location_area=where,
                notes=note,
            )
        )

    gaps = CONTACT_GAPS[plan.program]
    for index, (start, end, state) in enumerate(plan.spells):
        on = start
        if state == "inactive":
            on += _days(rng.randint(5, 14))
            while on <= end:
                add(on, _pick(rng, ATTEMPT_MODE_WEIGHTS), False, "check_in", rng.choice(ATTEMPT_NOTES))
                on += _days(rng.randint(10, 28))
            continue
        if plan.program == "hvip" and index == 0:
            for _ in range(rng.randint(1, 3)):
                if on >= end:
                    break
                add(
                    on,
                    "hospital_bedside",
                    True,
                    rng.choice(("check_in", "family_support", "service_navigation")),
                    rng.choice(BEDSIDE_NOTES),
                )
                on += _days(rng.randint(1, 3))
        # A case goes inactive after weeks without a completed contact: only attempts in that run-up.
        goes_quiet = index + 1 < len(plan.spells) and plan.spells[index + 1][2] == "inactive"
        quiet_from = end - _days(21) if goes_quiet else end + _days(1)
        while on <= end:
            if rng.random() < 0.93 and on < quiet_from:
                contact_type = _pick(rng, CONTACT_TYPE_WEIGHTS[plan.program])
                add(
                    on,
                    _pick(rng, CONTACT_MODE_WEIGHTS[plan.program]),
                    True,
                    contact_type,
                    rng.choice(CONTACT_NOTES[contact_type]),
                )
            else:
                add(on, _pick(rng, ATTEMPT_MODE_WEIGHTS), False, "check_in", rng.choice(ATTEMPT_NOTES))
            on += _days(rng.choice(gaps))
    return rows


def _referrals(rng: random.Random, case: Case, plan: _CasePlan, by_category, last: date) -> list[Referral]:
    """0-3 referrals walked through REFERRAL_TRANSITIONS; stalled ones become overdue."""
    referrals = []
    end = plan.end or last
    for _ in range(_pick(rng, [(0, 20), (1, 40), (2, 28), (3, 12)])):
        span = (end - plan.enrolled_on).days
        referred_on = plan.enrolled_on + _days(rng.randint(0, max(0, min(span, 120))))
        category = _pick(rng, REFERRAL_CATEGORY_WEIGHTS[plan.program])
        provider = rng.choice(by_category[category])
        path = _pick(rng, REFERRAL_PATHS)
        referral = Referral(
            case=case,
            provider=provider,
            provider_id=provider.id,
            service_category=category,
            referred_on=referred_on,
            due_on=referred_on + _days(14),
            notes=rng.choice(REFERRAL_NOTES),
            created_by_id=plan.worker,
        )
        on, previous = referred_on, None
        for status in path:
            if previous is not None:
                if status not in REFERRAL_TRANSITIONS[previous]:
                    raise RuntimeError(f"demo referral made a forbidden move {previous} -> {status}")
                step_on = on + _days(rng.randint(*REFERRAL_STEP_DAYS[status]))
                if step_on > last:
                    break
                on = step_on
            referral.status_changes.append(
                ReferralStatusChange(
                    from_status=previous,
                    to_status=status,
                    changed_on=on,
                    changed_at=_at(rng, on, 9, 17),
                    changed_by_id=plan.worker,
                )
            )
            if status == "connected" and referral.connected_on is None:
                referral.connected_on = on
            previous = status
        referral.status = previous
        referral.closed_on = on if previous in TERMINAL_REFERRAL else None
        referrals.append(referral)
    return referrals


def _assessments(rng: random.Random, case: Case, plan: _CasePlan, screened_on: date, last: date) -> list[Assessment]:
    """The program's instrument at screening, then every few months while enrolled."""
    instrument, items, cut_offs = INSTRUMENTS[plan.program]
    rows = []
    on = screened_on
    end = plan.end or screened_on
    for round_no in range(3):
        if round_no and (plan.enrolled_on is None or on > end or on > last):
            break
        answers, score = [], 0
        for item, options in items:
            # Later rounds lean towards the lower-risk answers, as engagement usually does.
            weights = [w * (0.7**round_no if points else 1) for _, points, w in options]
            answer, points, _ = rng.choices(options, weights=weights)[0]
            answers.append(AssessmentAnswer(item=item, answer=answer, points=points))
            score += points
        risk = next(level for top, level in cut_offs if score <= top)
        rows.append(
            Assessment(
                case=case,
                instrument=instrument,
                score=score,
                risk_level=risk,
                taken_at=_at(rng, on, 9, 17),
                assessed_by_id=plan.worker,
                answers=answers,
            )
        )
        plan.risk_level = risk
        on = on + _days(rng.randint(80, 150))
    return rows


def _goals(rng: random.Random, case: Case, plan: _CasePlan, last: date) -> list[Goal]:
    """0-3 plan goals; met more often on cases closed with goals met."""
    rows = []
    end = plan.end
    domains = rng.sample(sorted(GOAL_TEXTS), _pick(rng, [(0, 10), (1, 35), (2, 35), (3, 20)]))
    for domain in domains:
        set_on = plan.enrolled_on + _days(rng.randint(0, 21))
        if set_on > end:
            continue
        goal = Goal(
            case=case,
            domain=domain,
            description=rng.choice(GOAL_TEXTS[domain]),
            set_on=set_on,
            target_on=set_on + _days(rng.choice((60, 90, 120, 180))),
        )
        age = (end - set_on).days
        if plan.closure_reason == "goals_met":
            goal.status = _pick(rng, [("met", 80), ("not_met", 10), ("dropped", 10)])
        elif plan.status == "closed":
            goal.status = _pick(rng, [("met", 25), ("not_met", 45), ("dropped", 30)])
        elif age > 45:
            goal.status = _pick(rng, [("open", 60), ("met", 35), ("dropped", 5)])
        if goal.status == "met":
            goal.met_on = set_on + _days(rng.randint(min(14, age), age))
        rows.append(goal)
    return rows


def _outcomes(rng: random.Random, case: Case, plan: _CasePlan, age: int | None) -> list[Outcome]:
    """Dated life events during enrolment; closing events match the closure reason."""
    chances = {
        "employment_started": 0.22 if plan.program == "fd" else 0.18,
        "school_enrolled": 0.15 if age is not None and age < 22 else 0.04,
        "housing_secured": 0.08,
        "re_injured": 0.10 if plan.program == "hvip" else 0.03,
        "arrested": 0.12 if plan.program == "fd" else 0.06,
        "victimized": 0.03,
    }
    rows = []
    span = (plan.end - plan.enrolled_on).days
    for outcome_type, chance in chances.items():
        if rng.random() < chance and span > 0:
            on = plan.enrolled_on + _days(rng.randint(1, span))
            rows.append(
                Outcome(
                    case=case,
                    outcome_type=outcome_type,
                    occurred_on=on,
                    details=rng.choice(OUTCOME_DETAILS[outcome_type]),
                )
            )
    closing = {"goals_met": "program_completed", "incarcerated": "incarcerated", "deceased": "deceased"}
    if plan.closure_reason in closing:
        outcome_type = closing[plan.closure_reason]
        rows.append(
            Outcome(
                case=case,
                outcome_type=outcome_type,
                occurred_on=plan.closed_on,
                details=rng.choice(OUTCOME_DETAILS[outcome_type]),
            )
        )
    return rows


def _consents(
    rng: random.Random,
    person: Participant,
    plan: _CasePlan,
    referrals: list[Referral],
    program_ids: dict[str, int],
    by_category,
    last: date,
) -> list[Consent]:
    """Releases to the providers the person was referred to (or one other), signed at the first referral."""
    first: dict[int, Referral] = {}
    for referral in sorted(referrals, key=lambda r: r.referred_on):
        first.setdefault(referral.provider_id, referral)
    # (provider, signed on, program asking, worker recording)
    chosen = [(r.provider, r.referred_on, r.case.program_id, r.created_by_id) for r in first.values()]
    chosen = chosen[: rng.choice((1, 1, 2))]
    if not chosen:
        provider = rng.choice(by_category[_pick(rng, REFERRAL_CATEGORY_WEIGHTS[plan.program])])
        start = plan.enrolled_on or plan.referred_on
        signed_on = start + _days(rng.randint(0, max(0, min(30, (last - start).days))))
        chosen = [(provider, signed_on, program_ids[plan.program], plan.worker)]
    consents = []
    for provider, signed_on, program_id, worker in chosen:
        categories = ["identity", "case_summary"]
        if program_id == program_ids["hvip"] or "medical" in [c.category for c in provider.categories]:
            categories.append("health")
        if program_id == program_ids["fd"] or rng.random() < 0.2:
            categories.append("justice")
        if rng.random() < 0.15:
            categories.append("narratives")
        consent = Consent(
            participant=person,
            program_id=program_id,
            recipient=provider.name,
            provider_id=provider.id,
            signed_on=signed_on,
            expires_on=signed_on + _days(365),
            recorded_by_id=worker,
            categories=[ConsentCategory(category=c) for c in categories],
        )
        if rng.random() < 0.08 and signed_on < last:
            consent.revoked_at = _at(rng, signed_on + _days(rng.randint(1, (last - signed_on).days)), 9, 17)
        consents.append(consent)
    return consents


def _identifies(referral: Referral, consents: list[Consent]) -> bool:
    """Whether a valid release to the referral's provider covered its date (S23)."""
    return any(
        c.provider_id == referral.provider_id
        and c.signed_on <= referral.referred_on <= c.expires_on
        and (c.revoked_at is None or referral.referred_on < c.revoked_at.date())
        for c in consents
    )


def seed_demo(seed: int, participants: int, erase: bool, today: date | None = None) -> str:
    """Load the demo data set (adds and flushes, never commits) and say what was loaded."""
    rng = random.Random(seed)
    today = today or date.today()
    last = today - _days(1)  # nothing happens later than yesterday, so no time lies in the future
    if erase:
        _erase()

    pw_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow: hash once, share the hash
    programs, users, workers, membership_count = _staff(pw_hash)
    by_category = _providers(rng)
    program_ids = {key: program.id for key, program in programs.items()}

    people: list[Participant] = []
    plans: list[_CasePlan] = []
    for index in range(participants):
        people.append(_person(rng, today))
        program = _pick(rng, CASE_SHARE)
        referred_on = last - _days(int(HISTORY_DAYS * rng.random() ** 1.1))
        handoff = program == "hvip" and rng.random() < 0.12
        plan = _plan_case(rng, index, program, referred_on, last, handoff=handoff)
        plans.append(plan)
        if handoff and plan.enrolled_on is not None:
            # Handed over at closure, or while the hospital team still follows up.
            on = plan.closed_on if plan.closure_reason == "transferred" else None
            on = on or plan.enrolled_on + _days(rng.randint(7, 30))
            if on <= last - _days(3):
                plans.append(_plan_case(rng, index, "outreach", on, last, source="other_program"))

    demo_worker = {key: users[local].id for key, local in DEMO_WORKERS.items()}
    _assign_workers(rng, plans, workers, demo_worker)

    objects: list = []
    counts = dict.fromkeys(
        ("contacts", "referrals", "goals", "outcomes", "assessments", "consents", "people_with_consent"), 0
    )
    plans_by_person: dict[int, list[_CasePlan]] = {}
    for plan in plans:
        plans_by_person.setdefault(plan.person, []).append(plan)
    for index, person in enumerate(people):
        person_plans = plans_by_person[index]
        person.created_by_id = person_plans[0].worker
        objects.append(person)
        person_referrals: list[Referral] = []
        age = person.age_on(today)
        for plan in person_plans:
            case = Case(
                participant=person,
                program_id=program_ids[plan.program],
                status=plan.status,
                referral_source=plan.referral_source,
                referred_on=plan.referred_on,
                enrolled_on=plan.enrolled_on,
                closed_on=plan.closed_on,
                closure_reason=plan.closure_reason,
                assigned_worker_id=plan.worker,
            )
            objects.append(case)
            objects.extend(_status_changes(rng, case, plan))
            screened = [on for on, _, new, _ in plan.history if new == "screening"]
            if screened:
                assessments = _assessments(rng, case, plan, screened[0], last)
                case.risk_level = plan.risk_level
                objects.extend(assessments)
                counts["assessments"] += len(assessments)
            if plan.enrolled_on is None:
                continue
            for key, rows in (
                ("contacts", _contacts(rng, case, plan, person.area, workers[plan.program])),
                ("goals", _goals(rng, case, plan, last)),
                ("outcomes", _outcomes(rng, case, plan, age)),
                ("referrals", _referrals(rng, case, plan, by_category, last)),
            ):
                objects.extend(rows)
                counts[key] += len(rows)
                if key == "referrals":
                    person_referrals.extend(rows)
        # People referred on are the ones asked to sign releases; a few others sign one ahead of need.
        consents: list[Consent] = []
        if rng.random() < (0.5 if person_referrals else 0.05):
            consents = _consents(rng, person, person_plans[0], person_referrals, program_ids, by_category, last)
            objects.extend(consents)
            counts["consents"] += len(consents)
            counts["people_with_consent"] += 1
        for referral in person_referrals:
            # Without a valid release to that provider a referral carries no identifying data.
            referral.is_anonymous = not _identifies(referral, consents)
        if index % 100 == 99:
            db.session.add_all(objects)
            db.session.flush()
            objects = []
    db.session.add_all(objects)
    db.session.flush()

    open_cases = sum(plan.is_open for plan in plans)
    return (
        f"Loaded demo data: {len(programs)} programs, {len(users)} staff accounts ({membership_count} memberships), "
        f"{len(PROVIDERS)} service providers, {participants:,} participants, {len(plans):,} cases "
        f"({open_cases:,} open), {counts['contacts']:,} contacts, {counts['referrals']:,} referrals, "
        f"{counts['goals']:,} goals, {counts['outcomes']:,} outcomes, {counts['assessments']:,} assessments, "
        f"{counts['consents']:,} consents ({counts['people_with_consent']:,} people). "
        f"Log in as outreach@{DOMAIN} (or hvip@, fd@, supervisor@, manager@, admin@) with password {DEMO_PASSWORD}."
    )
