"""S3: substituting someone else's ids, in the URL or in the form body, gets 404/403 and changes nothing.

Every POST route is tried with the id of every record outside the user's scope in each id argument,
carrying the data the real form would send; the answer must be what a made-up id gets, and no table
may change. Then every form the user can reach is posted with each id-bearing field pointing at a
record outside scope (another program's participant, case, consent, group or worker): nothing outside
scope may change and no row may come to point at such a record.
"""

import itertools
import re

import pytest

from caseflow.models import (
    Case,
    Consent,
    DeterrenceGroup,
    Instrument,
    Participant,
    Program,
    ProgramCriterion,
    User,
)
from tests.conftest import login
from tests.security.crawl import crawl, forms_by_endpoint, rules, substitutions
from tests.security.snapshot import changed_tables, table_digests
from tests.security.world import build_world

# A plain worker of Outreach A reaches a subset of what its supervisor does; the others differ in kind.
ROLES = ["supervisor", "worker_own", "manager_other", "admin"]
# Form fields that carry a record id, and the kind of record each names.
BODY_ID_FIELDS = {
    "participant_id": Participant,
    "other_id": Participant,
    "keep_id": Participant,
    "invitees": Participant,
    "invitee_id": Participant,
    "program_id": Program,
    "recipient_program_id": Program,
    "programs": Program,
    "case_id": Case,
    "case_ids": Case,
    "consent_id": Consent,
    "group_id": DeterrenceGroup,
    "instrument_id": Instrument,
    "criteria": ProgramCriterion,
    "worker_id": User,
    "to_worker_id": User,
    "assigned_worker_id": User,
    "responder_id": User,
}
_tokens = itertools.count(1)


@pytest.fixture
def world(app):
    return build_world()


def _answer(response) -> tuple[int, str]:
    return response.status_code, re.sub(r"Reference: <code>\w+</code>", "", response.get_data(as_text=True))


def fresh(data: dict) -> dict:
    """A form's data with a submission token never used before, so a create form really tries to create.

    Reports are asked for as CSV: the same checks, without a PDF rendering per post.
    """
    if "submission_token" in data:
        data = {**data, "submission_token": [f"tok-sweep-{next(_tokens)}"]}
    if "format" in data:
        data = {**data, "format": ["csv"]}
    return data


@pytest.mark.parametrize("role", ROLES)
def test_s03_posting_to_an_outside_id_answers_like_a_missing_one_and_changes_nothing(app, client, world, role):
    """S3: every POST route, every outside id in every URL argument, with the real form's data: 404/403, no change."""
    login(client, world.user_for(role))
    forms = forms_by_endpoint(app, crawl(client, "/"))
    before = table_digests()
    wrong, tried, cache = [], 0, {}
    for rule in rules(app, "POST"):
        data = forms[rule.endpoint][0].data() if rule.endpoint in forms else {"notes": "Plain words"}
        for path, what, baseline in substitutions(rule, lambda model: world.id_choices(role, model)):
            tried += 1
            if baseline not in cache:
                cache[baseline] = _answer(client.post(baseline, data=fresh(data)))
            got = _answer(client.post(path, data=fresh(data)))
            if got != cache[baseline] or got[0] not in (403, 404):
                wrong.append((rule.endpoint, what, got[0], cache[baseline][0]))
    assert wrong == []
    assert changed_tables(before, table_digests()) == []
    assert tried > 40


def _outside_ids(world, role: str, model) -> list[int]:
    if model is User:
        return sorted(u.id for u in world.records["STF"] if isinstance(u, User))
    if model is Program:
        return world.id_choices(role, Program)[0]
    return world.restricted_ids(role, model)


@pytest.mark.parametrize("role", ["worker", "supervisor", "worker_own"])
def test_s03_form_fields_naming_outside_records_link_nothing_and_change_nothing(app, client, world, role):
    """S3: each reachable form posted with an outside participant, case, consent, program, group or worker id."""
    login(client, world.user_for(role))
    forms = forms_by_endpoint(app, crawl(client, "/"))
    state, links = world.restricted_state(role), world.references_to_restricted(role)
    tried = 0
    for _endpoint, endpoint_forms in forms.items():
        for form in endpoint_forms:
            names = {name for name, _ in form.fields}
            for field_name in sorted(names & BODY_ID_FIELDS.keys()):
                for outside in _outside_ids(world, role, BODY_ID_FIELDS[field_name])[:2]:
                    tried += 1
                    client.post(form.action, data=fresh(form.data(**{field_name: outside})))
    assert tried > 10
    assert world.restricted_state(role) == state
    assert world.references_to_restricted(role) - links == set()
