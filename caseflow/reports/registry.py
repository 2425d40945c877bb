"""The measure registry: every number a report prints has an id, a definition and one SQL computation.

Adding a funder template means listing measures here, not writing new queries. Measures register
themselves with @measure; templates are plain data in templates.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: the programs and a closed range of local calendar days."""

    program_ids: tuple[int, ...]
    start: date
    end: date


@dataclass(frozen=True)
class MeasureResult:
    """A measure's value, and its breakdown when it has one.

    rows are (label, value) in print order. When total_shown is true the rows add up to value
    (people in a demographic table, contacts by mode), so complementary suppression applies.
    denominator is set for rates: under the small-cell threshold they print "n/a (small numbers)".
    """

    value: int | float | None
    rows: tuple[tuple[str, int | float | None], ...] = ()
    total_shown: bool = True
    denominator: int | None = None


@dataclass(frozen=True)
class Measure:
    """One defined figure. unit: count (of people or events), days, minutes, hours, rate (0..1) or money."""

    id: str
    label: str
    definition: str
    compute: Callable[[ReportScope], MeasureResult]
    unit: str = "count"
    # Counts of people (or of events that could point at a person) print as "<k" when small.
    suppress: bool = True
    source: str = "REPORTS.md"
    # For measures whose wording follows editable data (the VOCA mappings): the definition as it stands now.
    describe: Callable[[], str] | None = None

    def current_definition(self) -> str:
        """The definition to print today."""
        return self.describe() if self.describe is not None else self.definition


MEASURES: dict[str, Measure] = {}


def measure(id: str, label: str, definition: str, *, unit: str = "count", suppress: bool = True, source: str = ""):
    """Register the decorated function (scope -> MeasureResult) as a measure."""

    def register(compute: Callable[[ReportScope], MeasureResult]):
        if id in MEASURES:
            raise ValueError(f"measure {id} registered twice")
        MEASURES[id] = Measure(
            id=id,
            label=label,
            definition=" ".join(definition.split()),
            compute=compute,
            unit=unit,
            suppress=suppress,
            source=source or "REPORTS.md",
        )
        return compute

    return register


@dataclass(frozen=True)
class Section:
    """A titled group of measures, printed as one table in the report."""

    title: str
    measure_ids: tuple[str, ...]
    # Measures in this section drawn as a bar chart of their breakdown as well as a table.
    charts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportTemplate:
    """A funder template: which measures, in which sections, for which kinds of program."""

    id: str
    title: str
    funder: str
    description: str
    sections: tuple[Section, ...]
    program_kinds: tuple[str, ...] = ()  # empty: any program
    # Measures whose value goes in the summary table on the first page.
    summary: tuple[str, ...] = field(default=())
    # A funder's own form, answered in its wording: (question id, question, measure id).
    questionnaire: tuple[tuple[str, str, str], ...] = ()

    @property
    def measure_ids(self) -> tuple[str, ...]:
        return tuple(mid for section in self.sections for mid in section.measure_ids)

    @property
    def all_measure_ids(self) -> tuple[str, ...]:
        """Every measure the report prints anywhere, each once, in print order."""
        return tuple(dict.fromkeys(self.measure_ids + self.summary + tuple(q[2] for q in self.questionnaire)))
