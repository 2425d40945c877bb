"""Save screenshots of the main pages at phone and desktop size into docs/screenshots/.

Serves caseflow with the (fictional) demo data on a temporary SQLite file, drives Debian's
Chromium with Playwright, and writes <page>-phone.png and <page>-desktop.png. Run from the
repository root:  .venv/bin/python scripts/screenshots.py [--only NAME ...]
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402

from caseflow.extensions import db  # noqa: E402
from caseflow.models import Program  # noqa: E402
from tests.e2e.helpers import DESKTOP, PHONE, LiveServer, go, login_as, open_cases, serve_demo  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def _shots(live_server: LiveServer) -> list[tuple[str, str, str | None]]:
    """(file name, path, demo login or None) for each page worth showing."""
    case_id, _name = open_cases(live_server, "outreach")[0]
    with live_server.app.app_context():
        program_id = db.session.execute(select(Program.id).where(Program.kind == "street_outreach")).scalar_one()
        db.session.remove()
    return [
        ("login", "/login", None),
        ("my-cases", "/", "outreach"),
        ("case", f"/cases/{case_id}", "outreach"),
        ("log-contact", f"/cases/{case_id}/contacts/new", "outreach"),
        ("mediations", f"/outreach/{program_id}/mediations", "outreach"),
        ("caseload-review", "/caseload/review", "supervisor"),
        ("dashboard", f"/programs/{program_id}/dashboard", "supervisor"),
        ("funder-reports", "/reports", "manager"),
    ]


def _take(page: Page, live_server: LiveServer, path: str, who: str | None, out: Path) -> None:
    page.context.clear_cookies()
    if who:
        login_as(page, live_server, who)
    go(page, live_server, path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="just these page names (e.g. case log-contact)")
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        print("No Chromium found: apt-get install chromium, or set CHROMIUM_PATH.", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="caseflow-shots-")
    try:
        with serve_demo(f"sqlite:///{Path(tmp) / 'demo.db'}") as live_server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
            for size, options in (("phone", PHONE), ("desktop", DESKTOP)):
                context = browser.new_context(**options)
                page = context.new_page()
                for name, path, who in _shots(live_server):
                    if args.only and name not in args.only:
                        continue
                    out = OUT / f"{name}-{size}.png"
                    _take(page, live_server, path, who, out)
                    print(out.relative_to(ROOT))
                context.close()
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
