"""The case facesheet: one case printed as a PDF for a hand-off or a court letter, a disclosure like any report.

Only the categories chosen are even read from the database; the rest print as "Withheld". Sending it
outside the program needs a valid consent naming the recipient and every chosen category (S23); every
facesheet is archived with its bytes and audited with recipient, purpose, consent and user (S25).
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from sqlalchemy import func, select
from weasyprint import HTML

from caseflow.audit.services import record_event
from caseflow.consents.services import find_valid_consent, same_name
from caseflow.extensions import db
from caseflow.hvip.services import case_injuries
from caseflow.models import (
    Case,
    Consent,
    Contact,
    Goal,
    Incident,
    IncidentPerson,
    Outcome,
    Program,
    Referral,
    ReportRun,
    ServiceProvider,
    User,
)
from caseflow.models.base import utcnow
from caseflow.models.choices import (
    CONSENT_CATEGORIES,
    GOAL_DOMAINS,
    OUTCOME_TYPES,
    REFERRAL_STATUSES,
    SERVICE_CATEGORIES,
    label_of,
    values,
)
from caseflow.models.incident import INCIDENT_KINDS, INCIDENT_ROLES
from caseflow.permissions import role_in
from caseflow.reports.fetcher import STATIC_BASE_URL, safe_url_fetcher
from caseflow.reports.pdf import css_string
from caseflow.reports.run import Stamp
from caseflow.timezones import local_today, to_local

TEMPLATE_ID = "facesheet"
# Redacted by default (S5): only who the person is and the case's outline are ticked on the form.
DEFAULT_CATEGORIES = ("identity", "case_summary")
# A facesheet summarises; it never prints a whole case history (WeasyPrint is slow per row).
RECENT_NOTES = 10
MAX_GOALS = 30
MAX_ROWS = 30
JUSTICE_OUTCOMES = ("arrested", "incarcerated")


class FacesheetRefused(ValueError):
    """A rule refused the facesheet (no consent, nothing chosen); the message is shown and no PDF is made."""


@dataclass(frozen=True)
class Identity:
    name: str
    date_of_birth: date | None
    age: int | None
    aliases: tuple[str, ...]
    phone: str
    area: str


@dataclass(frozen=True)
class GoalLine:
    domain: str
    status: str
    set_on: date
    target_on: date | None


@dataclass(frozen=True)
class CaseSummary:
    program: str
    status: str
    referral_source: str
    referred_on: date
    enrolled_on: date | None
    closed_on: date | None
    closure_reason: str
    assigned_worker: str
    risk: str
    goals: tuple[GoalLine, ...]
    # (service, status, how many), counted in SQL.
    referrals: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class InjuryLine:
    injured_on: date
    mechanism: str
    care_level: str
    arrived_on: date
    discharged_on: date | None
    reinjury: bool


@dataclass(frozen=True)
class JusticeEvent:
    kind: str
    on: date


@dataclass(frozen=True)
class IncidentLink:
    on: date
    kind: str
    area: str
    role: str


@dataclass(frozen=True)
class Justice:
    outcomes: tuple[JusticeEvent, ...]
    incidents: tuple[IncidentLink, ...]


@dataclass(frozen=True)
class Note:
    on: date
    kind: str
    text: str


@dataclass(frozen=True)
class Narratives:
    notes: tuple[Note, ...]
    goals: tuple[tuple[str, str], ...]  # (domain, description)


@dataclass(frozen=True)
class FacesheetData:
    """What one facesheet prints; a section is None when its category was not chosen (printed "Withheld")."""

    case_id: int
    program: str
    categories: tuple[str, ...]
    identity: Identity | None
    summary: CaseSummary | None
    health: tuple[InjuryLine, ...] | None
    justice: Justice | None
    narratives: Narratives | None

    @property
    def sections(self) -> tuple[tuple[str, str, bool], ...]:
        """(category, label, shown) in the order of the consent form's category list."""
        return tuple((value, label, value in self.categories) for value, label in CONSENT_CATEGORIES)


def category_labels(categories) -> list[str]:
    """Chosen categories as labels, in the list's order."""
    return [label for value, label in CONSENT_CATEGORIES if value in set(categories)]


def _identity(case: Case, today: date) -> Identity:
    person = case.participant
    return Identity(
        name=person.display_name,
        date_of_birth=person.date_of_birth,
        age=person.age_on(today),
        aliases=tuple(a.name for a in person.aliases),
        phone=person.phone,
        area=person.area,
    )


def _summary(case: Case) -> CaseSummary:
    goals = db.session.execute(
        select(Goal)
        .where(Goal.case_id == case.id, Goal.deleted_at.is_(None))
        .order_by(Goal.set_on.desc(), Goal.id.desc())
        .limit(MAX_GOALS)
    ).scalars()
    referral_counts = db.session.execute(
        select(Referral.service_category, Referral.status, func.count(Referral.id))
        .where(Referral.case_id == case.id, Referral.deleted_at.is_(None))
        .group_by(Referral.service_category, Referral.status)
        .order_by(Referral.service_category, Referral.status)
    ).all()
    return CaseSummary(
        program=case.program.name,
        status=case.status_label,
        referral_source=case.referral_source_label,
        referred_on=case.referred_on,
        enrolled_on=case.enrolled_on,
        closed_on=case.closed_on,
        closure_reason=case.closure_reason_label,
        assigned_worker=case.assigned_worker.full_name if case.assigned_worker else "Unassigned",
        risk=case.risk_label,
        # Goal descriptions are free text: they print under case notes, not here.
        goals=tuple(GoalLine(g.domain_label, g.status_label, g.set_on, g.target_on) for g in goals),
        referrals=tuple(
            (label_of(SERVICE_CATEGORIES, category), label_of(REFERRAL_STATUSES, status), count)
            for category, status, count in referral_counts
        ),
    )


def _health(case: Case) -> tuple[InjuryLine, ...]:
    # Never the medical record number, the hospital or the discharge plan: mechanism, dates and care level only.
    return tuple(
        InjuryLine(
            injured_on=to_local(i.injured_at).date(),
            mechanism=i.mechanism_label,
            care_level=i.care_level_label,
            arrived_on=to_local(i.arrived_at).date(),
            discharged_on=i.discharged_on,
            reinjury=i.is_reinjury,
        )
        for i in case_injuries(case)[:MAX_ROWS]
    )


def _justice(case: Case) -> Justice:
    outcomes = db.session.execute(
        select(Outcome.outcome_type, Outcome.occurred_on)
        .where(Outcome.case_id == case.id, Outcome.deleted_at.is_(None), Outcome.outcome_type.in_(JUSTICE_OUTCOMES))
        .order_by(Outcome.occurred_on.desc())
        .limit(MAX_ROWS)
    ).all()
    links = db.session.execute(
        select(Incident.occurred_at, Incident.kind, Incident.area, IncidentPerson.role)
        .join(IncidentPerson, IncidentPerson.incident_id == Incident.id)
        .where(IncidentPerson.participant_id == case.participant_id, Incident.deleted_at.is_(None))
        .order_by(Incident.occurred_at.desc())
        .limit(MAX_ROWS)
    ).all()
    return Justice(
        outcomes=tuple(JusticeEvent(label_of(OUTCOME_TYPES, kind), on) for kind, on in outcomes),
        incidents=tuple(
            IncidentLink(to_local(at).date(), label_of(INCIDENT_KINDS, kind), area, label_of(INCIDENT_ROLES, role))
            for at, kind, area, role in links
        ),
    )


def _narratives(case: Case) -> Narratives:
    # Notes are encrypted at rest; the empty string is the one value SQL can still compare (caseflow/crypto).
    contacts = db.session.execute(
        select(Contact)
        .where(Contact.case_id == case.id, Contact.deleted_at.is_(None), Contact.notes != "")
        .order_by(Contact.occurred_at.desc(), Contact.id.desc())
        .limit(RECENT_NOTES)
    ).scalars()
    goals = db.session.execute(
        select(Goal.domain, Goal.description)
        .where(Goal.case_id == case.id, Goal.deleted_at.is_(None))
        .order_by(Goal.set_on.desc(), Goal.id.desc())
        .limit(MAX_GOALS)
    ).all()
    return Narratives(
        notes=tuple(
            Note(to_local(c.occurred_at).date(), f"{c.type_label} ({c.mode_label.lower()})", c.notes) for c in contacts
        ),
        goals=tuple((label_of(GOAL_DOMAINS, domain), description) for domain, description in goals),
    )


def facesheet_data(actor: User, case: Case, categories) -> FacesheetData:
    """The printable facesheet of a case; categories not chosen are not read at all, so they cannot leak."""
    chosen = tuple(value for value in values(CONSENT_CATEGORIES) if value in set(categories))
    today = local_today()
    return FacesheetData(
        case_id=case.id,
        program=case.program.name,
        categories=chosen,
        identity=_identity(case, today) if "identity" in chosen else None,
        summary=_summary(case) if "case_summary" in chosen else None,
        health=_health(case) if "health" in chosen else None,
        justice=_justice(case) if "justice" in chosen else None,
        narratives=_narratives(case) if "narratives" in chosen else None,
    )


def _recipient_consents(case: Case, recipient: str, on: date, categories: frozenset[str]) -> list[Consent]:
    """Valid consents of this person naming recipient (a provider, a program or a typed name) and every category."""
    wanted = recipient.strip().lower()
    provider_ids = db.session.execute(
        select(ServiceProvider.id).where(
            func.lower(ServiceProvider.name) == wanted, ServiceProvider.deleted_at.is_(None)
        )
    ).scalars()
    program_ids = db.session.execute(
        select(Program.id).where(func.lower(Program.name) == wanted, Program.deleted_at.is_(None))
    ).scalars()
    # Only consents this case's program recorded count: another program's consent is not ours to use (S23).
    mine = {"categories": categories, "disclosing_program_id": case.program_id}
    found = [
        *(find_valid_consent(case.participant_id, on, provider_id=p, **mine) for p in provider_ids),
        *(find_valid_consent(case.participant_id, on, recipient_program_id=p, **mine) for p in program_ids),
    ]
    # A consent typed as free text ("County Court") names no provider or program: it matches by name.
    found.append(find_valid_consent(case.participant_id, on, recipient_name=recipient, **mine))
    return [c for c in found if c is not None]


def consent_for_facesheet(case: Case, recipient: str, categories, on: date) -> Consent:
    """The valid consent that lets these categories go to recipient, or FacesheetRefused saying what is missing."""
    chosen = frozenset(categories)
    matching = _recipient_consents(case, recipient, on, chosen)
    if matching:
        return matching[0]
    partial = _recipient_consents(case, recipient, on, frozenset())
    if not partial:
        raise FacesheetRefused(
            f"No valid consent names {recipient} as a recipient (expired and revoked consents do not count)."
            " Record the participant's consent first, or tick \"for this program's own file\" if it stays here."
        )
    best = max(partial, key=lambda c: len(chosen & {cc.category for cc in c.categories}))
    missing = category_labels(chosen - {cc.category for cc in best.categories})
    raise FacesheetRefused(
        f"The consent for {recipient} (#{best.id}) does not cover: {', '.join(missing)}."
        " Untick those sections or record a consent that covers them."
    )


def render_facesheet_html(data: FacesheetData, stamp: Stamp, consent_id: int | None) -> str:
    """The facesheet as print HTML (the PDF's source; tests read it too)."""
    handling = f"handle under consent #{consent_id}" if consent_id else "for this program's own file, not for release"
    # S25: every page's footer says who made it, when, the disclosure id and how it must be handled.
    footer = (
        f"Contains participant information - {handling}\n"
        f"Generated by {stamp.generated_by} · {stamp.when} · disclosure {stamp.disclosure_id}"
    )
    return render_template(
        "reports/pdf/facesheet.html",
        sheet=data,
        stamp=stamp,
        consent_id=consent_id,
        handling=handling,
        footer_css=css_string(footer),
    )


def render_facesheet_pdf(data: FacesheetData, stamp: Stamp, consent_id: int | None) -> bytes:
    """The facesheet as PDF bytes, through the locked-down fetcher."""
    html = render_facesheet_html(data, stamp, consent_id)
    return HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=safe_url_fetcher).write_pdf()


def facesheet_filename(case: Case) -> str:
    """The download's name: the case id only, never the person's name."""
    return f"facesheet_case_{case.id}_{local_today().isoformat()}.pdf"


def generate_facesheet(actor: User, case: Case, recipient: str, purpose: str, categories, internal: bool) -> ReportRun:
    """Check consent, render, archive and audit one facesheet disclosure; flushes, never commits."""
    if role_in(actor, case.program_id) is None:
        raise FacesheetRefused("Only members of this case's program can print its facesheet.")
    chosen = [value for value in values(CONSENT_CATEGORIES) if value in set(categories)]
    if not chosen or set(categories) - set(values(CONSENT_CATEGORIES)):
        raise FacesheetRefused("Choose at least one section from the list.")
    recipient, purpose = recipient.strip(), purpose.strip()
    if internal:
        # The program's own file has no outside recipient: naming one here would sidestep the consent check.
        if recipient and not same_name(recipient, case.program.name):
            raise FacesheetRefused(
                f"A facesheet for this program's own file goes to nobody outside it, so it cannot be for {recipient}."
                ' Clear the recipient, or untick "for this program\'s own file" to send it under a consent.'
            )
        recipient = f"{case.program.name} (own file)"
    if not recipient or not purpose:
        raise FacesheetRefused("Say who will receive the facesheet and why.")
    today = local_today()
    # S23: leaving the program needs the person's consent to this recipient, for every section printed.
    consent = None if internal else consent_for_facesheet(case, recipient, chosen, today)
    generated_at = utcnow()
    stamp = Stamp(
        generated_by=actor.full_name,
        generated_at=to_local(generated_at),
        timezone=current_app.config.get("TIMEZONE", "UTC"),
        disclosure_id=uuid.uuid4().hex,
        recipient=recipient[:160],
        purpose=purpose[:200],
    )
    data = facesheet_data(actor, case, chosen)
    content = render_facesheet_pdf(data, stamp, consent.id if consent else None)
    run = ReportRun(
        disclosure_id=stamp.disclosure_id,
        template_id=TEMPLATE_ID,
        program_ids=str(case.program_id),
        period_start=min(case.referred_on, today),
        period_end=today,
        period_label=f"Case {case.id} facesheet",
        format="pdf",
        recipient=stamp.recipient,
        purpose=stamp.purpose,
        generated_by_id=actor.id,
        generated_at=generated_at,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        content=content,
    )
    db.session.add(run)
    db.session.flush()
    # ReportRun has no consent or case column: both go in the audit row, tied to the case (S25).
    record_event(
        actor,
        "export",
        "case",
        case.id,
        record_ids=[run.id],
        detail=(
            f"facesheet pdf disclosure {stamp.disclosure_id} run {run.id} "
            f"consent {consent.id if consent else 'none (program own file)'} "
            f"categories {','.join(chosen)} to {stamp.recipient}"
        ),
    )
    return run
