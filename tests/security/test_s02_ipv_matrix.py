"""S2, the IPV-protected column: role × endpoint → status, kept as data, for a protected person and an ordinary one."""

import pytest

from tests.conftest import login
from tests.security.ipv_world import build_ipv_world

ENDPOINTS = {
    "participant page": "/participants/{participant_id}",
    "participant edit": "/participants/{participant_id}/edit",
    "consents": "/participants/{participant_id}/consents",
    "open another case": "/participants/{participant_id}/cases/new",
    "case page": "/cases/{case_id}",
    "log contact form": "/cases/{case_id}/contacts/new",
    "case plan": "/cases/{case_id}/plan",
    "hospital summary": "/cases/{case_id}/hvip",
    "facesheet": "/cases/{case_id}/facesheet",
    "contact edit": "/contacts/{contact_id}/edit",
    "who looked (person)": "/audit/records/participant/{participant_id}",
    "who looked (case)": "/audit/records/case/{case_id}",
}
SUPERVISOR_ONLY = {"who looked (person)", "who looked (case)"}
ALL = set(ENDPOINTS)
CASEWORK = ALL - SUPERVISOR_ONLY

# role -> endpoints answering 200 for the IPV-protected person (their case is assigned to vs_worker).
# Every other (role, endpoint) answers 404, the same as a record that does not exist.
IPV_VISIBLE = {
    "vs_worker": CASEWORK,  # assigned, and victim-services in the program
    "vs_worker_unassigned": set(),  # victim-services, but not their case
    "worker": set(),  # same program, not victim-services
    "vs_supervisor": ALL,
    "supervisor": set(),  # supervises the program, not victim-services
    "manager": set(),
    "outreach_supervisor": set(),  # another program
    "outreach_worker": set(),
    "admin": set(),  # administrators see no case data (S7)
}
# The ordinary person in the same program (case assigned to "worker"): program scope as usual.
CONTROL_VISIBLE = {
    "vs_worker": CASEWORK,
    "vs_worker_unassigned": CASEWORK,
    "worker": CASEWORK,
    "vs_supervisor": ALL,
    "supervisor": ALL,
    "manager": ALL,
    "outreach_supervisor": set(),
    "outreach_worker": set(),
    "admin": set(),
}
MATRIX = {
    role: {
        (person, endpoint): 200 if endpoint in visible[role] else 404
        for person, visible in (("ipv", IPV_VISIBLE), ("control", CONTROL_VISIBLE))
        for endpoint in ENDPOINTS
    }
    for role in IPV_VISIBLE
}


@pytest.fixture
def world(make_program, make_user, make_case, make_contact):
    return build_ipv_world(make_program, make_user, make_case, make_contact)


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_s02_ipv_matrix(world, client, role):
    """S2: each role gets exactly the status the IPV column promises, on every endpoint (one login per role)."""
    from caseflow.extensions import db
    from caseflow.models import Contact

    records = {"ipv": world["case"], "control": world["control_case"]}
    login(client, world["users"][role])
    wrong = {}
    for (person, endpoint), expected in MATRIX[role].items():
        case = records[person]
        contact = db.session.execute(db.select(Contact).where(Contact.case_id == case.id)).scalars().first()
        url = ENDPOINTS[endpoint].format(case_id=case.id, participant_id=case.participant_id, contact_id=contact.id)
        status = client.get(url).status_code
        if status != expected:
            wrong[(person, endpoint)] = (status, expected)
    assert wrong == {}
