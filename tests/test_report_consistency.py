"""One report, three formats: the PDF, the CSV and the HTML preview print the same cells; and `flask report`."""

import csv
import hashlib
import html
import io
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent, ReportRun
from tests.conftest import audit_count, login

Q3 = {"period_kind": "quarter", "year": "2026", "quarter": "3"}
PROGRAM = "Street Outreach"
# (gender, contact modes) per person: 11 female, 5 male and 2 non-binary people, so some cells print "<5".
PEOPLE = [("female", ("in_person", "phone"))] * 6 + [("female", ("in_person",))] * 5
PEOPLE += [("male", ("in_person", "phone", "text"))] * 3 + [("male", ("phone",))] * 2
PEOPLE += [("non_binary", ("in_person", "home_visit"))] * 2


@pytest.fixture
def setting(make_program, make_user, make_case, make_contact):
    """Street Outreach with a supervisor, a worker and eighteen people served in Q3 2026."""
    program = make_program("street_outreach", PROGRAM, organisation="Eastside Peace Collective")
    supervisor = make_user(roles={program: "supervisor"}, full_name="Sofia Supervisor")
    worker = make_user(roles={program: "worker"}, full_name="Wes Worker")
    for n, (gender, modes) in enumerate(PEOPLE):
        case = make_case(program, worker, gender=gender, date_of_birth=date(1990 + n % 12, 3, 1))
        for i, mode in enumerate(modes):
            make_contact(
                case, worker, mode=mode, occurred_at=datetime(2026, 8, 3 + n, 15 + i, 0), duration_minutes=20 + 5 * i
            )
    return program, supervisor, worker


def _request(program, template: str, fmt: str = "pdf") -> dict:
    return {
        "template": template,
        "programs": [str(program.id)],
        **Q3,
        "format": fmt,
        "recipient": "City grants office",
        "purpose": "Quarterly report",
        "submission_token": f"tok-{template}-{fmt}",
    }


def _csv_measures(content: bytes) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """(measure id, label, value, breakdown rows) in file order, from the CSV's figure rows."""
    measures: list[tuple[str, str, str, list[tuple[str, str]]]] = []
    for row in list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]:
        if not row or row[0].startswith("#"):
            continue
        _, _, _, mid, label, breakdown, value, _ = row
        if breakdown == "":
            measures.append((mid, label, value, []))
        else:
            assert measures[-1][0] == mid
            measures[-1][3].append((breakdown, value))
    return measures


def _cell(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _html_rows(fragment: str) -> list[tuple[str, str]]:
    """(th, first td) of each table row in an HTML fragment."""
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, re.S):
        cells = re.fullmatch(r"\s*<th[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>.*", row, re.S)
        if cells:
            rows.append((_cell(cells.group(1)), _cell(cells.group(2))))
    return rows


def _flat(text: str) -> str:
    return " ".join(text.split())


def _find_in_order(text: str, phrases: list[str], start: int = 0) -> int:
    """Each phrase occurs after the previous one; returns the position after the last."""
    cursor = start
    for phrase in phrases:
        found = text.find(phrase, cursor)
        assert found >= 0, f"{phrase!r} not found in the PDF after position {cursor}"
        cursor = found + len(phrase)
    return cursor


@pytest.mark.parametrize("template_id", ["program-summary", "cvi-performance"])
def test_pdf_csv_and_preview_print_the_same_cells(client, setting, template_id):
    program, supervisor, _ = setting
    login(client, supervisor)
    preview = client.post("/reports/preview", data=_request(program, template_id))
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    csv_response = client.post("/reports", data=_request(program, template_id, "csv"))
    pdf_response = client.post("/reports", data=_request(program, template_id, "pdf"))
    assert csv_response.mimetype == "text/csv" and pdf_response.mimetype == "application/pdf"

    measures = _csv_measures(csv_response.data)
    printed = [value for _, _, value, rows in measures for value in [value] + [cell for _, cell in rows]]
    # The fixture is big enough for both kinds of cell: exact counts of five or more, and hidden small ones.
    assert "<5" in printed
    assert any(cell.isdigit() and int(cell) >= 5 for cell in printed)

    # The preview: one <tbody class="measure"> per measure, headline row then breakdown rows, in CSV order.
    blocks = re.findall(r'<tbody class="measure">(.*?)</tbody>', page, re.S)
    assert len(blocks) == len(measures)
    for (mid, label, value, rows), block in zip(measures, blocks, strict=True):
        assert _html_rows(block) == [(label, value), *rows], mid

    # The PDF: page 1 is the cover; then the summary table, then each section's rows in order.
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf_response.data)).pages]
    body = _flat("\n".join(pages[1:]))
    units = {mid: unit for mid, unit in _csv_units(csv_response.data)}
    by_id = {mid: (label, value) for mid, label, value, _ in measures}
    summary = re.search(r'<section class="summary">(.*?)</section>', page, re.S).group(1)
    summary_rows = _html_rows(summary)
    assert summary_rows, "the preview has a summary table"
    cursor = _find_in_order(body, [f"{label} {value}" for label, value in summary_rows], body.index("Summary"))
    headline = dict(by_id.values())
    for label, value in summary_rows:
        # A summary cell is the same measure's headline cell in the sections (and in the CSV).
        assert headline.get(label, value) == value, label
    for mid, label, value, rows in measures:
        cursor = _find_in_order(
            body, [f"{label} {value} {units[mid]}", *(f"{row} {cell}" for row, cell in rows)], cursor
        )


def _csv_units(content: bytes) -> list[tuple[str, str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    return [(row[3], row[7]) for row in rows if row and not row[0].startswith("#") and row[5] == ""]


def test_preview_is_audited_as_a_view_and_archives_nothing(client, setting):
    program, supervisor, _ = setting
    login(client, supervisor)
    response = client.post("/reports/preview", data=_request(program, "program-summary"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Program summary" in page and "Q3 2026" in page and PROGRAM in page
    assert db.session.execute(select(func.count(ReportRun.id))).scalar_one() == 0
    event = db.session.execute(select(AuditEvent).where(AuditEvent.record_type == "report_preview")).scalar_one()
    assert (event.action, event.user_id) == ("view", supervisor.id)
    assert "program-summary" in event.detail and "Q3 2026" in event.detail
    assert audit_count(action="export") == 0
    # Charts are data: images (allowed by the CSP), and the page has no inline style or script.
    assert 'src="data:image/svg+xml;base64,' in page
    assert " style=" not in page and "<script>" not in page


def test_preview_download_buttons_post_the_request_with_fresh_tokens(client, setting):
    program, supervisor, _ = setting
    login(client, supervisor)
    page = client.post("/reports/preview", data=_request(program, "program-summary")).get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="/reports" class="d-inline">(.*?)</form>', page, re.S)
    assert len(forms) == 2
    posted = []
    for form in forms:
        fields: dict[str, list[str]] = {}
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
            fields.setdefault(name, []).append(html.unescape(value))
        assert fields["programs"] == [str(program.id)] and fields["quarter"] == ["3"] and fields["year"] == ["2026"]
        assert fields["recipient"] == ["City grants office"] and fields["purpose"] == ["Quarterly report"]
        posted.append(fields)
    assert {f["format"][0] for f in posted} == {"pdf", "csv"}
    assert posted[0]["submission_token"] != posted[1]["submission_token"]
    assert "Download PDF" in page and "Download CSV" in page
    # Pressing both archives two disclosures, one per format.
    for fields in posted:
        response = client.post("/reports", data=fields)
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    formats = db.session.execute(select(ReportRun.format).order_by(ReportRun.format)).scalars().all()
    assert formats == ["csv", "pdf"]


def test_preview_with_bad_input_keeps_what_was_typed(client, setting):
    program, supervisor, _ = setting
    login(client, supervisor)
    data = {**_request(program, "program-summary"), "recipient": "", "purpose": "Board meeting"}
    response = client.post("/reports/preview", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Say who will receive this report." in page and 'value="Board meeting"' in page
    assert audit_count(record_type="report_preview") == 0


def test_preview_is_for_supervisors_only(client, setting, make_program, make_user):
    program, _, worker = setting
    other = make_program("street_outreach", "Westside Outreach")
    other_supervisor = make_user(roles={other: "supervisor"})
    login(client, worker)
    assert client.post("/reports/preview", data=_request(program, "program-summary")).status_code == 404
    login(client, other_supervisor)
    assert client.post("/reports/preview", data=_request(program, "program-summary")).status_code == 404
    assert audit_count(record_type="report_preview") == 0


def test_report_page_offers_a_preview_button(client, setting):
    _, supervisor, _ = setting
    login(client, supervisor)
    page = client.get("/reports").get_data(as_text=True)
    assert 'formaction="/reports/preview"' in page and ">Preview</button>" in page


# --- flask report --------------------------------------------------------------------------------------


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["report", *args])


def _count_runs() -> int:
    return db.session.execute(select(func.count(ReportRun.id))).scalar_one()


def test_the_example_command_archives_one_run_matching_the_file(app, setting, tmp_path):
    _, supervisor, _ = setting
    output = tmp_path / "report.pdf"
    result = _run(
        app,
        *("--template", "program-summary", "--program", PROGRAM, "--period", "2026-Q3"),
        *("--format", "pdf", "--output", str(output), "--as", supervisor.email),
    )
    assert result.exit_code == 0, result.output
    content = output.read_bytes()
    assert content.startswith(b"%PDF")
    run = db.session.execute(select(ReportRun)).scalar_one()
    assert run.sha256 == hashlib.sha256(content).hexdigest() and run.content == content
    assert (run.template_id, run.format, run.generated_by_id) == ("program-summary", "pdf", supervisor.id)
    assert (run.period_start, run.period_end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert (run.recipient, run.purpose) == ("scheduled run", "scheduled run")
    assert result.output.count("\n") == 1
    assert run.disclosure_id in result.output and run.sha256 in result.output and str(output) in result.output
    assert audit_count(action="export", record_type="report", record_id=run.id, user_id=supervisor.id) == 1
    assert run.disclosure_id in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_csv_from_the_command_line_matches_the_web_csv(app, client, setting, tmp_path):
    program, supervisor, _ = setting
    output = tmp_path / "report.csv"
    result = _run(
        app,
        *("--template", "cvi-performance", "--program", PROGRAM, "--period", "2026-07-01..2026-09-30"),
        *("--format", "csv", "--output", str(output), "--as", supervisor.email, "--recipient", "Funder X"),
    )
    assert result.exit_code == 0, result.output
    run = db.session.execute(select(ReportRun)).scalar_one()
    assert (run.format, run.recipient, run.sha256) == (
        "csv",
        "Funder X",
        hashlib.sha256(output.read_bytes()).hexdigest(),
    )
    login(client, supervisor)
    web = client.post("/reports", data=_request(program, "cvi-performance", "csv")).data
    # Same figures; only the stamp rows (who, when, disclosure id, recipient) differ.
    assert _csv_measures(output.read_bytes()) == _csv_measures(web)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--template", "program-summary", "--program", "Nowhere Outreach"), "Street Outreach"),
        (("--template", "no-such-template", "--program", PROGRAM), "no-such-template"),
        (("--template", "program-summary", "--program", PROGRAM, "--period", "2026-Q5"), "--period"),
        (("--template", "program-summary", "--program", PROGRAM, "--period", "FY26"), "--period"),
        (("--template", "program-summary", "--program", PROGRAM, "--period", "2026-03-31..2026-01-01"), "last day"),
        (("--template", "program-summary", "--program", PROGRAM, "--period", "2026-02-30..2026-03-31"), "--period"),
        (("--template", "hvip-annual", "--program", PROGRAM), "not for Street Outreach"),
        (("--template", "program-summary", "--program", PROGRAM, "--format", "docx"), "docx"),
    ],
)
def test_bad_input_exits_2_and_archives_nothing(app, setting, tmp_path, args, message):
    _, supervisor, _ = setting
    output = tmp_path / "out.pdf"
    result = _run(app, *args, "--output", str(output), "--as", supervisor.email)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert _count_runs() == 0 and audit_count(action="export") == 0
    assert not output.exists()


def test_a_worker_or_nobody_cannot_run_a_report(app, setting, tmp_path):
    _, _, worker = setting
    output = tmp_path / "out.pdf"
    base = ("--template", "program-summary", "--program", PROGRAM, "--period", "2026-Q3", "--output", str(output))
    refused = _run(app, *base, "--as", worker.email)
    assert refused.exit_code == 2 and "not a supervisor or manager of Street Outreach" in refused.output
    anonymous = _run(app, *base)
    assert anonymous.exit_code == 2 and "--as EMAIL" in anonymous.output
    unknown = _run(app, *base, "--as", "nobody@example.org")
    assert unknown.exit_code == 2 and "No active account" in unknown.output
    assert _count_runs() == 0 and not output.exists()


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 11, 28), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 9, 30), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2027, 2, 14), date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_the_default_period_is_the_last_complete_quarter(app, setting, tmp_path, monkeypatch, today, start, end):
    _, supervisor, _ = setting
    monkeypatch.setattr("caseflow.reports.cli.local_today", lambda: today)
    output = tmp_path / "out.csv"
    args = ("--template", "program-summary", "--program", PROGRAM, "--format", "csv", "--output", str(output))
    result = _run(app, *args, "--as", supervisor.email)
    assert result.exit_code == 0, result.output
    run = db.session.execute(select(ReportRun)).scalar_one()
    assert (run.period_start, run.period_end) == (start, end)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("FY2026", date(2025, 10, 1), date(2026, 9, 30)),
        ("SFY2026", date(2025, 7, 1), date(2026, 6, 30)),
        ("2026-01-01..2026-03-31", date(2026, 1, 1), date(2026, 3, 31)),
    ],
)
def test_fiscal_years_and_custom_ranges(app, setting, tmp_path, period, start, end):
    _, supervisor, _ = setting
    args = ("--template", "program-summary", "--program", PROGRAM, "--period", period, "--format", "csv")
    result = _run(app, *args, "--output", str(tmp_path / "out.csv"), "--as", supervisor.email)
    assert result.exit_code == 0, result.output
    run = db.session.execute(select(ReportRun)).scalar_one()
    assert (run.period_start, run.period_end) == (start, end)
