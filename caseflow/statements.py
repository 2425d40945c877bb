"""Statements built once per process and reused with bound parameters, for the queries every request runs.

Building a large SQLAlchemy statement (the scope's subqueries, the caseload's figures) costs more CPU than
running it; a statement object that is reused also keeps its cache key, so SQLAlchemy skips that walk too.
A statement can depend on the database kind (dialect-specific SQL) and the time zone (local days in SQL),
so those are part of the key.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects import postgresql

from caseflow.extensions import db
from caseflow.timezones import zone_name

_BUILT: dict[tuple[str, str, str], Any] = {}


def built_once(name: str, build: Callable[[], Any]) -> Any:
    """The statement `build()` returns, built on first use for this database kind and time zone."""
    key = (name, db.session.get_bind().dialect.name, zone_name())
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT[key] = build()
    return statement


def bound_list(column, name: str, element_type):
    """`column` is one of the list bound as `name`, in a statement built once and run with lists of any length.

    On PostgreSQL one array parameter (`= ANY`), so the statement's text is the same whatever the list's length
    and neither SQLAlchemy nor the driver renders and parses a few hundred placeholders again on every run;
    elsewhere an expanding IN.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(element_type)))
    return column.in_(bindparam(name, expanding=True))
