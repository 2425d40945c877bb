"""Running a report: compute each measure once, print every cell through small-cell suppression, archive the file.

Raw measure values live only inside compute_report; what leaves it (ReportData) is the printed text
the PDF, the CSV and the charts all share, so no format can show a number another one hides.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.models import Program, ReportRun, User
from caseflow.models.base import utcnow
from caseflow.reports.registry import MEASURES, Measure, MeasureResult, ReportScope, ReportTemplate
from caseflow.suppression import breakdown_cells, show_count
from caseflow.timezones import to_local

DEFAULT_THRESHOLD = 5
SMALL_NUMBERS = "n/a (small numbers)"
NOT_AVAILABLE = "n/a"
# What the unit column says; the printed value carries the number only (and % for rates).
UNIT_NAMES = {
    "count": "count",
    "rate": "percent",
    "days": "days",
    "minutes": "minutes",
    "hours": "hours",
    "money": "dollars",
}


@dataclass(frozen=True)
class PrintedMeasure:
    """One measure as every format prints it: text cells only, suppression already applied."""

    id: str
    label: str
    definition: str
    source: str
    unit: str
    suppress: bool
    value: str
    rows: tuple[tuple[str, str], ...]

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES.get(self.unit, self.unit)

    @property
    def chart_rows(self) -> tuple[tuple[str, float | None], ...]:
        """The breakdown as numbers for a chart, read back from the printed cells: a hidden cell is missing."""
        return tuple((label, _printed_number(text)) for label, text in self.rows)


@dataclass(frozen=True)
class PrintedSection:
    title: str
    measures: tuple[PrintedMeasure, ...]
    charts: tuple[PrintedMeasure, ...]


@dataclass(frozen=True)
class ReportData:
    """Everything a report prints, and nothing that identifies a person."""

    template_id: str
    title: str
    funder: str
    description: str
    programs: tuple[str, ...]
    organisations: tuple[str, ...]
    start: date
    end: date
    period_label: str
    threshold: int
    summary: tuple[PrintedMeasure, ...]
    sections: tuple[PrintedSection, ...]
    definitions: tuple[PrintedMeasure, ...]
    # (question id, question, the printed measure that answers it), for funders with their own form.
    questionnaire: tuple[tuple[str, str, PrintedMeasure], ...] = ()


@dataclass(frozen=True)
class Stamp:
    """Who made a file, when, for whom and its disclosure id: printed on every page and in every CSV (S25)."""

    generated_by: str
    generated_at: datetime  # local wall clock
    timezone: str
    disclosure_id: str
    recipient: str
    purpose: str

    @property
    def when(self) -> str:
        return f"{self.generated_at:%d %b %Y, %H:%M} ({self.timezone})"


def threshold_setting() -> int:
    """The deployment's small-cell threshold k (counts 1..k-1 print as "<k")."""
    return int(current_app.config.get("SMALL_CELL_THRESHOLD") or DEFAULT_THRESHOLD)


def _printed_number(text: str) -> float | None:
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return None


def _number(value: int | float) -> str:
    """A plain number, no thousands separator (the CSV stays machine-readable), at most two decimals."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _format(unit: str, value: int | float | None) -> str:
    """A figure that needs no suppression, in its unit."""
    if value is None:
        return NOT_AVAILABLE
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "money":
        return f"{value:.2f}"
    return _number(value)


def _suppressed_rows(rows, threshold: int, total_shown: bool) -> list[str]:
    """Breakdown cells of a count of people: "<k" when small, plus a complement when the total is shown."""
    present = [i for i, (_, v) in enumerate(rows) if v is not None]
    counts = [int(rows[i][1]) for i in present]
    if total_shown:
        cells = breakdown_cells(counts, threshold, total_shown=True)
    else:
        cells = [show_count(c, threshold) for c in counts]
    printed = [NOT_AVAILABLE] * len(rows)
    for i, cell in zip(present, cells, strict=True):
        printed[i] = cell
    return printed


def print_measure(measure: Measure, result: MeasureResult, threshold: int) -> PrintedMeasure:
    """Apply REPORTS.md's small-numbers rules to one measure's result."""
    labels = [label for label, _ in result.rows]
    if result.denominator is not None and result.denominator < threshold:
        # A share (or median) of a handful of people says too much about each of them.
        value, cells = SMALL_NUMBERS, [SMALL_NUMBERS] * len(labels)
    elif measure.unit == "count" and measure.suppress:
        value = NOT_AVAILABLE if result.value is None else show_count(int(result.value), threshold)
        cells = _suppressed_rows(result.rows, threshold, result.total_shown)
    else:
        value = _format(measure.unit, result.value)
        cells = [_format(measure.unit, v) for _, v in result.rows]
    return PrintedMeasure(
        id=measure.id,
        label=measure.label,
        definition=measure.current_definition(),
        source=measure.source,
        unit=measure.unit,
        suppress=measure.suppress,
        value=value,
        rows=tuple(zip(labels, cells, strict=True)),
    )


def compute_report(
    template: ReportTemplate, scope: ReportScope, threshold: int | None = None, period_label: str = ""
) -> ReportData:
    """Run each of the template's measures once over the scope and print the report's cells."""
    k = threshold if threshold is not None else threshold_setting()
    printed: dict[str, PrintedMeasure] = {}
    for mid in template.all_measure_ids:
        measure = MEASURES[mid]
        printed[mid] = print_measure(measure, measure.compute(scope), k)
    programs = db.session.execute(
        select(Program.name, Program.organisation).where(Program.id.in_(scope.program_ids)).order_by(Program.name)
    ).all()
    return ReportData(
        template_id=template.id,
        title=template.title,
        funder=template.funder,
        description=template.description,
        programs=tuple(name for name, _ in programs),
        organisations=tuple(dict.fromkeys(org for _, org in programs if org)),
        start=scope.start,
        end=scope.end,
        period_label=period_label or f"{scope.start:%d %b %Y} to {scope.end:%d %b %Y}",
        threshold=k,
        summary=tuple(printed[mid] for mid in template.summary),
        sections=tuple(
            PrintedSection(
                title=section.title,
                measures=tuple(printed[mid] for mid in section.measure_ids),
                charts=tuple(printed[mid] for mid in section.charts if mid in printed and printed[mid].rows),
            )
            for section in template.sections
        ),
        definitions=tuple(printed[mid] for mid in template.all_measure_ids),
        questionnaire=tuple((qid, question, printed[mid]) for qid, question, mid in template.questionnaire),
    )


def report_filename(template_id: str, start: date, end: date, fmt: str) -> str:
    """The download's name: template and period, nothing else."""
    return f"{template_id}_{start.isoformat()}_{end.isoformat()}.{fmt}"


def generate_report(
    actor: User,
    template: ReportTemplate,
    scope: ReportScope,
    period_label: str,
    fmt: str,
    recipient: str,
    purpose: str,
) -> ReportRun:
    """Compute, render and archive one disclosure, and audit it; flushes, never commits."""
    # The renderers import this module's dataclasses, so they are imported here.
    from caseflow.reports.csv_export import render_csv
    from caseflow.reports.pdf import render_pdf

    if fmt not in ("pdf", "csv"):
        raise ValueError(f"unknown report format {fmt}")
    generated_at = utcnow()
    stamp = Stamp(
        generated_by=actor.full_name,
        generated_at=to_local(generated_at),
        timezone=current_app.config.get("TIMEZONE", "UTC"),
        disclosure_id=uuid.uuid4().hex,
        recipient=recipient,
        purpose=purpose,
    )
    data = compute_report(template, scope, period_label=period_label)
    content = render_pdf(data, stamp) if fmt == "pdf" else render_csv(data, stamp)
    run = ReportRun(
        disclosure_id=stamp.disclosure_id,
        template_id=template.id,
        program_ids=" ".join(str(p) for p in sorted(scope.program_ids)),
        period_start=scope.start,
        period_end=scope.end,
        period_label=data.period_label[:120],
        format=fmt,
        recipient=recipient,
        purpose=purpose,
        generated_by_id=actor.id,
        generated_at=generated_at,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        content=content,
    )
    db.session.add(run)
    db.session.flush()
    record_event(
        actor,
        "export",
        "report",
        run.id,
        detail=f"{fmt} report {template.id} disclosure {stamp.disclosure_id} programs {run.program_ids}",
    )
    return run
