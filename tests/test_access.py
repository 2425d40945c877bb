"""Who may see what: deny by default, program scope as data, 404 outside scope."""

import re

import pytest
from sqlalchemy import func, select

from caseflow import PUBLIC_ENDPOINTS
from caseflow.extensions import db
from caseflow.models import Contact
from tests.conftest import login

# --- every endpoint needs a login unless it is on the allow-list (S1) ---------------

EXPECTED_PUBLIC = {"auth.login", "static", "bootstrap.static", "main.health"}


def test_public_allow_list_is_exactly_the_expected_one():
    """Adding a public endpoint must be a deliberate change to this test."""
    assert set(PUBLIC_ENDPOINTS) == EXPECTED_PUBLIC


def _sample_url(rule) -> str:
    """A concrete URL for a rule, with 1 for every argument."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)


def test_every_non_public_endpoint_sends_anonymous_users_to_login(app, client):
    """Walk app.url_map: each method of each protected endpoint redirects to the login page."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXPECTED_PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_sample_url(rule), method=method)
            assert response.status_code == 302, (rule.endpoint, method, response.status_code)
            assert response.location.startswith("/login"), (rule.endpoint, method)
            checked += 1
    assert checked >= 15


def test_public_endpoints_answer_without_login(client):
    """Login, health and static files work for an anonymous visitor."""
    assert client.get("/login").status_code == 200
    assert client.get("/health").get_json() == {"status": "ok"}
    assert client.get("/static/caseflow.css").status_code == 200


# --- the access matrix (S2) -------------------------------------------------------------


@pytest.fixture
def world(make_program, make_user, make_case):
    """Three programs, users in each role, and cases assigned to different workers."""
    a = make_program("street_outreach", "Outreach A")
    b = make_program("hvip", "HVIP B")
    c = make_program("focused_deterrence", "FD C", workers_see_own_caseload_only=True)
    users = {
        "worker_a": make_user(roles={a: "worker"}),
        "worker_a2": make_user(roles={a: "worker"}),
        "supervisor_a": make_user(roles={a: "supervisor"}),
        "worker_b": make_user(roles={b: "worker"}),
        "worker_c": make_user(roles={c: "worker"}),
        "worker_c2": make_user(roles={c: "worker"}),
        "manager": make_user(roles={a: "manager", b: "manager", c: "manager"}),
        "admin": make_user(is_admin=True),
    }
    cases = {
        "a_own": make_case(a, users["worker_a"]),
        "a_other_worker": make_case(a, users["worker_a2"]),
        "b": make_case(b, users["worker_b"]),
        "c_own": make_case(c, users["worker_c"]),
        "c_other_worker": make_case(c, users["worker_c2"]),
    }
    return {"users": users, "cases": cases}


# (actor, case) -> expected status, kept as data. Anything not listed for an actor is 404.
VISIBLE = {
    "worker_a": {"a_own", "a_other_worker"},
    "worker_a2": {"a_own", "a_other_worker"},
    "supervisor_a": {"a_own", "a_other_worker"},
    "worker_b": {"b"},
    "worker_c": {"c_own"},  # program C limits workers to their own caseload
    "worker_c2": {"c_other_worker"},
    "manager": {"a_own", "a_other_worker", "b", "c_own", "c_other_worker"},
    "admin": set(),  # administrators see no case data without a membership (S7)
}
ALL_CASES = ["a_own", "a_other_worker", "b", "c_own", "c_other_worker"]
ENDPOINTS = {
    "case page": "/cases/{case_id}",
    "log contact form": "/cases/{case_id}/contacts/new",
    "participant page": "/participants/{participant_id}",
    "open case form": "/participants/{participant_id}/cases/new",
}
MATRIX = {
    actor: {
        (case_key, endpoint): 200 if case_key in VISIBLE[actor] else 404
        for case_key in ALL_CASES
        for endpoint in ENDPOINTS
    }
    for actor in VISIBLE
}


@pytest.mark.parametrize("actor", sorted(MATRIX))
def test_access_matrix(world, client, actor):
    """Role × endpoint × scope gives the status the access rules promise (one login per role)."""
    login(client, world["users"][actor])
    wrong = {}
    for (case_key, endpoint), expected in MATRIX[actor].items():
        case = world["cases"][case_key]
        url = ENDPOINTS[endpoint].format(case_id=case.id, participant_id=case.participant_id)
        status = client.get(url).status_code
        if status != expected:
            wrong[(case_key, endpoint)] = (status, expected)
    assert wrong == {}


def test_hvip_worker_asking_for_an_outreach_case_gets_404(world, client):
    """The issue's own example: existence of another program's case does not leak."""
    login(client, world["users"]["worker_b"])
    response = client.get(f"/cases/{world['cases']['a_own'].id}")
    assert response.status_code == 404
    assert world["cases"]["a_own"].participant.last_name.encode() not in response.data


def test_posting_a_contact_to_an_out_of_scope_case_changes_nothing(world, client):
    """IDOR: substituting another program's case id is refused and writes no row (S3)."""
    login(client, world["users"]["worker_b"])
    response = client.post(
        f"/cases/{world['cases']['a_own'].id}/contacts/new",
        data={"occurred_at": "2026-01-05T10:00", "mode": "phone", "contact_type": "check_in", "outcome": "completed"},
    )
    assert response.status_code == 404
    assert db.session.execute(select(func.count(Contact.id))).scalar_one() == 0


def test_home_lists_only_cases_in_scope(world, client):
    """The caseload list applies the same scope as the case page."""
    login(client, world["users"]["worker_c"])
    page = client.get("/").get_data(as_text=True)
    assert world["cases"]["c_own"].participant.last_name in page
    assert world["cases"]["c_other_worker"].participant.last_name not in page
    assert world["cases"]["a_own"].participant.last_name not in page


def test_search_finds_only_people_in_scope(world, client):
    """A worker cannot find another program's participant by name."""
    login(client, world["users"]["worker_b"])
    other = world["cases"]["a_own"].participant
    page = client.post("/participants/search", data={"q": other.last_name}).get_data(as_text=True)
    assert "0 people found" in page
    assert other.last_name not in page.split("found", 1)[1]


def test_participant_page_hides_cases_of_programs_the_user_cannot_see(world, client, make_case):
    """A person in two programs: each program sees only its own case on the person page."""
    a_case = world["cases"]["a_own"]
    from caseflow.models import Case

    b_program = world["cases"]["b"].program
    db.session.add(
        Case(participant_id=a_case.participant_id, program=b_program, status="referred", referred_on=a_case.referred_on)
    )
    db.session.commit()
    login(client, world["users"]["worker_b"])
    page = client.get(f"/participants/{a_case.participant_id}").get_data(as_text=True)
    assert "HVIP B" in page
    assert "Outreach A" not in page


def test_removed_membership_loses_access(world, client):
    """Access comes only from a live membership."""
    from caseflow.models import ProgramMembership
    from caseflow.models.base import utcnow

    user = world["users"]["worker_b"]
    membership = db.session.execute(select(ProgramMembership).where(ProgramMembership.user_id == user.id)).scalar_one()
    membership.deleted_at = utcnow()
    db.session.commit()
    login(client, user)
    assert client.get(f"/cases/{world['cases']['b'].id}").status_code == 404


def test_soft_deleted_case_is_not_found(world, client):
    """A soft-deleted case disappears from its own page too."""
    from caseflow.models.base import utcnow

    case = world["cases"]["b"]
    case.deleted_at = utcnow()
    db.session.commit()
    login(client, world["users"]["worker_b"])
    assert client.get(f"/cases/{case.id}").status_code == 404
