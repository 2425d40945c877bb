"""S24: an IPV-protected person is seen only by their victim-services staff, in every channel."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import (
    AuditEvent,
    CallIn,
    CallInInvitee,
    Case,
    Contact,
    Notification,
    Participant,
    ProgramMembership,
)
from caseflow.models.base import utcnow
from caseflow.participants.merge import merge_participants
from caseflow.reports.templates import TEMPLATES
from caseflow.timezones import local_today
from tests.conftest import audit_count, login
from tests.crawler import crawl, every_get_route
from tests.security.ipv_world import (
    CANARIES,
    CONTROL_FIRST,
    CONTROL_LAST,
    DOB,
    FIRST,
    LAST,
    PHONE,
    build_ipv_world,
    make_victim_services,
)

NOT_VICTIM_SERVICES = ("vs_worker_unassigned", "worker", "supervisor", "manager", "outreach_supervisor", "admin")


@pytest.fixture
def world(make_program, make_user, make_case, make_contact):
    return build_ipv_world(make_program, make_user, make_case, make_contact)


def _leaks(body: str) -> list[str]:
    return [canary for canary in CANARIES if canary in body]


def _search(client, term: str) -> str:
    return client.post("/participants/search", data={"q": term}).get_data(as_text=True)


# --- pages and edits ------------------------------------------------------------------------------------


def test_s24_person_case_and_child_pages_are_404_to_everyone_else(world, client):
    """S24: page, edit, contact, referral, injury and consents all answer 404 to staff who are not theirs."""
    person, case = world["person"], world["case"]
    urls = [
        f"/participants/{person.id}",
        f"/participants/{person.id}/edit",
        f"/participants/{person.id}/consents",
        f"/cases/{case.id}",
        f"/cases/{case.id}/contacts/new",
        f"/cases/{case.id}/plan",
        f"/cases/{case.id}/hvip",
        f"/contacts/{world['contact'].id}/edit",
        f"/referrals/{world['referral'].id}",
        f"/injuries/{world['injury'].id}",
        f"/audit/records/participant/{person.id}",
        f"/audit/records/case/{case.id}",
    ]
    for role in NOT_VICTIM_SERVICES:
        login(client, world["users"][role])
        wrong = {}
        for url in urls:
            response = client.get(url)
            if response.status_code != 404 or _leaks(response.get_data(as_text=True)):
                wrong[url] = response.status_code
        assert wrong == {}, role


def test_s24_the_assigned_victim_services_worker_and_supervisor_see_everything(world, client):
    """S24: the victim-services staff of the case see the person, the case and its records."""
    person, case = world["person"], world["case"]
    for role in ("vs_worker", "vs_supervisor"):
        login(client, world["users"][role])
        page = client.get(f"/participants/{person.id}").get_data(as_text=True)
        assert f"{FIRST} {LAST}" in page and PHONE in page and "IPV-protected" in page
        case_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "IPVCANARY contact note" in case_page
        assert client.get(f"/injuries/{world['injury'].id}").status_code == 200
        assert client.get(f"/participants/{person.id}/edit").status_code == 200


def test_s24_a_write_to_a_protected_case_changes_nothing(world, client):
    """S24: substituting the protected case's id in a contact POST is refused and writes no row."""
    login(client, world["users"]["supervisor"])
    before = db.session.execute(select(func.count(Contact.id))).scalar_one()
    response = client.post(
        f"/cases/{world['case'].id}/contacts/new",
        data={"occurred_at": "2026-01-05T10:00", "mode": "phone", "contact_type": "check_in", "outcome": "completed"},
    )
    assert response.status_code == 404
    assert db.session.execute(select(func.count(Contact.id))).scalar_one() == before


# --- search and the duplicate check --------------------------------------------------------------------


def test_s24_search_neither_finds_nor_hints(world, client):
    """S24: by name, date of birth or phone, the person is not found and no 'possible match' is hinted."""
    login(client, world["users"]["outreach_worker"])
    control = _search(client, f"{CONTROL_FIRST} {CONTROL_LAST}")
    assert "A possible match exists in Mercy HVIP" in control  # the hint works for anyone else
    for term in (f"{FIRST} {LAST}", f"{FIRST} {LAST} {DOB.isoformat()}", PHONE, "Hollowmere Zee"):
        page = _search(client, term)
        assert "0 people found" in page and "possible match" not in page, term
        assert _leaks(page.split("found", 1)[1]) == [], term
    # Not even in the audit trail's hint marker.
    hinted = db.session.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.detail.like("%possible match%"))
    ).scalar_one()
    assert hinted == 1


def test_s24_search_in_the_same_program_does_not_find_them_either(world, client):
    """S24: an ordinary worker of the same hospital program finds the control person but not the protected one."""
    login(client, world["users"]["worker"])
    assert f"{CONTROL_FIRST} {CONTROL_LAST}" in _search(client, CONTROL_LAST)
    page = _search(client, f"{FIRST} {LAST}")
    assert "0 people found" in page and "possible match" not in page
    login(client, world["users"]["vs_worker"])
    assert f"{FIRST} {LAST}" in _search(client, LAST)


def _new_person(program, first: str, last: str, dob: str, token: str) -> dict:
    return {
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "gender": "female",
        "program_id": program.id,
        "start_status": "active",
        "referred_on": (local_today() - timedelta(days=1)).isoformat(),
        "submission_token": token,
    }


def test_s24_duplicate_check_never_hints_at_them(world, client):
    """S24: creating someone with the protected person's name and birth date shows no duplicate notice."""
    login(client, world["users"]["outreach_worker"])
    outreach = world["outreach"]
    control = client.post(
        "/participants/new", data=_new_person(outreach, CONTROL_FIRST, CONTROL_LAST, "1990-02-14", "t1")
    )
    assert "A possible match exists in Mercy HVIP" in control.get_data(as_text=True)
    response = client.post("/participants/new", data=_new_person(outreach, FIRST, LAST, DOB.isoformat(), "t2"))
    assert response.status_code == 302  # created straight away: nothing matched
    named = select(func.count(Participant.id)).where(Participant.first_name == FIRST, Participant.last_name == LAST)
    assert db.session.execute(named).scalar_one() == 2


# --- lists, caseload, alerts, dashboards --------------------------------------------------------------


def test_s24_lists_and_caseloads_leave_them_out(world, client):
    """S24: home caseload, caseload review, alerts, overdue referrals and deleted items show the control, not them."""
    protected_contact = world["contact"]
    protected_contact.deleted_at = utcnow()
    control_contact = db.session.execute(
        select(Contact).where(Contact.case_id == world["control_case"].id)
    ).scalar_one()
    control_contact.deleted_at = utcnow()
    db.session.commit()
    review = f"/caseload/review/{world['hvip'].id}/cases?measure=active"
    checks = {
        "worker": ["/"],
        "supervisor": [review, "/alerts", "/referrals/overdue", "/deleted", "/"],
        "manager": [review, "/caseload/review", "/alerts", "/referrals/overdue"],
    }
    for role, urls in checks.items():
        login(client, world["users"][role])
        for url in urls:
            page = client.get(url).get_data(as_text=True)
            assert _leaks(page) == [], (role, url)
    # The same lists do list people: the control shows where it should.
    login(client, world["users"]["supervisor"])
    for url in (review, "/referrals/overdue", "/deleted"):
        assert CONTROL_LAST in client.get(url).get_data(as_text=True), url
    login(client, world["users"]["vs_supervisor"])
    for url in (review, "/referrals/overdue", "/deleted"):
        assert LAST in client.get(url).get_data(as_text=True), url


def test_s24_home_caseload_of_the_assigned_worker_lists_them(world, client):
    """S24: the assigned victim-services worker sees the person on their own caseload."""
    login(client, world["users"]["vs_worker"])
    assert LAST in client.get("/").get_data(as_text=True)


def test_s24_crawl_as_the_program_manager_finds_no_canary(world, app, client):
    """S24: every page a non-victim-services manager reaches, and every GET route with the person's ids, is clean."""
    login(client, world["users"]["manager"])
    pages = crawl(client, "/")
    ids = {world[key].id for key in ("person", "case", "contact", "referral", "injury")}
    for path in every_get_route(app, sorted(ids)):
        if path not in pages:
            response = client.get(path)
            pages[path] = (response.status_code, response.get_data(as_text=True))
    assert sorted(path for path, (_, body) in pages.items() if _leaks(body)) == []
    reached = [path for path, (status, _) in pages.items() if status == 200]
    assert len(reached) > 20 and f"/cases/{world['control_case'].id}" in pages


# --- the facesheet ------------------------------------------------------------------------------------


def test_s24_facesheet_is_404_to_everyone_else(world, client):
    """S24: the facesheet PDF of a protected person's case is 404 to the program's other staff."""
    case = world["case"]
    for role in ("supervisor", "worker", "manager"):
        login(client, world["users"][role])
        assert client.get(f"/cases/{case.id}/facesheet").status_code == 404
        assert client.post(f"/cases/{case.id}/facesheet", data={"recipient": "x", "purpose": "y"}).status_code == 404
    login(client, world["users"]["vs_worker"])
    assert client.get(f"/cases/{case.id}/facesheet").status_code == 200


# --- setting and clearing the flag -------------------------------------------------------------------


def _edit_data(participant: Participant, **extra) -> dict:
    return {
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "gender": participant.gender,
        "version": str(participant.version),
        **extra,
    }


def test_s24_a_supervisor_protects_someone_and_it_is_audited(world, client):
    """S24: the program's supervisor sets the flag on the edit form; the record then leaves their reach."""
    control = world["control_case"].participant
    login(client, world["users"]["supervisor"])
    form = client.get(f"/participants/{control.id}/edit").get_data(as_text=True)
    assert "IPV-protected (survivor of intimate partner violence)" in form
    assert "Only victim-services staff on this person" in form
    response = client.post(f"/participants/{control.id}/edit", data=_edit_data(control, is_ipv_protected="y"))
    assert response.status_code == 302 and response.location.endswith("/")
    db.session.refresh(control)
    assert control.is_ipv_protected is True
    assert audit_count(action="update", record_id=control.id, detail="IPV protection set") == 1
    assert client.get(f"/participants/{control.id}").status_code == 404
    login(client, world["users"]["worker"])
    assert client.get(f"/cases/{world['control_case'].id}").status_code == 404


def test_s24_a_worker_cannot_set_it_and_a_posted_value_changes_nothing(world, client):
    """S24 / S6: an ordinary worker sees no such field, and posting it leaves the person unprotected."""
    control = world["control_case"].participant
    login(client, world["users"]["worker"])
    assert "IPV-protected" not in client.get(f"/participants/{control.id}/edit").get_data(as_text=True)
    client.post(f"/participants/{control.id}/edit", data=_edit_data(control, is_ipv_protected="y"))
    db.session.refresh(control)
    assert control.is_ipv_protected is False
    assert audit_count(detail="IPV protection set") == 0


def test_s24_victim_services_staff_can_clear_it(world, client):
    """S24: the assigned victim-services worker may lift the protection; that is audited too."""
    person = world["person"]
    login(client, world["users"]["vs_worker"])
    response = client.post(f"/participants/{person.id}/edit", data=_edit_data(person))
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.is_ipv_protected is False
    assert audit_count(action="update", record_id=person.id, detail="IPV protection cleared") == 1
    login(client, world["users"]["worker"])
    assert client.get(f"/participants/{person.id}").status_code == 200


def test_s24_only_the_assigned_victim_services_worker_sees_the_case(world, client, make_user):
    """S24: a worker becomes victim-services staff; they still see the case only once it is assigned to them."""
    login(client, world["users"]["worker"])
    make_victim_services(world["users"]["worker"], world["hvip"])
    assert client.get(f"/cases/{world['case'].id}").status_code == 404
    world["case"].assigned_worker_id = world["users"]["worker"].id
    db.session.commit()
    assert client.get(f"/cases/{world['case'].id}").status_code == 200


def test_s24_administrator_marks_a_membership_as_victim_services(world, client, make_user):
    """S24: the membership form has a labelled victim-services box; ticking it is saved and shown."""
    admin, staff = world["users"]["admin"], make_user()
    login(client, admin)
    page = client.get(f"/admin/users/{staff.id}").get_data(as_text=True)
    assert "Victim-services staff (may see IPV-protected participants)" in page
    response = client.post(
        f"/admin/users/{staff.id}",
        data={"program_id": world["hvip"].id, "role": "supervisor", "is_victim_services": "y"},
    )
    assert response.status_code == 302
    membership = db.session.execute(select(ProgramMembership).where(ProgramMembership.user_id == staff.id)).scalar_one()
    assert (membership.role, membership.is_victim_services) == ("supervisor", True)
    assert "Victim-services staff" in client.get(f"/admin/users/{staff.id}").get_data(as_text=True)
    login(client, staff)
    assert client.get(f"/participants/{world['person'].id}").status_code == 200


def test_s24_a_merge_never_drops_the_protection(world):
    """S24: merging an ordinary duplicate into or out of a protected record leaves the person protected."""
    supervisor = world["users"]["vs_supervisor"]
    duplicate = Case(
        participant=Participant(first_name=FIRST, last_name=LAST),
        program=world["hvip"],
        status="closed",
        closed_on=date.today(),
        closure_reason="other",
        referred_on=date.today() - timedelta(days=90),
        enrolled_on=date.today() - timedelta(days=80),
    )
    db.session.add(duplicate)
    db.session.commit()
    merge_participants(supervisor, duplicate.participant, world["person"], note="same person")
    db.session.commit()
    assert duplicate.participant.is_ipv_protected is True


# --- partner figures ------------------------------------------------------------------------------------


@pytest.fixture
def deterrence(make_program, make_user, make_case):
    """Six people notified and at a call-in; one of them is IPV-protected."""
    fd = make_program("focused_deterrence", "Deterrence Initiative")
    worker = make_user(roles={fd: "worker"})
    partner = make_user(roles={fd: "partner"})
    today = date.today()
    call_in = CallIn(program_id=fd.id, held_at=datetime.now() - timedelta(days=10), venue="Hall")
    db.session.add(call_in)
    db.session.flush()
    for i in range(6):
        case = make_case(fd, worker, first_name=f"Person{i}")
        if i == 0:
            case.participant.is_ipv_protected = True
        db.session.add_all(
            [
                Notification(
                    program_id=fd.id,
                    participant_id=case.participant_id,
                    notified_on=today - timedelta(days=12),
                    trigger="ongoing_dispute",
                    delivered=True,
                    offer_accepted=True,
                ),
                CallInInvitee(
                    call_in_id=call_in.id, participant_id=case.participant_id, attendance="attended", help_accepted=True
                ),
            ]
        )
    db.session.commit()
    return fd, worker, partner


def _cell(page: str, heading: str) -> str:
    match = re.search(rf"<th scope=\"row\">{re.escape(heading)}</th><td>([^<]*)</td>", page)
    assert match, heading
    return match.group(1)


def test_s24_partner_figures_do_not_count_them(deterrence, client):
    """S24: the partner's counts leave the protected person out; the program's own staff count everyone."""
    fd, worker, partner = deterrence
    headings = ("People invited", "People who attended", "Notifications", "Delivered", "Offered help", "Accepted")
    login(client, worker)
    member = client.get(f"/deterrence/{fd.id}/figures").get_data(as_text=True)
    assert [_cell(member, h) for h in headings] == ["6"] * len(headings)
    login(client, partner)
    shown = client.get(f"/deterrence/{fd.id}/figures").get_data(as_text=True)
    assert [_cell(shown, h) for h in headings] == ["5"] * len(headings)


# --- funder reports -------------------------------------------------------------------------------------


@pytest.fixture
def report_world(make_program, make_user, make_case, make_contact):
    """One program of each kind, each with five ordinary people and the protected person served in Q1 2026."""
    programs = {}
    for kind in ("street_outreach", "hvip", "focused_deterrence"):
        program = make_program(kind, f"{kind} program", organisation="Safe City")
        supervisor = make_user(roles={program: "supervisor"})
        worker = make_user(roles={program: "worker"})
        protected = make_case(
            program,
            worker,
            first_name=FIRST,
            last_name=LAST,
            date_of_birth=DOB,
            phone=PHONE,
            area="88 Hollowmere Court",
            gender="female",
        )
        protected.participant.is_ipv_protected = True
        db.session.commit()
        make_contact(protected, worker, occurred_at=datetime(2026, 2, 10, 18, 0), notes="IPVCANARY contact note")
        for _ in range(5):
            make_contact(make_case(program, worker, gender="male"), worker, occurred_at=datetime(2026, 2, 11, 18, 0))
        programs[kind] = (program, supervisor)
    return programs


def _report_text(response, fmt: str) -> str:
    if fmt == "pdf":
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return "\n".join(",".join(row) for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_s24_funder_reports_carry_no_identifier_of_a_protected_person(report_world, client, template_id, fmt):
    """S24: every shipped template, as PDF and CSV, prints no name, birth date, phone, address or note of theirs."""
    template = TEMPLATES[template_id]
    kind = template.program_kinds[0] if template.program_kinds else "street_outreach"
    program, supervisor = report_world[kind]
    login(client, supervisor)
    request = {
        "template": template_id,
        "programs": [str(program.id)],
        "period_kind": "quarter",
        "year": "2026",
        "quarter": "1",
        "format": fmt,
        "recipient": "Funder grants office",
        "purpose": "Quarterly report",
        "submission_token": f"s24-{template_id}-{fmt}",
    }
    response = client.post("/reports", data=request)
    assert response.status_code == 200
    assert response.mimetype == ("application/pdf" if fmt == "pdf" else "text/csv")
    text = _report_text(response, fmt)
    assert (template.title.split()[0] if fmt == "pdf" else f"{template_id},2026-01-01") in text  # it really rendered
    assert _leaks(text) == []
    preview = client.post("/reports/preview", data={**request, "submission_token": f"p-{template_id}-{fmt}"})
    assert preview.status_code == 200 and _leaks(preview.get_data(as_text=True)) == []
