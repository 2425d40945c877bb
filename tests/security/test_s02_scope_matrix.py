"""S2: out-of-scope records answer exactly like records that do not exist, on every GET route.

tests/test_access.py keeps the role x endpoint x scope matrix for the main pages as data; this sweep
extends it to every page, edit form, PDF, download, chart and export route the app has: each role
substitutes the id of every record outside its scope (another program's, a colleague's in an own-caseload
program, an IPV-free deleted one...) into every id argument, and must get what a made-up id gets.
"""

import re

import pytest

from tests.conftest import login
from tests.security.crawl import rules, substitutions
from tests.security.world import FORBIDDEN, build_world


@pytest.fixture
def world(app):
    return build_world()


def _answer(client, method: str, path: str, data=None) -> tuple[int, str]:
    """Status and page, with the per-request reference taken out."""
    response = client.open(path, method=method, data=data)
    return response.status_code, re.sub(r"Reference: <code>\w+</code>", "", response.get_data(as_text=True))


def sweep(app, client, world, role: str, method: str, data=None) -> tuple[list, int]:
    """Each route of method with each restricted id: (differences from a made-up id, routes tried)."""
    wrong, tried, cache = [], 0, {}
    for rule in rules(app, method):
        for path, what, baseline in substitutions(rule, lambda model: world.id_choices(role, model)):
            tried += 1
            if baseline not in cache:
                cache[baseline] = _answer(client, method, baseline, data)
            expected = cache[baseline]
            got = _answer(client, method, path, data)
            if got != expected or got[0] not in (403, 404):
                wrong.append((rule.endpoint, what, got[0], expected[0]))
    return wrong, tried


@pytest.mark.parametrize("role", sorted(FORBIDDEN))
def test_s02_every_get_route_answers_an_outside_id_like_a_missing_one(app, client, world, role):
    """S2: page, edit form, PDF, archive download and chart alike: 404 (or the same 403 any id gets)."""
    login(client, world.user_for(role))
    wrong, tried = sweep(app, client, world, role, "GET")
    assert wrong == []
    assert tried > 50
