"""Optimistic locking for edit forms: a stale save shows a conflict page, never overwrites."""

from collections.abc import Callable

from flask import render_template
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from caseflow.audit.services import record_event
from caseflow.extensions import db


class EditConflict(Exception):
    """Someone saved the record after this form was loaded."""


# What an edit view catches: a version mismatch seen before saving, or a concurrent save
# that the version column caught when a service flushed.
CONFLICTS = (EditConflict, StaleDataError)


class VersionMixin:
    """Add to an edit form; carries the version the user started from."""

    version = HiddenField()


def check_version(record, submitted_version) -> None:
    """Refuse an edit made from an older version of the record."""
    try:
        submitted = int(submitted_version)
    except (TypeError, ValueError):
        submitted = -1
    if submitted != record.version:
        raise EditConflict


def commit_edit() -> None:
    """Commit an edit; a concurrent save detected at flush time is a conflict too."""
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise EditConflict from exc


def conflict_page(form, record, fields: list[tuple[str, str, str]], **context):
    """409 page with the user's input beside the current values, and the form ready to resend.

    fields: (label, what the user typed, what is saved now). The form's version is moved to
    the current one, so saving again deliberately replaces the newer values.
    """
    db.session.refresh(record)
    form.version.data = str(record.version)
    return render_template("conflict.html", form=form, record=record, fields=fields, **context), 409


def save_edit(
    record,
    form,
    save: Callable[[], object],
    *,
    audit_type: str | None,
    conflict_fields: Callable[[], list[tuple[str, str, str]]],
    **page,
):
    """Apply an edit made from the version the form carries; a stale copy answers with the conflict page.

    Returns None once saved and committed, or the 409 conflict response. With audit_type, the
    conflict page (it shows saved values) is audited as a view of that record type and committed;
    None writes no audit row, for edit pages whose form audits no view either. conflict_fields is
    called after the rollback, so it reads the saved values. Other errors raised by save() (domain
    rules) propagate untouched: the caller rolls back and shows them.
    """
    try:
        check_version(record, form.version.data)
        save()
        commit_edit()
    except CONFLICTS:
        db.session.rollback()
        if audit_type is not None:
            record_event(current_user, "view", audit_type, record.id, detail="edit conflict")
        response = conflict_page(form, record, conflict_fields(), **page)
        if audit_type is not None:
            db.session.commit()  # the conflict page shows saved values: its audit row must land
        return response
    return None
