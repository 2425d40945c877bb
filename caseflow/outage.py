"""When the database does not answer: a quick 503 that keeps what the user typed, never a hang or a trace (S35)."""

import logging
import re
import sqlite3
from dataclasses import dataclass

from flask import g, make_response, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from wtforms import Form, HiddenField, PasswordField, SubmitField
from wtforms.fields.core import UnboundField

from caseflow.extensions import db, login_manager

log = logging.getLogger(__name__)

MESSAGE = "Not saved — the database is not answering. Please retry."
# How long a browser or client is asked to wait before retrying.
RETRY_AFTER_SECONDS = 5
# SQLite says these when the file is locked or unreadable; its other OperationalErrors ("no such
# table") are bugs and stay 500s.
SQLITE_OUTAGE_WORDS = ("locked", "busy", "unable to open", "disk i/o")
# Carried back unseen: the CSRF token, the one-time submission token (so a retry never makes a
# second record) and the version an edit started from.
ALWAYS_HIDDEN = frozenset({"csrf_token", "submission_token", "version"})
# Never echoed into the page, whichever form they come from, besides every PasswordField.
SECRET_NAME = re.compile(r"password|passwd|passphrase|secret|otp|recovery|(^|_)code$", re.IGNORECASE)


@dataclass(frozen=True)
class RetryField:
    name: str
    label: str
    value: str
    kind: str  # hidden | text | textarea


def is_outage(error: Exception) -> bool:
    """The database is unreachable, locked or timed out, as opposed to a bug in a query."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        return any(word in str(error.orig).lower() for word in SQLITE_OUTAGE_WORDS)
    return True


def _declared_fields() -> tuple[set[str], set[str]]:
    """Names of password fields, and of hidden and submit fields, over every form class in the app."""
    secret, hidden = set(), set(ALWAYS_HIDDEN)
    pending: list[type] = [Form]
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        for name, value in vars(form_class).items():
            if not isinstance(value, UnboundField):
                continue
            if issubclass(value.field_class, PasswordField):
                secret.add(name)
            elif issubclass(value.field_class, HiddenField | SubmitField):
                hidden.add(name)
    return secret, hidden


def _label(name: str) -> str:
    return name.replace("_", " ").strip().capitalize() or name


def _retry_fields() -> tuple[list[RetryField], list[RetryField], list[RetryField]]:
    """What the POST carried: fields to send back, secret fields to type again, files to choose again."""
    secret_names, hidden_names = _declared_fields()
    fields, secrets, seen_secrets = [], [], set()
    for name, value in request.form.items(multi=True):
        if name in secret_names or SECRET_NAME.search(name):
            if name not in seen_secrets:
                seen_secrets.add(name)
                secrets.append(RetryField(name, _label(name), "", "password"))
            continue
        if name in hidden_names or not value.strip():
            kind = "hidden"
        elif "\n" in value or len(value) > 80:
            kind = "textarea"
        else:
            kind = "text"
        fields.append(RetryField(name, _label(name), value, kind))
    files = [RetryField(name, _label(name), "", "file") for name, upload in request.files.items() if upload.filename]
    return fields, secrets, files


def outage_response(error: Exception):
    """Roll back, log one line, and answer 503 with the user's input ready to send again."""
    # The menu and the signed-in user come from the database: the page must not ask it again.
    g.database_unavailable = True
    if "_login_user" not in g:
        # Flask-Login's context processor would call the user loader (a query) for every template:
        # when the loader is what failed, the page goes out as if nobody were signed in.
        g._login_user = login_manager.anonymous_user()
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the session is discarded at the end of the request anyway
    reason = getattr(error, "orig", None) or error
    # One line, no SQL and no parameters: they may hold participant data (S36).
    log.warning(
        "request %s: database not answering (%s); answered 503", g.get("request_id", "-"), type(reason).__name__
    )
    fields, secrets, files = _retry_fields() if request.method == "POST" else ([], [], [])
    page = render_template(
        "errors/database_unavailable.html",
        message=MESSAGE,
        request_id=g.get("request_id", ""),
        method=request.method,
        action=request.script_root + request.full_path.rstrip("?"),
        fields=fields,
        secrets=secrets,
        files=files,
        # A create form's one-time token makes any number of retries save one record.
        saved_once=bool(request.method == "POST" and request.form.get("submission_token")),
    )
    response = make_response(page, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
