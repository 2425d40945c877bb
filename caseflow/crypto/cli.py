"""flask rotate-key and flask generate-key: the operator's side of encryption at rest (S27)."""

import click
from cryptography.fernet import Fernet
from flask import current_app

from caseflow.crypto import parse_keys
from caseflow.crypto.rotation import TableCount, rotate_keys
from caseflow.extensions import db


@click.command("generate-key")
def generate_key_command() -> None:
    """Print a new random Fernet key for CASEFLOW_ENCRYPTION_KEYS (nothing is stored)."""
    click.echo(Fernet.generate_key().decode("ascii"))


@click.command("rotate-key")
@click.option("--batch-size", default=500, show_default=True, help="Rows re-encrypted per transaction.")
def rotate_key_command(batch_size: int) -> None:
    """Re-encrypt every encrypted value with the first key of CASEFLOW_ENCRYPTION_KEYS, so older keys can go."""
    from caseflow.audit.services import record_event

    keys = parse_keys(current_app.config["ENCRYPTION_KEYS"])
    click.echo(f"Re-encrypting with the first of {len(keys)} key{'s' if len(keys) != 1 else ''}.")

    def show(count: TableCount) -> None:
        click.echo(
            f"{count.table}: {count.rows} rows read, {count.rotated} values re-encrypted, "
            f"{count.current} already on the first key"
        )

    report = rotate_keys(batch_size=max(batch_size, 1), progress=show)
    summary = f"{report.rotated} values re-encrypted, {report.current} already on the first key"
    if report.problem:
        # The batches before the failure stay committed: each value was swapped whole, so nothing is lost.
        record_event(None, "rotate_key", detail=f"flask rotate-key stopped: {report.problem}; {summary}")
        db.session.commit()
        raise click.ClickException(
            f"Stopped: {report.problem}. Before it: {summary} (saved, nothing lost). "
            "Put the key that wrote that value back in the list and run rotate-key again."
        )
    event = record_event(None, "rotate_key", detail=f"flask rotate-key: {summary} in {len(report.tables)} tables")
    db.session.commit()
    click.echo(
        f"Done: {summary} in {len(report.tables)} tables (audit event {event.id}). "
        "Keys after the first may now be removed from CASEFLOW_ENCRYPTION_KEYS."
    )
