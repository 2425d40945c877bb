"""S13: bulk export and role grants need a password confirmed within the last 5 minutes."""

import time

from caseflow.extensions import db
from caseflow.models import ProgramMembership
from tests.conftest import PASSWORD, audit_count, login


def _age_confirmation(client, minutes: int) -> None:
    """Pretend the last password check happened `minutes` ago."""
    with client.session_transaction() as sess:
        sess["fresh_at"] = int(time.time()) - minutes * 60


def test_s13_role_grant_needs_recent_password(client, make_user, make_program):
    """S13: an administrator whose password check is stale is asked again, and nothing changes until then."""
    program = make_program()
    admin = make_user(is_admin=True)
    worker = make_user()
    login(client, admin)
    _age_confirmation(client, 6)
    response = client.post(f"/admin/users/{worker.id}", data={"program_id": program.id, "role": "supervisor"})
    assert response.status_code == 302
    assert "/reauth" in response.location
    assert db.session.query(ProgramMembership).filter_by(user_id=worker.id).count() == 0

    confirm = client.post(response.location, data={"password": PASSWORD})
    assert confirm.location.endswith(f"/admin/users/{worker.id}")
    assert audit_count(action="reauthenticate", user_id=admin.id) == 1
    granted = client.post(f"/admin/users/{worker.id}", data={"program_id": program.id, "role": "supervisor"})
    assert granted.status_code == 302 and "/reauth" not in granted.location
    assert db.session.query(ProgramMembership).filter_by(user_id=worker.id, role="supervisor").count() == 1


def test_s13_recent_login_counts_as_confirmation(client, make_user, make_program):
    """S13: within 5 minutes of logging in no second prompt appears."""
    program = make_program()
    admin = make_user(is_admin=True)
    worker = make_user()
    login(client, admin)
    _age_confirmation(client, 4)
    response = client.post(f"/admin/users/{worker.id}", data={"program_id": program.id, "role": "worker"})
    assert "/reauth" not in response.location


def test_s13_viewing_a_user_needs_no_confirmation(client, make_user):
    """S13: only the grant is guarded; reading the account page is not."""
    admin = make_user(is_admin=True)
    worker = make_user()
    login(client, admin)
    _age_confirmation(client, 30)
    assert client.get(f"/admin/users/{worker.id}").status_code == 200


def test_s13_new_account_page_asks_before_typing(client, make_user):
    """S13: creating an account can grant the administrator flag, so the form is behind the check."""
    admin = make_user(is_admin=True)
    login(client, admin)
    _age_confirmation(client, 6)
    response = client.get("/admin/users/new")
    assert response.status_code == 302 and "/reauth?next=/admin/users/new" in response.location


def test_s13_wrong_password_is_refused_and_counted(client, make_user):
    """S13: a wrong password on the confirm page is shown as an error and counts toward the lockout."""
    admin = make_user(is_admin=True)
    login(client, admin)
    _age_confirmation(client, 6)
    response = client.post("/reauth?next=/admin/users/new", data={"password": "not-the-password-at-all"})
    assert response.status_code == 200
    assert "That password is not right." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.failed_login_count == 1
    assert client.get("/admin/users/new").status_code == 302


def test_s13_confirm_page_only_returns_to_this_site(client, make_user):
    """S13: the next parameter cannot send the user to another site."""
    admin = make_user(is_admin=True)
    login(client, admin)
    response = client.post("/reauth?next=//evil.example/x", data={"password": PASSWORD})
    assert response.location.endswith("/")


def test_s13_funder_report_export_needs_recent_password(client, make_user, make_program):
    """S13: the report page (bulk export) asks first; a stale session posting a report gets no file."""
    program = make_program()
    manager = make_user(roles={program: "manager"})
    login(client, manager)
    _age_confirmation(client, 6)
    page = client.get("/reports")
    assert page.status_code == 302 and "/reauth?next=/reports" in page.location
    posted = client.post(
        "/reports",
        data={"template": "summary", "programs": [program.id], "format": "csv", "recipient": "x", "purpose": "y"},
    )
    assert posted.status_code == 302 and "/reauth?next=/reports" in posted.location
    assert audit_count(action="export") == 0


def test_s13_report_page_stays_404_for_non_supervisors(client, make_user, make_program):
    """S13 with S2: the confirm prompt never replaces the 404 an out-of-scope user gets."""
    program = make_program()
    worker = make_user(roles={program: "worker"})
    login(client, worker)
    _age_confirmation(client, 6)
    assert client.get("/reports").status_code == 404
