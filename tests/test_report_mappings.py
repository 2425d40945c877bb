"""Report mappings: managers edit which recorded values count as which VOCA type or service, and reports follow."""

from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import AuditEvent, Case, Contact, Injury, Participant, ReportMapping
from caseflow.reports.measures import voca
from caseflow.reports.registry import MEASURES, ReportScope
from caseflow.timezones import to_utc
from tests.conftest import audit_count, csrf_token_from, login

URL = "/reports/mappings"
Q3 = (date(2026, 4, 1), date(2026, 6, 30))
CHILD = "Child physical abuse or neglect"


class _Forms(HTMLParser):
    """What a browser would post from each mapping form: hidden inputs and each select's chosen option."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._fields: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("action") == URL:
            self._fields = {}
        elif self._fields is None:
            return
        elif tag == "input" and a.get("type") == "hidden":
            self._fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select:
            if self._select not in self._fields or "selected" in a:
                self._fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._fields is not None:
            self.forms[self._fields["mapping"]] = self._fields
            self._fields = None


def page_forms(client) -> dict[str, dict[str, str]]:
    response = client.get(URL)
    assert response.status_code == 200
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    return parser.forms


def compute(measure_id: str, program, period=Q3):
    return dict(MEASURES[measure_id].compute(ReportScope((program.id,), *period)).rows)


def saved_rows(mapping: str) -> int:
    return db.session.execute(
        select(func.count()).select_from(ReportMapping).where(ReportMapping.mapping == mapping)
    ).scalar_one()


def _served(program, **person) -> tuple[Participant, Case]:
    """A person with a case and one completed check-in in the period: served, no VOCA service by default."""
    participant = Participant(first_name="Pat", last_name="Person", **person)
    case = Case(participant=participant, program=program, status="active", referred_on=date(2026, 1, 1))
    db.session.add_all([participant, case])
    db.session.flush()
    db.session.add(
        Contact(
            case_id=case.id, occurred_at=to_utc(datetime(2026, 5, 1, 12)), mode="in_person", contact_type="check_in"
        )
    )
    db.session.flush()
    return participant, case


@pytest.fixture
def world(make_program, make_user):
    """A hospital program with a served adult, a served child stabbed in the period, and its staff."""
    hospital = make_program("hvip", "Hospital")
    other = make_program("street_outreach", "Outreach")
    _served(hospital, date_of_birth=date(1990, 1, 1))
    child, _ = _served(hospital, date_of_birth=date(2012, 1, 1))
    db.session.add(
        Injury(
            program_id=hospital.id,
            participant_id=child.id,
            injured_at=to_utc(datetime(2026, 4, 10, 22)),
            arrived_at=to_utc(datetime(2026, 4, 10, 23)),
            mechanism="stabbing",
            hospital="General",
            care_level="admitted",
            funnel_stage="enrolled",
        )
    )
    db.session.commit()
    return {
        "hospital": hospital,
        "manager": make_user(roles={other: "manager"}),  # a manager anywhere may edit the deployment's mappings
        "manager2": make_user(roles={hospital: "manager"}),
        "supervisor": make_user(roles={hospital: "supervisor"}),
        "worker": make_user(roles={hospital: "worker"}),
        "admin": make_user(is_admin=True),
    }


def test_the_defaults_apply_while_the_table_is_empty(world, client):
    assert voca.effective_map(voca.SERVICE) is voca.SERVICE_MAP
    assert voca.effective_map(voca.VICTIMIZATION) is voca.VICTIMIZATION_MAP
    assert compute("voca.services", world["hospital"])[voca.EMOTIONAL_SAFETY] == 0  # a check-in is no service
    assert compute("voca.victimization_types", world["hospital"]) == {
        **{t: 0 for t in voca.VICTIMIZATION_TYPES},
        voca.OTHER: 2,  # the stabbed child (minors go to Other) and the adult with no record
    }
    for measure_id in ("voca.services", "voca.victimization_types", "voca.new_victims"):
        assert voca.definition_for(measure_id) == MEASURES[measure_id].definition

    login(client, world["manager"])
    html = client.get(URL).get_data(as_text=True)
    assert "VOCA service categories" in html and "VOCA victimization types" in html
    assert '<label class="form-label mb-0" for="contact_type__check_in__adult">Check-in</label>' in html
    assert "Stabbing: under 18 or age unknown" in html
    assert html.count("These are the defaults.") == 2
    assert audit_count(record_type="report_mapping") == 0  # looking changes nothing


def test_a_manager_changes_the_service_mapping_and_the_report_follows(world, client):
    login(client, world["manager"])
    data = page_forms(client)[voca.SERVICE]
    assert data["contact_type__crisis_response__adult"] == voca.EMOTIONAL_SAFETY  # shown as in force
    data["contact_type__check_in__adult"] = voca.EMOTIONAL_SAFETY
    data["module__mediation__adult"] = ""  # not counted
    response = client.post(URL, data=data, follow_redirects=True)
    assert "VOCA service categories saved: 2 changed" in response.get_data(as_text=True)

    assert compute("voca.services", world["hospital"])[voca.EMOTIONAL_SAFETY] == 2
    assert saved_rows(voca.SERVICE) == sum(len(choices) for _, _, choices in voca.SOURCES[voca.SERVICE])
    assert voca.effective_map(voca.SERVICE)["module"] == {
        "bedside_contact": voca.ADVOCACY,
        "compensation_claim": voca.ADVOCACY,
    }
    definition = voca.definition_for("voca.services")
    assert f"Check-in → {voca.EMOTIONAL_SAFETY}" in definition
    assert "conflict mediation" not in definition
    assert "Check-in →" not in MEASURES["voca.services"].definition  # the registry keeps the defaults' text
    # The printed report's definitions appendix follows the mapping in force.
    assert MEASURES["voca.services"].current_definition() == definition
    from caseflow.reports.run import print_measure

    services = MEASURES["voca.services"]
    printed = print_measure(services, services.compute(ReportScope((world["hospital"].id,), *Q3)), 5)
    assert f"Check-in → {voca.EMOTIONAL_SAFETY}" in printed.definition
    event = db.session.execute(select(AuditEvent).where(AuditEvent.record_type == "report_mapping")).scalar_one()
    assert event.action == "update" and event.user_id == world["manager"].id
    assert "contact_type.check_in: not counted → Emotional support or safety services" in event.detail
    # The victimization mapping is untouched.
    assert saved_rows(voca.VICTIMIZATION) == 0
    # The page now shows the saved choice and offers to restore the defaults.
    again = page_forms(client)[voca.SERVICE]
    assert again["contact_type__check_in__adult"] == voca.EMOTIONAL_SAFETY
    assert again["module__mediation__adult"] == ""


def test_a_manager_changes_the_victimization_mapping_by_age(world, client):
    login(client, world["manager2"])
    data = page_forms(client)[voca.VICTIMIZATION]
    assert data["injury_mechanism__stabbing__adult"] == voca.ADULT_ASSAULT
    assert data["injury_mechanism__stabbing__minor"] == voca.OTHER
    data["injury_mechanism__stabbing__minor"] = CHILD
    client.post(URL, data=data)

    found = compute("voca.victimization_types", world["hospital"])
    assert found[CHILD] == 1
    assert found[voca.OTHER] == 1  # only the adult with no record now
    assert f"Stabbing → {voca.ADULT_ASSAULT} if 18 or older on the day, otherwise {CHILD}" in voca.definition_for(
        "voca.victimization_types"
    )
    row = db.session.execute(
        select(ReportMapping).where(
            ReportMapping.source_kind == "injury_mechanism", ReportMapping.source_value == "stabbing"
        )
    ).scalar_one()
    assert (row.target, row.target_minor, row.updated_by_id) == (voca.ADULT_ASSAULT, CHILD, world["manager2"].id)


def test_saving_without_a_change_keeps_the_defaults(world, client):
    login(client, world["manager"])
    response = client.post(URL, data=page_forms(client)[voca.SERVICE], follow_redirects=True)
    assert "nothing changed" in response.get_data(as_text=True)
    assert saved_rows(voca.SERVICE) == 0
    assert audit_count(record_type="report_mapping") == 0


def test_restore_defaults_deletes_the_saved_mapping(world, client):
    login(client, world["manager"])
    data = page_forms(client)[voca.VICTIMIZATION]
    data["injury_mechanism__stabbing__minor"] = CHILD
    client.post(URL, data=data)
    assert compute("voca.victimization_types", world["hospital"])[CHILD] == 1

    html = client.get(URL).get_data(as_text=True)
    assert html.count("Restore defaults") == 1 and html.count("These are the defaults.") == 1
    response = client.post(f"{URL}/restore", data={"mapping": voca.VICTIMIZATION}, follow_redirects=True)
    assert "VOCA victimization types: the defaults apply again." in response.get_data(as_text=True)
    assert saved_rows(voca.VICTIMIZATION) == 0
    assert compute("voca.victimization_types", world["hospital"])[CHILD] == 0
    assert voca.definition_for("voca.victimization_types") == MEASURES["voca.victimization_types"].definition
    assert audit_count(record_type="report_mapping", action="update") == 2
    assert client.post(f"{URL}/restore", data={"mapping": "nonsense"}).status_code == 404


@pytest.mark.parametrize("actor", ["worker", "supervisor", "admin"])
def test_only_managers_reach_the_page(world, client, actor):
    login(client, world["manager"])
    data = page_forms(client)[voca.SERVICE]
    data["contact_type__check_in__adult"] = voca.EMOTIONAL_SAFETY
    restore = {"mapping": voca.SERVICE}

    login(client, world[actor])
    assert client.get(URL).status_code == 404
    assert client.post(URL, data=data).status_code == 404
    assert client.post(f"{URL}/restore", data=restore).status_code == 404
    assert saved_rows(voca.SERVICE) == 0
    assert audit_count(record_type="report_mapping") == 0


def test_an_unknown_target_is_refused_and_the_choices_are_kept(world, client):
    login(client, world["manager"])
    data = page_forms(client)[voca.SERVICE]
    data["contact_type__check_in__adult"] = voca.EMOTIONAL_SAFETY
    data["contact_mode__court__adult"] = "Counselling"
    response = client.post(URL, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose one of the listed options." in html
    assert "Nothing has been saved yet" in html
    assert saved_rows(voca.SERVICE) == 0
    assert audit_count(record_type="report_mapping") == 0
    parser = _Forms()
    parser.feed(html)
    assert parser.forms[voca.SERVICE]["contact_type__check_in__adult"] == voca.EMOTIONAL_SAFETY  # kept


def test_a_save_from_a_stale_page_shows_a_conflict(world, client, app):
    login(client, world["manager"])
    stale = page_forms(client)[voca.SERVICE]
    first = dict(stale, contact_type__check_in__adult=voca.ADVOCACY)
    client.post(URL, data=first)

    second = dict(stale, contact_type__family_support__adult=voca.EMOTIONAL_SAFETY)
    response = client.post(URL, data=second)
    assert response.status_code == 409
    assert "Someone else changed this first" in response.get_data(as_text=True)
    assert voca.effective_map(voca.SERVICE)["contact_type"].get("family_support") is None  # not overwritten
    assert voca.effective_map(voca.SERVICE)["contact_type"]["check_in"] == voca.ADVOCACY
    # The conflict page's form carries the current state, so sending it again is a deliberate overwrite.
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    resent = parser.forms[voca.SERVICE]
    assert resent["contact_type__family_support__adult"] == voca.EMOTIONAL_SAFETY
    client.post(URL, data=resent)
    assert voca.effective_map(voca.SERVICE)["contact_type"]["family_support"] == voca.EMOTIONAL_SAFETY


def test_saving_needs_the_csrf_token(world, csrf_app):
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": world["manager"].email,
            "password": "correct-horse-battery",
            "csrf_token": csrf_token_from(login_page),
        },
    )
    html = client.get(URL).get_data(as_text=True)
    parser = _Forms()
    parser.feed(html)
    data = dict(parser.forms[voca.SERVICE], contact_type__check_in__adult=voca.ADVOCACY)
    assert client.post(URL, data={k: v for k, v in data.items() if k != "csrf_token"}).status_code == 400
    assert saved_rows(voca.SERVICE) == 0
    assert client.post(URL, data=data).status_code == 302
    assert saved_rows(voca.SERVICE) > 0
