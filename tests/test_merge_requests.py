"""Workers report duplicates; supervisors merge them (which settles the report) or return them with a note."""

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import MergeRequest, Participant
from tests.conftest import audit_count, login


@pytest.fixture
def pair(make_program, make_user, make_case):
    outreach = make_program("street_outreach", "Street Outreach")
    hvip = make_program("hvip", "HVIP")
    worker = make_user(roles={outreach: "worker"}, full_name="Wes Worker")
    supervisor = make_user(roles={outreach: "supervisor"}, full_name="Sam Super")
    hvip_supervisor = make_user(roles={hvip: "supervisor"})
    first = make_case(outreach, worker, first_name="Marcus", last_name="Bell")
    second = make_case(outreach, worker, status="closed", first_name="Markus", last_name="Bell")
    return {
        "worker": worker,
        "supervisor": supervisor,
        "hvip_supervisor": hvip_supervisor,
        "first": first.participant,
        "second": second.participant,
    }


def _report(client, pair, other_id=None, reason="Same DOB and phone."):
    return client.post(
        f"/participants/{pair['first'].id}/duplicate",
        data={"other_id": str(other_id or pair["second"].id), "reason": reason},
    )


def _requests() -> int:
    return db.session.execute(select(func.count(MergeRequest.id))).scalar_one()


def test_a_worker_reports_a_duplicate_and_the_supervisor_sees_it(client, pair):
    login(client, pair["worker"])
    page = client.get(f"/participants/{pair['first'].id}").get_data(as_text=True)
    assert "Report a duplicate" in page and "Merge with another record" not in page
    response = _report(client, pair)
    assert response.status_code == 302
    assert _requests() == 1
    assert audit_count(action="create", record_type="merge_request") == 1
    assert "Waiting for a supervisor" in client.get(f"/participants/{pair['first'].id}").get_data(as_text=True)
    login(client, pair["supervisor"])
    listing = client.get("/participants/merge-requests").get_data(as_text=True)
    assert "Marcus Bell" in listing and "Markus Bell" in listing and "Same DOB and phone." in listing
    assert f"/participants/{pair['first'].id}/merge?other={pair['second'].id}" in listing
    assert "1 duplicate report waiting" in client.get("/alerts").get_data(as_text=True)


def test_a_report_keeps_what_was_typed_when_refused(client, pair, make_program, make_case):
    other_program = make_program("hvip", "Elsewhere")
    hidden = make_case(other_program, first_name="Hidden", last_name="Person").participant
    login(client, pair["worker"])
    refused = _report(client, pair, other_id=hidden.id, reason="Looks like him in the photo.")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "No record with that number in your programs." in body
    assert "Looks like him in the photo." in body
    same = _report(client, pair, other_id=pair["first"].id)
    assert "That is this record" in same.get_data(as_text=True)
    empty = _report(client, pair, reason="")
    assert "Say why you think these records are the same person." in empty.get_data(as_text=True)
    assert _requests() == 0


def test_the_same_pair_cannot_be_reported_twice_while_pending(client, pair):
    login(client, pair["worker"])
    _report(client, pair)
    again = client.post(
        f"/participants/{pair['second'].id}/duplicate", data={"other_id": str(pair["first"].id), "reason": "Again."}
    )
    assert "already reported" in again.get_data(as_text=True)
    assert _requests() == 1


def test_merging_the_pair_settles_the_report(client, pair):
    login(client, pair["worker"])
    _report(client, pair)
    login(client, pair["supervisor"])
    merged = client.post(
        f"/participants/{pair['first'].id}/merge",
        data={"other_id": str(pair["second"].id), "keep_id": str(pair["first"].id), "note": "Confirmed."},
    )
    assert merged.status_code == 302
    request = db.session.execute(select(MergeRequest)).scalar_one()
    assert (request.status, request.decided_by_id) == ("merged", pair["supervisor"].id)
    assert request.merge_id is not None
    assert "No duplicate reports are waiting." in client.get("/participants/merge-requests").get_data(as_text=True)


def test_returning_a_report_needs_a_note_and_the_worker_sees_it(client, pair):
    login(client, pair["worker"])
    _report(client, pair)
    request_id = db.session.execute(select(MergeRequest.id)).scalar_one()
    login(client, pair["supervisor"])
    refused = client.post(f"/participants/merge-requests/{request_id}/return", data={"note": ""})
    assert "Say why you are returning this report." in refused.get_data(as_text=True)
    returned = client.post(
        f"/participants/merge-requests/{request_id}/return",
        data={"note": "Different dates of birth; check with him."},
    )
    assert returned.status_code == 302
    db.session.expire_all()
    assert db.session.get(MergeRequest, request_id).status == "returned"
    assert db.session.get(Participant, pair["second"].id).merged_into_id is None
    login(client, pair["worker"])
    page = client.get(f"/participants/{pair['first'].id}").get_data(as_text=True)
    assert "Returned" in page and "Different dates of birth; check with him." in page


def test_only_supervisors_who_see_both_records_decide(client, pair):
    login(client, pair["worker"])
    _report(client, pair)
    request_id = db.session.execute(select(MergeRequest.id)).scalar_one()
    assert client.get("/participants/merge-requests").status_code == 404
    assert client.post(f"/participants/merge-requests/{request_id}/return", data={"note": "x"}).status_code == 404
    login(client, pair["hvip_supervisor"])
    assert "No duplicate reports are waiting." in client.get("/participants/merge-requests").get_data(as_text=True)
    assert client.post(f"/participants/merge-requests/{request_id}/return", data={"note": "x"}).status_code == 404
    assert db.session.get(MergeRequest, request_id).status == "pending"
