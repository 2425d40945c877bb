"""S32: a soft-deleted record is gone from every view, search, count and report; restore brings it back whole.

Soft-deleted records in the supervisor's own program (a whole case with its person, a live case's
children, a mediation with its follow-ups) hold DEL canaries; only the "Deleted items" page, where
supervisors restore them, may show them.
"""

import csv
import io
from datetime import date, timedelta

import pytest

from tests.conftest import login
from tests.security.crawl import crawl, fetch, forms_in, rules, substitutions
from tests.security.test_s05_canary_crawl import leaks
from tests.security.world import CANARY_RE, build_world, deleted_in_scope

RESTORE_PAGE = "/deleted"


@pytest.fixture
def world(app):
    return build_world()


def _report_rows(client, world, token: str) -> list[list[str]]:
    """The summary funder report over Outreach A as CSV rows, without the stamp rows (who, when, id)."""
    today = date.today()
    response = client.post(
        "/reports",
        data={
            "template": "program-summary",
            "programs": [str(world.programs["a"].id)],
            "period_kind": "custom",
            "start": (today - timedelta(days=365)).isoformat(),
            "end": today.isoformat(),
            "format": "csv",
            "recipient": "City grants office",
            "purpose": "Quarterly report",
            "submission_token": token,
        },
    )
    assert response.mimetype == "text/csv"
    rows = csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return [row for row in rows if row and not row[0].startswith("#")]


def _figures(client, world) -> dict[str, str]:
    """The pages that count: dashboard, caseload review, outreach figures, the home list."""
    program = world.programs["a"].id
    paths = ["/", f"/programs/{program}/dashboard", "/caseload/review", f"/outreach/{program}/figures"]
    return {path: client.get(path).get_data(as_text=True) for path in paths}


@pytest.mark.parametrize("role", ["supervisor", "worker"])
def test_s32_deleted_records_show_nowhere_but_the_restore_list(app, client, world, role):
    """S32: crawling every page and every id of a deleted record finds its text only on the Deleted items page."""
    deleted_in_scope(world)
    login(client, world.user_for(role))
    pages = crawl(client, "/")
    for rule in rules(app, "GET"):
        for path, _what, _baseline in substitutions(rule, lambda model: (world.ids_tagged(model, "DEL"), None)):
            pages.setdefault(path, fetch(client, path))
    found = leaks(pages, {"DEL"})
    allowed = {RESTORE_PAGE} if role == "supervisor" else set()
    assert set(found) <= allowed, found
    if role == "supervisor":
        assert RESTORE_PAGE in found  # the restore list does offer them back


def test_s32_counts_and_reports_ignore_deleted_records(client, world):
    """S32: the funder report and every figure page read the same before and after records are deleted."""
    login(client, world.user_for("supervisor"))
    report_before, figures_before = _report_rows(client, world, "tok-s32-a"), _figures(client, world)
    deleted_in_scope(world)
    assert _report_rows(client, world, "tok-s32-b") == report_before
    after = _figures(client, world)
    assert {path: page == figures_before[path] for path, page in after.items()} == dict.fromkeys(after, True)


def test_s32_a_deleted_person_is_not_found_by_search(client, world):
    """S32: searching for a deleted person by name answers like a name nobody has."""
    deleted_in_scope(world)
    login(client, world.user_for("supervisor"))
    gone = world.people["gone"]
    term = f"{gone.first_name} {gone.last_name}"
    answer = client.post("/participants/search", data={"q": term}).get_data(as_text=True).replace(term, "")
    assert "0 people found" in answer
    assert CANARY_RE.search(answer) is None


def test_s32_restoring_brings_back_the_case_with_its_records(client, world):
    """S32: every restore button on the Deleted items page works, and the case's notes are back on its page."""
    deleted_in_scope(world)
    login(client, world.user_for("supervisor"))
    case = world.cases["gone_case"]
    contact_note = next(
        row.notes for row in world.records["DEL"] if getattr(row, "case_id", None) == case.id and hasattr(row, "mode")
    )
    assert client.get(f"/cases/{case.id}").status_code == 404
    page = client.get(RESTORE_PAGE).get_data(as_text=True)
    restore_forms = [f for f in forms_in(page, RESTORE_PAGE) if "/restore" in f.action]
    assert any(f"/deleted/case/{case.id}/restore" == f.action for f in restore_forms)
    for form in restore_forms:
        client.post(form.action, data=form.data())
    restored = client.get(f"/cases/{case.id}")
    assert restored.status_code == 200
    assert contact_note in restored.get_data(as_text=True)
    # The person is found again (through the case that came back).
    person = world.people["gone"]
    found = client.post("/participants/search", data={"q": f"{person.first_name} {person.last_name}"})
    assert f"/participants/{person.id}" in found.get_data(as_text=True)
