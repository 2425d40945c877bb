"""Finding people well, checking for duplicates before creating one, and editing a person."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent, Case, Participant, ParticipantRaceEthnicity
from caseflow.models.base import utcnow
from tests.conftest import login

# --- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def team(make_program, make_user):
    """An outreach program with a worker and a supervisor, and an HVIP program the team cannot see."""
    outreach = make_program("street_outreach", "Street Outreach")
    hvip = make_program("hvip", "HVIP North")
    return {
        "outreach": outreach,
        "hvip": hvip,
        "worker": make_user(roles={outreach: "worker"}, full_name="Rae Worker"),
        "supervisor": make_user(roles={outreach: "supervisor"}, full_name="Sam Supervisor"),
        "hvip_worker": make_user(roles={hvip: "worker"}, full_name="Hal Hvip"),
    }


@pytest.fixture
def marcus(team, person):
    """Marcus Bell, known to outreach as Bird and Lil M."""
    return person(
        team["outreach"],
        team["worker"],
        aliases=("Bird", "Lil M"),
        first_name="Marcus",
        last_name="Bell",
        date_of_birth=date(2004, 3, 9),
        phone="(555) 201-3344",
        area="Eastside",
    )


def _search(client, q: str) -> str:
    response = client.post("/participants/search", data={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _results(page: str) -> str:
    """The part of the search page after the form, where results and notices appear."""
    return page.split("found", 1)[1]


def _new_person(program, **overrides) -> dict:
    data = {
        "first_name": "Markus",
        "last_name": "Bell",
        "aliases": "Lil M, Smoke",
        "date_of_birth": "2004-03-09",
        "gender": "male",
        "race_ethnicity": ["black", "hispanic_latino"],
        "preferred_language": "Spanish",
        "phone": "555 999 0000",
        "area": "Westside",
        "program_id": program.id,
        "start_status": "active",
        "referral_source": "community",
        "referred_on": "2026-01-02",
        "risk_level": "high",
        "submission_token": "token-1",
    }
    data.update(overrides)
    return data


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or re.search(
        rf'type="hidden" name="{name}" value="([^"]*)"', page
    )
    assert match, f"no hidden {name} in page"
    return match.group(1)


# --- search -----------------------------------------------------------------------------


def test_a_misspelled_name_finds_the_person(client, team, marcus):
    """Typing 'Marcos Bel' still finds Marcus Bell, and says the spelling is close."""
    login(client, team["worker"])
    page = _search(client, "Marcos Bel")
    assert "1 person found" in page
    assert "Marcus Bell" in page and "name spelled similarly" in page


def test_a_nickname_finds_the_formal_name(client, team, person):
    """Mike finds Michael, and the reason names the nickname."""
    person(team["outreach"], first_name="Michael", last_name="Jordan")
    login(client, team["worker"])
    page = _search(client, "Mike Jordan")
    assert "Michael Jordan" in page
    assert "nickname: Mike for Michael" in page


def test_a_street_name_finds_the_person(client, team, marcus):
    """An alias or street name is searched like a name, and the reason names the alias."""
    login(client, team["worker"])
    page = _search(client, "bird")
    assert "Marcus Bell" in page and "alias ‘Bird’" in page


@pytest.mark.parametrize("typed", ["2004-03-09", "03/09/2004"])
def test_a_date_of_birth_finds_the_person_in_either_format(client, team, marcus, person, typed):
    """ISO or US month-first dates both work; someone born another day is not listed."""
    person(team["outreach"], first_name="Other", last_name="Person", date_of_birth=date(1990, 1, 1))
    login(client, team["worker"])
    page = _search(client, typed)
    assert "1 person found" in page
    assert "Marcus Bell" in page and "same date of birth" in page


def test_a_phone_number_matches_on_digits_only(client, team, marcus):
    """Dots, spaces or a leading 1 do not matter: the digits are compared."""
    login(client, team["worker"])
    page = _search(client, "1.555.201.3344")
    assert "Marcus Bell" in page and "same phone number" in page


def test_results_are_ranked_best_first(client, team, marcus, person):
    """An exact name ranks above a near one."""
    person(team["outreach"], first_name="Marcus", last_name="Ball")
    login(client, team["worker"])
    page = _results(_search(client, "Marcus Bell"))
    assert "2 people found" in _search(client, "Marcus Bell")
    assert page.index("Marcus Bell") < page.index("Marcus Ball")


def test_search_hides_deleted_and_merged_people(client, team, person):
    """Soft-deleted and merged-away records are never search results."""
    deleted = person(team["outreach"], first_name="Dana", last_name="Gone")
    deleted.deleted_at = utcnow()
    kept = person(team["outreach"], first_name="Dana", last_name="Kept")
    merged = person(team["outreach"], first_name="Dana", last_name="Merged")
    merged.merged_into_id = kept.id
    db.session.commit()
    login(client, team["worker"])
    page = _search(client, "Dana")
    assert "1 person found" in page
    assert "Dana Kept" in page and "Gone" not in page and "Dana Merged" not in page


def test_search_terms_travel_in_the_post_body_not_the_url(client, team, marcus):
    """A search in the query string runs nothing; the form posts."""
    login(client, team["worker"])
    page = client.get("/participants/search?q=Bell").get_data(as_text=True)
    assert '<form method="post"' in page
    assert "found" not in page
    assert db.session.execute(select(func.count(AuditEvent.id)).where(AuditEvent.action == "search")).scalar_one() == 0


def test_the_search_audit_row_holds_the_ids_shown_and_no_terms(client, team, marcus):
    """Who saw whom is answerable; what was typed is not stored."""
    login(client, team["worker"])
    _search(client, "Marcos Bel 2004-03-09")
    [event] = db.session.execute(select(AuditEvent).where(AuditEvent.action == "search")).scalars()
    assert (event.user_id, event.record_type, event.record_ids) == (team["worker"].id, "participant", str(marcus.id))
    stored = f"{event.detail} {event.record_ids} {event.record_type}".lower()
    for term in ("marcos", "bel ", "2004"):
        assert term not in stored


def test_search_lists_only_people_in_scope(client, team, marcus, person):
    """Another program's person is not a result, however well they match."""
    person(team["hvip"], first_name="Marcus", last_name="Belle")
    login(client, team["worker"])
    page = _search(client, "Marcus")
    assert "1 person found" in page
    assert "Belle" not in page


@pytest.fixture
def hvip_marcus(team, person):
    """A Marcus Bell known only to the HVIP program."""
    return person(
        team["hvip"],
        team["hvip_worker"],
        aliases=("Smoke",),
        first_name="Marcus",
        last_name="Bell",
        date_of_birth=date(2003, 7, 14),
        phone="(555) 444-1212",
        area="Northside",
    )


def _assert_nothing_of_hvip_marcus(page: str, hvip_marcus) -> None:
    for secret in (
        "Smoke",
        "Northside",
        "14 Jul 2003",
        "2003-07-14",
        "(555) 444-1212",
        f"/participants/{hvip_marcus.id}",
    ):
        assert secret not in page, secret


def test_a_strong_match_out_of_scope_shows_only_where_to_ask(client, team, hvip_marcus):
    """The notice names the program and nothing about the person: no name, birth date, phone or count."""
    login(client, team["worker"])
    page = _search(client, "Marcus Bell")
    results = _results(page)
    assert "0 people found" in page
    assert (
        "A possible match exists in HVIP North. Ask that program&#39;s supervisor before creating a new record."
        in results
        or "A possible match exists in HVIP North. Ask that program's supervisor before creating a new record."
        in results
    )
    assert "Marcus" not in results and "Bell" not in results
    _assert_nothing_of_hvip_marcus(page, hvip_marcus)


def test_a_phone_match_out_of_scope_shows_the_notice_without_the_person(client, team, hvip_marcus):
    """A phone number can reveal only that someone exists elsewhere, never who."""
    login(client, team["worker"])
    page = _search(client, "555 444 1212")
    assert "A possible match exists in HVIP North." in page
    assert "Marcus" not in page and "Bell" not in page
    _assert_nothing_of_hvip_marcus(page, hvip_marcus)


def test_several_matches_out_of_scope_give_one_notice_and_no_count(client, team, hvip_marcus, person):
    """Two matching people elsewhere read the same as one."""
    person(team["hvip"], first_name="Marcus", last_name="Bell")
    login(client, team["worker"])
    page = _search(client, "Marcus Bell")
    assert page.count("A possible match exists in HVIP North.") == 1
    assert "2" not in _results(page).split("A possible match")[1].split("</div>")[0]


def test_a_weak_match_out_of_scope_gives_no_notice(client, team, hvip_marcus):
    """A single shared word is not enough to hint at another program's person."""
    login(client, team["worker"])
    assert "possible match" not in _search(client, "Bell")


def test_an_administrator_gets_no_out_of_scope_notice(client, make_user, hvip_marcus):
    """Someone without any program cannot use the notice to probe the records."""
    login(client, make_user(is_admin=True))
    page = _search(client, "Marcus Bell")
    assert "0 people found" in page and "possible match" not in page


# --- duplicate check before creating a person ----------------------------------------------


def test_a_likely_duplicate_is_shown_before_anything_is_created(client, team, marcus):
    """A near name with the same birth date shows Marcus, why he matched, and a way to open his case."""
    login(client, team["worker"])
    response = client.post("/participants/new", data=_new_person(team["outreach"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Is this someone already known?" in page
    assert "Marcus Bell" in page
    assert "same date of birth" in page and "alias ‘Lil M’" in page
    assert f'href="/participants/{marcus.id}/cases/new"' in page
    assert "None of these — create a new person" in page
    assert _count(Participant) == 1 and _count(Case) == 1


def test_the_duplicate_check_keeps_everything_typed(client, team, marcus):
    """Every field comes back filled, ready to confirm."""
    login(client, team["worker"])
    page = client.post("/participants/new", data=_new_person(team["outreach"])).get_data(as_text=True)
    for typed in ("Markus", "Lil M, Smoke", "2004-03-09", "Spanish", "555 999 0000", "Westside", "2026-01-02"):
        assert typed in page, typed
    assert re.search(r'<input checked[^>]*value="black"', page)
    assert re.search(r'<input checked[^>]*value="hispanic_latino"', page)
    assert re.search(r'<option selected value="high"', page)
    assert _hidden(page, "submission_token") == "token-1"


def test_none_of_these_creates_the_new_person(client, team, marcus):
    """Confirming after the check creates the person and their case."""
    login(client, team["worker"])
    first = client.post("/participants/new", data=_new_person(team["outreach"])).get_data(as_text=True)
    confirmed = _hidden(first, "confirmed")
    response = client.post("/participants/new", data=_new_person(team["outreach"], confirmed=confirmed))
    assert response.status_code == 302
    created = db.session.execute(select(Participant).where(Participant.first_name == "Markus")).scalar_one()
    assert sorted(a.name for a in created.aliases) == ["Lil M", "Smoke"]
    assert response.location.endswith(f"/cases/{created.cases[0].id}")
    assert _count(Participant) == 2


def test_changing_the_name_after_the_check_checks_again(client, team, marcus):
    """The confirmation covers what was checked; a different name is checked anew."""
    login(client, team["worker"])
    first = client.post("/participants/new", data=_new_person(team["outreach"])).get_data(as_text=True)
    confirmed = _hidden(first, "confirmed")
    page = client.post(
        "/participants/new", data=_new_person(team["outreach"], first_name="Marcus", confirmed=confirmed)
    ).get_data(as_text=True)
    assert "Is this someone already known?" in page
    assert _count(Participant) == 1


def test_someone_unlike_anyone_is_created_straight_away(client, team, marcus):
    """No likely match, no extra step."""
    login(client, team["worker"])
    response = client.post(
        "/participants/new",
        data=_new_person(team["outreach"], first_name="Tanya", last_name="Ruiz", aliases="", date_of_birth=""),
    )
    assert response.status_code == 302
    assert _count(Participant) == 2


def test_an_out_of_scope_match_on_create_shows_only_the_notice(client, team, hvip_marcus):
    """Creating someone who may be known elsewhere says where to ask and nothing about them."""
    login(client, team["worker"])
    page = client.post(
        "/participants/new",
        data=_new_person(team["outreach"], first_name="Marcus", aliases="", date_of_birth="", phone="555-444-1212"),
    ).get_data(as_text=True)
    assert "A possible match exists in HVIP North." in page
    assert "None of these — create a new person" in page
    _assert_nothing_of_hvip_marcus(page, hvip_marcus)
    assert _count(Participant) == 1


def test_the_duplicate_check_is_audited_with_the_ids_shown(client, team, marcus):
    """Showing possible matches is a search of participant data."""
    login(client, team["worker"])
    client.post("/participants/new", data=_new_person(team["outreach"]))
    [event] = db.session.execute(select(AuditEvent).where(AuditEvent.action == "search")).scalars()
    assert event.record_ids == str(marcus.id)
    assert "markus" not in event.detail.lower()


def test_a_double_tap_creates_one_person_and_one_case(client, team):
    """The same submission token twice: one person, one case, and both taps land on that case."""
    login(client, team["worker"])
    data = _new_person(team["outreach"])
    first = client.post("/participants/new", data=data)
    second = client.post("/participants/new", data=data)
    assert _count(Participant) == 1 and _count(Case) == 1
    case_id = db.session.execute(select(Case.id)).scalar_one()
    assert first.location.endswith(f"/cases/{case_id}") and second.location.endswith(f"/cases/{case_id}")


def test_a_double_tap_on_none_of_these_creates_one_person(client, team, marcus):
    """The confirmation carries the same token, so repeating it saves nothing more."""
    login(client, team["worker"])
    first = client.post("/participants/new", data=_new_person(team["outreach"])).get_data(as_text=True)
    data = _new_person(team["outreach"], confirmed=_hidden(first, "confirmed"))
    client.post("/participants/new", data=data)
    client.post("/participants/new", data=data)
    assert _count(Participant) == 2 and _count(Case) == 2


# --- the person page ----------------------------------------------------------------------


def test_the_person_page_offers_edit_to_workers_and_merge_to_supervisors(client, team, marcus):
    """Workers may correct a record; only supervisors and managers merge."""
    login(client, team["worker"])
    page = client.get(f"/participants/{marcus.id}").get_data(as_text=True)
    assert f"/participants/{marcus.id}/edit" in page and "/merge" not in page
    login(client, team["supervisor"])
    page = client.get(f"/participants/{marcus.id}").get_data(as_text=True)
    assert f"/participants/{marcus.id}/merge" in page and "Merge with another record" in page


# --- edit ---------------------------------------------------------------------------------


def _edit_data(participant, **overrides) -> dict:
    data = {
        "first_name": "Marcus",
        "last_name": "Bell",
        "aliases": "Bird, Lil M",
        "date_of_birth": "2004-03-09",
        "gender": "male",
        "race_ethnicity": ["black"],
        "preferred_language": "English",
        "phone": "(555) 201-3344",
        "area": "Eastside",
        "version": str(participant.version),
    }
    data.update(overrides)
    return data


def test_the_edit_form_starts_from_the_saved_record(client, team, marcus):
    """Names, aliases, birth date and the version are filled in."""
    login(client, team["worker"])
    page = client.get(f"/participants/{marcus.id}/edit").get_data(as_text=True)
    assert 'value="Marcus"' in page and 'value="Bird, Lil M"' in page and 'value="2004-03-09"' in page
    assert _hidden(page, "version") == str(marcus.version)
    for field in ("first_name", "last_name", "aliases", "date_of_birth", "phone", "area"):
        assert f'for="{field}"' in page, field


def test_editing_saves_the_changes_and_audits_an_update(client, team, marcus):
    """Phone, aliases and categories change; the saved aliases are exactly the typed list."""
    login(client, team["worker"])
    response = client.post(
        f"/participants/{marcus.id}/edit",
        data=_edit_data(marcus, phone="555-000-1111", aliases="bird, Smoke", race_ethnicity=["white", "black"]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Participant, marcus.id)
    assert saved.phone == "555-000-1111"
    assert sorted(a.name for a in saved.aliases) == ["Smoke", "bird"]
    assert sorted(r.category for r in saved.race_ethnicities) == ["black", "white"]
    assert saved.version == 2
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "update")).scalars().all()
    assert [(e.record_type, e.record_id) for e in events] == [("participant", marcus.id)]


def test_a_birth_date_replaces_an_estimated_age(client, team, person):
    """Once the date is known the estimate goes."""
    someone = person(
        team["outreach"], first_name="Ana", last_name="Diaz", estimated_age=19, estimated_age_on=date(2025, 1, 1)
    )
    login(client, team["worker"])
    client.post(
        f"/participants/{someone.id}/edit",
        data=_edit_data(someone, first_name="Ana", last_name="Diaz", date_of_birth="2006-05-01", estimated_age="19"),
    )
    db.session.expire_all()
    saved = db.session.get(Participant, someone.id)
    assert (saved.date_of_birth, saved.estimated_age, saved.estimated_age_on) == (date(2006, 5, 1), None, None)


def test_bad_edit_input_shows_errors_and_keeps_what_was_typed(client, team, marcus):
    """Nothing saved; every typed value is still in the form."""
    login(client, team["worker"])
    response = client.post(
        f"/participants/{marcus.id}/edit",
        data=_edit_data(marcus, first_name="", phone="call me", aliases="Bird, Smoke", area="Southside"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a first name." in page and "Use digits, spaces and + - ( ) only." in page
    for typed in ("call me", "Bird, Smoke", "Southside"):
        assert typed in page
    db.session.expire_all()
    assert db.session.get(Participant, marcus.id).area == "Eastside"


def test_a_stale_edit_gets_a_conflict_page_with_both_values(client, team, marcus):
    """Someone saved first: 409, the user's input beside the saved value, nothing overwritten."""
    login(client, team["worker"])
    stale_version = marcus.version
    marcus.phone = "555-222-2222"  # a colleague's save in between
    db.session.commit()
    response = client.post(
        f"/participants/{marcus.id}/edit", data=_edit_data(marcus, phone="555-777-7777", version=str(stale_version))
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this first" in page
    assert "555-777-7777" in page and "555-222-2222" in page
    db.session.expire_all()
    assert db.session.get(Participant, marcus.id).phone == "555-222-2222"


def test_saving_again_from_the_conflict_page_keeps_the_users_version(client, team, marcus):
    """The conflict page's form carries the current version, so a deliberate resubmit saves."""
    login(client, team["worker"])
    stale_version = marcus.version
    marcus.phone = "555-222-2222"
    db.session.commit()
    page = client.post(
        f"/participants/{marcus.id}/edit", data=_edit_data(marcus, phone="555-777-7777", version=str(stale_version))
    ).get_data(as_text=True)
    response = client.post(
        f"/participants/{marcus.id}/edit",
        data=_edit_data(marcus, phone="555-777-7777", version=_hidden(page, "version")),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, marcus.id).phone == "555-777-7777"


def test_a_stale_alias_only_edit_is_also_a_conflict(client, team, marcus):
    """A colleague who changed only the aliases still moved the version."""
    login(client, team["worker"])
    page = client.get(f"/participants/{marcus.id}/edit").get_data(as_text=True)
    version = _hidden(page, "version")
    client.post(f"/participants/{marcus.id}/edit", data=_edit_data(marcus, aliases="Bird", version=version))
    response = client.post(f"/participants/{marcus.id}/edit", data=_edit_data(marcus, aliases="Lil M", version=version))
    assert response.status_code == 409
    db.session.expire_all()
    assert [a.name for a in db.session.get(Participant, marcus.id).aliases] == ["Bird"]


def test_editing_someone_out_of_scope_is_not_found_and_changes_nothing(client, team, hvip_marcus):
    """IDOR: another program's person answers 404 to GET and POST alike."""
    login(client, team["worker"])
    assert client.get(f"/participants/{hvip_marcus.id}/edit").status_code == 404
    response = client.post(f"/participants/{hvip_marcus.id}/edit", data=_edit_data(hvip_marcus, phone="0000000"))
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Participant, hvip_marcus.id).phone == "(555) 444-1212"


def test_editing_ignores_fields_the_form_does_not_declare(client, team, marcus):
    """Extra POST fields such as merged_into_id or created_by_id change nothing."""
    login(client, team["worker"])
    client.post(
        f"/participants/{marcus.id}/edit",
        data=_edit_data(marcus, merged_into_id="1", created_by_id=str(team["supervisor"].id), deleted_at="2020-01-01"),
    )
    db.session.expire_all()
    saved = db.session.get(Participant, marcus.id)
    assert (saved.merged_into_id, saved.created_by_id, saved.deleted_at) == (None, None, None)


def test_race_categories_survive_an_edit_that_keeps_them(client, team, marcus):
    """Keeping a category is not a delete and re-insert of the same key."""
    db.session.add(ParticipantRaceEthnicity(participant_id=marcus.id, category="black"))
    db.session.commit()
    login(client, team["worker"])
    response = client.post(
        f"/participants/{marcus.id}/edit", data=_edit_data(marcus, race_ethnicity=["black", "asian"])
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(r.category for r in db.session.get(Participant, marcus.id).race_ethnicities) == ["asian", "black"]


def test_search_results_cost_no_extra_queries_per_person(client, team, person):
    """Ranking reads plain columns; only the people shown are loaded, in a fixed number of queries."""
    from sqlalchemy import event

    person(team["outreach"], first_name="Dana", last_name="One")
    login(client, team["worker"])

    def statements() -> int:
        count = 0

        def tally(*_args):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", tally)
        try:
            assert "Dana" in _search(client, "Dana")
        finally:
            event.remove(db.engine, "before_cursor_execute", tally)
        return count

    few = statements()
    for n in range(10):
        person(team["outreach"], aliases=(f"D{n}",), first_name="Dana", last_name=f"Many{n}")
    assert statements() == few


def test_with_csrf_on_the_duplicate_check_round_trip_works(csrf_app, team, marcus):
    """The page showing possible matches carries a fresh CSRF token, so confirming from it saves."""
    from tests.conftest import PASSWORD, csrf_token_from

    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": team["worker"].email, "password": PASSWORD, "csrf_token": token})
    form_page = client.get("/participants/new").get_data(as_text=True)
    data = _new_person(team["outreach"], csrf_token=csrf_token_from(form_page))
    checked = client.post("/participants/new", data=data).get_data(as_text=True)
    assert "Is this someone already known?" in checked
    data.update(csrf_token=csrf_token_from(checked), confirmed=_hidden(checked, "confirmed"))
    assert client.post("/participants/new", data=data).status_code == 302
    assert _count(Participant) == 2
