"""Back up and restore the app's database, whichever kind it is; the CLI commits the audit row."""

import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app

from caseflow.audit.services import record_event
from caseflow.backup import postgres, sqlite
from caseflow.extensions import db

KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    revision: str | None
    tables: dict[str, int]  # rows per table

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def database_kind() -> str:
    """sqlite or postgresql: the two databases caseflow runs on."""
    name = db.engine.dialect.name
    if name not in KIND_NAMES:
        raise BackupError(f"Backup and restore support SQLite and PostgreSQL, not {name}.")
    return name


def describe_database() -> str:
    """The database URL without its password or query string, safe to print."""
    return db.engine.url.set(query={}).render_as_string(hide_password=True)


def code_revision() -> str | None:
    """The newest Alembic revision this code's migrations know (what `flask db upgrade` reaches)."""
    return ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()


def backup_kind(path: Path) -> str:
    """What kind of database a backup file holds, judged by its first bytes."""
    with open(path, "rb") as handle:
        start = handle.read(len(sqlite.MAGIC))
    if start == sqlite.MAGIC:
        return "sqlite"
    if start.startswith(postgres.MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a caseflow backup: neither an SQLite database nor a pg_dump custom archive.")


def backup_revision(path: Path) -> str | None:
    """The Alembic revision the database was at when the backup was taken."""
    try:
        if backup_kind(path) == "sqlite":
            return sqlite.read_revision(path)
        return postgres.read_revision(path)
    except (sqlite.SQLiteBackupError, postgres.PostgresBackupError) as exc:
        raise BackupError(str(exc)) from exc


def backup_database(path: Path, overwrite: bool = False) -> BackupResult:
    """Write a consistent copy of the whole database to path and add a `backup` audit row (not committed)."""
    kind = database_kind()
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} already exists. Choose another name, or pass --overwrite to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    try:
        source = sqlite.database_file(db.engine.url) if kind == "sqlite" else None
        if source is not None and path.resolve() == source.resolve():
            raise BackupError("The backup would replace the database file itself; write it somewhere else.")
        # The copy holds every participant record: readable by its owner only (0600), and under its
        # final name only once it is complete, so a crash never leaves a half file that looks whole.
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if source is not None:
                os.close(descriptor)
                revision, tables = sqlite.backup(source, partial)
            else:
                with os.fdopen(descriptor, "wb") as out:
                    revision, tables = postgres.backup(db.engine, db.engine.url, out)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    except (sqlite.SQLiteBackupError, postgres.PostgresBackupError, sqlite3.Error) as exc:
        raise BackupError(str(exc)) from exc
    record_event(None, "backup", "database", detail=path.name)
    return BackupResult(path=path, size=path.stat().st_size, revision=revision, tables=tables)


def restore_database(path: Path) -> dict[str, int]:
    """Replace every table with the backup's contents; returns rows per table as restored.

    The app's own connections are let go first: the tables are replaced under them.
    """
    kind = database_kind()
    path = Path(path)
    found = backup_kind(path)
    if found != kind:
        raise BackupError(
            f"{path} is a {KIND_NAMES[found]} backup, but this app runs on {KIND_NAMES[kind]}. "
            "Restore it into a database of the same kind."
        )
    try:
        # Refuse an in-memory database before letting go of its only connection, which would erase it.
        database = sqlite.database_file(db.engine.url) if kind == "sqlite" else None
        if database is not None and path.resolve() == database.resolve():
            raise BackupError(f"{path} is the database itself, not a backup of it.")
        db.session.remove()
        db.engine.dispose()
        if database is not None:
            return sqlite.restore(path, database)
        postgres.restore(db.engine.url, path)
    except (sqlite.SQLiteBackupError, postgres.PostgresBackupError, sqlite3.Error) as exc:
        raise BackupError(str(exc)) from exc
    with db.engine.connect() as connection:
        return postgres.table_counts(connection)
