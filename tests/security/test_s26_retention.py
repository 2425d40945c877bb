"""S26: retention per program; the purge removes old records with every row on them, audited by id only."""

import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, func, select, text

from caseflow import create_app
from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.models import (
    AuditEvent,
    Case,
    CaseAssignment,
    CaseStatusChange,
    ClosureRequest,
    Consent,
    ConsentCategory,
    Contact,
    Goal,
    Incident,
    IncidentPerson,
    Notification,
    Outcome,
    Participant,
    ParticipantAlias,
    ParticipantRaceEthnicity,
    Program,
    ProgramMembership,
    Referral,
    ReferralStatusChange,
    ReportRun,
    User,
)
from caseflow.retention.purge import (
    SOFT_DELETED_KINDS,
    SOFT_DELETES_KEPT,
    PurgeError,
    plan_purge,
    retention_cutoff,
    unclassified_foreign_keys,
)
from caseflow.timezones import local_today
from tests.conftest import USING_POSTGRES, audit_count, login

CANARY_FIRST, CANARY_LAST = "Quenby", "Zarathustrakis"
NOTE_CANARY = "Frobozzian"
sqlite_only = pytest.mark.skipif(USING_POSTGRES, reason="SQLite storage behaviour")


def _years_ago(years: int, days: int = 0) -> date:
    return retention_cutoff(years) - timedelta(days=days)


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=12)


def _ended_case(make_case, program, *, closed: date, **person) -> Case:
    """A case closed on a given day, with its status history."""
    case = make_case(program, status="closed", **person)
    case.closed_on = closed
    case.closure_reason = "goals_met"
    db.session.add(CaseStatusChange(case_id=case.id, from_status="active", to_status="closed", changed_at=_at(closed)))
    db.session.commit()
    return case


def _fill(case: Case, author: User) -> None:
    """One row in each table a case and its person commonly carry, all naming the canary."""
    on = case.closed_on or local_today()
    participant = case.participant
    consent = Consent(
        participant_id=participant.id,
        program_id=case.program_id,
        recipient=f"Housing office for {CANARY_LAST}",
        signed_on=on - timedelta(days=300),
        expires_on=on + timedelta(days=60),
    )
    referral = Referral(case_id=case.id, service_category="housing", referred_on=on - timedelta(days=200))
    incident = Incident(occurred_at=_at(on - timedelta(days=400)), area="Northside", source="police")
    db.session.add_all([consent, referral, incident])
    db.session.flush()
    referral.consent_id = consent.id
    db.session.add_all(
        [
            ConsentCategory(consent_id=consent.id, category="identity"),
            ReferralStatusChange(referral_id=referral.id, to_status="referred", changed_on=referral.referred_on),
            Contact(
                case_id=case.id,
                author_id=author.id,
                occurred_at=_at(on - timedelta(days=100)),
                mode="in_person",
                contact_type="check_in",
                notes=f"{NOTE_CANARY} talked about {CANARY_LAST}",
            ),
            Goal(case_id=case.id, domain="housing", description=f"{NOTE_CANARY} housing", set_on=on),
            Outcome(case_id=case.id, outcome_type="housing_secured", occurred_on=on),
            CaseAssignment(case_id=case.id, to_worker_id=author.id, changed_by_id=author.id),
            ClosureRequest(case_id=case.id, reason="goals_met", requested_by_id=author.id, status="approved"),
            ParticipantAlias(participant_id=participant.id, name=f"Lil {CANARY_LAST}"),
            ParticipantRaceEthnicity(participant_id=participant.id, category="black"),
            IncidentPerson(incident_id=incident.id, participant_id=participant.id, role="victim"),
        ]
    )
    db.session.commit()


def _rows_naming(purged: dict[str, set[int]]) -> list[str]:
    """Every row, in any table of the schema, whose foreign key names a purged id; and purged ids still there."""
    problems = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            ids = purged.get(fk.column.table.name)
            if ids:
                count = db.session.execute(
                    select(func.count()).select_from(table).where(fk.parent.in_(sorted(ids)))
                ).scalar_one()
                if count:
                    problems.append(f"{table.name}.{fk.parent.name}: {count}")
        ids = purged.get(table.name)
        if ids:
            pk = list(table.primary_key.columns)[0]
            left = db.session.execute(select(func.count()).where(pk.in_(sorted(ids)))).scalar_one()
            if left:
                problems.append(f"{table.name}: {left} purged rows still there")
    return problems


@pytest.fixture
def world(make_program, make_user, make_case):
    """Outreach keeps 5 years; an old closed case full of rows, a recent one, an open one, and a manager."""
    outreach = make_program(name="Outreach East", retention_years=5)
    hvip = make_program(kind="hvip", name="Mercy HVIP", retention_years=1)
    manager = make_user(roles={outreach: "manager"}, full_name="Mo Manager")
    old = _ended_case(make_case, outreach, closed=_years_ago(5, 30), first_name=CANARY_FIRST, last_name=CANARY_LAST)
    _fill(old, manager)
    recent = _ended_case(make_case, outreach, closed=_years_ago(5, -30), last_name="Recentclosed")
    _fill(recent, manager)
    active = make_case(outreach, last_name="Stillactive")
    return {"outreach": outreach, "hvip": hvip, "manager": manager, "old": old, "recent": recent, "active": active}


def _purge_page(client, program, name=None, expected=None):
    page = client.get(f"/programs/{program.id}/purge")
    html = page.get_data(as_text=True)
    if expected is None:
        expected = html.split('name="expected" type="hidden" value="')[1].split('"')[0]
    return client.post(
        f"/programs/{program.id}/purge", data={"confirm_name": name or program.name, "expected": expected}
    )


def _age_confirmation(client, minutes: int) -> None:
    with client.session_transaction() as sess:
        sess["fresh_at"] = int(time.time()) - minutes * 60


# --- what goes and what stays -------------------------------------------------------------------


def test_s26_purge_removes_an_old_closed_case_with_every_row_on_it(client, world):
    """S26: the manager's purge deletes the old case, its children and its person, and nothing else names them."""
    plan = plan_purge(world["outreach"])
    assert plan.ended_cases == [world["old"].id]
    purged = {name: set(ids) for name, ids in plan.rows.items()}
    assert purged["participants"] == {world["old"].participant_id}
    children = ("contacts", "referrals", "referral_status_changes", "goals", "outcomes", "consents", "incident_people")
    for table in children:
        assert purged[table], table

    login(client, world["manager"])
    response = _purge_page(client, world["outreach"])
    assert response.status_code == 302
    assert "Purged 1 ended case(s)" in client.get(response.location).get_data(as_text=True)

    assert _rows_naming(purged) == []
    assert db.session.execute(select(func.count(ConsentCategory.consent_id))).scalar_one() == 1  # the recent one's
    assert db.session.execute(select(func.count(ParticipantRaceEthnicity.participant_id))).scalar_one() == 1
    assert db.session.execute(select(func.count(Incident.id))).scalar_one() == 2  # the register keeps the shootings
    if not USING_POSTGRES:
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []


def test_s26_purge_keeps_recent_and_open_cases(client, world):
    """S26: a case closed within the retention, and an open one, stay with all their rows."""
    recent, active = world["recent"], world["active"]
    contacts_before = db.session.execute(
        select(func.count(Contact.id)).where(Contact.case_id == recent.id)
    ).scalar_one()
    login(client, world["manager"])
    _purge_page(client, world["outreach"])
    db.session.expire_all()
    assert db.session.get(Case, recent.id) is not None and db.session.get(Case, active.id) is not None
    assert db.session.get(Participant, recent.participant_id) is not None
    assert (
        db.session.execute(select(func.count(Contact.id)).where(Contact.case_id == recent.id)).scalar_one()
        == contacts_before
        == 1
    )


def test_s26_purge_is_audited_by_id_only(client, world):
    """S26: one purge row per case and per person, naming ids; no name or note reaches the trail."""
    case_id, person_id = world["old"].id, world["old"].participant_id
    login(client, world["manager"])
    _purge_page(client, world["outreach"])
    assert audit_count(action="purge", record_type="case", record_id=case_id, user_id=world["manager"].id) == 1
    assert audit_count(action="purge", record_type="participant", record_id=person_id) == 1
    assert audit_count(action="purge", record_type="program", record_id=world["outreach"].id) == 1
    assert audit_count(action="purge") == 3
    trail = " ".join(f"{e.detail} {e.record_ids}" for e in db.session.execute(select(AuditEvent)).scalars())
    assert CANARY_LAST not in trail and NOTE_CANARY not in trail


def test_s26_purge_never_touches_another_programs_data(app, world, make_case, make_program, make_user):
    """S26: a person with a case elsewhere keeps it and their person row; other programs' old cases stay."""
    outreach, hvip = world["outreach"], world["hvip"]
    # Pat: an old outreach case, then a live HVIP case handed off from it.
    pat_old = _ended_case(make_case, outreach, closed=_years_ago(6), last_name="Crossprogram")
    pat_hvip = Case(
        participant_id=pat_old.participant_id,
        program_id=hvip.id,
        status="active",
        referred_on=local_today(),
        handed_off_from_id=pat_old.id,
    )
    db.session.add_all([pat_hvip, ParticipantAlias(participant_id=pat_old.participant_id, name="Crossy")])
    # Quinn: an old outreach case and a custom notification from a focused deterrence program.
    deterrence = make_program(kind="focused_deterrence", name="FD")
    quinn_old = _ended_case(make_case, outreach, closed=_years_ago(6), last_name="Notified")
    notice = Notification(
        program_id=deterrence.id, participant_id=quinn_old.participant_id, notified_on=local_today(), trigger="release"
    )
    db.session.add(notice)
    # An HVIP case closed long ago: HVIP has its own retention, and this is not its purge.
    hvip_old = _ended_case(make_case, hvip, closed=_years_ago(8))
    db.session.commit()

    pat_case, pat, quinn_case, quinn = pat_old.id, pat_old.participant_id, quinn_old.id, quinn_old.participant_id
    execute = plan_purge(outreach)
    assert set(execute.ended_cases) == {world["old"].id, pat_case, quinn_case}
    assert execute.kept_people == 2
    from caseflow.retention.purge import execute_purge

    with app.test_request_context():
        execute_purge(world["manager"], outreach, execute)
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, pat_case) is None and db.session.get(Case, quinn_case) is None
    kept = db.session.get(Case, pat_hvip.id)
    assert kept is not None and kept.handed_off_from_id is None and kept.status == "active"
    assert db.session.get(Participant, pat) is not None
    assert [a.name for a in db.session.get(Participant, pat).aliases] == ["Crossy"]
    assert db.session.get(Participant, quinn) is not None
    assert db.session.get(Notification, notice.id) is not None
    assert db.session.get(Case, hvip_old.id) is not None
    assert audit_count(action="purge", record_type="participant", record_id=pat) == 0


def test_s26_old_soft_deleted_records_are_purged_and_recent_ones_kept(app, world, make_case):
    """S26: records deleted longer ago than the retention go like ended cases; deleted within it stay restorable."""
    outreach, manager, active = world["outreach"], world["manager"], world["active"]
    long_ago, lately = _at(_years_ago(5, 10)), _at(_years_ago(1))
    gone = Contact(case_id=active.id, occurred_at=long_ago, mode="phone", contact_type="check_in")
    gone.deleted_at = long_ago
    restorable = Contact(case_id=active.id, occurred_at=lately, mode="phone", contact_type="check_in")
    restorable.deleted_at = lately
    live = Contact(case_id=active.id, occurred_at=lately, mode="phone", contact_type="check_in")
    deleted_case = make_case(outreach, last_name="Deletedcase")  # an open case, deleted long ago
    deleted_case.deleted_at = long_ago
    db.session.add_all([gone, restorable, live])
    db.session.commit()

    gone_id, case_id, person_id = gone.id, deleted_case.id, deleted_case.participant_id
    plan = plan_purge(outreach)
    assert plan.deleted_records == {"case": [case_id], "contact": [gone_id]}
    from caseflow.retention.purge import execute_purge

    with app.test_request_context():
        execute_purge(manager, outreach, plan)
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Contact, gone_id) is None
    assert db.session.get(Contact, restorable.id) is not None and db.session.get(Contact, live.id) is not None
    assert db.session.get(Case, case_id) is None
    assert db.session.get(Participant, person_id) is None
    assert audit_count(action="purge", record_type="contact", record_id=gone_id) == 1


def test_s26_a_deleted_consent_that_a_referral_was_made_under_stays(app, world):
    """S26: the disclosure record keeps its consent (S25), even deleted long ago."""
    recent = world["recent"]
    consent = db.session.execute(select(Consent).where(Consent.participant_id == recent.participant_id)).scalar_one()
    consent.deleted_at = _at(_years_ago(5, 10))
    db.session.commit()
    plan = plan_purge(world["outreach"])
    assert "consent" not in plan.deleted_records and plan.kept_records == 1


def _facesheet(app, case: Case, author: User) -> int:
    """An archived facesheet of the case, linked to it the way the facesheet export links it: by its audit row."""
    from caseflow.audit.services import record_event

    run = ReportRun(
        disclosure_id=f"d{case.id:031d}",
        template_id="facesheet",
        program_ids=str(case.program_id),
        period_start=case.referred_on,
        period_end=local_today(),
        period_label=f"Case {case.id} facesheet",
        format="pdf",
        recipient="Housing office",
        purpose="referral",
        generated_by_id=author.id,
        sha256="0" * 64,
        size_bytes=20,
        content=f"%PDF {CANARY_LAST}".encode(),
    )
    db.session.add(run)
    db.session.flush()
    with app.test_request_context():
        record_event(author, "export", "case", case.id, record_ids=[run.id], detail="facesheet pdf")
    db.session.commit()
    return run.id


def test_s26_archived_facesheets_of_purged_cases_go_too(app, world):
    """S26: a facesheet PDF prints the person; the archive copy of an old case's facesheet is purged with it."""
    old_run = _facesheet(app, world["old"], world["manager"])
    recent_run = _facesheet(app, world["recent"], world["manager"])
    plan = plan_purge(world["outreach"])
    assert plan.facesheets == [old_run]
    from caseflow.retention.purge import execute_purge

    with app.test_request_context():
        execute_purge(world["manager"], world["outreach"], plan)
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(ReportRun, old_run) is None
    assert db.session.get(ReportRun, recent_run) is not None
    assert audit_count(action="purge", record_type="report", record_id=old_run) == 1


def test_s26_declined_case_ends_on_its_last_status_change(world, make_case):
    """S26: a declined referral has no closing date; its status history says when it ended."""
    outreach = world["outreach"]
    old = make_case(outreach, status="declined", last_name="Declinedlongago")
    new = make_case(outreach, status="declined", last_name="Declinedlately")
    for case, day in ((old, _years_ago(5, 1)), (new, _years_ago(4))):
        db.session.execute(
            CaseStatusChange.__table__.update().where(CaseStatusChange.case_id == case.id).values(changed_at=_at(day))
        )
    db.session.commit()
    assert plan_purge(outreach).ended_cases == sorted([world["old"].id, old.id])


def test_s26_no_row_anywhere_references_a_purged_id_on_the_demo_data(app):
    """S26: across every module's tables (the demo fills them all), nothing names a purged id afterwards."""
    from click.testing import Result

    seed_today = local_today() - timedelta(days=10 * 365 - 270)
    seed_demo(seed=11, participants=90, erase=False, today=seed_today)
    db.session.commit()
    hvip = db.session.execute(select(Program).where(Program.kind == "hvip")).scalar_one()
    hvip.retention_years = 10
    db.session.commit()
    cutoff = retention_cutoff(10)
    others_before = set(db.session.execute(select(Case.id).where(Case.program_id != hvip.id)).scalars())
    people_elsewhere = set(db.session.execute(select(Case.participant_id).where(Case.program_id != hvip.id)).scalars())
    kept_hvip = set(
        db.session.execute(
            select(Case.id).where(
                Case.program_id == hvip.id,
                Case.deleted_at.is_(None),
                (Case.closed_on.is_(None) & Case.status.in_(["referred", "screening", "active", "inactive"]))
                | (Case.closed_on >= cutoff),
            )
        ).scalars()
    )
    plan = plan_purge(hvip)
    purged = {name: set(ids) for name, ids in plan.rows.items()}
    assert plan.ended_cases and plan.participants and kept_hvip

    result: Result = app.test_cli_runner().invoke(
        args=["purge", "--program", str(hvip.id), "--as", "manager@demo.caseflow.org"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _rows_naming(purged) == []
    assert set(db.session.execute(select(Case.id).where(Case.program_id != hvip.id)).scalars()) == others_before
    left = set(db.session.execute(select(Participant.id)).scalars())
    assert people_elsewhere <= left
    assert kept_hvip <= set(db.session.execute(select(Case.id)).scalars())
    assert not set(plan.ended_cases) & set(db.session.execute(select(Case.id)).scalars())
    if not USING_POSTGRES:
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []


def test_s26_every_foreign_key_into_purged_tables_has_a_policy():
    """S26: a child table added later must be classified before a purge will run (see the next test)."""
    assert unclassified_foreign_keys() == []
    soft_deletable = {t.name for t in db.metadata.tables.values() if "deleted_at" in t.c}
    classified = {model.__tablename__ for model in SOFT_DELETED_KINDS.values()} | SOFT_DELETES_KEPT
    assert soft_deletable - classified == set()


def test_s26_a_new_child_table_without_a_policy_stops_the_purge(world):
    """S26: a table pointing at cases that nobody classified would be missed, so the purge refuses to run."""
    table = Table(
        "case_secrets",
        db.metadata,
        Column("id", Integer, primary_key=True),
        Column("case_id", ForeignKey("cases.id")),
    )
    try:
        assert unclassified_foreign_keys() == ["case_secrets.case_id"]
        with pytest.raises(PurgeError, match="case_secrets.case_id"):
            plan_purge(world["outreach"])
    finally:
        db.metadata.remove(table)
    assert unclassified_foreign_keys() == []


# --- SQLite: the bytes go too ---------------------------------------------------------------------


@sqlite_only
def test_s26_secure_delete_is_on_for_every_sqlite_connection(app, tmp_path):
    """S26: every connection, in memory or on disk, overwrites what it deletes."""
    assert db.session.execute(text("PRAGMA secure_delete")).scalar_one() == 1
    file_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sd.db'}"})
    with file_app.app_context():
        with db.engine.connect() as first, db.engine.connect() as second:
            assert first.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1
            assert second.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1
        db.engine.dispose()


@sqlite_only
def test_s26_purged_names_and_notes_are_gone_from_the_database_files(app, tmp_path):
    """S26: after a purge no byte of the person's name or notes is left in the SQLite file or its WAL."""
    from caseflow.retention.purge import execute_purge, scrub_freed_space

    path: Path = tmp_path / "purge.db"
    file_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with file_app.app_context():
        db.create_all()
        program = Program(kind="street_outreach", name="Disk", retention_years=2)
        manager = User(email="disk@example.org", full_name="Disk Manager", password_hash="x")
        db.session.add_all([program, manager])
        db.session.flush()
        db.session.add(ProgramMembership(user_id=manager.id, program_id=program.id, role="manager"))
        for n in range(3):
            person = Participant(first_name=CANARY_FIRST, last_name=f"{CANARY_LAST}{n}")
            case = Case(participant=person, program=program, status="closed", referred_on=date(2015, 1, 5))
            case.closed_on = date(2016, 2, 1)
            db.session.add_all([person, case])
            db.session.flush()
            db.session.add(
                Contact(
                    case_id=case.id,
                    occurred_at=datetime(2015, 6, 1),
                    mode="in_person",
                    contact_type="check_in",
                    notes=f"{NOTE_CANARY} said a lot",
                )
            )
        db.session.commit()
        scrub_freed_space()  # the rows are on the main file now, not only in the log
        assert CANARY_LAST.encode() in path.read_bytes()

        with file_app.test_request_context():
            execute_purge(manager, program, plan_purge(program))
            db.session.commit()
        scrub_freed_space()
        db.session.remove()
        db.engine.dispose()
    for file in tmp_path.glob("purge.db*"):
        content = file.read_bytes()
        assert CANARY_LAST.encode() not in content, file.name
        assert NOTE_CANARY.encode() not in content, file.name


# --- the page: managers, fresh password, typed confirmation ---------------------------------------


@pytest.mark.parametrize("who", ["worker", "supervisor", "other_manager", "admin"])
def test_s26_only_the_programs_managers_reach_the_purge_page(client, world, make_user, who):
    """S26 with S2/S7: anyone but a manager of the program gets 404 on the page and the POST; nothing goes."""
    outreach, hvip = world["outreach"], world["hvip"]
    user = {
        "worker": lambda: make_user(roles={outreach: "worker"}),
        "supervisor": lambda: make_user(roles={outreach: "supervisor"}),
        "other_manager": lambda: make_user(roles={hvip: "manager"}),
        "admin": lambda: make_user(is_admin=True),
    }[who]()
    login(client, user)
    assert client.get(f"/programs/{outreach.id}/purge").status_code == 404
    response = client.post(f"/programs/{outreach.id}/purge", data={"confirm_name": outreach.name, "expected": "x"})
    assert response.status_code == 404
    assert db.session.get(Case, world["old"].id) is not None
    assert audit_count(action="purge") == 0


def test_s26_purge_page_needs_a_recent_password(client, world):
    """S26 with S13: a manager whose password check is stale is asked again, for the page and the POST."""
    outreach = world["outreach"]
    login(client, world["manager"])
    expected = plan_purge(outreach).summary()
    _age_confirmation(client, 6)
    page = client.get(f"/programs/{outreach.id}/purge")
    assert page.status_code == 302 and f"/reauth?next=/programs/{outreach.id}/purge" in page.location
    posted = client.post(f"/programs/{outreach.id}/purge", data={"confirm_name": outreach.name, "expected": expected})
    assert posted.status_code == 302 and "/reauth" in posted.location
    assert db.session.get(Case, world["old"].id) is not None
    _age_confirmation(client, 4)
    assert client.get(f"/programs/{outreach.id}/purge").status_code == 200


def test_s26_purge_page_shows_counts_and_no_names(client, world):
    """S26 with S5: the confirm page says how many, never who."""
    login(client, world["manager"])
    html = client.get(f"/programs/{world['outreach'].id}/purge").get_data(as_text=True)
    assert 'Cases closed, declined or found ineligible before that day</th><td class="text-end">1<' in html
    assert 'People left with no case in any program</th><td class="text-end">1<' in html
    assert CANARY_LAST not in html and NOTE_CANARY not in html


def test_s26_a_wrong_program_name_deletes_nothing_and_keeps_what_was_typed(client, world):
    """S26: the typed confirmation must match; a mismatch is explained and changes nothing."""
    login(client, world["manager"])
    response = _purge_page(client, world["outreach"], name="Outreach West")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "That is not this program&#39;s name" in html
    assert 'value="Outreach West"' in html
    assert db.session.get(Case, world["old"].id) is not None
    assert audit_count(action="purge") == 0


def test_s26_counts_that_changed_since_the_page_was_read_delete_nothing(client, world, make_case):
    """S26: if more records fell due after the page was read, the manager confirms the new counts first."""
    login(client, world["manager"])
    expected = plan_purge(world["outreach"]).summary()
    _ended_case(make_case, world["outreach"], closed=_years_ago(7), last_name="Latecomer")
    response = _purge_page(client, world["outreach"], expected=expected)
    assert response.status_code == 200
    assert "The counts changed since the page was loaded" in response.get_data(as_text=True)
    assert db.session.get(Case, world["old"].id) is not None


def test_s26_a_program_that_keeps_records_forever_offers_no_purge(client, world):
    """S26: no retention period, nothing to purge; the page says where to set one."""
    outreach = world["outreach"]
    outreach.retention_years = None
    db.session.commit()
    login(client, world["manager"])
    html = client.get(f"/programs/{outreach.id}/purge").get_data(as_text=True)
    assert "keeps its records forever" in html and "confirm_name" not in html
    client.post(f"/programs/{outreach.id}/purge", data={"confirm_name": outreach.name, "expected": "1/0/1/30"})
    assert db.session.get(Case, world["old"].id) is not None
    with pytest.raises(PurgeError):
        plan_purge(outreach)


# --- the retention setting ------------------------------------------------------------------------


def _settings(program, **overrides) -> dict:
    data = {
        "version": str(program.version),
        "eligibility_threshold": "0",
        "contact_frequency_days": "7",
        "caseload_target": "15",
        "retention_years": "7",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("typed", ["0", "100", "-3"])
def test_s26_retention_must_be_1_to_99_years(client, world, typed):
    """S26: a bad retention is refused with a clear message; what was typed stays in the box."""
    outreach = world["outreach"]
    login(client, world["manager"])
    response = client.post(f"/programs/{outreach.id}/settings", data=_settings(outreach, retention_years=typed))
    html = response.get_data(as_text=True)
    assert "Enter 1 to 99 years, or leave it empty to keep records forever." in html
    assert f'value="{typed}"' in html
    db.session.expire_all()
    assert db.session.get(Program, outreach.id).retention_years == 5


def test_s26_manager_sets_and_clears_the_retention(client, world):
    """S26: the manager's settings page sets the years (audited) or clears them to keep forever."""
    outreach = world["outreach"]
    login(client, world["manager"])
    assert client.post(f"/programs/{outreach.id}/settings", data=_settings(outreach)).status_code == 302
    db.session.expire_all()
    outreach = db.session.get(Program, outreach.id)
    assert outreach.retention_years == 7
    assert audit_count(action="update", record_type="program", detail="settings, retention 5 -> 7 years") == 1
    client.post(f"/programs/{outreach.id}/settings", data=_settings(outreach, retention_years=""))
    db.session.expire_all()
    assert db.session.get(Program, outreach.id).retention_years is None


# --- the command -----------------------------------------------------------------------------------


def test_s26_dry_run_changes_nothing(app, world):
    """S26: `flask purge --dry-run` prints the counts and deletes nothing, audits nothing."""
    result = app.test_cli_runner().invoke(
        args=["purge", "--program", str(world["outreach"].id), "--dry-run", "--as", world["manager"].email]
    )
    assert result.exit_code == 0, result.output
    assert "ended cases: 1" in result.output and "Dry run: nothing was deleted." in result.output
    assert CANARY_LAST not in result.output
    db.session.expire_all()
    assert db.session.get(Case, world["old"].id) is not None
    assert audit_count(action="purge") == 0


def test_s26_command_purges_under_the_named_manager(app, world):
    """S26: a scheduled run is recorded under the --as manager, like the page."""
    case_id = world["old"].id
    result = app.test_cli_runner().invoke(
        args=["purge", "--program", str(world["outreach"].id), "--as", world["manager"].email]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Case, case_id) is None
    assert audit_count(action="purge", record_type="case", user_id=world["manager"].id) == 1


@pytest.mark.parametrize("as_email", [None, "nobody@example.org", "worker"])
def test_s26_command_needs_an_accountable_manager(app, world, make_user, as_email):
    """S26: no --as, an unknown account or a non-manager: refused, nothing deleted."""
    if as_email == "worker":
        as_email = make_user(roles={world["outreach"]: "worker"}).email
    args = ["purge", "--program", str(world["outreach"].id)] + (["--as", as_email] if as_email else [])
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    db.session.expire_all()
    assert db.session.get(Case, world["old"].id) is not None
