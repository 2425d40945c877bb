"""S34: flask backup and flask restore give back exactly what was there, table by table, on SQLite and PostgreSQL.

SQLite runs on a database file in tmp_path (an in-memory database has nothing to copy). On
PostgreSQL the suite's shared database is backed up but never wiped: the backup is restored into
a scratch database made (migrated, with the audit trail's append-only triggers) and dropped here.
"""

import hashlib
import os
import shutil
import sqlite3
import stat
from contextlib import contextmanager
from datetime import datetime

import pytest
from flask_migrate import stamp, upgrade
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from caseflow import create_app
from caseflow.audit.chain import verify_chain
from caseflow.audit.services import record_event
from caseflow.backup.services import code_revision
from caseflow.extensions import db
from caseflow.models import AuditEvent
from config import normalise_db_url
from tests.conftest import USING_POSTGRES, _fresh_g_after_each_request, _reset_postgres, audit_count

OLDER_REVISION = "0009_audit_chain"


@pytest.fixture
def app(tmp_path, _postgres_schema):
    """Overrides conftest's app: SQLite in a file; both kinds stamped at head, as a migrated database is."""
    overrides = {"WTF_CSRF_ENABLED": False}
    if not USING_POSTGRES:
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'caseflow.db'}"
    app = create_app("testing", overrides)
    _fresh_g_after_each_request(app)
    with app.app_context():
        if USING_POSTGRES:
            _reset_postgres()
        else:
            db.create_all()
        stamp()
        yield app
        db.session.remove()
        if USING_POSTGRES:
            # The shared database is built with create_all and carries no revision.
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


@pytest.fixture
def scratch_url():
    """PostgreSQL only: an empty database to restore into, dropped afterwards."""
    if not USING_POSTGRES:
        yield None
        return
    base = make_url(normalise_db_url(os.environ["DATABASE_URL"]))
    name = f"{base.database}_restore"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def restore_target(app, scratch_url):
    """Where a restore lands: on SQLite the same file, wiped; on PostgreSQL a live, migrated scratch database."""

    @contextmanager
    def target():
        if not USING_POSTGRES:
            db.session.remove()
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE alembic_version"))
            assert tables_checksums() == {}
            yield app
            return
        other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_url})
        with other.app_context():
            upgrade()
            record_event(None, "view", "case", 999, detail="already here")
            db.session.commit()
            yield other
            db.session.remove()
            db.engine.dispose()

    return target


@pytest.fixture
def world(make_program, make_user, make_case, make_contact):
    """A little of everything, including a chained audit trail and text that needs escaping nowhere."""
    program = make_program("street_outreach", "Street Outreach")
    worker = make_user(roles={program: "worker"}, full_name="Wes Worker")
    for index in range(3):
        case = make_case(program, worker, last_name=f"Okoro{index}")
        make_contact(case, worker, notes=f"note {index}: 'quoted' \"double\" ünïcode\nline two")
        record_event(worker, "view", "case", case.id)
    db.session.commit()


def tables_checksums(audit_up_to: int | None = None) -> dict[str, str]:
    """SHA-256 of each table's rows in primary-key order, for every table the database holds."""
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    sums = {}
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            stmt = select(table).order_by(*order)
            if table.name == "audit_events" and audit_up_to is not None:
                stmt = stmt.where(table.c.id <= audit_up_to)
            rows = [tuple(row) for row in connection.execute(stmt)]
            sums[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums


def last_audit_id() -> int:
    return db.session.execute(select(db.func.max(AuditEvent.id))).scalar_one()


def invoke(app, *args, answer=None):
    return app.test_cli_runner().invoke(args=list(args), input=answer)


def test_s34_backup_wipe_restore_gives_back_every_table_unchanged(app, world, restore_target, tmp_path):
    """S34: the checksums of all tables after backup, wipe and restore equal those before; the trail still verifies."""
    path = tmp_path / "nightly.backup"
    before = tables_checksums()
    last_before = last_audit_id()

    made = invoke(app, "backup", str(path))
    assert made.exit_code == 0, made.output
    assert f"to {path}" in made.output and f"{path.stat().st_size} bytes" in made.output
    assert f"Alembic revision {code_revision()}" in made.output and "contacts" in made.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # participant data: readable by its owner only
    assert audit_count(action="backup", user_id=None, detail="nightly.backup") == 1
    assert invoke(app, "backup", str(path)).exit_code != 0  # an existing backup is never overwritten silently

    with restore_target() as target:
        restored = invoke(target, "restore", "--yes", str(path))
        assert restored.exit_code == 0, restored.output
        assert f"Backup revision: {code_revision()}; this code's revision: {code_revision()}" in restored.output
        assert db.engine.url.database in restored.output  # it went where it was meant to
        assert tables_checksums(audit_up_to=last_before) == before
        # The backup row was written after the snapshot; the restore is the one row added since.
        later = db.session.execute(select(AuditEvent.action).where(AuditEvent.id > last_before)).scalars().all()
        assert later == ["restore"]
        assert verify_chain().problem is None


def test_s34_restore_refuses_another_revision_and_asks_before_replacing(app, world, restore_target, tmp_path):
    """S34: a backup from another schema revision is refused (both named) unless allowed; without --yes it asks."""
    path = tmp_path / "old.backup"
    db.session.execute(text("UPDATE alembic_version SET version_num = :old"), {"old": OLDER_REVISION})
    db.session.commit()
    assert invoke(app, "backup", str(path)).exit_code == 0

    with restore_target() as target:
        untouched = tables_checksums()
        refused = invoke(target, "restore", "--yes", str(path))
        assert refused.exit_code != 0
        assert f"Backup revision: {OLDER_REVISION}; this code's revision: {code_revision()}" in refused.output
        assert "--allow-revision-mismatch" in refused.output
        declined = invoke(target, "restore", "--allow-revision-mismatch", str(path), answer="n\n")
        assert declined.exit_code != 0 and "Replace every record in" in declined.output
        assert tables_checksums() == untouched

        accepted = invoke(target, "restore", "--allow-revision-mismatch", str(path), answer="y\n")
        assert accepted.exit_code == 0, accepted.output
        assert "flask db upgrade" in accepted.output
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == OLDER_REVISION


@pytest.mark.skipif(USING_POSTGRES, reason="an SQLite setting")
def test_s34_an_in_memory_database_is_refused_with_a_clear_message(tmp_path):
    """S34: there is no file behind sqlite:// to copy, and restoring into it would vanish on exit."""
    memory = create_app("testing")
    with memory.app_context():
        db.create_all()
        made = invoke(memory, "backup", str(tmp_path / "memory.backup"))
        assert made.exit_code != 0 and "in-memory SQLite database" in made.output
        assert list(tmp_path.iterdir()) == []
        some = sqlite3.connect(tmp_path / "some.backup")
        some.execute("CREATE TABLE programs (id INTEGER PRIMARY KEY)")
        some.close()
        restored = invoke(memory, "restore", "--yes", "--allow-revision-mismatch", str(tmp_path / "some.backup"))
        assert restored.exit_code != 0 and "in-memory SQLite database" in restored.output
        db.session.remove()


def test_s34_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(app, world, tmp_path):
    """S34: restore reads the file before touching the database."""
    path = tmp_path / "notes.txt"
    path.write_text("not a backup")
    before = tables_checksums()
    result = invoke(app, "restore", "--yes", str(path))
    assert result.exit_code != 0 and "is not a caseflow backup" in result.output
    assert tables_checksums() == before


@pytest.mark.skipif(not USING_POSTGRES, reason="pg_dump runs for PostgreSQL only")
def test_s34_the_password_goes_to_pg_dump_in_its_environment_never_its_command_line(app, world, tmp_path, monkeypatch):
    """S34: anyone on the machine can read a command line; the password travels in PGPASSWORD and is never printed."""
    base = make_url(normalise_db_url(os.environ["DATABASE_URL"]))
    password = base.password or f"canary-{datetime.now():%H%M%S%f}"
    with_password = base.set(password=password).render_as_string(hide_password=False)
    probe = create_engine(with_password, poolclass=NullPool)
    try:
        probe.connect().close()
    except DBAPIError:
        pytest.skip("this server checks passwords and DATABASE_URL carries none")
    finally:
        probe.dispose()
    seen = tmp_path / "seen"
    wrapper = tmp_path / "bin" / "pg_dump"
    wrapper.parent.mkdir()
    wrapper.write_text(
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$SEEN_ARGS"\nprintf "%s" "$PGPASSWORD" > "$SEEN_ENV"\n'
        f'exec {shutil.which("pg_dump")} "$@"\n'
    )
    wrapper.chmod(0o700)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SEEN_ARGS", str(seen) + ".args")
    monkeypatch.setenv("SEEN_ENV", str(seen) + ".env")
    monkeypatch.delenv("PGPASSWORD", raising=False)

    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": with_password})
    with other.app_context():
        result = invoke(other, "backup", str(tmp_path / "pw.backup"))
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert password not in (tmp_path / "seen.args").read_text()
    assert (tmp_path / "seen.env").read_text() == password
    assert password not in result.output and "***" in result.output


@pytest.mark.skipif(not USING_POSTGRES, reason="the append-only triggers exist on PostgreSQL")
def test_s34_restore_replaces_an_append_only_trail_and_the_triggers_come_back(scratch_url, tmp_path):
    """S34: triggers refuse DELETE and TRUNCATE on the audit trail, yet restore replaces it and protects it again."""
    path = tmp_path / "live.backup"
    live = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_url})
    with live.app_context():
        upgrade()
        for case_id in (1, 2, 3):
            record_event(None, "view", "case", case_id)
        db.session.commit()
        before = tables_checksums()
        last_before = last_audit_id()
        assert invoke(live, "backup", str(path)).exit_code == 0
        record_event(None, "view", "case", 4, detail="after the backup")
        db.session.commit()

        restored = invoke(live, "restore", "--yes", str(path))
        assert restored.exit_code == 0, restored.output
        assert tables_checksums(audit_up_to=last_before) == before
        assert audit_count(detail="after the backup") == 0
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("DELETE FROM audit_events"))
        db.session.rollback()
        assert verify_chain().problem is None
        db.session.remove()
        db.engine.dispose()
