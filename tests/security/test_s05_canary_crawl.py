"""S5 (with S4 and S7): restricted fields stay hidden in every channel, for every role.

Canaries sit in every free-text field of every record outside a role's scope (tests/security/world.py).
Each role crawls every page, list, dashboard, chart, download and id-bearing route it can reach; no
canary it must not see may appear. Searches and filters by a restricted value answer exactly as for
a random string, so no result can confirm that a hidden value exists.
"""

import re

import pytest

from caseflow.models import Case, Incident, Mediation
from tests.conftest import login
from tests.security.crawl import Page, crawl, fetch, rules, substitutions, text_of, unmapped_arguments
from tests.security.world import CANARY_RE, FORBIDDEN, build_world


@pytest.fixture
def world(app):
    return build_world()


def crawl_everything(app, client, world, role: str) -> dict:
    """Links from home, then every GET route with every id of the role's restricted records."""
    pages = crawl(client, "/")
    for rule in rules(app, "GET"):
        for path, _what, _baseline in substitutions(rule, lambda model: world.id_choices(role, model)):
            if path not in pages:
                pages[path] = fetch(client, path)
    return pages


def leaks(pages: dict, forbidden: set[str]) -> dict[str, list[str]]:
    found = {}
    for path, page in pages.items():
        tags = sorted({m.group(1) for m in CANARY_RE.finditer(page.text)} & forbidden)
        if tags:
            found[path] = tags
    return found


def test_s05_every_route_argument_is_known_to_the_crawl(app):
    """S5: a new route whose argument the crawl cannot fill fails here, so it is never left out of the sweeps."""
    assert unmapped_arguments(app) == []


@pytest.mark.parametrize("role", sorted(FORBIDDEN))
def test_s05_no_role_sees_a_restricted_canary_anywhere(app, client, world, role):
    """S5/S4/S7: crawling as each role (own-caseload worker, worker, supervisor, another program's manager,
    administrator, partner) finds no canary from outside that role's scope on any page, file or error."""
    login(client, world.user_for(role))
    pages = crawl_everything(app, client, world, role)
    assert leaks(pages, FORBIDDEN[role]) == {}
    # The crawl really ran: the role's own pages were reached and outside records were tried and refused.
    reached = [path for path, page in pages.items() if page.status == 200]
    assert len(reached) >= (1 if role == "partner" else 8)
    outside_case = world.cases["yo"].id
    assert pages[f"/cases/{outside_case}"].status == 404


@pytest.mark.parametrize("role", ["worker", "supervisor", "worker_own"])
def test_s05_casework_roles_do_see_their_own_records(app, client, world, role):
    """S5: the crawl is not blind: each casework role reaches its own case pages and their plain notes."""
    login(client, world.user_for(role))
    own = {"worker": "xa", "supervisor": "xa", "worker_own": "hc"}[role]
    page = fetch(client, f"/cases/{world.cases[own].id}")
    assert page.status == 200
    assert "Talked about work." in page.text


# --- no oracle: a restricted value searched or filtered for answers like a random string ------------


def _normalised(html: str, term: str) -> str:
    """The page with the typed term (echoed in the form) and per-request references taken out."""
    html = html.replace(term, "TERM")
    # One-time form tokens differ on every page by design.
    html = re.sub(r'(name="submission_token" type="hidden" value=")[^"]*"', r'\1"', html)
    return re.sub(r"Reference: <code>\w+</code>", "", html)


def _search(client, term: str) -> str:
    response = client.post("/participants/search", data={"q": term})
    assert response.status_code == 200
    return _normalised(response.get_data(as_text=True), term)


def _note_canary(world, tag="OUT") -> str:
    """A canary word from a note of a record outside the searcher's scope."""
    contact = next(row for row in world.records[tag] if getattr(row, "notes", "").startswith("CNRY"))
    return contact.notes


@pytest.mark.parametrize("role", ["worker", "supervisor", "worker_own", "manager_other", "admin"])
def test_s05_searching_a_hidden_note_word_answers_like_a_random_string(client, world, role):
    """S5: the person search knows nothing of notes outside scope: a canary word gets the 'random' answer."""
    login(client, world.user_for(role))
    random_answer = _search(client, "CNRYOUT9999Z")
    assert _search(client, _note_canary(world)) == random_answer
    assert _search(client, _note_canary(world, "COL")) == random_answer


@pytest.mark.parametrize("field", ["first_name", "phone", "area"])
def test_s05_an_administrator_searching_a_name_gets_the_random_answer(client, world, field):
    """S5/S7: an administrator without membership learns nothing from the search, not even 'ask elsewhere'."""
    login(client, world.user_for("admin"))
    person = world.people["yusuf"]
    random_answer = _search(client, "CNRYOUT9999Z")
    assert _search(client, getattr(person, field)) == random_answer
    assert _search(client, world.people["xavier"].last_name) == random_answer


def test_s05_a_worker_searching_an_outside_name_sees_at_most_where_to_ask(client, world):
    """S5: another program's participant is never shown; the designed duplicate notice names only the program.

    DESIGN.md: cross-program checks say that a possible match exists and where to ask, never the details.
    """
    login(client, world.user_for("worker"))
    person = world.people["yusuf"]
    random_answer = _search(client, "Qzxv Wkjh")
    answer = _search(client, f"{person.first_name} {person.last_name}")
    assert CANARY_RE.search(answer) is None
    assert "0 people found" in answer and "0 people found" in random_answer
    # Whatever notice there is names programs, never the person, their phone, area or record number.
    assert f"/participants/{person.id}" not in answer


def test_s05_an_own_caseload_worker_cannot_find_a_colleagues_participant(client, world):
    """S5: a colleague's participant in an own-caseload program is not a search result for the worker."""
    login(client, world.user_for("worker_own"))
    colin = world.people["colin"]
    answer = _search(client, f"{colin.first_name} {colin.last_name}")
    assert CANARY_RE.search(answer) is None
    assert f"/participants/{colin.id}" not in answer


@pytest.mark.parametrize("role", ["worker", "supervisor"])
def test_s05_finding_a_person_to_link_answers_alike_for_hidden_and_random(client, world, role):
    """S5: the 'find a person' boxes on incidents and mediations search only the user's scope."""
    login(client, world.user_for(role))
    incident = world.rows(Incident)[0]
    mediation = next(m for m in world.rows(Mediation) if world.may_see(role, m))
    for path in (f"/incidents/{incident.id}", f"/mediations/{mediation.id}"):
        answers = []
        for term in ("CNRYOUT9999Z", world.people["yusuf"].first_name, _note_canary(world)):
            response = client.post(path, data={"q": term, "find": "Find"})
            assert response.status_code == 200, path
            answers.append(_normalised(response.get_data(as_text=True), term))
        assert answers[1] == answers[0] == answers[2], path


def test_s05_filters_by_a_hidden_area_answer_like_a_random_one(client, world):
    """S5: filtering lists by another program's area (a restricted field there) finds the same nothing."""
    login(client, world.user_for("supervisor"))
    mediation_area = next(m.area for m in world.rows(Mediation) if not world.may_see("supervisor", m))
    program_id = world.programs["a"].id
    pages = []
    for term in ("CNRYOUT9999Z", mediation_area):
        response = client.get(f"/outreach/{program_id}/mediations", query_string={"area": term})
        assert response.status_code == 200
        pages.append(_normalised(response.get_data(as_text=True), term))
    assert pages[0] == pages[1]


def test_s05_case_pages_of_a_shared_person_show_only_their_own_programs_records(client, world):
    """S5: Xavier's outreach case page and person page carry none of his other program's notes or consents."""
    login(client, world.user_for("worker"))
    xavier = world.people["xavier"]
    for path in (f"/cases/{world.cases['xa'].id}", f"/participants/{xavier.id}", f"/participants/{xavier.id}/consents"):
        page = fetch(client, path)
        assert page.status == 200, path
        assert CANARY_RE.search(page.text) is None, path
    assert Case  # the shared person really has a case elsewhere
    assert world.cases["xo"].participant_id == xavier.id


# --- exports: CSV and PDF ---------------------------------------------------------------------------


def test_s05_a_full_facesheet_of_a_shared_person_carries_only_this_programs_records(client, world):
    """S5: every section ticked, Xavier's outreach facesheet prints his own notes and none from elsewhere."""
    login(client, world.user_for("supervisor"))
    response = client.post(
        f"/cases/{world.cases['xa'].id}/facesheet",
        data={
            "internal": "y",
            "purpose": "Case file copy",
            "categories": ["identity", "case_summary", "health", "justice", "narratives"],
            "submission_token": "tok-s05-face",
        },
    )
    assert response.mimetype == "application/pdf"
    text = text_of(response)
    assert "Xavier" in text and "Talked about work." in text
    assert leaks({"facesheet": Page(200, "", text, {})}, FORBIDDEN["supervisor"]) == {}
