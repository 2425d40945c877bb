"""Programs and who belongs to them: the root of every access decision."""

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models.base import RecordMixin, check_in
from caseflow.models.choices import PROGRAM_KINDS, ROLES, label_of, values


class Program(RecordMixin, db.Model):
    """A program module instance (an outreach team, an HVIP at one hospital, ...)."""

    __tablename__ = "programs"
    __table_args__ = (
        check_in("kind", values(PROGRAM_KINDS)),
        CheckConstraint("retention_years IS NULL OR retention_years BETWEEN 1 AND 99", name="retention_years_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    organisation: Mapped[str] = mapped_column(String(160), default="")
    # Settings kept as columns, not a JSON blob, so reports and checks can query them.
    contact_frequency_days: Mapped[int] = mapped_column(default=7)
    caseload_target: Mapped[int] = mapped_column(default=15)
    workers_see_own_caseload_only: Mapped[bool] = mapped_column(default=False)
    # How many of the program's criteria must hold for a screen to find a person eligible.
    eligibility_threshold: Mapped[int] = mapped_column(default=0, server_default="0")
    # Years a closed case (and a soft-deleted record) is kept before `purge` removes it; None keeps forever (S26).
    retention_years: Mapped[int | None] = mapped_column(default=None)

    memberships: Mapped[list["ProgramMembership"]] = relationship(back_populates="program")

    @property
    def kind_label(self) -> str:
        return label_of(PROGRAM_KINDS, self.kind)

    def __repr__(self) -> str:
        return f"<Program {self.id} {self.name}>"


class ProgramMembership(RecordMixin, db.Model):
    """A user's role in one program; the only source of access to case data."""

    __tablename__ = "program_memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "program_id"),
        check_in("role", values(ROLES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # Victim-services staff of this program: the only people who may see its IPV-protected participants (S24).
    is_victim_services: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped["User"] = relationship(back_populates="memberships", foreign_keys=[user_id])  # noqa: F821
    program: Mapped[Program] = relationship(back_populates="memberships")

    @property
    def role_label(self) -> str:
        return label_of(ROLES, self.role)
