"""`flask seed-demo --scale large` at a small custom size: bulk history that the app can use like its own."""

from datetime import datetime, timedelta

from sqlalchemy import func, select, text

from caseflow.audit.chain import verify_chain
from caseflow.consents.services import one_year_after
from caseflow.crypto import CIPHERTEXT_PREFIX
from caseflow.demo import PROGRAMS as DEMO_PROGRAMS
from caseflow.extensions import db
from caseflow.models import (
    Assessment,
    AuditEvent,
    CallIn,
    CallInInvitee,
    Case,
    Consent,
    Contact,
    FollowUp,
    Incident,
    Instrument,
    Mediation,
    Notification,
    Participant,
    Program,
    ProgramCriterion,
    ProgramMembership,
    Referral,
    Screening,
    ShootingResponse,
    User,
)
from caseflow.models.base import utcnow
from caseflow.reports.registry import ReportScope
from caseflow.reports.run import compute_report
from caseflow.reports.templates import TEMPLATES
from caseflow.timezones import local_today, to_local
from tests.conftest import login


def _seed(app, *args):
    result = app.test_cli_runner().invoke(
        args=[
            "seed-demo",
            "--scale",
            "large",
            "--participants",
            "700",
            "--contacts",
            "6000",
            "--referrals",
            "600",
            *args,
        ]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_large_scale_adds_programs_people_and_history_on_top_of_the_demo(app):
    output = _seed(app)
    assert "Bulk history:" in output
    count = lambda model: db.session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
    assert count(Participant) == 700
    assert count(Contact) >= 6000 + 4000  # the demo's own contacts and the bulk ones
    assert count(Referral) >= 600
    assert count(Program) > 3
    # The bulk history writes no audit rows, so the chain is still whole.
    assert verify_chain().problem is None
    assert count(AuditEvent) == 0
    # Bulk notes are stored encrypted, like the app's own, and read back as text.
    raw = db.session.execute(text("SELECT notes FROM contacts WHERE notes <> '' ORDER BY id DESC LIMIT 20")).scalars()
    stored = list(raw)
    assert stored and all(value.startswith(CIPHERTEXT_PREFIX) for value in stored)
    contact = db.session.execute(select(Contact).where(Contact.notes != "").order_by(Contact.id.desc())).scalars()
    assert not next(iter(contact)).notes.startswith(CIPHERTEXT_PREFIX)
    # Explicit ids in the bulk load leave PostgreSQL's sequences past them, so ordinary inserts still work.
    case = db.session.execute(select(Case).where(Case.status == "active").limit(1)).scalar_one()
    before = db.session.execute(select(func.max(Contact.id))).scalar_one()
    added = Contact(case_id=case.id, occurred_at=datetime(2026, 1, 5, 15, 0), mode="phone", contact_type="check_in")
    db.session.add(added)
    db.session.commit()
    assert added.id > before


def test_the_outreach_demo_login_has_a_case_with_500_contacts_and_it_opens(app, client):
    _seed(app)
    worker = db.session.execute(select(User).where(User.email == "outreach@demo.caseflow.org")).scalar_one()
    busiest = db.session.execute(
        select(Case.id, func.count(Contact.id))
        .join(Contact, Contact.case_id == Case.id)
        .where(Case.assigned_worker_id == worker.id)
        .group_by(Case.id)
        .order_by(func.count(Contact.id).desc())
        .limit(1)
    ).one()
    assert busiest[1] == 500
    login(client, "outreach@demo.caseflow.org", "demo-password-1234")
    assert client.get(f"/cases/{busiest[0]}").status_code == 200


def _seed_three_kinds(app):
    """A bulk history big enough for one bulk program of each kind (street outreach, HVIP, focused deterrence)."""
    return _seed(app, "--participants", "1600", "--referrals", "1500")


def _programs():
    """{kind: (demo program id, bulk program id)} for each kind of program."""
    demo_names = {name for _key, _kind, name, *_ in DEMO_PROGRAMS}
    found: dict[str, list[int]] = {}
    for program_id, kind, name in db.session.execute(
        select(Program.id, Program.kind, Program.name).order_by(Program.id)
    ):
        found.setdefault(kind, []).append(program_id if name in demo_names else -program_id)
    return {kind: (max(ids), -min(ids)) for kind, ids in found.items()}


def _per(model_count, join_count) -> float:
    return model_count / max(1, join_count)


def test_bulk_module_records_come_in_the_demo_proportions(app):
    _seed_three_kinds(app)
    programs = _programs()
    assert set(programs) == {"street_outreach", "hvip", "focused_deterrence"}
    demo_ids = [demo for demo, _ in programs.values()]
    bulk_ids = [bulk for _, bulk in programs.values()]
    scalar = lambda stmt: db.session.execute(stmt).scalar_one()  # noqa: E731

    def per_case(model, program_ids):
        records = scalar(
            select(func.count(model.id)).join(Case, Case.id == model.case_id).where(Case.program_id.in_(program_ids))
        )
        return _per(records, scalar(select(func.count(Case.id)).where(Case.program_id.in_(program_ids))))

    def per_program(model, program_id):
        return scalar(select(func.count(model.id)).where(model.program_id == program_id))

    # Per case, per person and per program, the bulk history has what the demo has, within a factor of two.
    for model in (Screening, Assessment):
        assert 0.5 < per_case(model, bulk_ids) / per_case(model, demo_ids) < 2, model
    people = lambda ids: scalar(select(func.count(func.distinct(Case.participant_id))).where(Case.program_id.in_(ids)))  # noqa: E731
    consents = lambda ids: scalar(select(func.count(Consent.id)).where(Consent.program_id.in_(ids)))  # noqa: E731
    assert 0.5 < _per(consents(bulk_ids), people(bulk_ids)) / _per(consents(demo_ids), people(demo_ids)) < 2
    demo_fd, bulk_fd = programs["focused_deterrence"]
    # Call-ins come about quarterly: the demo's 18 months hold 6, the bulk's four years about 16.
    assert 12 <= per_program(CallIn, bulk_fd) <= 20 and per_program(CallIn, demo_fd) == 6
    invited = lambda program: scalar(  # noqa: E731
        select(func.count(CallInInvitee.id)).join(CallIn).where(CallIn.program_id == program)
    )
    fd_cases = lambda program: scalar(select(func.count(Case.id)).where(Case.program_id == program))  # noqa: E731
    assert 0.5 < _per(invited(bulk_fd), fd_cases(bulk_fd)) / _per(invited(demo_fd), fd_cases(demo_fd)) < 2
    demo_so, bulk_so = programs["street_outreach"]
    ratio = lambda program: _per(per_program(ShootingResponse, program), per_program(Mediation, program))  # noqa: E731
    assert 0.5 < ratio(bulk_so) / ratio(demo_so) < 2
    # Follow-ups hang off each kind of parent record in the bulk programs.
    for parent, column in (
        (Mediation, FollowUp.mediation_id),
        (ShootingResponse, FollowUp.shooting_response_id),
        (Notification, FollowUp.notification_id),
    ):
        bulk_follow_ups = select(func.count(FollowUp.id)).join(parent, parent.id == column)
        assert scalar(bulk_follow_ups.where(parent.program_id.in_(bulk_ids))) > 0, parent
    # Every bulk program has its kind's intake sources, screen and instrument.
    for kind, (demo, bulk) in programs.items():
        for model in (ProgramCriterion, Instrument):
            assert per_program(model, bulk) == per_program(model, demo) > 0, (kind, model)
        assert scalar(select(Program.eligibility_threshold).where(Program.id == bulk)) > 0


def test_bulk_module_records_keep_the_domain_rules(app):
    _seed_three_kinds(app)
    bulk_ids = [bulk for _, bulk in _programs().values()]
    yesterday = local_today() - timedelta(days=1)
    rows = lambda stmt: db.session.execute(stmt).all()  # noqa: E731
    in_bulk = Case.program_id.in_(bulk_ids)
    # A screen agrees with its answers and its result, on the day the case left screening.
    for screening in db.session.execute(select(Screening).join(Case).where(in_bulk)).scalars():
        met = sum(answer.is_met for answer in screening.answers)
        assert screening.criteria_met == met >= screening.threshold and screening.result == "eligible"
        assert screening.screened_on == db.session.get(Case, screening.case_id).enrolled_on
    # Assessments follow the referral, come no later than yesterday, and set the case's risk level.
    for case, taken_at, referred_on in rows(
        select(Case.id, Assessment.taken_at, Case.referred_on)
        .join(Assessment, Assessment.case_id == Case.id)
        .where(in_bulk)
    ):
        assert referred_on <= to_local(taken_at).date() <= yesterday, case
    for case in db.session.execute(select(Case).where(in_bulk, Case.status == "active").limit(50)).scalars():
        latest = db.session.execute(
            select(Assessment).where(Assessment.case_id == case.id).order_by(Assessment.taken_at.desc()).limit(1)
        ).scalar_one()
        assert case.risk_level == latest.risk_level
        assert len(latest.answers) == len(db.session.get(Instrument, latest.instrument_id).items)
    # Consents last at most a year, and a referral carries identifying data only under a valid release.
    for consent in db.session.execute(select(Consent).where(Consent.program_id.in_(bulk_ids))).scalars():
        assert consent.signed_on <= yesterday and consent.expires_on <= one_year_after(consent.signed_on)
        assert "identity" in {c.category for c in consent.categories}
    identified = db.session.execute(
        select(Referral).join(Case).where(in_bulk, Referral.consent_id.is_not(None))
    ).scalars()
    identified = list(identified)
    assert identified
    for referral in identified:
        consent = db.session.get(Consent, referral.consent_id)
        assert not referral.is_anonymous and consent.provider_id == referral.provider_id
        assert consent.is_valid_on(referral.referred_on) or (
            consent.revoked_at is not None and referral.referred_on < consent.revoked_at.date()
        )
    # Call-in invitees held a case in the program; responses come after their shooting; nothing is done tomorrow.
    for program_id, participant_id in rows(
        select(CallIn.program_id, CallInInvitee.participant_id)
        .join(CallInInvitee)
        .where(CallIn.program_id.in_(bulk_ids))
    ):
        assert rows(select(Case.id).where(Case.program_id == program_id, Case.participant_id == participant_id))
    for responded, occurred in rows(
        select(ShootingResponse.first_response_at, Incident.occurred_at)
        .join(Incident)
        .where(ShootingResponse.program_id.in_(bulk_ids))
    ):
        assert occurred < responded and to_local(responded).date() <= yesterday
    assert db.session.execute(select(func.max(FollowUp.done_on))).scalar_one() <= yesterday
    assert db.session.execute(select(func.max(CallIn.held_at))).scalar_one() < utcnow()


def test_bulk_programs_pages_and_reports_render_and_the_audit_chain_holds(app, client):
    _seed_three_kinds(app)
    programs = _programs()
    pages = []
    for kind, (_demo, bulk) in programs.items():
        manager = db.session.execute(
            select(User.email)
            .join(ProgramMembership, ProgramMembership.user_id == User.id)
            .where(ProgramMembership.program_id == bulk, ProgramMembership.role == "manager")
        ).scalar_one()
        case = db.session.execute(
            select(Case).join(Screening).where(Case.program_id == bulk, Case.status == "active").limit(1)
        ).scalar_one()
        assessment = db.session.execute(select(Assessment.id).where(Assessment.case_id == case.id).limit(1)).scalar()
        urls = [
            f"/programs/{bulk}/dashboard",
            f"/cases/{case.id}",
            f"/cases/{case.id}/assessments",
            f"/assessments/{assessment}",
            f"/participants/{case.participant_id}/consents",
        ]
        consented = db.session.execute(
            select(Referral.id).join(Case).where(Case.program_id == bulk, Referral.consent_id.is_not(None)).limit(1)
        ).scalar()
        urls += [f"/referrals/{consented}"] if consented else []
        if kind == "street_outreach":
            response = db.session.execute(
                select(ShootingResponse.id).where(ShootingResponse.program_id == bulk)
            ).scalar()
            urls += [f"/outreach/{bulk}/responses", f"/responses/{response}", f"/outreach/{bulk}/figures"]
        if kind == "focused_deterrence":
            call_in = db.session.execute(select(CallIn.id).where(CallIn.program_id == bulk)).scalar()
            notification = db.session.execute(
                select(Notification.id).join(FollowUp).where(Notification.program_id == bulk)
            ).scalar()
            urls += [
                f"/deterrence/{bulk}/call-ins",
                f"/call-ins/{call_in}",
                f"/notifications/{notification}",
                f"/deterrence/{bulk}/figures",
            ]
        if kind == "hvip":
            urls += [f"/hvip/{bulk}/injuries"]
        pages.append((manager, urls))
        # Every funder template computes over the bulk program's last four years.
        scope = ReportScope((bulk,), local_today() - timedelta(days=4 * 365), local_today() - timedelta(days=1))
        for template in TEMPLATES.values():
            assert compute_report(template, scope).sections, (kind, template.id)
    for manager, urls in pages:
        login(client, manager, "demo-password-1234")
        for url in urls:
            assert client.get(url).status_code == 200, url
    # The pages wrote their audit rows onto the chain the bulk load left untouched: it still verifies.
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar_one() > 0
    assert verify_chain().problem is None
