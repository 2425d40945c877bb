"""Administration: only administrators get in, every change is audited, and admins see no case data."""

import pytest

from caseflow.extensions import db
from caseflow.models import Program, ProgramMembership, User
from tests.conftest import audit_count, login

NEW_PASSWORD = "a-long-enough-password"


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.org", full_name="Ada Admin", is_admin=True)


@pytest.fixture
def admin_client(app, admin):
    """A browser logged in as the administrator."""
    client = app.test_client()
    assert login(client, admin).status_code == 302
    return client


def client_for(app, user):
    """A separate browser logged in as user."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def reload(model, record_id):
    db.session.expire_all()
    return db.session.get(model, record_id)


def user_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()


def new_user_form(**changes) -> dict:
    data = {
        "full_name": "Dana Newhire",
        "email": "dana.newhire@example.org",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def program_form(**changes) -> dict:
    data = {
        "name": "Eastside Outreach",
        "kind": "hvip",
        "organisation": "Eastside Health",
        "contact_frequency_days": "10",
        "caseload_target": "12",
    }
    data.update(changes)
    return data


# --- who may enter ------------------------------------------------------------------------------


ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/programs", "/admin/users/{admin_id}"]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_worker_is_refused_admin_pages(app, make_program, make_user, admin, page):
    """Program staff cannot reach account management, whatever their role."""
    worker = make_user(roles={make_program(): "manager"})
    response = client_for(app, worker).get(page.format(admin_id=admin.id))
    assert response.status_code == 403


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_anonymous_is_sent_to_login_from_admin_pages(client, admin, page):
    """Without a session the admin pages only offer the login form."""
    response = client.get(page.format(admin_id=admin.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_worker_cannot_create_accounts(app, make_program, make_user):
    """A worker posting the new-user form straight to the server makes no account."""
    worker = make_user(roles={make_program(): "worker"})
    response = client_for(app, worker).post("/admin/users/new", data=new_user_form(is_admin="y"))
    assert response.status_code == 403
    assert user_by_email("dana.newhire@example.org") is None


def test_worker_cannot_grant_themselves_a_role(app, make_program, make_user):
    """A worker cannot post a membership form to become a manager."""
    program = make_program()
    worker = make_user(roles={program: "worker"})
    client = client_for(app, worker)
    response = client.post(f"/admin/users/{worker.id}", data={"program_id": program.id, "role": "manager"})
    assert response.status_code == 403
    membership = db.session.execute(db.select(ProgramMembership).where(ProgramMembership.user_id == worker.id))
    assert membership.scalar_one().role == "worker"


def test_worker_cannot_deactivate_others(app, make_program, make_user, admin):
    """Only administrators switch accounts on and off."""
    worker = make_user(roles={make_program(): "worker"})
    response = client_for(app, worker).post(f"/admin/users/{admin.id}/active")
    assert response.status_code == 403
    assert reload(User, admin.id).is_active is True


def test_worker_cannot_remove_memberships(app, make_program, make_user):
    """Only administrators take people off programs."""
    program = make_program()
    worker = make_user(roles={program: "worker"})
    colleague = make_user(roles={program: "worker"})
    membership_id = db.session.execute(
        db.select(ProgramMembership.id).where(ProgramMembership.user_id == colleague.id)
    ).scalar_one()
    response = client_for(app, worker).post(f"/admin/memberships/{membership_id}/remove")
    assert response.status_code == 403
    assert reload(ProgramMembership, membership_id).deleted_at is None


def test_worker_cannot_create_programs(app, make_program, make_user):
    """Only administrators set up programs."""
    worker = make_user(roles={make_program(): "worker"})
    response = client_for(app, worker).post("/admin/programs", data=program_form())
    assert response.status_code == 403
    assert db.session.execute(db.select(Program).where(Program.name == "Eastside Outreach")).first() is None


def test_admin_sees_admin_pages(admin_client, admin):
    """The administrator does get the pages the others are refused (the refusals are not blanket 403s)."""
    for page in ADMIN_PAGES:
        assert admin_client.get(page.format(admin_id=admin.id)).status_code == 200


# --- creating accounts --------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_log_in(app, admin_client):
    """A new colleague gets an account that works straight away."""
    response = admin_client.post("/admin/users/new", data=new_user_form())
    user = user_by_email("dana.newhire@example.org")
    assert user is not None
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Account for Dana Newhire created." in page
    assert user.is_admin is False
    assert login(app.test_client(), "dana.newhire@example.org", NEW_PASSWORD).status_code == 302


def test_admin_can_create_another_administrator(admin_client):
    """The administrator box on the form is honoured."""
    admin_client.post("/admin/users/new", data=new_user_form(is_admin="y"))
    assert user_by_email("dana.newhire@example.org").is_admin is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "too-short", "confirm": "too-short"}, "Use at least 12 characters."),
        ({"password": "p" * 129, "confirm": "p" * 129}, "Use at most 128 characters."),
        ({"confirm": "a-different-password"}, "The two passwords differ."),
        ({"email": "not-an-email"}, "Enter a valid email."),
        ({"full_name": ""}, "Enter a name."),
    ],
    ids=["short-password", "long-password", "mismatched-confirm", "invalid-email", "no-name"],
)
def test_bad_new_user_input_is_explained_and_kept(admin_client, changes, message):
    """A typo costs one correction, not retyping the form, and nothing is created meanwhile."""
    data = new_user_form(**changes)
    response = admin_client.post("/admin/users/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    if data["full_name"]:
        assert f'value="{data["full_name"]}"' in page
    assert f'value="{data["email"]}"' in page
    assert data["password"] not in page
    assert data["confirm"] not in page
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 1


def test_duplicate_email_is_explained_and_kept(admin_client, make_user):
    """A second account for the same address (in any capitalisation) is refused, with the form intact."""
    make_user(email="dana.newhire@example.org")
    response = admin_client.post("/admin/users/new", data=new_user_form(email="Dana.Newhire@Example.org"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An account with that email already exists." in page
    assert 'value="Dana Newhire"' in page
    assert 'value="Dana.Newhire@Example.org"' in page
    assert NEW_PASSWORD not in page
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 2


# --- memberships --------------------------------------------------------------------------------


def add_membership(admin_client, user, program, role="worker"):
    response = admin_client.post(f"/admin/users/{user.id}", data={"program_id": program.id, "role": role})
    assert response.status_code == 302
    return db.session.execute(
        db.select(ProgramMembership).where(
            ProgramMembership.user_id == user.id, ProgramMembership.program_id == program.id
        )
    ).scalar_one()


def test_membership_opens_the_programs_cases(app, admin_client, make_user, make_program, make_case):
    """Adding someone to a program is what lets them see its cases."""
    program = make_program()
    make_case(program, last_name="Quintero")
    user = make_user()
    client = client_for(app, user)
    assert "Quintero" not in client.get("/").get_data(as_text=True)
    add_membership(admin_client, user, program)
    home = client.get("/").get_data(as_text=True)
    assert "Quintero" in home


def test_removing_membership_closes_the_programs_cases(app, admin_client, make_user, make_program, make_case):
    """Taking someone off a program takes its cases away at once."""
    program = make_program()
    case = make_case(program, last_name="Quintero")
    user = make_user()
    membership = add_membership(admin_client, user, program)
    client = client_for(app, user)
    assert client.get(f"/cases/{case.id}").status_code == 200
    response = admin_client.post(f"/admin/memberships/{membership.id}/remove")
    assert response.status_code == 302
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert "Quintero" not in client.get("/").get_data(as_text=True)


def test_readding_a_removed_membership_restores_it_with_the_new_role(
    app, admin_client, make_user, make_program, make_case
):
    """Someone who returns to a program gets access back, in the role now chosen."""
    program = make_program()
    case = make_case(program)
    user = make_user()
    membership = add_membership(admin_client, user, program, "worker")
    admin_client.post(f"/admin/memberships/{membership.id}/remove")
    again = add_membership(admin_client, user, program, "supervisor")
    assert again.id == membership.id
    assert again.deleted_at is None
    assert again.role == "supervisor"
    assert client_for(app, user).get(f"/cases/{case.id}").status_code == 200
    assert "Supervisor" in admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)


def test_removed_membership_cannot_be_removed_twice(admin_client, make_user, make_program):
    """A stale remove button finds nothing rather than acting again."""
    user = make_user()
    membership = add_membership(admin_client, user, make_program())
    admin_client.post(f"/admin/memberships/{membership.id}/remove")
    assert admin_client.post(f"/admin/memberships/{membership.id}/remove").status_code == 404


# --- deactivation -------------------------------------------------------------------------------


def test_deactivated_user_cannot_log_in(app, admin_client, make_user):
    """Deactivating an account is how a departed colleague loses access."""
    user = make_user(full_name="Lee Leaver")
    response = admin_client.post(f"/admin/users/{user.id}/active", follow_redirects=True)
    assert "Lee Leaver is now deactivated." in response.get_data(as_text=True)
    assert reload(User, user.id).is_active is False
    assert login(app.test_client(), user).status_code == 200


def test_deactivation_ends_the_users_open_session(app, admin_client, make_user):
    """Someone deactivated while logged in is thrown out on their next click."""
    user = make_user()
    client = client_for(app, user)
    assert client.get("/").status_code == 200
    admin_client.post(f"/admin/users/{user.id}/active")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_second_toggle_reactivates(app, admin_client, make_user):
    """A mistaken deactivation is undone with the same button."""
    user = make_user()
    admin_client.post(f"/admin/users/{user.id}/active")
    admin_client.post(f"/admin/users/{user.id}/active")
    assert reload(User, user.id).is_active is True
    assert login(app.test_client(), user).status_code == 302


def test_admin_cannot_deactivate_themselves(admin_client, admin):
    """The last administrator must not lock everyone out of account management."""
    response = admin_client.post(f"/admin/users/{admin.id}/active", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert reload(User, admin.id).is_active is True
    assert admin_client.get("/admin/users").status_code == 200


# --- extra fields change nothing ------------------------------------------------------------------


def test_extra_is_admin_on_membership_form_does_not_make_an_admin(admin_client, make_user, make_program):
    """The membership form grants a role, never the administrator flag."""
    user = make_user()
    program = make_program()
    admin_client.post(f"/admin/users/{user.id}", data={"program_id": program.id, "role": "worker", "is_admin": "y"})
    user = reload(User, user.id)
    assert user.is_admin is False
    assert [m.role for m in user.memberships] == ["worker"]


def test_extra_is_admin_on_active_toggle_does_not_make_an_admin(admin_client, make_user):
    """The deactivate button only switches the account on or off."""
    user = make_user()
    admin_client.post(f"/admin/users/{user.id}/active", data={"is_admin": "y", "role": "manager"})
    user = reload(User, user.id)
    assert user.is_admin is False
    assert user.memberships == []


def test_extra_role_on_new_user_form_grants_no_membership(admin_client, make_program):
    """A new account starts with no program access, whatever extra fields arrive."""
    program = make_program()
    admin_client.post("/admin/users/new", data=new_user_form(role="manager", program_id=program.id))
    user = user_by_email("dana.newhire@example.org")
    assert user is not None
    assert user.memberships == []


# --- administrators see no case data ------------------------------------------------------------


def test_admin_cannot_open_a_case(admin_client, make_program, make_case):
    """The administrator flag alone gives no access to case records."""
    case = make_case(make_program())
    assert admin_client.get(f"/cases/{case.id}").status_code == 404


def test_admin_cannot_open_a_participant(admin_client, make_program, make_case):
    """Nor to the person behind the case."""
    case = make_case(make_program())
    assert admin_client.get(f"/participants/{case.participant_id}").status_code == 404


def test_admin_home_lists_no_cases(admin_client, make_program, make_case):
    """The administrator's home page shows no caseload."""
    make_case(make_program(), last_name="Quintero")
    home = admin_client.get("/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert "Quintero" not in page
    assert "You are not a member of any program" in page


def test_admin_search_finds_no_one(admin_client, make_program, make_case):
    """Searching by name reveals nobody to an administrator without memberships."""
    make_case(make_program(), last_name="Quintero")
    response = admin_client.post("/participants/search", data={"q": "Quintero"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0 people found" in page
    assert "Quintero</span>" not in page


def test_admin_who_is_also_a_member_sees_that_programs_cases(app, admin, make_program, make_case):
    """Membership, not the admin flag, is what grants access: an admin member does see the case."""
    program = make_program()
    case = make_case(program)
    db.session.add(ProgramMembership(user_id=admin.id, program_id=program.id, role="worker"))
    db.session.commit()
    assert client_for(app, admin).get(f"/cases/{case.id}").status_code == 200


# --- programs -----------------------------------------------------------------------------------


def test_admin_creates_a_program(admin_client):
    """A new program appears in the list with the settings chosen."""
    response = admin_client.post("/admin/programs", data=program_form())
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/programs"
    page = admin_client.get("/admin/programs").get_data(as_text=True)
    assert "Eastside Outreach" in page
    assert "Hospital-based violence intervention" in page
    program = db.session.execute(db.select(Program).where(Program.name == "Eastside Outreach")).scalar_one()
    assert (program.kind, program.contact_frequency_days, program.caseload_target) == ("hvip", 10, 12)


def test_duplicate_program_name_is_explained_and_kept(admin_client, make_program):
    """Two programs with one name would be confused in every menu; the form says so and keeps the input."""
    make_program(name="Eastside Outreach")
    response = admin_client.post("/admin/programs", data=program_form())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A program with that name already exists." in page
    assert 'value="Eastside Outreach"' in page
    assert 'value="Eastside Health"' in page
    assert db.session.execute(db.select(db.func.count(Program.id))).scalar_one() == 1


# --- audit --------------------------------------------------------------------------------------


def test_account_creation_is_audited(admin_client, admin):
    """Who made which account is on record."""
    admin_client.post("/admin/users/new", data=new_user_form())
    user = user_by_email("dana.newhire@example.org")
    assert audit_count(action="create", record_type="user", record_id=user.id, user_id=admin.id) == 1


def test_refused_account_creation_leaves_no_audit_row(admin_client, make_user):
    """Only changes that happened are on record."""
    make_user(email="dana.newhire@example.org")
    admin_client.post("/admin/users/new", data=new_user_form())
    assert audit_count(action="create", record_type="user") == 0


def test_membership_grant_is_audited(admin_client, admin, make_user, make_program):
    """Who gave whom access to which program is on record."""
    user = make_user()
    add_membership(admin_client, user, make_program())
    assert audit_count(action="update", record_type="user", record_id=user.id, user_id=admin.id) == 1


def test_membership_removal_is_audited(admin_client, admin, make_user, make_program):
    """Taking access away is on record too."""
    user = make_user()
    membership = add_membership(admin_client, user, make_program())
    admin_client.post(f"/admin/memberships/{membership.id}/remove")
    assert audit_count(action="update", record_type="user", record_id=user.id, user_id=admin.id) == 2


def test_deactivation_and_reactivation_are_audited(admin_client, admin, make_user):
    """Each switch of an account on or off is on record."""
    user = make_user()
    admin_client.post(f"/admin/users/{user.id}/active")
    assert audit_count(action="update", record_type="user", record_id=user.id, detail="deactivated") == 1
    admin_client.post(f"/admin/users/{user.id}/active")
    assert audit_count(action="update", record_type="user", record_id=user.id, detail="activated") == 1


def test_program_creation_is_audited(admin_client, admin):
    """Who set up which program is on record."""
    admin_client.post("/admin/programs", data=program_form())
    program_id = db.session.execute(db.select(Program.id).where(Program.name == "Eastside Outreach")).scalar_one()
    assert audit_count(action="create", record_type="program", record_id=program_id, user_id=admin.id) == 1
