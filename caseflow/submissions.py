"""One-time form tokens: a double tap or a resent create form saves one record, not two."""

import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from caseflow.extensions import db
from caseflow.models import FormSubmission, User


def new_token() -> str:
    """A fresh token for a create form, rendered once per form display."""
    return secrets.token_urlsafe(24)


class SubmissionTokenMixin:
    """Add to a create form; the hidden token names this one attempt to save."""

    submission_token = HiddenField(default=new_token)


def _previous(actor: User, token: str, record_type: str) -> int | None:
    return db.session.execute(
        select(FormSubmission.record_id).where(
            FormSubmission.token == token,
            FormSubmission.user_id == actor.id,
            FormSubmission.record_type == record_type,
        )
    ).scalar_one_or_none()


def commit_once(actor: User, token: str | None, record_type: str, create: Callable[[], object]) -> tuple[int, bool]:
    """Run create() and commit, unless this token already saved a record; returns (id, created).

    The token row is written in the same transaction as the record, and its primary key
    settles a race between two copies of the same submission: the loser rolls back and
    is pointed at the winner's record.
    """
    token = (token or "")[:64]
    if token:
        existing = _previous(actor, token, record_type)
        if existing is not None:
            return existing, False
    record = create()
    # Read before the commit expires the object: afterwards it would cost a query to reload the row.
    record_id = record.id
    if token:
        db.session.add(FormSubmission(token=token, user_id=actor.id, record_type=record_type, record_id=record_id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _previous(actor, token, record_type) if token else None
        if existing is None:
            raise
        return existing, False
    return record_id, True
