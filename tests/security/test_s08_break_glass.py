"""S8: break-glass. A supervisor opens an out-of-scope record with a written reason, read-only, for 60 minutes."""

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent, BreakGlassGrant, Contact
from caseflow.models.base import utcnow
from caseflow.timezones import to_local
from tests.conftest import audit_count, login
from tests.security.ipv_world import CONTROL_FIRST, CONTROL_LAST, FIRST, LAST, build_ipv_world

REASON = "Patient arrived unconscious after a shooting; need emergency contacts and known conflicts now."


@pytest.fixture
def world(make_program, make_user, make_case, make_contact):
    """The outreach supervisor is the one in an emergency; the HVIP people are outside their programs."""
    return build_ipv_world(make_program, make_user, make_case, make_contact)


def _grants() -> list[BreakGlassGrant]:
    return list(db.session.execute(select(BreakGlassGrant).order_by(BreakGlassGrant.id)).scalars())


def _break_glass(client, q: str = f"{CONTROL_FIRST} {CONTROL_LAST}", reason: str = REASON):
    return client.post("/emergency-access/new", data={"q": q, "reason": reason})


def _age_confirmation(client, minutes: int) -> None:
    with client.session_transaction() as sess:
        sess["fresh_at"] = int(time.time()) - minutes * 60


def test_s08_the_search_hint_offers_emergency_access_to_supervisors_only(world, client):
    """S8: the 'possible match in another program' notice carries the emergency button for supervisors only."""
    login(client, world["users"]["outreach_supervisor"])
    page = client.post("/participants/search", data={"q": f"{CONTROL_FIRST} {CONTROL_LAST}"}).get_data(as_text=True)
    assert "A possible match exists in Mercy HVIP" in page
    assert "Emergency? Open that record read-only (recorded)" in page
    assert CONTROL_LAST not in page.split("found", 1)[1].replace(f'value="{CONTROL_FIRST} {CONTROL_LAST}"', "")
    # The button carries the terms in the POST body to a form that only fills them in.
    prefilled = client.post(
        "/emergency-access/new", data={"q": f"{CONTROL_FIRST} {CONTROL_LAST}", "prefill": "1"}
    ).get_data(as_text=True)
    assert f'value="{CONTROL_FIRST} {CONTROL_LAST}"' in prefilled and "Reason for emergency access" in prefilled
    assert _grants() == []
    login(client, world["users"]["outreach_worker"])
    page = client.post("/participants/search", data={"q": f"{CONTROL_FIRST} {CONTROL_LAST}"}).get_data(as_text=True)
    assert "A possible match exists in Mercy HVIP" in page and "Emergency?" not in page


def test_s08_needs_a_recent_password_before_anything_is_typed(world, client):
    """S8 / S13: with a stale password check the form and its POST both go to the confirm page; nothing opens."""
    login(client, world["users"]["outreach_supervisor"])
    _age_confirmation(client, 6)
    page = client.get("/emergency-access/new")
    assert page.status_code == 302 and "/reauth?next=/emergency-access/new" in page.location
    response = _break_glass(client)
    assert response.status_code == 302 and "/reauth" in response.location
    assert _grants() == [] and audit_count(action="break_glass") == 0


def test_s08_a_reason_of_at_least_20_characters_is_required_and_input_is_kept(world, client):
    """S8: a missing or short reason is refused with a message; what was typed comes back; nothing opens."""
    login(client, world["users"]["outreach_supervisor"])
    for reason, message in (("", "Write the reason for opening this record."), ("Urgent, need it", "at least 20")):
        response = _break_glass(client, reason=reason)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in page
        assert f'value="{CONTROL_FIRST} {CONTROL_LAST}"' in page and reason in page
    padded = _break_glass(client, reason="Urgent          now          ")
    assert "at least 20" in padded.get_data(as_text=True)
    assert _grants() == [] and audit_count(action="break_glass") == 0


def test_s08_a_grant_opens_the_person_and_cases_for_60_minutes_with_a_banner_and_audit(world, client):
    """S8: the grant lasts 60 minutes, is audited as break_glass, and every page under it says so and is audited."""
    supervisor = world["users"]["outreach_supervisor"]
    control = world["control_case"]
    login(client, supervisor)
    response = _break_glass(client)
    assert response.status_code == 302
    assert response.location.endswith(f"/participants/{control.participant_id}")
    (grant,) = _grants()
    assert (grant.user_id, grant.participant_id, grant.reason) == (supervisor.id, control.participant_id, REASON)
    assert grant.expires_at - grant.created_at == timedelta(minutes=60)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "break_glass")).scalar_one()
    assert (event.user_id, event.record_type, event.record_id) == (supervisor.id, "participant", control.participant_id)

    banner = f"Emergency access until {to_local(grant.expires_at).strftime('%H:%M')} — recorded"
    person_page = client.get(f"/participants/{control.participant_id}").get_data(as_text=True)
    assert banner in person_page and f"{CONTROL_FIRST} {CONTROL_LAST}" in person_page
    assert f'href="/cases/{control.id}"' in person_page
    case_page = client.get(f"/cases/{control.id}").get_data(as_text=True)
    assert banner in case_page and "control note" in case_page
    shown = db.session.execute(
        select(AuditEvent.record_type, AuditEvent.record_id).where(
            AuditEvent.action == "view", AuditEvent.detail == f"break-glass grant {grant.id}"
        )
    ).all()
    assert sorted(shown) == sorted([("participant", control.participant_id), ("case", control.id)])


def test_s08_access_is_read_only(world, client):
    """S8: under a grant every write and every other page of the record stays 404, and nothing changes."""
    control = world["control_case"]
    participant_id = control.participant_id
    login(client, world["users"]["outreach_supervisor"])
    _break_glass(client)
    person_page = client.get(f"/participants/{participant_id}").get_data(as_text=True)
    assert f"/participants/{participant_id}/edit" not in person_page and "Log contact" not in person_page
    case_page = client.get(f"/cases/{control.id}").get_data(as_text=True)
    assert "Log contact" not in case_page and "/edit" not in case_page and "Facesheet" not in case_page
    for url in (
        f"/participants/{participant_id}/edit",
        f"/participants/{participant_id}/consents",
        f"/participants/{participant_id}/cases/new",
        f"/cases/{control.id}/contacts/new",
        f"/cases/{control.id}/plan",
        f"/cases/{control.id}/facesheet",
        f"/cases/{control.id}/reassign",
    ):
        assert client.get(url).status_code == 404, url
    contacts = db.session.execute(select(func.count(Contact.id))).scalar_one()
    posted = client.post(
        f"/cases/{control.id}/contacts/new",
        data={"occurred_at": "2026-01-05T10:00", "mode": "phone", "contact_type": "check_in", "outcome": "completed"},
    )
    assert posted.status_code == 404
    edited = client.post(f"/participants/{participant_id}/edit", data={"first_name": "Changed", "last_name": "X"})
    assert edited.status_code == 404
    assert db.session.execute(select(func.count(Contact.id))).scalar_one() == contacts
    db.session.refresh(control.participant)
    assert control.participant.first_name == CONTROL_FIRST


def test_s08_after_60_minutes_the_record_is_404_again(world, client):
    """S8: once the grant has expired, the person and case pages answer 404 and the list no longer shows it."""
    control = world["control_case"]
    login(client, world["users"]["outreach_supervisor"])
    _break_glass(client)
    assert client.get(f"/cases/{control.id}").status_code == 200
    (grant,) = _grants()
    grant.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/participants/{control.participant_id}").status_code == 404
    assert client.get(f"/cases/{control.id}").status_code == 404
    assert CONTROL_LAST not in client.get("/emergency-access").get_data(as_text=True)


def _message_area(page: str) -> str:
    """The page's main part without the CSRF token and what was typed, to compare two refusals."""
    main = page.split('<main id="main"', 1)[1]
    main = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", main)
    return re.sub(r'value="(Nobody Imaginaryperson|Zinnia Quarrelwood)"', "", main)


def test_s08_an_ipv_protected_person_is_refused_exactly_like_nobody(world, client):
    """S8 / S24: asking for a protected person answers the same 404 page as asking for someone who does not exist."""
    login(client, world["users"]["outreach_supervisor"])
    protected = _break_glass(client, q=f"{FIRST} {LAST}")
    nobody = _break_glass(client, q="Nobody Imaginaryperson")
    assert protected.status_code == nobody.status_code == 404
    assert "No record outside your programs matches these details closely enough" in protected.get_data(as_text=True)
    assert _message_area(protected.get_data(as_text=True)) == _message_area(nobody.get_data(as_text=True))
    assert _grants() == []
    assert client.get(f"/participants/{world['person'].id}").status_code == 404
    # Both refusals are recorded, naming no one.
    refusals = db.session.execute(
        select(AuditEvent.record_id).where(AuditEvent.action == "break_glass", AuditEvent.detail.like("refused%"))
    ).all()
    assert refusals == [(None,), (None,)]


def test_s08_a_grant_stops_when_the_person_becomes_ipv_protected(world, client):
    """S8 / S24: protection set after the grant closes the record again at once."""
    control = world["control_case"]
    login(client, world["users"]["outreach_supervisor"])
    _break_glass(client)
    control.participant.is_ipv_protected = True
    db.session.commit()
    assert client.get(f"/participants/{control.participant_id}").status_code == 404
    assert client.get(f"/cases/{control.id}").status_code == 404


@pytest.mark.parametrize("role", ["outreach_worker", "worker", "admin"])
def test_s08_workers_and_administrators_cannot_break_glass(world, client, role):
    """S8: only supervisors and managers; anyone else is refused before any record is looked at."""
    login(client, world["users"][role])
    assert client.get("/emergency-access/new").status_code == 403
    assert client.get("/emergency-access").status_code == 403
    assert _break_glass(client).status_code == 403
    assert _grants() == [] and audit_count(action="break_glass") == 0


def test_s08_a_supervisor_sees_their_own_active_grants_only(world, client):
    """S8: the emergency access page lists the supervisor's own live grants with their reason."""
    control = world["control_case"]
    login(client, world["users"]["outreach_supervisor"])
    _break_glass(client)
    page = client.get("/emergency-access").get_data(as_text=True)
    assert f"{CONTROL_FIRST} {CONTROL_LAST}" in page and REASON in page
    assert f'href="/participants/{control.participant_id}"' in page
    login(client, world["users"]["manager"])
    other = client.get("/emergency-access").get_data(as_text=True)
    assert "You have no emergency access open." in other and REASON not in other


def test_s08_people_in_scope_need_no_grant(world, client):
    """S8: a match inside the supervisor's own programs is not an emergency opening: nothing is granted."""
    login(client, world["users"]["supervisor"])
    assert _break_glass(client).status_code == 404
    assert _grants() == []
