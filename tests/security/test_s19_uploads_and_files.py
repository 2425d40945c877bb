"""S19: uploads have a size limit and a type allow-list; generated files never sit in static/ and leave
only through checked views, as attachments.

The incident feed's own checks (2 MB, UTF-8, CSV only, a tampered packed file) are proven in
tests/test_incident_import.py; these tests add the request-wide limit and the way files are served.
"""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Incident, ReportRun
from tests.conftest import login
from tests.security.crawl import crawl
from tests.security.world import build_world

STATIC = Path(__file__).resolve().parents[2] / "caseflow" / "static"


@pytest.fixture
def world(app):
    return build_world()


def _static_files() -> dict[str, int]:
    return {str(p.relative_to(STATIC)): p.stat().st_size for p in STATIC.rglob("*") if p.is_file()}


def test_s19_the_request_size_limit_is_set_and_fits_the_feed(app):
    """S19: every request body is capped; the cap leaves room for the 2 MB feed's packed second step."""
    from caseflow.incidents.importing import FORM_FIELD_LIMIT

    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit is not None and FORM_FIELD_LIMIT < limit <= 16 * 1024 * 1024


def test_s19_a_body_over_the_limit_is_refused_before_it_is_read(client, world):
    """S19: a 9 MB upload gets a friendly 413 saying the limit, and nothing is imported."""
    login(client, world.user_for("supervisor"))
    before = db.session.scalar(select(func.count(Incident.id)))
    big = io.BytesIO(b"occurred_at,area\n" + b"2026-01-01 10:00,Eastside\n" * 400_000)
    response = client.post("/incidents/import", data={"file": (big, "feed.csv")}, content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "at most 8 MB" in page and "Nothing was saved" in page and "Reference:" in page
    assert db.session.scalar(select(func.count(Incident.id))) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("feed.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"),
        ("feed.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        ("feed.csv", b"\x00\x01\x02\x03binary\x00data"),
    ],
)
def test_s19_a_file_that_is_not_a_text_csv_is_refused(client, world, name, content):
    """S19: the feed upload takes UTF-8 CSV text only; binaries are refused with a message and change nothing."""
    login(client, world.user_for("supervisor"))
    response = client.post(
        "/incidents/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True) or "alert-danger" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Incident.id))) == 1


def test_s19_generated_files_are_attachments_from_checked_views_and_never_in_static(client, world):
    """S19: reports, archive downloads and facesheets come as attachments through views; static/ is untouched."""
    before = _static_files()
    login(client, world.user_for("supervisor"))
    responses = [
        client.post(
            "/reports",
            data={
                "template": "program-summary",
                "programs": [str(world.programs["a"].id)],
                "period_kind": "quarter",
                "year": "2026",
                "quarter": "1",
                "format": fmt,
                "recipient": "City grants office",
                "purpose": "Quarterly report",
                "submission_token": f"tok-s19-{fmt}",
            },
        )
        for fmt in ("pdf", "csv")
    ]
    responses.append(
        client.post(
            f"/cases/{world.cases['xa'].id}/facesheet",
            data={"internal": "y", "purpose": "File", "categories": ["identity"], "submission_token": "tok-s19-f"},
        )
    )
    pages = crawl(client, "/reports/archive")
    downloads = [client.get(path) for path in pages if path.startswith("/reports/archive/")]
    assert len(downloads) >= 3
    for response in responses + downloads:
        assert response.status_code == 200
        assert response.mimetype in ("application/pdf", "text/csv")
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
    # The files live in the archive table, not on disk under static/.
    assert db.session.scalar(select(func.count(ReportRun.id))) >= 5
    after = _static_files()
    assert after == before
    assert not [name for name in after if name.endswith((".pdf", ".csv"))]
    # And static/ serves none of them.
    run = db.session.execute(select(ReportRun).order_by(ReportRun.id.desc())).scalars().first()
    assert client.get(f"/static/{run.disclosure_id}.pdf").status_code == 404
