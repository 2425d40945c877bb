"""PostgreSQL: pg_dump --format=custom and pg_restore, with the password in the environment only."""

import os
import shutil
import subprocess
from pathlib import Path
from typing import IO

from sqlalchemy import column, func, inspect, select, table, text
from sqlalchemy.engine import URL, Connection, Engine

MAGIC = b"PGDMP"


class PostgresBackupError(Exception):
    """A PostgreSQL backup or restore that cannot go ahead; the message says why."""


def find_tool(name: str) -> str:
    """Full path of a PostgreSQL client program, or a message naming the one that is missing."""
    path = shutil.which(name)
    if path is None:
        raise PostgresBackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            f"(Debian/Ubuntu: apt-get install postgresql-client), no older than the server."
        )
    return path


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A connection string without the password, and an environment that carries it.

    The password goes in PGPASSWORD because a command line is visible to every user of the
    machine (ps, /proc) and ends up in shell history and logs.
    """
    query = {key: value for key, value in url.query.items() if key != "password"}
    # Built afresh: URL.set(password=None) would keep the password.
    conninfo = URL.create(
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database, query=query
    ).render_as_string(hide_password=False)
    env = dict(os.environ)
    password = url.password or url.query.get("password")
    if password:
        env["PGPASSWORD"] = str(password)
    return conninfo, env


def _run(args: list[str], env: dict[str, str], stdout: IO[bytes] | None = None) -> bytes:
    """Run a client tool; a failure raises with the tool's own last words (they carry no password)."""
    # A fixed argument list with the tool's full path, and no shell.
    result = subprocess.run(  # noqa: S603
        args, env=env, stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE, check=False
    )
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").strip().splitlines()[-8:]
        raise PostgresBackupError(f"{Path(args[0]).name} failed (exit {result.returncode}): " + " / ".join(said))
    return result.stdout or b""


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table in the connection's default schema, by table name."""
    names = sorted(inspect(connection).get_table_names())
    return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}


def revision_of(connection: Connection) -> str | None:
    """The Alembic revision stamped in the database, or None when it was never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(select(column("version_num")).select_from(table("alembic_version"))).scalar()


def backup(engine: Engine, url: URL, out: IO[bytes]) -> tuple[str | None, dict[str, int]]:
    """pg_dump the database into out, counting rows in the very snapshot pg_dump reads.

    A read-only REPEATABLE READ transaction exports its snapshot and stays open while pg_dump
    uses it (--snapshot), so the printed counts describe exactly what the file holds.
    """
    pg_dump = find_tool("pg_dump")
    conninfo, env = libpq_target(url)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            # Counting a big table may take longer than the limit set for web requests.
            connection.execute(text("SET LOCAL statement_timeout = 0"))
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = table_counts(connection)
            revision = revision_of(connection)
            _run(
                [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--dbname={conninfo}"],
                env,
                stdout=out,
            )
    return revision, tables


def read_revision(path: Path) -> str | None:
    """The Alembic revision recorded in a dump (its alembic_version table data), or None."""
    listing = _run(
        [find_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)], dict(os.environ)
    ).decode("utf-8", "replace")
    lines = listing.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            value = lines[index + 1] if index + 1 < len(lines) else "\\."
            return None if value == "\\." else value.strip()
    return None


def restore(url: URL, path: Path) -> None:
    """pg_restore the dump over the database in one transaction: all of it or nothing.

    --clean drops each table before re-creating it. The audit trail's append-only triggers
    refuse UPDATE, DELETE and TRUNCATE, but DROP TABLE fires none of them, and the dump
    re-creates the triggers after loading the rows, so the restored trail is protected again.
    """
    conninfo, env = libpq_target(url)
    _run(
        [
            find_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            f"--dbname={conninfo}",
            str(path),
        ],
        env,
    )
