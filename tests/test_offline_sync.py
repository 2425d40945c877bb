"""The server side of offline logging: what the queue script (static/js/offline.js) is told, and that a
replayed queued record never makes a second row, a stale token or an ended session loses nothing, and a
stale queued edit is a conflict, never an overwrite."""

import time

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent, Contact, Mediation
from tests.conftest import PASSWORD, csrf_token_from, login

SYNC = {"X-Caseflow-Sync": "queue", "Accept": "application/json"}
CONTACT = {
    "occurred_at": "2026-01-05T10:00",
    "mode": "phone",
    "contact_type": "check_in",
    "outcome": "completed",
    "notes": "Met at the corner; asked about the job program",
}
MEDIATION = {
    "occurred_at": "2026-01-05T21:15",
    "area": "Eastside",
    "identified_by": "tip",
    "incident_id": "",
    "parties_count": "3",
    "groups_involved": "two crews",
    "imminent_risk": "high",
    "actions_taken": "Talked both sides down",
    "outcome": "resolved",
}


@pytest.fixture
def team(make_program, make_user, make_case):
    program = make_program("street_outreach", "Street Outreach")
    worker = make_user(roles={program: "worker"}, full_name="Wes Worker")
    case = make_case(program, worker, last_name="Okoro")
    return {"program": program, "worker": worker, "case": case}


def _contacts() -> int:
    return db.session.execute(select(func.count()).select_from(Contact)).scalar_one()


def _mediations() -> int:
    return db.session.execute(select(func.count()).select_from(Mediation)).scalar_one()


def _login_with_csrf(client, user) -> None:
    """Log in through the form with CSRF on, as a browser does."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


# --- a queued create, sent twice, makes one record --------------------------------------------


def test_a_queued_contact_is_saved_once_however_often_it_is_sent(client, team):
    """The same queued contact sent three times (retries, a second tab) makes one contact and says so."""
    login(client, team["worker"])
    url = f"/cases/{team['case'].id}/contacts/new"
    data = {**CONTACT, "submission_token": "queued-on-phone-1"}
    first = client.post(url, data=data, headers=SYNC)
    assert first.status_code == 200
    assert first.get_json() == {"status": "saved", "message": "Contact saved.", "url": f"/cases/{team['case'].id}"}
    for _ in range(2):
        again = client.post(url, data=data, headers=SYNC)
        assert again.status_code == 200
        assert again.get_json()["status"] == "saved"
        assert again.get_json()["message"] == "That contact was already saved."
    assert _contacts() == 1
    saved = db.session.execute(select(Contact)).scalar_one()
    assert saved.notes == CONTACT["notes"]


def test_a_queued_mediation_is_saved_once(client, team):
    """A mediation replayed with its token is one mediation; the answer points at that mediation."""
    login(client, team["worker"])
    url = f"/outreach/{team['program'].id}/mediations/new"
    data = {**MEDIATION, "submission_token": "queued-mediation-1"}
    first = client.post(url, data=data, headers=SYNC).get_json()
    second = client.post(url, data=data, headers=SYNC).get_json()
    assert first["status"] == second["status"] == "saved"
    assert first["url"] == second["url"]
    assert second["message"] == "That mediation was already saved."
    assert _mediations() == 1


def test_a_background_send_leaves_no_message_for_the_next_page(client, team):
    """A record sent from the queue in the background does not flash "saved" on whatever page comes next."""
    login(client, team["worker"])
    client.post(f"/cases/{team['case'].id}/contacts/new", data={**CONTACT, "submission_token": "bg-1"}, headers=SYNC)
    page = client.get(f"/cases/{team['case'].id}").get_data(as_text=True)
    assert "Contact saved." not in page


def test_a_send_the_person_waits_for_shows_saved_on_the_next_page(client, team):
    """Pressed "Save contact" online: the script goes to the case page, which says the contact is saved."""
    login(client, team["worker"])
    answer = client.post(
        f"/cases/{team['case'].id}/contacts/new",
        data={**CONTACT, "submission_token": "fg-1"},
        headers={**SYNC, "X-Caseflow-Sync": "submit"},
    )
    page = client.get(answer.get_json()["url"]).get_data(as_text=True)
    assert "Contact saved." in page


def test_refused_input_is_answered_with_the_reasons_and_saves_nothing(client, team):
    """A queued contact missing its mode is not saved; the script is told which field and why."""
    login(client, team["worker"])
    response = client.post(
        f"/cases/{team['case'].id}/contacts/new",
        data={**CONTACT, "mode": "", "submission_token": "bad-1"},
        headers=SYNC,
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["status"] == "invalid"
    assert "Choose a mode." in body["errors"]["mode"]
    assert _contacts() == 0


def test_a_plain_form_post_is_unchanged(client, team):
    """Without the script (no JavaScript): the redirect and the flashed message as before."""
    login(client, team["worker"])
    response = client.post(f"/cases/{team['case'].id}/contacts/new", data={**CONTACT, "submission_token": "p-1"})
    assert response.status_code == 302
    bad = client.post(f"/cases/{team['case'].id}/contacts/new", data={**CONTACT, "mode": "", "submission_token": "p-2"})
    assert bad.status_code == 200
    assert "Choose a mode." in bad.get_data(as_text=True)
    assert _contacts() == 1


# --- stale CSRF token, ended session -------------------------------------------------------------


def test_a_stale_csrf_token_gets_a_clear_answer_and_a_fresh_token_sends_the_record(csrf_app, client, team):
    """A contact queued under an old token is refused as "csrf"; with the token the app hands out now it is saved."""
    _login_with_csrf(client, team["worker"])
    url = f"/cases/{team['case'].id}/contacts/new"
    data = {**CONTACT, "submission_token": "queued-an-hour-ago"}
    stale = client.post(url, data={**data, "csrf_token": "an-hour-old-token"}, headers=SYNC)
    assert stale.status_code == 400
    assert stale.get_json()["status"] == "csrf"
    assert _contacts() == 0
    token = client.get("/offline/csrf-token", headers=SYNC)
    assert token.status_code == 200
    assert token.headers["Cache-Control"] == "no-store"
    fresh = client.post(url, data={**data, "csrf_token": token.get_json()["csrf_token"]}, headers=SYNC)
    assert fresh.get_json()["status"] == "saved"
    assert _contacts() == 1


def test_a_plain_form_with_a_bad_csrf_token_still_gets_the_400_page(csrf_app, client, team):
    """The JSON answer is only for the script; a plain form post keeps the usual refusal."""
    _login_with_csrf(client, team["worker"])
    response = client.post(
        f"/cases/{team['case'].id}/contacts/new", data={**CONTACT, "submission_token": "x", "csrf_token": "bad"}
    )
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert _contacts() == 0


def test_an_idle_session_answers_log_in_to_send_and_saves_nothing(client, team):
    """A phone back after 20 idle minutes: the session has ended; the script is told to send the worker to log in."""
    login(client, team["worker"])
    with client.session_transaction() as sess:
        sess["last_seen"] = int(time.time()) - 20 * 60
    response = client.post(
        f"/cases/{team['case'].id}/contacts/new", data={**CONTACT, "submission_token": "idle-1"}, headers=SYNC
    )
    assert response.status_code == 401
    assert response.get_json() == {"status": "login", "login_url": "/login"}
    assert _contacts() == 0
    # The session really ended: the token endpoint says the same.
    assert client.get("/offline/csrf-token", headers=SYNC).status_code == 401


def test_after_logging_in_again_the_queued_record_is_saved_once(client, team):
    """Log in to send: the same queued contact, sent after a new login, is saved once, and again only once."""
    login(client, team["worker"])
    with client.session_transaction() as sess:
        sess["last_seen"] = int(time.time()) - 20 * 60
    url = f"/cases/{team['case'].id}/contacts/new"
    data = {**CONTACT, "submission_token": "resume-1"}
    assert client.post(url, data=data, headers=SYNC).status_code == 401
    login(client, team["worker"])
    assert client.post(url, data=data, headers=SYNC).get_json()["status"] == "saved"
    assert client.post(url, data=data, headers=SYNC).get_json()["status"] == "saved"
    assert _contacts() == 1


def test_without_a_session_the_script_gets_401_not_the_login_page(client, team):
    """Never logged in (or cookie gone): JSON 401 for the script; a browser still goes to the login page."""
    assert client.get("/offline/csrf-token", headers=SYNC).status_code == 401
    response = client.post(f"/cases/{team['case'].id}/contacts/new", data=CONTACT, headers=SYNC)
    assert response.status_code == 401
    assert response.get_json()["status"] == "login"
    assert client.get("/offline/csrf-token").status_code == 302


# --- a queued edit meets a newer version ---------------------------------------------------------


def test_a_queued_contact_edit_meeting_a_newer_version_is_a_conflict_and_overwrites_nothing(client, team, make_contact):
    """S29: a contact edited offline from version 1, sent after someone saved version 2, is refused with 409."""
    contact = make_contact(team["case"], team["worker"], notes="first words")
    login(client, team["worker"])
    queued = {**CONTACT, "notes": "typed offline", "version": str(contact.version)}
    db.session.execute(
        Contact.__table__.update().where(Contact.id == contact.id).values(notes="their words", version=2)
    )
    db.session.commit()
    views_before = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "view")
    ).scalar_one()
    response = client.post(f"/contacts/{contact.id}/edit", data=queued, headers=SYNC)
    assert response.status_code == 409
    assert response.get_json()["status"] == "conflict"
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).notes == "their words"
    # The bare 409 shows no saved values, so it is not audited as a view of them.
    views_after = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "view")
    ).scalar_one()
    assert views_after == views_before
    # Opened as a plain form (the script's "Open it"), it is the usual conflict page with both versions.
    page = client.post(f"/contacts/{contact.id}/edit", data=queued)
    assert page.status_code == 409
    assert "typed offline" in page.get_data(as_text=True) and "their words" in page.get_data(as_text=True)


def test_a_queued_contact_edit_from_the_current_version_is_saved(client, team, make_contact):
    """No one changed it meanwhile: the queued edit is saved."""
    contact = make_contact(team["case"], team["worker"], notes="first words")
    login(client, team["worker"])
    response = client.post(
        f"/contacts/{contact.id}/edit",
        data={**CONTACT, "notes": "typed offline", "version": str(contact.version)},
        headers=SYNC,
    )
    assert response.get_json() == {"status": "saved", "message": "Contact updated.", "url": f"/cases/{team['case'].id}"}
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).notes == "typed offline"


def test_a_queued_mediation_edit_meeting_a_newer_version_is_a_conflict(client, team):
    """The mediation edit form answers the script the same way: 409, the newer save kept."""
    login(client, team["worker"])
    created = client.post(
        f"/outreach/{team['program'].id}/mediations/new", data={**MEDIATION, "submission_token": "m-1"}, headers=SYNC
    ).get_json()
    mediation = db.session.execute(select(Mediation)).scalar_one()
    assert created["url"] == f"/mediations/{mediation.id}"
    version = mediation.version
    db.session.execute(
        Mediation.__table__.update().where(Mediation.id == mediation.id).values(area="Northside", version=version + 1)
    )
    db.session.commit()
    response = client.post(
        f"/mediations/{mediation.id}/edit",
        data={**MEDIATION, "area": "Westside", "version": str(version)},
        headers=SYNC,
    )
    assert response.status_code == 409
    assert response.get_json()["status"] == "conflict"
    db.session.expire_all()
    assert db.session.get(Mediation, mediation.id).area == "Northside"


# --- what the browser loads ------------------------------------------------------------------------


def test_the_service_worker_may_control_the_whole_app(client):
    """Served under /static/ without login, with the header that lets it control pages at "/"."""
    response = client.get("/static/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "javascript" in response.mimetype
    assert client.get("/static/js/offline.js").status_code == 200
    assert client.get("/static/offline.html").status_code == 200
    assert "Service-Worker-Allowed" not in client.get("/static/caseflow.css").headers


def test_the_contact_form_is_marked_for_the_offline_script(client, team):
    """The form works as plain HTML; the markers and the script tag (no inline script) let the script queue it."""
    login(client, team["worker"])
    page = client.get(f"/cases/{team['case'].id}/contacts/new").get_data(as_text=True)
    assert 'data-offline="contact"' in page
    assert f'data-user="{team["worker"].id}"' in page
    assert 'src="/static/js/offline.js"' in page
    assert 'name="submission_token"' in page
