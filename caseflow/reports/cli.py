"""flask report: a funder report from the command line, for scheduled runs, archived like a web download (S25)."""

import re
from datetime import date
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Program, ProgramMembership, User
from caseflow.permissions import SUPERVISING_ROLES
from caseflow.reports import periods
from caseflow.reports.forms import MAX_CUSTOM_DAYS
from caseflow.reports.registry import ReportScope
from caseflow.reports.run import generate_report
from caseflow.reports.templates import TEMPLATES
from caseflow.timezones import local_today

_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_FEDERAL = re.compile(r"FY(\d{4})")
_STATE = re.compile(r"SFY(\d{4})")
_CUSTOM = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
PERIOD_HELP = (
    "2026-Q3, FY2026 (federal), SFY2026 (state) or 2026-01-01..2026-03-31; default: the last complete quarter."
)


def last_complete_quarter(today: date) -> periods.Period:
    """The calendar quarter before the one today falls in."""
    q = (today.month - 1) // 3 + 1
    return periods.quarter(today.year - 1, 4) if q == 1 else periods.quarter(today.year, q - 1)


def parse_period(text: str | None) -> periods.Period:
    """The period named on the command line; a bad one is a usage error (exit code 2)."""
    if not text:
        return last_complete_quarter(local_today())
    value = text.strip()
    try:
        if match := _QUARTER.fullmatch(value):
            year, q = int(match.group(1)), int(match.group(2))
            period = periods.quarter(year, q)
        elif match := _STATE.fullmatch(value.upper()):
            period = periods.state_fiscal_year(int(match.group(1)))
        elif match := _FEDERAL.fullmatch(value.upper()):
            period = periods.federal_fiscal_year(int(match.group(1)))
        elif match := _CUSTOM.fullmatch(value):
            start, end = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
            period = periods.custom(start, end)
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise ValueError("Choose a period of five years or less.")
        else:
            raise ValueError(PERIOD_HELP)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--period'") from exc
    if not 2000 <= period.end.year <= 2100:
        raise click.BadParameter("Choose a year from 2000 to 2100.", param_hint="'--period'")
    return period


def _programs(names: tuple[str, ...], template_id: str) -> list[Program]:
    """The live programs named, each once; an unknown name lists the programs there are."""
    if not names:
        raise click.UsageError("Name at least one program with --program.")
    wanted = list(dict.fromkeys(name.strip() for name in names))
    found = {
        p.name: p
        for p in db.session.execute(
            select(Program).where(Program.name.in_(wanted), Program.deleted_at.is_(None))
        ).scalars()
    }
    unknown = [name for name in wanted if name not in found]
    if unknown:
        known = db.session.execute(
            select(Program.name).where(Program.deleted_at.is_(None)).order_by(Program.name)
        ).scalars()
        raise click.BadParameter(
            f"No program named {', '.join(repr(n) for n in unknown)}. The programs are: {', '.join(known) or 'none'}.",
            param_hint="'--program'",
        )
    programs = [found[name] for name in wanted]
    kinds = TEMPLATES[template_id].program_kinds
    wrong = [p.name for p in programs if kinds and p.kind not in kinds]
    if wrong:
        raise click.BadParameter(f"Template {template_id} is not for {', '.join(wrong)}.", param_hint="'--program'")
    return programs


def _accountable(email: str | None, programs: list[Program]) -> User:
    """The active account the run is recorded under: a supervisor or manager of every program."""
    if not email:
        raise click.UsageError(
            "A scheduled run is recorded under an accountable person: add --as EMAIL, the account of a "
            "supervisor or manager of every program in the report."
        )
    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if user is None or not user.is_active:
        raise click.BadParameter(f"No active account {email}.", param_hint="'--as'")
    supervised = set(
        db.session.execute(
            select(ProgramMembership.program_id).where(
                ProgramMembership.user_id == user.id,
                ProgramMembership.role.in_(SUPERVISING_ROLES),
                ProgramMembership.deleted_at.is_(None),
            )
        ).scalars()
    )
    missing = [p.name for p in programs if p.id not in supervised]
    if missing:
        raise click.BadParameter(
            f"{email} is not a supervisor or manager of {', '.join(missing)}, so cannot run this report.",
            param_hint="'--as'",
        )
    return user


@click.command("report")
@click.option("--template", "template_id", required=True, type=click.Choice(sorted(TEMPLATES)), help="Funder template.")
@click.option("--program", "program_names", multiple=True, help="A program's name; repeat for several programs.")
@click.option("--period", "period_text", default=None, help=PERIOD_HELP)
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv"]), default="pdf", show_default=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--recipient", default="scheduled run", show_default=True, help="Who will receive the report.")
@click.option("--purpose", default="scheduled run", show_default=True, help="Why it is being sent.")
@click.option("--as", "as_email", default=None, help="Email of the supervisor or manager the run is recorded under.")
def report_command(
    template_id: str,
    program_names: tuple[str, ...],
    period_text: str | None,
    fmt: str,
    output: Path,
    recipient: str,
    purpose: str,
    as_email: str | None,
) -> None:
    """Generate a funder report as PDF or CSV, archived and audited exactly like a download from the reports page."""
    period = parse_period(period_text)
    programs = _programs(program_names, template_id)
    actor = _accountable(as_email, programs)
    recipient, purpose = recipient.strip(), purpose.strip()
    if not recipient or len(recipient) > 160:
        raise click.BadParameter("Say who will receive the report (up to 160 characters).", param_hint="'--recipient'")
    if not purpose or len(purpose) > 200:
        raise click.BadParameter("Say why it is being sent (up to 200 characters).", param_hint="'--purpose'")
    if not output.parent.is_dir():
        raise click.BadParameter(f"No directory {output.parent}.", param_hint="'--output'")
    scope = ReportScope(tuple(sorted(p.id for p in programs)), period.start, period.end)
    # Rendering runs the app's template context processors, which expect a request: an empty one
    # has no user and no address (the audit row records the --as account).
    with current_app.test_request_context(environ_base={"REMOTE_ADDR": ""}):
        run = generate_report(actor, TEMPLATES[template_id], scope, period.label, fmt, recipient, purpose)
        content, disclosure_id, sha256 = run.content, run.disclosure_id, run.sha256
        db.session.commit()
    # Written after the commit: the archive holds the same bytes if the write fails.
    output.write_bytes(content)
    click.echo(
        f"Wrote {fmt.upper()} {template_id} {period.label} to {output}: disclosure {disclosure_id}, sha256 {sha256}"
    )
