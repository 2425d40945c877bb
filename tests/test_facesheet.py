"""The case facesheet PDF: consent-gated, redacted by default, archived and audited, rendered with a locked fetcher."""

import hashlib
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent, Contact, Goal, Incident, IncidentPerson, Injury, Outcome, ReportRun
from caseflow.reports.fetcher import RefusedURL, SafeURLFetcher, safe_url_fetcher
from caseflow.timezones import local_today, to_utc
from tests.conftest import audit_count, login
from tests.test_consents import add_consent
from tests.test_providers import add_provider

MRN = "MRN-55102"
NOTE = "Talked about moving to his aunt's place"
GOAL_TEXT = "Finish the GED by spring"
INCIDENT_AREA = "Canary Flats"
EVIL_NAME = '<img src="file:///etc/passwd">'


@pytest.fixture
def world(make_program, make_user, make_case):
    """An HVIP case with something in every category, a provider, and people in and out of scope."""
    hvip = make_program("hvip", "Trauma HVIP")
    other = make_program("street_outreach", "Street Outreach")
    deterrence = make_program("focused_deterrence", "FD Partners")
    worker = make_user(roles={hvip: "worker"}, full_name="Hana Bedside")
    case = make_case(hvip, worker, first_name="Jordan", last_name="Keys", phone="555-0142", area="Eastside")
    arrived = to_utc(datetime.combine(local_today() - timedelta(days=12), datetime.min.time()).replace(hour=12))
    db.session.add_all(
        [
            Injury(
                program_id=hvip.id,
                case_id=case.id,
                participant_id=case.participant_id,
                injured_at=arrived - timedelta(minutes=30),
                arrived_at=arrived,
                mechanism="gunshot",
                hospital="County General",
                care_level="admitted",
                medical_record_number=MRN,
            ),
            Outcome(case_id=case.id, outcome_type="incarcerated", occurred_on=local_today() - timedelta(days=3)),
            Contact(
                case_id=case.id,
                occurred_at=to_utc(datetime.now().replace(microsecond=0) - timedelta(days=2)),
                mode="in_person",
                contact_type="check_in",
                notes=NOTE,
            ),
            Goal(case_id=case.id, domain="education", description=GOAL_TEXT, set_on=local_today()),
        ]
    )
    incident = Incident(occurred_at=arrived, area=INCIDENT_AREA, source="police", nonfatal_victims=1)
    db.session.add(incident)
    db.session.flush()
    db.session.add(IncidentPerson(incident_id=incident.id, participant_id=case.participant_id, role="victim"))
    db.session.commit()
    return {
        "hvip": hvip,
        "worker": worker,
        "case": case,
        "provider": add_provider("Eastside Housing", "housing"),
        "outsider": make_user(roles={other: "worker"}),
        "partner": make_user(roles={deterrence: "partner", hvip: "partner"}),
        "other_case": make_case(other, None, first_name="Other", last_name="Person"),
    }


def _form(**overrides) -> dict:
    data = {
        "recipient": "Eastside Housing",
        "purpose": "Housing application",
        "categories": ["identity", "case_summary"],
        "submission_token": "tok-face-1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _runs() -> int:
    return db.session.execute(select(func.count(ReportRun.id))).scalar_one()


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _post(client, world, **overrides):
    if overrides.get("internal"):
        overrides.setdefault("recipient", "")
    return client.post(f"/cases/{world['case'].id}/facesheet", data=_form(**overrides))


# --- the consent gate (S23) -----------------------------------------------------------------


def test_outside_recipient_without_consent_is_refused_and_nothing_is_archived(client, world):
    login(client, world["worker"])
    response = _post(client, world)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"Not made." in response.data
    assert b"No valid consent names Eastside Housing" in response.data
    # What the user typed is kept.
    assert b'value="Housing application"' in response.data
    assert _runs() == 0
    assert audit_count(action="export") == 0


def test_a_consent_covering_every_section_gives_an_archived_audited_pdf(client, world):
    consent = add_consent(
        world["case"].participant_id, world["hvip"], provider=world["provider"], categories=("identity", "case_summary")
    )
    login(client, world["worker"])
    response = _post(client, world)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="facesheet_case_{world["case"].id}_')
    assert "Keys" not in disposition

    run = db.session.execute(select(ReportRun)).scalar_one()
    assert run.template_id == "facesheet"
    assert run.program_ids == str(world["hvip"].id)
    assert run.recipient == "Eastside Housing" and run.purpose == "Housing application"
    assert run.period_start == world["case"].referred_on and run.period_end == local_today()
    assert run.generated_by_id == world["worker"].id
    assert run.sha256 == hashlib.sha256(response.data).hexdigest()
    assert run.content == response.data

    text = _text(response.data)
    assert "Jordan Keys" in text
    assert f"handle under consent #{consent.id}" in text
    assert run.disclosure_id in text
    assert "Hana Bedside" in text

    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert (event.record_type, event.record_id, event.user_id) == ("case", world["case"].id, world["worker"].id)
    assert run.disclosure_id in event.detail
    assert f"consent {consent.id}" in event.detail
    assert "categories identity,case_summary" in event.detail
    assert "Eastside Housing" in event.detail


def test_a_consent_without_health_refuses_a_facesheet_with_health_ticked(client, world):
    consent = add_consent(
        world["case"].participant_id, world["hvip"], provider=world["provider"], categories=("identity", "case_summary")
    )
    login(client, world["worker"])
    response = _post(client, world, categories=["identity", "case_summary", "health"])
    assert response.mimetype == "text/html"
    assert f"(#{consent.id}) does not cover: Health and injury information".encode() in response.data
    assert _runs() == 0


@pytest.mark.parametrize("problem", ["revoked", "expired", "other recipient"])
def test_a_revoked_expired_or_differently_addressed_consent_refuses(client, world, problem):
    today = local_today()
    add_consent(
        world["case"].participant_id,
        world["hvip"],
        provider=add_provider("Westside Legal", "legal") if problem == "other recipient" else world["provider"],
        categories=("identity", "case_summary"),
        revoked=problem == "revoked",
        signed_on=today - timedelta(days=400) if problem == "expired" else None,
        expires_on=today - timedelta(days=40) if problem == "expired" else None,
    )
    login(client, world["worker"])
    response = _post(client, world)
    assert response.mimetype == "text/html"
    assert b"No valid consent names Eastside Housing" in response.data
    assert _runs() == 0


def test_a_consent_typed_as_free_text_matches_the_recipient_ignoring_case(client, world):
    consent = add_consent(
        world["case"].participant_id, world["hvip"], recipient="County Court", categories=("identity", "case_summary")
    )
    login(client, world["worker"])
    response = _post(client, world, recipient="county court", purpose="Court letter")
    assert response.mimetype == "application/pdf"
    assert f"consent #{consent.id}" in _text(response.data)


def test_the_program_own_file_needs_no_consent_but_is_archived_and_audited(client, world):
    login(client, world["worker"])
    response = _post(client, world, internal="y", purpose="Case file copy")
    assert response.mimetype == "application/pdf"
    run = db.session.execute(select(ReportRun)).scalar_one()
    assert run.recipient == "Trauma HVIP (own file)"
    assert "for this program's own file" in _text(response.data)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert "consent none" in event.detail


def test_the_program_own_file_cannot_name_an_outside_recipient(client, world):
    """Ticking "own file" is no way around the consent check."""
    login(client, world["worker"])
    response = _post(client, world, internal="y", recipient="County Court")
    assert response.mimetype == "text/html"
    assert b"cannot be for County Court" in response.data
    assert _runs() == 0


def test_a_double_submit_archives_one_facesheet(client, world):
    login(client, world["worker"])
    first = _post(client, world, internal="y")
    second = _post(client, world, internal="y")
    assert first.data == second.data
    assert _runs() == 1
    assert audit_count(action="export", record_type="case") == 2  # the repeat is recorded too


# --- redaction (S5) -------------------------------------------------------------------------


def test_by_default_only_identity_and_case_summary_print(client, world):
    login(client, world["worker"])
    text = _text(_post(client, world, internal="y").data)
    assert "Jordan Keys" in text and "555-0142" in text
    assert "Trauma HVIP" in text and "Hana Bedside" in text
    assert text.count("Withheld") == 3
    for secret in ("Gunshot", "Admitted", "Incarcerated", INCIDENT_AREA, NOTE, GOAL_TEXT, MRN):
        assert secret not in text, secret


def test_ticked_sensitive_sections_print_but_never_the_medical_record_number(client, world):
    login(client, world["worker"])
    every = ["identity", "case_summary", "health", "justice", "narratives"]
    response = _post(client, world, internal="y", categories=every)
    text = _text(response.data)
    for shown in ("Gunshot", "Admitted", "Incarcerated", INCIDENT_AREA, NOTE, GOAL_TEXT):
        assert shown in text, shown
    assert "Withheld" not in text
    assert MRN not in text and MRN.encode() not in response.data
    assert "County General" not in text  # the hospital is not part of the health summary


def test_identity_withheld_leaves_the_name_out(client, world):
    login(client, world["worker"])
    text = _text(_post(client, world, internal="y", categories=["case_summary"]).data)
    assert "Jordan" not in text and "Keys" not in text and "555-0142" not in text
    assert f"case {world['case'].id}" in text


# --- S17: markup in a name is text, and the renderer fetches nothing it should not ------------


def test_a_name_that_is_markup_prints_as_text_and_fetches_no_file(client, world, monkeypatch):
    world["case"].participant.first_name = EVIL_NAME
    db.session.commit()
    asked: list[str] = []
    original = SafeURLFetcher.fetch

    def recording(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(SafeURLFetcher, "fetch", recording)
    login(client, world["worker"])
    page = client.get(f"/cases/{world['case'].id}/facesheet")
    assert EVIL_NAME.encode() not in page.data
    assert b"&lt;img src=" in page.data

    response = _post(client, world, internal="y")
    assert response.mimetype == "application/pdf"
    assert not [url for url in asked if not url.startswith("data:")]
    assert "file:///etc/passwd" in _text(response.data).replace("\n", "")  # printed as characters
    assert b"root:" not in response.data
    assert b"/EmbeddedFile" not in response.data


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.org/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x.png",
        "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2fconfig.py",
        "//example.org/static/x.png",
        "/etc/passwd",
        "caseflow.css",
        "javascript:alert(1)",
    ],
)
def test_the_fetcher_refuses_everything_but_data_and_static_files(app, url):
    with pytest.raises(RefusedURL):
        safe_url_fetcher(url)


def test_the_fetcher_serves_a_real_static_file_and_data_uris(app):
    response = safe_url_fetcher("/static/caseflow.css")
    assert response.read() == (Path(app.static_folder) / "caseflow.css").read_bytes()
    assert response.content_type == "text/css"
    assert safe_url_fetcher("data:text/plain;base64,aGVsbG8=").read() == b"hello"


# --- access (S2) ----------------------------------------------------------------------------


def test_the_form_ticks_identity_and_case_summary_and_lists_valid_consents(client, world):
    valid = add_consent(world["case"].participant_id, world["hvip"], provider=world["provider"], categories=("health",))
    revoked = add_consent(world["case"].participant_id, world["hvip"], recipient="Old Clinic", revoked=True)
    login(client, world["worker"])
    response = client.get(f"/cases/{world['case'].id}/facesheet")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    tags = re.findall(r'<input[^>]*name="categories"[^>]*>', html)
    boxes = {re.search(r'value="(\w+)"', tag)[1]: tag for tag in tags}
    assert {value for value, tag in boxes.items() if " checked" in tag} == {"identity", "case_summary"}
    assert set(boxes) == {"identity", "case_summary", "health", "justice", "narratives"}
    for label in ("Identity and contact details", "Health and injury information", "Case notes"):
        assert f">{label}</label>" in html
    assert f"#{valid.id} Eastside Housing" in html
    assert "Old Clinic" not in html and f"#{revoked.id} " not in html
    assert audit_count(action="view", record_type="case", record_id=world["case"].id) == 1


def test_missing_purpose_keeps_the_input_and_archives_nothing(client, world):
    login(client, world["worker"])
    response = _post(client, world, purpose="", recipient="County Court")
    assert response.mimetype == "text/html"
    assert b"Say why the facesheet is being shared" in response.data
    assert b'value="County Court"' in response.data
    assert _runs() == 0


@pytest.mark.parametrize("who", ["outsider", "partner"])
def test_out_of_scope_and_partner_accounts_get_404_and_nothing_is_made(client, world, who):
    login(client, world[who])
    assert client.get(f"/cases/{world['case'].id}/facesheet").status_code == 404
    response = _post(client, world, internal="y")
    assert response.status_code == 404
    assert b"Keys" not in response.data
    assert _runs() == 0


def test_a_worker_cannot_reach_another_programs_case(client, world):
    login(client, world["worker"])
    response = client.post(f"/cases/{world['other_case'].id}/facesheet", data=_form(internal="y"))
    assert response.status_code == 404
    assert _runs() == 0


def test_the_case_page_links_to_the_facesheet(client, world):
    login(client, world["worker"])
    html = client.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert f'href="/cases/{world["case"].id}/facesheet">Facesheet PDF</a>' in html


def test_a_facesheet_is_never_listed_or_served_by_the_funder_report_archive(client, world, make_user):
    """It names a person: the aggregate reports archive must not hand it to a supervisor or its author."""
    login(client, world["worker"])
    _post(client, world, internal="y", purpose="Case file copy")
    run = db.session.execute(select(ReportRun)).scalar_one()
    supervisor = make_user(roles={world["case"].program: "supervisor"})
    login(client, supervisor)
    listing = client.get("/reports/archive").get_data(as_text=True)
    assert f"/reports/archive/{run.id}" not in listing and run.disclosure_id not in listing
    assert client.get(f"/reports/archive/{run.id}").status_code == 404
