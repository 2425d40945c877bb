"""The service provider directory: everyone browses, administrators manage."""

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import ProviderCategory, ServiceProvider
from tests.conftest import audit_count, login


def add_provider(name: str, *categories: str, is_active: bool = True, **fields) -> ServiceProvider:
    """A provider straight into the directory, for tests that need one to exist."""
    provider = ServiceProvider(
        name=name,
        is_active=is_active,
        categories=[ProviderCategory(category=c) for c in categories or ("housing",)],
        **fields,
    )
    db.session.add(provider)
    db.session.commit()
    return provider


def _provider_count() -> int:
    return db.session.execute(select(func.count(ServiceProvider.id))).scalar_one()


FORM = {
    "name": "Eastside Housing Collective",
    "categories": ["housing", "relocation"],
    "phone": "(555) 300-1000",
    "email": "intake@eastside.example.org",
    "address": "12 Main St",
    "notes": "Walk-ins Tuesdays",
    "is_active": "y",
}


@pytest.fixture
def people(make_program, make_user):
    program = make_program("street_outreach", "Outreach")
    return {
        "worker": make_user(roles={program: "worker"}),
        "supervisor": make_user(roles={program: "supervisor"}),
        "admin": make_user(is_admin=True),
    }


# --- browsing ------------------------------------------------------------------------------


def test_a_worker_sees_active_providers_with_their_services(client, people):
    """The directory lists active providers and what they offer."""
    add_provider("Eastside Housing", "housing", "legal", phone="555-0100")
    login(client, people["worker"])
    page = client.get("/providers").get_data(as_text=True)
    assert "Eastside Housing" in page and "Housing, Legal" in page and "555-0100" in page


def test_a_worker_does_not_see_inactive_providers_or_manage_links(client, people):
    """Inactive providers are hidden from staff, and only administrators get edit links."""
    active = add_provider("Open Door", "housing")
    add_provider("Closed Shop", "housing", is_active=False)
    login(client, people["worker"])
    page = client.get("/providers").get_data(as_text=True)
    assert "Open Door" in page and "Closed Shop" not in page
    assert f"/providers/{active.id}/edit" not in page and "Add provider" not in page


def test_the_directory_filters_by_service(client, people):
    """?category= narrows the list to providers offering that service."""
    add_provider("Eastside Housing", "housing")
    add_provider("Northside Jobs", "employment")
    login(client, people["supervisor"])
    page = client.get("/providers?category=employment").get_data(as_text=True)
    assert "Northside Jobs" in page and "Eastside Housing" not in page


def test_an_unknown_category_filter_shows_everything(client, people):
    """A made-up category is ignored rather than an error."""
    add_provider("Eastside Housing", "housing")
    login(client, people["worker"])
    response = client.get("/providers?category=nonsense")
    assert response.status_code == 200 and "Eastside Housing" in response.get_data(as_text=True)


def test_an_administrator_sees_inactive_providers_and_manage_links(client, people):
    """Administrators manage the whole directory, inactive entries included."""
    closed = add_provider("Closed Shop", "housing", is_active=False)
    login(client, people["admin"])
    page = client.get("/providers").get_data(as_text=True)
    assert "Closed Shop" in page and "Inactive" in page
    assert f"/providers/{closed.id}/edit" in page and "/providers/new" in page


def test_browsing_the_directory_needs_a_login(client):
    """Like every page, the directory is not public."""
    response = client.get("/providers")
    assert response.status_code == 302 and response.location.startswith("/login")


# --- managing: administrators only ------------------------------------------------------------


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_staff_cannot_open_or_post_the_new_provider_form(client, people, role):
    """Only administrators add providers; everyone else gets 403 and nothing is saved."""
    login(client, people[role])
    assert client.get("/providers/new").status_code == 403
    assert client.post("/providers/new", data=FORM).status_code == 403
    assert _provider_count() == 0


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_staff_cannot_edit_a_provider(client, people, role):
    """Editing is for administrators; a worker's POST changes nothing."""
    provider = add_provider("Eastside Housing", "housing")
    login(client, people[role])
    assert client.get(f"/providers/{provider.id}/edit").status_code == 403
    response = client.post(f"/providers/{provider.id}/edit", data={**FORM, "version": "1"})
    assert response.status_code == 403
    db.session.refresh(provider)
    assert provider.name == "Eastside Housing"


def test_an_administrator_adds_a_provider(client, people):
    """The new provider is saved with its services and the creation is audited."""
    login(client, people["admin"])
    response = client.post("/providers/new", data=FORM, follow_redirects=True)
    assert "Provider added." in response.get_data(as_text=True)
    provider = db.session.execute(select(ServiceProvider)).scalar_one()
    assert provider.name == "Eastside Housing Collective" and provider.is_active
    assert sorted(c.category for c in provider.categories) == ["housing", "relocation"]
    assert (provider.phone, provider.email, provider.notes) == ("(555) 300-1000", FORM["email"], "Walk-ins Tuesdays")
    assert audit_count(action="create", record_type="provider", record_id=provider.id) == 1


def test_every_provider_form_field_has_a_visible_label(client, people):
    """Each input is named by a <label for=...>."""
    login(client, people["admin"])
    page = client.get("/providers/new").get_data(as_text=True)
    for name in ("name", "categories-0", "phone", "email", "address", "notes", "is_active"):
        assert f'for="{name}"' in page, name


def test_a_duplicate_name_is_refused_whatever_its_case(client, people):
    """Names are unique ignoring case; the form says so and keeps what was typed."""
    add_provider("Eastside Housing Collective", "housing")
    login(client, people["admin"])
    response = client.post("/providers/new", data={**FORM, "name": "EASTSIDE housing collective"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already in the directory" in page
    assert "EASTSIDE housing collective" in page and "Walk-ins Tuesdays" in page
    assert _provider_count() == 1
    assert audit_count(action="create", record_type="provider") == 0


def test_a_provider_needs_at_least_one_service(client, people):
    """No service ticked is a field error; the rest of the input is kept."""
    login(client, people["admin"])
    data = {k: v for k, v in FORM.items() if k != "categories"}
    page = client.post("/providers/new", data=data).get_data(as_text=True)
    assert "Choose at least one service." in page
    assert "Eastside Housing Collective" in page and "12 Main St" in page
    assert _provider_count() == 0


def test_a_bad_email_is_a_field_error(client, people):
    """Contact details are checked before saving."""
    login(client, people["admin"])
    page = client.post("/providers/new", data={**FORM, "email": "not-an-email"}).get_data(as_text=True)
    assert "Enter a valid email." in page and "not-an-email" in page
    assert _provider_count() == 0


def test_a_double_submitted_new_provider_form_makes_one_provider(client, people):
    """The same submission token twice saves one row and says it was already saved."""
    login(client, people["admin"])
    data = {**FORM, "submission_token": "tok-provider-1"}
    client.post("/providers/new", data=data)
    second = client.post("/providers/new", data=data, follow_redirects=True)
    assert "already saved" in second.get_data(as_text=True)
    assert _provider_count() == 1


def test_an_administrator_edits_a_provider(client, people):
    """The edit form comes pre-filled with the version; saving changes services and is audited."""
    provider = add_provider("Eastside Housing", "housing", "legal")
    login(client, people["admin"])
    page = client.get(f"/providers/{provider.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page  # pre-filled from the record
    assert "Eastside Housing" in page
    response = client.post(
        f"/providers/{provider.id}/edit",
        data={**FORM, "name": "Eastside Housing", "categories": ["legal", "benefits"], "version": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(provider)
    assert sorted(c.category for c in provider.categories) == ["benefits", "legal"]
    assert provider.version == 2
    assert audit_count(action="update", record_type="provider", record_id=provider.id) == 1


def test_changing_only_the_services_still_bumps_the_version(client, people):
    """A second editor working from the old version must not silently undo a services-only change."""
    provider = add_provider("Eastside Housing", "housing")
    login(client, people["admin"])
    client.post(
        f"/providers/{provider.id}/edit",
        data={"name": "Eastside Housing", "categories": ["housing", "legal"], "is_active": "y", "version": "1"},
    )
    db.session.refresh(provider)
    assert provider.version == 2


def test_deactivating_a_provider_hides_it_from_staff(app, client, people):
    """Unticking 'active' takes the provider out of the staff directory."""
    provider = add_provider("Eastside Housing", "housing")
    login(client, people["admin"])
    client.post(
        f"/providers/{provider.id}/edit", data={"name": "Eastside Housing", "categories": ["housing"], "version": "1"}
    )
    db.session.refresh(provider)
    assert provider.is_active is False
    worker_client = app.test_client()
    login(worker_client, people["worker"])
    assert "Eastside Housing" not in worker_client.get("/providers").get_data(as_text=True)


def test_renaming_onto_another_providers_name_is_refused(client, people):
    """Uniqueness holds on edit too."""
    add_provider("Northside Jobs", "employment")
    provider = add_provider("Eastside Housing", "housing")
    login(client, people["admin"])
    response = client.post(f"/providers/{provider.id}/edit", data={**FORM, "name": "northside jobs", "version": "1"})
    assert "already in the directory" in response.get_data(as_text=True)
    db.session.refresh(provider)
    assert provider.name == "Eastside Housing"


def test_a_stale_provider_edit_gets_a_conflict_page_with_both_values(client, people):
    """Saving from an old version is refused with 409, showing the typed and the saved values."""
    provider = add_provider("Eastside Housing", "housing")
    login(client, people["admin"])
    client.post(
        f"/providers/{provider.id}/edit",
        data={"name": "Eastside Housing Co-op", "categories": ["housing"], "is_active": "y", "version": "1"},
    )
    response = client.post(
        f"/providers/{provider.id}/edit",
        data={"name": "Eastside Homes", "categories": ["housing"], "is_active": "y", "version": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Eastside Homes" in page and "Eastside Housing Co-op" in page
    assert 'name="version" type="hidden" value="2"' in page  # ready to save deliberately over the new version
    db.session.refresh(provider)
    assert provider.name == "Eastside Housing Co-op"


def test_editing_an_unknown_provider_is_404(client, people):
    """A missing id is not found."""
    login(client, people["admin"])
    assert client.get("/providers/999/edit").status_code == 404


def test_the_new_provider_form_works_with_csrf_on(csrf_app, people):
    """The rendered form carries its CSRF token, so a real browser can save it."""
    from tests.conftest import csrf_token_from

    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": people["admin"].email,
            "password": "correct-horse-battery",
            "csrf_token": csrf_token_from(login_page),
        },
    )
    token = csrf_token_from(client.get("/providers/new").get_data(as_text=True))
    response = client.post("/providers/new", data={**FORM, "csrf_token": token})
    assert response.status_code == 302
    assert _provider_count() == 1
