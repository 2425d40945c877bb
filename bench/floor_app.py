"""The floor: the least a Flask app on this machine can do, to which caseflow's pages are compared.

Two pages on the same database caseflow uses: a trivial page, and a 50-row table rendered with
Jinja from one indexed query (the most recent contacts of one case, on ix_contacts_case_id_occurred_at).
No login, no audit, no encryption: what a page that reads the database costs at best.
Served by gunicorn like caseflow: `gunicorn -w 2 bench.floor_app:app` with FLOOR_DATABASE_URL set.
"""

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

TABLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Contacts</title></head><body>
<table><thead><tr><th>Id</th><th>When</th><th>Mode</th><th>Type</th><th>Minutes</th><th>Area</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.occurred_at }}</td><td>{{ row.mode }}</td>
<td>{{ row.contact_type }}</td><td>{{ row.duration_minutes }}</td><td>{{ row.location_area }}</td></tr>
{% endfor %}</tbody></table></body></html>"""

app = Flask(__name__)
url = os.environ["FLOOR_DATABASE_URL"]
if url.startswith("postgresql://"):
    url = "postgresql+psycopg://" + url[len("postgresql://") :]
engine = create_engine(url, pool_pre_ping=True)
CASE_ID = int(os.environ.get("FLOOR_CASE_ID", "1"))


@app.route("/")
def trivial():
    return "<!doctype html><title>ok</title><p>ok</p>"


@app.route("/table")
def table():
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, occurred_at, mode, contact_type, duration_minutes, location_area FROM contacts"
                " WHERE case_id = :case_id ORDER BY occurred_at DESC LIMIT 50"
            ),
            {"case_id": CASE_ID},
        ).all()
    return render_template_string(TABLE, rows=rows)
