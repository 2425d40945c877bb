"""Consent to share: recorded with a named recipient and a bounded expiry, listed, revoked."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.consents.services import find_valid_consent, one_year_after
from caseflow.extensions import db
from caseflow.models import Consent, ConsentCategory, Referral
from caseflow.models.base import utcnow
from caseflow.timezones import local_today
from tests.conftest import audit_count, login
from tests.test_providers import add_provider


def add_consent(
    participant_id: int,
    program,
    *,
    provider=None,
    recipient_program=None,
    recipient: str | None = None,
    categories=("identity",),
    signed_on: date | None = None,
    expires_on: date | None = None,
    revoked: bool = False,
) -> Consent:
    """A consent straight into the database, for tests that need one to exist."""
    signed_on = signed_on or local_today() - timedelta(days=10)
    consent = Consent(
        participant_id=participant_id,
        program_id=program.id,
        recipient=recipient or (provider.name if provider else recipient_program.name if recipient_program else "?"),
        provider_id=provider.id if provider else None,
        recipient_program_id=recipient_program.id if recipient_program else None,
        signed_on=signed_on,
        expires_on=expires_on or signed_on + timedelta(days=365),
        revoked_at=utcnow() if revoked else None,
        categories=[ConsentCategory(category=c) for c in categories],
    )
    db.session.add(consent)
    db.session.commit()
    return consent


def _consent_count() -> int:
    return db.session.execute(select(func.count(Consent.id))).scalar_one()


@pytest.fixture
def world(make_program, make_user, make_case):
    outreach = make_program("street_outreach", "Street Outreach")
    hvip = make_program("hvip", "City HVIP")
    worker = make_user(roles={outreach: "worker"}, full_name="Rae Worker")
    hvip_worker = make_user(roles={hvip: "worker"})
    case = make_case(outreach, worker, first_name="Marcus", last_name="Bell")
    hvip_case = make_case(hvip, hvip_worker, first_name="Dana", last_name="Cole")
    provider = add_provider("Eastside Housing", "housing", "legal")
    return {
        "outreach": outreach,
        "hvip": hvip,
        "worker": worker,
        "hvip_worker": hvip_worker,
        "admin": make_user(is_admin=True),
        "case": case,
        "hvip_case": hvip_case,
        "provider": provider,
    }


def _form(world, **overrides) -> dict:
    today = local_today()
    data = {
        "program_id": world["outreach"].id,
        "provider_id": world["provider"].id,
        "recipient_program_id": "",
        "recipient": "",
        "categories": ["identity", "case_summary"],
        "signed_on": today.isoformat(),
        "expires_on": (today + timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return data


def _url(world, suffix: str = "") -> str:
    return f"/participants/{world['case'].participant_id}/consents{suffix}"


# --- the list ------------------------------------------------------------------------------


def test_the_consent_list_shows_recipient_categories_dates_and_status(client, world):
    """Each consent shows who, what, when, and whether it is valid, expired or revoked."""
    pid, program = world["case"].participant_id, world["outreach"]
    today = local_today()
    add_consent(pid, program, provider=world["provider"], categories=("identity", "health"))
    add_consent(
        pid,
        program,
        recipient="Old Legal Aid",
        signed_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=40),
    )
    add_consent(pid, program, recipient="Revoked Org", revoked=True)
    login(client, world["worker"])
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Eastside Housing" in page and "Identity and contact details, Health and injury information" in page
    assert re.search(r"Eastside Housing</span>\s*<span class=\"badge text-bg-success\">Valid", page)
    assert re.search(r"Old Legal Aid</span>\s*<span class=\"badge text-bg-secondary\">Expired", page)
    assert re.search(r"Revoked Org</span>\s*<span class=\"badge text-bg-danger\">Revoked", page)


def test_viewing_the_consent_list_is_audited_with_the_ids_shown(client, world):
    """The list is a view of the person, recording which consents were on screen."""
    consent = add_consent(world["case"].participant_id, world["outreach"], provider=world["provider"])
    login(client, world["worker"])
    client.get(_url(world))
    assert audit_count(action="view", record_type="participant", record_id=world["case"].participant_id) == 1
    assert audit_count(record_ids=str(consent.id), detail="consents") == 1


def test_another_programs_consents_stay_with_it(client, world, make_case):
    """A person in two programs: each sees only the consents its own program recorded."""
    pid = world["case"].participant_id
    from caseflow.models import Case

    db.session.add(Case(participant_id=pid, program=world["hvip"], status="active", referred_on=local_today()))
    db.session.commit()
    add_consent(pid, world["hvip"], recipient="Trauma Recovery Center")
    add_consent(pid, world["outreach"], provider=world["provider"])
    login(client, world["worker"])
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Eastside Housing" in page and "Trauma Recovery Center" not in page


def test_an_out_of_scope_participants_consents_are_404(client, world):
    """IDOR: another program's participant does not exist for this user, and no view is recorded."""
    login(client, world["hvip_worker"])
    assert client.get(_url(world)).status_code == 404
    assert client.get(_url(world, "/new")).status_code == 404
    assert audit_count(action="view") == 0


def test_an_administrator_sees_no_consents(client, world):
    """Administrators see no case data without a membership."""
    login(client, world["admin"])
    assert client.get(_url(world)).status_code == 404


# --- recording ------------------------------------------------------------------------------


def test_the_form_defaults_to_signed_today_and_one_year(client, world):
    """Signed today, expiring 365 days later, unless changed."""
    login(client, world["worker"])
    page = client.get(_url(world, "/new")).get_data(as_text=True)
    today = local_today()
    assert f'value="{today.isoformat()}"' in page
    assert f'value="{(today + timedelta(days=365)).isoformat()}"' in page


def test_the_program_choices_are_the_users_programs_holding_this_person(client, world, make_program, make_user):
    """A worker in two programs is offered only the one where the person has a case."""
    other = make_program("hvip", "Other HVIP")
    from caseflow.models import ProgramMembership

    db.session.add(ProgramMembership(user_id=world["worker"].id, program_id=other.id, role="worker"))
    db.session.commit()
    login(client, world["worker"])
    page = client.get(_url(world, "/new")).get_data(as_text=True)
    program_select = page[page.index('id="program_id"') : page.index("</select>", page.index('id="program_id"'))]
    assert "Street Outreach" in program_select and "Other HVIP" not in program_select


def test_every_consent_form_field_has_a_visible_label(client, world):
    """Each input is named by a <label for=...>."""
    login(client, world["worker"])
    page = client.get(_url(world, "/new")).get_data(as_text=True)
    for name in (
        "program_id",
        "provider_id",
        "recipient_program_id",
        "recipient",
        "categories-0",
        "signed_on",
        "expires_on",
    ):
        assert f'for="{name}"' in page, name


def test_recording_a_consent_for_a_directory_provider(client, world):
    """The consent names the provider, its categories and dates, and the creation is audited."""
    login(client, world["worker"])
    response = client.post(_url(world, "/new"), data=_form(world), follow_redirects=True)
    assert "Consent recorded." in response.get_data(as_text=True)
    consent = db.session.execute(select(Consent)).scalar_one()
    assert (consent.provider_id, consent.recipient, consent.program_id) == (
        world["provider"].id,
        "Eastside Housing",
        world["outreach"].id,
    )
    assert sorted(c.category for c in consent.categories) == ["case_summary", "identity"]
    assert consent.expires_on == local_today() + timedelta(days=365)
    assert consent.recorded_by_id == world["worker"].id
    assert audit_count(action="create", record_type="consent", record_id=consent.id) == 1


def test_recording_a_consent_for_an_organisation_typed_by_name(client, world):
    """An organisation outside the directory can be named as free text."""
    login(client, world["worker"])
    client.post(_url(world, "/new"), data=_form(world, provider_id="", recipient="  Westside Legal Aid "))
    consent = db.session.execute(select(Consent)).scalar_one()
    assert (consent.recipient, consent.provider_id, consent.recipient_program_id) == ("Westside Legal Aid", None, None)


def test_recording_a_consent_for_a_hand_off_to_another_program(client, world):
    """Another program can be the recipient, for a warm hand-off."""
    login(client, world["worker"])
    client.post(_url(world, "/new"), data=_form(world, provider_id="", recipient_program_id=world["hvip"].id))
    consent = db.session.execute(select(Consent)).scalar_one()
    assert (consent.recipient_program_id, consent.recipient) == (world["hvip"].id, "City HVIP")


def test_a_consent_needs_a_recipient(client, world):
    """No provider, program or name is a clear error; nothing typed is lost."""
    login(client, world["worker"])
    page = client.post(_url(world, "/new"), data=_form(world, provider_id="")).get_data(as_text=True)
    assert "Choose a provider or a program, or type the organisation&#39;s name." in page
    assert re.search(r'<input checked[^>]*value="case_summary"', page)
    assert _consent_count() == 0


def test_a_consent_names_only_one_recipient(client, world):
    """A provider and a typed name together are refused: one consent, one recipient."""
    login(client, world["worker"])
    page = client.post(_url(world, "/new"), data=_form(world, recipient="Somebody Else")).get_data(as_text=True)
    assert "Name one recipient per consent" in page and "Somebody Else" in page
    assert _consent_count() == 0


def test_a_consent_needs_at_least_one_category(client, world):
    """Nothing ticked is a field error."""
    login(client, world["worker"])
    data = _form(world)
    del data["categories"]
    page = client.post(_url(world, "/new"), data=data).get_data(as_text=True)
    assert "Choose at least one kind of information." in page
    assert _consent_count() == 0


def test_an_expiry_more_than_a_year_after_signing_is_refused(client, world):
    """S23: at most one year; the message names the latest date allowed, and the input is kept."""
    signed = local_today() - timedelta(days=3)
    too_late = one_year_after(signed) + timedelta(days=1)
    login(client, world["worker"])
    page = client.post(
        _url(world, "/new"), data=_form(world, signed_on=signed.isoformat(), expires_on=too_late.isoformat())
    ).get_data(as_text=True)
    assert f"A consent lasts at most one year: choose {one_year_after(signed):%d %b %Y} or earlier" in page
    assert too_late.isoformat() in page
    assert _consent_count() == 0


def test_an_expiry_of_exactly_one_year_is_accepted(client, world):
    """The anniversary of signing is the last day allowed."""
    signed = local_today() - timedelta(days=3)
    login(client, world["worker"])
    client.post(
        _url(world, "/new"),
        data=_form(world, signed_on=signed.isoformat(), expires_on=one_year_after(signed).isoformat()),
    )
    assert db.session.execute(select(Consent.expires_on)).scalar_one() == one_year_after(signed)


def test_a_missing_expiry_is_required(client, world):
    """The expiry date is required: a consent never runs forever."""
    login(client, world["worker"])
    page = client.post(_url(world, "/new"), data=_form(world, expires_on="")).get_data(as_text=True)
    assert "Enter the expiry date." in page
    assert _consent_count() == 0


def test_an_expiry_before_signing_is_refused(client, world):
    """Expiry on or after signing."""
    today = local_today()
    login(client, world["worker"])
    page = client.post(
        _url(world, "/new"), data=_form(world, expires_on=(today - timedelta(days=1)).isoformat())
    ).get_data(as_text=True)
    assert "The consent cannot expire before it was signed." in page
    assert _consent_count() == 0


def test_a_signing_date_in_the_future_is_refused(client, world):
    """A consent cannot be signed tomorrow."""
    tomorrow = local_today() + timedelta(days=1)
    login(client, world["worker"])
    page = client.post(_url(world, "/new"), data=_form(world, signed_on=tomorrow.isoformat())).get_data(as_text=True)
    assert "The signing date cannot be in the future." in page
    assert _consent_count() == 0


def test_a_program_the_user_is_not_in_cannot_be_chosen(client, world):
    """S6: posting another program's id is not a valid choice, and nothing is saved."""
    login(client, world["worker"])
    page = client.post(_url(world, "/new"), data=_form(world, program_id=world["hvip"].id)).get_data(as_text=True)
    assert "Not a valid choice" in page
    assert _consent_count() == 0


def test_a_double_submitted_consent_form_makes_one_consent(client, world):
    """The same submission token twice saves one consent."""
    login(client, world["worker"])
    data = _form(world, submission_token="tok-consent-1")
    client.post(_url(world, "/new"), data=data)
    second = client.post(_url(world, "/new"), data=data, follow_redirects=True)
    assert "already saved" in second.get_data(as_text=True)
    assert _consent_count() == 1
    assert audit_count(action="create", record_type="consent") == 1


def test_the_provider_can_be_pre_selected_from_the_query(client, world):
    """?provider_id= (the link on a blocked referral) pre-selects the provider."""
    login(client, world["worker"])
    page = client.get(_url(world, f"/new?provider_id={world['provider'].id}")).get_data(as_text=True)
    assert re.search(rf'<option selected value="{world["provider"].id}">Eastside Housing</option>', page)


def test_the_receiving_program_can_be_pre_selected_from_the_query(client, world):
    """?recipient_program_id= (a hand-off) pre-selects the program."""
    login(client, world["worker"])
    page = client.get(_url(world, f"/new?recipient_program_id={world['hvip'].id}")).get_data(as_text=True)
    assert re.search(rf'<option selected value="{world["hvip"].id}">City HVIP</option>', page)


def test_coming_from_a_blocked_referral_returns_to_the_referral_form(client, world):
    """?case_id= sends the worker back to the referral once the consent is saved."""
    login(client, world["worker"])
    response = client.post(_url(world, f"/new?case_id={world['case'].id}"), data=_form(world))
    assert response.status_code == 302
    assert response.location.endswith(f"/cases/{world['case'].id}/referrals/new")


def test_a_case_id_outside_scope_is_ignored_on_return(client, world):
    """An unrelated case id in the query does not become a redirect target."""
    login(client, world["worker"])
    response = client.post(_url(world, f"/new?case_id={world['hvip_case'].id}"), data=_form(world))
    assert response.location.endswith(_url(world))


# --- revoking ------------------------------------------------------------------------------


def test_revoking_a_consent_stamps_it_and_is_audited(client, world):
    """Revocation keeps the record, marks when, and writes an update row."""
    consent = add_consent(world["case"].participant_id, world["outreach"], provider=world["provider"])
    login(client, world["worker"])
    response = client.post(f"/consents/{consent.id}/revoke", follow_redirects=True)
    assert "no longer allows sharing" in response.get_data(as_text=True)
    db.session.refresh(consent)
    assert consent.revoked_at is not None
    assert audit_count(action="update", record_type="consent", record_id=consent.id, detail="revoked") == 1


def test_revoking_twice_says_so_and_keeps_the_first_time(client, world):
    """A second revoke changes nothing."""
    consent = add_consent(world["case"].participant_id, world["outreach"], provider=world["provider"], revoked=True)
    first = consent.revoked_at
    login(client, world["worker"])
    response = client.post(f"/consents/{consent.id}/revoke", follow_redirects=True)
    assert "already revoked" in response.get_data(as_text=True)
    db.session.refresh(consent)
    assert consent.revoked_at == first


def test_revoking_an_out_of_scope_consent_is_404_and_changes_nothing(client, world):
    """IDOR: another program's consent id cannot be revoked."""
    consent = add_consent(world["case"].participant_id, world["outreach"], provider=world["provider"])
    login(client, world["hvip_worker"])
    assert client.post(f"/consents/{consent.id}/revoke").status_code == 404
    db.session.refresh(consent)
    assert consent.revoked_at is None
    assert audit_count(action="update", record_type="consent") == 0


def test_revoking_needs_a_get_free_post(client, world):
    """GET never changes data: the revoke URL answers only POST."""
    consent = add_consent(world["case"].participant_id, world["outreach"], provider=world["provider"])
    login(client, world["worker"])
    assert client.get(f"/consents/{consent.id}/revoke").status_code == 405


def test_a_revoked_consent_no_longer_allows_identifying_referrals(client, world):
    """Record a consent, refer with identity, revoke, and the next identifying referral is blocked."""
    case = world["case"]
    login(client, world["worker"])
    client.post(_url(world, "/new"), data=_form(world))
    referral = {
        "service_category": "housing",
        "provider_id": world["provider"].id,
        "referred_on": local_today().isoformat(),
    }
    assert client.post(f"/cases/{case.id}/referrals/new", data=referral).status_code == 302
    consent = db.session.execute(select(Consent)).scalar_one()
    client.post(f"/consents/{consent.id}/revoke")
    page = client.post(f"/cases/{case.id}/referrals/new", data=referral).get_data(as_text=True)
    assert "No valid consent lets us share Marcus&#39;s identity with Eastside Housing." in page
    assert db.session.execute(select(func.count(Referral.id))).scalar_one() == 1


def test_the_revoke_button_works_with_csrf_on(csrf_app, world):
    """The list's revoke button carries a CSRF token."""
    from tests.conftest import PASSWORD, csrf_token_from

    consent = add_consent(world["case"].participant_id, world["outreach"], provider=world["provider"])
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": world["worker"].email, "password": PASSWORD, "csrf_token": token})
    token = csrf_token_from(client.get(_url(world)).get_data(as_text=True))
    assert client.post(f"/consents/{consent.id}/revoke", data={"csrf_token": token}).status_code == 302
    db.session.refresh(consent)
    assert consent.revoked_at is not None


# --- the lookup the referral gate and hand-offs use ----------------------------------------


def test_find_valid_consent_matches_a_receiving_program(world):
    """The hand-off check: a consent naming the program, covering the asked categories, valid that day."""
    pid = world["case"].participant_id
    consent = add_consent(
        pid, world["outreach"], recipient_program=world["hvip"], categories=("identity", "case_summary")
    )
    today = local_today()
    assert find_valid_consent(pid, today, recipient_program_id=world["hvip"].id) == consent
    assert (
        find_valid_consent(
            pid, today, recipient_program_id=world["hvip"].id, categories=frozenset({"identity", "case_summary"})
        )
        == consent
    )
    assert (
        find_valid_consent(pid, today, recipient_program_id=world["hvip"].id, categories=frozenset({"health"})) is None
    )
    assert find_valid_consent(pid, today, recipient_program_id=world["outreach"].id) is None
    assert (
        find_valid_consent(pid, consent.expires_on + timedelta(days=1), recipient_program_id=world["hvip"].id) is None
    )


def test_find_valid_consent_matches_a_typed_name_ignoring_case(world):
    """A consent typed as 'EASTSIDE housing' counts for the directory's Eastside Housing."""
    pid = world["case"].participant_id
    consent = add_consent(pid, world["outreach"], recipient=" EASTSIDE housing ")
    assert find_valid_consent(pid, local_today(), provider_id=world["provider"].id) == consent


def test_find_valid_consent_without_a_recipient_finds_nothing(world):
    """No recipient named, no consent: the caller's disclosure stays blocked."""
    pid = world["case"].participant_id
    add_consent(pid, world["outreach"], provider=world["provider"])
    assert find_valid_consent(pid, local_today()) is None


def test_find_valid_consent_ignores_deleted_consents(world):
    """A soft-deleted consent allows nothing."""
    pid = world["case"].participant_id
    consent = add_consent(pid, world["outreach"], provider=world["provider"])
    consent.deleted_at = utcnow()
    db.session.commit()
    assert find_valid_consent(pid, local_today(), provider_id=world["provider"].id) is None
