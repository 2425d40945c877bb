"""Referrals: the consent gate, the closed loop of dated statuses, overdue lists, scope."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent, Referral, ReferralStatusChange
from caseflow.models.base import utcnow
from caseflow.referrals.services import DEFAULT_DUE_DAYS, days_to_connection
from caseflow.timezones import local_today
from tests.conftest import audit_count, login
from tests.test_consents import add_consent
from tests.test_providers import add_provider

BLOCKED = "No valid consent lets us share Marcus&#39;s identity with Eastside Housing."


@pytest.fixture
def world(make_program, make_user, make_case):
    outreach = make_program("street_outreach", "Street Outreach")
    hvip = make_program("hvip", "City HVIP")
    worker = make_user(roles={outreach: "worker"}, full_name="Rae Worker")
    return {
        "outreach": outreach,
        "hvip": hvip,
        "worker": worker,
        "supervisor": make_user(roles={outreach: "supervisor"}, full_name="Sam Supervisor"),
        "hvip_worker": make_user(roles={hvip: "worker"}),
        "admin": make_user(is_admin=True),
        "case": make_case(outreach, worker, first_name="Marcus", last_name="Bell"),
        "hvip_case": make_case(hvip, None, first_name="Dana", last_name="Cole"),
        "provider": add_provider("Eastside Housing", "housing", "legal"),
        "jobs": add_provider("Northside Jobs", "employment"),
    }


def _form(world, **overrides) -> dict:
    data = {
        "service_category": "housing",
        "provider_id": world["provider"].id,
        "referred_on": local_today().isoformat(),
        "due_on": "",
        "notes": "Needs a bed by Friday",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _new_url(case) -> str:
    return f"/cases/{case.id}/referrals/new"


def _referrals() -> list[Referral]:
    return list(db.session.execute(select(Referral).order_by(Referral.id)).scalars())


def _consent_for(world, **fields):
    return add_consent(world["case"].participant_id, world["outreach"], **{"provider": world["provider"], **fields})


def _add_referral(case, provider, *, status="referred", referred_on=None, due_on=None, **fields) -> Referral:
    """A referral straight into the database, for list and lifecycle tests."""
    referred_on = referred_on or local_today() - timedelta(days=20)
    referral = Referral(
        case_id=case.id,
        provider_id=provider.id,
        service_category=fields.pop("service_category", "housing"),
        status=status,
        referred_on=referred_on,
        due_on=due_on or referred_on + timedelta(days=14),
        is_anonymous=True,
        **fields,
    )
    db.session.add(referral)
    db.session.flush()
    db.session.add(ReferralStatusChange(referral_id=referral.id, to_status=status, changed_on=referred_on))
    db.session.commit()
    return referral


# --- the consent gate (S23) -----------------------------------------------------------------


def test_the_form_shows_providers_with_their_services(client, world):
    """Each provider choice says which services it offers."""
    login(client, world["worker"])
    page = client.get(_new_url(world["case"])).get_data(as_text=True)
    assert "Eastside Housing (Housing, Legal)" in page and "Northside Jobs (Employment)" in page


def test_an_inactive_provider_is_not_offered(client, world):
    """Only active providers take referrals."""
    add_provider("Closed Shop", "housing", is_active=False)
    login(client, world["worker"])
    assert "Closed Shop" not in client.get(_new_url(world["case"])).get_data(as_text=True)


def test_every_referral_form_field_has_a_visible_label(client, world):
    """Each input is named by a <label for=...>."""
    login(client, world["worker"])
    page = client.get(_new_url(world["case"])).get_data(as_text=True)
    for name in ("service_category", "provider_id", "referred_on", "due_on", "notes", "is_anonymous"):
        assert f'for="{name}"' in page, name


def test_a_referral_without_consent_is_blocked_and_nothing_is_saved(client, world):
    """No consent: a clear explanation, a link to record one, the input kept, no row and no audit."""
    login(client, world["worker"])
    response = client.post(_new_url(world["case"]), data=_form(world))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert BLOCKED in page and "Record a consent first, or send an anonymous referral." in page
    pid = world["case"].participant_id
    assert (
        f'href="/participants/{pid}/consents/new?provider_id={world["provider"].id}&amp;case_id={world["case"].id}"'
        in page
    )
    assert "Needs a bed by Friday" in page
    assert re.search(rf'<option selected value="{world["provider"].id}">', page)
    assert _referrals() == []
    assert audit_count(record_type="referral") == 0


def test_a_referral_with_a_valid_consent_stores_it_and_audits_the_disclosure(client, world):
    """S25: the consent is the disclosure's basis; create and export rows are written."""
    consent = _consent_for(world)
    login(client, world["worker"])
    response = client.post(_new_url(world["case"]), data=_form(world))
    [referral] = _referrals()
    assert response.status_code == 302 and response.location.endswith(f"/referrals/{referral.id}")
    assert (referral.consent_id, referral.is_anonymous, referral.status) == (consent.id, False, "referred")
    assert (referral.created_by_id, referral.notes) == (world["worker"].id, "Needs a bed by Friday")
    assert audit_count(action="create", record_type="referral", record_id=referral.id) == 1
    export = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert (export.record_type, export.record_id, export.user_id) == ("referral", referral.id, world["worker"].id)
    assert export.detail == f"disclosed to provider {world['provider'].id} under consent {consent.id}"


def test_an_anonymous_referral_needs_no_consent(client, world):
    """Services are never conditioned on consent: an anonymous referral always goes."""
    login(client, world["worker"])
    response = client.post(_new_url(world["case"]), data=_form(world, is_anonymous="y"))
    assert response.status_code == 302
    [referral] = _referrals()
    assert (referral.is_anonymous, referral.consent_id) == (True, None)
    assert audit_count(action="export") == 0
    assert audit_count(action="create", record_type="referral") == 1


@pytest.mark.parametrize(
    "consent_fields",
    [
        pytest.param({"signed_on_days_ago": 400, "expires_days_ago": 35}, id="expired"),
        pytest.param({"revoked": True}, id="revoked"),
        pytest.param({"provider": "jobs"}, id="another-provider"),
        pytest.param({"categories": ("case_summary", "health")}, id="no-identity-category"),
    ],
)
def test_a_referral_is_blocked_by_a_consent_that_does_not_fit(client, world, consent_fields):
    """An expired or revoked consent, one for another provider, or one without identity, allows nothing."""
    today = local_today()
    fields = dict(consent_fields)
    if "signed_on_days_ago" in fields:
        fields["signed_on"] = today - timedelta(days=fields.pop("signed_on_days_ago"))
        fields["expires_on"] = today - timedelta(days=fields.pop("expires_days_ago"))
    if fields.get("provider") == "jobs":
        fields["provider"] = world["jobs"]
    _consent_for(world, **fields)
    login(client, world["worker"])
    page = client.post(_new_url(world["case"]), data=_form(world)).get_data(as_text=True)
    assert BLOCKED in page
    assert _referrals() == []


def test_a_consent_for_another_person_does_not_count(client, world, make_case):
    """Consent belongs to one participant."""
    other = make_case(world["outreach"], world["worker"], first_name="Other")
    add_consent(other.participant_id, world["outreach"], provider=world["provider"])
    login(client, world["worker"])
    assert BLOCKED in client.post(_new_url(world["case"]), data=_form(world)).get_data(as_text=True)
    assert _referrals() == []


def test_a_back_dated_referral_needs_consent_valid_on_its_date(client, world):
    """A consent signed today does not cover a referral dated last week."""
    _consent_for(world, signed_on=local_today())
    login(client, world["worker"])
    last_week = (local_today() - timedelta(days=7)).isoformat()
    assert BLOCKED in client.post(_new_url(world["case"]), data=_form(world, referred_on=last_week)).get_data(
        as_text=True
    )
    assert _referrals() == []


def test_a_consent_naming_the_provider_as_text_counts(client, world):
    """A consent typed as 'EASTSIDE HOUSING' (not picked from the directory) matches, ignoring case."""
    consent = add_consent(world["case"].participant_id, world["outreach"], recipient="EASTSIDE HOUSING")
    login(client, world["worker"])
    assert client.post(_new_url(world["case"]), data=_form(world)).status_code == 302
    assert _referrals()[0].consent_id == consent.id


# --- other rules on the form ---------------------------------------------------------------


def test_a_provider_that_does_not_offer_the_service_is_refused(client, world):
    """Category mismatch: a clear message on the provider field, nothing saved, input kept."""
    _consent_for(world)
    login(client, world["worker"])
    page = client.post(_new_url(world["case"]), data=_form(world, service_category="employment")).get_data(as_text=True)
    assert "Eastside Housing does not offer employment. Choose a provider that does, or another service." in page
    assert "Needs a bed by Friday" in page
    assert _referrals() == []


def test_a_provider_and_service_are_required(client, world):
    """Missing choices are field errors."""
    login(client, world["worker"])
    page = client.post(_new_url(world["case"]), data=_form(world, service_category="", provider_id="")).get_data(
        as_text=True
    )
    assert "Choose the service needed." in page and "Choose a provider." in page
    assert _referrals() == []


@pytest.mark.parametrize(
    ("category", "days"),
    [
        ("housing", 14),
        ("relocation", 7),
        ("basic_needs", 7),
        ("mental_health", 7),
        ("employment", 30),
        ("education", 30),
    ],
)
def test_a_blank_due_date_defaults_by_service(client, world, category, days):
    """Urgent needs are due in a week, school and work in a month, the rest in two weeks."""
    everything = add_provider("One Stop", category)
    referred = local_today() - timedelta(days=2)
    login(client, world["worker"])
    client.post(
        _new_url(world["case"]),
        data=_form(
            world,
            service_category=category,
            provider_id=everything.id,
            referred_on=referred.isoformat(),
            is_anonymous="y",
        ),
    )
    [referral] = _referrals()
    assert DEFAULT_DUE_DAYS[category] == days
    assert referral.due_on == referred + timedelta(days=days)


def test_a_typed_due_date_is_kept(client, world):
    """The worker can set their own due date."""
    due = local_today() + timedelta(days=3)
    login(client, world["worker"])
    client.post(_new_url(world["case"]), data=_form(world, due_on=due.isoformat(), is_anonymous="y"))
    assert _referrals()[0].due_on == due


def test_a_due_date_before_the_referral_is_refused(client, world):
    """Due on or after the referral date."""
    login(client, world["worker"])
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    page = client.post(_new_url(world["case"]), data=_form(world, due_on=yesterday, is_anonymous="y")).get_data(
        as_text=True
    )
    assert "The due date cannot be before the referral date." in page
    assert _referrals() == []


def test_the_referral_date_defaults_to_today_and_cannot_be_in_the_future(client, world):
    """Today is pre-filled; tomorrow is refused."""
    login(client, world["worker"])
    assert f'value="{local_today().isoformat()}"' in client.get(_new_url(world["case"])).get_data(as_text=True)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    page = client.post(_new_url(world["case"]), data=_form(world, referred_on=tomorrow, is_anonymous="y")).get_data(
        as_text=True
    )
    assert "The referral date cannot be in the future." in page
    assert _referrals() == []


def test_a_double_submitted_referral_makes_one_referral(client, world):
    """The same submission token twice saves one referral, one disclosure, and points at it."""
    _consent_for(world)
    login(client, world["worker"])
    data = _form(world, submission_token="tok-referral-1")
    first = client.post(_new_url(world["case"]), data=data)
    second = client.post(_new_url(world["case"]), data=data)
    assert first.location == second.location
    assert len(_referrals()) == 1
    assert audit_count(action="export") == 1


def test_a_referral_is_recorded_with_its_first_status_change(client, world):
    """The history starts with 'referred' on the referral date."""
    login(client, world["worker"])
    client.post(_new_url(world["case"]), data=_form(world, is_anonymous="y"))
    [change] = db.session.execute(select(ReferralStatusChange)).scalars().all()
    assert (change.from_status, change.to_status, change.changed_on) == (None, "referred", local_today())


def test_the_referral_form_works_with_csrf_on(csrf_app, world):
    """The rendered form carries its CSRF token and submission token."""
    from tests.conftest import PASSWORD, csrf_token_from

    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": world["worker"].email, "password": PASSWORD, "csrf_token": token})
    page = client.get(_new_url(world["case"])).get_data(as_text=True)
    submission = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    data = _form(world, is_anonymous="y", csrf_token=csrf_token_from(page), submission_token=submission)
    assert client.post(_new_url(world["case"]), data=data).status_code == 302
    assert len(_referrals()) == 1


# --- scope (S2, S3) ------------------------------------------------------------------------


def test_referring_on_an_out_of_scope_case_is_404_and_saves_nothing(client, world):
    """IDOR: another program's case id answers 404 on the form and the POST."""
    login(client, world["hvip_worker"])
    assert client.get(_new_url(world["case"])).status_code == 404
    assert client.post(_new_url(world["case"]), data=_form(world, is_anonymous="y")).status_code == 404
    assert _referrals() == []


def test_an_administrator_cannot_refer(client, world):
    """A non-member (an administrator) sees no case and so cannot write to it."""
    login(client, world["admin"])
    assert client.post(_new_url(world["case"]), data=_form(world, is_anonymous="y")).status_code == 404
    assert _referrals() == []


@pytest.mark.parametrize(("method", "suffix"), [("get", ""), ("post", "/status"), ("post", "/delete")])
def test_an_out_of_scope_referral_is_404_and_unchanged(client, world, method, suffix):
    """IDOR: another program's referral id cannot be read, moved or deleted."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["hvip_worker"])
    data = {"status": "scheduled", "changed_on": local_today().isoformat(), "version": "1"}
    response = getattr(client, method)(f"/referrals/{referral.id}{suffix}", data=data)
    assert response.status_code == 404
    db.session.refresh(referral)
    assert (referral.status, referral.deleted_at, referral.version) == ("referred", None, 1)
    assert audit_count(record_type="referral") == 0


def test_a_supervisor_of_the_program_can_update_a_referral(client, world):
    """Any member of the case's program may move a referral."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["supervisor"])
    data = {"status": "scheduled", "changed_on": local_today().isoformat(), "version": "1"}
    assert client.post(f"/referrals/{referral.id}/status", data=data).status_code == 302
    db.session.refresh(referral)
    assert referral.status == "scheduled"


# --- the page and the closed loop ------------------------------------------------------------


def test_the_referral_page_shows_details_and_history_and_is_audited(client, world):
    """Status, dates and history are on the page; the view writes an audit row."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["worker"])
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Housing referral to Eastside Housing" in page and "Marcus" in page
    assert f"{referral.referred_on:%d %b %Y}" in page and "No (anonymous referral)" in page
    assert 'name="version" type="hidden" value="1"' in page
    assert audit_count(action="view", record_type="referral", record_id=referral.id) == 1


def test_the_status_choices_are_only_the_allowed_next_steps(client, world):
    """From 'connected', only 'completed' is offered."""
    referral = _add_referral(world["case"], world["provider"], status="connected")
    login(client, world["worker"])
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    select_html = page[page.index('id="status"') : page.index("</select>", page.index('id="status"'))]
    assert re.findall(r'value="([a-z_]*)"', select_html) == ["", "completed"]


def _move(client, referral, status, on: date, version: int):
    return client.post(
        f"/referrals/{referral.id}/status",
        data={"status": status, "changed_on": on.isoformat(), "version": str(version)},
    )


def test_a_referral_runs_its_lifecycle_with_dated_history(client, world):
    """Referred → scheduled → connected → completed: each step dated, connection and close recorded."""
    today = local_today()
    start = today - timedelta(days=20)
    referral = _add_referral(world["case"], world["provider"], referred_on=start)
    login(client, world["worker"])
    assert _move(client, referral, "scheduled", start + timedelta(days=2), 1).status_code == 302
    assert _move(client, referral, "connected", start + timedelta(days=5), 2).status_code == 302
    assert _move(client, referral, "completed", start + timedelta(days=15), 3).status_code == 302
    db.session.refresh(referral)
    assert referral.status == "completed"
    assert referral.connected_on == start + timedelta(days=5)
    assert referral.closed_on == start + timedelta(days=15)
    assert days_to_connection(referral) == 5
    history = db.session.execute(
        select(ReferralStatusChange.to_status, ReferralStatusChange.changed_on, ReferralStatusChange.changed_by_id)
        .where(ReferralStatusChange.referral_id == referral.id)
        .order_by(ReferralStatusChange.id)
    ).all()
    assert [(s, d) for s, d, _ in history] == [
        ("referred", start),
        ("scheduled", start + timedelta(days=2)),
        ("connected", start + timedelta(days=5)),
        ("completed", start + timedelta(days=15)),
    ]
    assert [who for *_, who in history][1:] == [world["worker"].id] * 3
    assert audit_count(action="update", record_type="referral", record_id=referral.id) == 3
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "5 days after referral" in page and "the loop is closed" in page
    assert f"{start + timedelta(days=2):%d %b %Y} · Scheduled" in page


def test_a_forbidden_transition_is_refused_with_a_message(client, world):
    """Referred cannot jump to completed; nothing changes and no history row is added."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["worker"])
    response = _move(client, referral, "completed", local_today(), 1)
    assert response.status_code == 200
    assert "A referral that is referred cannot become completed." in response.get_data(as_text=True)
    db.session.refresh(referral)
    assert (referral.status, referral.version, referral.closed_on) == ("referred", 1, None)
    assert db.session.execute(select(func.count(ReferralStatusChange.id))).scalar_one() == 1


def test_a_closed_referral_can_be_reopened_and_loses_its_closing_date(client, world):
    """Declined closes the loop; re-referring opens it again."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["worker"])
    _move(client, referral, "declined", local_today() - timedelta(days=3), 1)
    db.session.refresh(referral)
    assert referral.closed_on == local_today() - timedelta(days=3)
    _move(client, referral, "referred", local_today(), 2)
    db.session.refresh(referral)
    assert (referral.status, referral.closed_on) == ("referred", None)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-21, "The date of the change cannot be before the referral"),
        (1, "The date of the change cannot be in the future."),
    ],
)
def test_a_status_date_outside_the_referral_is_refused(client, world, days, message):
    """Not before the referral date, not in the future; the input is kept."""
    referral = _add_referral(world["case"], world["provider"], referred_on=local_today() - timedelta(days=20))
    login(client, world["worker"])
    on = local_today() + timedelta(days=days)
    page = _move(client, referral, "scheduled", on, 1).get_data(as_text=True)
    assert message in page and on.isoformat() in page
    db.session.refresh(referral)
    assert referral.status == "referred"


def test_a_status_date_before_the_last_change_is_refused(client, world):
    """The history reads in order: no connection dated before the scheduling."""
    start = local_today() - timedelta(days=20)
    referral = _add_referral(world["case"], world["provider"], referred_on=start)
    login(client, world["worker"])
    _move(client, referral, "scheduled", start + timedelta(days=10), 1)
    page = _move(client, referral, "connected", start + timedelta(days=5), 2).get_data(as_text=True)
    assert "cannot be before the last change" in page
    db.session.refresh(referral)
    assert referral.status == "scheduled"


def test_a_stale_status_change_gets_a_conflict_page_with_both_values(client, world, app):
    """Two workers on one referral: the second, from the old version, sees 409 and both values."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["worker"])
    other = app.test_client()
    login(other, world["supervisor"])
    assert _move(other, referral, "scheduled", local_today(), 1).status_code == 302
    response = _move(client, referral, "unable_to_reach", local_today(), 1)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Unable to reach" in page and "Scheduled" in page
    assert 'name="version" type="hidden" value="2"' in page
    db.session.refresh(referral)
    assert referral.status == "scheduled"
    assert db.session.execute(select(func.count(ReferralStatusChange.id))).scalar_one() == 2


def test_the_status_form_works_with_csrf_on(csrf_app, world):
    """The status form on the referral page carries its CSRF token."""
    from tests.conftest import PASSWORD, csrf_token_from

    referral = _add_referral(world["case"], world["provider"])
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": world["worker"].email, "password": PASSWORD, "csrf_token": token})
    token = csrf_token_from(client.get(f"/referrals/{referral.id}").get_data(as_text=True))
    data = {"status": "scheduled", "changed_on": local_today().isoformat(), "version": "1", "csrf_token": token}
    assert client.post(f"/referrals/{referral.id}/status", data=data).status_code == 302


def test_no_status_chosen_is_a_field_error(client, world):
    """The empty first option records nothing."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["worker"])
    page = _move(client, referral, "", local_today(), 1).get_data(as_text=True)
    assert "Choose a status." in page
    db.session.refresh(referral)
    assert referral.version == 1


def test_a_completed_referral_refuses_further_changes_visibly(client, world):
    """A closed loop offers no next step, and a forged POST is refused with the reason shown."""
    referral = _add_referral(world["case"], world["provider"], status="completed")
    login(client, world["worker"])
    page = _move(client, referral, "referred", local_today(), 1).get_data(as_text=True)
    assert "A referral that is completed cannot become referred." in page
    db.session.refresh(referral)
    assert referral.status == "completed"


def test_days_to_connection_is_none_until_connected(world):
    """Time to connection counts only connected referrals."""
    referral = _add_referral(world["case"], world["provider"])
    assert days_to_connection(referral) is None


# --- delete ------------------------------------------------------------------------------------


def test_deleting_a_referral_hides_it_and_is_audited(client, world):
    """Soft delete: the row stays, the page is gone, the case page no longer lists it."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["worker"])
    response = client.post(f"/referrals/{referral.id}/delete")
    assert response.status_code == 302 and response.location.endswith(f"/cases/{world['case'].id}")
    db.session.refresh(referral)
    assert referral.deleted_at is not None and referral.deleted_by_id == world["worker"].id
    assert audit_count(action="delete", record_type="referral", record_id=referral.id) == 1
    assert client.get(f"/referrals/{referral.id}").status_code == 404
    assert "Eastside Housing" not in client.get(f"/cases/{world['case'].id}").get_data(as_text=True)


def test_deleting_needs_post(client, world):
    """GET never changes data."""
    referral = _add_referral(world["case"], world["provider"])
    login(client, world["worker"])
    assert client.get(f"/referrals/{referral.id}/delete").status_code == 405


# --- overdue -------------------------------------------------------------------------------


def test_the_overdue_list_shows_only_overdue_referrals_in_scope_oldest_first(client, world, make_case):
    """Past due and still waiting, in the user's cases, not deleted; oldest due first; audited with ids."""
    today = local_today()
    case, provider = world["case"], world["provider"]
    second_case = make_case(world["outreach"], world["worker"], first_name="Tia", last_name="Long")
    older = _add_referral(case, provider, status="scheduled", due_on=today - timedelta(days=9))
    newer = _add_referral(second_case, provider, due_on=today - timedelta(days=1))
    _add_referral(case, provider, due_on=today)  # due today: not yet overdue
    _add_referral(case, provider, status="connected", due_on=today - timedelta(days=5))
    _add_referral(case, provider, status="no_show", due_on=today - timedelta(days=5))
    gone = _add_referral(case, provider, due_on=today - timedelta(days=4))
    gone.deleted_at = utcnow()
    _add_referral(world["hvip_case"], provider, due_on=today - timedelta(days=30))  # another program
    db.session.commit()
    login(client, world["worker"])
    page = client.get("/referrals/overdue").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'href="/referrals/(\d+)"', page)]
    assert shown == [older.id, newer.id]
    assert "9 days overdue" in page and "1 day overdue" in page and "Dana" not in page
    [event] = db.session.execute(select(AuditEvent).where(AuditEvent.action == "list")).scalars().all()
    assert (event.record_type, event.record_ids) == ("referral", f"{older.id} {newer.id}")


def test_the_overdue_list_is_paginated(client, world, app):
    """More than a page of overdue referrals spreads over pages."""
    app.config["PAGE_SIZE"] = 2
    today = local_today()
    made = [_add_referral(world["case"], world["provider"], due_on=today - timedelta(days=d)) for d in (5, 4, 3)]
    login(client, world["worker"])
    first = client.get("/referrals/overdue").get_data(as_text=True)
    second = client.get("/referrals/overdue?page=2").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'href="/referrals/(\d+)"', first)] == [made[0].id, made[1].id]
    assert [int(i) for i in re.findall(r'href="/referrals/(\d+)"', second)] == [made[2].id]
    assert "Page 1 of 2" in first


def test_an_empty_overdue_list_writes_no_list_row(client, world):
    """Nothing shown, nothing to record."""
    login(client, world["worker"])
    assert "No overdue referrals." in client.get("/referrals/overdue").get_data(as_text=True)
    assert audit_count(action="list") == 0


def test_an_administrator_sees_no_overdue_referrals(client, world):
    """Administrators without a membership see no case data here either."""
    _add_referral(world["case"], world["provider"], due_on=local_today() - timedelta(days=3))
    login(client, world["admin"])
    page = client.get("/referrals/overdue").get_data(as_text=True)
    assert "No overdue referrals." in page and "Marcus" not in page
