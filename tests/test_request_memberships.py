"""The user's memberships are read once per request and never outlive a change or the request."""

from caseflow.extensions import db
from caseflow.models import ProgramMembership
from caseflow.permissions import is_partner_only, memberships, programs_for, role_in
from tests.conftest import login
from tests.test_query_budgets import QueryCounter


def test_role_checks_in_one_request_share_one_query(app, make_program, make_user):
    """The partner gate, the program menu and every role check of a page cost one statement together."""
    program = make_program("street_outreach", name="Shared Outreach")
    worker = make_user(roles={program: "worker"})
    db.session.refresh(worker)  # loaded, as the request's current user is
    program_id = program.id
    with app.test_request_context("/"):
        with QueryCounter() as counter:
            assert role_in(worker, program_id) == "worker"
            assert not is_partner_only(worker)
            assert [p.name for p in programs_for(worker)] == ["Shared Outreach"]
            assert role_in(worker, program_id + 1000) is None
        assert counter.count == 1, counter.statements


def test_a_flushed_grant_is_seen_in_the_same_request(app, make_program, make_user):
    """Granting a role drops the request's cached memberships, so the next check sees the new role."""
    first = make_program("street_outreach", name="First")
    second = make_program("hvip", name="Second")
    user = make_user(roles={first: "worker"})
    with app.test_request_context("/"):
        assert role_in(user, second.id) is None
        db.session.add(ProgramMembership(user_id=user.id, program_id=second.id, role="manager"))
        db.session.flush()
        assert role_in(user, second.id) == "manager"
        assert [p.name for p in programs_for(user)] == ["First", "Second"]


def test_memberships_are_not_carried_from_one_request_to_the_next(client, app, make_program, make_user):
    """A role removed between two requests is gone on the second, though tests share one app context."""
    program = make_program("street_outreach", name="Removed Later")
    # Three programs of one kind, so the menu names each of them (with one left it would just say "Outreach").
    kept = [make_program("street_outreach", name=f"Kept {n}") for n in (1, 2)]
    user = make_user(roles={program: "worker", kept[0]: "worker", kept[1]: "worker"})
    login(client, user)
    assert "Removed Later" in client.get("/participants/search").get_data(as_text=True)
    membership = db.session.query(ProgramMembership).filter_by(user_id=user.id, program_id=program.id).one()
    db.session.execute(
        ProgramMembership.__table__.update()
        .where(ProgramMembership.__table__.c.id == membership.id)
        .values(deleted_at=db.func.now())
    )
    db.session.commit()
    page = client.get("/participants/search").get_data(as_text=True)
    assert "Removed Later" not in page
    assert "Kept 1" in page and "Kept 2" in page


def test_a_soft_deleted_program_keeps_its_roles_but_leaves_the_menu(app, make_program, make_user):
    """As before: role checks still see the membership, the program lists and menus do not."""
    program = make_program("street_outreach", name="Closed Down")
    user = make_user(roles={program: "supervisor"})
    program.deleted_at = db.func.now()
    db.session.commit()
    with app.test_request_context("/"):
        assert role_in(user, program.id) == "supervisor"
        assert programs_for(user) == []
        assert [p.name for p, _role in memberships(user)] == ["Closed Down"]
