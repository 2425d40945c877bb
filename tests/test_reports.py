"""Funder report output: periods, printed cells with suppression, PDF, CSV, the archive and who may use it."""

import base64
import csv
import hashlib
import io
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent, ProgramMembership, ReportRun
from caseflow.reports import periods
from caseflow.reports.csv_export import neutralise
from caseflow.reports.pdf import css_string, render_html
from caseflow.reports.population import count_people, gender_rows, served_people
from caseflow.reports.registry import MEASURES, Measure, MeasureResult, ReportScope, ReportTemplate, Section
from caseflow.reports.run import SMALL_NUMBERS, Stamp, compute_report
from caseflow.reports.templates import TEMPLATES
from tests.conftest import audit_count, login

FIRST, LAST = "Zebulon", "Quillfeather"
DOB = date(1990, 4, 17)
PHONE = "555-0199"
AREA = "4417 Larkspur Lane"
Q1 = {"period_kind": "quarter", "year": "2026", "quarter": "1"}


# --- periods ---------------------------------------------------------------------------------------------


def test_quarters_cover_calendar_quarters_to_the_last_day():
    assert periods.quarter(2026, 1)[:2] == (date(2026, 1, 1), date(2026, 3, 31))
    assert periods.quarter(2024, 1)[:2] == (date(2024, 1, 1), date(2024, 3, 31))
    assert periods.quarter(2026, 2)[:2] == (date(2026, 4, 1), date(2026, 6, 30))
    assert periods.quarter(2026, 3)[:2] == (date(2026, 7, 1), date(2026, 9, 30))
    assert periods.quarter(2026, 4)[:2] == (date(2026, 10, 1), date(2026, 12, 31))
    assert "Q4 2026" in periods.quarter(2026, 4).label
    with pytest.raises(ValueError):
        periods.quarter(2026, 5)


def test_federal_fiscal_year_runs_october_to_september():
    start, end, label = periods.federal_fiscal_year(2026)
    assert (start, end) == (date(2025, 10, 1), date(2026, 9, 30))
    assert "Federal fiscal year 2026" in label


def test_state_fiscal_year_starts_on_the_configured_month(app):
    assert periods.state_fiscal_year(2026)[:2] == (date(2025, 7, 1), date(2026, 6, 30))
    assert periods.state_fiscal_year(2024, 3)[:2] == (date(2023, 3, 1), date(2024, 2, 29))
    assert periods.state_fiscal_year(2026, 1)[:2] == (date(2026, 1, 1), date(2026, 12, 31))
    app.config["STATE_FISCAL_YEAR_START_MONTH"] = 10
    assert periods.state_fiscal_year(2026)[:2] == (date(2025, 10, 1), date(2026, 9, 30))


def test_custom_range_is_closed_and_ordered():
    assert periods.custom(date(2026, 2, 1), date(2026, 2, 1))[:2] == (date(2026, 2, 1), date(2026, 2, 1))
    with pytest.raises(ValueError):
        periods.custom(date(2026, 2, 2), date(2026, 2, 1))


# --- a small template of test measures -------------------------------------------------------------------


def _fixed(result: MeasureResult):
    return lambda scope: result


def _served(scope: ReportScope) -> MeasureResult:
    people = served_people(scope)
    return MeasureResult(count_people(people), gender_rows(people))


@pytest.fixture
def test_template(monkeypatch):
    """Registers test.* measures and a test template; monkeypatch takes them out of MEASURES again."""
    measures = [
        Measure("test.served", "People served (test)", "People with a completed contact in the period.", _served),
        Measure(
            "test.breakdown",
            "People by group (test)",
            "A fixed breakdown with one small cell.",
            _fixed(MeasureResult(20, (("Group A", 10), ("Group B", 3), ("Group C", 7), ("Group D", 0)))),
        ),
        Measure(
            "test.listed",
            "Events by kind (test)",
            "No total shown: small cells hide alone.",
            _fixed(MeasureResult(14, (("Kind A", 10), ("Kind B", 4)), total_shown=False)),
        ),
        Measure("test.small", "A small count (test)", "Three people.", _fixed(MeasureResult(3))),
        Measure("test.zero", "Nobody (test)", "Zero people.", _fixed(MeasureResult(0))),
        Measure(
            "test.rate_small",
            "Share connected, few (test)",
            "A share of four referrals.",
            _fixed(MeasureResult(0.75, total_shown=False, denominator=4)),
            unit="rate",
            suppress=False,
        ),
        Measure(
            "test.rate",
            "Share connected (test)",
            "A share of twenty referrals.",
            _fixed(MeasureResult(0.25, total_shown=False, denominator=20)),
            unit="rate",
            suppress=False,
        ),
        Measure(
            "test.hours",
            "Contact hours (test)",
            "Hours of contact.",
            _fixed(MeasureResult(12.5, (("Phone", 2.25), ("In person", 10.25)))),
            unit="hours",
            suppress=False,
        ),
    ]
    for m in measures:
        monkeypatch.setitem(MEASURES, m.id, m)
    template = ReportTemplate(
        id="test-report",
        title="Test funder report",
        funder="Test Foundation",
        description="Figures for the tests.",
        sections=(
            Section("People", ("test.served", "test.breakdown", "test.listed", "test.small", "test.zero")),
            Section("Other figures", ("test.rate_small", "test.rate", "test.hours"), charts=("test.breakdown",)),
        ),
        summary=("test.served", "test.rate"),
    )
    monkeypatch.setitem(TEMPLATES, template.id, template)
    return template


def _printed(data, mid):
    return next(m for m in data.definitions if m.id == mid)


def test_compute_report_suppresses_small_cells_with_a_complement(app, test_template):
    data = compute_report(test_template, ReportScope((), date(2026, 1, 1), date(2026, 3, 31)), threshold=5)
    breakdown = _printed(data, "test.breakdown")
    # Group B (3) is hidden; the total 20 is shown, so the next smallest non-zero cell (Group C) is hidden too.
    assert breakdown.value == "20"
    assert breakdown.rows == (("Group A", "10"), ("Group B", "<5"), ("Group C", "<5"), ("Group D", "0"))
    assert _printed(data, "test.listed").rows == (("Kind A", "10"), ("Kind B", "<5"))
    assert _printed(data, "test.small").value == "<5"
    assert _printed(data, "test.zero").value == "0"
    assert _printed(data, "test.rate_small").value == SMALL_NUMBERS
    assert _printed(data, "test.rate").value == "25.0%"
    assert _printed(data, "test.hours").value == "12.5"
    assert _printed(data, "test.hours").rows == (("Phone", "2.25"), ("In person", "10.25"))
    # Charts read the printed cells: hidden cells are missing, never their true value.
    assert breakdown.chart_rows == (("Group A", 10.0), ("Group B", None), ("Group C", None), ("Group D", 0.0))


def test_threshold_comes_from_config(app, test_template):
    app.config["SMALL_CELL_THRESHOLD"] = 11
    data = compute_report(test_template, ReportScope((), date(2026, 1, 1), date(2026, 3, 31)))
    assert data.threshold == 11
    assert _printed(data, "test.breakdown").rows[0] == ("Group A", "<11")
    assert _printed(data, "test.rate").value == "25.0%"  # denominator 20 >= 11
    assert _printed(data, "test.small").value == "<11"


# --- the web pages ---------------------------------------------------------------------------------------


@pytest.fixture
def setting(make_program, make_user, make_case, make_contact):
    """A program with a supervisor, a worker and six served people, one of them with planted identifiers."""
    program = make_program("street_outreach", "Eastside Outreach", organisation="Eastside Peace Collective")
    supervisor = make_user(roles={program: "supervisor"}, full_name="Sofia Supervisor")
    worker = make_user(roles={program: "worker"}, full_name="Wes Worker")
    planted = make_case(
        program, worker, first_name=FIRST, last_name=LAST, date_of_birth=DOB, phone=PHONE, area=AREA, gender="male"
    )
    make_contact(planted, worker, occurred_at=datetime(2026, 2, 10, 18, 0))
    for _ in range(5):
        make_contact(make_case(program, worker, gender="female"), worker, occurred_at=datetime(2026, 2, 11, 18, 0))
    return program, supervisor, worker


def _request(program, **overrides) -> dict:
    data = {
        "template": "test-report",
        "programs": [str(program.id)],
        **Q1,
        "format": "pdf",
        "recipient": "Test Foundation grants office",
        "purpose": "Quarterly grant report",
        "submission_token": "tok-report-1",
    }
    data.update(overrides)
    return data


def _pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_supervisor_gets_an_archived_audited_pdf(client, setting, test_template):
    program, supervisor, _ = setting
    login(client, supervisor)
    response = client.post("/reports", data=_request(program))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-report_2026-01-01_2026-03-31.pdf"'
    assert response.data.startswith(b"%PDF")

    run = db.session.execute(select(ReportRun)).scalar_one()
    assert run.sha256 == hashlib.sha256(response.data).hexdigest()
    assert run.content == response.data and run.size_bytes == len(response.data)
    assert (run.template_id, run.program_ids, run.format) == ("test-report", str(program.id), "pdf")
    assert (run.period_start, run.period_end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (run.recipient, run.purpose, run.generated_by_id) == (
        "Test Foundation grants office",
        "Quarterly grant report",
        supervisor.id,
    )
    assert re.fullmatch(r"[0-9a-f]{32}", run.disclosure_id)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert (event.user_id, event.record_type, event.record_id) == (supervisor.id, "report", run.id)
    assert run.disclosure_id in event.detail and "test-report" in event.detail

    pages = _pdf_text(response.data)
    text = "\n".join(pages)
    for expected in ("Test funder report", "Test Foundation", "Eastside Outreach", "Eastside Peace Collective"):
        assert expected in text
    assert "Sofia Supervisor" in pages[0] and "Q1 2026" in pages[0]
    assert "Definitions" in text and "People with a completed contact in the period." in text
    # The footer is on every page: who, and the disclosure id; and page numbers.
    for number, page in enumerate(pages, start=1):
        assert run.disclosure_id in page and "Generated by Sofia Supervisor" in page
        assert f"Page {number} of {len(pages)}" in page
    # Six people served: five female, and the one male prints as "<5" with a complement.
    flat = " ".join(text.split())
    assert "People served (test) 6 count" in flat
    for secret in (FIRST, LAST, PHONE, AREA, DOB.isoformat(), DOB.strftime("%d %b %Y"), "04/17/1990"):
        assert secret not in text


def test_pdf_html_has_no_identifiers_and_charts_drawn_from_suppressed_cells(app, setting, test_template):
    program, supervisor, _ = setting
    data = compute_report(test_template, ReportScope((program.id,), date(2026, 1, 1), date(2026, 3, 31)), 5)
    stamp = Stamp('Ann "</style><b>', datetime(2026, 4, 2, 9, 30), "America/Chicago", "d" * 32, "Funder", "Report")
    with app.test_request_context():
        html = render_html(data, stamp)
    for secret in (FIRST, LAST, PHONE, AREA, DOB.isoformat()):
        assert secret not in html
    # The footer's CSS string cannot be broken out of by the user's name.
    assert "</style><b>" not in html
    assert str(css_string('Ann "</style><b>'))[1:-1] in html
    svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)).decode()
    assert "Group B (hidden)" in svg and "Group C (hidden)" in svg


def test_csv_neutralises_formulas_and_carries_the_stamp(
    client, monkeypatch, make_program, make_user, make_case, make_contact
):
    program = make_program("street_outreach", '=HYPERLINK("http://evil.example","Click")')
    supervisor = make_user(roles={program: "manager"}, full_name="@Mallory Manager")
    case = make_case(program, first_name=FIRST, last_name=LAST, date_of_birth=DOB, phone=PHONE)
    make_contact(case, occurred_at=datetime(2026, 2, 10, 18, 0))
    # A label that looks like a formula, too.
    monkeypatch.setitem(MEASURES, "test.csv", Measure("test.csv", "-Served", "+People served.", _served))
    template = ReportTemplate("test-csv", "CSV test", "Funder", "d", (Section("S", ("test.csv",)),))
    monkeypatch.setitem(TEMPLATES, "test-csv", template)
    login(client, supervisor)
    response = client.post("/reports", data=_request(program, template="test-csv", format="csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-csv_2026-01-01_2026-03-31.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["template", "period_start", "period_end", "measure_id", "measure", "breakdown", "value", "unit"]
    assert rows[1] == ["test-csv", "2026-01-01", "2026-03-31", "test.csv", "'-Served", "", "<5", "count"]
    stamp = {row[0]: row[1] for row in rows if row and row[0].startswith("#")}
    run = db.session.execute(select(ReportRun)).scalar_one()
    assert stamp["# disclosure id"] == run.disclosure_id
    assert stamp["# generated by"] == "'@Mallory Manager"
    assert stamp["# programs"] == "'" + program.name
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert run.sha256 == hashlib.sha256(response.data).hexdigest()
    for secret in (FIRST, LAST, PHONE, DOB.isoformat()):
        assert secret not in response.data.decode("utf-8-sig")


def test_neutralise_prefixes_formula_starts_only():
    assert [neutralise(v) for v in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "<5", "0", "a=b", None)] == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "<5",
        "0",
        "a=b",
        "",
    ]


def test_bad_input_keeps_what_was_typed(client, setting, test_template):
    program, supervisor, _ = setting
    login(client, supervisor)
    response = client.post(
        "/reports", data=_request(program, recipient="", period_kind="custom", start="2026-03-01", end="2026-02-01")
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Say who will receive this report." in page
    assert "The last day cannot be before the first." in page
    assert 'value="Quarterly grant report"' in page and 'value="2026-03-01"' in page
    assert db.session.execute(select(func.count(ReportRun.id))).scalar_one() == 0
    assert audit_count(action="export") == 0


def test_double_submit_archives_one_report(client, setting, test_template):
    program, supervisor, _ = setting
    login(client, supervisor)
    first = client.post("/reports", data=_request(program, format="csv"))
    second = client.post("/reports", data=_request(program, format="csv"))
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert db.session.execute(select(func.count(ReportRun.id))).scalar_one() == 1
    assert audit_count(action="export", record_type="report") == 2


def test_archive_lists_and_redownloads_the_exact_bytes(client, setting, test_template, make_user):
    program, supervisor, _ = setting
    login(client, supervisor)
    sent = client.post("/reports", data=_request(program)).data
    run = db.session.execute(select(ReportRun)).scalar_one()
    colleague = make_user(roles={program: "manager"}, full_name="Mo Manager")
    login(client, colleague)
    page = client.get("/reports/archive").get_data(as_text=True)
    for shown in ("Test funder report", "Eastside Outreach", "Sofia Supervisor", run.disclosure_id, run.sha256):
        assert shown in page
    response = client.get(f"/reports/archive/{run.id}")
    assert response.status_code == 200 and response.data == sent
    assert "attachment" in response.headers["Content-Disposition"]
    assert audit_count(action="export", record_type="report", record_id=run.id, user_id=colleague.id) == 1


def test_access_is_for_supervisors_of_every_chosen_program(client, setting, test_template, make_program, make_user):
    program, supervisor, worker = setting
    other = make_program("street_outreach", "Westside Outreach")
    other_supervisor = make_user(roles={other: "supervisor"})
    partner_program = make_program("focused_deterrence", "Deterrence")
    partner = make_user(roles={partner_program: "partner"})
    admin = make_user(is_admin=True)
    login(client, supervisor)
    client.post("/reports", data=_request(program))
    run = db.session.execute(select(ReportRun)).scalar_one()

    for user in (worker, partner, admin):
        login(client, user)
        assert client.get("/reports").status_code == 404, user.full_name
        assert client.post("/reports", data=_request(program, submission_token="x")).status_code == 404
        assert client.get("/reports/archive").status_code == 404
        assert client.get(f"/reports/archive/{run.id}").status_code == 404

    login(client, other_supervisor)
    assert client.get("/reports").status_code == 200
    # Naming a program they do not supervise is 404, alone or next to their own.
    assert client.post("/reports", data=_request(program, submission_token="y")).status_code == 404
    both = _request(other, programs=[str(other.id), str(program.id)], submission_token="z")
    assert client.post("/reports", data=both).status_code == 404
    assert run.disclosure_id not in client.get("/reports/archive").get_data(as_text=True)
    assert client.get(f"/reports/archive/{run.id}").status_code == 404
    assert db.session.execute(select(func.count(ReportRun.id))).scalar_one() == 1


def test_a_run_over_two_programs_needs_both_to_be_supervised(client, setting, test_template, make_program, make_user):
    program, supervisor, _ = setting
    second = make_program("street_outreach", "Northside Outreach")
    db.session.add(ProgramMembership(user_id=supervisor.id, program_id=second.id, role="manager"))
    db.session.commit()
    one_only = make_user(roles={second: "supervisor"})
    both = make_user(roles={program: "supervisor", second: "supervisor"})
    login(client, supervisor)
    response = client.post("/reports", data=_request(program, programs=[str(program.id), str(second.id)]))
    assert response.status_code == 200
    run = db.session.execute(select(ReportRun)).scalar_one()
    assert run.program_ids == " ".join(str(i) for i in sorted((program.id, second.id)))
    login(client, one_only)
    assert client.get(f"/reports/archive/{run.id}").status_code == 404
    login(client, both)
    assert client.get(f"/reports/archive/{run.id}").status_code == 200


def test_report_page_has_labelled_fields(client, setting, test_template):
    _, supervisor, _ = setting
    login(client, supervisor)
    page = client.get("/reports").get_data(as_text=True)
    for label in ("Funder template", "Programs", "Period", "Year", "Quarter", "Format", "Recipient", "Purpose"):
        assert label in page
    assert "Eastside Outreach" in page and "Test funder report" in page
    assert " style=" not in page and "<script>" not in page


@pytest.mark.parametrize("template_id", ["program-summary", "cvi-performance", "victim-services", "hvip-annual"])
@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_every_real_template_renders_without_an_identifier(
    client, setting, template_id, fmt, make_program, make_user, make_case, make_contact
):
    """The shipped templates, end to end: a file comes back and no name, birth date or phone is in it."""
    from caseflow.reports.templates import TEMPLATES

    template = TEMPLATES[template_id]
    program, supervisor, worker = setting
    if template.program_kinds and program.kind not in template.program_kinds:
        program = make_program(template.program_kinds[0], "Mercy HVIP", organisation="Mercy Hospital")
        supervisor = make_user(roles={program: "supervisor"})
        planted = make_case(program, worker, first_name=FIRST, last_name=LAST, date_of_birth=DOB, phone=PHONE)
        make_contact(planted, worker, occurred_at=datetime(2026, 2, 10, 18, 0))
    login(client, supervisor)
    response = client.post(
        "/reports", data=_request(program, template=template_id, format=fmt, submission_token=f"t-{template_id}{fmt}")
    )
    assert response.status_code == 200
    assert response.mimetype == ("application/pdf" if fmt == "pdf" else "text/csv")
    text = " ".join(_pdf_text(response.data)) if fmt == "pdf" else response.get_data(as_text=True)
    assert template.title.split()[0] in text
    if template.questionnaire and fmt == "pdf":
        # The funder's own questions, in their wording, each with its answer.
        assert "Answers to the funder's questionnaire" in text
        assert all(qid in text for qid, _, _ in template.questionnaire)
    for planted_value in (FIRST, LAST, PHONE, DOB.strftime("%d %b %Y"), DOB.isoformat(), "Wes Worker"):
        assert planted_value not in text, planted_value
