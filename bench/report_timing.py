"""Time one program-year funder PDF in a fresh process and print its seconds and peak memory as JSON.

Run by bench/run.py with DATABASE_URL set: python bench/report_timing.py PROGRAM_NAME MANAGER_EMAIL.
The clock covers the whole report (queries, charts, WeasyPrint, archive row, commit), not start-up;
peak memory is the process's peak resident set size (Python, the app and the report together).
"""

import json
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

# Run as a script from the repository root: import caseflow from there.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    program_name, email = sys.argv[1], sys.argv[2]
    from sqlalchemy import select

    from caseflow import create_app
    from caseflow.extensions import db
    from caseflow.models import Program, User
    from caseflow.reports.registry import ReportScope
    from caseflow.reports.run import generate_report
    from caseflow.reports.templates import TEMPLATES
    from caseflow.timezones import local_today

    app = create_app()
    with app.app_context(), app.test_request_context(environ_base={"REMOTE_ADDR": ""}):
        program = db.session.execute(select(Program).where(Program.name == program_name)).scalar_one()
        actor = db.session.execute(select(User).where(User.email == email)).scalar_one()
        end = local_today() - timedelta(days=1)
        scope = ReportScope((program.id,), end - timedelta(days=364), end)
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        times = []
        # Twice: the first in a fresh process (fonts and WeasyPrint loaded on first use), the second as a
        # gunicorn worker that has made a report before would.
        for _ in range(2):
            started = time.perf_counter()
            run = generate_report(
                actor, TEMPLATES["program-summary"], scope, "program year", "pdf", "benchmark", "performance benchmark"
            )
            size = len(run.content)
            db.session.commit()
            times.append(time.perf_counter() - started)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": round(times[1], 2),
                "cold_seconds": round(times[0], 2),
                "peak_mb": round(peak_kb / 1024, 1),
                "before_mb": round(before_kb / 1024, 1),
                "pdf_kb": round(size / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
