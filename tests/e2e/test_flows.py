"""The issue's flows in a real browser, the way outreach workers (phones) and supervisors (desktops) use the app.

Every flow runs at phone size, where most breakage would show (a collapsed menu, stacked forms).
Those also done at a workstation run at desktop size too (the `page` fixture): finding a person and
logging a contact, a referral, a supervisor's reassignment and the funder report. The mediation
and the shooting response are field work, recorded on a phone: phone only, to keep the suite short.
Elements are found by label and role only.
"""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Contact, Mediation, Referral, ShootingResponse
from tests.e2e.helpers import age_login, confirm_password_if_asked, go, login_as, menu, open_cases

pytestmark = pytest.mark.e2e


def _size_index(page: Page) -> int:
    """0 on the phone, 1 on the desktop: each size works on its own demo case."""
    return 0 if page.viewport_size["width"] < 600 else 1


def _find_and_open_case(page: Page, name: str) -> None:
    """Search for a person by name, open them, then open their street outreach case."""
    menu(page, "Find a person")
    page.get_by_label("Name, alias, date of birth or phone").fill(name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    page.get_by_role("link", name=re.compile(r"^Street Outreach · ")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _count(live_server, stmt) -> int:
    with live_server.app.app_context():
        value = db.session.execute(stmt).scalar_one()
        db.session.remove()
    return value


def test_find_a_participant_and_log_a_contact(page, live_server):
    """An outreach worker finds a person by name, logs a contact on their case, and sees it on the timeline."""
    case_id, name = open_cases(live_server, "outreach")[_size_index(page)]
    note = f"Checked in at the corner store {uuid.uuid4().hex[:8]}"
    login_as(page, live_server, "outreach")
    _find_and_open_case(page, name)

    page.get_by_role("link", name="Log contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Log contact · {name}")
    page.get_by_label("Mode").select_option(label="In person")
    page.get_by_label("Type").select_option(label="Check-in")
    page.get_by_label("Completed").check()
    page.get_by_label("Duration (minutes)").fill("20")
    page.get_by_label("Location area").fill("Riverside")
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save contact").click()

    expect(page.get_by_role("alert")).to_have_text("Contact saved.")
    expect(page.get_by_text(note)).to_be_visible()
    saved = select(func.count(Contact.id)).where(Contact.case_id == case_id, Contact.mode == "in_person")
    assert _count(live_server, saved.where(Contact.duration_minutes == 20, Contact.location_area == "Riverside")) >= 1


def test_contact_form_keeps_what_was_typed_when_something_is_missing(phone, live_server):
    """Forgetting the type gets a clear message next to the field, and the note typed is still there."""
    case_id, _name = open_cases(live_server, "outreach")[2]
    login_as(phone, live_server, "outreach")
    go(phone, live_server, f"/cases/{case_id}/contacts/new")
    phone.get_by_label("Mode").select_option(label="Phone")
    phone.get_by_label("Note").fill("Called, will try again tonight")
    phone.get_by_role("button", name="Save contact").click()

    expect(phone.get_by_text("Choose a type.")).to_be_visible()
    expect(phone.get_by_label("Note")).to_have_value("Called, will try again tonight")
    expect(phone.get_by_label("Mode")).to_have_value("phone")


def test_make_a_referral_and_move_it_to_connected(page, live_server):
    """A worker refers a person to a housing provider, then records that they connected."""
    case_id, name = open_cases(live_server, "outreach")[3 + _size_index(page)]
    note = f"Needs a bed this week {uuid.uuid4().hex[:8]}"
    login_as(page, live_server, "outreach")
    _find_and_open_case(page, name)

    page.get_by_role("link", name="Refer to a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"New referral · {name}")
    page.get_by_label("Service needed").select_option(label="Housing")
    provider = page.get_by_label("Provider")
    housing = provider.locator("option", has_text="Housing").first.text_content().strip()
    provider.select_option(label=housing)
    page.get_by_label("Notes").fill(note)
    page.get_by_label("Send without identifying information (anonymous referral)").check()
    page.get_by_role("button", name="Make referral").click()

    expect(page.get_by_role("alert")).to_have_text("Referral saved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Housing referral")
    page.get_by_label("New status").select_option(label="Connected")
    page.get_by_role("button", name="Update status").click()

    expect(page.get_by_role("alert")).to_have_text("Referral is now connected.")
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("listitem").last).to_contain_text("Connected")
    with live_server.app.app_context():
        referrals = db.session.execute(select(Referral).where(Referral.case_id == case_id)).scalars().all()
        mine = [(r.status, r.is_anonymous) for r in referrals if r.notes == note]  # notes are encrypted at rest
        db.session.remove()
    assert mine == [("connected", True)]


def test_supervisor_reassigns_a_case(page, live_server):
    """A supervisor moves a case from Darnell Hughes to Jordan Reyes, with a reason, and the timeline says so."""
    case_id, name = open_cases(live_server, "outreach")[5 + _size_index(page)]
    login_as(page, live_server, "supervisor")
    _find_and_open_case(page, name)

    page.get_by_role("link", name="Reassign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reassign · {name}")
    page.get_by_label("New worker").select_option(label="Jordan Reyes")
    page.get_by_label("Reason (optional)").fill("Darnell is on leave")
    page.get_by_role("button", name="Reassign").click()

    expect(page.get_by_role("alert")).to_have_text("Case reassigned to Jordan Reyes.")
    expect(page.get_by_text("Reassigned Darnell Hughes → Jordan Reyes").first).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))


def test_record_a_mediation(phone, live_server):
    """An outreach worker records a conflict mediation from the Outreach menu."""
    page = phone
    area = f"Eastgate, 4{uuid.uuid4().int % 900 + 100} block"
    login_as(page, live_server, "outreach")
    menu(page, "Outreach", "Mediations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mediations")
    page.get_by_role("link", name="Record a mediation").click()

    page.get_by_label("Area").fill(area)
    page.get_by_label("How the conflict was identified").select_option(label="Tip")
    page.get_by_label("Number of parties").fill("3")
    page.get_by_label("Weapons were present").check()
    page.get_by_label("Risk of imminent violence").select_option(label="High")
    page.get_by_label("Actions taken").fill("Met both sides at the rec centre")
    page.get_by_label("Outcome").select_option(label="Temporarily resolved")
    page.get_by_role("button", name="Save mediation").click()

    expect(page.get_by_role("alert")).to_have_text("Mediation saved.")
    expect(page.get_by_text(area).first).to_be_visible()
    saved = select(func.count(Mediation.id)).where(Mediation.area == area, Mediation.parties_count == 3)
    assert _count(live_server, saved.where(Mediation.weapons_present.is_(True))) == 1


def test_record_a_shooting_response(phone, live_server):
    """An outreach worker records the team's response to a shooting in the register."""
    page = phone
    note = f"Went to the hospital with the family {uuid.uuid4().hex[:8]}"
    login_as(page, live_server, "outreach")
    menu(page, "Outreach", "Shooting responses")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shooting responses")
    page.get_by_role("link", name="Record a response").click()

    page.get_by_label("Incident").select_option(index=1)
    expect(page.get_by_label("Who responded")).to_have_value(re.compile(r"\d+"))  # the worker, preselected
    page.get_by_label("Where").select_option(label="Hospital")
    page.get_by_label("Risk of retaliation").select_option(label="High")
    page.get_by_label("Notes (optional)").fill(note)
    page.get_by_role("button", name="Save response").click()

    expect(page.get_by_role("alert")).to_have_text("Response saved.")
    saved = select(func.count(ShootingResponse.id)).where(ShootingResponse.location == "hospital")
    assert _count(live_server, saved.where(ShootingResponse.retaliation_risk == "high")) >= 1


def test_funder_report_downloads_a_pdf(page, live_server):
    """A manager whose login is older than five minutes confirms the password, then downloads a real PDF."""
    login_as(page, live_server, "manager")
    age_login(page, live_server, minutes=6)
    menu(page, "Supervise", "Funder reports")

    # The reports page is an export page: an old login is asked for the password first (S13).
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    assert confirm_password_if_asked(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Funder reports")

    page.get_by_label("Funder template").select_option(index=1)
    page.get_by_label("Street Outreach").check()
    page.get_by_label("Kind of period").select_option(label="Calendar quarter")
    page.get_by_label("Quarter (for a calendar quarter)").select_option(index=0)
    page.get_by_label("PDF").check()
    page.get_by_label("Recipient (who will receive this report)").fill("City Office of Violence Prevention")
    page.get_by_label("Purpose (why it is being sent)").fill("Quarterly grant report")
    with page.expect_download() as info:
        page.get_by_role("button", name="Generate report").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
