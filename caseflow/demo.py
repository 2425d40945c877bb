"""A deterministic, realistic demo data set, so the app can be shown and tried without real people's data.

The product rule is that the demo shows every feature in use: program intake settings and
screens, instruments and repeat assessments, reassignments, closure approvals (decided,
waiting and rejected), warm hand-offs under consent, referrals sent under a release,
merged and likely-duplicate people, and soft-deleted records waiting to be restored.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from caseflow.auth.passwords import hash_password
from caseflow.consents.services import default_expiry
from caseflow.extensions import db
from caseflow.models import (
    REFERRAL_TRANSITIONS,
    Assessment,
    AssessmentAnswer,
    Case,
    CaseAssignment,
    CaseStatusChange,
    ClosureRequest,
    CompensationClaim,
    Consent,
    ConsentCategory,
    Contact,
    Goal,
    Incident,
    IncidentPerson,
    Injury,
    Instrument,
    InstrumentItem,
    Outcome,
    Participant,
    ParticipantAlias,
    ParticipantMerge,
    ParticipantRaceEthnicity,
    Program,
    ProgramCriterion,
    ProgramMembership,
    ProgramReferralSource,
    ProviderCategory,
    Referral,
    ReferralStatusChange,
    Screening,
    ScreeningAnswer,
    ServiceProvider,
    User,
    can_transition,
)
from caseflow.models.case import OPEN_STATUSES
from caseflow.models.choices import SERVICE_CATEGORIES, values
from caseflow.plan.services import answer_label
from caseflow.timezones import local_today, to_utc

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

# (email local part, full name, is_admin, {program key: role}); the first seven are the documented demo logins.
# The partner is a police lieutenant on the focused deterrence working group: aggregate figures only (S4).
ACCOUNTS = [
    ("admin", "Dana Whitfield", True, {}),
    ("outreach", "Darnell Hughes", False, {"outreach": "worker"}),
    ("hvip", "Renee Alvarado", False, {"hvip": "worker"}),
    ("fd", "Curtis Langston", False, {"fd": "worker"}),
    ("supervisor", "Tanya Brooks", False, {"outreach": "supervisor"}),
    ("manager", "Gloria Whitaker", False, {"outreach": "manager", "hvip": "manager", "fd": "manager"}),
    ("partner", "Raymond Castellano", False, {"fd": "partner"}),
    ("jordan.reyes", "Jordan Reyes", False, {"outreach": "worker"}),
    ("keon.matthews", "Keon Matthews", False, {"outreach": "worker"}),
    ("priya.raman", "Priya Raman", False, {"hvip": "worker"}),
    ("samuel.adeyemi", "Samuel Adeyemi", False, {"fd": "worker"}),
]
DEMO_WORKERS = {"outreach": "outreach", "hvip": "hvip", "fd": "fd"}  # program key -> demo login holding its caseload
# (account, program key) memberships marked victim-services: the only staff who see IPV-protected people (S24).
VICTIM_SERVICES = {("hvip", "hvip")}
# How many of the HVIP demo worker's patients are IPV-protected: seen by hvip@ and hidden from everyone else.
IPV_PROTECTED = 2

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
# The sources each program's intake offers (ProgramReferralSource), and how often each brings a case.
# Street outreach's "other program" referrals are the warm hand-offs from HVIP, made separately.
PROGRAM_SOURCES = {
    "outreach": ["community", "self", "family", "school", "probation_court", "other_program", "police"],
    "hvip": ["emergency_department", "self", "family", "other_program"],
    "fd": ["probation_court", "police", "community", "other_program"],
}
REFERRAL_SOURCE_WEIGHTS = {
    "outreach": [("community", 32), ("self", 15), ("family", 15), ("school", 10), ("police", 8),
                 ("probation_court", 12)],
    "hvip": [("emergency_department", 88), ("family", 6), ("self", 3), ("other_program", 3)],
    "fd": [("probation_court", 55), ("police", 35), ("community", 6), ("other_program", 4)],
}
# Eligibility screens: (threshold, [(criterion, share of referred people it holds for)]).
CRITERIA = {
    "outreach": (4, [
        ("Age 14–30", 0.85),
        ("Recent gunshot injury or victimization", 0.45),
        ("Group or crew involvement", 0.6),
        ("Prior arrest for a violent offence", 0.45),
        ("Recent release from custody", 0.25),
        ("Active conflict or retaliation risk", 0.6),
        ("Lives in a priority neighbourhood", 0.9),
    ]),
    "hvip": (3, [
        ("Admitted with a violent injury (gunshot, stab wound or assault)", 0.97),
        ("Age 14–35", 0.8),
        ("Previous violent injury", 0.35),
        ("Worried about retaliation", 0.5),
        ("Lives in the hospital's service area", 0.85),
        ("No safe place to go after discharge", 0.25),
    ]),
    "fd": (3, [
        ("Named in the group violence audit", 0.85),
        ("On probation or parole", 0.6),
        ("Prior gun charge or shooting involvement", 0.55),
        ("Age 16–35", 0.85),
        ("Attended a call-in or custom notification", 0.6),
    ]),
}
# Why a screen finds someone ineligible: (status note, the criterion that failed).
INELIGIBLE = {
    "outreach": ("Lives outside the service area.", "Lives in a priority neighbourhood"),
    "hvip": ("Injury not violence-related.", "Admitted with a violent injury (gunshot, stab wound or assault)"),
    "fd": ("Not on the current group violence audit.", "Named in the group violence audit"),
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

# (instrument, [(item, max points, weights of 0..max points at intake, fixed fact)], risk cut-offs as
# (max score, level)). Items are worded so that a point means risk, as the app's Yes/No answers read.
INSTRUMENTS = {
    "outreach": (
        "Outreach risk and needs assessment",
        [
            ("Involved in a group or neighbourhood conflict (0 no, 1 on the edges, 2 active)", 2, (30, 30, 40), False),
            ("Carries or can easily get a gun", 1, (55, 45), False),
            ("Shot at, hurt or threatened in the past 90 days", 1, (60, 40), False),
            ("Retaliation risk (0 none to 3 high)", 3, (25, 30, 25, 20), False),
            ("No stable place to live", 1, (65, 35), False),
            ("Not in school, work or training", 1, (35, 65), False),
        ],
        [(2, "low"), (4, "moderate"), (6, "high"), (99, "very_high")],
    ),
    "hvip": (
        "HVIP risk and needs screen",
        [
            ("Injury severity (0 treated and released, 1 admitted, 2 surgery or ICU)", 2, (25, 45, 30), True),
            ("Previous violent injury", 1, (70, 30), True),
            ("Worried about retaliation (0 no, 1 unsure, 2 yes)", 2, (45, 20, 35), False),
            ("No safe place to stay", 1, (75, 25), False),
            ("Trouble sleeping or intrusive memories (0 none to 3 most nights)", 3, (30, 30, 25, 15), False),
            ("Not in school or working", 1, (45, 55), False),
        ],
        [(2, "low"), (4, "moderate"), (7, "high"), (99, "very_high")],
    ),
    "fd": (
        "Focused deterrence needs assessment",
        [
            ("Group affiliation (0 none, 1 associate, 2 core member)", 2, (20, 40, 40), False),
            ("On probation or parole", 1, (40, 60), False),
            ("No stable housing", 1, (60, 40), False),
            ("Not employed or in training", 1, (30, 70), False),
            ("Has not taken up the offer of services", 1, (80, 20), False),
        ],
        [(1, "low"), (3, "moderate"), (5, "high"), (99, "very_high")],
    ),
}

REASSIGN_NOTES = [
    "Rebalancing caseloads.",
    "Participant asked for a worker from the same neighbourhood.",
    "Previous worker knows the family; conflict of interest.",
    "Covering during leave; now permanent.",
    "New worker speaks the family's language.",
]
APPROVAL_NOTES = ["", "", "", "Approved.", "Approved; remember the 30-day follow-up call."]
# Closures waiting for a supervisor: (reason, worker's note).
PENDING_CLOSURES = [
    ("goals_met", "Working full time and no conflict in three months; plan goals met. Requesting closure."),
    ("goals_met", "Finished the GED and started the apprenticeship. Ready to close with a 30-day call."),
    ("moved", "Moved in with an aunt out of state; will keep phone contact for a month."),
    ("declined_further", "Says the program isn't needed any more; we talked it through twice."),
    ("other", "Joined the Job Corps residential program; closing here."),
]
REJECTED_CLOSURES = [
    ("lost_contact", "No answer for three weeks.",
     "Keep open: the grandmother says they are staying with her. Try a home visit first."),
    ("declined_further", "Says they are done with the program.",
     "Not yet: the conflict on their block flared up last week. Keep checking in for another month."),
]
# Spellings a second intake might give the same person (the duplicate check catches these).
FIRST_NAME_VARIANTS = {
    "Jamal": "Jamaal", "DeShawn": "Deshaun", "Marcus": "Markus", "Terrell": "Terrel", "Isaiah": "Isiah",
    "Malik": "Malick", "Tyrone": "Tyron", "Darius": "Darrius", "Andre": "Andrae", "Xavier": "Xzavier",
    "Khalil": "Kahlil", "Rashad": "Rashaad", "Demetrius": "Demetrious", "Devonte": "Devante",
    "Jaylen": "Jaylin", "Elijah": "Elija", "Trevon": "Treyvon", "Antoine": "Antwan", "Cameron": "Kameron",
    "Brandon": "Branden", "Aaliyah": "Aliyah", "Destiny": "Destinee", "Jasmine": "Jazmine", "Tiana": "Tianna",
    "Brianna": "Breanna", "Shanice": "Shaniece", "Kayla": "Kaila", "Yesenia": "Yessenia", "Sofia": "Sophia",
    "Luis": "Louis", "Emmanuel": "Emanuel", "Keisha": "Keysha",
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
    closures: list = field(default_factory=list)  # (date, reason) for every closing, reopened ones too
    spells: list = field(default_factory=list)  # (start, end, "active" | "inactive"), where contacts happen
    worker: int | None = None
    risk_level: str | None = None
    handed_off_from: "_CasePlan | None" = None  # the HVIP case a warm hand-off came from
    # A reassignment: the worker before it, the day, who made it and why.
    previous_worker: int | None = None
    reassigned_on: date | None = None
    reassigned_by: int | None = None
    reassign_note: str = ""
    # Closure requests beyond the approved ones: (requested on, reason, note) waiting, and rejected ones as
    # (requested on, decided on, reason, note, decision note, decided by).
    pending_closure: tuple | None = None
    rejected_closure: tuple | None = None
    case: Case | None = None
    changes: list = field(default_factory=list)  # the CaseStatusChange rows, in history order
    deciders: list = field(default_factory=list)  # who approved each closing, in closures order

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

    def span_end(self, last: date) -> date:
        """The last day the case was open: its final status change when it has ended, else the horizon."""
        return last if self.is_open else self.history[-1][0]

    @property
    def engaged(self) -> bool:
        """Stayed in touch throughout: never went inactive and did not leave the program unwillingly."""
        return all(state == "active" for _, _, state in self.spells) and self.closure_reason not in (
            "lost_contact",
            "declined_further",
            "incarcerated",
        )

    def worker_on(self, on: date) -> int | None:
        """Who held the case on a day: the worker before a reassignment, the current one after."""
        if self.reassigned_on is not None and on < self.reassigned_on:
            return self.previous_worker
        return self.worker


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
        plan.step(enrol_on, "ineligible", INELIGIBLE[program][0])
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
            plan.closures.append((on, reason))
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


def _decider(rng: random.Random, program: str, supervisors: dict[str, list[int]]) -> int:
    """The supervisor or manager who signs something off; street outreach's supervisor does most."""
    ids = supervisors[program]
    return ids[0] if len(ids) == 1 or rng.random() < 0.8 else rng.choice(ids[1:])


def _plan_reassignments(
    rng: random.Random,
    plans: list[_CasePlan],
    workers: dict[str, list[int]],
    supervisors: dict[str, list[int]],
    last: date,
) -> None:
    """About 15% of cases changed hands once, on a supervisor's or manager's say; the last holder is assigned."""
    for plan in plans:
        others = [w for w in workers[plan.program] if w != plan.worker]
        span = (plan.span_end(last) - plan.referred_on).days
        if rng.random() < 0.17 and others and span >= 14:
            plan.previous_worker = rng.choice(others)
            plan.reassigned_on = plan.referred_on + _days(rng.randint(7, span - 3))
            plan.reassigned_by = _decider(rng, plan.program, supervisors)
            plan.reassign_note = rng.choice(REASSIGN_NOTES)


def _plan_closure_queue(rng: random.Random, plans: list[_CasePlan], demo_worker: dict[str, int], last: date) -> None:
    """Closure requests still waiting (street outreach, and one HVIP for the manager) and a rejected one or two."""

    def settled(plan: _CasePlan, days: int) -> bool:
        """Active, and active since at least days ago (so a request then found it open)."""
        return plan.status == "active" and plan.spells[-1][0] <= last - _days(days)

    outreach = [p for p in plans if p.program == "outreach" and settled(p, 30)]
    rng.shuffle(outreach)
    # The outreach demo login sees two of its own requests waiting; the rest are colleagues'.
    mine = [p for p in outreach if p.worker == demo_worker["outreach"]]
    theirs = [p for p in outreach if p.worker != demo_worker["outreach"]]
    wanted = rng.randint(3, 5)
    chosen = (mine[:2] + theirs)[:wanted]
    chosen += mine[2 : 2 + wanted - len(chosen)]  # too few colleagues' cases: more of the demo login's
    hvip = [p for p in plans if p.program == "hvip" and settled(p, 30)]
    if hvip:
        chosen.append(rng.choice(hvip))
    for plan, (reason, note) in zip(chosen, rng.sample(PENDING_CLOSURES * 2, len(chosen)), strict=True):
        plan.pending_closure = (last - _days(rng.randint(0, 6)), reason, note)
    rejectable = [p for p in outreach if p.pending_closure is None and settled(p, 75)]
    for plan, (reason, note, decision) in zip(rejectable, REJECTED_CLOSURES[: rng.randint(1, 2)], strict=False):
        requested_on = last - _days(rng.randint(25, 60))
        decided_on = requested_on + _days(rng.randint(0, 3))
        plan.rejected_closure = (requested_on, decided_on, reason, note, decision)


def _can_merge(first: list[_CasePlan], second: list[_CasePlan], last: date) -> bool:
    """Both records have street outreach cases (so its supervisor sees both) that never overlapped."""
    if not any(p.program == "outreach" for p in first) or not any(p.program == "outreach" for p in second):
        return False
    return all(
        a.span_end(last) < b.referred_on or b.span_end(last) < a.referred_on
        for a in first
        for b in second
        if a.program == b.program
    )


def _pair_duplicates(
    rng: random.Random, people: list[Participant], plans_by_person: dict[int, list[_CasePlan]], last: date
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Make a few people into second records of others: two pairs to merge, two left for the duplicate check.

    The second record of each pair takes the first's date of birth and a slightly different spelling
    of the name. Returns (kept, retired) pairs for merging, and (record, duplicate) pairs left as they are.
    """
    if len(people) < 20:
        return [], []
    order = list(range(len(people)))
    rng.shuffle(order)
    used: set[int] = set()
    merged: list[tuple[int, int]] = []
    unmerged: list[tuple[int, int]] = []
    for to_merge in (True, True, False, False):
        found = None
        for i in order:
            if i in used or people[i].date_of_birth is None or people[i].first_name not in FIRST_NAME_VARIANTS:
                continue
            for j in order:
                if j == i or j in used:
                    continue
                first, second = plans_by_person[i], plans_by_person[j]
                if to_merge:
                    fits = _can_merge(first, second, last)
                else:
                    fits = not {p.program for p in first} & {p.program for p in second}
                if fits:
                    found = (i, j)
                    break
            if found:
                break
        if found is None:
            continue
        i, j = found
        used.update(found)
        original, second = people[i], people[j]
        second.first_name = FIRST_NAME_VARIANTS[original.first_name]
        second.last_name = original.last_name
        second.gender = original.gender
        second.date_of_birth = original.date_of_birth
        second.estimated_age = second.estimated_age_on = None
        second.area = original.area
        second.aliases = []
        second.race_ethnicities = [ParticipantRaceEthnicity(category=r.category) for r in original.race_ethnicities]
        if to_merge:
            second.phone = original.phone or second.phone
            # The older record is kept; the one made at the later intake retires.
            if min(p.referred_on for p in plans_by_person[j]) < min(p.referred_on for p in plans_by_person[i]):
                i, j = j, i
            merged.append((i, j))
        else:
            unmerged.append((i, j))
    return merged, unmerged


def _protect_ipv_survivors(
    people: list[Participant], plans_by_person: dict[int, list[_CasePlan]], paired: set[int], worker: int
) -> list[Participant]:
    """Mark a few people (women first) on the victim-services HVIP worker's open caseload as IPV-protected.

    Only people with that one hospital case and no duplicate record, so the protection shows cleanly:
    the HVIP demo login sees them, the manager and everyone else get 404. No random draw, so every
    other record stays as the seed made it.
    """
    eligible = [
        index
        for index, plans in plans_by_person.items()
        if index not in paired
        and len(plans) == 1
        and plans[0].program == "hvip"
        and plans[0].worker == worker
        and plans[0].is_open
    ]
    eligible.sort(key=lambda index: (people[index].gender != "female", index))
    chosen = [people[index] for index in eligible[:IPV_PROTECTED]]
    for person in chosen:
        person.is_ipv_protected = True
    return chosen


def _erase() -> None:
    """Delete every row, children first, and forget objects whose rows are gone."""
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # The migrated audit trail refuses DELETE; this deliberate wipe opens it for this transaction only.
        db.session.execute(select(func.set_config("caseflow.allow_audit_purge", "on", True)))
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.expunge_all()


def _staff(pw_hash: str):
    """Programs with their intake settings and instruments, the demo accounts and their memberships."""
    programs = {
        key: Program(
            kind=kind,
            name=name,
            organisation=org,
            contact_frequency_days=freq,
            caseload_target=target,
            eligibility_threshold=CRITERIA[key][0],
        )
        for key, kind, name, org, freq, target in PROGRAMS
    }
    users = {
        local: User(email=f"{local}@{DOMAIN}", full_name=name, password_hash=pw_hash, is_admin=is_admin)
        for local, name, is_admin, _ in ACCOUNTS
    }
    db.session.add_all([*programs.values(), *users.values()])
    db.session.flush()
    memberships = [
        ProgramMembership(
            user_id=users[local].id,
            program_id=programs[key].id,
            role=role,
            is_victim_services=(local, key) in VICTIM_SERVICES,
        )
        for local, _, _, roles in ACCOUNTS
        for key, role in roles.items()
    ]
    db.session.add_all(memberships)
    workers = {
        key: [users[local].id for local, _, _, roles in ACCOUNTS if roles.get(key) == "worker"] for key in programs
    }
    # Supervisors first, then managers: the first one signs off most of a program's approvals.
    supervisors = {
        key: [users[local].id for local, _, _, roles in ACCOUNTS if roles.get(key) == "supervisor"]
        + [users[local].id for local, _, _, roles in ACCOUNTS if roles.get(key) == "manager"]
        for key in programs
    }
    return programs, users, workers, supervisors, len(memberships)


def _intake_settings(programs: dict[str, Program]):
    """Each program's referral sources, eligibility criteria and instrument; flushed so answers can point at them."""
    criteria: dict[str, list[ProgramCriterion]] = {}
    instruments: dict[str, tuple[Instrument, list[InstrumentItem]]] = {}
    objects: list = []
    for key, program in programs.items():
        unknown = {s for s, _ in REFERRAL_SOURCE_WEIGHTS[key]} - set(PROGRAM_SOURCES[key])
        if unknown:
            raise RuntimeError(f"demo {key} cases would come from sources its intake lacks: {sorted(unknown)}")
        objects += [ProgramReferralSource(program_id=program.id, source=s) for s in PROGRAM_SOURCES[key]]
        criteria[key] = [
            ProgramCriterion(program_id=program.id, position=position, text=text)
            for position, (text, _) in enumerate(CRITERIA[key][1], start=1)
        ]
        objects += criteria[key]
        name, items, _ = INSTRUMENTS[key]
        instrument = Instrument(program_id=program.id, name=name)
        rows = [
            InstrumentItem(instrument=instrument, position=position, text=text, max_points=top)
            for position, (text, top, _, _) in enumerate(items, start=1)
        ]
        instruments[key] = (instrument, rows)
        objects += [instrument, *rows]
    db.session.add_all(objects)
    db.session.flush()
    return criteria, instruments


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
    """The case's history as rows, times strictly increasing; a closing is made by whoever approved it."""
    rows, previous = [], None
    deciders = iter(plan.deciders)
    for on, old, new, note in plan.history:
        if new == "closed":
            actor = next(deciders)
        elif old is None and plan.handed_off_from is not None:
            actor = plan.handed_off_from.worker_on(on)  # the HVIP worker made the hand-off
        else:
            actor = plan.worker_on(on)
        at = _at(rng, on, 9, 17)
        if previous is not None and at <= previous:
            at = previous + timedelta(minutes=rng.randint(5, 40))
        previous = at
        rows.append(
            CaseStatusChange(case=case, from_status=old, to_status=new, changed_at=at, changed_by_id=actor, note=note)
        )
    return rows


def _screening(rng: random.Random, case: Case, plan: _CasePlan, criteria: list[ProgramCriterion]) -> Screening | None:
    """The eligibility screen that took the case out of screening, its answers agreeing with the result."""
    exits = [(on, new, note) for on, old, new, note in plan.history if old == "screening"]
    if not exits:
        return None
    on, new, note = exits[0]
    result = {"active": "eligible", "ineligible": "ineligible", "declined": "declined"}[new]
    threshold, shares = CRITERIA[plan.program]
    met = [rng.random() < share for _, share in shares]
    if result == "ineligible":
        failed = [text for text, _ in shares].index(INELIGIBLE[plan.program][1])
        met[failed] = False
        while sum(met) >= threshold:
            met[rng.choice([k for k, m in enumerate(met) if m])] = False
    elif result == "eligible":
        while sum(met) < threshold:
            met[rng.choice([k for k, m in enumerate(met) if not m])] = True
    return Screening(
        case_id=case.id,
        screened_on=on,
        screened_by_id=plan.worker_on(on),
        criteria_met=sum(met),
        threshold=threshold,
        result=result,
        notes=note,
        answers=[ScreeningAnswer(criterion_id=c.id, is_met=m) for c, m in zip(criteria, met, strict=True)],
    )


def _contacts(rng: random.Random, case: Case, plan: _CasePlan, area: str, colleagues: list[int]) -> list[Contact]:
    """Roughly weekly contacts while active, a few attempts while inactive; HVIP starts at the bedside."""
    rows = []

    def add(on: date, mode: str, completed: bool, contact_type: str, note: str) -> None:
        author = plan.worker_on(on) if rng.random() < 0.9 or len(colleagues) < 2 else rng.choice(colleagues)
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
        worker = plan.worker_on(referred_on)
        referral = Referral(
            case=case,
            provider=provider,
            provider_id=provider.id,
            service_category=category,
            referred_on=referred_on,
            due_on=referred_on + _days(14),
            notes=rng.choice(REFERRAL_NOTES),
            created_by_id=worker,
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
                    changed_by_id=plan.worker_on(on),
                )
            )
            if status == "connected" and referral.connected_on is None:
                referral.connected_on = on
            previous = status
        referral.status = previous
        referral.closed_on = on if previous in TERMINAL_REFERRAL else None
        referrals.append(referral)
    return referrals


def drift_answers(rng: random.Random, points: list[int], specs, drop: float, rise: float) -> None:
    """A repeat assessment's answers: each item may fall or rise one point; fixed facts never change."""
    for k, (_, top, _, fixed) in enumerate(specs):
        roll = rng.random()
        if fixed:
            continue
        if roll < drop and points[k] > 0:
            points[k] -= 1
        elif roll > 1 - rise and points[k] < top:
            points[k] += 1


def _assessments(
    rng: random.Random,
    case: Case,
    plan: _CasePlan,
    screened_on: date,
    last: date,
    instrument: Instrument,
    items: list[InstrumentItem],
) -> list[Assessment]:
    """The program's instrument at screening, then every few months while enrolled.

    Each repeat starts from the previous answers: engaged participants' scores mostly fall,
    others' drift either way; fixed facts (an injury's severity, say) never change.
    """
    name, specs, cut_offs = INSTRUMENTS[plan.program]
    drop, rise = (0.4, 0.05) if plan.engaged else (0.15, 0.2)
    rows = []
    on = screened_on
    end = plan.end or screened_on
    points: list[int] = []
    for round_no in range(3):
        if round_no and (plan.enrolled_on is None or on > end or on > last):
            break
        if not points:
            points = [rng.choices(range(top + 1), weights=weights)[0] for _, top, weights, _ in specs]
        else:
            drift_answers(rng, points, specs, drop, rise)
        score = sum(points)
        risk = next(level for top, level in cut_offs if score <= top)
        rows.append(
            Assessment(
                case=case,
                instrument=name,
                instrument_id=instrument.id,
                score=score,
                risk_level=risk,
                taken_at=_at(rng, on, 9, 17),
                assessed_by_id=plan.worker_on(on),
                answers=[
                    AssessmentAnswer(item=item.text, item_id=item.id, answer=answer_label(item.max_points, p), points=p)
                    for item, p in zip(items, points, strict=True)
                ],
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
        chosen = [(provider, signed_on, program_ids[plan.program], plan.worker_on(signed_on))]
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
            expires_on=default_expiry(signed_on),
            recorded_by_id=worker,
            categories=[ConsentCategory(category=c) for c in categories],
        )
        if rng.random() < 0.08 and signed_on < last:
            consent.revoked_at = _at(rng, signed_on + _days(rng.randint(1, (last - signed_on).days)), 9, 17)
        consents.append(consent)
    return consents


def _handoff_consent(rng: random.Random, person: Participant, plan: _CasePlan, programs: dict[str, Program]) -> Consent:
    """The release an HVIP patient signs so street outreach may receive them: identity and a case summary."""
    source = plan.handed_off_from
    on = plan.referred_on
    signed_on = on - _days(rng.randint(0, min(5, (on - source.enrolled_on).days)))
    categories = ["identity", "case_summary"] + (["health"] if rng.random() < 0.6 else [])
    return Consent(
        participant=person,
        program_id=programs["hvip"].id,
        recipient=programs["outreach"].name,
        recipient_program_id=programs["outreach"].id,
        signed_on=signed_on,
        expires_on=default_expiry(signed_on),
        recorded_by_id=source.worker_on(signed_on),
        categories=[ConsentCategory(category=c) for c in categories],
    )


def _release_for(referral: Referral, consents: list[Consent]) -> Consent | None:
    """The valid release to the referral's provider covering identity on its date (S23), if any."""
    for consent in consents:
        if (
            consent.provider_id == referral.provider_id
            and "identity" in {c.category for c in consent.categories}
            and consent.signed_on <= referral.referred_on <= consent.expires_on
            and (consent.revoked_at is None or referral.referred_on < consent.revoked_at.date())
        ):
            return consent
    return None


def _closure_requests(rng: random.Random, plan: _CasePlan, supervisors: dict[str, list[int]]) -> list[ClosureRequest]:
    """An approved request behind every closing, plus any request still waiting or rejected."""
    case_id = plan.case.id
    rows = []
    closings = [k for k, (_, _, new, _) in enumerate(plan.history) if new == "closed"]
    for k, (on, reason), decider in zip(closings, plan.closures, plan.deciders, strict=True):
        decided_at, previous_at = plan.changes[k].changed_at, plan.changes[k - 1].changed_at
        requested_on = max(plan.history[k - 1][0], on - _days(rng.randint(0, 5)))
        requested_at = _at(rng, requested_on, 9, 17)
        if not previous_at < requested_at < decided_at:
            requested_at = previous_at + (decided_at - previous_at) / 2
        rows.append(
            ClosureRequest(
                case_id=case_id,
                reason=reason,
                note=CLOSURE_NOTES.get(reason, ""),
                status="approved",
                requested_by_id=plan.worker_on(requested_on),
                requested_at=requested_at,
                decided_by_id=decider,
                decided_at=decided_at,
                decision_note=rng.choice(APPROVAL_NOTES),
            )
        )
    if plan.rejected_closure:
        requested_on, decided_on, reason, note, decision = plan.rejected_closure
        requested_at = _at(rng, requested_on, 9, 13)
        rows.append(
            ClosureRequest(
                case_id=case_id,
                reason=reason,
                note=note,
                status="rejected",
                requested_by_id=plan.worker_on(requested_on),
                requested_at=requested_at,
                decided_by_id=_decider(rng, plan.program, supervisors),
                decided_at=max(_at(rng, decided_on, 14, 17), requested_at + timedelta(hours=1)),
                decision_note=decision,
            )
        )
    if plan.pending_closure:
        requested_on, reason, note = plan.pending_closure
        rows.append(
            ClosureRequest(
                case_id=case_id,
                reason=reason,
                note=note,
                status="pending",
                requested_by_id=plan.worker_on(requested_on),
                requested_at=_at(rng, requested_on, 9, 17),
            )
        )
    return rows


def _case_records(rng: random.Random, plan: _CasePlan, criteria: list[ProgramCriterion], supervisors) -> list:
    """The rows that name their case by id (screening, closure requests, reassignment), once the case has one."""
    rows: list = []
    screening = _screening(rng, plan.case, plan, criteria)
    if screening is not None:
        rows.append(screening)
    rows += _closure_requests(rng, plan, supervisors)
    if plan.reassigned_on is not None:
        rows.append(
            CaseAssignment(
                case_id=plan.case.id,
                from_worker_id=plan.previous_worker,
                to_worker_id=plan.worker,
                changed_at=_at(rng, plan.reassigned_on, 9, 17),
                changed_by_id=plan.reassigned_by,
                note=plan.reassign_note,
            )
        )
    return rows


def _merge(rng: random.Random, kept: Participant, retired: Participant, by: int, on: date) -> ParticipantMerge:
    """Retire a second record of one person as the merge screen does (its cases already sit on kept)."""
    retired_name = f"{retired.first_name} {retired.last_name}"
    if retired_name.lower() not in {a.name.lower() for a in kept.aliases} | {kept.display_name.lower()}:
        kept.aliases.append(ParticipantAlias(name=retired_name, kind="alias"))
    if not kept.phone and retired.phone:
        kept.phone = retired.phone
    merged_at = _at(rng, on, 10, 16)
    retired.merged_into_id = kept.id
    retired.deleted_at, retired.deleted_by_id = merged_at, by
    return ParticipantMerge(
        kept_id=kept.id,
        retired_id=retired.id,
        merged_by_id=by,
        merged_at=merged_at,
        note=f"Same person: same date of birth; the later intake spelled the name {retired_name}.",
    )


def _soft_deletes(
    rng: random.Random, contacts: list[Contact], goals: list[Goal], worker: int, last: date
) -> tuple[int, int]:
    """A few recent contacts and a goal the outreach demo login deleted, for the supervisor to restore."""
    recent = [c for c in contacts if c.occurred_at >= to_utc(datetime.combine(last - _days(45), time()))]
    deleted_contacts = rng.sample(recent, min(len(recent), rng.randint(3, 4)))
    for contact in deleted_contacts:
        on = min(last, contact.occurred_at.date() + _days(rng.randint(0, 3)))
        contact.deleted_at = max(_at(rng, on, 9, 20), contact.occurred_at + timedelta(hours=1))
        contact.deleted_by_id = worker
    open_goals = [g for g in goals if g.status == "open"]
    deleted_goals = rng.sample(open_goals, min(1, len(open_goals)))
    for goal in deleted_goals:
        goal.deleted_at = _at(rng, min(last, goal.set_on + _days(rng.randint(1, 10))), 9, 17)
        goal.deleted_by_id = worker
    return len(deleted_contacts), len(deleted_goals)


def _incidents(
    rng: random.Random, holders_by_program: dict[str, list[tuple[Participant, "_CasePlan"]]], last: date, by: int
) -> tuple[list[Incident], list[IncidentPerson]]:
    """The city's shootings: an injury behind HVIP referrals from the ED, and others nobody enrolled was in."""
    incidents: list[Incident] = []
    links: list[IncidentPerson] = []
    for person, plan in holders_by_program.get("hvip", [])[:40]:
        on = max(plan.referred_on - _days(rng.randint(0, 1)), last - _days(HISTORY_DAYS))
        incident = Incident(
            occurred_at=_at(rng, on, 0, 23),
            area=rng.choice(AREAS),
            kind="shooting",
            fatal_victims=int(rng.random() < 0.15),
            nonfatal_victims=rng.randint(1, 2),
            source="hospital",
            status="confirmed",
            created_by_id=by,
        )
        incidents.append(incident)
        links.append(IncidentPerson(incident=incident, participant_id=person.id, role="victim", linked_by_id=by))
        plan.incident = incident
    outreach = holders_by_program.get("outreach", [])
    for n in range(45):
        on = last - _days(rng.randint(0, HISTORY_DAYS))
        shots_fired = rng.random() < 0.3
        incident = Incident(
            occurred_at=_at(rng, on, 0, 23),
            area=rng.choice(AREAS),
            kind="shots_fired" if shots_fired else "shooting",
            fatal_victims=0 if shots_fired else int(rng.random() < 0.2),
            nonfatal_victims=0 if shots_fired else rng.randint(1, 3),
            source=_pick(rng, [("police", 70), ("community", 30)]),
            status="reported" if (last - on).days < 14 else _pick(rng, [("confirmed", 80), ("closed", 20)]),
            created_by_id=by,
        )
        if incident.source == "police":
            incident.source_ref = f"PD-{on.year}-{10000 + n:05d}"
        incidents.append(incident)
        if outreach and rng.random() < 0.3:
            person, _ = rng.choice(outreach)
            links.append(IncidentPerson(incident=incident, participant_id=person.id, role="involved", linked_by_id=by))
    return incidents, links


FUNNEL_EXITS = [
    ("ineligible", 20, "Injury not from interpersonal violence"),
    ("not_approached", 20, "Discharged before the team could reach the bedside"),
    ("declined", 30, "Not ready to talk to anyone"),
    ("approached", 10, ""),
    ("eligible", 10, ""),
    ("screened", 10, ""),
]


def _injury(rng: random.Random, program: Program, on: date, last: date, by: int) -> Injury:
    """An injury arriving on a day: arrival soon after, bedside within hours, discharge within two weeks."""
    injured_at = _at(rng, on, 0, 22)
    arrived_at = injured_at + timedelta(minutes=rng.randint(15, 90))
    return Injury(
        program_id=program.id,
        injured_at=injured_at,
        arrived_at=arrived_at,
        first_bedside_at=arrived_at + timedelta(minutes=rng.randint(60, 36 * 60)),
        mechanism=_pick(rng, [("gunshot", 60), ("stabbing", 25), ("blunt_assault", 10), ("other", 5)]),
        hospital="Mercy General Hospital",
        care_level=_pick(rng, [("admitted", 60), ("emergency_department", 40)]),
        medical_record_number=f"MGH{rng.randint(100000, 999999)}",
        discharged_on=min(last, arrived_at.date() + _days(rng.randint(0, 14))),
        discharge_plan="Home with family; wound care follow-up at the trauma clinic.",
        recorded_by_id=by,
    )


def _hvip_records(
    rng: random.Random, holders: list[tuple[Participant, "_CasePlan"]], program: Program, last: date, by: int
) -> tuple[list[Injury], list[CompensationClaim]]:
    """Every HVIP case starts from an injury; most patients screened never enrol and keep only age and gender."""
    injuries: list[Injury] = []
    claims: list[CompensationClaim] = []
    seen: set[int] = set()
    for person, plan in holders:
        injury = _injury(
            rng, program, max(plan.referred_on - _days(rng.randint(0, 1)), last - _days(HISTORY_DAYS)), last, by
        )
        injury.participant_id, injury.case_id = person.id, plan.case.id
        incident = getattr(plan, "incident", None)
        injury.incident_id = incident.id if incident is not None else None
        stage = {"declined": "declined", "ineligible": "ineligible"}.get(plan.status, "enrolled")
        if plan.enrolled_on is None and stage == "enrolled":
            stage = "approached"
        injury.funnel_stage = stage
        injury.funnel_reason = {
            "declined": "Not ready to talk to anyone",
            "ineligible": "Lives outside the service area",
        }.get(stage, "")
        injury.is_reinjury = person.id in seen
        seen.add(person.id)
        injuries.append(injury)
        if plan.enrolled_on is not None and rng.random() < 0.3:
            applied_on = min(last, plan.enrolled_on + _days(rng.randint(7, 30)))
            status = _pick(rng, [("approved", 50), ("denied", 20), ("applied", 30)])
            decided_on = min(last, applied_on + _days(rng.randint(30, 90))) if status != "applied" else None
            claims.append(
                CompensationClaim(
                    case_id=plan.case.id,
                    applied_on=applied_on,
                    status=status,
                    decided_on=decided_on,
                    amount_cents=rng.randint(5, 50) * 10000 if status == "approved" else None,
                )
            )
    # A few enrolled patients come back hurt again: the flag the re-injury measure counts.
    enrolled = [(person, plan) for person, plan in holders if plan.enrolled_on and plan.enrolled_on < last - _days(30)]
    for person, plan in rng.sample(enrolled, min(5, len(enrolled))):
        again = _injury(
            rng, program, plan.enrolled_on + _days(rng.randint(20, (last - plan.enrolled_on).days)), last, by
        )
        again.participant_id, again.case_id = person.id, plan.case.id
        again.funnel_stage, again.is_reinjury = "enrolled", True
        injuries.append(again)
    # Patients screened at the bedside who never became participants.
    for _ in range(max(10, len(holders) // 2)):
        stage, _weight, reason = rng.choices(FUNNEL_EXITS, weights=[w for _, w, _ in FUNNEL_EXITS])[0]
        injury = _injury(rng, program, last - _days(rng.randint(0, HISTORY_DAYS)), last, by)
        injury.funnel_stage, injury.funnel_reason = stage, reason
        injury.patient_age = rng.randint(14, 45)
        injury.patient_gender = _pick(rng, [("male", 80), ("female", 20)])
        injury.medical_record_number = ""
        if stage in ("not_approached", "ineligible", "screened"):
            injury.first_bedside_at = None
        injuries.append(injury)
    return injuries, claims


def seed_demo(seed: int, participants: int, erase: bool, today: date | None = None) -> str:
    """Load the demo data set (adds and flushes, never commits) and say what was loaded."""
    rng = random.Random(seed)
    today = today or local_today()  # the program's day, not the server's (UTC runs hours ahead)
    last = today - _days(1)  # nothing happens later than yesterday, so no time lies in the future
    if erase:
        _erase()

    pw_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow: hash once, share the hash
    programs, users, workers, supervisors, membership_count = _staff(pw_hash)
    criteria, instruments = _intake_settings(programs)
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
                received = _plan_case(rng, index, "outreach", on, last, source="other_program")
                received.handed_off_from = plan
                plans.append(received)

    demo_worker = {key: users[local].id for key, local in DEMO_WORKERS.items()}
    _assign_workers(rng, plans, workers, demo_worker)
    _plan_reassignments(rng, plans, workers, supervisors, last)
    _plan_closure_queue(rng, plans, demo_worker, last)
    plans_by_person: dict[int, list[_CasePlan]] = {}
    for plan in plans:
        plans_by_person.setdefault(plan.person, []).append(plan)
    merged, unmerged = _pair_duplicates(rng, people, plans_by_person, last)
    owner = {retired: kept for kept, retired in merged}  # a retired record's cases now sit on the kept one

    paired = {index for pair in merged + unmerged for index in pair}
    protected = _protect_ipv_survivors(people, plans_by_person, paired, demo_worker["hvip"])

    # People first, so every case (a merged record's included) can point at its owner.
    for index, person in enumerate(people):
        first = plans_by_person[index][0]
        person.created_by_id = first.worker_on(first.referred_on)
    db.session.add_all(people)
    db.session.flush()

    counts = dict.fromkeys(
        ("contacts", "referrals", "goals", "outcomes", "assessments", "consents", "people_with_consent"), 0
    )
    counts.update(dict.fromkeys(("identified_referrals", "handoffs", "screenings", "reassignments"), 0))
    closure_counts = dict.fromkeys(("approved", "pending", "rejected"), 0)
    demo_contacts: list[Contact] = []  # the outreach demo login's own contacts and goals on its open cases
    demo_goals: list[Goal] = []
    objects: list = []
    links: list[tuple[Referral, Consent | None]] = []
    batch: list[_CasePlan] = []

    def flush_batch() -> None:
        """Insert a batch; then referrals, which name the release they went under, and the rows needing case ids."""
        db.session.add_all(objects)
        db.session.flush()
        for referral, release in links:
            referral.consent_id = release.id if release is not None else None
        db.session.add_all([referral for referral, _ in links])
        rows = []
        for plan in batch:
            rows += _case_records(rng, plan, criteria[plan.program], supervisors)
        for row in rows:
            if isinstance(row, Screening):
                counts["screenings"] += 1
            elif isinstance(row, ClosureRequest):
                closure_counts[row.status] += 1
            else:
                counts["reassignments"] += 1
        db.session.add_all(rows)
        db.session.flush()
        objects.clear()
        links.clear()
        batch.clear()

    for index, person in enumerate(people):
        person_plans = plans_by_person[index]
        holder = people[owner.get(index, index)]
        person_referrals: list[Referral] = []
        age = person.age_on(today)
        for plan in person_plans:
            case = Case(
                participant=holder,
                program_id=program_ids[plan.program],
                status=plan.status,
                referral_source=plan.referral_source,
                referred_on=plan.referred_on,
                enrolled_on=plan.enrolled_on,
                closed_on=plan.closed_on,
                closure_reason=plan.closure_reason,
                assigned_worker_id=plan.worker,
                handed_off_from=plan.handed_off_from.case if plan.handed_off_from else None,
            )
            plan.case = case
            objects.append(case)
            batch.append(plan)
            plan.deciders = [_decider(rng, plan.program, supervisors) for _ in plan.closures]
            plan.changes = _status_changes(rng, case, plan)
            objects.extend(plan.changes)
            if plan.handed_off_from is not None:
                objects.append(_handoff_consent(rng, holder, plan, programs))
                counts["handoffs"] += 1
                counts["consents"] += 1
            screened = [on for on, _, new, _ in plan.history if new == "screening"]
            if screened:
                assessments = _assessments(rng, case, plan, screened[0], last, *instruments[plan.program])
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
                counts[key] += len(rows)
                if key == "referrals":
                    person_referrals.extend(rows)
                    continue
                objects.extend(rows)
                if plan.program == "outreach" and plan.is_open and plan.worker == demo_worker["outreach"]:
                    if key == "contacts":
                        demo_contacts += [c for c in rows if c.author_id == plan.worker]
                    elif key == "goals":
                        demo_goals += rows
        # People referred on are the ones asked to sign releases; a few others sign one ahead of need.
        consents: list[Consent] = []
        if rng.random() < (0.5 if person_referrals else 0.05):
            consents = _consents(rng, holder, person_plans[0], person_referrals, program_ids, by_category, last)
            objects.extend(consents)
            counts["consents"] += len(consents)
            counts["people_with_consent"] += 1
        for referral in person_referrals:
            # Without a valid release to that provider a referral carries no identifying data.
            release = _release_for(referral, consents)
            referral.is_anonymous = release is None
            counts["identified_referrals"] += release is not None
            links.append((referral, release))
        if index % 100 == 99:
            flush_batch()
    flush_batch()

    # What happened afterwards: duplicates merged by the supervisor, records deleted by a worker.
    outreach_supervisor = supervisors["outreach"][0]
    for kept, retired in merged:
        second = min(p.referred_on for p in plans_by_person[retired])
        on = min(last, max(second, min(p.referred_on for p in plans_by_person[kept])) + _days(rng.randint(1, 21)))
        db.session.add(_merge(rng, people[kept], people[retired], outreach_supervisor, on))
    deleted = _soft_deletes(rng, demo_contacts, demo_goals, demo_worker["outreach"], last)
    db.session.flush()

    # Incidents draw on their own stream, so adding them left every other record as it was.
    holders: dict[str, list[tuple[Participant, _CasePlan]]] = {}
    for index in range(len(people)):
        for plan in plans_by_person[index]:
            holders.setdefault(plan.program, []).append((people[owner.get(index, index)], plan))
    incidents, incident_links = _incidents(random.Random(f"{seed}-incidents"), holders, last, outreach_supervisor)
    db.session.add_all(incidents)
    db.session.flush()
    unique_links = {(link.incident.id, link.participant_id): link for link in incident_links}
    db.session.add_all(unique_links.values())
    injuries, claims = _hvip_records(
        random.Random(f"{seed}-hvip"), holders.get("hvip", []), programs["hvip"], last, workers["hvip"][0]
    )
    db.session.add_all(injuries + claims)
    db.session.flush()

    # The street outreach and focused deterrence modules, each on its own stream as well.
    from caseflow.demo_modules import seed_deterrence, seed_outreach  # builds on this module's helpers

    outreach_counts = seed_outreach(
        random.Random(f"{seed}-outreach"),
        programs["outreach"],
        workers["outreach"],
        holders.get("outreach", []),
        incidents,
        last,
    )
    fd_counts = seed_deterrence(
        random.Random(f"{seed}-deterrence"), programs["fd"], workers["fd"], holders.get("fd", []), last
    )

    open_cases = sum(plan.is_open for plan in plans)
    return (
        f"Loaded demo data: {len(programs)} programs, {len(users)} staff accounts ({membership_count} memberships), "
        f"{len(PROVIDERS)} service providers, {participants:,} participants ({len(merged)} merged, "
        f"{len(unmerged)} likely duplicates left to merge), {len(plans):,} cases ({open_cases:,} open, "
        f"{counts['handoffs']} warm hand-offs, {counts['reassignments']} reassigned), "
        f"{counts['screenings']:,} screenings, {counts['contacts']:,} contacts, "
        f"{counts['referrals']:,} referrals ({counts['identified_referrals']:,} under a release), "
        f"{counts['goals']:,} goals, {counts['outcomes']:,} outcomes, {counts['assessments']:,} assessments, "
        f"{counts['consents']:,} consents ({counts['people_with_consent']:,} people with releases), "
        f"closure requests: {closure_counts['approved']:,} approved, {closure_counts['pending']} waiting, "
        f"{closure_counts['rejected']} rejected; {deleted[0]} contacts and {deleted[1]} goal deleted; "
        f"{len(incidents)} shooting incidents ({len(unique_links)} linked to participants); "
        f"{len(injuries)} HVIP injuries ({sum(i.participant_id is None for i in injuries)} patients never enrolled), "
        f"{len(claims)} compensation claims; "
        f"street outreach: {outreach_counts['mediations']} mediations "
        f"({outreach_counts['mediation_people']} enrolled people linked), "
        f"{outreach_counts['responses']} shooting responses, {outreach_counts['activities']} community activities, "
        f"{outreach_counts['follow_ups']} follow-ups; "
        f"focused deterrence: {fd_counts['groups']} groups ({fd_counts['affiliations']} affiliations), "
        f"{fd_counts['call_ins']} call-ins ({fd_counts['invited']} invited, {fd_counts['attended']} attended, "
        f"{fd_counts['accepted_help']} accepted help), {fd_counts['notifications']} custom notifications "
        f"({fd_counts['delivered']} delivered, {fd_counts['offers_accepted']} offers accepted), "
        f"{fd_counts['follow_ups']} follow-ups; "
        f"{len(protected)} IPV-protected participants, seen only by victim-services staff (hvip@{DOMAIN}). "
        f"Log in as outreach@{DOMAIN} (or hvip@, fd@, supervisor@, manager@, admin@, partner@) "
        f"with password {DEMO_PASSWORD}."
    )
