"""The migrations build exactly the schema the models describe, and can be undone."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from caseflow import create_app
from caseflow.extensions import db
from config import normalise_db_url
from tests.conftest import USING_POSTGRES


@pytest.fixture
def scratch_db_url(tmp_path):
    """An empty database of the kind under test, separate from the one the suite uses."""
    if not USING_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base = make_url(normalise_db_url(os.environ["DATABASE_URL"]))
    name = f"{base.database}_migrations"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def migration_app(scratch_db_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_db_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_head_matches_models(migration_app):
    """After upgrading to head, autogenerate finds nothing left to migrate."""
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_then_downgrade_leaves_nothing_behind(migration_app):
    """Downgrading to base removes every table the upgrade made; upgrading again works."""
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_migrated_schema_enforces_constraints(migration_app):
    """The migrated database, not just the models, refuses a bad enumeration value."""
    upgrade()
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO programs (kind, name, organisation, contact_frequency_days, caseload_target, "
                "workers_see_own_caseload_only, created_at, updated_at, version) VALUES "
                "('hvip', 'HVIP', '', 7, 12, false, '2026-01-01', '2026-01-01', 1)"
            )
        )
    with pytest.raises(Exception, match="(?i)check"):
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE programs SET kind = 'not-a-kind'"))


def test_each_revision_keeps_existing_data_up_and_down(migration_app):
    """A program made at the first revision survives the upgrade to head and the way back."""
    upgrade(revision="0001_initial")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO programs (kind, name, organisation, contact_frequency_days, caseload_target, "
                "workers_see_own_caseload_only, created_at, updated_at, version) VALUES "
                "('hvip', 'Kept HVIP', '', 7, 12, false, '2026-01-01', '2026-01-01', 1)"
            )
        )
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name, eligibility_threshold FROM programs")).all() == [("Kept HVIP", 0)]
    downgrade(revision="0001_initial")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM programs")).scalars().all() == ["Kept HVIP"]
