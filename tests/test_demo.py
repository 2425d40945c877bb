"""The demo data set: what it loads, that it is repeatable, consistent, loggable-into, and the CLI guard."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import g
from jinja2 import TemplateNotFound
from sqlalchemy import func, select

from caseflow.consents.services import find_valid_consent, one_year_after
from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.models import (
    Assessment,
    AssessmentAnswer,
    Case,
    CaseAssignment,
    CaseStatusChange,
    ClosureRequest,
    Consent,
    ConsentCategory,
    Contact,
    Goal,
    Instrument,
    InstrumentItem,
    Participant,
    ParticipantAlias,
    ParticipantMerge,
    Program,
    ProgramCriterion,
    ProgramMembership,
    ProgramReferralSource,
    Referral,
    ReferralStatusChange,
    Screening,
    ScreeningAnswer,
    User,
    can_transition,
)
from caseflow.models.case import OPEN_STATUSES
from caseflow.models.referral import REFERRAL_TRANSITIONS
from caseflow.participants.matching import Candidate, Probe, score
from caseflow.participants.services import duplicates_of
from caseflow.permissions import case_scope
from caseflow.softdelete import deleted_items
from caseflow.timezones import to_local
from tests.conftest import login

TODAY = date(2026, 3, 1)
LAST = TODAY - timedelta(days=1)  # the demo dates nothing later than yesterday
DEMO_PASSWORD = "demo-password-1234"
DEMO_ACCOUNTS = {
    "admin@demo.caseflow.org": (True, {}),
    "outreach@demo.caseflow.org": (False, {"Street Outreach": "worker"}),
    "hvip@demo.caseflow.org": (False, {"HVIP at Mercy General Hospital": "worker"}),
    "fd@demo.caseflow.org": (False, {"Focused Deterrence": "worker"}),
    "supervisor@demo.caseflow.org": (False, {"Street Outreach": "supervisor"}),
    "manager@demo.caseflow.org": (
        False,
        {"Street Outreach": "manager", "HVIP at Mercy General Hospital": "manager", "Focused Deterrence": "manager"},
    ),
}


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def user(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def people() -> list[tuple]:
    return list(
        db.session.execute(
            select(Participant.first_name, Participant.last_name, Participant.date_of_birth).order_by(Participant.id)
        ).all()
    )


def test_seed_loads_programs_participants_and_demo_accounts(app):
    summary = seed_demo(seed=7, participants=40, erase=False, today=TODAY)
    db.session.commit()

    programs = {p.name: p for p in db.session.execute(select(Program)).scalars()}
    assert {name: p.kind for name, p in programs.items()} == {
        "Street Outreach": "street_outreach",
        "HVIP at Mercy General Hospital": "hvip",
        "Focused Deterrence": "focused_deterrence",
    }
    assert programs["Focused Deterrence"].contact_frequency_days == 14
    assert count(Participant) == 40
    for email, (is_admin, roles) in DEMO_ACCOUNTS.items():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        assert user.is_admin is is_admin
        memberships = db.session.execute(
            select(Program.name, ProgramMembership.role)
            .join(Program, Program.id == ProgramMembership.program_id)
            .where(ProgramMembership.user_id == user.id)
        ).all()
        assert dict(memberships) == roles
    assert "40 participants" in summary and DEMO_PASSWORD in summary


def test_same_seed_and_day_give_the_same_data(app):
    seed_demo(seed=11, participants=40, erase=False, today=TODAY)
    first, first_contacts, first_records = people(), count(Contact), workflow_records()
    seed_demo(seed=11, participants=40, erase=True, today=TODAY)
    assert people() == first
    assert count(Contact) == first_contacts
    assert workflow_records() == first_records
    assert count(Participant) == 40

    seed_demo(seed=12, participants=40, erase=True, today=TODAY)
    assert people() != first


def workflow_records() -> list:
    """The new workflow rows as plain values, ids counted from each table's first (sequences do not restart)."""

    def offset(column) -> int:
        return db.session.execute(select(func.min(column))).scalar_one() or 0

    case0, consent0, person0 = offset(Case.id), offset(Consent.id), offset(Participant.id)
    return [
        [
            (c - case0, r, n)
            for c, r, n in db.session.execute(
                select(Screening.case_id, Screening.result, Screening.criteria_met).order_by(Screening.id)
            )
        ],
        [
            (c - case0, s, r)
            for c, s, r in db.session.execute(
                select(ClosureRequest.case_id, ClosureRequest.status, ClosureRequest.reason).order_by(ClosureRequest.id)
            )
        ],
        [c - case0 for c in db.session.execute(select(CaseAssignment.case_id).order_by(CaseAssignment.id)).scalars()],
        [
            (k - person0, r - person0)
            for k, r in db.session.execute(
                select(ParticipantMerge.kept_id, ParticipantMerge.retired_id).order_by(ParticipantMerge.id)
            )
        ],
        [
            None if c is None else c - consent0
            for c in db.session.execute(select(Referral.consent_id).order_by(Referral.id)).scalars()
        ],
    ]


def forget_cached_user() -> None:
    """The fixture's app context outlives requests, so drop Flask-Login's per-request user cache in g."""
    g.pop("_login_user", None)


def test_every_demo_account_can_log_in(app):
    seed_demo(seed=7, participants=40, erase=False, today=TODAY)
    db.session.commit()
    try:
        app.jinja_env.get_template("main/home.html")
        home_renders = True
    except TemplateNotFound:  # the page templates are still being written
        home_renders = False
    for email in DEMO_ACCOUNTS:
        client = app.test_client()
        forget_cached_user()
        response = login(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        assert urlsplit(response.headers["Location"]).path == "/", email
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        with client.session_transaction() as session:
            assert session.get("_user_id") == user.session_token, email
        if home_renders:
            forget_cached_user()
            assert client.get("/").status_code == 200, email


def test_wrong_password_does_not_log_in_a_demo_account(app):
    seed_demo(seed=7, participants=5, erase=False, today=TODAY)
    db.session.commit()
    client = app.test_client()
    forget_cached_user()
    login(client, "admin@demo.caseflow.org", "not-the-demo-password")
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_demo_data_is_consistent(app):
    seed_demo(seed=2026, participants=300, erase=False, today=TODAY)
    db.session.commit()
    cases = {c.id: c for c in db.session.execute(select(Case)).scalars()}
    assert count(Participant) == 300

    open_per_program = defaultdict(int)
    for case in cases.values():
        if case.status in OPEN_STATUSES:
            open_per_program[(case.participant_id, case.program_id)] += 1
        assert (case.status == "closed") == (case.closed_on is not None) == (case.closure_reason is not None)
        if case.status in ("active", "inactive", "closed"):
            assert case.referred_on <= case.enrolled_on <= (case.closed_on or TODAY)
    assert max(open_per_program.values()) == 1

    history = defaultdict(list)
    for change in db.session.execute(
        select(CaseStatusChange).order_by(CaseStatusChange.case_id, CaseStatusChange.changed_at, CaseStatusChange.id)
    ).scalars():
        history[change.case_id].append(change)
    assert set(history) == set(cases)
    for case_id, changes in history.items():
        assert changes[0].from_status is None and changes[0].to_status == "referred"
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_status == before.to_status
            assert can_transition(after.from_status, after.to_status)
            assert after.changed_at > before.changed_at
        assert changes[-1].to_status == cases[case_id].status

    contacts = db.session.execute(select(Contact.case_id, Contact.occurred_at)).all()
    assert 3000 < len(contacts) < 9000
    for case_id, occurred_at in contacts:
        case = cases[case_id]
        assert case.enrolled_on is not None
        assert case.enrolled_on <= to_local(occurred_at).date() <= (case.closed_on or TODAY)

    referral_history = defaultdict(list)
    for change in db.session.execute(
        select(ReferralStatusChange).order_by(ReferralStatusChange.referral_id, ReferralStatusChange.id)
    ).scalars():
        referral_history[change.referral_id].append(change)
    for referral in db.session.execute(select(Referral)).scalars():
        changes = referral_history[referral.id]
        assert (changes[0].from_status, changes[0].to_status) == (None, "referred")
        assert changes[-1].to_status == referral.status
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.to_status in REFERRAL_TRANSITIONS[before.to_status]
            assert after.changed_on >= before.changed_on
        assert referral.due_on == referral.referred_on + timedelta(days=14)
    assert all(c.expires_on >= c.signed_on for c in db.session.execute(select(Consent)).scalars())

    for email in ("outreach@demo.caseflow.org", "hvip@demo.caseflow.org", "fd@demo.caseflow.org"):
        caseload = db.session.execute(
            select(func.count(Case.id))
            .join(User, User.id == Case.assigned_worker_id)
            .where(User.email == email, Case.status.in_(OPEN_STATUSES))
        ).scalar_one()
        assert 10 <= caseload <= 20, email

    check_workflow_records()
    # At full size the demo shows every kind of closure request and a realistic share of reassignments.
    statuses = Counter(db.session.execute(select(ClosureRequest.status)).scalars())
    assert 1 <= statuses["rejected"] <= 2
    assert 0.10 <= count(CaseAssignment) / len(cases) <= 0.20
    assert 5 <= db.session.execute(select(func.count()).where(Case.handed_off_from_id.is_not(None))).scalar_one()


def test_seed_demo_command_refuses_to_overwrite_without_force(app):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["seed-demo", "--participants", "20"])
    assert result.exit_code == 0, result.output
    assert count(Participant) == 20
    before = people()

    result = runner.invoke(args=["seed-demo", "--participants", "30"])
    assert result.exit_code != 0
    assert "--force" in result.output
    assert people() == before

    result = runner.invoke(args=["seed-demo", "--participants", "30", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert people() == before

    result = runner.invoke(args=["seed-demo", "--participants", "30", "--force"])
    assert result.exit_code == 0, result.output
    assert count(Participant) == 30
    assert count(User) == 10


# --- the case workflow records (migration 0002): every feature in use, and every rule kept -------------------

PROGRAM_SOURCES = {
    "Street Outreach": {"community", "self", "family", "school", "probation_court", "other_program", "police"},
    "HVIP at Mercy General Hospital": {"emergency_department", "self", "family", "other_program"},
    "Focused Deterrence": {"probation_court", "police", "community", "other_program"},
}
THRESHOLDS = {"Street Outreach": 4, "HVIP at Mercy General Hospital": 3, "Focused Deterrence": 3}
SCREEN_RESULTS = {"active": "eligible", "ineligible": "ineligible", "declined": "declined"}


def seed_small(participants: int = 60) -> None:
    seed_demo(seed=2026, participants=participants, erase=False, today=TODAY)
    db.session.commit()


def programs_by_name() -> dict[str, Program]:
    return {p.name: p for p in db.session.execute(select(Program)).scalars()}


def members(*roles: str) -> set[tuple[int, int]]:
    """(user id, program id) pairs holding one of the roles."""
    return set(
        db.session.execute(
            select(ProgramMembership.user_id, ProgramMembership.program_id).where(ProgramMembership.role.in_(roles))
        ).all()
    )


def local_day(at) -> date:
    return to_local(at).date()


def check_intake_settings() -> None:
    programs = programs_by_name()
    assert set(programs) == set(PROGRAM_SOURCES)
    for name, program in programs.items():
        criteria = list(
            db.session.execute(select(ProgramCriterion).where(ProgramCriterion.program_id == program.id)).scalars()
        )
        assert 5 <= len(criteria) <= 7, name
        assert all(c.is_active and c.deleted_at is None for c in criteria)
        assert len({c.text for c in criteria}) == len(criteria)
        assert program.eligibility_threshold == THRESHOLDS[name]
        assert program.eligibility_threshold < len(criteria)
        sources = set(
            db.session.execute(
                select(ProgramReferralSource.source).where(ProgramReferralSource.program_id == program.id)
            ).scalars()
        )
        assert sources == PROGRAM_SOURCES[name], name
    outside = db.session.execute(
        select(Case.id).where(
            ~select(ProgramReferralSource.source)
            .where(
                ProgramReferralSource.program_id == Case.program_id,
                ProgramReferralSource.source == Case.referral_source,
            )
            .exists()
        )
    ).all()
    assert outside == []


def check_screenings() -> None:
    cases = {c.id: c for c in db.session.execute(select(Case)).scalars()}
    thresholds = {p.id: p.eligibility_threshold for p in programs_by_name().values()}
    criteria = defaultdict(set)
    for criterion in db.session.execute(select(ProgramCriterion)).scalars():
        criteria[criterion.program_id].add(criterion.id)
    workers = members("worker")
    exits = {
        change.case_id: change
        for change in db.session.execute(
            select(CaseStatusChange).where(CaseStatusChange.from_status == "screening")
        ).scalars()
    }
    screenings = list(db.session.execute(select(Screening)).scalars())
    assert Counter(s.case_id for s in screenings) == Counter(set(exits))  # one screen per case that left screening
    answers = defaultdict(list)
    for answer in db.session.execute(select(ScreeningAnswer)).scalars():
        answers[answer.screening_id].append(answer)
    assert {s.result for s in screenings} == {"eligible", "ineligible", "declined"}
    for screening in screenings:
        case = cases[screening.case_id]
        exit_ = exits[case.id]
        assert screening.result == SCREEN_RESULTS[exit_.to_status]
        assert screening.screened_on == local_day(exit_.changed_at)
        assert case.referred_on <= screening.screened_on <= (case.enrolled_on or LAST)
        assert (screening.screened_by_id, case.program_id) in workers
        assert screening.threshold == thresholds[case.program_id]
        mine = answers[screening.id]
        assert {a.criterion_id for a in mine} == criteria[case.program_id]
        assert screening.criteria_met == sum(a.is_met for a in mine)
        if screening.result == "eligible":
            assert screening.criteria_met >= screening.threshold
        elif screening.result == "ineligible":
            assert screening.criteria_met < screening.threshold


def check_assessments() -> None:
    cases = {c.id: c for c in db.session.execute(select(Case)).scalars()}
    instruments = {i.program_id: i for i in db.session.execute(select(Instrument)).scalars()}
    assert len(instruments) == 3 == count(Instrument)
    items = {}
    for item in db.session.execute(select(InstrumentItem)).scalars():
        assert 1 <= item.max_points <= 3
        items[item.id] = item
    per_instrument = Counter(item.instrument_id for item in items.values())
    assert all(4 <= n <= 6 for n in per_instrument.values())
    answers = defaultdict(list)
    for answer in db.session.execute(select(AssessmentAnswer)).scalars():
        answers[answer.assessment_id].append(answer)
    history = defaultdict(list)
    for assessment in db.session.execute(select(Assessment).order_by(Assessment.taken_at)).scalars():
        instrument = instruments[cases[assessment.case_id].program_id]
        assert assessment.instrument_id == instrument.id
        assert assessment.instrument == instrument.name
        mine = answers[assessment.id]
        assert sorted(a.item_id for a in mine) == sorted(
            i for i, item in items.items() if item.instrument_id == instrument.id
        )
        for answer in mine:
            assert 0 <= answer.points <= items[answer.item_id].max_points
            assert answer.item == items[answer.item_id].text
        assert assessment.score == sum(a.points for a in mine)
        assert local_day(assessment.taken_at) <= LAST
        history[assessment.case_id].append(assessment.score)
    repeated = [scores for scores in history.values() if len(scores) > 1]
    assert repeated
    # Change over time: scores fall more often than they rise.
    assert sum(s[-1] < s[0] for s in repeated) > sum(s[-1] > s[0] for s in repeated)


def check_assignments() -> None:
    cases = {c.id: c for c in db.session.execute(select(Case)).scalars()}
    workers, supervising = members("worker"), members("supervisor", "manager")
    assignments = list(db.session.execute(select(CaseAssignment)).scalars())
    assert assignments
    assert max(Counter(a.case_id for a in assignments).values()) == 1
    for change in assignments:
        case = cases[change.case_id]
        assert change.to_worker_id == case.assigned_worker_id != change.from_worker_id
        assert (change.from_worker_id, case.program_id) in workers
        assert (change.changed_by_id, case.program_id) in supervising
        assert case.referred_on <= local_day(change.changed_at) <= LAST


def check_closure_requests() -> None:
    cases = {c.id: c for c in db.session.execute(select(Case)).scalars()}
    workers, supervising = members("worker"), members("supervisor", "manager")
    requests = defaultdict(list)
    for request_ in db.session.execute(select(ClosureRequest).order_by(ClosureRequest.requested_at)).scalars():
        requests[request_.case_id].append(request_)
        case = cases[request_.case_id]
        assert (request_.requested_by_id, case.program_id) in workers
        if request_.status == "pending":
            assert request_.decided_by_id is None and request_.decided_at is None
            assert case.status in ("active", "inactive")
        else:
            assert (request_.decided_by_id, case.program_id) in supervising
            assert request_.requested_at < request_.decided_at
            assert local_day(request_.decided_at) <= LAST
    closings = Counter(
        db.session.execute(select(CaseStatusChange.case_id).where(CaseStatusChange.to_status == "closed")).scalars()
    )
    for case_id, case in cases.items():
        approved = [r for r in requests[case_id] if r.status == "approved"]
        assert len(approved) == closings[case_id]  # every closing was approved, reopened ones too
        assert sum(r.status == "pending" for r in requests[case_id]) <= 1
        if case.status == "closed":
            assert approved[-1].reason == case.closure_reason
            assert local_day(approved[-1].decided_at) == case.closed_on
    programs = programs_by_name()
    waiting = [r for rows in requests.values() for r in rows if r.status == "pending"]
    outreach = [r for r in waiting if cases[r.case_id].program_id == programs["Street Outreach"].id]
    assert 3 <= len(outreach) <= 5
    assert all(cases[r.case_id].status == "active" for r in outreach)
    # The supervisor's and the manager's approval queues (the closure-requests page's query) are not empty.
    for email in ("supervisor@demo.caseflow.org", "manager@demo.caseflow.org"):
        supervisor = user(email)
        supervised = select(ProgramMembership.program_id).where(
            ProgramMembership.user_id == supervisor.id, ProgramMembership.role.in_(("supervisor", "manager"))
        )
        queue = db.session.execute(
            select(ClosureRequest.id)
            .join(Case, Case.id == ClosureRequest.case_id)
            .where(ClosureRequest.status == "pending", Case.program_id.in_(supervised), case_scope(supervisor))
        ).all()
        assert len(queue) >= 3, email
    # The outreach demo login sees some of its own requests waiting.
    outreach_worker = user("outreach@demo.caseflow.org").id
    assert any(cases[r.case_id].assigned_worker_id == outreach_worker for r in outreach)


def check_handoffs() -> None:
    programs = programs_by_name()
    outreach, hvip = programs["Street Outreach"], programs["HVIP at Mercy General Hospital"]
    handoffs = list(db.session.execute(select(Case).where(Case.handed_off_from_id.is_not(None))).scalars())
    assert handoffs
    for case in handoffs:
        source = db.session.get(Case, case.handed_off_from_id)
        assert (source.program_id, case.program_id) == (hvip.id, outreach.id)
        assert source.participant_id == case.participant_id
        assert case.referral_source == "other_program"
        assert source.enrolled_on <= case.referred_on <= (source.closed_on or LAST)
        consent = find_valid_consent(
            case.participant_id,
            case.referred_on,
            recipient_program_id=outreach.id,
            categories=frozenset({"identity", "case_summary"}),
        )
        assert consent is not None, case.id
        assert consent.program_id == hvip.id and consent.recipient == outreach.name
        assert consent.expires_on <= one_year_after(consent.signed_on)


def check_referral_consents() -> None:
    consents = {c.id: c for c in db.session.execute(select(Consent)).scalars()}
    categories = defaultdict(set)
    for consent_id, category in db.session.execute(select(ConsentCategory.consent_id, ConsentCategory.category)):
        categories[consent_id].add(category)
    for consent in consents.values():
        assert consent.signed_on <= consent.expires_on <= one_year_after(consent.signed_on)
        assert consent.signed_on <= LAST
    kinds = Counter()
    for referral, participant_id in db.session.execute(
        select(Referral, Case.participant_id).join(Case, Case.id == Referral.case_id)
    ).all():
        kinds[referral.is_anonymous] += 1
        if referral.is_anonymous:
            assert referral.consent_id is None
            continue
        consent = consents.get(referral.consent_id)
        assert consent is not None, referral.id
        assert consent.participant_id == participant_id
        assert consent.provider_id == referral.provider_id
        assert "identity" in categories[consent.id]
        assert consent.signed_on <= referral.referred_on <= consent.expires_on
        assert consent.revoked_at is None or referral.referred_on < local_day(consent.revoked_at)
    assert kinds[True] and kinds[False]


def check_merges() -> None:
    supervisor = user("supervisor@demo.caseflow.org")
    merges = list(db.session.execute(select(ParticipantMerge)).scalars())
    assert len(merges) == 2
    for merge in merges:
        kept, retired = db.session.get(Participant, merge.kept_id), db.session.get(Participant, merge.retired_id)
        assert merge.merged_by_id == supervisor.id
        assert retired.merged_into_id == kept.id and retired.deleted_at is not None
        assert retired.deleted_by_id == supervisor.id and local_day(retired.deleted_at) <= LAST
        assert kept.deleted_at is None and kept.merged_into_id is None
        assert retired.date_of_birth == kept.date_of_birth is not None
        assert retired.display_name != kept.display_name
        assert db.session.execute(select(Case.id).where(Case.participant_id == retired.id)).all() == []
        assert db.session.execute(select(Consent.id).where(Consent.participant_id == retired.id)).all() == []
        aliases = db.session.execute(
            select(ParticipantAlias.name).where(ParticipantAlias.participant_id == kept.id)
        ).scalars()
        assert retired.display_name in set(aliases)


def check_likely_duplicates() -> None:
    """Two pairs of live records look like one person and were left for a supervisor to merge."""
    live = list(
        db.session.execute(
            select(Participant).where(Participant.deleted_at.is_(None), Participant.date_of_birth.is_not(None))
        ).scalars()
    )
    by_birth = defaultdict(list)
    for person in live:
        by_birth[person.date_of_birth].append(person)
    programs_of = defaultdict(set)
    for participant_id, program_id in db.session.execute(select(Case.participant_id, Case.program_id)):
        programs_of[participant_id].add(program_id)
    pairs = []
    for group in by_birth.values():
        for a in group:
            for b in group:
                if a.id < b.id:
                    probe = Probe(names=(a.display_name,), date_of_birth=a.date_of_birth)
                    found = score(probe, Candidate(b.id, b.first_name, b.last_name, b.date_of_birth))
                    if found is not None and found.strong and not programs_of[a.id] & programs_of[b.id]:
                        pairs.append((a, b))
    assert len(pairs) >= 2
    manager = user("manager@demo.caseflow.org")
    for a, b in pairs:
        assert b.id in [m.participant.id for m in duplicates_of(manager, a).matches]


def check_deleted_items() -> None:
    outreach = programs_by_name()["Street Outreach"]
    worker = user("outreach@demo.caseflow.org")
    deleted_contacts = list(
        db.session.execute(
            select(Contact, Case).join(Case, Case.id == Contact.case_id).where(Contact.deleted_at.is_not(None))
        ).all()
    )
    deleted_goals = list(
        db.session.execute(
            select(Goal, Case).join(Case, Case.id == Goal.case_id).where(Goal.deleted_at.is_not(None))
        ).all()
    )
    assert 3 <= len(deleted_contacts) <= 4 and len(deleted_goals) == 1
    for record, case in deleted_contacts + deleted_goals:
        assert case.program_id == outreach.id and case.deleted_at is None
        assert record.deleted_by_id == worker.id
        assert local_day(record.deleted_at) <= LAST
    for contact, _ in deleted_contacts:
        assert contact.occurred_at < contact.deleted_at
    for email in ("supervisor@demo.caseflow.org", "manager@demo.caseflow.org"):
        kinds = Counter(item.kind for item in deleted_items(user(email)))
        assert kinds["contact"] == len(deleted_contacts) and kinds["goal"] == 1, email


def check_workflow_records() -> None:
    check_intake_settings()
    check_screenings()
    check_assessments()
    check_assignments()
    check_closure_requests()
    check_handoffs()
    check_referral_consents()
    check_merges()
    check_likely_duplicates()
    check_deleted_items()


def test_programs_have_intake_settings_and_cases_come_from_their_sources(app):
    seed_small()
    check_intake_settings()


def test_every_screened_case_has_a_screen_agreeing_with_its_path(app):
    seed_small()
    check_screenings()


def test_assessments_follow_their_instrument_and_fall_over_time(app):
    seed_small()
    check_assessments()


def test_reassignments_and_closure_requests_fit_the_cases(app):
    seed_small()
    check_assignments()
    check_closure_requests()


def test_handoffs_and_identified_referrals_rest_on_valid_consents(app):
    seed_small()
    check_handoffs()
    check_referral_consents()


def test_merged_and_duplicate_people(app):
    seed_small()
    check_merges()
    check_likely_duplicates()


def test_deleted_items_wait_for_the_supervisor(app):
    seed_small()
    check_deleted_items()


def test_no_workflow_record_is_dated_after_yesterday(app):
    seed_small()
    assert db.session.execute(select(func.max(Screening.screened_on))).scalar_one() <= LAST
    for column in (
        ClosureRequest.requested_at,
        ClosureRequest.decided_at,
        CaseAssignment.changed_at,
        ParticipantMerge.merged_at,
        Participant.deleted_at,
        Contact.deleted_at,
        Goal.deleted_at,
    ):
        latest = db.session.execute(select(func.max(column))).scalar_one()
        assert latest is not None and local_day(latest) <= LAST, column


def test_demo_has_an_incident_register_linked_to_live_participants(app):
    """Shootings behind HVIP referrals link their victims; links never point at a retired record."""
    from caseflow.models import Incident, IncidentPerson

    seed_small()
    assert count(Incident) >= 40
    kinds = set(db.session.execute(select(Incident.kind)).scalars())
    assert kinds == {"shooting", "shots_fired"}
    linked = (
        db.session.execute(select(Participant).join(IncidentPerson, IncidentPerson.participant_id == Participant.id))
        .scalars()
        .all()
    )
    assert linked and all(p.deleted_at is None and p.merged_into_id is None for p in linked)
    victims = db.session.execute(select(func.count()).where(IncidentPerson.role == "victim")).scalar_one()
    assert victims >= 5


def test_demo_hvip_injuries_walk_the_funnel(app):
    """Every HVIP case has an injury; unenrolled patients keep only age and gender; re-injuries are flagged."""
    from caseflow.models import CompensationClaim, Injury

    seed_small()
    hvip = programs_by_name()["HVIP at Mercy General Hospital"]
    hvip_cases = set(db.session.execute(select(Case.id).where(Case.program_id == hvip.id)).scalars())
    injured_cases = set(db.session.execute(select(Injury.case_id).where(Injury.case_id.is_not(None))).scalars())
    assert hvip_cases and hvip_cases <= injured_cases
    strangers = db.session.execute(select(Injury).where(Injury.participant_id.is_(None))).scalars().all()
    assert strangers and all(i.medical_record_number == "" and i.patient_age is not None for i in strangers)
    assert {i.funnel_stage for i in strangers} >= {"declined", "not_approached"}
    assert db.session.execute(select(func.count()).where(Injury.is_reinjury.is_(True))).scalar_one() >= 1
    assert count(CompensationClaim) >= 1
