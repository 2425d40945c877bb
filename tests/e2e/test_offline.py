"""Offline contact logging in a real Chromium: a contact saved with no connection waits on the device and is
sent, once, when the connection returns; an ended session asks the worker to log in and then sends it; a
queued edit that meets someone else's newer save is shown as a conflict, never saved over it."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Case, Contact, User
from tests.e2e.helpers import demo_email, login_as

pytestmark = pytest.mark.e2e


def _worker_case(live_server, who: str = "outreach") -> int:
    """An open case assigned to the demo worker."""
    with live_server.app.app_context():
        user = db.session.execute(select(User).where(User.email == demo_email(who))).scalar_one()
        case_id = (
            db.session.execute(
                select(Case.id)
                .where(Case.assigned_worker_id == user.id, Case.status == "active", Case.deleted_at.is_(None))
                .order_by(Case.id)
            )
            .scalars()
            .first()
        )
        db.session.remove()
    assert case_id, "the demo data should give the outreach worker an active case"
    return case_id


def _contacts_with_note(live_server, case_id: int, note: str) -> int:
    """How many contacts on the case carry this note (notes are encrypted, so compared after loading)."""
    with live_server.app.app_context():
        notes = db.session.execute(select(Contact.notes).where(Contact.case_id == case_id)).scalars().all()
        db.session.remove()
    return sum(1 for saved in notes if saved == note)


def _fill_contact(page: Page, note: str) -> None:
    page.get_by_label("Mode").select_option(label="In person")
    page.get_by_label("Type").select_option(label="Check-in")
    page.get_by_label("Note").fill(note)


def _queue(page: Page) -> list:
    """The records this browser keeps, read from IndexedDB as the script stores them."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("caseflow-offline", 1);
            open.onsuccess = () => {
                const read = open.result.transaction("queue").objectStore("queue").getAll();
                read.onsuccess = () => resolve(read.result);
                read.onerror = () => reject(read.error);
            };
            open.onerror = () => reject(open.error);
        })"""
    )


def _put_back(page: Page, item: dict) -> None:
    """Put a record back in the queue, as if the answer to its first send had been lost on the way."""
    page.evaluate(
        """(item) => new Promise((resolve, reject) => {
            const open = indexedDB.open("caseflow-offline", 1);
            open.onsuccess = () => {
                const tx = open.result.transaction("queue", "readwrite");
                tx.objectStore("queue").put(item);
                tx.oncomplete = () => resolve();
                tx.onerror = () => reject(tx.error);
            };
        })""",
        item,
    )


def _queue_panel(page: Page):
    return page.get_by_role("region", name="Records kept on this device")


def test_a_contact_logged_offline_is_sent_once_when_back_online(page, live_server):
    """Offline: "waiting to send", nothing saved. Online again: sent, exactly one contact; a retry of the
    same queued record still leaves exactly one."""
    case_id = _worker_case(live_server)
    note = f"Offline check-in {uuid.uuid4().hex[:8]}"
    login_as(page, live_server, "outreach")
    page.goto(f"{live_server.url}/cases/{case_id}/contacts/new")
    page.context.set_offline(True)
    _fill_contact(page, note)
    page.get_by_role("button", name="Save contact").click()

    panel = _queue_panel(page)
    expect(panel.get_by_text("Waiting to send", exact=True)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="waiting to send")).to_be_visible()
    assert _contacts_with_note(live_server, case_id, note) == 0
    (queued,) = _queue(page)
    assert dict(queued["fields"])["notes"] == note

    page.context.set_offline(False)
    expect(panel.locator('[data-state="sent"]')).to_have_count(1)
    expect(panel.get_by_text("Waiting to send", exact=True)).to_have_count(0)
    assert _contacts_with_note(live_server, case_id, note) == 1
    assert _queue(page) == []  # the notes are gone from the device once sent

    # The first answer "lost": the same record is sent again from the queue, with its submission token.
    _put_back(page, {**queued, "state": "waiting"})
    page.reload()
    expect(_queue_panel(page).locator('[data-state="sent"]')).to_have_count(1)
    assert _queue(page) == []
    assert _contacts_with_note(live_server, case_id, note) == 1

    page.goto(f"{live_server.url}/cases/{case_id}")
    expect(page.get_by_text(note)).to_have_count(1)


def test_an_ended_session_asks_to_log_in_then_sends_the_contact_once(phone, live_server):
    """Queued, then the session ends (idle timeout, cookie gone): "Log in to send"; after logging in it is sent."""
    case_id = _worker_case(live_server)
    note = f"Queued through a logout {uuid.uuid4().hex[:8]}"
    login_as(phone, live_server, "outreach")
    phone.goto(f"{live_server.url}/cases/{case_id}/contacts/new")
    phone.context.set_offline(True)
    _fill_contact(phone, note)
    phone.get_by_role("button", name="Save contact").click()
    expect(_queue_panel(phone).get_by_text("Waiting to send", exact=True)).to_be_visible()

    phone.context.clear_cookies()  # the session is gone, as after 15 idle minutes
    phone.context.set_offline(False)
    panel = _queue_panel(phone)
    expect(panel.get_by_text("Log in to send", exact=True)).to_be_visible()
    assert _contacts_with_note(live_server, case_id, note) == 0

    panel.get_by_role("link", name="Log in").click()
    phone.get_by_label("Email").fill(demo_email("outreach"))
    phone.get_by_label("Password").fill("demo-password-1234")
    phone.get_by_role("button", name="Log in").click()
    expect(phone).to_have_url(re.compile(rf"/cases/{case_id}/contacts/new"))
    expect(_queue_panel(phone).locator('[data-state="sent"]')).to_have_count(1)
    assert _contacts_with_note(live_server, case_id, note) == 1
    assert _queue(phone) == []


def test_a_queued_edit_that_meets_a_newer_save_is_shown_as_a_conflict(phone, live_server):
    """An edit made offline, sent after someone else saved the contact: "Conflict", their save kept; open it
    to compare the two."""
    case_id = _worker_case(live_server)
    login_as(phone, live_server, "outreach")
    with live_server.app.app_context():
        contact = db.session.execute(select(Contact).where(Contact.case_id == case_id).order_by(Contact.id)).scalars()
        contact_id = contact.first().id
        db.session.remove()
    phone.goto(f"{live_server.url}/contacts/{contact_id}/edit")
    phone.context.set_offline(True)
    mine = f"My offline correction {uuid.uuid4().hex[:8]}"
    phone.get_by_label("Note").fill(mine)
    phone.get_by_role("button", name="Save changes").click()
    expect(_queue_panel(phone).get_by_text("Waiting to send", exact=True)).to_be_visible()

    theirs = f"Supervisor's correction {uuid.uuid4().hex[:8]}"
    with live_server.app.app_context():
        saved = db.session.get(Contact, contact_id)
        saved.notes = theirs  # a save by someone else: the version column moves on
        db.session.commit()
        db.session.remove()

    phone.context.set_offline(False)
    panel = _queue_panel(phone)
    expect(panel.get_by_text(re.compile("Conflict"))).to_be_visible()
    with live_server.app.app_context():
        assert db.session.get(Contact, contact_id).notes == theirs
        db.session.remove()

    panel.get_by_role("button", name="Open it").click()
    expect(phone.get_by_role("heading", name="Someone else changed this first")).to_be_visible()
    expect(phone.get_by_role("cell", name=mine)).to_be_visible()
    expect(phone.get_by_role("cell", name=theirs)).to_be_visible()
    assert _queue(phone) == []


def test_a_page_opened_offline_says_so_and_lists_what_is_waiting(phone, live_server):
    """With the service worker installed, a page opened with no connection is the app's offline page (not the
    browser's error), showing the record waiting to send; no page of the app is kept in its cache."""
    case_id = _worker_case(live_server)
    note = f"Waiting while offline {uuid.uuid4().hex[:8]}"
    login_as(phone, live_server, "outreach")
    phone.goto(f"{live_server.url}/cases/{case_id}/contacts/new")
    phone.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    phone.reload()  # now controlled by the service worker
    assert phone.evaluate("() => !!navigator.serviceWorker.controller")
    phone.context.set_offline(True)
    _fill_contact(phone, note)
    phone.get_by_role("button", name="Save contact").click()
    expect(_queue_panel(phone).get_by_text("Waiting to send", exact=True)).to_be_visible()

    phone.goto(f"{live_server.url}/cases/{case_id}")
    expect(phone.get_by_role("heading", name="No connection")).to_be_visible()
    expect(_queue_panel(phone).get_by_text("Waiting to send", exact=True)).to_be_visible()
    cached = phone.evaluate(
        "() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))"
        ".then(lists => lists.flat().map(r => new URL(r.url).pathname))"
    )
    assert cached and all(path.startswith(("/static/", "/bootstrap/static/")) for path in cached), cached

    # Back online: the offline page itself sends what waits (the session is still alive).
    phone.context.set_offline(False)
    expect(_queue_panel(phone).locator('[data-state="sent"]')).to_have_count(1)
    assert _contacts_with_note(live_server, case_id, note) == 1
    phone.get_by_role("link", name="Try again").click()
    expect(phone.get_by_role("heading", name="No connection")).to_have_count(0)
    assert _queue(phone) == []


def test_logging_out_with_records_waiting_asks_then_clears_them_from_the_device(desktop, live_server):
    """A shared hospital workstation: logging out with an unsent record warns first; confirming deletes it from
    the browser, so the next person at the computer cannot find its notes."""
    case_id = _worker_case(live_server)
    login_as(desktop, live_server, "outreach")
    desktop.goto(f"{live_server.url}/cases/{case_id}/contacts/new")
    desktop.context.set_offline(True)
    _fill_contact(desktop, f"Left on the workstation {uuid.uuid4().hex[:8]}")
    desktop.get_by_role("button", name="Save contact").click()
    expect(_queue_panel(desktop).get_by_text("Waiting to send", exact=True)).to_be_visible()

    warnings = []

    def cancel(dialog):
        warnings.append(dialog.message)
        dialog.dismiss()

    desktop.once("dialog", cancel)
    desktop.get_by_role("button", name="Log out").click()
    for _ in range(100):  # the warning comes once the send attempt has failed
        if warnings:
            break
        desktop.wait_for_timeout(100)
    assert warnings and "have not been sent" in warnings[0]
    expect(_queue_panel(desktop).get_by_text("Waiting to send", exact=True)).to_be_visible()
    assert len(_queue(desktop)) == 1  # cancelled: kept

    desktop.once("dialog", lambda dialog: dialog.accept())
    with desktop.expect_request(re.compile(r"/logout$")):
        desktop.get_by_role("button", name="Log out").click()
    # The record was deleted before the logout left the page (offline, the logout itself cannot arrive yet).
    desktop.context.set_offline(False)
    desktop.goto(f"{live_server.url}/login")
    assert _queue(desktop) == []
