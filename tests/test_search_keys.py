"""Search keys: the SQL prefilter finds everyone ranking would list, stays right through edits, and reads few people."""

import random
from datetime import date

import pytest
from flask_login import login_user
from sqlalchemy import select

from caseflow.demo import FIRST_NAME_VARIANTS
from caseflow.extensions import db
from caseflow.models import Participant, ParticipantAlias, ParticipantSearchKey
from caseflow.participants.matching import (
    SEARCH_KEY_LENGTH,
    Candidate,
    Probe,
    parse_search,
    person_keys,
    probe_keys,
    rank,
)
from caseflow.participants.merge import merge_participants
from caseflow.participants.services import (
    _candidates,
    find_possible_duplicates,
    search_participants,
    update_participant,
)
from caseflow.softdelete import soft_delete


@pytest.fixture
def team(make_program, make_user):
    """An outreach program with a worker and a supervisor."""
    outreach = make_program("street_outreach", "Street Outreach")
    return {
        "outreach": outreach,
        "worker": make_user(roles={outreach: "worker"}),
        "supervisor": make_user(roles={outreach: "supervisor"}),
    }


@pytest.fixture
def add(team, person):
    """A person in the outreach program (with aliases), committed; returns the Participant."""

    def make(first_name: str, last_name: str, aliases=(), status: str = "active", **fields) -> Participant:
        worker = team["worker"]
        return person(
            team["outreach"], worker, aliases, status=status, first_name=first_name, last_name=last_name, **fields
        )

    return make


@pytest.fixture
def marcus(add):
    return add(
        "Marcus", "Washington", aliases=("Bird", "Lil M"), date_of_birth=date(2004, 3, 9), phone="(555) 201-3344"
    )


def _stored_keys(participant_id: int) -> set[str]:
    return set(
        db.session.execute(
            select(ParticipantSearchKey.key).where(ParticipantSearchKey.participant_id == participant_id)
        ).scalars()
    )


def _found(actor, term: str) -> list[int]:
    """Ids search shows the actor for term (inside a request, as the view calls it)."""
    return [m.participant.id for m in search_participants(actor, term).matches]


@pytest.fixture
def as_worker(app, team):
    with app.test_request_context("/participants/search", method="POST"):
        login_user(team["worker"])
        yield team["worker"]


# --- found by what users type -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Marcus Washington",
        "Marcus Washingtn",  # a letter missing
        "Marcus Wahsington",  # two letters swapped
        "Markus Washington",  # a letter changed
        "Washingtonn",  # last name alone, a letter extra
        "Marc Washington",  # the start of a name
        "marcuswashington",  # run together
        "bird",  # an alias
        "Lil M",
        "Lilm",  # an alias run together
        "2004-03-09",
        "09/03/2004",  # day and month swapped
        "201-3344",  # a phone number without its area code
        "1 555 201 3344",
    ],
)
def test_what_users_type_still_finds_the_person(as_worker, marcus, typed):
    """Misspellings, starts, aliases, birth dates and phones reach the person through the keys."""
    assert marcus.id in _found(as_worker, typed)


def test_a_nickname_finds_the_formal_name(as_worker, add):
    michael = add("Michael", "Jordan")
    assert michael.id in _found(as_worker, "Mike Jordan")


def test_the_demo_spelling_variants_are_found_as_duplicates(as_worker, add):
    """Every second spelling the demo seeds (Jamaal for Jamal, ...) is still caught by the duplicate check."""
    people = {first: add(first, "Robinson", date_of_birth=date(2001, 5, 17)) for first in FIRST_NAME_VARIANTS}
    for first, variant in FIRST_NAME_VARIANTS.items():
        outcome = find_possible_duplicates(
            as_worker, first_name=variant, last_name="Robinson", date_of_birth=date(2001, 5, 17)
        )
        assert people[first].id in [m.participant.id for m in outcome.matches], variant


def test_the_prefilter_drops_no_one_rank_would_list():
    """Over a few hundred made-up people and typed variants, ranking the key candidates equals ranking everyone."""
    rng = random.Random(8)
    firsts = ["Marcus", "DeShawn", "Jamal", "Aaliyah", "Christopher", "Luis", "Michael", "Tiana", "Jonathan", "Kim"]
    lasts = ["Washington", "Nguyen", "O'Brien", "Rodriguez", "Bell", "Haddad", "Okafor", "Li", "Thompson", "Pierce"]
    aliases = ["Lil D", "Smoke", "Bird", "Man-Man", "Dre", "Tay"]
    people = [
        Candidate(
            id=i,
            first_name=rng.choice(firsts),
            last_name=rng.choice(lasts),
            date_of_birth=date(1990 + i % 20, 1 + i % 12, 1 + i % 28),
            phone=f"312555{i:04d}",
            aliases=tuple(rng.sample(aliases, rng.choice((0, 0, 1, 2)))),
        )
        for i in range(300)
    ]
    keys = {p.id: person_keys(p.first_name, p.last_name, p.aliases, p.date_of_birth, p.phone) for p in people}
    typed = [
        "Marcus Washington",
        "Marcos Washingtn",
        "Mike Rodrigez",
        "Chris Thomson",
        "Jonathon Pierce",
        "deshawn",
        "DeShaun Okafor",
        "tianali",
        "Smoky",
        "man man",
        "Dre Bel",
        "Luiz Nguyen 1995-04-05",
        "(312) 555-0042",
        "Kim",
        "Haddad",
    ]
    for text in typed:
        probe = parse_search(text)
        wanted = probe_keys(probe)
        admitted = [p for p in people if keys[p.id] & wanted]
        assert [s.candidate.id for s in rank(probe, admitted)] == [s.candidate.id for s in rank(probe, people)], text


def test_keys_fit_the_column():
    keys = person_keys("A" * 80, "B" * 80, ["C" * 80], date(2000, 1, 1), "5552013344")
    assert keys and max(len(k) for k in keys) <= SEARCH_KEY_LENGTH
    assert max(len(k) for k in probe_keys(Probe(names=("x" * 200,)))) <= SEARCH_KEY_LENGTH


# --- the keys stay right --------------------------------------------------------------------


def test_a_new_person_gets_the_keys_of_their_names(marcus):
    expected = person_keys("Marcus", "Washington", ["Bird", "Lil M"], date(2004, 3, 9), "(555) 201-3344")
    assert _stored_keys(marcus.id) == expected


def test_an_edit_replaces_the_keys(as_worker, marcus):
    """After a correction the new name and alias find the person, and the old ones no longer do."""
    update_participant(
        as_worker,
        marcus,
        first_name="Marcus",
        last_name="Okafor",
        aliases=["Scooter"],
        date_of_birth=date(2004, 3, 9),
        phone="",
    )
    db.session.commit()
    assert _stored_keys(marcus.id) == person_keys("Marcus", "Okafor", ["Scooter"], date(2004, 3, 9), "")
    assert marcus.id in _found(as_worker, "Okafor")
    assert marcus.id in _found(as_worker, "Scooter")
    assert marcus.id not in _found(as_worker, "Washington")
    assert marcus.id not in _found(as_worker, "Bird")
    assert marcus.id not in _found(as_worker, "555 201 3344")


def test_an_alias_added_or_removed_on_its_own_updates_the_keys(as_worker, marcus):
    db.session.add(ParticipantAlias(participant_id=marcus.id, name="Peanut"))
    db.session.commit()
    assert marcus.id in _found(as_worker, "Peanut")
    bird = db.session.execute(select(ParticipantAlias).filter_by(participant_id=marcus.id, name="Bird")).scalar_one()
    db.session.delete(bird)
    db.session.commit()
    assert marcus.id not in _found(as_worker, "Bird")


def test_a_merge_makes_the_kept_record_findable_by_the_other_name(app, team, add):
    """The retired record's name becomes an alias of the kept one, and its keys follow."""
    kept = add("Marcus", "Washington")
    retired = add("Tyrone", "Okafor", aliases=("Peanut",), status="closed")
    with app.test_request_context("/participants/search", method="POST"):
        login_user(team["supervisor"])
        merge_participants(team["supervisor"], kept, retired, note="Same person.")
        db.session.commit()
        assert kept.id in _found(team["supervisor"], "Tyrone Okafor")
        assert kept.id in _found(team["supervisor"], "Peanut")
        assert retired.id not in _found(team["supervisor"], "Tyrone Okafor")


def test_deleted_people_are_not_found(as_worker, marcus):
    soft_delete(as_worker, marcus, "participant")
    db.session.commit()
    assert _found(as_worker, "Marcus Washington") == []


def test_a_hard_delete_takes_the_keys_with_the_person(app):
    """A purge removes the person's rows; their keys go with them (the foreign key cascades)."""
    person = Participant(first_name="Tiana", last_name="Pierce", aliases=[ParticipantAlias(name="Tay")])
    db.session.add(person)
    db.session.commit()
    assert "w:tiana" in _stored_keys(person.id)
    db.session.delete(person)
    db.session.commit()
    assert _stored_keys(person.id) == set()


# --- search reads few people -----------------------------------------------------------------


def test_search_reads_only_the_people_sharing_a_key(as_worker, add, marcus):
    """With 200 unrelated people on record, the prefilter hands ranking a handful, not everyone."""
    rng = random.Random(5)
    letters = "bcdfgklmnprstvz"
    for _ in range(200):
        first = "".join(rng.choice(letters) + rng.choice("aeiou") for _ in range(3))
        last = "".join(rng.choice(letters) + rng.choice("aeiou") for _ in range(4))
        db.session.add(Participant(first_name=first.title(), last_name=last.title()))
    db.session.commit()
    candidates, visible = _candidates(as_worker, parse_search("Marcus Washingtn"))
    assert marcus.id in [c.id for c in candidates] and marcus.id in visible
    assert len(candidates) <= 5


def test_many_people_sharing_a_key_are_selected_by_key_not_listed(as_worker, add, marcus, monkeypatch):
    """Past the listing limit the candidates are selected again by key: the same people, the same scope."""
    others = [add("Marcus", f"Washington{n}") for n in range(3)]
    listed, visible = _candidates(as_worker, parse_search("Marcus Washington"))
    monkeypatch.setattr("caseflow.participants.services.MAX_LISTED_CANDIDATES", 1)
    by_key, visible_by_key = _candidates(as_worker, parse_search("Marcus Washington"))
    assert sorted(c.id for c in by_key) == sorted(c.id for c in listed)
    assert visible_by_key == visible and marcus.id in visible
    assert {p.id for p in others} <= {c.id for c in by_key}
