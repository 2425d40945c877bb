"""S16: no |safe or Markup on user data, SQL only through the ORM or bound parameters, CSV cells neutralised.

The scans read the source: a new |safe, Markup(...), template-from-string or SQL text built from a
variable fails here until it is reviewed and added to an allow-list below with its reason.
"""

import ast
import re
from pathlib import Path

import pytest

from caseflow.extensions import db
from caseflow.models import Contact, Incident, Mediation
from caseflow.reports.csv_export import neutralise
from tests.conftest import login
from tests.security.crawl import crawl
from tests.security.world import build_world

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
CODE = ROOT / "caseflow"

# (file, function) -> why building markup there is safe.
MARKUP_ALLOWED = {
    ("caseflow/reports/pdf.py", "css_string"): "escapes every character outside a fixed safe set; tested in "
    "tests/test_reports.py::test_pdf_html_has_no_identifiers_and_charts_drawn_from_suppressed_cells",
}
# (file, function) -> why a non-literal SQL fragment there is safe.
SQL_TEXT_ALLOWED = {
    ("caseflow/dashboard/queries.py", "_bucket"): "literal_column(str(i)) of loop indexes: integers, never user data",
    (
        "caseflow/backup/postgres.py",
        "table_counts",
    ): "table(name) of names the inspector read, quoted",
    ("caseflow/backup/sqlite.py", "_count_statement"): "table(name) of names read from sqlite_master, quoted",
}
# Functions whose string argument becomes SQL as written (literal() is a bound parameter, so it is not here).
SQL_FUNCTIONS = {"text", "literal_column", "exec_driver_sql", "column", "table"}
CSV_WRITERS_ALLOWED = {"caseflow/reports/csv_export.py"}


def _python_files():
    return sorted(CODE.rglob("*.py"))


class _CallFinder(ast.NodeVisitor):
    """Every call in a module with the name of the function it sits in ("<module>" at top level)."""

    def __init__(self):
        self.stack = ["<module>"]
        self.found = []

    def visit_FunctionDef(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        self.found.append((name, self.stack[-1], node.args[0] if node.args else None))
        self.generic_visit(node)


def _calls(path: Path):
    """(function name called, enclosing function, first argument node) for every call in a file."""
    finder = _CallFinder()
    finder.visit(ast.parse(path.read_text(encoding="utf-8")))
    return finder.found


def test_s16_no_template_marks_anything_safe():
    """S16: no |safe filter, no autoescape switched off, anywhere in templates/."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\|\s*safe\b", text) or re.search(r"autoescape\s+false", text, re.I):
            found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_s16_markup_is_built_only_where_reviewed():
    """S16: Markup(...) appears only in allow-listed helpers; no template is rendered from a string."""
    found = set()
    for path in _python_files():
        relative = str(path.relative_to(ROOT))
        for name, function, _ in _calls(path):
            if name == "Markup":
                found.add((relative, function))
            if name in ("render_template_string", "from_string"):
                found.add((relative, f"{function}:{name}"))
    assert found == set(MARKUP_ALLOWED)


def test_s16_sql_text_is_never_built_from_a_variable():
    """S16: text(), literal_column() and raw driver SQL take string literals only, outside the allow-list."""
    found = set()
    for path in _python_files():
        relative = str(path.relative_to(ROOT))
        for name, function, first in _calls(path):
            if (
                name in SQL_FUNCTIONS
                and first is not None
                and not (isinstance(first, ast.Constant) and isinstance(first.value, str))
            ):
                found.add((relative, function))
    assert found <= set(SQL_TEXT_ALLOWED), found - set(SQL_TEXT_ALLOWED)


def test_s16_no_string_formatting_reaches_execute():
    """S16: nothing passes an f-string, % or .format() result to execute()."""
    found = []
    for path in _python_files():
        for name, function, first in _calls(path):
            formatted = isinstance(first, ast.JoinedStr) or (
                isinstance(first, ast.BinOp) and isinstance(first.op, ast.Mod | ast.Add)
            )
            formatted = formatted or (
                isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute) and first.func.attr == "format"
            )
            if name in ("execute", "exec_driver_sql", "text") and formatted:
                found.append((str(path.relative_to(ROOT)), function))
    assert found == []


def test_s16_every_csv_writer_is_the_neutralising_one():
    """S16: CSV leaves the app only through reports/csv_export.py, which neutralises every cell."""
    writers = {
        str(path.relative_to(ROOT))
        for path in _python_files()
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    }
    assert writers == CSV_WRITERS_ALLOWED


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_s16_csv_cells_starting_like_a_formula_are_neutralised(start):
    """S16: = + - @ tab and CR at the start of a cell get a leading quote; other text is untouched."""
    assert neutralise(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"
    assert neutralise(f"a{start}b") == f"a{start}b"


MARKUP = '<b id="s16x">'


def test_s16_markup_typed_into_records_is_shown_as_text_on_every_page(app, client):
    """S16: a name, note, goal, area and incident note holding markup print escaped on every page reached."""
    world = build_world()
    xavier = world.people["xavier"]
    xavier.first_name = MARKUP
    for model, attribute in (
        (Contact, "notes"),
        (Mediation, "area"),
        (Incident, "notes"),
        (Mediation, "actions_taken"),
    ):
        for row in world.rows(model):
            if world.may_see("supervisor", row):
                setattr(row, attribute, MARKUP)
    db.session.commit()
    login(client, world.user_for("supervisor"))
    pages = crawl(client, "/")
    raw = sorted(path for path, page in pages.items() if MARKUP in page.text)
    escaped = [path for path, page in pages.items() if "&lt;b id=&#34;s16x&#34;&gt;" in page.text]
    assert raw == []
    assert len(escaped) > 5
