"""S30: a double or repeated submit of any form makes exactly the rows one submit makes.

Every form a supervisor and an own-caseload worker reach is sent twice in a row, exactly as a double
tap or a resent request would send it; the second send must add no row to any table.
"""

import pytest
from sqlalchemy import func, inspect, select

from caseflow.extensions import db
from tests.conftest import login
from tests.security.crawl import crawl, forms_by_endpoint
from tests.security.test_s03_idor_sweep import fresh
from tests.security.world import build_world

# Rows a read or a refusal may add: the audit trail (and alerts raised from it).
IGNORED = {"audit_events", "security_alerts"}


@pytest.fixture
def world(app):
    return build_world()


def row_counts() -> dict[str, int]:
    db.session.rollback()
    existing = set(inspect(db.engine).get_table_names())
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name in existing and table.name not in IGNORED
    }
    db.session.rollback()
    return counts


def _grew(before: dict, after: dict) -> dict[str, int]:
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


@pytest.mark.parametrize("role", ["supervisor", "worker_own", "manager_other"])
def test_s30_sending_any_form_twice_adds_nothing_the_second_time(app, client, world, role):
    """S30: create forms (token), edits (version), status moves, links and follow-ups: the repeat adds no row."""
    login(client, world.user_for(role))
    forms = forms_by_endpoint(app, crawl(client, "/"))
    doubled, created = [], 0
    for endpoint, endpoint_forms in forms.items():
        for form in endpoint_forms:
            data = fresh(form.data())
            before = row_counts()
            client.post(form.action, data=data)
            middle = row_counts()
            second = client.post(form.action, data=data)
            after = row_counts()
            created += bool(_grew(before, middle))
            if _grew(middle, after):
                doubled.append((endpoint, form.action, _grew(middle, after)))
            assert second.status_code < 500, (endpoint, form.action)
    assert doubled == []
    assert created >= 5
