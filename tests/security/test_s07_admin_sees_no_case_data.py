"""S7: administrators manage accounts and see no case data unless they are also program members."""

import pytest

from caseflow.extensions import db
from caseflow.models import ProgramMembership
from tests.conftest import login
from tests.security.test_s05_canary_crawl import crawl_everything
from tests.security.world import build_world


@pytest.fixture
def world(app):
    return build_world()


def _names(world) -> set[str]:
    """Every participant's first and last name, in scope of anyone or not."""
    return {name for person in world.people.values() for name in (person.first_name, person.last_name)}


def test_s07_an_administrator_crawling_everything_meets_no_participant(app, client, world):
    """S7: no page, list, file or id-bearing route shows an administrator any participant's name or notes."""
    login(client, world.users["admin"])
    pages = crawl_everything(app, client, world, "admin")
    shown = {path: sorted(n for n in _names(world) if n in page.text) for path, page in pages.items()}
    assert {path: names for path, names in shown.items() if names} == {}
    assert not [path for path, page in pages.items() if "Talked about work." in page.text]
    # The crawl did reach the administrator's own pages.
    assert pages["/admin/users"].status == 200
    assert pages["/admin/programs"].status == 200


def test_s07_the_same_administrator_with_a_membership_sees_that_programs_cases_only(app, client, world):
    """S7: membership, not the administrator flag, opens case data, and only that program's."""
    admin = world.users["admin"]
    db.session.add(ProgramMembership(user_id=admin.id, program_id=world.programs["a"].id, role="worker"))
    db.session.commit()
    login(client, admin)
    assert client.get(f"/cases/{world.cases['xa'].id}").status_code == 200
    assert client.get(f"/cases/{world.cases['yo'].id}").status_code == 404
    assert client.get(f"/cases/{world.cases['hc'].id}").status_code == 404
