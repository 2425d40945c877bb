"""S14: every state-changing request needs the CSRF token, and no GET changes data.

The first sweep walks app.url_map: every rule that accepts POST is posted, without the token, by a
logged-in supervisor with the data its real form would carry: 400 and no table changed. The same
forms with the token do save, so the refusals are the token's doing. The second crawls every page a
manager of every program reaches in the demo data set, and tries every GET route with a real record,
and compares every table before and after: only the audit trail (and alerts raised from it) may grow.
"""

from datetime import date

from sqlalchemy import select

from caseflow.demo import DEMO_PASSWORD, seed_demo
from caseflow.extensions import db
from caseflow.models import User
from tests.conftest import csrf_token_from, login
from tests.security.crawl import crawl, fetch, filled, forms_by_endpoint, rules
from tests.security.snapshot import changed_tables, table_digests
from tests.security.test_s03_idor_sweep import fresh
from tests.security.world import build_world


def _login_with_token(client, user) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": "correct-horse-battery", "csrf_token": token}
    )
    assert response.status_code == 302


def test_s14_every_post_route_refuses_a_request_without_the_csrf_token(csrf_app, make_user):
    """S14: walk url_map; each POST rule, with its real form's data but no token, gets 400 and changes nothing."""
    world = build_world()
    client = csrf_app.test_client()
    supervisor = world.user_for("supervisor")
    _login_with_token(client, supervisor)
    forms = forms_by_endpoint(csrf_app, crawl(client, "/"))
    before = table_digests()
    refused, posted = [], 0
    for rule in rules(csrf_app, "POST"):
        endpoint_forms = forms.get(rule.endpoint) or []
        attempts = [(f.action, f.data(csrf_token=None)) for f in endpoint_forms] or [
            (filled(rule, lambda model: world.id_choices("supervisor", model)[1]), {"notes": "Plain words"})
        ]
        for path, data in attempts:
            posted += 1
            response = client.post(path, data=fresh(data))
            if response.status_code != 400:
                refused.append((rule.endpoint, path, response.status_code))
    assert refused == []
    assert changed_tables(before, table_digests()) == []
    assert posted >= len(rules(csrf_app, "POST"))
    # The very same forms, with the token the page gave, do save: the token alone made the difference.
    saved = sum(client.post(f.action, data=fresh(f.data())).status_code == 302 for fs in forms.values() for f in fs)
    assert saved >= 15


def test_s14_the_csrf_refusal_page_is_friendly_and_keeps_the_headers(csrf_app, make_user):
    """S14/S15: a missing token gets the site's own 400 page with a reference and the security headers."""
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": "someone@example.org", "password": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Reference:" in page and "Traceback" not in page
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def _first_id(model) -> int | None:
    """The lowest id of a table, so each GET route is tried with a record that exists."""
    return db.session.execute(select(model.id).order_by(model.id)).scalars().first()


def test_s14_no_get_changes_anything_but_the_audit_trail(app, client):
    """S14: a manager of every demo program crawls every page and every GET route; only audit rows are added."""
    seed_demo(seed=14, participants=20, erase=False, today=date.today())
    db.session.commit()
    manager = db.session.execute(select(User).where(User.email == "manager@demo.caseflow.org")).scalar_one()
    assert login(client, manager, DEMO_PASSWORD).status_code == 302
    before = table_digests()
    audit_before = table_digests(exclude=frozenset())["audit_events"]
    pages = crawl(client, "/", limit=500)
    for rule in rules(app, "GET"):
        path = filled(rule, _first_id)
        if path not in pages:
            pages[path] = fetch(client, path)
    assert changed_tables(before, table_digests()) == []
    # The crawl read participant data (so the audit trail grew) and reached many pages.
    assert table_digests(exclude=frozenset())["audit_events"] != audit_before
    assert sum(page.status == 200 for page in pages.values()) > 80
