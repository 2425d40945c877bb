"""Make sure the seeded database has the benchmark's long case, and print the ids the benchmark needs as JSON.

Run by bench/run.py with DATABASE_URL set, after `flask seed-demo`. At the demo scale it gives the
outreach demo login's busiest open case 500 contacts (the large scale's seed already did); on PostgreSQL
it then runs ANALYZE, as autovacuum would soon after a load. `prepare.py forget-posts CASE ID` deletes
what a run's contact-log POSTs added (run.py calls it after measuring).
"""

import json
import sys
from pathlib import Path

from sqlalchemy import func, select

# Run as a script from the repository root: import caseflow from there.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def forget_posts(case_id: int, above_id: int) -> None:
    """Delete the contacts the benchmark's POSTs added to one case (ids above the mark), so reruns start alike.

    Otherwise the POST case gains thousands of contacts a run, and the next run's "busiest case" (the case
    page's) would be that one instead of the 500-contact case. Nothing references a contact by foreign key.
    """
    from caseflow import create_app
    from caseflow.extensions import db
    from caseflow.models import Contact

    app = create_app()
    with app.app_context():
        db.session.execute(Contact.__table__.delete().where(Contact.case_id == case_id, Contact.id > above_id))
        db.session.commit()


def main() -> None:
    from caseflow import create_app
    from caseflow.demo import DOMAIN
    from caseflow.demo_bulk import add_long_case
    from caseflow.extensions import db
    from caseflow.models import Case, Contact, Participant, Program, ProgramMembership, Referral, User

    app = create_app()
    with app.app_context():
        long_case = add_long_case()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Planner statistics for what was just loaded, as autovacuum's ANALYZE would give a live system
            # within a minute or so; without them the demo scale's plans assume empty tables.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        worker = db.session.execute(select(User.id).where(User.email == f"outreach@{DOMAIN}")).scalar_one()
        # The contact-log POST goes to another of the same worker's open cases, so the long case stays 500-ish.
        post_case = db.session.execute(
            select(Case.id)
            .where(Case.assigned_worker_id == worker, Case.status == "active", Case.id != long_case)
            .order_by(Case.id)
            .limit(1)
        ).scalar_one()
        outreach = db.session.execute(select(Program).where(Program.name == "Street Outreach")).scalar_one()
        # The biggest program by participants, with its manager: the large scale's program-year report.
        biggest = db.session.execute(
            select(Program.name, func.count(Case.id).label("n"))
            .join(Case, Case.program_id == Program.id)
            .group_by(Program.name)
            .order_by(func.count(Case.id).desc())
            .limit(1)
        ).one()
        manager = db.session.execute(
            select(User.email)
            .join(ProgramMembership, ProgramMembership.user_id == User.id)
            .join(Program, Program.id == ProgramMembership.program_id)
            .where(Program.name == biggest.name, ProgramMembership.role == "manager")
            .order_by(User.id)
            .limit(1)
        ).scalar_one()
        counts = {
            name: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in (
                ("participants", Participant),
                ("cases", Case),
                ("contacts", Contact),
                ("referrals", Referral),
                ("programs", Program),
            )
        }
        max_contact_id = db.session.execute(select(func.max(Contact.id))).scalar_one()
        long_contacts = db.session.execute(
            select(func.count(Contact.id)).where(Contact.case_id == long_case)
        ).scalar_one()
    print(
        json.dumps(
            {
                "long_case": long_case,
                "long_case_contacts": long_contacts,
                "post_case": post_case,
                "max_contact_id": max_contact_id,
                "outreach_program": outreach.id,
                "biggest_program": biggest.name,
                "biggest_program_cases": biggest.n,
                "biggest_program_manager": manager,
                "counts": counts,
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["forget-posts"]:
        forget_posts(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
