"""flask audit verify: prove the audit trail has not been edited or thinned out."""

import click

from caseflow.audit.chain import verify_chain


@click.group("audit")
def audit_command() -> None:
    """Audit trail checks."""


@audit_command.command("verify")
@click.option("--batch-size", default=1000, show_default=True, help="Rows read per query.")
def verify_command(batch_size: int) -> None:
    """Recompute every row's hash and link; exit 1 naming the first row that breaks the chain."""
    report = verify_chain(batch_size=max(batch_size, 1))
    if report.problem is None:
        click.echo(f"OK: {report.events} events, chain intact")
        return
    click.echo(f"BROKEN: {report.problem} ({report.events} events before it are intact)")
    raise SystemExit(1)
