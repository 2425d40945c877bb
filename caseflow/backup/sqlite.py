"""SQLite: online copies with the sqlite3 backup API, in both directions."""

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select, table
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL

MAGIC = b"SQLite format 3\x00"
# How long the command waits for a running app's write to finish before copying into the database.
BUSY_TIMEOUT_SECONDS = 30


class SQLiteBackupError(Exception):
    """A SQLite backup or restore that cannot go ahead; the message says why."""


def database_file(url: URL) -> Path:
    """The database file behind an SQLite URL; an in-memory database has none and is refused."""
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory" or "mode=memory" in database:
        raise SQLiteBackupError(
            "This app uses an in-memory SQLite database, which lives only as long as the process: "
            "there is nothing on disk to back up or to restore into. Set DATABASE_URL to a database file."
        )
    if url.query.get("uri") or database.startswith("file:"):
        raise SQLiteBackupError("Backup and restore need a plain sqlite:///path/to/file.db URL, not an SQLite URI.")
    return Path(database)


def _uri(path: Path, mode: str) -> str:
    """An SQLite URI for path, so a name with ? or # in it still means that file."""
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _count_statement(name: str) -> str:
    """SELECT count(*) for one table, with the name quoted by SQLAlchemy's SQLite dialect."""
    return str(select(func.count()).select_from(table(name)).compile(dialect=sqlite_dialect.dialect()))


def table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows per table in an open SQLite database, by table name."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: connection.execute(_count_statement(name)).fetchone()[0] for name in names}


def revision_of(connection: sqlite3.Connection) -> str | None:
    """The Alembic revision stamped in a database, or None when it was never migrated."""
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _check_intact(connection: sqlite3.Connection, what: str) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise SQLiteBackupError(f"{what} is damaged (SQLite says: {result}).")


def backup(source: Path, target: Path) -> tuple[str | None, dict[str, int]]:
    """Copy the live database into target (a new, empty, private file) in one consistent step.

    The backup API reads one snapshot while the app keeps working (WAL mode lets writers go on).
    The copy is switched out of WAL mode so it is a single self-contained file.
    """
    if not source.is_file():
        raise SQLiteBackupError(f"The database file {source} does not exist.")
    # mode=rw: never create an empty database where the real one was expected.
    src = sqlite3.connect(_uri(source, "rw"), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    dest = sqlite3.connect(target)
    try:
        src.backup(dest)  # pages=-1: the whole database in one step, so one snapshot
        dest.execute("PRAGMA journal_mode=DELETE")
        _check_intact(dest, "The copy")
        return revision_of(dest), table_counts(dest)
    finally:
        dest.close()
        src.close()


def open_backup(path: Path) -> sqlite3.Connection:
    """Open a backup file read-only, after checking it is an intact SQLite database."""
    try:
        connection = sqlite3.connect(_uri(path, "ro"), uri=True)
        _check_intact(connection, f"The backup {path}")
    except sqlite3.DatabaseError as exc:
        raise SQLiteBackupError(f"{path} cannot be read as an SQLite database ({exc}).") from exc
    return connection


def read_revision(path: Path) -> str | None:
    """The Alembic revision a backup file was taken at."""
    connection = open_backup(path)
    try:
        return revision_of(connection)
    finally:
        connection.close()


def restore(backup_path: Path, database: Path) -> dict[str, int]:
    """Replace the database's contents with the backup's, page by page, in one write transaction.

    Connections the running app holds see the restored data on their next transaction.
    """
    src = open_backup(backup_path)
    os.makedirs(database.parent, exist_ok=True)
    dest = sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        try:
            src.backup(dest)
        except sqlite3.OperationalError as exc:
            raise SQLiteBackupError(f"Could not write into {database} ({exc}); nothing was changed.") from exc
        dest.execute("PRAGMA journal_mode=WAL")  # the app runs SQLite in WAL mode (caseflow/__init__.py)
        _check_intact(dest, "The restored database")
        return table_counts(dest)
    finally:
        dest.close()
        src.close()
