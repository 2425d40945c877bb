"""Supervisors merge two records of one person: everything moves, the other record retires."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import (
    AuditEvent,
    Case,
    Consent,
    Contact,
    Participant,
    ParticipantAlias,
    ParticipantMerge,
    ParticipantRaceEthnicity,
)
from caseflow.participants.merge import MergeRuleError, merge_participants
from tests.conftest import login


@pytest.fixture
def world(make_program, make_user, make_case, make_contact):
    """Outreach sees two records of Marcus; HVIP also holds one of them, out of outreach's sight."""
    outreach = make_program("street_outreach", "Street Outreach")
    hvip = make_program("hvip", "HVIP North")
    worker = make_user(roles={outreach: "worker"})
    supervisor = make_user(roles={outreach: "supervisor"})
    hvip_supervisor = make_user(roles={hvip: "supervisor"})

    kept_case = make_case(outreach, worker, first_name="Marcus", last_name="Bell", area="Eastside")
    kept = kept_case.participant
    db.session.add(ParticipantAlias(participant_id=kept.id, name="Lil M"))
    db.session.add(ParticipantRaceEthnicity(participant_id=kept.id, category="black"))

    # The duplicate: a closed outreach case (so outreach sees it) and an open HVIP case.
    closed_case = make_case(
        outreach,
        worker,
        status="closed",
        first_name="Markus",
        last_name="Bell",
        date_of_birth=date(2004, 3, 9),
        phone="(555) 201-3344",
        area="Westside",
        preferred_language="Spanish",
    )
    retired = closed_case.participant
    hvip_case = Case(participant_id=retired.id, program=hvip, status="active", referred_on=date.today())
    db.session.add(hvip_case)
    db.session.add_all(
        [
            ParticipantAlias(participant_id=retired.id, name="lil m"),
            ParticipantAlias(participant_id=retired.id, name="Bird"),
            ParticipantRaceEthnicity(participant_id=retired.id, category="black"),
            ParticipantRaceEthnicity(participant_id=retired.id, category="hispanic_latino"),
            Consent(
                participant_id=retired.id,
                program_id=hvip.id,
                recipient="Legal Aid",
                signed_on=date.today(),
                expires_on=date.today() + timedelta(days=300),
            ),
        ]
    )
    db.session.commit()
    contact = make_contact(hvip_case, hvip_supervisor, notes="Bedside visit")
    return {
        "outreach": outreach,
        "hvip": hvip,
        "worker": worker,
        "supervisor": supervisor,
        "hvip_supervisor": hvip_supervisor,
        "kept": kept,
        "retired": retired,
        "kept_case": kept_case,
        "closed_case": closed_case,
        "hvip_case": hvip_case,
        "contact": contact,
    }


def _merge(client, world, keep=None, other=None, note="Same DOB and phone; confirmed with him.", url_id=None):
    kept, retired = world["kept"], world["retired"]
    return client.post(
        f"/participants/{url_id or kept.id}/merge",
        data={
            "other_id": str(other or retired.id),
            "keep_id": str(keep or kept.id),
            "note": note,
            "merge": "Merge these records",
        },
    )


def _merges() -> int:
    return db.session.execute(select(func.count(ParticipantMerge.id))).scalar_one()


def _fresh(participant_id: int) -> Participant:
    db.session.expire_all()
    return db.session.get(Participant, participant_id)


# --- a merge -----------------------------------------------------------------------------


def test_merge_moves_every_case_with_its_records_to_the_kept_record(client, world):
    """Cases (even those of programs the supervisor cannot see) and so their contacts follow the person."""
    login(client, world["supervisor"])
    response = _merge(client, world)
    assert response.status_code == 302
    assert response.location.endswith(f"/participants/{world['kept'].id}")
    db.session.expire_all()
    owners = set(db.session.execute(select(Case.participant_id)).scalars())
    assert owners == {world["kept"].id}
    contact = db.session.get(Contact, world["contact"].id)
    assert contact.case_id == world["hvip_case"].id and contact.case.participant_id == world["kept"].id


def test_merge_moves_aliases_without_repeats_and_keeps_the_other_name(client, world):
    """'lil m' is already 'Lil M'; Bird moves; the retired record's name becomes an alias."""
    login(client, world["supervisor"])
    _merge(client, world)
    kept = _fresh(world["kept"].id)
    assert sorted(a.name for a in kept.aliases) == ["Bird", "Lil M", "Markus Bell"]


def test_merge_unions_race_and_ethnicity_and_moves_consents(client, world):
    """Categories from both records; the consent now belongs to the kept record."""
    login(client, world["supervisor"])
    _merge(client, world)
    kept = _fresh(world["kept"].id)
    assert sorted(r.category for r in kept.race_ethnicities) == ["black", "hispanic_latino"]
    assert db.session.execute(select(Consent.participant_id)).scalar_one() == kept.id


def test_merge_fills_only_the_kept_records_empty_fields(client, world):
    """Birth date, phone and language come across; the kept area is not overwritten."""
    login(client, world["supervisor"])
    _merge(client, world)
    kept = _fresh(world["kept"].id)
    assert (kept.date_of_birth, kept.phone, kept.preferred_language) == (date(2004, 3, 9), "(555) 201-3344", "Spanish")
    assert kept.area == "Eastside"


def test_merge_retires_the_other_record_and_records_the_merge(client, world):
    """The retired record points at the kept one and is soft-deleted; the merge row keeps who, when and why."""
    login(client, world["supervisor"])
    _merge(client, world)
    retired = _fresh(world["retired"].id)
    assert retired.merged_into_id == world["kept"].id and retired.deleted_at is not None
    merge = db.session.execute(select(ParticipantMerge)).scalar_one()
    assert (merge.kept_id, merge.retired_id, merge.merged_by_id) == (
        world["kept"].id,
        world["retired"].id,
        world["supervisor"].id,
    )
    assert merge.note == "Same DOB and phone; confirmed with him."


def test_merge_is_audited_for_both_records(client, world):
    """An update for each record, a delete for the retired one, and the moved cases by id; no names."""
    login(client, world["supervisor"])
    _merge(client, world)
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action.in_(["update", "delete"]))).scalars().all()
    found = {(e.action, e.record_type, e.record_id) for e in events}
    assert ("update", "participant", world["kept"].id) in found
    assert ("update", "participant", world["retired"].id) in found
    assert ("delete", "participant", world["retired"].id) in found
    [moved] = [e for e in events if e.record_type == "case"]
    assert set(moved.record_ids.split()) == {str(world["closed_case"].id), str(world["hvip_case"].id)}
    assert not any("Bell" in e.detail or "Markus" in e.detail for e in events)


def test_the_old_address_of_a_merged_record_leads_to_the_kept_one(client, world):
    """Bookmarks keep working: the retired record's page redirects with a note."""
    login(client, world["supervisor"])
    _merge(client, world)
    response = client.get(f"/participants/{world['retired'].id}")
    assert response.status_code == 302
    assert response.location.endswith(f"/participants/{world['kept'].id}")
    page = client.get(response.location).get_data(as_text=True)
    assert f"Record #{world['retired'].id} was merged into this record." in page


def test_the_old_address_stays_not_found_for_someone_who_cannot_see_the_kept_record(
    client, world, make_program, make_user
):
    """The redirect is no oracle: out of scope it is a plain 404."""
    login(client, world["supervisor"])
    _merge(client, world)
    elsewhere = make_program("focused_deterrence", "Deterrence")
    login(client, make_user(roles={elsewhere: "supervisor"}))
    assert client.get(f"/participants/{world['retired'].id}").status_code == 404


def test_a_merged_record_is_no_longer_a_search_result(client, world):
    """Search lists only the kept record."""
    login(client, world["supervisor"])
    _merge(client, world)
    page = client.post("/participants/search", data={"q": "Bell"}).get_data(as_text=True)
    assert "1 person found" in page and "Marcus Bell" in page


def test_the_supervisor_may_keep_the_other_record(client, world):
    """Which record survives is a choice on the form."""
    login(client, world["supervisor"])
    response = _merge(client, world, keep=world["retired"].id)
    assert response.location.endswith(f"/participants/{world['retired'].id}")
    assert _fresh(world["kept"].id).merged_into_id == world["retired"].id


def test_repeating_the_merge_changes_nothing_more(client, world):
    """A double tap finds the records already merged and says so."""
    login(client, world["supervisor"])
    _merge(client, world)
    response = _merge(client, world)
    assert response.status_code == 302
    assert _merges() == 1


# --- the merge page ------------------------------------------------------------------------


def test_the_merge_page_lists_likely_duplicates_with_reasons(client, world):
    """A supervisor starting from one record sees the other, why it matches, and a compare link."""
    login(client, world["supervisor"])
    page = client.get(f"/participants/{world['kept'].id}/merge").get_data(as_text=True)
    assert "Markus Bell" in page and "alias ‘lil m’" in page
    assert f"/participants/{world['kept'].id}/merge?other={world['retired'].id}" in page


def test_finding_the_other_record_by_number_opens_the_comparison(client, world):
    """A record number goes straight to the side-by-side preview."""
    login(client, world["supervisor"])
    response = client.post(
        f"/participants/{world['kept'].id}/merge", data={"q": f"#{world['retired'].id}", "find": "Find"}
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/participants/{world['kept'].id}/merge?other={world['retired'].id}")


def test_finding_the_other_record_by_name_searches_in_the_post_body(client, world):
    """A name is searched like the main search and listed for comparison."""
    login(client, world["supervisor"])
    page = client.post(f"/participants/{world['kept'].id}/merge", data={"q": "Markus", "find": "Find"}).get_data(
        as_text=True
    )
    assert "Records found" in page and f"merge?other={world['retired'].id}" in page


def test_the_preview_shows_both_records_side_by_side_and_is_audited(client, world):
    """Both names, birth dates and phones, and one view row naming both ids."""
    login(client, world["supervisor"])
    response = client.get(f"/participants/{world['kept'].id}/merge?other={world['retired'].id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Marcus Bell" in page and "Markus Bell" in page
    assert "09 Mar 2004" in page and "(555) 201-3344" in page
    assert "Why are these the same person?" in page
    views = db.session.execute(select(AuditEvent).where(AuditEvent.action == "view")).scalars().all()
    assert any(set(e.record_ids.split()) == {str(world["kept"].id), str(world["retired"].id)} for e in views)


def test_a_merge_needs_a_note(client, world):
    """Without saying why, nothing is merged and the form says what is missing."""
    login(client, world["supervisor"])
    response = _merge(client, world, note="")
    assert response.status_code == 200
    assert "Say why these records are the same person." in response.get_data(as_text=True)
    assert _merges() == 0


# --- refusals ------------------------------------------------------------------------------


def test_a_worker_may_not_merge(client, world):
    """403 on the page and on the POST; nothing changes."""
    login(client, world["worker"])
    assert client.get(f"/participants/{world['kept'].id}/merge").status_code == 403
    assert _merge(client, world).status_code == 403
    assert _merges() == 0 and _fresh(world["retired"].id).deleted_at is None


def test_merging_with_a_record_out_of_scope_is_not_found(client, world, make_case):
    """A supervisor substituting another program's person gets 404 and changes nothing."""
    stranger = make_case(world["hvip"], first_name="Marcus", last_name="Bell").participant
    login(client, world["supervisor"])
    assert client.get(f"/participants/{world['kept'].id}/merge?other={stranger.id}").status_code == 404
    assert _merge(client, world, other=stranger.id).status_code == 404
    assert _merges() == 0 and _fresh(stranger.id).deleted_at is None


def test_the_merge_page_of_a_record_out_of_scope_is_not_found(client, world):
    """The HVIP supervisor cannot see the outreach-only record."""
    login(client, world["hvip_supervisor"])
    assert client.get(f"/participants/{world['kept'].id}/merge").status_code == 404
    assert _merge(client, world).status_code == 404
    assert _merges() == 0


def test_a_record_cannot_be_merged_with_itself(client, world):
    """Refused with a clear message; nothing changes."""
    login(client, world["supervisor"])
    response = _merge(client, world, other=world["kept"].id)
    assert response.status_code == 200
    assert "A record cannot be merged with itself." in response.get_data(as_text=True)
    assert _merges() == 0 and _fresh(world["kept"].id).deleted_at is None


def test_two_open_cases_in_one_program_must_be_closed_first(client, world):
    """Both records open in outreach: the user is told to close one first, and nothing moves."""
    closed = world["closed_case"]
    closed.status = "active"
    db.session.commit()
    login(client, world["supervisor"])
    preview = client.get(f"/participants/{world['kept'].id}/merge?other={world['retired'].id}")
    assert "Both records have an open case in Street Outreach." in preview.get_data(as_text=True)
    response = _merge(client, world)
    page = response.get_data(as_text=True)
    assert "Both records have an open case in Street Outreach. Close one of those cases first, then merge." in page
    assert _merges() == 0
    db.session.expire_all()
    assert db.session.get(Case, closed.id).participant_id == world["retired"].id


def test_a_clash_in_a_program_the_user_is_not_in_is_not_named(app, world, make_case):
    """The refusal says where only for programs the supervisor belongs to."""
    kept = world["kept"]
    db.session.add(Case(participant_id=kept.id, program=world["hvip"], status="referred", referred_on=date.today()))
    db.session.commit()
    with pytest.raises(MergeRuleError, match="open case in another program"):
        merge_participants(world["supervisor"], kept, world["retired"], note="x")


def test_an_already_merged_record_cannot_be_merged_again(app, world, make_case):
    """The service refuses a retired record even if a caller passes one in."""
    merge_participants(world["supervisor"], world["kept"], world["retired"], note="first")
    db.session.commit()
    third = make_case(world["outreach"], first_name="Marc", last_name="Bell").participant
    with pytest.raises(MergeRuleError, match="already been merged"):
        merge_participants(world["supervisor"], third, world["retired"], note="again")
    db.session.rollback()
    assert _merges() == 1


def test_the_service_refuses_a_worker(app, world):
    """The rule holds below the view too."""
    with pytest.raises(MergeRuleError, match="Only supervisors and managers"):
        merge_participants(world["worker"], world["kept"], world["retired"])


def test_finding_this_same_record_by_number_asks_for_the_other_one(client, world):
    """Typing the record's own number is caught on the find step."""
    login(client, world["supervisor"])
    response = client.post(f"/participants/{world['kept'].id}/merge", data={"q": str(world["kept"].id), "find": "Find"})
    assert response.status_code == 200
    assert "That is this record." in response.get_data(as_text=True)


def test_an_unknown_or_hidden_record_number_is_reported_without_detail(client, world, make_case):
    """A number outside the supervisor's programs reads exactly like one that does not exist."""
    stranger = make_case(world["hvip"], first_name="Hidden", last_name="Person").participant
    login(client, world["supervisor"])
    hidden = client.post(f"/participants/{world['kept'].id}/merge", data={"q": str(stranger.id), "find": "Find"})
    missing = client.post(f"/participants/{world['kept'].id}/merge", data={"q": "99999", "find": "Find"})
    assert "No record with that number in your programs." in hidden.get_data(as_text=True)
    assert "No record with that number in your programs." in missing.get_data(as_text=True)
    assert "Hidden" not in hidden.get_data(as_text=True)


def test_merge_moves_incident_links_and_drops_a_duplicate_link(app, make_program, make_user, make_case):
    """Links to shooting incidents follow the person; a link both records had stays once."""
    from datetime import datetime

    from sqlalchemy import select

    from caseflow.extensions import db
    from caseflow.models import Incident, IncidentPerson
    from caseflow.participants.merge import merge_participants

    program = make_program("street_outreach", "Merge Incidents")
    supervisor = make_user(roles={program: "supervisor"})
    kept = make_case(program, supervisor, status="closed", last_name="Kept").participant
    retired = make_case(program, supervisor, last_name="Retired").participant
    both, only_retired = (
        Incident(occurred_at=datetime(2026, 5, 1, 22), area="Eastside", source="police", nonfatal_victims=1),
        Incident(occurred_at=datetime(2026, 6, 1, 22), area="Eastside", source="police", nonfatal_victims=1),
    )
    db.session.add_all([both, only_retired])
    db.session.flush()
    db.session.add_all(
        [
            IncidentPerson(incident_id=both.id, participant_id=kept.id, role="victim"),
            IncidentPerson(incident_id=both.id, participant_id=retired.id, role="victim"),
            IncidentPerson(incident_id=only_retired.id, participant_id=retired.id, role="involved"),
        ]
    )
    db.session.commit()
    merge_participants(supervisor, kept, retired, note="same person")
    db.session.commit()
    links = db.session.execute(select(IncidentPerson.incident_id, IncidentPerson.participant_id)).all()
    assert sorted(links) == sorted([(both.id, kept.id), (only_retired.id, kept.id)])


def test_merge_moves_module_records_and_combines_a_shared_call_in(client, world, make_program):
    """Mediation links, call-in invitations, notifications and injuries follow the person."""
    from datetime import datetime

    from caseflow.models import CallIn, CallInInvitee, Injury, Mediation, MediationPerson, Notification

    kept, retired = world["kept"], world["retired"]
    fd = make_program("focused_deterrence", "Deterrence")
    both = CallIn(program_id=fd.id, held_at=datetime(2026, 5, 1, 19), venue="Church hall")
    only_retired = CallIn(program_id=fd.id, held_at=datetime(2026, 6, 1, 19), venue="Library")
    mediation = Mediation(
        program_id=world["outreach"].id, occurred_at=datetime(2026, 5, 2, 15), area="Eastside", identified_by="tip"
    )
    db.session.add_all([both, only_retired, mediation])
    db.session.flush()
    db.session.add_all(
        [
            CallInInvitee(call_in_id=both.id, participant_id=kept.id, attendance="invited"),
            CallInInvitee(call_in_id=both.id, participant_id=retired.id, attendance="attended", help_accepted=True),
            CallInInvitee(call_in_id=only_retired.id, participant_id=retired.id, attendance="absent"),
            MediationPerson(mediation_id=mediation.id, participant_id=retired.id),
            Notification(program_id=fd.id, participant_id=retired.id, notified_on=date(2026, 5, 3), trigger="release"),
            Injury(
                program_id=world["hvip"].id,
                participant_id=retired.id,
                case_id=world["hvip_case"].id,
                injured_at=datetime(2026, 4, 1, 1),
                arrived_at=datetime(2026, 4, 1, 2),
                mechanism="gunshot",
                hospital="North",
                care_level="admitted",
            ),
        ]
    )
    db.session.commit()
    login(client, world["supervisor"])
    assert _merge(client, world).status_code == 302
    db.session.expire_all()
    invitations = {
        row.call_in_id: row
        for row in db.session.execute(select(CallInInvitee).where(CallInInvitee.participant_id == kept.id)).scalars()
    }
    assert set(invitations) == {both.id, only_retired.id}
    assert (invitations[both.id].attendance, invitations[both.id].help_accepted) == ("attended", True)
    for model in (CallInInvitee, MediationPerson, Notification, Injury):
        left = db.session.execute(select(func.count()).where(model.participant_id == retired.id)).scalar_one()
        assert left == 0, model.__name__
    assert db.session.execute(select(MediationPerson.participant_id)).scalar_one() == kept.id
    assert db.session.execute(select(Notification.participant_id)).scalar_one() == kept.id
