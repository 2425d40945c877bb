"""Staff accounts. Administrators are a flag, not a program role."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.crypto import EncryptedText
from caseflow.extensions import db
from caseflow.models.base import TimestampMixin, VersionedMixin, utcnow


def new_session_token() -> str:
    """A random token that names the user in the session cookie, rotated to end all sessions."""
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, VersionedMixin, db.Model):
    """A person who logs in: worker, supervisor, manager, grants staff or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # Flask-Login stores this, not the id, so rotating it logs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    # TOTP second factor (S11). The secret is set when enrolment starts and counts only once
    # confirmed with a code (totp_enabled_at). The last accepted 30-second step is kept so no
    # code, nor an older one, is ever accepted twice.
    # Encrypted at rest (S27): whoever reads the database must not be able to mint codes.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    totp_last_step: Mapped[int | None] = mapped_column(default=None)

    memberships: Mapped[list["ProgramMembership"]] = relationship(  # noqa: F821
        back_populates="user", foreign_keys="ProgramMembership.user_id"
    )

    def get_id(self) -> str:
        return self.session_token

    @property
    def has_two_factor(self) -> bool:
        """Whether logging in needs a code: enrolment was confirmed and not reset since."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RecoveryCode(db.Model):
    """A single-use stand-in for an authenticator code; only a hash of it is stored (S11)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
