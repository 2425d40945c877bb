"""S27: narrative and health/IPV free text is encrypted at rest with keys from the environment, and rotatable."""

from datetime import datetime

import pytest
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet, InvalidToken
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from caseflow import create_app
from caseflow.crypto import CIPHERTEXT_PREFIX, EncryptionKeyError, UndecryptableValueError
from caseflow.crypto.rotation import encrypted_columns
from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.models import AuditEvent, Contact, Injury, MergeRequest, Participant
from config import DEVELOPMENT_ENCRYPTION_KEY, ProductionConfig
from tests.conftest import audit_count, login
from tests.test_migrations import migration_app, scratch_db_url  # noqa: F401 - fixtures

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
KEY_C = Fernet.generate_key().decode()

# What a person types prose (or a health identifier) into. Left out on purpose: injuries.funnel_reason,
# which the HVIP annual report groups by its exact wording in SQL, and assessment_answers.answer,
# which the application composes ("Yes", "2 of 3 points") rather than a person typing it.
EXPECTED = {
    "users.totp_secret",
    "call_ins.notes",
    "case_assignments.note",
    "case_status_changes.note",
    "closure_requests.decision_note",
    "closure_requests.note",
    "compensation_claims.notes",
    "contacts.notes",
    "goals.description",
    "incidents.notes",
    "injuries.discharge_plan",
    "injuries.medical_record_number",
    "mediations.actions_taken",
    "mediations.groups_involved",
    "merge_requests.decision_note",
    "merge_requests.reason",
    "module_follow_ups.note",
    "notifications.notes",
    "outcomes.details",
    "outreach_activities.description",
    "participant_merges.note",
    "referrals.notes",
    "screenings.notes",
    "shooting_responses.notes",
}


def _raw(table: str, column: str) -> list:
    """Every stored value of a column, read with plain SQL so the ORM type does not decrypt it."""
    return db.session.execute(text(f"SELECT {column} FROM {table} ORDER BY id")).scalars().all()  # noqa: S608


def _use_keys(app, *keys: str) -> None:
    """Change the configured keys, as a restart with a new CASEFLOW_ENCRYPTION_KEYS would."""
    app.config["ENCRYPTION_KEYS"] = keys
    db.session.expire_all()


@pytest.fixture
def outreach_case(make_program, make_user, make_case):
    program = make_program("street_outreach", "Street Outreach")
    worker = make_user(roles={program: "worker"}, full_name="Wes Worker")
    return make_case(program, worker, last_name="Okoro"), worker


# --- what is encrypted, and that no plain text reaches the database ----------------------------


def test_s27_every_narrative_and_health_column_is_encrypted():
    """S27: the models encrypt exactly the agreed free-text columns; a new one is a deliberate change here."""
    found = {f"{table.name}.{name}" for table, names in encrypted_columns().items() for name in names}
    assert found == EXPECTED


def test_s27_raw_sql_finds_no_canary_in_any_encrypted_column(app):
    """S27: a canary saved through the ORM in each encrypted column is unreadable in SQL and reads back intact."""
    seed_demo(seed=7, participants=40, erase=False)
    first, second = db.session.execute(select(Participant.id).order_by(Participant.id).limit(2)).scalars()
    db.session.add(MergeRequest(participant_id=first, other_id=second, reason="seeded"))
    db.session.commit()
    models = {mapper.local_table.name: mapper.class_ for mapper in db.Model.registry.mappers}
    canaries = {}
    for table, names in encrypted_columns().items():
        model = models[table.name]
        row = db.session.execute(select(model).order_by(model.id).limit(1)).scalar_one()
        for name in names:
            canaries[(table.name, name, row.id)] = f"CANARY-{table.name}-{name}-ñ"
            setattr(row, name, canaries[(table.name, name, row.id)])
    db.session.commit()
    db.session.expire_all()

    for (table, name, row_id), canary in canaries.items():
        stored = _raw(table, name)
        assert not [value for value in stored if value and "CANARY" in value], f"{table}.{name} holds plain text"
        # Everything the demo loader wrote went through the same type.
        assert all(value.startswith(CIPHERTEXT_PREFIX) for value in stored if value), f"{table}.{name}"
        model = models[table]
        read = db.session.execute(select(getattr(model, name)).where(model.id == row_id)).scalar_one()
        assert read == canary


def test_s27_a_contact_note_is_shown_on_the_page_and_stored_encrypted(client, outreach_case):
    """S27: the note a worker types shows on the case page, while the contacts table holds only a token."""
    case, worker = outreach_case
    login(client, worker)
    note = "CANARY-contact: he is staying at his aunt's on Elm until things cool down"
    client.post(
        f"/cases/{case.id}/contacts/new",
        data={
            "occurred_at": "2026-01-05T10:00",
            "mode": "phone",
            "contact_type": "check_in",
            "outcome": "completed",
            "notes": note,
            "submission_token": "tok-s27",
        },
    )
    (stored,) = _raw("contacts", "notes")
    assert stored.startswith(CIPHERTEXT_PREFIX) and "CANARY" not in stored
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "staying at his aunt&#39;s on Elm" in page or "staying at his aunt's on Elm" in page


def test_s27_injury_health_text_is_shown_to_the_hvip_team_and_stored_encrypted(client, make_program, make_user):
    """S27: the discharge plan and medical record number show on the injury page and are tokens in SQL."""
    program = make_program("hvip", "Trauma HVIP")
    worker = make_user(roles={program: "worker"})
    login(client, worker)
    response = client.post(
        f"/hvip/{program.id}/injuries/new",
        data={
            "injured_at": "2026-01-04T01:30",
            "arrived_at": "2026-01-04T02:00",
            "first_bedside_at": "",
            "mechanism": "gunshot",
            "hospital": "County General",
            "care_level": "admitted",
            "funnel_stage": "approached",
            "funnel_reason": "",
            "patient_age": "19",
            "patient_gender": "male",
            "discharged_on": "",
            "discharge_plan": "CANARY-plan wound care at the clinic twice a week",
            "medical_record_number": "CANARY-MRN-8812",
            "submission_token": "tok-s27",
        },
    )
    assert response.status_code == 302
    for column in ("discharge_plan", "medical_record_number"):
        (stored,) = _raw("injuries", column)
        assert stored.startswith(CIPHERTEXT_PREFIX) and "CANARY" not in stored
    injury_id = db.session.execute(select(Injury.id)).scalar_one()
    page = client.get(f"/injuries/{injury_id}").get_data(as_text=True)
    assert "CANARY-plan wound care" in page and "CANARY-MRN-8812" in page


def test_s27_empty_text_and_null_are_stored_as_they_are(app, outreach_case, make_contact):
    """S27: "no notes" stays an empty string in SQL, so it can still be told apart cheaply."""
    case, worker = outreach_case
    make_contact(case, worker, notes="")
    assert _raw("contacts", "notes") == [""]
    assert db.session.execute(select(Contact.notes)).scalar_one() == ""


# --- keys: several readable, one writing, a missing one refused ---------------------------------


def test_s27_a_key_added_in_front_still_reads_old_rows_and_writes_new_ones(app, outreach_case, make_contact):
    """S27: with the new key first and the old one after it, old rows read and new rows use the new key."""
    case, worker = outreach_case
    _use_keys(app, KEY_A)
    make_contact(case, worker, notes="written under A")
    _use_keys(app, KEY_B, KEY_A)
    assert db.session.execute(select(Contact.notes)).scalar_one() == "written under A"
    make_contact(case, worker, notes="written under B")
    _old, new = _raw("contacts", "notes")
    assert Fernet(KEY_B).decrypt(new.encode()) == b"written under B"
    with pytest.raises(InvalidToken):
        Fernet(KEY_A).decrypt(new.encode())


def test_s27_rotate_key_makes_old_rows_readable_with_only_the_new_key(app, outreach_case, make_contact):
    """S27: after rotate-key the old key can go; counts per table are printed and the run is audited."""
    case, worker = outreach_case
    _use_keys(app, KEY_A)
    contacts = [make_contact(case, worker, notes=f"note {n}") for n in range(3)]
    make_contact(case, worker, notes="")
    before = [(c.updated_at, c.version) for c in contacts]
    _use_keys(app, KEY_B, KEY_A)

    result = app.test_cli_runner().invoke(args=["rotate-key", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "contacts: 4 rows read, 3 values re-encrypted, 0 already on the first key" in result.output
    assert "case_status_changes: 1 rows read, 0 values re-encrypted" in result.output
    assert "Done: 3 values re-encrypted" in result.output
    assert audit_count(action="rotate_key") == 1

    _use_keys(app, KEY_B)
    assert [c.notes for c in contacts] == ["note 0", "note 1", "note 2"]
    # Re-encryption is not an edit: no conflict for someone editing, no new "last changed" time.
    assert [(c.updated_at, c.version) for c in contacts] == before

    again = app.test_cli_runner().invoke(args=["rotate-key"])
    assert "contacts: 4 rows read, 0 values re-encrypted, 3 already on the first key" in again.output


def test_s27_rotate_key_keeps_a_change_made_during_the_run(app, outreach_case, make_contact, monkeypatch):
    """S27: a note saved by a worker between rotate-key's read and its write is not overwritten."""
    from caseflow.crypto import rotation

    case, worker = outreach_case
    _use_keys(app, KEY_A)
    contact = make_contact(case, worker, notes="old text")
    _use_keys(app, KEY_B, KEY_A)
    real_write = rotation._write

    def worker_saves_first(table, key, name, changes):
        if table.name == "contacts" and changes:
            db.session.execute(
                text("UPDATE contacts SET notes = :token WHERE id = :id"),
                {"token": Fernet(KEY_B).encrypt(b"new text").decode(), "id": contact.id},
            )
        return real_write(table, key, name, changes)

    monkeypatch.setattr(rotation, "_write", worker_saves_first)
    result = app.test_cli_runner().invoke(args=["rotate-key"])
    assert "contacts: 1 rows read, 0 values re-encrypted" in result.output
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).notes == "new text"


def test_s27_without_the_writing_key_a_value_is_a_clear_error_not_ciphertext(app, outreach_case, make_contact):
    """S27: a value no configured key opens raises an error that says so; the page shows neither text nor token."""
    case, worker = outreach_case
    _use_keys(app, KEY_A)
    make_contact(case, worker, notes="CANARY-secret")
    (token,) = _raw("contacts", "notes")
    _use_keys(app, KEY_B)
    with pytest.raises(UndecryptableValueError, match="cannot be decrypted with any key in CASEFLOW_ENCRYPTION_KEYS"):
        db.session.execute(select(Contact.notes)).scalar_one()
    db.session.rollback()

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    login(client, worker)
    response = client.get(f"/cases/{case.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong" in page
    assert "CANARY-secret" not in page and token[:20] not in page and CIPHERTEXT_PREFIX not in page


def test_s27_plain_text_in_an_encrypted_column_is_refused_not_shown(app, outreach_case, make_contact):
    """S27: text written around the application (or left by a skipped migration) is an error, never shown."""
    case, worker = outreach_case
    contact = make_contact(case, worker, notes="x")
    db.session.execute(text("UPDATE contacts SET notes = 'typed in psql' WHERE id = :id"), {"id": contact.id})
    db.session.commit()
    with pytest.raises(UndecryptableValueError, match="not a Fernet token"):
        db.session.execute(select(Contact.notes)).scalar_one()


def test_s27_rotate_key_stops_at_a_value_no_key_opens_and_says_where(app, outreach_case, make_contact):
    """S27: rotate-key names the table, column and row it cannot read, exits non-zero and audits the stop."""
    case, worker = outreach_case
    _use_keys(app, KEY_C)
    make_contact(case, worker, notes="lost key")
    _use_keys(app, KEY_A)
    kept = make_contact(case, worker, notes="readable")
    _use_keys(app, KEY_B, KEY_A)
    result = app.test_cli_runner().invoke(args=["rotate-key"])
    assert result.exit_code == 1
    assert "contacts.notes of row" in result.output and "cannot be decrypted" in result.output
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "rotate_key")).scalar_one()
    assert event.detail.startswith("flask rotate-key stopped: contacts.notes")
    assert db.session.get(Contact, kept.id).notes == "readable"


def test_s27_generate_key_prints_a_new_usable_key(app):
    """S27: operators get a fresh Fernet key each time, and nothing is stored."""
    runner = app.test_cli_runner()
    first, second = (runner.invoke(args=["generate-key"]).output.strip() for _ in range(2))
    assert first != second
    assert Fernet(first).decrypt(Fernet(first).encrypt(b"ok")) == b"ok"


# --- configuration ------------------------------------------------------------------------------


def _production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db/caseflow")


def test_s27_production_refuses_to_start_without_an_encryption_key(monkeypatch):
    """S27: production never falls back to the development key."""
    _production_env(monkeypatch)
    monkeypatch.delenv("CASEFLOW_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(RuntimeError, match="CASEFLOW_ENCRYPTION_KEYS"):
        ProductionConfig.from_env()
    monkeypatch.setenv("CASEFLOW_ENCRYPTION_KEYS", " , ")
    with pytest.raises(RuntimeError, match="CASEFLOW_ENCRYPTION_KEYS"):
        ProductionConfig.from_env()


def test_s27_production_refuses_the_development_key(monkeypatch):
    """S27: the development key is in the source code, so production will not use it, even as an old key."""
    _production_env(monkeypatch)
    monkeypatch.setenv("CASEFLOW_ENCRYPTION_KEYS", f"{KEY_A},{DEVELOPMENT_ENCRYPTION_KEY}")
    with pytest.raises(RuntimeError, match="development key"):
        ProductionConfig.from_env()


def test_s27_production_takes_its_keys_in_order_from_the_environment(monkeypatch):
    """S27: the first key listed is the one that encrypts."""
    _production_env(monkeypatch)
    monkeypatch.setenv("CASEFLOW_ENCRYPTION_KEYS", f" {KEY_B} ,{KEY_A},")
    assert ProductionConfig.from_env()["ENCRYPTION_KEYS"] == (KEY_B, KEY_A)


def test_s27_a_malformed_key_stops_start_up_without_printing_it(monkeypatch):
    """S27: a mistyped key fails when the app is built, naming its position, not its value."""
    monkeypatch.setenv("CASEFLOW_ENCRYPTION_KEYS", f"{KEY_A},not-a-real-key-value")
    with pytest.raises(EncryptionKeyError, match="Key 2 of 2") as error:
        create_app("testing")
    assert "not-a-real-key-value" not in str(error.value)


# --- the migration ------------------------------------------------------------------------------


def _before_encryption(app) -> str:
    """The revision this one follows, whatever the chain looks like after merges."""
    return (
        ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        .get_revision("0013_encrypted_text")
        .down_revision
    )


def test_s27_migration_encrypts_existing_text_and_downgrade_decrypts_it(migration_app):  # noqa: F811
    """S27: upgrading turns stored notes into tokens (leaving tokens and blanks alone); downgrading undoes it."""
    previous = _before_encryption(migration_app)
    upgrade(revision=previous)
    already = Fernet(DEVELOPMENT_ENCRYPTION_KEY).encrypt(b"encrypted before").decode()
    now = datetime(2026, 1, 5, 12, 0)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO programs (id, kind, name, organisation, contact_frequency_days, caseload_target, "
                "workers_see_own_caseload_only, eligibility_threshold, created_at, updated_at, version) "
                "VALUES (1, 'hvip', 'HVIP', '', 7, 12, false, 0, :now, :now, 1)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO participants (id, first_name, last_name, gender, preferred_language, phone, area, "
                "created_at, updated_at, version) VALUES (1, 'Pat', 'Okoro', 'male', '', '', '', :now, :now, 1)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO cases (id, participant_id, program_id, status, referred_on, created_at, updated_at, "
                "version) VALUES (1, 1, 1, 'active', '2026-01-01', :now, :now, 1)"
            ),
            {"now": now},
        )
        for contact_id, notes in ((1, "Met at the clinic, doing better"), (2, ""), (3, already)):
            conn.execute(
                text(
                    "INSERT INTO contacts (id, case_id, occurred_at, mode, contact_type, is_completed, "
                    "location_area, notes, created_at, updated_at, version) "
                    "VALUES (:id, 1, :now, 'phone', 'check_in', true, '', :notes, :now, :now, 1)"
                ),
                {"id": contact_id, "notes": notes, "now": now},
            )
        conn.execute(
            text(
                "INSERT INTO injuries (id, program_id, injured_at, mechanism, hospital, care_level, "
                "medical_record_number, arrived_at, discharge_plan, funnel_stage, funnel_reason, is_reinjury, "
                "patient_gender, created_at, updated_at, version) VALUES (1, 1, :now, 'gunshot', 'County', "
                "'admitted', 'MRN-40-characters-long-0123456789012345', :now, 'Clinic twice a week', "
                "'screened', '', false, '', :now, :now, 1)"
            ),
            {"now": now},
        )

    upgrade(revision="0013_encrypted_text")
    with db.engine.connect() as conn:
        notes = conn.execute(text("SELECT notes FROM contacts ORDER BY id")).scalars().all()
        mrn, plan = conn.execute(text("SELECT medical_record_number, discharge_plan FROM injuries")).one()
    assert notes[0].startswith(CIPHERTEXT_PREFIX) and "clinic" not in notes[0]
    assert notes[1:] == ["", already]
    assert mrn.startswith(CIPHERTEXT_PREFIX) and plan.startswith(CIPHERTEXT_PREFIX)
    assert db.session.execute(select(Contact.notes).order_by(Contact.id)).scalars().all() == [
        "Met at the clinic, doing better",
        "",
        "encrypted before",
    ]
    assert db.session.execute(select(Injury.medical_record_number)).scalar_one() == (
        "MRN-40-characters-long-0123456789012345"
    )
    db.session.rollback()

    downgrade(revision=previous)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT notes FROM contacts ORDER BY id")).scalars().all() == [
            "Met at the clinic, doing better",
            "",
            "encrypted before",
        ]
        assert conn.execute(text("SELECT medical_record_number, discharge_plan FROM injuries")).one() == (
            "MRN-40-characters-long-0123456789012345",
            "Clinic twice a week",
        )
