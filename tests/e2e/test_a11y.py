"""Accessibility: axe-core finds no serious or critical violations on the main pages, at phone and desktop size.

One test per account and size visits that account's pages and reports every page's violations at
once, so a failure lists all that is wrong rather than the first page only.
"""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Case, Mediation, Program, Referral, ShootingResponse
from tests.e2e.helpers import axe_violations, go, login_as, open_cases

pytestmark = pytest.mark.e2e


def _ids(live_server) -> dict:
    """The demo records the pages below show: an outreach worker's case, its person, a referral, the program."""
    case_id, name = open_cases(live_server, "outreach")[-1]
    with live_server.app.app_context():
        case = db.session.get(Case, case_id)
        program_id = db.session.execute(select(Program.id).where(Program.kind == "street_outreach")).scalar_one()
        referral_id = (
            db.session.execute(
                select(Referral.id)
                .join(Case, Case.id == Referral.case_id)
                .where(Case.program_id == program_id, Referral.deleted_at.is_(None))
                .order_by(Referral.id)
            )
            .scalars()
            .first()
        )
        first = {
            kind: db.session.execute(
                select(model.id).where(model.program_id == program_id, model.deleted_at.is_(None)).order_by(model.id)
            )
            .scalars()
            .first()
            for kind, model in (("mediation", Mediation), ("response", ShootingResponse))
        }
        ids = {"case": case_id, "name": name, "participant": case.participant_id}
        ids.update(program=program_id, referral=referral_id, **first)
        db.session.remove()
    return ids


def _check(page, axe_source, label: str, found: dict) -> None:
    expect(page.locator("main")).to_be_visible()
    problems = axe_violations(page, axe_source)
    if problems:
        found[label] = problems


def _report(found: dict) -> str:
    return "\n".join(f"{page}:\n  " + "\n  ".join(lines) for page, lines in found.items())


def test_login_page(page, live_server, axe_source):
    """The login page, before anyone is logged in."""
    found: dict = {}
    go(page, live_server, "/login")
    _check(page, axe_source, "login", found)
    assert not found, _report(found)


def test_outreach_worker_pages(page, live_server, axe_source):
    """Home, search, person, case, contact form (blank and with errors), referral, outreach lists, alerts, account."""
    ids = _ids(live_server)
    found: dict = {}
    login_as(page, live_server, "outreach")
    _check(page, axe_source, "home (my cases)", found)

    go(page, live_server, "/participants/search")
    _check(page, axe_source, "participant search", found)
    page.get_by_label("Name, alias, date of birth or phone").fill(ids["name"])
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=ids["name"], exact=True)).to_be_visible()
    _check(page, axe_source, "participant search results", found)

    pages = [
        ("participant page", f"/participants/{ids['participant']}"),
        ("case page", f"/cases/{ids['case']}"),
        ("contact form", f"/cases/{ids['case']}/contacts/new"),
    ]
    for label, path in pages:
        go(page, live_server, path)
        _check(page, axe_source, label, found)
    page.get_by_role("button", name="Save contact").click()  # nothing chosen: the errors must be accessible too
    expect(page.get_by_text("Choose a type.")).to_be_visible()
    _check(page, axe_source, "contact form with errors", found)

    pages = [
        ("referral page", f"/referrals/{ids['referral']}"),
        ("new referral form", f"/cases/{ids['case']}/referrals/new"),
        ("mediations", f"/outreach/{ids['program']}/mediations"),
        ("a mediation", f"/mediations/{ids['mediation']}"),
        ("new mediation form", f"/outreach/{ids['program']}/mediations/new"),
        ("shooting responses", f"/outreach/{ids['program']}/responses"),
        ("a shooting response", f"/responses/{ids['response']}"),
        ("new shooting response form", f"/outreach/{ids['program']}/responses/new"),
        ("alerts", "/alerts"),
        ("account", "/account"),
    ]
    for label, path in pages:
        go(page, live_server, path)
        _check(page, axe_source, label, found)
    assert not found, _report(found)


def test_supervisor_pages(page, live_server, axe_source):
    """Caseload review, a worker's caseload, the program dashboard and the funder reports page."""
    ids = _ids(live_server)
    found: dict = {}
    login_as(page, live_server, "supervisor")
    pages = [
        ("caseload review", "/caseload/review"),
        ("caseload (program cases)", f"/caseload/review/{ids['program']}/cases"),
        ("dashboard", f"/programs/{ids['program']}/dashboard"),
        ("reports", "/reports"),
        ("reassign form", f"/cases/{ids['case']}/reassign"),
    ]
    for label, path in pages:
        go(page, live_server, path)
        _check(page, axe_source, label, found)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reassign")
    assert not found, _report(found)


def test_manager_and_admin_pages(page, live_server, axe_source):
    """The all-programs dashboard (manager), the users list and the security alerts (administrator)."""
    found: dict = {}
    login_as(page, live_server, "manager")
    go(page, live_server, "/dashboard")
    _check(page, axe_source, "dashboard overview", found)
    page.context.clear_cookies()
    login_as(page, live_server, "admin")
    for label, path in [("admin users", "/admin/users"), ("security alerts", "/admin/security-alerts")]:
        go(page, live_server, path)
        _check(page, axe_source, label, found)
    assert not found, _report(found)
