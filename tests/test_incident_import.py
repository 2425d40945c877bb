"""The police feed import: upload, column mapping, dry run, all-or-nothing import, and who may do it."""

import io
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.incidents import import_views
from caseflow.incidents.importing import MAX_BYTES, guess_mapping
from caseflow.models import AuditEvent, Participant, Program
from caseflow.models.incident import Incident, IncidentPerson
from tests.conftest import PASSWORD, audit_count, csrf_token_from, login

HEADER = "Incident ID,Date,Time,District,Type,Fatal,Injured,Status\n"
# Indexes of HEADER's columns, as the mapping form posts them.
MAPPING = {
    "occurred_at": "",
    "occurred_date": "1",
    "occurred_time": "2",
    "area": "3",
    "kind": "4",
    "fatal_victims": "5",
    "nonfatal_victims": "6",
    "source_ref": "0",
    "status": "7",
}
GOOD = HEADER + (
    "P-100,2026-01-05,14:00,Beat 12,Shooting,1,2,confirmed\n"
    "P-101,01/06/2026,23:30:15,Eastside,Shots fired,0,0,\n"
    "P-102,2026-01-07,08:15,Northgate,,0,1,Reported\n"
)


@pytest.fixture
def importer_app(app):
    """The conftest app with the import blueprint registered, as the lead will in create_app."""
    if "incident_import" not in app.blueprints:
        app.register_blueprint(import_views.bp)
    return app


@pytest.fixture
def web(importer_app):
    return importer_app.test_client()


@pytest.fixture
def supervisor(make_program, make_user):
    program = make_program("street_outreach", "Street Outreach")
    return make_user(roles={program: "supervisor"})


def _incidents() -> list[Incident]:
    return list(db.session.execute(select(Incident).order_by(Incident.source_ref)).scalars())


def _upload(web, body: bytes | str, filename: str = "feed.csv"):
    data = body.encode("utf-8") if isinstance(body, str) else body
    return web.post(
        "/incidents/import",
        data={"file": (io.BytesIO(data), filename), "upload": "Upload"},
        content_type="multipart/form-data",
    )


def _feed(page: str) -> str:
    match = re.search(r'name="feed" type="hidden" value="([^"]*)"', page)
    assert match, "no packed file in the mapping form"
    return match.group(1)


def _post(web, body: str, button: str = "preview", **mapping):
    """Upload body, then press Preview or Import with the given column mapping."""
    feed = _feed(_upload(web, body).get_data(as_text=True))
    data = {"feed": feed, **MAPPING, **mapping, button: "Go"}
    return web.post("/incidents/import", data=data)


def _make_incident(ref: str, **fields) -> Incident:
    incident = Incident(
        occurred_at=fields.pop("occurred_at", datetime(2025, 12, 1, 12, 0)),
        area="Old area",
        kind="shooting",
        fatal_victims=0,
        nonfatal_victims=1,
        source="police",
        source_ref=ref,
        **fields,
    )
    db.session.add(incident)
    db.session.commit()
    return incident


# --- header guessing -------------------------------------------------------------------


def test_guess_maps_separate_date_and_time_and_common_police_names():
    """Header names are matched case-insensitively; each column feeds at most one field."""
    headers = ["CASE_NUMBER", "Date", "TIME", "Police District", "Offense Type", "Fatal", "Non-Fatal", "Status"]
    assert guess_mapping(headers) == {
        "occurred_at": None,
        "occurred_date": 1,
        "occurred_time": 2,
        "area": 3,
        "kind": 4,
        "fatal_victims": 5,
        "nonfatal_victims": 6,
        "source_ref": 0,
        "status": 7,
    }


def test_guess_maps_one_datetime_column_and_injured_and_neighborhood():
    """An 'occurred' or 'datetime' column feeds the single date-and-time field; 'injured' means non-fatal."""
    mapping = guess_mapping(["id", "Occurred", "Neighborhood", "killed", "injured"])
    assert (mapping["source_ref"], mapping["occurred_at"], mapping["area"]) == (0, 1, 2)
    assert (mapping["fatal_victims"], mapping["nonfatal_victims"], mapping["kind"], mapping["status"]) == (
        3,
        4,
        None,
        None,
    )


def test_guess_treats_a_lone_date_column_as_date_and_time():
    """With no time column, the date column is assumed to hold the time too."""
    mapping = guess_mapping(["incident_id", "date", "beat"])
    assert (mapping["occurred_at"], mapping["occurred_date"], mapping["area"]) == (1, None, 2)


def test_upload_shows_the_mapping_form_with_guessed_columns(web, supervisor):
    """After the upload the page offers the file's columns, guessed ones preselected."""
    login(web, supervisor)
    page = _upload(web, GOOD).get_data(as_text=True)
    assert "Match the columns" in page
    assert re.search(r'<select[^>]*id="area"[^>]*>.*?<option selected value="3">District</option>', page, re.S)
    assert re.search(r'<select[^>]*id="source_ref"[^>]*>.*?<option selected value="0">Incident ID</option>', page, re.S)
    assert _incidents() == []


# --- dry run ---------------------------------------------------------------------------


def test_preview_counts_rows_and_explains_every_error_with_its_row_number(web, supervisor):
    """Bad date, negative count, shots fired with victims, missing reference or area, future time are errors."""
    _make_incident("P-OLD")
    login(web, supervisor)
    body = HEADER + (
        "P-1,2026-01-05,14:00,Beat 1,Shooting,0,1,\n"  # row 2: new
        "P-2,2026-13-45,14:00,Beat 1,Shooting,0,1,\n"  # row 3: bad date
        "P-3,2026-01-05,14:00,Beat 1,Shooting,-1,1,\n"  # row 4: negative
        "P-4,2026-01-05,14:00,Beat 1,Shots Fired,0,2,\n"  # row 5: shots fired with victims
        ",2026-01-05,14:00,Beat 1,Shooting,0,1,\n"  # row 6: missing reference
        "P-OLD,2026-01-05,14:00,Beat 1,Shooting,0,1,\n"  # row 7: in the register already
        "P-1,2026-01-05,14:00,Beat 1,Shooting,0,1,\n"  # row 8: repeats row 2
        "P-9,2099-01-05,14:00,Beat 1,Shooting,0,1,\n"  # row 9: future
        "P-10,2026-01-05,14:00,,Shooting,0,1,\n"  # row 10: missing area
        "P-11,2026-01-05,14:00,Beat 1,Shooting,two,1,\n"  # row 11: not a number
    )
    page = _post(web, body).get_data(as_text=True)
    assert "1 new" in page and "2 duplicates" in page and "7 with errors" in page
    expected = {
        3: "The date “2026-13-45” is not understood; use YYYY-MM-DD or MM/DD/YYYY.",
        4: "Fatal victims cannot be negative.",
        5: "Shots fired means no one was hit, but this row has victims.",
        6: "The police reference is missing.",
        7: "Already in the register.",
        8: "Repeats an earlier row of this file.",
        9: "The time is in the future.",
        10: "The area is missing.",
        11: "Fatal victims “two” is not a number.",
    }
    for line, message in expected.items():
        assert re.search(rf"<td>{line}</td>.*?{re.escape(message)}", page, re.S), (line, message)
    assert "Fix the 7 rows with errors" in page
    assert "Import 1 new incident" not in page


def test_preview_writes_nothing(web, supervisor):
    """A dry run adds no incident and no create audit row."""
    login(web, supervisor)
    page = _post(web, GOOD).get_data(as_text=True)
    assert "3 new" in page and "0 duplicates" in page and "0 with errors" in page
    assert "Import 3 new incidents" in page
    assert _incidents() == []
    assert audit_count(action="create", record_type="incident") == 0


def test_preview_shows_local_times_and_inferred_kind(web, supervisor):
    """Rows show what will be saved: local time, area, and a kind inferred from the counts when the cell is blank."""
    login(web, supervisor)
    page = _post(web, GOOD).get_data(as_text=True)
    assert "05 Jan 2026, 14:00 · Beat 12 · Shooting with injury · 1 fatal, 2 non-fatal" in page
    assert "07 Jan 2026, 08:15 · Northgate · Shooting with injury · 0 fatal, 1 non-fatal" in page


def test_mapping_without_reference_column_is_refused_and_keeps_the_choices(web, supervisor):
    """The police reference is required; the other selections survive the error."""
    login(web, supervisor)
    page = _post(web, GOOD, source_ref="").get_data(as_text=True)
    assert "Choose the column with the police reference" in page
    assert re.search(r'<select[^>]*id="area"[^>]*>.*?<option selected value="3">District</option>', page, re.S)
    assert _incidents() == []


def test_one_datetime_column_with_seconds_and_t_separator(web, supervisor):
    """'YYYY-MM-DDTHH:MM:SS' in one column is accepted and converted from local time."""
    login(web, supervisor)
    body = "id,occurred,area\nX-1,2026-07-04T22:10:30,Southside\n"
    mapping = {key: "" for key in MAPPING} | {"source_ref": "0", "occurred_at": "1", "area": "2"}
    response = _post(web, body, button="confirm", **mapping)
    assert response.status_code == 302
    (incident,) = _incidents()
    # Chicago is UTC-5 in July (daylight time).
    assert incident.occurred_at == datetime(2026, 7, 5, 3, 10, 30)
    assert (incident.kind, incident.fatal_victims, incident.nonfatal_victims) == ("shots_fired", 0, 0)


# --- import ----------------------------------------------------------------------------


def test_import_is_refused_while_any_row_has_an_error(web, supervisor):
    """Pressing Import with error rows (e.g. a stale page) imports nothing and says why."""
    login(web, supervisor)
    body = GOOD + "P-BAD,yesterday,14:00,Beat 1,Shooting,0,1,\n"
    response = _post(web, body, button="confirm")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fix the 1 rows with errors first; nothing was imported" in page
    assert _incidents() == []
    assert audit_count(action="create", record_type="incident") == 0


def test_import_inserts_new_rows_in_utc_skips_duplicates_and_audits_once(web, supervisor):
    """All new rows land in one go, as police incidents, times converted to UTC, with one summary audit row."""
    _make_incident("P-101")
    login(web, supervisor)
    response = _post(web, GOOD, button="confirm")
    assert response.status_code == 302 and response.headers["Location"].endswith("/incidents")
    page = web.get("/incidents").get_data(as_text=True)
    assert "Police feed imported: 2 new incidents, 1 duplicates skipped." in page
    first, third = (i for i in _incidents() if i.source_ref in ("P-100", "P-102"))
    assert first.occurred_at == datetime(2026, 1, 5, 20, 0)  # 14:00 Chicago standard time
    assert (first.source, first.area, first.kind, first.fatal_victims, first.nonfatal_victims, first.status) == (
        "police",
        "Beat 12",
        "shooting",
        1,
        2,
        "confirmed",
    )
    assert (third.kind, third.status, third.created_by_id) == ("shooting", "reported", supervisor.id)
    summary = db.session.execute(select(AuditEvent).where(AuditEvent.detail.like("police feed import%"))).scalar_one()
    assert summary.detail == "police feed import: 2 new, 1 duplicates"
    assert summary.user_id == supervisor.id and summary.action == "create" and summary.record_type == "incident"
    assert sorted(int(i) for i in summary.record_ids.split()) == sorted([first.id, third.id])


def test_importing_the_same_file_again_adds_nothing(web, supervisor):
    """Every row is recognised by its police reference the second time."""
    login(web, supervisor)
    _post(web, GOOD, button="confirm")
    page = _post(web, GOOD).get_data(as_text=True)
    assert "0 new" in page and "3 duplicates" in page and "Nothing new to import" in page
    response = _post(web, GOOD, button="confirm")
    assert response.status_code == 302
    assert len(_incidents()) == 3
    assert "Police feed imported: 0 new incidents, 3 duplicates skipped." in web.get("/incidents").get_data(
        as_text=True
    )


def test_a_deleted_incident_still_counts_as_a_duplicate(web, supervisor):
    """A soft-deleted police incident keeps its reference, so the feed does not bring it back as new."""
    _make_incident("P-100", deleted_at=datetime(2026, 2, 1, 12, 0))
    login(web, supervisor)
    page = _post(web, GOOD).get_data(as_text=True)
    assert "2 new" in page and "1 duplicate<" in page


def test_a_failure_part_way_rolls_back_the_whole_import(web, supervisor, monkeypatch):
    """If a reference is saved by someone else between preview and insert, nothing of this import stays."""
    _make_incident("P-102")
    login(web, supervisor)
    # The preview misses the conflict, as it would in a race with another import.
    monkeypatch.setattr(import_views, "known_police_refs", lambda refs: set())
    response = _post(web, GOOD, button="confirm")
    assert response.status_code == 409
    assert "nothing was imported" in response.get_data(as_text=True)
    assert [i.source_ref for i in _incidents()] == ["P-102"]
    assert audit_count(action="create", record_type="incident") == 0


def test_import_links_no_participants(web, supervisor, make_case):
    """The feed adds incidents only: no person is linked or changed."""
    case = make_case(_program())
    before = db.session.execute(select(Participant.version)).scalar_one()
    login(web, supervisor)
    _post(web, GOOD, button="confirm")
    assert len(_incidents()) == 3
    assert db.session.execute(select(func.count(IncidentPerson.id))).scalar_one() == 0
    assert db.session.execute(select(Participant.version)).scalar_one() == before
    assert audit_count(record_type="participant") == 0
    assert case.participant_id is not None


def _program() -> Program:
    return db.session.execute(select(Program)).scalars().first()


# --- the file --------------------------------------------------------------------------


def test_a_file_over_2_mb_is_refused_with_a_message(web, supervisor):
    """The size limit is checked on the bytes received, before any parsing."""
    login(web, supervisor)
    body = HEADER + "x" * (MAX_BYTES + 10)
    page = _upload(web, body).get_data(as_text=True)
    assert "The file is larger than 2 MB" in page
    assert "Match the columns" not in page


def test_a_file_not_in_utf8_is_refused_with_a_message(web, supervisor):
    """A Latin-1 export is refused rather than imported with garbled area names."""
    login(web, supervisor)
    page = _upload(web, (HEADER + "P-1,2026-01-05,14:00,Peñalosa,Shooting,0,1,\n").encode("latin-1"))
    text = page.get_data(as_text=True)
    assert "The file is not UTF-8 text" in text
    assert "Match the columns" not in text


def test_a_utf8_byte_order_mark_is_tolerated(web, supervisor):
    """Spreadsheets add a BOM to 'CSV UTF-8'; the first header still matches."""
    login(web, supervisor)
    page = _upload(web, b"\xef\xbb\xbf" + GOOD.encode("utf-8")).get_data(as_text=True)
    assert re.search(r'<select[^>]*id="source_ref"[^>]*>.*?<option selected value="0">Incident ID</option>', page, re.S)


def test_a_file_that_is_not_csv_is_refused(web, supervisor):
    """Only .csv files are accepted."""
    login(web, supervisor)
    page = _upload(web, GOOD, filename="feed.xlsx").get_data(as_text=True)
    assert "Choose a .csv file." in page


def test_a_tampered_packed_file_is_refused(web, supervisor):
    """A hidden field that no longer holds a packed file sends the user back to the upload."""
    login(web, supervisor)
    page = web.post("/incidents/import", data={"feed": "not-base64!", **MAPPING, "preview": "Go"}).get_data(
        as_text=True
    )
    assert "Upload it again" in page
    assert _incidents() == []


# --- who may import ----------------------------------------------------------------------


def test_a_worker_gets_403(web, make_program, make_user):
    """Workers record incidents by hand but do not import feeds."""
    program = make_program()
    worker = make_user(roles={program: "worker"})
    login(web, worker)
    assert web.get("/incidents/import").status_code == 403
    assert web.post("/incidents/import", data={"feed": "x", **MAPPING, "confirm": "Go"}).status_code == 403


def test_an_administrator_without_membership_gets_403(web, make_user):
    """Administrators manage accounts, not the register."""
    login(web, make_user(is_admin=True))
    assert web.get("/incidents/import").status_code == 403


def test_a_manager_may_open_the_upload_page(web, make_program, make_user):
    """Managers, like supervisors, import."""
    program = make_program()
    login(web, make_user(roles={program: "manager"}))
    page = web.get("/incidents/import").get_data(as_text=True)
    assert "Police incident feed (CSV file, at most 2 MB)" in page


def test_anonymous_is_sent_to_login(web):
    """Deny by default: no session, no import page."""
    response = web.get("/incidents/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_near_2_mb_feed_survives_both_steps_with_csrf_on(csrf_app, supervisor):
    """The packed file between steps fits the page's form limit, and every step carries a CSRF token."""
    if "incident_import" not in csrf_app.blueprints:
        csrf_app.register_blueprint(import_views.bp)
    web = csrf_app.test_client()
    login_page = web.get("/login").get_data(as_text=True)
    web.post(
        "/login", data={"email": supervisor.email, "password": PASSWORD, "csrf_token": csrf_token_from(login_page)}
    )
    token = csrf_token_from(web.get("/incidents/import").get_data(as_text=True))
    lines, number = [HEADER.strip()], 0
    while sum(len(line) + 1 for line in lines) < MAX_BYTES - 200:
        number += 1
        # Varied values, as a real feed has, so the file compresses no better than one would.
        lines.append(
            f"JC{(number * 7919) % 999983:06d}-{number},2025-{number % 12 + 1:02d}-{number % 28 + 1:02d},"
            f"{number % 24:02d}:{(number * 37) % 60:02d},Beat {(number * 131) % 2500},Shooting,0,1,"
        )
    upload = web.post(
        "/incidents/import",
        data={"file": (io.BytesIO("\n".join(lines).encode()), "feed.csv"), "upload": "Upload", "csrf_token": token},
        content_type="multipart/form-data",
    )
    page = upload.get_data(as_text=True)
    assert upload.status_code == 200 and "Match the columns" in page
    data = {"feed": _feed(page), **MAPPING, "preview": "Preview", "csrf_token": csrf_token_from(page)}
    response = web.post("/incidents/import", data=data)
    assert response.status_code == 200
    assert f"{number} new" in response.get_data(as_text=True)
    assert _incidents() == []
