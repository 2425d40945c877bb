"""flask backup PATH and flask restore PATH."""

from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from caseflow.audit.services import record_event
from caseflow.backup.services import (
    BackupError,
    backup_database,
    backup_revision,
    code_revision,
    describe_database,
    restore_database,
)
from caseflow.extensions import db


def _echo_tables(tables: dict[str, int]) -> None:
    click.echo(f"  {len(tables)} tables, {sum(tables.values())} rows:")
    width = max((len(name) for name in tables), default=0)
    for name, rows in tables.items():
        click.echo(f"    {name:<{width}}  {rows}")


def _database_failure(exc: SQLAlchemyError) -> click.ClickException:
    """The driver's own message (it names host and database, never the password), without SQL."""
    reason = getattr(exc, "orig", None) or exc
    return click.ClickException(f"The database could not be reached or read: {type(reason).__name__}: {reason}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace PATH if it already exists.")
def backup_command(path: Path, overwrite: bool) -> None:
    """Write a consistent copy of the whole database to PATH, while the app keeps running."""
    try:
        result = backup_database(path, overwrite=overwrite)
        db.session.commit()  # the `backup` audit row
    except BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise _database_failure(exc) from exc
    click.echo(f"Backed up {describe_database()} to {result.path}")
    click.echo(f"  {result.size} bytes, Alembic revision {result.revision or '(none)'}")
    _echo_tables(result.tables)
    click.echo("The encryption keys are not in the backup: back them up separately.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--allow-revision-mismatch",
    is_flag=True,
    help="Restore a backup taken at another Alembic revision than this code's (run `flask db upgrade` after).",
)
def restore_command(path: Path, yes: bool, allow_revision_mismatch: bool) -> None:
    """Replace everything in the database with the contents of the backup at PATH."""
    try:
        taken_at = backup_revision(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    expected = code_revision()
    click.echo(f"Backup revision: {taken_at or '(none)'}; this code's revision: {expected or '(none)'}")
    if taken_at != expected and not allow_revision_mismatch:
        raise click.ClickException(
            "The backup was taken at a different revision than this code expects. Restore it with the matching "
            "caseflow version, or pass --allow-revision-mismatch and then run `flask db upgrade`."
        )
    target = describe_database()
    if not yes:
        click.confirm(f"Replace every record in {target} with the contents of {path}?", abort=True)
    try:
        tables = restore_database(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise _database_failure(exc) from exc
    click.echo(f"Restored {path} into {target}")
    _echo_tables(tables)
    try:
        record_event(None, "restore", "database", detail=path.name)
        db.session.commit()
    except SQLAlchemyError:
        # An older schema may not take today's audit row; the restore itself is complete.
        db.session.rollback()
        click.echo("The restore could not be recorded in the audit trail at this schema revision.")
    if taken_at != expected:
        click.echo("Now run `flask db upgrade` to bring the schema to this code's revision.")
