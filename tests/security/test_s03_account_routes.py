"""S3: the account and two-step login routes act only on the logged-in user, whatever ids are slipped in."""

import re

import pytest
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import RecoveryCode, User
from tests.conftest import PASSWORD, PASSWORD_HASH, login
from tests.security.totp_helpers import code_at, enrol, is_logged_in, login_with_code, make_clock, secret_of

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def clock(monkeypatch):
    return make_clock(monkeypatch)


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def code_hashes(user: User) -> set[str]:
    return set(db.session.execute(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).scalars())


@pytest.fixture
def victim(app, make_user):
    """Another user, logged in on their own device."""
    user = make_user(full_name="Victim Person", email="victim@example.org")
    client = app.test_client()
    login(client, user)
    return user, client


def test_s03_account_page_shows_only_my_own_account(client, make_user, victim):
    """S3: a user_id in the query string does not show someone else's account."""
    other, _ = victim
    me = make_user(full_name="Me Myself", email="me@example.org")
    login(client, me)
    for query in ({"user_id": other.id}, {"id": other.id}, {"email": other.email}):
        body = client.get("/account", query_string=query).get_data(as_text=True)
        assert "me@example.org" in body
        assert "victim@example.org" not in body and "Victim Person" not in body


def test_s03_password_change_with_another_users_id_changes_only_mine(app, client, make_user, victim):
    """S3 with S6: extra user_id fields change nothing about the other account, and their session lives on."""
    other, other_client = victim
    me = make_user()
    login(client, me)
    response = client.post(
        f"/account?user_id={other.id}",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "user_id": other.id,
            "id": other.id,
            "email": other.email,
        },
    )
    assert response.status_code == 302
    assert reload(other).password_hash == PASSWORD_HASH
    assert reload(me).password_hash != PASSWORD_HASH
    assert is_logged_in(other_client)
    assert login(app.test_client(), other, PASSWORD).status_code == 302


def test_s03_starting_enrolment_with_another_users_id_sets_up_only_mine(client, make_user, victim):
    """S3: the set-up route gives a key to the logged-in user only."""
    other, other_client = victim
    me = make_user()
    login(client, me)
    client.post(f"/account/two-factor/start?user_id={other.id}", data={"user_id": other.id})
    assert secret_of(me) is not None
    assert secret_of(other) is None
    assert is_logged_in(other_client)


def test_s03_confirming_with_another_users_id_switches_on_only_mine(client, make_user, victim, clock):
    """S3: the confirmation cannot switch two-step login on for someone else, even one mid set-up."""
    from caseflow.auth.twofactor import start_enrolment

    other, _ = victim
    start_enrolment(other)
    db.session.commit()
    me = make_user()
    login(client, me)
    client.post("/account/two-factor/start")
    client.post(
        f"/account/two-factor?user_id={other.id}",
        data={"code": code_at(other, clock.now), "user_id": other.id},
    )
    assert not reload(other).has_two_factor
    assert not reload(me).has_two_factor  # the other user's code is not mine either
    client.post("/account/two-factor", data={"code": code_at(me, clock.now), "user_id": other.id})
    assert reload(me).has_two_factor and not reload(other).has_two_factor


def test_s03_new_recovery_codes_with_another_users_id_replace_only_mine(app, client, make_user, victim, clock):
    """S3: making new recovery codes never touches another user's codes."""
    other, _ = victim
    other_codes = enrol(other, clock)
    before = code_hashes(other)
    me = make_user()
    enrol(me, clock)
    mine_before = code_hashes(me)
    login_with_code(client, me, code_at(me, clock.now))
    response = client.post(f"/account/recovery-codes?user_id={other.id}", data={"user_id": other.id})
    assert response.status_code == 200
    shown = re.findall(r"<li>([A-Z2-9]{5}-[A-Z2-9]{5})</li>", response.get_data(as_text=True))
    assert len(shown) == 10
    assert code_hashes(other) == before
    assert code_hashes(me) != mine_before
    clock.advance(30)
    assert login_with_code(app.test_client(), other, other_codes[0]).status_code == 302


def test_s03_non_admin_cannot_reset_someone_elses_second_factor(app, client, make_user, make_program, victim, clock):
    """S3: a worker posting the administrator's reset for another user is refused and nothing changes."""
    other, other_client = victim
    enrol(other, clock)
    worker = make_user(roles={make_program(): "worker"})
    login(client, worker)
    response = client.post(f"/admin/users/{other.id}/two-factor/reset", data={"user_id": other.id})
    assert response.status_code in (403, 404)
    fresh = reload(other)
    assert fresh.has_two_factor and fresh.totp_secret == secret_of(other)
    assert len(code_hashes(other)) == 10
    assert is_logged_in(other_client)


def test_s03_admin_reset_of_an_unknown_user_is_404(client, make_user):
    """S3: the reset route answers 404 for an id that is no account."""
    admin = make_user(is_admin=True)
    login(client, admin)
    assert client.post("/admin/users/999999/two-factor/reset").status_code == 404
