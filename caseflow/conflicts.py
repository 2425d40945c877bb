"""Optimistic locking for edit forms: a stale save shows a conflict page, never overwrites."""

from flask import render_template
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

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
