"""S20: every page that shows a participant writes an audit row naming them, in the same transaction.

tests/test_audit.py proves single pages and a failing audit write for a create, a contact and a case
page; these sweep every page each role reaches.
"""

import pytest
from sqlalchemy import func, select, text

from caseflow.extensions import db
from caseflow.models import AuditEvent, Notification, Participant
from caseflow.softdelete import KINDS
from tests.conftest import USING_POSTGRES, login
from tests.security.crawl import crawl
from tests.security.world import build_world

READ_ACTIONS = {"view", "list", "search", "export", "print"}
# Audit rows of these types list the participants the page showed in record_ids.
PEOPLE_LISTED = {"participant", "incident", "mediation", "call_in"}
RECORD_MODELS = {**KINDS, "notification": Notification}
# The supervisor reaches every page the worker of the same program does, and more.
ROLE_PEOPLE = {"supervisor": "xavier", "worker_own": "hana", "manager_other": "mona"}


@pytest.fixture
def world(app):
    return build_world()


def _last_audit_id() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def _names_person(event: AuditEvent, person_id: int, case_ids: set[int]) -> bool:
    """Whether an audit row points at the person, one of their cases, or a record of one of those cases."""
    ids = {event.record_id} | {int(i) for i in event.record_ids.split()}
    if event.record_type in PEOPLE_LISTED:
        return person_id in ids
    if event.record_type == "case":
        return bool(ids & case_ids)
    model = RECORD_MODELS.get(event.record_type)
    if model is not None and hasattr(model, "case_id"):
        rows = db.session.execute(select(model.case_id).where(model.id.in_(ids - {None}))).scalars()
        return bool(set(rows) & case_ids)
    if model is not None and hasattr(model, "participant_id"):
        rows = db.session.execute(select(model.participant_id).where(model.id.in_(ids - {None}))).scalars()
        return person_id in set(rows)
    return False


@pytest.mark.parametrize("role", sorted(ROLE_PEOPLE))
def test_s20_every_page_showing_a_participant_audits_a_read_of_them(app, client, world, role):
    """S20: crawl each role's pages; each one that shows its participant's name adds a read row naming them."""
    person = world.people[ROLE_PEOPLE[role]]
    case_ids = {case.id for case in world.cases.values() if case.participant_id == person.id}
    login(client, world.user_for(role))
    paths = [path for path, page in crawl(client, "/").items() if page.status == 200 and page.mimetype == "text/html"]
    unaudited, showing = [], 0
    for path in paths:
        before = _last_audit_id()
        body = client.get(path).get_data(as_text=True)
        if person.last_name not in body:
            continue
        showing += 1
        events = db.session.execute(select(AuditEvent).where(AuditEvent.id > before)).scalars().all()
        if not any(e.action in READ_ACTIONS and _names_person(e, person.id, case_ids) for e in events):
            unaudited.append(path)
    assert sorted(unaudited) == []
    assert showing >= 3


def _refuse_audit_writes() -> None:
    """Make every audit INSERT fail, as a full disk or a revoked grant would (as in tests/test_audit.py)."""
    if USING_POSTGRES:
        db.session.execute(
            text(
                "CREATE OR REPLACE FUNCTION s20_refuse_audit() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$ LANGUAGE plpgsql"
            )
        )
        db.session.execute(
            text(
                "CREATE TRIGGER s20_refuse_audit BEFORE INSERT ON audit_events "
                "FOR EACH ROW EXECUTE FUNCTION s20_refuse_audit()"
            )
        )
    else:
        db.session.execute(
            text(
                "CREATE TRIGGER s20_refuse_audit BEFORE INSERT ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"
            )
        )
    db.session.commit()


@pytest.fixture
def refuse_audit(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield _refuse_audit_writes
    db.session.rollback()
    db.session.execute(text("DROP TRIGGER IF EXISTS s20_refuse_audit" + (" ON audit_events" if USING_POSTGRES else "")))
    if USING_POSTGRES:
        db.session.execute(text("DROP FUNCTION IF EXISTS s20_refuse_audit()"))
    db.session.commit()


def test_s20_with_the_audit_trail_down_no_page_shows_a_participant(app, client, world, refuse_audit):
    """S20: a read that cannot be audited is not shown: every page that would name the person fails instead."""
    person = world.people["xavier"]
    login(client, world.user_for("supervisor"))
    paths = [p for p, page in crawl(client, "/").items() if page.status == 200 and person.last_name in page.text]
    assert len(paths) >= 3
    refuse_audit()
    shown = [path for path in paths if person.last_name in client.get(path).get_data(as_text=True)]
    assert shown == []


def test_s20_with_the_audit_trail_down_no_form_saves_anything(app, client, world, refuse_audit):
    """S20: every form the supervisor can post fails whole when its audit row cannot be written."""
    from tests.security.crawl import forms_by_endpoint
    from tests.security.snapshot import changed_tables, table_digests
    from tests.security.test_s03_idor_sweep import fresh

    login(client, world.user_for("supervisor"))
    forms = forms_by_endpoint(app, crawl(client, "/"))
    refuse_audit()
    before = table_digests()
    for endpoint_forms in forms.values():
        for form in endpoint_forms:
            client.post(form.action, data=fresh(form.data()))
    assert changed_tables(before, table_digests()) == []
    assert db.session.scalar(select(func.count(Participant.id))) == len(world.people)
