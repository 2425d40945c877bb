"""The audit trail is hash-chained and append-only; supervisors can see who looked at a record."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from caseflow.audit.chain import GENESIS, compute_row_hash
from caseflow.audit.services import record_event
from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.models import AuditEvent, User
from tests.conftest import USING_POSTGRES, audit_count, login
from tests.test_migrations import migration_app, scratch_db_url  # noqa: F401 - fixtures


@pytest.fixture
def program_people(make_program, make_user, make_case):
    """A program with a worker, a supervisor and one case; another program with its own supervisor."""
    program = make_program("street_outreach", "Outreach")
    other = make_program("street_outreach", "Elsewhere")
    worker = make_user(roles={program: "worker"}, full_name="Wanda Worker")
    supervisor = make_user(roles={program: "supervisor"}, full_name="Sam Supervisor")
    outsider = make_user(roles={other: "supervisor"}, full_name="Olga Other")
    case = make_case(program, worker, last_name="Okafor")
    return worker, supervisor, outsider, case


def _verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--batch-size", "2"])
    db.session.rollback()  # the test's app context outlives the command: end its read transaction
    return result.exit_code, result.output


def _ids() -> list[int]:
    return list(db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars())


def _browse(client, worker, case):
    """A worker's ordinary session: several audited requests, so several chained rows."""
    login(client, worker)
    client.get("/")
    client.get(f"/cases/{case.id}")
    client.get(f"/participants/{case.participant_id}")


# --- the chain --------------------------------------------------------------------------


def test_rows_written_across_requests_form_one_chain(app, client, program_people):
    """Each row points at the row before it and its hash covers its own content."""
    worker, _, _, case = program_people
    _browse(client, worker, case)
    rows = list(db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())
    assert len(rows) >= 3
    assert rows[0].prev_hash == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.row_hash
    last = rows[-1]
    assert last.row_hash == compute_row_hash(
        last.id,
        last.occurred_at,
        last.user_id,
        last.action,
        last.record_type,
        last.record_id,
        last.record_ids,
        last.detail,
        last.ip_address,
        last.prev_hash,
    )
    assert len({r.row_hash for r in rows}) == len(rows)


def test_verify_reports_an_intact_chain(app, client, program_people):
    worker, _, _, case = program_people
    _browse(client, worker, case)
    code, output = _verify(app)
    assert code == 0
    assert f"OK: {audit_count()} events, chain intact" in output


def test_verify_on_an_empty_trail_is_ok(app):
    assert _verify(app) == (0, "OK: 0 events, chain intact\n")


def test_verify_names_a_changed_row(app, client, program_people):
    """Editing a row's content (the test schema has no trigger) is caught at that row."""
    worker, _, _, case = program_people
    _browse(client, worker, case)
    middle = _ids()[1]
    db.session.execute(text("UPDATE audit_events SET detail = 'nothing to see' WHERE id = :id"), {"id": middle})
    db.session.commit()
    code, output = _verify(app)
    assert code == 1
    assert f"row {middle} changed" in output


def test_verify_catches_a_row_rehashed_to_hide_a_change(app, client, program_people):
    """Recomputing the edited row's own hash still breaks the link from the next row."""
    worker, _, _, case = program_people
    _browse(client, worker, case)
    ids = _ids()
    event = db.session.get(AuditEvent, ids[1])
    forged = compute_row_hash(
        event.id,
        event.occurred_at,
        None,
        event.action,
        event.record_type,
        event.record_id,
        event.record_ids,
        event.detail,
        event.ip_address,
        event.prev_hash,
    )
    db.session.execute(
        text("UPDATE audit_events SET user_id = NULL, row_hash = :h WHERE id = :id"), {"h": forged, "id": ids[1]}
    )
    db.session.commit()
    code, output = _verify(app)
    assert code == 1
    assert f"row {ids[2]} does not follow row {ids[1]}" in output


def test_verify_catches_a_deleted_middle_row(app, client, program_people):
    worker, _, _, case = program_people
    _browse(client, worker, case)
    ids = _ids()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[1]})
    db.session.commit()
    code, output = _verify(app)
    assert code == 1
    assert f"rows missing before {ids[2]}" in output


def test_verify_catches_deleted_first_rows(app, client, program_people):
    worker, _, _, case = program_people
    _browse(client, worker, case)
    ids = _ids()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[0]})
    db.session.commit()
    code, output = _verify(app)
    assert code == 1
    assert f"rows missing before {ids[1]}" in output


# --- the migrated database ----------------------------------------------------------------


def _insert_old_event(conn, when: str, action: str, record_id: int) -> None:
    conn.execute(
        text(
            "INSERT INTO audit_events (occurred_at, user_id, action, record_type, record_id, record_ids, detail, "
            "ip_address) VALUES (:when, NULL, :action, 'case', :rid, '1 2', '', '127.0.0.1')"
        ),
        {"when": when, "action": action, "rid": record_id},
    )


def test_migration_chains_existing_rows_and_refuses_changes(migration_app):  # noqa: F811
    """Rows from before the upgrade verify; afterwards UPDATE is refused (and DELETE on PostgreSQL)."""
    upgrade(revision="0008_report_mappings")
    with db.engine.begin() as conn:
        for n in range(5):
            _insert_old_event(conn, f"2026-01-0{n + 1} 10:00:00.12345{n}", "view", n)
    upgrade()
    record_event(None, "view", "case", 99)
    db.session.commit()
    code, output = _verify(migration_app)
    assert (code, output) == (0, "OK: 6 events, chain intact\n")

    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET detail = 'edited'"))
    if USING_POSTGRES:
        with pytest.raises(Exception, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text("DELETE FROM audit_events"))
        with pytest.raises(Exception, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text("TRUNCATE audit_events"))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events WHERE detail = 'edited'")).scalar_one() == 0
    assert _verify(migration_app)[0] == 0


def test_demo_reseed_erases_a_migrated_trail_deliberately(migration_app):  # noqa: F811
    """seed-demo --force still empties the append-only table; the new trail starts a fresh chain."""
    upgrade()
    seed_demo(seed=3, participants=5, erase=False)
    record_event(None, "view", "case", 1)
    db.session.commit()
    seed_demo(seed=3, participants=5, erase=True)
    db.session.commit()
    assert db.session.execute(select(AuditEvent.id)).first() is None
    assert db.session.execute(select(User.id)).first() is not None
    record_event(None, "view", "case", 1)
    db.session.commit()
    assert _verify(migration_app)[0] == 0


# --- who looked at this record ------------------------------------------------------------


def test_supervisor_sees_who_looked_at_a_participant(client, program_people):
    worker, supervisor, _, case = program_people
    _browse(client, worker, case)
    login(client, supervisor)
    page = client.get(f"/participants/{case.participant_id}").get_data(as_text=True)
    assert "Who looked at this" in page
    before = audit_count(user_id=supervisor.id, record_type="participant")
    response = client.get(f"/audit/records/participant/{case.participant_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Okafor" in html
    assert "Wanda Worker" in html  # the worker's view
    assert "Sam Supervisor" in html  # the supervisor's own earlier view
    # Viewing the trail is itself recorded against the record.
    assert audit_count(user_id=supervisor.id, record_type="participant") == before + 1
    assert _verify(client.application)[0] == 0


def test_case_viewers_include_lists_that_showed_the_case(client, program_people, make_case):
    """The caseload list names the case among others; it shows up as a look 'in a list'."""
    worker, supervisor, _, case = program_people
    other_case = make_case(case.program, worker, last_name="Unrelated")
    login(client, worker)
    client.get("/")
    client.get(f"/cases/{other_case.id}")
    login(client, supervisor)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Who looked at this" in html
    html = client.get(f"/audit/records/case/{case.id}").get_data(as_text=True)
    assert "(in a list)" in html
    assert "Wanda Worker" in html
    assert html.count("<tr>") == 1 + 2  # header, the worker's list, the supervisor's case view


def test_viewer_is_404_for_a_worker_and_another_programs_supervisor(client, program_people):
    worker, _, outsider, case = program_people
    login(client, worker)
    assert "Who looked at this" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Who looked at this" not in client.get(f"/participants/{case.participant_id}").get_data(as_text=True)
    assert client.get(f"/audit/records/participant/{case.participant_id}").status_code == 404
    assert client.get(f"/audit/records/case/{case.id}").status_code == 404
    login(client, outsider)
    before = audit_count(user_id=outsider.id, action="view")
    assert client.get(f"/audit/records/participant/{case.participant_id}").status_code == 404
    assert client.get(f"/audit/records/case/{case.id}").status_code == 404
    assert client.get(f"/audit/records/contact/{case.id}").status_code == 404
    assert audit_count(user_id=outsider.id, action="view") == before


def test_viewer_pages_newest_first(client, program_people, app):
    """Many views are split into pages, the newest on the first."""
    worker, supervisor, _, case = program_people
    app.config["PAGE_SIZE"] = 2
    login(client, worker)
    for _ in range(3):
        client.get(f"/cases/{case.id}")
    login(client, supervisor)
    first = client.get(f"/audit/records/case/{case.id}").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get(f"/audit/records/case/{case.id}?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second
