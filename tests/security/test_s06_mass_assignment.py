"""S6: forms bind only declared fields; extra POST fields change nothing and nobody raises their own role.

Every form the user can reach is posted as the page renders it (so it succeeds), plus fields the form
does not declare: an administrator flag, a role, an owner, an author, another program, case or person,
a deleted stamp. The saves go through, and none of the extras takes effect.
"""

import pytest
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import ProgramMembership, User
from tests.conftest import login
from tests.security.crawl import crawl, forms_by_endpoint
from tests.security.test_s03_idor_sweep import fresh
from tests.security.world import build_world


@pytest.fixture
def world(app):
    return build_world()


def _extras(world, role: str) -> dict:
    """Fields no form declares, pointing at someone else or at more power."""
    actor = world.user_for(role)
    stranger = world.users["staff_oo"].id
    return {
        "is_admin": "y",
        "is_active": "y",
        "role": "manager",
        "user_id": actor.id,
        "owner_id": stranger,
        "author_id": stranger,
        "created_by_id": stranger,
        "recorded_by_id": stranger,
        "assessed_by_id": stranger,
        "requested_by_id": stranger,
        "assigned_worker_id": stranger,
        "deleted_at": "2020-01-01T00:00",
        "deleted_by_id": stranger,
        "program_id": world.programs["oo"].id,
        "case_id": world.cases["yo"].id,
        "participant_id": world.people["yusuf"].id,
        "score": "99",
        "is_reinjury": "y",
        "session_token": "forged",
        "password_hash": "forged",
        "failed_login_count": "0",
    }


def _memberships(user_id: int) -> set[tuple]:
    db.session.rollback()
    return {
        (m.program_id, m.role, m.deleted_at)
        for m in db.session.execute(select(ProgramMembership).where(ProgramMembership.user_id == user_id)).scalars()
    }


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_s06_extra_fields_on_every_form_change_nothing(app, client, world, role):
    """S6: each reachable form saves what it declares and ignores is_admin, role, owner, program and case ids."""
    actor = world.user_for(role)
    login(client, actor)
    forms = forms_by_endpoint(app, crawl(client, "/"))
    extras = _extras(world, role)
    state, links = world.restricted_state(role), world.references_to_restricted(role)
    memberships = _memberships(actor.id)
    saved = 0
    for endpoint_forms in forms.values():
        for form in endpoint_forms:
            declared = {name for name, _ in form.fields} | {"csrf_token"}
            undeclared = {name: value for name, value in extras.items() if name not in declared}
            response = client.post(form.action, data=fresh(form.data(**undeclared)))
            saved += response.status_code == 302
    # The forms really saved (a sweep of refusals would prove nothing).
    assert saved >= 15
    db.session.rollback()
    refreshed = db.session.get(User, actor.id)
    assert (refreshed.is_admin, refreshed.session_token != "forged") == (False, True)
    assert _memberships(actor.id) == memberships
    assert world.restricted_state(role) == state
    assert world.references_to_restricted(role) - links == set()
