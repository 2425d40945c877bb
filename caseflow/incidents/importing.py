"""One-way import of a police incident feed (CSV): decode, map columns, dry run, then insert new rows.

Parsing and validation are pure functions over plain dataclasses so they are testable without
the web; only `known_police_refs` reads and `import_incidents` writes the database. Nothing here
touches participants: a feed row becomes an incident and never a link to a person.
"""

import base64
import binascii
import csv
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from caseflow.audit.services import record_event
from caseflow.extensions import db
from caseflow.incidents.forms import MAX_VICTIMS
from caseflow.incidents.services import create_incident
from caseflow.models import User
from caseflow.models.incident import INCIDENT_STATUSES, Incident
from caseflow.timezones import to_utc

MAX_BYTES = 2 * 1024 * 1024
# The packed file rides in a form field between steps: a 2 MB file that does not compress
# (base64 adds a third) must still fit, so the import page allows fields this large.
FORM_FIELD_LIMIT = 3 * MAX_BYTES
PREVIEW_ROWS = 50
SOURCE = "police"
MAX_TEXT = 80
# An hour of slack covers clocks that run a little fast, as the incident form allows.
FUTURE_SLACK = timedelta(hours=1)

# (key, label) of every incident field a CSV column can feed, in form order.
IMPORT_FIELDS = [
    ("occurred_at", "Date and time (one column)"),
    ("occurred_date", "Date (separate column)"),
    ("occurred_time", "Time (separate column)"),
    ("area", "Area"),
    ("kind", "Kind"),
    ("fatal_victims", "Fatal victims"),
    ("nonfatal_victims", "Non-fatal victims"),
    ("source_ref", "Source reference"),
    ("status", "Status"),
]

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
)
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S")

Mapping = dict[str, int | None]


class ImportFileError(ValueError):
    """The uploaded file cannot be read as a feed; the message tells the user why."""


class MappingError(ValueError):
    """The column choice cannot produce incidents; errors maps field key to message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class ImportRow:
    """One data row of the file: its spreadsheet row number, parsed fields and outcome (new, duplicate, error)."""

    line: int
    fields: dict = field(default_factory=dict)
    outcome: str = "new"
    message: str = ""


@dataclass
class ImportPreview:
    """The dry run: every row's outcome and the counts shown before anything is written."""

    rows: list[ImportRow]
    new: int
    duplicates: int
    errors: int

    @property
    def first_rows(self) -> list[ImportRow]:
        return self.rows[:PREVIEW_ROWS]


# --- the file ------------------------------------------------------------------------


def decode_upload(data: bytes) -> str:
    """The uploaded bytes as text: at most 2 MB, UTF-8 (a byte-order mark is tolerated)."""
    if len(data) > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        raise ImportFileError(f"The file is larger than {limit} MB. Split it and import each part.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” and upload it again."
        ) from None
    read_table(text)
    return text


def read_table(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank data rows with their spreadsheet row numbers (the header is row 1)."""
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise ImportFileError("The file is not a readable CSV file.") from None
    numbered = [(number, row) for number, row in enumerate(records, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise ImportFileError("The file is empty.")
    (_, header), data = numbered[0], numbered[1:]
    if not data:
        raise ImportFileError("The file has a header row but no incidents.")
    return [name.strip() for name in header], data


def pack_text(text: str) -> str:
    """CSV text compressed for a hidden field, so a 2 MB file fits the form size limit between steps."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def _checked_base64(packed: str) -> bytes:
    # urlsafe_b64decode silently drops stray characters; a tampered field must fail instead.
    if not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", packed):
        raise binascii.Error("not base64")
    return packed.encode("ascii")


def unpack_text(packed: str) -> str:
    """The CSV text back from the hidden field; refuses anything that would inflate past the size limit."""
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.urlsafe_b64decode(_checked_base64(packed)), MAX_BYTES + 1)
    except (binascii.Error, zlib.error, UnicodeEncodeError):
        raise ImportFileError("The uploaded file was lost between steps. Upload it again.") from None
    if not inflater.eof and len(data) <= MAX_BYTES:
        raise ImportFileError("The uploaded file was lost between steps. Upload it again.")
    return decode_upload(data)


# --- the column mapping --------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _is_datetime(n: str) -> bool:
    return n in ("datetime", "date_time", "timestamp") or "occurred" in n or "datetime" in n or "date_time" in n


def _is_date(n: str) -> bool:
    return ("date" in n or n in ("day", "dt")) and not _is_datetime(n)


def _is_time(n: str) -> bool:
    return ("time" in n or n in ("hour",)) and not _is_datetime(n) and "date" not in n


def _is_fatal(n: str) -> bool:
    return ("fatal" in n and "non" not in n) or any(w in n for w in ("killed", "deceased", "dead"))


def _is_nonfatal(n: str) -> bool:
    return "nonfatal" in n or "non_fatal" in n or any(w in n for w in ("injured", "wounded"))


def _is_area(n: str) -> bool:
    return any(w in n for w in ("district", "beat", "area", "neighborhood", "neighbourhood", "precinct", "zone"))


def _is_ref(n: str) -> bool:
    return n in ("id", "ref", "reference", "rd", "rd_no", "case_no", "report_no") or any(
        w in n for w in ("incident_id", "case_number", "incident_number", "report_number", "reference")
    )


_GUESSES = (
    ("source_ref", _is_ref),
    ("occurred_at", _is_datetime),
    ("occurred_date", _is_date),
    ("occurred_time", _is_time),
    ("nonfatal_victims", _is_nonfatal),
    ("fatal_victims", _is_fatal),
    ("area", _is_area),
    ("kind", lambda n: "kind" in n or "type" in n),
    ("status", lambda n: "status" in n),
)


def guess_mapping(headers: list[str]) -> Mapping:
    """Default column for each field from the header names (case-insensitive); each column feeds one field."""
    mapping: Mapping = {key: None for key, _ in IMPORT_FIELDS}
    used: set[int] = set()
    for key, matches in _GUESSES:
        for index, name in enumerate(headers):
            if index not in used and matches(_norm(name)):
                mapping[key] = index
                used.add(index)
                break
    # A lone date column with no time column probably holds both.
    if mapping["occurred_at"] is None and mapping["occurred_date"] is not None and mapping["occurred_time"] is None:
        mapping["occurred_at"], mapping["occurred_date"] = mapping["occurred_date"], None
    return mapping


def check_mapping(mapping: Mapping) -> None:
    """Refuse a mapping that cannot give every row a time, an area and a reference."""
    errors = {}
    if mapping.get("occurred_at") is None:
        if mapping.get("occurred_date") is None:
            errors["occurred_at"] = "Choose the date and time column, or separate date and time columns."
        elif mapping.get("occurred_time") is None:
            errors["occurred_time"] = "Choose the time column to go with the date column."
    if mapping.get("area") is None:
        errors["area"] = "Choose the column with the area."
    if mapping.get("source_ref") is None:
        errors["source_ref"] = "Choose the column with the police reference: it recognises rows already imported."
    chosen = [index for index in mapping.values() if index is not None]
    if len(chosen) != len(set(chosen)):
        errors["_"] = "Each column can feed only one field."
    if errors:
        raise MappingError(errors)


# --- parsing one row -----------------------------------------------------------------


class _RowError(ValueError):
    pass


def _parse(value: str, formats: tuple[str, ...], what: str, hint: str) -> datetime:
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise _RowError(f"{what} “{value[:40]}” is not understood; use {hint}.")


def parse_occurred(cells: dict[str, str]) -> datetime:
    """The local wall-clock time of a row, from one column or a date and a time column."""
    if "occurred_at" in cells:
        value = cells["occurred_at"]
        if not value:
            raise _RowError("The date and time are missing.")
        return _parse(value, DATETIME_FORMATS, "The date and time", "YYYY-MM-DD HH:MM or MM/DD/YYYY HH:MM")
    day, hour = cells.get("occurred_date", ""), cells.get("occurred_time", "")
    if not day:
        raise _RowError("The date is missing.")
    if not hour:
        raise _RowError("The time is missing.")
    parsed_day: date = _parse(day, DATE_FORMATS, "The date", "YYYY-MM-DD or MM/DD/YYYY").date()
    parsed_time: time = _parse(hour, TIME_FORMATS, "The time", "HH:MM (24-hour)").time()
    return datetime.combine(parsed_day, parsed_time)


def parse_count(value: str, label: str) -> int:
    """A victim count: blank is 0; anything else must be a whole number from 0 to MAX_VICTIMS."""
    if not value:
        return 0
    if not re.fullmatch(r"[+-]?\d+", value):
        raise _RowError(f"{label} “{value[:20]}” is not a number.")
    number = int(value)
    if number < 0:
        raise _RowError(f"{label} cannot be negative.")
    if number > MAX_VICTIMS:
        raise _RowError(f"{label} cannot be more than {MAX_VICTIMS}.")
    return number


def parse_kind(value: str | None, fatal: int, nonfatal: int) -> str:
    """The incident kind from the feed's wording, or from the victim counts when the feed has none."""
    if value is None or not value.strip():
        return "shots_fired" if fatal == 0 and nonfatal == 0 else "shooting"
    text = value.strip().lower()
    # Shots fired with no injury is its own kind; anything else naming a shooting is a shooting.
    if "shots" in text:
        return "shots_fired"
    if "shoot" in text:
        return "shooting"
    raise _RowError(f"The kind “{value[:40]}” is not a shooting or shots fired.")


def parse_status(value: str) -> str:
    """The register status (reported when blank), by value or label, case-insensitive."""
    if not value:
        return "reported"
    wanted = value.strip().lower()
    for key, label in INCIDENT_STATUSES:
        if wanted in (key, label.lower()):
            return key
    raise _RowError(f"The status “{value[:40]}” is not one of {', '.join(label for _, label in INCIDENT_STATUSES)}.")


def parse_row(cells: dict[str, str], now_local: datetime) -> dict:
    """The create_incident fields of one row (occurred_at in UTC); raises _RowError with the first problem."""
    ref = cells.get("source_ref", "")
    if not ref:
        raise _RowError("The police reference is missing.")
    if len(ref) > MAX_TEXT:
        raise _RowError(f"The police reference is longer than {MAX_TEXT} characters.")
    area = cells.get("area", "")
    if not area:
        raise _RowError("The area is missing.")
    if len(area) > MAX_TEXT:
        raise _RowError(f"The area is longer than {MAX_TEXT} characters.")
    occurred = parse_occurred(cells)
    if occurred > now_local + FUTURE_SLACK:
        raise _RowError("The time is in the future.")
    fatal = parse_count(cells.get("fatal_victims", ""), "Fatal victims")
    nonfatal = parse_count(cells.get("nonfatal_victims", ""), "Non-fatal victims")
    kind = parse_kind(cells.get("kind"), fatal, nonfatal)
    if kind == "shots_fired" and fatal + nonfatal > 0:
        raise _RowError("Shots fired means no one was hit, but this row has victims.")
    return dict(
        occurred_at=to_utc(occurred),
        area=area,
        kind=kind,
        fatal_victims=fatal,
        nonfatal_victims=nonfatal,
        source=SOURCE,
        source_ref=ref,
        status=parse_status(cells.get("status", "")),
        notes="",
    )


def _cells(row: list[str], mapping: Mapping) -> dict[str, str]:
    return {
        key: (row[index].strip() if index < len(row) else "") for key, index in mapping.items() if index is not None
    }


def build_preview(text: str, mapping: Mapping, known_refs: set[str], now_local: datetime) -> ImportPreview:
    """Dry run: each row is new, a duplicate (reference already known or repeated in the file) or an error."""
    check_mapping(mapping)
    _, data = read_table(text)
    rows: list[ImportRow] = []
    seen: set[str] = set()
    for line, raw in data:
        cells = _cells(raw, mapping)
        ref = cells.get("source_ref", "")
        # A known reference is skipped whatever else the row says, so re-importing a feed is harmless.
        if ref and ref in known_refs:
            rows.append(ImportRow(line, {"source_ref": ref}, "duplicate", "Already in the register."))
            continue
        if ref and ref in seen:
            rows.append(ImportRow(line, {"source_ref": ref}, "duplicate", "Repeats an earlier row of this file."))
            continue
        if ref:
            seen.add(ref)
        try:
            rows.append(ImportRow(line, parse_row(cells, now_local), "new", ""))
        except _RowError as exc:
            rows.append(ImportRow(line, {"source_ref": ref}, "error", str(exc)))
    counts = {outcome: sum(1 for r in rows if r.outcome == outcome) for outcome in ("new", "duplicate", "error")}
    return ImportPreview(rows, counts["new"], counts["duplicate"], counts["error"])


def file_refs(text: str, mapping: Mapping) -> set[str]:
    """Every non-blank reference in the file, for one look-up of those already in the register."""
    index = mapping.get("source_ref")
    if index is None:
        return set()
    _, data = read_table(text)
    return {row[index].strip() for _, row in data if index < len(row) and row[index].strip()}


# --- the database --------------------------------------------------------------------


def known_police_refs(refs: set[str]) -> set[str]:
    """Which of refs a police incident already has, deleted ones included (the unique key still holds them)."""
    found: set[str] = set()
    ordered = sorted(refs)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(
            db.session.execute(
                select(Incident.source_ref).where(Incident.source == SOURCE, Incident.source_ref.in_(chunk))
            ).scalars()
        )
    return found


class ImportRefused(ValueError):
    """The import would be partial or wrong; the message tells the user what to fix."""


def import_incidents(actor: User, preview: ImportPreview) -> list[int]:
    """Insert every new row of a dry run with no errors; flushes and audits, never commits (all or nothing)."""
    if preview.errors:
        raise ImportRefused(f"Fix the {preview.errors} rows with errors first; nothing was imported.")
    ids = [create_incident(actor, **row.fields).id for row in preview.rows if row.outcome == "new"]
    record_event(
        actor,
        "create",
        "incident",
        record_ids=ids,
        detail=f"police feed import: {len(ids)} new, {preview.duplicates} duplicates",
    )
    return ids
