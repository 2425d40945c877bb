"""S28: CI runs the security lint and the whole suite (security tests included) on SQLite and PostgreSQL.

pip-audit is not run: the build machine reaches no vulnerability database. SECURITY.md says so.
"""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _make_targets() -> dict[str, list[str]]:
    """Makefile target -> its recipe lines (comments dropped)."""
    targets: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.$()/-]+):", line)
        if match and not line.startswith("\t"):
            current = match.group(1)
            targets[current] = []
        elif line.startswith("\t") and current and not line.strip().startswith("#"):
            targets[current].append(line.strip())
    return targets


def _ci_commands() -> list[str]:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_s28_make_lint_runs_bandit_on_the_app_at_medium_severity():
    """S28: `make lint` runs bandit over caseflow/, failing on medium severity and above, besides ruff."""
    lint = _make_targets()["lint"]
    bandit = [line for line in lint if "bandit" in line]
    assert bandit, lint
    assert re.search(r"\s-r\s+caseflow(\s|$)", bandit[0]) and re.search(r"\s-ll\b", bandit[0])
    assert any("ruff check" in line for line in lint)


def test_s28_make_test_runs_the_whole_suite_security_tests_included():
    """S28: `make test` is a bare pytest over tests/, which collects tests/security/."""
    assert any(re.fullmatch(r"\$\(BIN\)/pytest", line) for line in _make_targets()["test"])
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert config["testpaths"] == ["tests"]
    assert (ROOT / "tests" / "security" / "__init__.py").exists()
    assert len(list((ROOT / "tests" / "security").glob("test_s*.py"))) >= 10


def test_s28_ci_runs_the_suite_on_sqlite_and_postgresql_then_lints_and_stops_on_failure():
    """S28: .ci/run: `make test`, then `make test` with a PostgreSQL DATABASE_URL, then `make lint`, under set -e."""
    commands = _ci_commands()
    assert "set -euo pipefail" in commands
    tests = [i for i, line in enumerate(commands) if re.search(r"(^|\s)make test$", line)]
    assert len(tests) == 2, commands
    assert "DATABASE_URL=" in commands[tests[1]] and "postgresql://" in commands[tests[1]]
    assert "DATABASE_URL" not in commands[tests[0]]
    lint = [i for i, line in enumerate(commands) if line == "make lint"]
    assert lint and lint[0] > tests[1]


def test_s28_security_md_maps_every_line_to_tests_that_exist():
    """S28: SECURITY.md lists S1 to S36 in order, and every test it names exists (or the line says pending)."""
    rows = [
        line
        for line in (ROOT / "SECURITY.md").read_text(encoding="utf-8").splitlines()
        if re.match(r"^\| S\d+ \|", line)
    ]
    assert [int(re.match(r"^\| S(\d+) ", row).group(1)) for row in rows] == list(range(1, 37))
    missing, named = [], 0
    for row in rows:
        references = re.findall(r"`((?:security/)?test_[a-z0-9_]+\.py)(?:::(\w+))?`", row)
        assert references or "pending" in row, row
        named += len(references)
        for path, name in references:
            source = ROOT / "tests" / path
            if not source.exists() or (name and f"def {name}(" not in source.read_text(encoding="utf-8")):
                missing.append(f"{path}::{name}")
    assert missing == []
    assert named > 100
