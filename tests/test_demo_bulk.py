"""`flask seed-demo --scale large` at a small custom size: bulk history that the app can use like its own."""

from datetime import datetime

from sqlalchemy import func, select, text

from caseflow.audit.chain import verify_chain
from caseflow.crypto import CIPHERTEXT_PREFIX
from caseflow.extensions import db
from caseflow.models import AuditEvent, Case, Contact, Participant, Program, Referral, User
from tests.conftest import login


def _seed(app, *args):
    result = app.test_cli_runner().invoke(
        args=[
            "seed-demo",
            "--scale",
            "large",
            "--participants",
            "700",
            "--contacts",
            "6000",
            "--referrals",
            "600",
            *args,
        ]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_large_scale_adds_programs_people_and_history_on_top_of_the_demo(app):
    output = _seed(app)
    assert "Bulk history:" in output
    count = lambda model: db.session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
    assert count(Participant) == 700
    assert count(Contact) >= 6000 + 4000  # the demo's own contacts and the bulk ones
    assert count(Referral) >= 600
    assert count(Program) > 3
    # The bulk history writes no audit rows, so the chain is still whole.
    assert verify_chain().problem is None
    assert count(AuditEvent) == 0
    # Bulk notes are stored encrypted, like the app's own, and read back as text.
    raw = db.session.execute(text("SELECT notes FROM contacts WHERE notes <> '' ORDER BY id DESC LIMIT 20")).scalars()
    stored = list(raw)
    assert stored and all(value.startswith(CIPHERTEXT_PREFIX) for value in stored)
    contact = db.session.execute(select(Contact).where(Contact.notes != "").order_by(Contact.id.desc())).scalars()
    assert not next(iter(contact)).notes.startswith(CIPHERTEXT_PREFIX)
    # Explicit ids in the bulk load leave PostgreSQL's sequences past them, so ordinary inserts still work.
    case = db.session.execute(select(Case).where(Case.status == "active").limit(1)).scalar_one()
    before = db.session.execute(select(func.max(Contact.id))).scalar_one()
    added = Contact(case_id=case.id, occurred_at=datetime(2026, 1, 5, 15, 0), mode="phone", contact_type="check_in")
    db.session.add(added)
    db.session.commit()
    assert added.id > before


def test_the_outreach_demo_login_has_a_case_with_500_contacts_and_it_opens(app, client):
    _seed(app)
    worker = db.session.execute(select(User).where(User.email == "outreach@demo.caseflow.org")).scalar_one()
    busiest = db.session.execute(
        select(Case.id, func.count(Contact.id))
        .join(Contact, Contact.case_id == Case.id)
        .where(Case.assigned_worker_id == worker.id)
        .group_by(Case.id)
        .order_by(func.count(Contact.id).desc())
        .limit(1)
    ).one()
    assert busiest[1] == 500
    login(client, "outreach@demo.caseflow.org", "demo-password-1234")
    assert client.get(f"/cases/{busiest[0]}").status_code == 200
