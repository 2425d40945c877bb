"""flask commands: accounts, demo data, reports, audit, keys, backup and purge (register_cli lists them)."""

import click
from flask import Flask
from sqlalchemy import func, select

from caseflow.audit.cli import audit_command
from caseflow.backup.cli import backup_command, restore_command
from caseflow.crypto.cli import generate_key_command, rotate_key_command
from caseflow.extensions import db
from caseflow.reports.cli import report_command
from caseflow.retention.cli import purge_command


def register_cli(app: Flask) -> None:
    """Attach the project's commands to the app's CLI group."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(reset_two_factor_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(report_command)
    app.cli.add_command(audit_command)
    app.cli.add_command(rotate_key_command)
    app.cli.add_command(generate_key_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(purge_command)


@click.command("create-user")
@click.option("--email", required=True, help="Login email.")
@click.option("--name", "full_name", required=True, help="Full name shown in the app.")
@click.option("--admin", "is_admin", is_flag=True, help="Make the account an administrator.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="12 to 128 characters.")
def create_user_command(email: str, full_name: str, is_admin: bool, password: str) -> None:
    """Create a staff account (the first administrator, say)."""
    from caseflow.admin.services import AdminRuleError, create_user

    try:
        user = create_user(None, email=email, full_name=full_name, password=password, is_admin=is_admin)
    except AdminRuleError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {'administrator' if is_admin else 'user'} {user.email} (id {user.id}).")


@click.command("reset-two-factor")
@click.option("--email", required=True, help="Login email of the account.")
def reset_two_factor_command(email: str) -> None:
    """Remove an account's second factor and end its sessions (the only administrator lost their phone)."""
    from caseflow.auth.services import find_user_by_email
    from caseflow.auth.twofactor import reset_two_factor

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException("No account has that email.")
    reset_two_factor(None, user)
    db.session.commit()
    click.echo(f"Two-step login reset for {user.email}; they set it up again at their next login.")


@click.command("seed-demo")
@click.option("--seed", default=2026, show_default=True, help="Random seed; the same seed gives the same data.")
@click.option(
    "--participants",
    type=int,
    default=None,
    help="How many participants to create (demo: 300; large: 20,000 in all, the demo's included).",
)
@click.option("--force", is_flag=True, help="Erase the existing data first.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
@click.option(
    "--scale",
    type=click.Choice(["demo", "large"]),
    default="demo",
    show_default=True,
    help="large: the demo plus bulk programs and years of history (20,000 participants, 1,000,000 contacts).",
)
@click.option(
    "--contacts", type=int, default=None, help="With --scale large: bulk contacts (default 50 a participant)."
)
@click.option(
    "--referrals", type=int, default=None, help="With --scale large: bulk referrals (default 5 a participant)."
)
def seed_demo_command(
    seed: int,
    participants: int | None,
    force: bool,
    if_empty: bool,
    scale: str,
    contacts: int | None,
    referrals: int | None,
) -> None:
    """Load a realistic, deterministic demo data set with the seven demo accounts."""
    from caseflow.demo import seed_demo
    from caseflow.demo_bulk import SCALES, add_long_case, seed_bulk, vacuum_analyze
    from caseflow.models import User
    from caseflow.timezones import local_today

    if scale == "demo" and (contacts is not None or referrals is not None):
        raise click.BadParameter("--contacts and --referrals go with --scale large.")
    has_data = db.session.execute(select(func.count(User.id))).scalar_one() > 0
    if has_data and not force:
        if if_empty:
            click.echo("The database already holds data; leaving it as it is.")
            return
        raise click.ClickException("The database already holds data. Use --force to erase it and load the demo.")
    if scale == "demo":
        summary = seed_demo(seed=seed, participants=300 if participants is None else participants, erase=has_data)
        db.session.commit()
        click.echo(summary)
        return
    total, per_contacts, per_referrals = SCALES["large"]
    total = total if participants is None else participants
    if total <= 300:
        raise click.BadParameter("--scale large needs more than the demo's 300 participants.")
    contacts = contacts if contacts is not None else total * per_contacts // SCALES["large"][0]
    referrals = referrals if referrals is not None else total * per_referrals // SCALES["large"][0]
    today = local_today()
    click.echo(seed_demo(seed=seed, participants=300, erase=has_data, today=today))
    db.session.commit()
    click.echo(seed_bulk(seed, total - 300, contacts, referrals, today))
    case_id = add_long_case(seed)
    db.session.commit()
    vacuum_analyze()
    click.echo(f"Case {case_id} (outreach@ demo login's caseload) holds years of contacts.")
