"""flask purge: a program's retention purge from the command line, for scheduled runs (S26)."""

import click
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Program, User
from caseflow.permissions import role_in
from caseflow.retention.purge import PurgeError, PurgePlan, execute_purge, plan_purge, scrub_freed_space


def _accountable(email: str | None, program: Program) -> User:
    """The active manager of the program the purge is recorded under, as on the purge page."""
    if not email:
        raise click.UsageError(
            "A purge is recorded under an accountable person: add --as EMAIL, the account of a manager of the program."
        )
    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if user is None or not user.is_active:
        raise click.BadParameter(f"No active account {email}.", param_hint="'--as'")
    if role_in(user, program.id) != "manager":
        raise click.BadParameter(f"{email} is not a manager of {program.name}.", param_hint="'--as'")
    return user


def _describe(plan: PurgePlan) -> str:
    """Counts only: what goes, and what stays because something else needs it."""
    deleted = ", ".join(f"{len(ids)} {kind.replace('_', ' ')}" for kind, ids in plan.deleted_records.items())
    return (
        f"Retention {plan.retention_years} years: ended or deleted before {plan.cutoff.isoformat()}.\n"
        f"  ended cases: {len(plan.ended_cases)}\n"
        f"  deleted records: {plan.deleted_count}{f' ({deleted})' if deleted else ''}\n"
        f"  people left with no case: {len(plan.participants)}\n"
        f"  archived facesheets of those cases: {len(plan.facesheets)}\n"
        f"  rows in all: {plan.total_rows}\n"
        f"  kept: {plan.kept_people} people still needed elsewhere, {plan.kept_records} deleted records still needed"
    )


@click.command("purge")
@click.option("--program", "program_id", type=int, required=True, help="The program's id.")
@click.option("--dry-run", is_flag=True, help="Show the counts and delete nothing.")
@click.option("--as", "as_email", default=None, help="Email of the program manager the purge is recorded under.")
def purge_command(program_id: int, dry_run: bool, as_email: str | None) -> None:
    """Delete for good what a program keeps past its retention period, audited by id like the purge page."""
    program = db.session.get(Program, program_id)
    if program is None or program.deleted_at is not None:
        raise click.BadParameter(f"No program with id {program_id}.", param_hint="'--program'")
    actor = _accountable(as_email, program)
    try:
        plan = plan_purge(program)
    except PurgeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{program.name} (program {program.id})")
    click.echo(_describe(plan))
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was deleted.")
        return
    if plan.is_empty:
        click.echo("Nothing to purge.")
        return
    execute_purge(actor, program, plan)
    db.session.commit()
    scrub_freed_space()
    click.echo(f"Purged {plan.total_rows} rows.")
